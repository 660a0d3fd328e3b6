#!/bin/sh
# The test card is on the bus: edu (1234:11e8) at 00:14.0 and ivshmem-plain
# (1af4:1110) at 00:14.1, one multifunction slot; ivshmem's BAR2 (the device
# memory the IMS array/queue emulations use) is at least 1 MiB.
. "${IMS_LIB:-/ims/lib.sh}"

check_fn() {
	bdf=$1 vendor=$2 device=$3
	d=/sys/bus/pci/devices/$bdf
	[ -d "$d" ] || fail "no PCI device $bdf"
	expect_eq "$(cat "$d/vendor")" "$vendor" "$bdf vendor"
	expect_eq "$(cat "$d/device")" "$device" "$bdf device"
	diag "$bdf $(cat "$d/vendor"):$(cat "$d/device") class $(cat "$d/class")"
}

check_fn "$EDU_BDF" 0x1234 0x11e8
check_fn "$IVSHMEM_BDF" 0x1af4 0x1110

# Function 0 must announce the multifunction slot (header type bit 7).
hdr=$(dd if=/sys/bus/pci/devices/$EDU_BDF/config bs=1 skip=14 count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
[ -n "$hdr" ] || fail "cannot read the header type of $EDU_BDF"
[ $((hdr & 0x80)) -ne 0 ] || fail "$EDU_BDF header type $hdr: multifunction bit not set"

# Exactly two functions in slot 0x14.
n=$(ls -d /sys/bus/pci/devices/0000:00:14.* | wc -l)
expect_eq "$n" 2 "functions in slot 00:14"

bar0=$(pci_bar_size "$EDU_BDF" 0)
expect_ge "$bar0" 4096 "edu BAR0 size"
bar2=$(pci_bar_size "$IVSHMEM_BDF" 2)
expect_ge "$bar2" $((1024 * 1024)) "ivshmem BAR2 size"
diag "edu BAR0 $bar0 bytes, ivshmem BAR2 $bar2 bytes"

# edu must offer MSI (its own interrupt), capability id 0x05.
[ -f "/sys/bus/pci/devices/$EDU_BDF/msi_bus" ] || fail "$EDU_BDF has no msi_bus attribute"
