# shellcheck shell=sh disable=SC2034 # variables are for the cases
# Helpers for guest test cases (busybox sh). Source it first in a case:
#
#	. "${IMS_LIB:-/ims/lib.sh}"
#
# Case conventions (the runner, tests/guest/init, relies on them):
#   - a case is a sh script in tests/guest/cases/, run in sorted order in its
#     own shell with cwd /tmp; its name is the file name without ".sh"
#   - exit 0 = pass, exit 77 = skip (the last line of output is the reason),
#     anything else = fail (the last line of output is shown as the reason)
#   - print diagnostics as lines starting with "# " (other output lines get
#     the prefix added by the runner)
#   - a "# timeout: SECONDS" line in the case overrides the default per-case
#     timeout (CASE_TIMEOUT, 120 s)
#   - a new kernel splat (WARNING:, BUG:, ...) in dmesg during the case
#     fails it; never write such words to /dev/kmsg on purpose
#   - leave the machine as you found it (unload what you loaded)
#   - fail/skip exit the current shell: inside $(...) they only end the
#     command substitution, so call them from the case's main shell
#
# Lane facts from /etc/ims-lane: LANE (e.g. 6.12/intel-ir), KLINE (6.1 or
# 6.12, 6.1-rt, 6.12-debug, 7.2, 6.12-arm64, ...), IMS_ARCH (x86 or arm64,
# see arch_is), IOMMU (the unit that translates interrupt messages: intel,
# amd, its on arm64 (the GICv3 ITS, no IOMMU) or none), APIC (xapic or x2apic: the
# remapping mode; none on arm64), SMP (vCPUs), QEMU_VERSION (of the
# emulator: what it models differs), KVER (uname -r),
# TESTS, SOAK (the soak cases this lane runs: "all" or a comma-separated
# list), DRIVER_DEEP (which deeper idxd_ref cases: all, teardown or none),
# TIMEOUT_SCALE (factor on timeouts: slow debug kernels).

[ -n "${LANE:-}" ] || . /etc/ims-lane
# x86 unless the lane file says otherwise (run-lane.sh writes IMS_ARCH).
: "${IMS_ARCH:=x86}"

# Test card: edu at 00:14.0, ivshmem-plain (BAR2 = memory) at 00:14.1.
EDU_BDF=0000:00:14.0
IVSHMEM_BDF=0000:00:14.1
EXTRA_DIR=/lib/modules/$KVER/extra
DKMS_DIR=/lib/modules/$KVER/updates/dkms

diag() { echo "# $*"; }
fail() { echo "# FAIL: $*"; exit 1; }
skip() { echo "# $*"; exit 77; }

# expect_eq ACTUAL EXPECTED [WHAT]: fail unless equal.
expect_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: got '$1', expected '$2'"
}

# expect_ne ACTUAL UNEXPECTED [WHAT]: fail if equal.
expect_ne() {
	[ "$1" != "$2" ] || fail "${3:-value}: got '$1', expected anything else"
}

# expect_ge ACTUAL MIN [WHAT]: fail unless ACTUAL >= MIN (integers).
expect_ge() {
	[ "$1" -ge "$2" ] 2>/dev/null || fail "${3:-value}: got '$1', expected >= $2"
}

# run CMD...: run a command, fail the case (with its output) if it fails.
run() {
	_out=$("$@" 2>&1) || { [ -n "$_out" ] && echo "$_out" | sed 's/^/# /'; fail "command failed: $*"; }
	[ -n "$_out" ] && echo "$_out" | sed 's/^/# /'
	return 0
}

# soak_case: a long soak case runs on the lane SOAK_PLAN gives it (see
# scripts/common.sh), or everywhere with SOAK=all.
soak_case() {
	case ",${SOAK-all}," in
	,all, | *",$(basename "$0" .sh),"*) ;;
	*) skip "soak case: runs on one lane of SOAK_PLAN, not on $LANE" ;;
	esac
}

