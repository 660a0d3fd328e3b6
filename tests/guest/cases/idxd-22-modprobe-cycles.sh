#!/bin/sh
# 50 modprobe / modprobe -r cycles under load: in each, the kernel stress
# thread works the kernel WQ and a process closes its file with 2
# descriptors in flight (release drains them) before the modules are
# removed, with the thread still running. Every 10th cycle a process
# holding the device open makes modprobe -r fail cleanly (module in use)
# and the driver keeps working. After each removal no interrupt, irq
# descriptor or IMS domain is left.
# timeout: 150
# shellcheck disable=SC1090
IDXD_STRESS_LIB=1 . "$(dirname "$0")/idxd-20-remove-rescan.sh"
soak_case

CYCLES=50
idxd_setup
stress_trap
n0=$(stress_irq_descs)
n1=
t0=$(date +%s)
c=0
while [ "$c" -lt "$CYCLES" ]; do
	c=$((c + 1))
	kstress_start 5000
	out=$(idxd_ref_user burst 2 2 2>&1) || fail "cycle $c: $(echo "$out" | tail -n 1)"
	if [ $((c % 10)) = 0 ]; then
		stress_holders 1 4 2
		modprobe -r idxd_ref 2>/dev/null && fail "modprobe -r succeeded with the device open (cycle $c)"
		idxd_bound || fail "driver unbound by a failed modprobe -r (cycle $c)"
		idxd_selftest 1
		for p in $HOLD_PIDS; do
			kill "$p"
			wait "$p" 2>/dev/null
		done 2>/dev/null
		HOLD_PIDS=
	fi
	modprobe -r idxd_ref || fail "modprobe -r idxd_ref failed (cycle $c)"
	module_loaded idxd_ref && fail "idxd_ref still loaded (cycle $c)"
	[ "$IDXD_CORE_WAS" = 0 ] && module_loaded ims_core && fail "ims_core still loaded (cycle $c)"
	idxd_gone "after modprobe -r $c"
	# the first cycle tells how many the disabled device releases
	n=$(stress_irq_descs)
	[ -n "$n1" ] || n1=$n
	[ "$n1" -le $((n0 - 2)) ] || fail "irq descriptors after modprobe -r 1: $n1, bound $n0"
	expect_eq "$n" "$n1" "irq descriptors after modprobe -r $c"
	modprobe idxd_ref || fail "modprobe idxd_ref failed (cycle $c)"
	idxd_bound || fail "not bound after modprobe $c"
	wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after modprobe $c"
	expect_eq "$(stress_irq_descs)" "$n0" "irq descriptors after modprobe $c"
done
diag "irq descriptors: $n0 bound, $n1 unbound"
diag "$CYCLES cycles in $(($(date +%s) - t0)) s"
echo "PASS: $CYCLES modprobe/modprobe -r cycles with work in flight: no hang, no leak"
