#!/bin/sh
# A driver-described array layout, no irq chip of its own: "array-alt"
# entries are 32 bytes with ctrl at 0 (bit 31 enables, i.e. a mask of
# inverted polarity; bit 0 PASID enable; PASID in bits 27:8), data at 4 and
# the address at 16/20. ims_core must program exactly those bits: the
# device decodes the entry by that layout, delivers, holds while masked,
# checks the PASID, and the neighbouring entries stay untouched.
# ims_core copies the description: a driver that reuses the memory of the
# layout (or of the queue callbacks) after creation, as a stack frame
# would be, changes nothing.
# Lanes without IR run it in direct mode.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane

# ctrl_is D IDX HEX: the raw control word the device reads
ctrl_is() {
	ok dump "$1" "$2"
	expect_eq "$(printf '0x%08x' "$(val ctrl)")" "$3" "slot $2 ctrl word ($4)"
}

mkdom array-alt 64 alt
A=$D
expect_eq "$(dinfo "$DN" template)" ARRAY "template"
ctrl_is "$A" 5 0x00000000 "reset state: disabled"
alloc "$A" at 5 pasid 7
ctrl_is "$A" 5 0x00000701 "allocated: masked, PASID 7 enabled"
ok request "$A" 5
ctrl_is "$A" 5 0x80000701 "requested: enabled"
addr=$(val addr_lo) addr_hi=$(val addr_hi)
msi_addr_ok "$addr" "$addr_hi" || fail "slot 5 address $addr_hi:$addr is not the platform's MSI doorbell"

fire "$A" 5 2 pasid 7
expect_cnt "$A" 5 total 2
ok fire "$A" 5 1 pasid 8
expect_eq "$(val pasid_err)" 1 "wrong PASID refused by the device"

ok mask "$A" 5
ctrl_is "$A" 5 0x00000701 "disable_irq: enable bit cleared"
ok fire "$A" 5 1 pasid 7
expect_eq "$(val held)" 1 "held while masked"
ok unmask "$A" 5
expect_eq "$(val delivered)" 1 "pending delivered at enable_irq"
ctrl_is "$A" 5 0x80000701 "enable_irq"

ok pasid "$A" 5 9
ctrl_is "$A" 5 0x80000901 "ims_set_pasid 9, still enabled"
fire "$A" 5 1 pasid 9
ok pasid "$A" 5 none
ctrl_is "$A" 5 0x80000000 "PASID none"
expect_cnt "$A" 5 total 4

# neighbours in the 32-byte stride are untouched
for n in 4 6; do
	ok dump "$A" "$n"
	expect_eq "$(val ctrl) $(val addr_lo) $(val data)" "0x0 0x0 0x0" "entry $n untouched"
done

ok release "$A" 5
ctrl_is "$A" 5 0x00000000 "released: disabled"
ok free "$A" 5
ok dump "$A" 5
expect_eq "$(val ctrl) $(val addr_lo) $(val data)" "0x0 0x0 0x0" "freed entry zeroed"
ok destroy "$A"

# the description's memory reused right after creation
tpls="array-nopasid queue"
lane_has_ir || tpls=array-nopasid
for tpl in $tpls; do
	mkdom "$tpl" 8 scratch scratch
	alloc "$D" at 3
	ok request "$D" 3
	fire "$D" 3 2
	ok mask "$D" 3
	ok dump "$D" 3
	expect_eq "$(val masked)" 1 "$tpl (scratch): masked by disable_irq()"
	ok unmask "$D" 3
	expect_cnt "$D" 3 total 2
	ok stats "$D"
	expect_eq "$(val sync_bad)" 0 "$tpl (scratch): syncs through the reused callbacks"
	ok destroy "$D"
done
exit 0