# idxd_case_deep [teardown]: a deeper case of the reference driver's own
# logic runs where DRIVER_DEEP is all (see lane_driver_deep in
# scripts/common.sh); one that tears a device down under the driver
# ("teardown") also where it is teardown (the debug kernel).
idxd_case_deep() {
	case "${DRIVER_DEEP:-all}/${1:-}" in
	all/* | teardown/teardown) ;;
	*) skip "deeper idxd_ref case: not on $LANE (DRIVER_DEEP=$DRIVER_DEEP, see lane_driver_deep)" ;;
	esac
}

# arch_is ARCH: true on a lane of that kernel architecture, x86 or arm64
# (lanes */its: qemu-system-aarch64 virt, GICv3 with an ITS as the MSI
# parent, no IOMMU, IOMMU=none and APIC=none). An x86-only case (remapping
# units, APIC modes, the vector domain) starts with
#	arch_is x86 || skip "x86 only: <why>"
arch_is() { [ "$IMS_ARCH" = "$1" ]; }

# True if the lane's MSIs go through a unit that translates them, which IMS
# requires: Intel or AMD interrupt remapping, or the arm64 GICv3 ITS. Parts
# about x86 remapping itself check "$IOMMU" (or arch_is x86) on top.
lane_has_ir() { [ "$IOMMU" = intel ] || [ "$IOMMU" = amd ] || [ "$IOMMU" = its ]; }

# msi_addr_ok ADDR: true if a message address targets the platform's MSI
# doorbell: the local APIC window on x86; on arm64 the ITS's
# GITS_TRANSLATER, 0x10040 past its base (named in the device tree).
msi_addr_ok() {
	if arch_is x86; then
		[ $(($1 >> 20)) -eq $((0xfee)) ]
		return
	fi
	_its=$(ls -d /proc/device-tree/intc@*/its@* 2>/dev/null | head -n 1)
	[ -n "$_its" ] && [ $(($1)) -eq $((0x${_its##*@} + 0x10040)) ]
}

# True if kernel log has a line matching the extended regexp.
dmesg_has() { dmesg | grep -qE "$1"; }

# module_loaded NAME: true if NAME is in /proc/modules.
module_loaded() { grep -q "^$1 " /proc/modules; }

# require_module NAME: load NAME (and its dependencies) with modprobe; fail
# the case if it cannot be loaded.
require_module() {
	module_loaded "$1" && return 0
	_out=$(modprobe "$1" 2>&1) || { echo "$_out" | sed 's/^/# /'; fail "cannot load module $1"; }
	module_loaded "$1" || fail "modprobe $1 succeeded but $1 is not in /proc/modules"
}

# require_file PATH: skip the case when PATH does not exist.
require_file() { [ -e "$1" ] || skip "$1 not present"; }

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds; returns 1
# on timeout.
wait_for() {
	_t=$(($1 * 10))
	shift
	while [ "$_t" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		_t=$((_t - 1))
	done
	return 1
}

# /proc/interrupts helpers. A line is " IRQ:  cnt0 cnt1 ...  chip ... name".

# ncpus_irq: number of CPU columns in /proc/interrupts.
ncpus_irq() { head -n 1 /proc/interrupts | wc -w; }

# irq_numbers NAME: Linux irq numbers whose /proc/interrupts line ends with
# the action name NAME (exact last word).
irq_numbers() {
	awk -v n="$1" 'NR > 1 && $NF == n { sub(":", "", $1); print $1 }' /proc/interrupts
}

# irq_count IRQ [CPU]: interrupts of Linux irq IRQ on CPU (0-based), or the
# sum over all CPUs; 0 if there is no such irq.
irq_count() {
	awk -v irq="$1:" -v cpu="${2:--1}" -v nc="$(ncpus_irq)" '
		$1 == irq { s = 0
			for (i = 0; i < nc; i++)
				if (cpu < 0 || cpu == i) s += $(i + 2)
			print s; found = 1 }
		END { if (!found) print 0 }' /proc/interrupts
}

# irq_count_name NAME [CPU]: like irq_count, summed over every irq whose
# action name is NAME.
irq_count_name() {
	_s=0
	for _i in $(irq_numbers "$1"); do
		_s=$((_s + $(irq_count "$_i" "${2:-}")))
	done
	echo "$_s"
}

# pci_bar_size BDF BAR: size in bytes of a PCI BAR (0 if unused), from the
# device's sysfs "resource" file (lines "start end flags", hex).
pci_bar_size() {
	_l=$(sed -n "$(($2 + 1))p" "/sys/bus/pci/devices/$1/resource")
	set -- $_l
	[ $# -ge 2 ] && [ "$(($2))" -gt "$(($1))" ] || { echo 0; return; }
	echo $(($2 - $1 + 1))
}
