#!/bin/sh
# Affinity, for both templates: moving an IMS interrupt through every CPU
# (/proc/irq/N/smp_affinity_list = 1, 2, ..., then 0) moves delivery: per-CPU
# counts of the handler, /proc/interrupts and ims_core's debugfs cpu column
# follow. With IR the slot's message stays the same (the IRTE is
# retargeted); in direct mode (lanes without IR, allow_direct_vector=1,
# array only) the message in the slot is rewritten.
# An affinity descriptor given at allocation (single and batch) places the
# interrupt on that CPU from the start.
# One fire after each move primes it: x86 may apply a move from the next
# interrupt (deferred move); the counted fires come after it.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_cpus 2
ncpu=$(grep -c '^processor' /proc/cpuinfo)
it_setup_lane
tpls="array queue"
lane_has_ir || { tpls=array; diag "no IR: queue template skipped, array in direct mode"; }

# move D IDX VIRQ CPU: set the affinity, prime, fire 3, check they all hit
# CPU and no other
move() {
	echo "$4" >"/proc/irq/$3/smp_affinity_list" || fail "cannot set affinity of irq $3 to $4"
	fire "$1" "$2" 1
	expect_eq "$(cat "/proc/irq/$3/effective_affinity_list")" "$4" "effective affinity of irq $3"
	ct=$(cnt "$1" "$2" "cpu$4") tot=$(cnt "$1" "$2" total)
	pt=$(irq_count "$3" "$4") ptot=$(irq_count "$3")
	fire "$1" "$2" 3
	expect_eq "$(cnt "$1" "$2" "cpu$4")" $((ct + 3)) "cpu$4 count after moving to cpu$4"
	expect_eq "$(cnt "$1" "$2" total)" $((tot + 3)) "all CPUs' count after moving to cpu$4"
	expect_eq "$(irq_count "$3" "$4")" $((pt + 3)) "/proc/interrupts cpu$4 after moving to cpu$4"
	expect_eq "$(irq_count "$3")" $((ptot + 3)) "/proc/interrupts all CPUs after moving to cpu$4"
	expect_eq "$(cnt "$1" "$2" last_cpu)" "$4" "last delivery CPU"
	expect_eq "$(dslot "$DN" "$2" cpu)" "$4" "ims_core debugfs cpu"
	ok dump "$1" "$2"
	msg="$(val addr_hi)/$(val addr_lo)/$(val data)"
	diag "irq $3 on cpu $4: message $msg"
}

for tpl in $tpls; do
	diag "--- $tpl"
	mkdom "$tpl" 8
	alloc "$D" at 2
	ok request "$D" 2
	v=$V
	alloc "$D" at 3
	ok request "$D" 3

	# through every CPU (x2apic lanes: APIC ids the xapic lanes never
	# use), then back to cpu0
	move "$D" 2 "$v" 0
	m0=$msg
	for c in $(seq 1 $((ncpu - 1))) 0; do
		move "$D" 2 "$v" "$c"
		if lane_has_ir; then
			expect_eq "$msg" "$m0" "$tpl: message after a move to cpu$c under IR"
		elif [ "$c" != 0 ]; then
			expect_ne "$msg" "$m0" "$tpl: message after a move to cpu$c in direct mode"
		fi
	done
	expect_cnt "$D" 2 total $((4 * (ncpu + 1)))
	expect_cnt "$D" 3 total 0

	# the other slot still works where it is
	fire "$D" 3 1
	expect_cnt "$D" 3 total 1

	# an affinity descriptor at allocation places the interrupt
	for c in $(seq $((ncpu - 1)) -1 0); do
		alloc "$D" any cpu "$c"
		ok request "$D" "$I"
		expect_eq "$(cat "/proc/irq/$V/effective_affinity_list")" "$c" "$tpl: effective affinity of an interrupt allocated for cpu $c"
		fire "$D" "$I" 2
		expect_cnt "$D" "$I" "cpu$c" 2
	done
	if [ "$tpl" = array ]; then
		last=$((ncpu - 1))
		ok batch "$D" 2 cpu "$last"
		for i in $(val index | tr , ' '); do
			ok request "$D" "$i"
			fire "$D" "$i" 1
			expect_cnt "$D" "$i" "cpu$last" 1
		done
	fi
	ok destroy "$D"
done
exit 0
