#!/bin/sh
# The interrupt-remapping state matches the lane: Intel VT-d IR, AMD-Vi IR
# or no remapping at all (and then neither message may be there).
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
	dmesg_has 'DMAR-IR: Enabled IRQ remapping in xapic mode' ||
		fail "Intel IR is not in xapic mode (the only mode QEMU TCG offers)"
	;;
amd)
	expect_eq "$amd" 1 "AMD IR enabled"
	expect_eq "$intel" 0 "Intel IR enabled"
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

