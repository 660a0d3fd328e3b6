#!/bin/sh
# Driver bugs do not become use-after-free: ims_free_irq() of an interrupt
# that is still requested is refused (-EBUSY, error in the log) and the
# interrupt keeps working. "Requested" means it has an action, also when it
# is not active: a managed interrupt requested with IRQF_NO_AUTOEN is not
# activated until enable_irq(), and one whose CPUs all went offline is shut
# down and deactivated until one comes back. Managed affinity is refused on
# the queue template (the core starts and stops managed interrupts at CPU
# hotplug without the bus lock, so the device could not be told).
# (ims_destroy_domain() with requested interrupts: ims-90-retire.)
# timeout: 180
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
need_cpus 2
it_setup
CPU1=/sys/devices/system/cpu/cpu1/online
mkdom array 8 misuse
A=$D AN=$DN
alloc "$D" at 1
V1=$V
alloc "$D" at 2
ok request "$D" 1

# refused_free IDX VIRQ: ims_free_irq() of the requested slot is refused
refused_free() {
	_n=$(dmesg | grep -c "$DN: slot $1 (irq $2) is still requested")
	ok misuse "$D" "$1" free
	expect_eq "$(val ret)" -16 "ims_free_irq() of requested slot $1"
	expect_eq "$(val virq)" "$2" "slot $1 after the refused free"
	expect_eq "$(dmesg | grep -c "$DN: slot $1 (irq $2) is still requested")" $((_n + 1)) "log line of the refused free of slot $1"
}

refused_free 1 "$V1"
ok stats "$D"
expect_eq "$(val used)" 2 "slots used after the refused free"
fire "$D" 1 1

# managed affinity, IRQF_NO_AUTOEN: requested but not activated
alloc "$D" at 3 managed 1
V3=$V
ok request "$D" 3 noautoen
refused_free 3 "$V3"
ok unmask "$D" 3
fire "$D" 3 1
expect_eq "$(cnt "$D" 3 last_cpu)" 1 "managed slot 3: CPU of the delivery"

# managed affinity on CPU1, CPU1 offline: shut down and deactivated
alloc "$D" at 4 managed 1
V4=$V
ok request "$D" 4
fire "$D" 4 1
echo 0 >"$CPU1" || fail "cannot offline CPU1"
trap 'echo 1 >"$CPU1" 2>/dev/null; it_teardown' EXIT
refused_free 4 "$V4"
ok fire "$D" 4 1
expect_eq "$(val delivered)" 0 "managed slot 4 while its CPU is offline"
echo 1 >"$CPU1" || fail "cannot online CPU1"
fire "$D" 4 1
expect_cnt "$D" 4 total 2
expect_eq "$(cnt "$D" 4 last_cpu)" 1 "managed slot 4: CPU after onlining"
expect_eq "$(irq_count "$V4")" 2 "/proc/interrupts count of slot 4"

# the queue template refuses managed affinity
mkdom queue 4 misuseq
err -22 alloc "$D" any managed 1
ok stats "$D"
expect_eq "$(val used)" 0 "queue slots after a refused managed allocation"
alloc "$D" any cpu 1
ok destroy "$D"
D=$A DN=$AN

n1=$(dmesg | grep -c "free of unknown")
ok destroy "$D"
expect_eq "$(dmesg | grep -c "free of unknown")" "$n1" "frees of unknown slots at the end (ims_test's view matches ims_core's)"
for v in $V1 $V3 $V4; do
	expect_eq "$(awk -v i="$v:" '$1 == i' /proc/interrupts)" "" "/proc/interrupts line of irq $v after destroy"
done
echo "PASS: frees of requested interrupts refused, also inactive managed ones; nothing freed under a requested interrupt"
