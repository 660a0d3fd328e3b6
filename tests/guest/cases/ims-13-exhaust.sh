#!/bin/sh
# Exhaustion, for both templates: a full domain refuses any/range/batch with
# -ENOSPC and only an explicit occupied index with -EBUSY (also on a domain
# of one slot, where any, range [0, 0] and a batch cover the same slot), a
# failed batch allocates nothing, and a freed slot is reused (by any, at,
# and range). Under VT-d the first slot of a batch's remapping block is
# reusable only once the whole block is freed; AMD-Vi and direct mode free
# entries one by one, so nothing is held there.
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane
tpls="array queue"
lane_has_ir || { tpls=array; diag "no IR: queue template skipped, array in direct mode"; }

for tpl in $tpls; do
	diag "--- $tpl"
	# one slot: "no free slot" is -ENOSPC whatever covers it
	mkdom "$tpl" 1 one
	alloc "$D" at 0
	err -28 alloc "$D" any
	err -28 alloc "$D" range 0 0
	err -28 batch "$D" 1
	err -16 alloc "$D" at 0
	ok stats "$D"
	expect_eq "$(val used)" 1 "$tpl: used of the full one-slot domain"
	ok destroy "$D"

	mkdom "$tpl" 8
	ok batch "$D" 6
	expect_eq "$(val index)" "0,1,2,3,4,5" "$tpl: batch of 6"
	err -28 batch "$D" 3
	ok stats "$D"
	expect_eq "$(val used)" 6 "$tpl: used after a failed batch (all or nothing)"
	alloc "$D" any
	expect_eq "$I" 6 "$tpl: 7th"
	alloc "$D" any
	expect_eq "$I" 7 "$tpl: 8th"
	err -28 alloc "$D" any
	err -28 alloc "$D" range 2 7
	err -28 batch "$D" 1
	err -16 alloc "$D" at 4
	ok stats "$D"
	expect_eq "$(val used)" 8 "$tpl: used when full"
	expect_eq "$(dinfo "$DN" used)" 8 "$tpl: debugfs used when full"

	if [ "$IOMMU" = intel ]; then
		# The batch of 6 took remapping blocks {0..3} and {4, 5}. Slot 4
		# heads the second: freed first, it is held (not reusable) until
		# 5 goes.
		ok free "$D" 4
		ok stats "$D"
		expect_eq "$(val used) $(val held)" "7 1" "$tpl: used and held after freeing a block's first slot"
		expect_eq "$(dinfo "$DN" block)" 32 "$tpl: largest VT-d block (QEMU's MHMV allows 32)"
		expect_eq "$(dinfo "$DN" held)" 1 "$tpl: debugfs held"
		err -28 alloc "$D" any
		err -16 alloc "$D" at 4
		err -2 virq "$D" 4
		ok free "$D" 5
	else
		# one entry per interrupt: nothing to hold
		ok free "$D" 4
		ok stats "$D"
		expect_eq "$(val used) $(val held)" "7 0" "$tpl: used and held after freeing a batch's first slot"
		expect_eq "$(dinfo "$DN" block)" 1 "$tpl: no blocks without VT-d"
		ok free "$D" 5
	fi
	ok stats "$D"
	expect_eq "$(val used) $(val held)" "6 0" "$tpl: used and held once the block is gone"
	alloc "$D" any
	expect_eq "$I" 4 "$tpl: a block's first slot reused by any"
	alloc "$D" any
	expect_eq "$I" 5 "$tpl: the block's second slot reused by any"
	ok free "$D" 4
	alloc "$D" at 4
	expect_eq "$I" 4 "$tpl: freed slot reused by at"
	ok free "$D" 2
	ok free "$D" 6
	alloc "$D" range 3 7
	expect_eq "$I" 6 "$tpl: freed slot reused by range"
	alloc "$D" range 0 7
	expect_eq "$I" 2 "$tpl: last free slot"
	err -28 alloc "$D" any

	# reused slot works: request, fire once
	ok request "$D" 2
	fire "$D" 2 1
	expect_cnt "$D" 2 total 1
	ok destroy "$D"

done
exit 0
