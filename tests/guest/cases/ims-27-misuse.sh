#!/bin/sh
# Driver bugs do not become use-after-free: ims_free_irq() on a slot that
# is still requested, and ims_destroy_domain() while one is, are refused
# with an error in the log; the slot keeps working (the device's interrupt
# is delivered), destroy frees the idle slots and keeps the domain, and
# once free_irq() has run a second destroy completes: no debugfs entry, no
# /proc/interrupts line left.
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup
mkdom array 4 misuse
alloc "$D" at 1
V1=$V
alloc "$D" at 2
ok request "$D" 1

n0=$(dmesg | grep -c "$DN: slot 1 (irq $V1) is still requested")
ok misuse "$D" 1 free
expect_eq "$(val virq)" "$V1" "slot 1 after ims_free_irq() while requested"
expect_eq "$(val used)" 2 "slots used after the refused free"
expect_eq "$(dmesg | grep -c "$DN: slot 1 (irq $V1) is still requested")" $((n0 + 1)) "log line of the refused free"
fire "$D" 1 1

ok misuse "$D" 1 destroy
expect_eq "$(val virq)" "$V1" "slot 1 after ims_destroy_domain() while requested"
expect_eq "$(val used)" 1 "slots used: the idle slot 2 freed, slot 1 kept"
dmesg_has "$DN: 1 interrupts still requested, domain kept" || fail "no log line of the refused destroy"
[ -d "$IMSDBG/$DN" ] || fail "debugfs of the kept domain is gone"
fire "$D" 1 1
expect_cnt "$D" 1 total 2
expect_eq "$(irq_count "$V1")" 2 "/proc/interrupts count of the kept slot"

n1=$(dmesg | grep -c "$DN: free of unknown")
ok destroy "$D"
expect_eq "$(dmesg | grep -c "$DN: free of unknown")" "$n1" "frees of unknown slots at the end (ims_test's view matches ims_core's)"
[ -d "$IMSDBG/$DN" ] && fail "debugfs of $DN left after the completed destroy"
expect_eq "$(awk -v i="$V1:" '$1 == i' /proc/interrupts)" "" "/proc/interrupts line after destroy"
echo "PASS: misuse refused, nothing freed under a requested interrupt, destroy completes afterwards"
