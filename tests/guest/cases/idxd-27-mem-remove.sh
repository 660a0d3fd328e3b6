#!/bin/sh
# PCI removal of the card's memory function (ivshmem, 00:14.1) while
# idxd_ref is bound to 00:14.0 and two processes hold handles with work
# queued: the driver lets go of the device at once (no device node, no
# interrupt, the processes get ENODEV with exact counts) and of the
# function's region before the PCI core frees its BAR. After a rescan and
# an unbind of 00:14.0 the kernel has not logged "Trying to free
# nonexistent resource" (the region the driver requested in the removed
# BAR); binding again works.
# timeout: 120
# shellcheck disable=SC1090
IDXD_STRESS_LIB=1 . "$(dirname "$0")/idxd-20-remove-rescan.sh"

LEAK='Trying to free nonexistent resource'

idxd_case_deep teardown
idxd_setup
stress_trap
leak0=$(dmesg | grep -c "$LEAK")
stress_holders 2 6 4
wait_for 10 stress_firing || fail "no completion interrupt before the removal"

echo 1 >"$PCI_DEVS/$IVSHMEM_BDF/remove" || fail "remove $IVSHMEM_BDF failed"
[ -e "$PCI_DEVS/$IVSHMEM_BDF" ] && fail "$IVSHMEM_BDF still present after remove"
node_left=0
[ -e "$IDXD_DEV" ] && node_left=1
irqs_left=$(idxd_irqs | wc -l)
dmesg | grep 'idxd_ref' | tail -n 2 | sed 's/^/# /'

echo 1 >/sys/bus/pci/rescan || fail "rescan failed"
wait_for 5 test -e "$PCI_DEVS/$IVSHMEM_BDF" || fail "$IVSHMEM_BDF not back after rescan"
if idxd_bound; then
	echo "$EDU_BDF" >"$IDXD_DRV/unbind" || fail "unbind failed"
fi
dmesg | grep "$LEAK" | sed 's/^/# /'
expect_eq "$(dmesg | grep -c "$LEAK")" "$leak0" "'$LEAK' lines in dmesg"

stress_holders_done "after the removal of $IVSHMEM_BDF"
for k in 1 2; do grep -E '^PASS' "/tmp/hold.$k.out" | sed 's/^/# /'; done
expect_eq "$node_left" 0 "$IDXD_DEV present after the removal of $IVSHMEM_BDF"
expect_eq "$irqs_left" 0 "idxd_ref interrupts after the removal of $IVSHMEM_BDF"
idxd_gone "after unbind"

echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "bind failed"
idxd_bound || fail "not bound after bind"
wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after bind"
idxd_selftest 2
idxd_user basic 4 2
echo "PASS: memory function removed under load: device detached at once, no region leaked, re-bind works"
