#!/bin/sh
# ims_destroy_domain() while an interrupt is still requested (a driver bug,
# here: destroy before free_irq()) costs a reported leak, never a use after
# free. ims_core frees the idle slots and retires the domain: error in the
# log, gone from the driver's view (its debugfs directory; its name is free
# for a new domain at once), listed in /sys/kernel/debug/ims/retired, the
# requested interrupt still delivered until free_irq(). The retired domain
# keeps its references: to the device, which survives a PCI remove (the
# retired list still reads it) and rescan (the driver probes again and
# reuses the name), and to ims_core, which can no longer be unloaded. Every
# domain holds ims_core: its refcount grows by one per domain.
# ims_core stays pinned for the rest of the boot: this is the last case
# that needs to unload it.
# timeout: 180
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
refcnt() { cat /sys/module/ims_core/refcnt; }
it_setup
r0=$(refcnt)
mkdom array 4 retire
RD=$D RDN=$DN
expect_eq "$(refcnt)" $((r0 + 1)) "ims_core refcount with one domain"
alloc "$RD" at 0
V0=$V
alloc "$RD" at 1
ok request "$RD" 0
fire "$RD" 0 1

n=$(dmesg | grep -c "$RDN: destroyed with 1 interrupts it could not free")
ok misuse "$RD" 0 destroy
# from here on ims_core stays: the teardown must not try to unload it
IT_CORE_WAS=1
expect_eq "$(val kept)" 1 "slots the driver still holds after the refused destroy"
expect_eq "$(dmesg | grep -c "$RDN: destroyed with 1 interrupts it could not free")" $((n + 1)) "log line of the retired domain"
[ -d "$IMSDBG/$RDN" ] && fail "debugfs directory of the retired domain is still there"
[ -e "/sys/class/ims/$RDN" ] && fail "sysfs directory of the retired domain is still there"
grep -q "^$RDN $EDU_BDF used=1 held=0$" "$IMSDBG/retired" || fail "retired list: $(cat "$IMSDBG/retired")"
err -116 alloc "$RD" any
fire "$RD" 0 1
expect_cnt "$RD" 0 total 2
expect_eq "$(irq_count "$V0")" 2 "/proc/interrupts count of the retired domain's interrupt"

# the name is free again, and the new domain works beside the retired one
mkdom array 4 retire
alloc "$D" at 0
ok request "$D" 0
fire "$D" 0 1
expect_eq "$(refcnt)" $((r0 + 2)) "ims_core refcount: the new domain and the retired one"
ok destroy "$D"
expect_eq "$(refcnt)" $((r0 + 1)) "ims_core refcount: the retired domain holds it"

# the driver's free_irq(), late: the action goes (the leaked descriptor
# keeps its counts in /proc/interrupts)
ok release "$RD" 0
expect_eq "$(irq_numbers "ims_test-$RD-0")" "" "/proc/interrupts action of the retired slot after the late free_irq()"

# the device goes away and comes back: the retired domain keeps it alive
echo 1 >"/sys/bus/pci/devices/$EDU_BDF/remove" || fail "PCI remove of $EDU_BDF failed"
[ -e "/sys/bus/pci/devices/$EDU_BDF" ] && fail "$EDU_BDF still there after remove"
cat "$IMSDBG/$RDN/info" >/dev/null 2>&1 && fail "debugfs info of the retired domain readable after the device went away"
grep -q "^$RDN $EDU_BDF used=1 held=0$" "$IMSDBG/retired" || fail "retired list after remove: $(cat "$IMSDBG/retired")"
echo 1 >/sys/bus/pci/rescan
wait_for 10 test -e "$T/cmd" || fail "ims_test did not probe $EDU_BDF again after rescan"
mkdom array 4 retire
ok destroy "$D"

# ims_core is pinned by the retired domain, and says so
run rmmod ims_test
expect_eq "$(refcnt)" "$r0" "ims_core refcount with ims_test gone and the retired domain"
rmmod ims_core 2>/dev/null && fail "ims_core unloaded while a retired domain points to it"
module_loaded ims_core || fail "ims_core gone"
echo "PASS: destroy with a requested interrupt retires the domain: leaked and reported, no use after free, name reusable, ims_core pinned"
