#!/bin/sh
# The interrupt-remapping state matches the lane: Intel VT-d IR, AMD-Vi IR,
# the arm64 GICv3 ITS, or no remapping at all (and then neither message
# may be there), in the lane's APIC mode (x2apic lanes: remapping in
# x2apic mode, x2apic on).
. "${IMS_LIB:-/ims/lib.sh}"

INTEL_RE='DMAR-IR: Enabled IRQ remapping in (x2apic|xapic) mode'
AMD_RE='AMD-Vi: Interrupt remapping enabled'

intel=0 amd=0
dmesg_has "$INTEL_RE" && intel=1
dmesg_has "$AMD_RE" && amd=1
dmesg | grep -E 'DMAR-IR|AMD-Vi|IRQ remapping|x2apic' | sed 's/^/# /'

case "$IOMMU" in
intel)
	expect_eq "$intel" 1 "Intel IR enabled"
	expect_eq "$amd" 0 "AMD IR enabled"
	dmesg_has "DMAR-IR: Enabled IRQ remapping in $APIC mode" ||
		fail "Intel IR is not in $APIC mode"
	;;
amd)
	expect_eq "$amd" 1 "AMD IR enabled"
	expect_eq "$intel" 0 "Intel IR enabled"
	;;
its)
	expect_eq "$intel$amd" 00 "x86 interrupt remapping enabled"
	dmesg_has 'ITS@0x[0-9a-f]+: allocated [0-9]+ Devices' || fail "no GICv3 ITS probed"
	;;
none)
	expect_eq "$intel" 0 "Intel IR enabled"
	expect_eq "$amd" 0 "AMD IR enabled"
	! dmesg_has 'DMAR: IOMMU enabled|AMD-Vi: Found IOMMU' || fail "an IOMMU was found on a no-IOMMU lane"
	;;
*)
	fail "unknown IOMMU '$IOMMU' in /etc/ims-lane"
	;;
esac

# x2apic lanes: the APIC runs in x2apic mode and every vCPU came up.
x2apic=0
dmesg_has 'x2apic enabled|Switched APIC routing to.*x2apic|APIC: Switched APIC routing to: (cluster|physical) x2apic' && x2apic=1
if [ "$APIC" = x2apic ]; then
	expect_eq "$x2apic" 1 "x2apic enabled"
	[ "$IOMMU" != amd ] || dmesg_has 'AMD-Vi: X2APIC enabled' ||
		fail "AMD-Vi does not report x2apic support (xtsup)"
else
	expect_eq "$x2apic" 0 "x2apic enabled"
fi
expect_eq "$(grep -c '^processor' /proc/cpuinfo)" "${SMP:-2}" "online vCPUs"
