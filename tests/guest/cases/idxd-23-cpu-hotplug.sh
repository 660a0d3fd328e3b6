#!/bin/sh
# CPU hotplug and affinity while the device fires: a process takes 64
# completion interrupts on 8 handles and the kernel WQ self-test 32 on its
# handle while, over and over, all these IMS irqs are moved to CPU1, CPU1
# goes offline (the irqs are forced off it), they are spread over CPUs 0-1,
# CPU1 comes back and they are moved to CPU0. Each handle gets exactly its
# completions (driver count = eventfd = /proc/interrupts = per-CPU sum,
# counted from before the handles exist: idxd_ref keeps spare slots, so a
# handle's irq may have counted for an earlier user),
# none is counted on CPU1 while it is offline, and an affinity to the
# offline CPU alone is refused.
# timeout: 150
# shellcheck disable=SC1090
IDXD_STRESS_LIB=1 . "$(dirname "$0")/idxd-20-remove-rescan.sh"

CPU1=/sys/devices/system/cpu/cpu1/online
idxd_setup
[ -w "$CPU1" ] || skip "CPU1 cannot be taken offline"
stress_trap 'echo 1 >"$CPU1" 2>/dev/null'

# set_affinity LIST: every irq under test to the CPUs in LIST
set_affinity() {
	for i in $irqs; do
		echo "$1" >"/proc/irq/$i/smp_affinity_list" ||
			fail "affinity $1 of irq $i refused (cycle $cycles)"
	done
}

# on_cpu1: the irqs' counts on CPU1
on_cpu1() { for i in $irqs; do irq_on_cpu "$i" 1; done; }

# every irq's counts before the handles exist (a new descriptor starts at 0)
for i in $(ls /sys/kernel/irq); do
	echo "$i $(irq_total "$i") $(irq_count "$i")"
done >/tmp/hp.base
rm -f /tmp/hp.go
mkfifo /tmp/hp.go || fail "mkfifo"
idxd_ref_user -w basic 64 8 </tmp/hp.go >/tmp/hp.out 2>&1 &
upid=$!
BG_PIDS=$upid
exec 3>/tmp/hp.go
wait_for 10 sh -c "[ \$(grep -c 'idxd_ref0-h' /proc/interrupts) -ge 8 ]" ||
	fail "the process did not allocate its 8 handles"
wq0=$(irq_numbers idxd_ref0-wq0)
irqs=$(awk '$NF ~ /^idxd_ref0-(h[0-9]+|wq0)$/ { sub(":", "", $1); print $1 }' /proc/interrupts)
w0=$(irq_total "$wq0")
echo 32 >"$IDXD_DBG/selftest" &
spid=$!
BG_PIDS="$upid $spid"

cycles=0
t0=$(date +%s)
while [ "$cycles" -lt 60 ]; do
	grep -qE '^(PASS|FAIL)' /tmp/hp.out && ! kill -0 "$spid" 2>/dev/null && break
	cycles=$((cycles + 1))
	set_affinity 1
	sleep 0.2
	echo 0 >"$CPU1" || fail "cannot take CPU1 offline (cycle $cycles)"
	c0=$(on_cpu1)
	set -- $irqs
	echo 1 >"/proc/irq/$1/smp_affinity_list" 2>/dev/null &&
		fail "affinity to offline CPU1 alone accepted for irq $1"
	set_affinity 0-1
	sleep 0.2
	c1=$(on_cpu1)
	expect_eq "$c1" "$c0" "interrupts counted on CPU1 while offline (cycle $cycles)"
	echo 1 >"$CPU1" || fail "cannot bring CPU1 back (cycle $cycles)"
	set_affinity 0
	sleep 0.1
done
diag "$cycles hotplug cycles in $(($(date +%s) - t0)) s"
wait "$spid"
BG_PIDS=$upid
R=$(cat "$IDXD_DBG/selftest")
diag "kernel WQ self-test: $R"
case "$R" in "ok n=32 irqs=32 "*) ;; *) fail "kernel WQ self-test: $R" ;; esac
expect_eq "$(($(irq_total "$wq0") - w0))" 32 "kernel WQ handle: interrupts over all CPUs"

wait_for 60 grep -qE '^(PASS|FAIL)' /tmp/hp.out
sed -e 's/^# //' -e 's/^/# /' /tmp/hp.out
grep -q '^PASS' /tmp/hp.out || fail "user side: $(tail -n 1 /tmp/hp.out)"
sed -n 's/^# handle \([0-9]*\): eventfd \([0-9]*\) irqs \([0-9]*\) .*/\1 \2 \3/p' /tmp/hp.out >/tmp/hp.handles
expect_eq "$(wc -l </tmp/hp.handles)" 8 "handles reported"
while read -r h e n; do
	irq=$(irq_numbers "idxd_ref0-h$h")
	[ -n "$irq" ] || fail "handle $h has no interrupt line"
	expect_eq "$e" "$n" "handle $h: eventfd vs driver"
	set -- $(awk -v i="$irq" '$1 == i { b = $2 " " $3 } END { print b ? b : "0 0" }' /tmp/hp.base)
	expect_eq "$(($(irq_total "$irq") - $1))" "$n" "handle $h: per-CPU sum"
	expect_eq "$(($(irq_count "$irq") - $2))" "$n" "handle $h: /proc/interrupts"
	diag "handle $h irq $irq: $n interrupts, per CPU $(cat "/sys/kernel/irq/$irq/per_cpu_count")"
done </tmp/hp.handles
set_affinity 0-1
exec 3>&-
wait "$upid" || fail "user process failed after the checks"
BG_PIDS=
echo "PASS: $cycles CPU1 offline/online cycles and 3 affinity moves each while 96 interrupts fired: each delivered once, none on an offline CPU"
