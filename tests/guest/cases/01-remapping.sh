#!/bin/sh
# The interrupt-remapping state matches the lane: Intel VT-d IR, AMD-Vi IR,
# the arm64 GICv3 ITS, or no remapping at all (and then neither message
# may be there), in the lane's APIC mode (x2apic lanes: remapping in
# x2apic mode, x2apic on), on the lane's platform (FIRMWARE, SMMU).
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

# The platform the lane booted matches FIRMWARE and SMMU: the kernel took
# the device tree or ACPI tables (x86: ACPI), and on arm64 the firmware
# describes the ITS and how requester ids become DeviceIDs (device tree:
# msi-map of the PCI host; ACPI: the IORT), and an SMMUv3 probed, in
# translated mode, exactly when the lane has one.
case "$FIRMWARE" in
acpi)
	[ -e /sys/firmware/acpi/tables/DSDT ] || fail "FIRMWARE=acpi but the kernel has no ACPI tables"
	[ ! -e /proc/device-tree ] || fail "FIRMWARE=acpi but the kernel unflattened a device tree"
	;;
dt)
	[ -d /proc/device-tree ] || fail "FIRMWARE=dt but the kernel has no device tree"
	[ ! -e /sys/firmware/acpi/tables ] || fail "FIRMWARE=dt but the kernel took ACPI tables"
	;;
*)
	fail "unknown FIRMWARE '$FIRMWARE' in /etc/ims-lane"
	;;
esac
if arch_is arm64; then
	its=$(its_base) || fail "the firmware ($FIRMWARE) describes no GICv3 ITS"
	dmesg_has "ITS@0x0*${its#0x}: allocated" || fail "the firmware's ITS at $its did not probe"
	if firmware_is acpi; then
		[ -e /sys/firmware/acpi/tables/IORT ] || fail "no IORT: nothing maps requester ids to DeviceIDs"
		diag "ACPI: ITS at $its (MADT), DeviceIDs from the IORT"
	else
		ls /proc/device-tree/pcie@*/msi-map >/dev/null 2>&1 ||
			fail "the device tree's PCI host has no msi-map (requester id to DeviceID)"
		diag "device tree: ITS at $its, DeviceIDs from the PCI host's msi-map"
	fi
	probed=0
	dmesg_has 'arm-smmu-v3 .*: ias [0-9]+-bit, oas [0-9]+-bit' && probed=1
	dmesg | grep -E 'arm-smmu-v3|iommu: Default domain|iommu: DMA domain' | sed 's/^/# /'
	expect_eq "$probed" "$SMMU" "SMMUv3 probed"
	if lane_has_smmu; then
		dmesg_has 'iommu: Default domain type: Translated' ||
			fail "the SMMU's default domains do not translate (iommu.passthrough?)"
		if firmware_is dt; then
			ls /proc/device-tree/pcie@*/iommu-map >/dev/null 2>&1 ||
				fail "the device tree's PCI host has no iommu-map (requester id to stream id)"
		fi
	fi
fi

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
