#!/bin/sh
# PCI surprise removal under load: three processes hold 8 handles each with
# 16 descriptors queued (eventfds and the file polled), and the kernel
# stress thread works the kernel WQ, when the edu function is removed
# through sysfs. Every process sees ENODEV and exits with exact eventfd
# counts (one per completed descriptor, plus the removal's wake-up); no
# interrupt, irq descriptor or IMS domain is left. Then the ivshmem
# function is removed too, a bus rescan brings both back, the driver
# re-probes and works.
#
# Sourced with IDXD_STRESS_LIB=1 it only defines the helpers of the
# idxd-2x cases.
# timeout: 120
# shellcheck disable=SC1090
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

PCI_DEVS=/sys/bus/pci/devices

# stress_irq_descs: allocated Linux irqs (a leaked one stays here)
stress_irq_descs() { ls /sys/kernel/irq | wc -l; }

# kstress_start MS: start the driver's kernel stress thread for MS ms
kstress_start() {
	echo "$1" >"$IDXD_DBG/stress" || fail "cannot start the kernel stress thread"
}

# kstress_wait SECONDS: wait for the kernel stress thread's result in KRES
kstress_wait() {
	wait_for "$1" sh -c "! grep -q running '$IDXD_DBG/stress'" ||
		fail "kernel stress thread still running after $1 s"
	KRES=$(cat "$IDXD_DBG/stress")
}

# stress_holders K N M: K processes that each submit N descriptors on M
# handles and wait for the device to go away; returns once all submitted.
stress_holders() {
	HOLD_PIDS=
	_k=0
	while [ "$_k" -lt "$1" ]; do
		_k=$((_k + 1))
		# an earlier holder's output must not pass for this one's
		rm -f "/tmp/hold.$_k.out"
		idxd_ref_user hold "$2" "$3" >"/tmp/hold.$_k.out" 2>&1 &
		HOLD_PIDS="$HOLD_PIDS $!"
	done
	_k=0
	while [ "$_k" -lt "$1" ]; do
		_k=$((_k + 1))
		wait_for 10 grep -q submitted "/tmp/hold.$_k.out" ||
			{ sed 's/^/# /' "/tmp/hold.$_k.out"; fail "holder $_k did not submit"; }
	done
}

# stress_holders_done WHEN: every holder exits within 20 s and passed
stress_holders_done() {
	_k=0
	for _p in $HOLD_PIDS; do
		_k=$((_k + 1))
		_n=0
		while kill -0 "$_p" 2>/dev/null && [ "$_n" -lt 200 ]; do
			sleep 0.1
			_n=$((_n + 1))
		done
		if kill -0 "$_p" 2>/dev/null; then
			kill -9 "$_p"
			fail "holder $_k still waiting 20 s $1"
		fi
		wait "$_p" || { sed 's/^/# /' "/tmp/hold.$_k.out"; fail "holder $_k $1: $(tail -n 1 "/tmp/hold.$_k.out")"; }
	done
	HOLD_PIDS=
}

# stress_firing: a user handle of idxd_ref0 got a completion interrupt
stress_firing() {
	[ "$(awk -v nc="$(ncpus_irq)" '$NF ~ /^idxd_ref0-h/ {
		for (i = 2; i <= nc + 1; i++) s += $i } END { print s + 0 }' /proc/interrupts)" -gt 0 ]
}

# stress_trap [CMD]: on exit run CMD, stop the processes the case started
# in the background (HOLD_PIDS, BG_PIDS: their open files would keep the
# module busy), then the usual teardown
stress_trap() {
	trap "rc=\$?; ${1:-:}; stress_kill_bg; (exit \$rc); idxd_teardown" EXIT
}

stress_kill_bg() {
	for _p in $HOLD_PIDS $BG_PIDS; do
		kill -9 "$_p" 2>/dev/null
	done
	wait 2>/dev/null
}

# irq_total IRQ: interrupts of IRQ over all possible CPUs, offline ones too
irq_total() {
	tr ',' '\n' <"/sys/kernel/irq/$1/per_cpu_count" | awk '{ s += $1 } END { print s + 0 }'
}

# irq_on_cpu IRQ CPU: interrupts of IRQ counted on CPU (online or not)
irq_on_cpu() {
	tr ',' '\n' <"/sys/kernel/irq/$1/per_cpu_count" | sed -n "$(($2 + 1))p"
}

[ -n "${IDXD_STRESS_LIB:-}" ] && return 0

idxd_case_deep teardown
idxd_setup
stress_trap
n0=$(stress_irq_descs)
kstress_start 30000
stress_holders 3 16 8
wait_for 10 sh -c "[ \$(grep -c 'idxd_ref0-' /proc/interrupts) -ge 27 ]" ||
	fail "expected 24 user handles, the kernel WQ's and misc"
sleep 1
diag "$(grep -c 'idxd_ref0-' /proc/interrupts) idxd_ref interrupts before removal"
sed 's/^/# before: /' "$IDXD_DBG/stats" | grep -v ' handle '

t0=$(date +%s)
echo 1 >"$PCI_DEVS/$EDU_BDF/remove" || fail "remove $EDU_BDF failed"
diag "removal of $EDU_BDF took $(($(date +%s) - t0)) s"
[ -e "$PCI_DEVS/$EDU_BDF" ] && fail "$EDU_BDF still present after remove"
stress_holders_done "after removal"
for k in 1 2 3; do grep -E '^PASS' "/tmp/hold.$k.out" | sed 's/^/# /'; done
idxd_gone "after removal of $EDU_BDF"
# the driver's two irqs are gone (and the INTx mappings of the disabled
# functions with them); re-probing must restore the count exactly
n1=$(stress_irq_descs)
diag "irq descriptors: $n0 bound, $n1 after removal"
[ "$n1" -le $((n0 - 2)) ] || fail "irq descriptors after removal: $n1, expected at most $((n0 - 2))"

# the card's memory function goes too; a rescan brings both back
[ -e "$PCI_DEVS/$IVSHMEM_BDF" ] || fail "$IVSHMEM_BDF vanished with $EDU_BDF"
echo 1 >"$PCI_DEVS/$IVSHMEM_BDF/remove" || fail "remove $IVSHMEM_BDF failed"
[ -e "$PCI_DEVS/$IVSHMEM_BDF" ] && fail "$IVSHMEM_BDF still present after remove"
echo 1 >/sys/bus/pci/rescan || fail "rescan failed"
wait_for 10 idxd_bound || fail "idxd_ref did not re-probe $EDU_BDF after rescan"
[ -e "$PCI_DEVS/$IVSHMEM_BDF" ] || fail "$IVSHMEM_BDF not back after rescan"
wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after rescan"
expect_eq "$(stress_irq_descs)" "$n0" "irq descriptors after re-probe"
idxd_selftest 2
idxd_user basic 8 4
echo "PASS: removal under load (24 user handles, kernel stress): ENODEV, exact counts, nothing left; rescan re-probes"
