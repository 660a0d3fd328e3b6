#!/bin/sh
# Allocation by the domain, for both templates: any free slot, a given
# slot, the lowest free slot in a range, and a batch. Indices are as asked,
# virqs are distinct and valid, ims_index_virq()/ims_irq_index() agree,
# ims_core's debugfs lists every slot; after request_irq() each interrupt
# shows in /proc/interrupts under the IMS chip with its own action name.
# Occupied slots give -EBUSY (at) or -ENOSPC (range), bad ranges -EINVAL.
# The lookups are safe against a slot freed under them (RCU): a thread
# looks a slot up while it is allocated and freed for 2 s (KASAN on the
# debug lane).
# Lanes without IR run the array part in direct mode (allow_direct_vector=1).
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane
tpls="array queue"
lane_has_ir || { tpls=array; diag "no IR: queue template skipped, array in direct mode"; }

for tpl in $tpls; do
	diag "--- $tpl"
	mkdom "$tpl" 16
	virqs=
	alloc "$D" any
	expect_eq "$I" 0 "$tpl: any on an empty domain"
	virqs="$virqs $V"
	alloc "$D" at 5
	expect_eq "$I" 5 "$tpl: at 5"
	virqs="$virqs $V"
	alloc "$D" range 5 9
	expect_eq "$I" 6 "$tpl: lowest free in range 5..9"
	virqs="$virqs $V"
	alloc "$D" at 15
	expect_eq "$I" 15 "$tpl: at the last slot"
	virqs="$virqs $V"
	alloc "$D" any
	expect_eq "$I" 1 "$tpl: any after 0 is taken"
	virqs="$virqs $V"

	ok batch "$D" 3
	expect_eq "$(val index)" "2,3,4" "$tpl: batch indices"
	for v in $(val virq | tr , ' '); do
		virqs="$virqs $v"
	done
	expect_eq "$(echo $virqs | wc -w)" 8 "$tpl: number of virqs"
	expect_eq "$(echo $virqs | tr ' ' '\n' | sort -u | wc -l)" 8 "$tpl: distinct virqs"

	# occupied and out of range
	err -16 alloc "$D" at 5
	err -28 alloc "$D" range 0 6
	err -22 alloc "$D" at 16
	err -22 alloc "$D" range 9 8
	err -22 alloc "$D" range 10 16

	# lookups both ways, debugfs
	ok stats "$D"
	expect_eq "$(val used)" 8 "$tpl: used"
	expect_eq "$(val sync_bad)" 0 "$tpl: syncs with a wrong index or context"
	expect_eq "$(dinfo "$DN" used)" 8 "$tpl: debugfs used"
	expect_eq "$(($(wc -l <"$IMSDBG/$DN/slots") - 1))" 8 "$tpl: debugfs slot lines"
	for idx in 0 1 2 3 4 5 6 15; do
		v=$(cnt "$D" "$idx" virq)
		[ "$v" != none ] || fail "$tpl: slot $idx not in counts"
		ok virq "$D" "$idx"
		expect_eq "$(val virq)" "$v" "$tpl: ims_index_virq($idx)"
		ok index "$D" "$v"
		expect_eq "$(val index)" "$idx" "$tpl: ims_irq_index($v)"
		expect_eq "$(dslot "$DN" "$idx" virq)" "$v" "$tpl: debugfs virq of slot $idx"
		expect_eq "$(dslot "$DN" "$idx" masked)" 1 "$tpl: slot $idx masked before request"
		ok request "$D" "$idx"
		expect_eq "$(irq_numbers "ims_test-$D-$idx")" "$v" "$tpl: /proc/interrupts line of slot $idx"
		expect_eq "$(proc_irq_chip "$v")" "$DN" "$tpl: chip of irq $v"
		expect_eq "$(dslot "$DN" "$idx" masked)" 0 "$tpl: slot $idx unmasked after request"
	done
	err -2 virq "$D" 7
	err -22 index "$D" 1
	grep "ims_test-$D-" /proc/interrupts | sed 's/^/# /'

	# freeing one makes exactly that one reusable
	ok free "$D" 3
	[ -z "$(irq_numbers "ims_test-$D-3")" ] || fail "$tpl: slot 3 still in /proc/interrupts after free"
	err -2 virq "$D" 3
	alloc "$D" any
	expect_eq "$I" 3 "$tpl: any after freeing 3"
	ok freeall "$D"
	ok stats "$D"
	expect_eq "$(val used)" 0 "$tpl: used after freeall"
	[ -z "$(grep "ims_test-$D-" /proc/interrupts)" ] || fail "$tpl: interrupts left after freeall"
	alloc "$D" any
	expect_eq "$I" 0 "$tpl: any after freeall"

	# lookups run under RCU while the slot they look at comes and goes
	ok lookups "$D" 5 2000
	expect_ge "$(val cycles)" 10 "$tpl: alloc/free cycles beside the lookups"
	expect_ge "$(val calls)" 10 "$tpl: lookups beside the alloc/free cycles"
	ok stats "$D"
	expect_eq "$(val used)" 1 "$tpl: used after the lookups"
	ok destroy "$D"
done
exit 0
