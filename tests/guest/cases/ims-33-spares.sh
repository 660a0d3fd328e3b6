#!/bin/sh
# IMS_DOMAIN_SPARES (VT-d): a single allocation takes a remapping block and
# keeps its other slots as spares; later single allocations take spares
# (same irq numbers, /proc/interrupts counts carried over); freed slots of
# a block become spares; an idle block is kept once per domain and any
# further idle block is released; ims_release_spares() and destroy give
# everything back. Fewer free slots in range take a smaller block; a block
# the unit refuses is retried as one entry. Interrupts of every kind of
# slot (first of a block, other member, reused spare, single) are fired by
# the device and counted. AMD-Vi and the arm64 ITS have no blocks: the flag
# changes nothing there.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup
trap '[ -e "$IMSDBG/fault" ] && echo off >"$IMSDBG/fault"; it_teardown' EXIT

# occ ID USED HELD SPARE WHAT: the domain's stats, and its sysfs view
occ() {
	ok stats "$1"
	expect_eq "$(val used) $(val held) $(val spare)" "$2 $3 $4" "used held spare: $5"
	expect_eq "$(cat "/sys/class/ims/$DN/spare")" "$4" "sysfs spare: $5"
}

# desc IRQ: whether the irq descriptor exists
desc() { [ -d "/sys/kernel/irq/$1" ]; }

# AMD-Vi and the ITS take entries one by one: the flag changes nothing
if [ "$IOMMU" = amd ] || [ "$IOMMU" = its ]; then
	mkdom array 64 sp spares
	expect_eq "$(dinfo "$DN" block)" 1 "no blocks on $IOMMU"
	alloc "$D" any
	occ "$D" 1 0 0 "$IOMMU: one allocation, no spares"
	ok request "$D" "$I"
	fire "$D" "$I" 2
	ok free "$D" "$I"
	occ "$D" 0 0 0 "$IOMMU: freed"
	ok destroy "$D"
	exit 0
fi

e0=$(ir_lines)
mkdom array 256 sp spares
expect_eq "$(dinfo "$DN" block)" 32 "VT-d block limit"
expect_eq "$(dinfo "$DN" spare)" 0 "debugfs spare of a new domain"

# the first single allocation takes a block of 32
alloc "$D" any
expect_eq "$I" 0 "index of the first allocation"
V0=$V
occ "$D" 1 0 31 "one allocation"
expect_eq "$(dinfo "$DN" spare)" 31 "debugfs spare after one allocation"
ok request "$D" 0
fire "$D" 0 2

# the next 31 are the spares: consecutive slots and irqs, nothing new
i=1
while [ "$i" -lt 32 ]; do
	IT_QUIET=1 alloc "$D" any
	expect_eq "$I $V" "$i $((V0 + i))" "allocation $i from the block's spares"
	i=$((i + 1))
done
occ "$D" 32 0 0 "block full"
ok request "$D" 31
fire "$D" 31 3
V31=$((V0 + 31))
expect_eq "$(irq_count "$V31")" 3 "/proc/interrupts of slot 31"

# the 33rd takes a new block
alloc "$D" any
expect_eq "$I" 32 "index of the 33rd allocation"
V32=$V
occ "$D" 33 0 31 "second block"

# a freed member becomes a spare; a single allocation in range takes it
# back: same irq, its /proc/interrupts count goes on
ok free "$D" 31
occ "$D" 32 0 32 "slot 31 freed"
desc "$V31" || fail "irq $V31 of the spare slot 31 is gone"
alloc "$D" range 0 31
expect_eq "$I $V" "31 $V31" "slot and irq of the reused spare"
occ "$D" 33 0 31 "spare 31 reused"
ok dump "$D" 31
expect_eq "$(val masked)" 1 "reused spare masked until requested"
ok request "$D" 31
fire "$D" 31 2
expect_eq "$(irq_count "$V31")" 5 "/proc/interrupts of the reused irq (3 before, 2 now)"

