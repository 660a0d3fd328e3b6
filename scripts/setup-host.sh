#!/usr/bin/env bash
# Install every host prerequisite of the test bed on a Debian 12 machine.
# Idempotent: when everything is installed it only runs dpkg queries;
# 'apt-get update' runs only when something is missing. Noninteractive.
set -euo pipefail
. "$(dirname "$0")/common.sh"

[ "$(id -u)" -eq 0 ] || die "setup-host.sh must run as root (apt-get install)"

PKGS=(
	gcc make libc6-dev        # module and static test-program builds
	libpci-dev sparse         # user tools, 'make C=1' checks
	kmod cpio rsync           # depmod, initramfs, per-kernel build trees
	busybox-static            # guest user space
	qemu-system-x86           # the test machine (TCG)
	qemu-system-arm           # the arm64 lanes' machine (virt, GICv3 ITS)
	qemu-efi-aarch64          # its UEFI firmware, AAVMF (lane */its-acpi)
	gcc-aarch64-linux-gnu libc6-dev-arm64-cross    # arm64 cross builds
	dkms                      # DKMS packaging (installed without recommends)
	debootstrap               # build roots of newer suites (roots.sh)
	linux-headers-amd64 linux-headers-6.12-amd64   # the two kernel lines
	linux-source-6.1 linux-source-6.12             # checkpatch, reading
)
apt_ensure "${PKGS[@]}"
msg "host prerequisites installed"
