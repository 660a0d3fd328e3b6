#!/bin/sh
# 50 unbind/bind cycles under load: in each, two processes hold 4 handles
# each with 6 descriptors queued and the kernel stress thread works the
# kernel WQ when the driver is unbound, once completion interrupts flow. The processes see ENODEV with
# exact eventfd counts and exit; after each unbind no interrupt, irq
# descriptor or IMS domain is left, after each bind exactly the driver's
# two interrupts are back; every 10th cycle the kernel WQ self-test
# checks delivery.
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
completed=0
c=0
while [ "$c" -lt "$CYCLES" ]; do
	c=$((c + 1))
	kstress_start 5000
	stress_holders 2 6 4
	wait_for 10 stress_firing || fail "no completion interrupt before unbind $c"
	echo "$EDU_BDF" >"$IDXD_DRV/unbind" || fail "unbind $c failed"
	stress_holders_done "after unbind $c"
	for k in 1 2; do
		done_=$(sed -n 's/.* \([0-9]*\) completed.*/\1/p' "/tmp/hold.$k.out")
		completed=$((completed + done_))
	done
	idxd_gone "after unbind $c"
	# the first cycle tells how many the disabled device releases
	n=$(stress_irq_descs)
	[ -n "$n1" ] || n1=$n
	[ "$n1" -le $((n0 - 2)) ] || fail "irq descriptors after unbind 1: $n1, bound $n0"
	expect_eq "$n" "$n1" "irq descriptors after unbind $c"
	echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "bind $c failed"
	idxd_bound || fail "not bound after bind $c"
	wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after bind $c"
	expect_eq "$(stress_irq_descs)" "$n0" "irq descriptors after bind $c"
	[ $((c % 10)) = 0 ] && idxd_selftest 1
done
diag "$completed descriptors completed with an interrupt before their unbind, the rest aborted"
diag "irq descriptors: $n0 bound, $n1 unbound"
diag "$CYCLES cycles in $(($(date +%s) - t0)) s"
echo "PASS: $CYCLES unbind/bind cycles with work in flight: no hang, no leak"
