#!/bin/sh
# Which irq descriptors binding idxd_ref creates, exactly: its misc MSI
# (idxd_ref0-misc), its kernel WQ's IMS interrupt (idxd_ref0-wq0), and the
# INTx mapping pci_enable_device() makes for the functions' interrupt pin
# (an IO-APIC descriptor without action; the driver reports the irq in
# debugfs as "intx fn0_irq=.. fn1_irq=.."), and the spares of its IMS
# domain (IMS_DOMAIN_SPARES: the rest of wq0's remapping block under VT-d;
# none elsewhere), nothing else. Unbind removes exactly those: the set of
# descriptors is the same as before the bind.
# timeout: 60
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

descs() { ls /sys/kernel/irq | sort -n; }

idxd_case_deep
idxd_setup
echo "$EDU_BDF" >"$IDXD_DRV/unbind" || fail "unbind failed"
descs >/tmp/descs.0
echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "bind failed"
idxd_bound || fail "not bound after bind"
descs >/tmp/descs.1
new=$(grep -vxF -f /tmp/descs.0 /tmp/descs.1 | tr '\n' ' ')
for i in $new; do
	diag "new irq $i: chip $(cat /sys/kernel/irq/$i/chip_name) hwirq $(cat /sys/kernel/irq/$i/hwirq) actions '$(cat /sys/kernel/irq/$i/actions)'"
done
grep -vxF -f /tmp/descs.1 /tmp/descs.0 | sed 's/^/# gone at bind: /'

intx=$(sed -n 's/^intx fn0_irq=\([0-9]*\) fn1_irq=\([0-9]*\)$/\1 \2/p' "$IDXD_DBG/stats")
[ -n "$intx" ] || fail "idxd_ref does not report its functions' INTx irqs; new descriptors: $new"
diag "INTx irqs of 00:14.0, 00:14.1: $intx"
misc=$(irq_numbers idxd_ref0-misc)
wq0=$(irq_numbers idxd_ref0-wq0)
want="$misc $wq0"
for i in $intx; do
	[ "$i" -gt 0 ] || continue
	grep -qx "$i" /tmp/descs.0 && continue
	want="$want $i"
	expect_eq "$(cat /sys/kernel/irq/$i/actions)" "" "actions of INTx irq $i"
	cat /sys/kernel/irq/$i/chip_name | grep -q 'IO-APIC' ||
		fail "INTx irq $i is not an IO-APIC pin: $(cat /sys/kernel/irq/$i/chip_name)"
done
# the spares: IMS irqs of the domain, without action, as many as it says
dom=IMS-ARRAY-$EDU_BDF-array
nspare=$(cat "/sys/class/ims/$dom/spare") || fail "no sysfs view of $dom"
case "$IOMMU" in
intel) expect_eq "$nspare" 31 "spares of $dom (wq0's block of 32)" ;;
*) expect_eq "$nspare" 0 "spares of $dom (no remapping blocks)" ;;
esac
spares=
for i in $new; do
	[ "$(cat /sys/kernel/irq/$i/chip_name)" = "$dom" ] || continue
	[ "$i" = "$wq0" ] && continue
	expect_eq "$(cat /sys/kernel/irq/$i/actions)" "" "actions of spare irq $i"
	spares="$spares $i"
done
expect_eq "$(echo $spares | wc -w)" "$nspare" "spare irq descriptors of $dom"
want="$want $spares"
want=$(echo $want | tr ' ' '\n' | sort -un | tr '\n' ' ')
new=$(echo $new | tr ' ' '\n' | sort -un | tr '\n' ' ')
expect_eq "$new" "$want" "irq descriptors created by the bind (misc, wq0, INTx, spares)"

echo "$EDU_BDF" >"$IDXD_DRV/unbind" || fail "unbind failed"
descs >/tmp/descs.2
expect_eq "$(cat /tmp/descs.2 | tr '\n' ' ')" "$(cat /tmp/descs.0 | tr '\n' ' ')" "irq descriptors after unbind"
echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "bind failed"
idxd_bound || fail "not bound after the second bind"
echo "PASS: bind creates exactly $(echo $new | wc -w) irq descriptors (misc MSI, IMS, INTx of the slot, $nspare spares), unbind removes exactly those"
