#!/bin/sh
# Removal of the card's memory function (ivshmem, 00:14.1) under load:
# two processes hold 8 handles each with work queued and the kernel stress
# thread runs when 00:14.1 is removed through sysfs. idxd_ref detaches
# from 00:14.0 before the PCI core releases 00:14.1's BARs: the processes
# see ENODEV with exact counts, no interrupt, irq descriptor or IMS domain
# is left, no BAR stays owned or mapped ("Trying to free nonexistent
# resource" would show it), and edu itself stays. After a rescan brings
# 00:14.1 back, binding the driver again works.
# timeout: 90
# shellcheck disable=SC1090
IDXD_STRESS_LIB=1 . "$(dirname "$0")/idxd-20-remove-rescan.sh"

idxd_setup
stress_trap
n0=$(stress_irq_descs)
kstress_start 30000
stress_holders 2 12 8
wait_for 10 stress_firing || fail "no completion interrupt before the removal"
echo 1 >"$PCI_DEVS/$IVSHMEM_BDF/remove" || fail "remove $IVSHMEM_BDF failed"
[ -e "$PCI_DEVS/$IVSHMEM_BDF" ] && fail "$IVSHMEM_BDF still present after remove"
[ -e "$PCI_DEVS/$EDU_BDF" ] || fail "$EDU_BDF went away with $IVSHMEM_BDF"
idxd_bound && fail "idxd_ref still bound to $EDU_BDF without its memory function"
stress_holders_done "after removal of $IVSHMEM_BDF"
for k in 1 2; do grep -E '^PASS' "/tmp/hold.$k.out" | sed 's/^/# /'; done
idxd_gone "after removal of $IVSHMEM_BDF"
n1=$(stress_irq_descs)
diag "irq descriptors: $n0 bound, $n1 after removal"
[ "$n1" -le $((n0 - 2)) ] || fail "irq descriptors after removal: $n1, expected at most $((n0 - 2))"
grep -q idxd_ref /proc/iomem && fail "idxd_ref still owns memory: $(grep idxd_ref /proc/iomem)"

echo 1 >/sys/bus/pci/rescan || fail "rescan failed"
[ -e "$PCI_DEVS/$IVSHMEM_BDF" ] || fail "$IVSHMEM_BDF not back after rescan"
echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "bind after rescan failed"
wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after bind"
expect_eq "$(stress_irq_descs)" "$n0" "irq descriptors after bind"
dmesg_has "Trying to free nonexistent resource" && fail "a BAR was released twice"
idxd_selftest 2
idxd_user basic 8 4
echo "PASS: removal of the memory function under load: driver detached first, ENODEV, nothing left; rebind after rescan works"
