#!/bin/sh
# Concurrency: for 15 s three processes (up to 6 handles each) and the
# driver's kernel stress thread (up to 4 handles on the kernel WQ)
# allocate, free, mask, unmask and submit at random, while the kernel WQ
# self-test runs. Each client accounts for every interrupt it is owed and
# checks the driver's counts as it goes; at the end the totals reconcile
# exactly with the device's per-WQ counters (submitted = completed,
# interrupts = what the clients saw) and only the kernel WQ's handle is
# left allocated.
# timeout: 120
# shellcheck disable=SC1090
IDXD_STRESS_LIB=1 . "$(dirname "$0")/idxd-20-remove-rescan.sh"

SECS=15
USERS=3

# wq_field WQ FIELD: a counter of the WQ's line in the driver's stats
wq_field() {
	sed -n "s/^wq$1 .* $2=\([0-9]*\).*/\1/p" "$IDXD_DBG/stats"
}

# field NAME TEXT: the value of NAME=N in TEXT
field() { echo "$2" | sed -n "s/.* $1=\([0-9]*\).*/\1/p"; }

idxd_case_deep
idxd_setup
stress_trap
for w in 0 1; do
	eval "s0_$w=$(wq_field $w submitted) i0_$w=$(wq_field $w irqs) e0_$w=$(wq_field $w errors)"
done
kstress_start $((SECS * 1000))
k=0
pids=
while [ "$k" -lt "$USERS" ]; do
	k=$((k + 1))
	idxd_ref_user stress "$SECS" 6 >"/tmp/stress.$k.out" 2>&1 &
	pids="$pids $!"
	BG_PIDS=$pids
done
idxd_selftest 8
k=0
usub=0
uirq=0
for p in $pids; do
	k=$((k + 1))
	wait "$p" || { sed 's/^/# /' "/tmp/stress.$k.out"; fail "process $k: $(tail -n 1 "/tmp/stress.$k.out")"; }
	sed -e 's/^# //' -e 's/^/# /' "/tmp/stress.$k.out"
	t=$(grep '^# totals' "/tmp/stress.$k.out")
	usub=$((usub + $(field submitted "$t")))
	uirq=$((uirq + $(field irqs "$t")))
done
BG_PIDS=
kstress_wait 30
diag "kernel stress thread: $KRES"
case "$KRES" in ok*) ;; *) fail "kernel stress thread: $KRES" ;; esac
ksub=$(field submits "$KRES")
kirq=$(field irqs "$KRES")
expect_eq "$(field expected "$KRES")" "$kirq" "kernel thread: interrupts owed"
sed 's/^/# /' "$IDXD_DBG/stats"

expect_ge "$usub" 1 "descriptors the processes submitted"
expect_ge "$ksub" 1 "descriptors the kernel thread submitted"
expect_eq "$(($(wq_field 1 submitted) - s0_1))" "$usub" "user WQ: submitted vs processes"
expect_eq "$(($(wq_field 1 irqs) - i0_1))" "$uirq" "user WQ: interrupts vs processes"
expect_eq "$(($(wq_field 0 submitted) - s0_0))" "$((ksub + 8))" "kernel WQ: submitted vs thread + self-test"
expect_eq "$(($(wq_field 0 irqs) - i0_0))" "$((kirq + 8))" "kernel WQ: interrupts vs thread + self-test"
for w in 0 1; do
	expect_eq "$(wq_field $w completed)" "$(wq_field $w submitted)" "wq$w completed"
	expect_eq "$(wq_field $w errors)" "$(eval echo "\$e0_$w")" "wq$w errors"
	expect_eq "$(wq_field $w pending)" 0 "wq$w pending"
done
expect_eq "$(sed -n 's/.* ims_used=\([0-9]*\).*/\1/p' "$IDXD_DBG/stats")" 1 "IMS entries in use"
expect_eq "$(grep -c 'idxd_ref0-' /proc/interrupts)" 2 "idxd_ref interrupt lines"
echo "PASS: $USERS processes + kernel thread for $SECS s: $usub + $ksub + 8 descriptors, $uirq + $kirq + 8 interrupts, all reconciled"