# an exact index that is a spare takes it; one that is free is a single
# entry, no block; a taken one is busy
alloc "$D" at 40
expect_eq "$V" $((V32 + 8)) "irq of spare slot 40"
occ "$D" 34 0 30 "spare 40 taken"
alloc "$D" at 100
V100=$V
occ "$D" 35 0 30 "slot 100: a single entry"
ok request "$D" 100
fire "$D" 100 1
ok request "$D" 40
fire "$D" 40 1
err -16 alloc "$D" at 40

# the second block goes idle: kept. The single slot goes at once.
ok free "$D" 32
ok free "$D" 40
occ "$D" 33 0 32 "block 2 idle, kept"
ok free "$D" 100
desc "$V100" && fail "irq $V100 of a freed single slot still exists"
occ "$D" 32 0 32 "single slot freed"
# the first block goes idle too: one idle block is kept, so it goes
i=0
while [ "$i" -lt 32 ]; do
	IT_QUIET=1 ok free "$D" "$i"
	i=$((i + 1))
done
occ "$D" 0 0 32 "first block idle: released"
desc "$V0" && fail "irq $V0 of the released first block still exists"
desc "$V31" && fail "irq $V31 of the released first block still exists"
desc "$V32" || fail "irq $V32 of the kept block is gone"
ok release_spares "$D"
occ "$D" 0 0 0 "after ims_release_spares()"
desc "$V32" && fail "irq $V32 still exists after ims_release_spares()"

# fewer free slots in range than a block: a smaller block
for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29; do
	IT_QUIET=1 alloc "$D" at "$i"
done
occ "$D" 30 0 0 "30 exact allocations: single entries"
alloc "$D" range 0 31
expect_eq "$I" 30 "the lowest free slot of [0, 31]"
occ "$D" 31 0 1 "a block of 2 in [30, 31], no room for more"
alloc "$D" range 0 31
expect_eq "$I" 31 "the spare of the block of 2"
occ "$D" 32 0 0 "[0, 31] full"
err -28 alloc "$D" range 0 31
alloc "$D" range 0 63
expect_eq "$I" 32 "a range with room for a block"
occ "$D" 33 0 31 "block in [32, 63]"
ok release_spares "$D"
occ "$D" 33 0 31 "ims_release_spares() keeps the spares of a block in use"

# a block the unit refuses is retried as one entry, and the domain takes
# single entries until one of its blocks goes back
echo "parent 1" >"$IMSDBG/fault"
alloc "$D" range 64 255
expect_eq "$I" 64 "allocation after a refused block"
VR=$V
echo off >"$IMSDBG/fault"
occ "$D" 34 0 31 "refused block: a single entry"
ok request "$D" 64
fire "$D" 64 2
alloc "$D" range 96 255
occ "$D" 35 0 31 "still single entries"
ok free "$D" "$I"
ok free "$D" 64
desc "$VR" && fail "irq $VR of a freed single slot still exists"
ok free "$D" 32
occ "$D" 32 0 32 "block [32, 63] idle, kept"
ok release_spares "$D"
occ "$D" 32 0 0 "block [32, 63] went back"
alloc "$D" range 96 255
occ "$D" 33 0 31 "blocks again after a block went back"

expect_eq "$(ir_lines)" "$e0" "IR driver lines"
ok destroy "$D"
[ -e "/sys/class/ims/$DN" ] && fail "$DN still in sysfs after destroy"

# the queue template: a spare's renewed state reaches the device
mkdom queue 64 q spares
alloc "$D" any
VQ=$V
ok request "$D" "$I"
fire "$D" "$I" 1
ok free "$D" "$I"
occ "$D" 0 0 32 "queue: idle block kept"
alloc "$D" any pasid 5
expect_eq "$V" "$VQ" "queue: the spare comes back"
ok dump "$D" "$I"
expect_eq "$(val pasid_en) $(val pasid)" "1 5" "queue: PASID of the reused spare on the device"
ok request "$D" "$I"
fire "$D" "$I" 2 pasid 5
ok destroy "$D"
expect_eq "$(irq_numbers "$DN" | wc -l)" 0 "irqs of destroyed domains"
exit 0
