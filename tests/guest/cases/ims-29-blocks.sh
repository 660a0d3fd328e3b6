#!/bin/sh
# Batches take remapping blocks only where that helps and cannot leave
# error lines behind a successful allocation. VT-d: blocks of up to 32,
# bounded by the unit's invalidation handle mask (MHMV, read from the
# unit); batches of 32 and 64 succeed without a line from the IR driver.
# AMD-Vi frees entries one by one and gives each device a small table:
# no blocks there. With the device's table full and then every other entry
# freed, a batch of 32 still succeeds (32 single entries in the holes) and
# the IR driver logs nothing ("Failed to allocate IRTE" would mean a block
# was tried).
# timeout: 240
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup

mkdom array 1024 blk
case "$IOMMU" in
intel)
	expect_eq "$(dinfo "$DN" block)" 32 "VT-d block limit (QEMU's unit: MHMV 15)"
	e0=$(ir_lines)
	for n in 32 64 7; do
		ok batch "$D" "$n"
	done
	expect_eq "$(ir_lines)" "$e0" "IR driver lines after successful batches"
	ok freeall "$D"
	;;
amd)
	expect_eq "$(dinfo "$DN" block)" 1 "no blocks on AMD-Vi"
	n=0
	while IT_QUIET=1 t alloc "$D" any; do
		case "$R" in
		ok*) n=$((n + 1)) ;;
		"err -28"*) break ;;
		*) fail "alloc $n: $R" ;;
		esac
	done
	diag "device table full after $n interrupts"
	expect_ge "$n" 64 "interrupts allocated before the table was full"
	i=0
	while [ "$i" -lt "$n" ]; do
		IT_QUIET=1 ok free "$D" "$i"
		i=$((i + 2))
	done
	e0=$(ir_lines)
	ok batch "$D" 32
	expect_eq "$(ir_lines)" "$e0" "IR driver lines after a batch in a fragmented table"
	last=$(val index | cut -d, -f32)
	ok request "$D" "$last"
	fire "$D" "$last" 1
	ok freeall "$D"
	;;
esac
ok destroy "$D"
exit 0
