# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the sourcing scripts
# Shared settings and helpers for the test-bed scripts. Sourced, not run.
#
# Environment knobs (all optional):
#   IMS_SRC    module source tree to build (default: this repository)
#   IMS_CACHE  cache for downloaded kernel images (default: /var/cache/ims-testbed)
#   IMS_BUILD  per-kernel build trees, build/<kver>/ (default: <repo>/build)

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
IMS_SRC=$(cd "${IMS_SRC:-$REPO}" && pwd)
IMS_CACHE=${IMS_CACHE:-/var/cache/ims-testbed}
IMS_BUILD=${IMS_BUILD:-$REPO/build}
export DEBIAN_FRONTEND=noninteractive

# Kernel lines of the matrix, picked by their metapackages: Debian 12's two
# stock lines and the PREEMPT_RT flavour of 6.1 (raw vs sleeping locks),
# Debian 13's 6.12, sid's 7.x and experimental's newest 7.x.
KLINES="6.1 6.12 6.1-rt 6.12-trixie 7.2 7.3"
declare -A IMAGE_META=([6.1]=linux-image-amd64 [6.12]=linux-image-6.12-amd64
	[6.1-rt]=linux-image-rt-amd64 [6.12-trixie]=linux-image-amd64
	[7.2]=linux-image-amd64 [7.3]=linux-image-amd64)
declare -A HEADERS_META=([6.1]=linux-headers-amd64 [6.12]=linux-headers-6.12-amd64
	[6.1-rt]=linux-headers-rt-amd64 [6.12-trixie]=linux-headers-amd64
	[7.2]=linux-headers-amd64 [7.3]=linux-headers-amd64)
# arm64 lines: Debian 12's two stock lines for arm64 (GICv3 ITS as the MSI
# parent), the same choice of metapackages as amd64, part of KLINES. Their
# packages come from a private apt configuration (arm64_apt below), their
# headers are unpacked into the cache (never installed) and the modules are
# cross-built (ARM64_MAKE); host/dkms cross-builds the package for them
# (dkms.sh).
ARM64_KLINES="6.1-arm64 6.12-arm64"
KLINES+=" $ARM64_KLINES"
IMAGE_META+=([6.1-arm64]=linux-image-arm64 [6.12-arm64]=linux-image-6.12-arm64)
HEADERS_META+=([6.1-arm64]=linux-headers-arm64 [6.12-arm64]=linux-headers-6.12-arm64)
# Lines of other suites: their headers want that suite's compiler and kbuild,
# so they are fetched into, and built in, a Debian root of the suite
# (roots.sh; sid's root also serves experimental). KLINE_RELEASE is the apt
# release whose metapackage picks the kernel.
declare -A KLINE_ROOT=([6.12-trixie]=trixie [7.2]=sid [7.3]=sid)
declare -A KLINE_RELEASE=([6.12-trixie]=trixie [7.2]=sid [7.3]=experimental)
# Built here: Debian's linux-source-6.12 with KASAN, lockdep, kmemleak and
# irq debugfs (scripts/debug-kernel.sh, cached in $IMS_CACHE).
BUILT_KLINES="6.12-debug"

# is_built_kline LINE: true for a line built here rather than fetched.
is_built_kline() { [[ " $BUILT_KLINES " == *" $1 "* ]]; }

# Test lanes: kernel line / interrupt-remapping flavour. 'make check' runs
# CHECK_DEBUG_LANES (of the debug kernel's DEBUG_LANES) and ALL_LANES;
# 'make check-debug' all of DEBUG_LANES. The *-x2apic flavours remap in
# x2apic mode on 4 vCPUs with the QEMU of the trixie root (Debian 12's QEMU
# cannot, see run-lane.sh).
ALL_LANES="6.1/intel-ir 6.12/intel-ir 6.1/amd-ir 6.12/amd-ir 6.1/no-ir 6.12/no-ir
	6.1-rt/intel-ir 6.12-trixie/intel-ir 7.2/intel-ir 7.2/amd-ir 7.2/no-ir
	7.3/intel-ir 6.12/intel-x2apic 7.2/intel-x2apic 7.2/amd-x2apic"
ALL_LANES=$(echo $ALL_LANES)
DEBUG_LANES="6.12-debug/intel-ir 6.12-debug/amd-ir"
# arm64 lanes (qemu-system-aarch64 virt, GICv3 with an ITS), the last of
# ALL_LANES, about 3 minutes each. Each covers another arm64 platform
# (run-lane.sh): its-acpi boots UEFI (AAVMF) and ACPI, DeviceIDs from the
# IORT, no IOMMU; its-smmuv3 boots the device tree with an SMMUv3 that
# translates the card's DMA and messages (IOVA doorbell).
ARM64_LANES="6.1-arm64/its-acpi 6.12-arm64/its-smmuv3"
ALL_LANES+=" $ARM64_LANES"
# make check runs the debug kernel on VT-d only: each debug lane takes half
# an hour on this project's 2-core machines, the two together would not fit
# CI's 90 minutes. ims_core's AMD-Vi specifics (parent detection, no remap
# blocks) run under KASAN and lockdep in 'make check-debug'.
CHECK_DEBUG_LANES="6.12-debug/intel-ir"

# Long soak cases run once per make check, each on one lane (SOAK_PLAN:
# lane=case,case): bind/unbind and modprobe cycles on Debian 12's stock
# 6.12 and the newest 7.x, the syscall fuzzers on 6.1 under PREEMPT_RT
# (sleeping locks: the harshest 6.1 build). Not on the debug kernel: there
# they take 12 minutes (KASAN) on this project's 2-core machines. The other
# lanes skip them; IMS_SOAK=all runs them on every lane.
SOAK_PLAN="6.12/intel-ir=idxd-22-modprobe-cycles
	7.3/intel-ir=idxd-21-bind-cycles
	6.1-rt/intel-ir=idxd-30-fuzz,idxd-31-trinity"
SOAK_PLAN=$(echo $SOAK_PLAN)

# lane_soak_cases LANE: the soak cases LANE runs ("all", or a
# comma-separated list, maybe empty).
lane_soak_cases() {
	local entry
	[ "${IMS_SOAK:-}" = all ] && { echo all; return; }
	for entry in $SOAK_PLAN; do
		[ "${entry%%=*}" = "$1" ] && { echo "${entry#*=}"; return; }
	done
	echo ""
}

# The reference driver's deeper cases (idxd_case_deep in tests/guest/lib.sh:
# concurrency, dynamic handles, ABI, busy unbind, remove/rescan, stress,
# limits, stalls, function removal, irq descriptors) test idxd_ref's own
# logic, which is the same whatever remaps its interrupts and changes
# little between kernels: they run on the VT-d lane of 6.1 under
# PREEMPT_RT (its concurrency and stress cases meet sleeping locks there),
# Debian 12's 6.12 and the newest kernel (7.3). The debug kernel runs
# those that tear a device down under the driver (busy unbind,
# remove/rescan, function removal: where use-after-free hides), for KASAN.
# The other lanes run idxd_ref's basic cases (probe, kernel and user WQ
# completions as device-fired IMS interrupts, mask, PASID, CPU hotplug) and
# every ims-* case.
# lane_driver_deep LANE: all, teardown or none.
lane_driver_deep() {
	case "$1" in
	6.1-rt/intel-ir | 6.12/intel-ir | 7.3/intel-ir) echo all ;;
	*-debug/*) echo teardown ;;
	*) echo none ;;
	esac
}

# kline_root LINE: the suite whose root builds LINE, or nothing (the host).
kline_root() { echo "${KLINE_ROOT[$1]:-}"; }

# kver_root KVER: the suite whose root holds the headers of KVER, when the
# host has none and this does not already run in a root; fails otherwise.
kver_root() {
	[ -z "${IMS_ROOT:-}" ] && [ ! -d "/lib/modules/$1/build" ] &&
		"$REPO/scripts/roots.sh" of-kver "$1"
}

# lane_known LANE: true for a lane of ALL_LANES, DEBUG_LANES or ARM64_LANES.
lane_known() { [[ " $ALL_LANES $DEBUG_LANES $ARM64_LANES " == *" $1 "* ]]; }

# is_arm64_kline LINE / kver_is_arm64 KVER: an arm64 kernel line, an arm64
# kernel release (Debian's arm64 flavour is in the release: 6.1.0-57-arm64).
is_arm64_kline() { [[ " $ARM64_KLINES " == *" $1 "* ]]; }
kver_is_arm64() { [[ "$1" == *-arm64 ]]; }

# The arm64 side of the cache: the private apt state, the unpacked headers
# (headers/<kver>/, a root with usr/src and usr/lib), busybox and the
# guest programs' sysroot (mkinitramfs.sh). The kernel images share
# kernels/<kver>/ with the amd64 ones.
ARM64_CACHE=$IMS_CACHE/arm64
# make arguments of an arm64 module build (gcc-aarch64-linux-gnu).
ARM64_MAKE=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)

# kver_kdir KVER: the kernel build tree modules of KVER build against: the
# installed headers (or a suite root's, see kver_root) for amd64, the
# unpacked arm64 headers in the cache (kernels.sh fetch) for arm64.
kver_kdir() {
	if kver_is_arm64 "$1"; then
		echo "$ARM64_CACHE/headers/$1/usr/src/linux-headers-$1"
	else
		echo "/lib/modules/$1/build"
	fi
}

# arm64_apt CMD ARGS...: run apt-get or apt-cache with a private apt
# configuration that knows arm64 packages: the host's sources, its own lists,
# cache and (empty) dpkg status under $ARM64_CACHE/apt, APT::Architectures
# amd64 and arm64 (downloads as root: apt's _apt user may not write to the
# caller's directory). The host's dpkg architectures, sources and lists stay as
# they are (no 'dpkg --add-architecture'); nothing is ever installed with it,
# only 'apt-get download' and queries. The lists are refreshed when missing
# or older than IMS_ROOT_MAX_AGE (6 h), like the roots' (roots.sh).
arm64_apt() {
	local dir=$ARM64_CACHE/apt
	mkdir -p "$dir"
	# One at a time: apt locks its lists and archives, and two lanes may
	# want busybox while kernels.sh refreshes the lists.
	(
		flock 7
		if [ ! -f "$dir/apt.conf" ]; then
			mkdir -p "$dir"/{state,lists/partial,cache/archives/partial}
			: >"$dir/status"
			printf '%s\n' "Dir::State \"$dir/state\";" \
				"Dir::State::lists \"$dir/lists\";" \
				"Dir::State::status \"$dir/status\";" \
				"Dir::Cache \"$dir/cache\";" \
				'APT::Architectures { "amd64"; "arm64"; };' \
				'APT::Sandbox::User "root";' >"$dir/apt.conf.tmp"
			mv "$dir/apt.conf.tmp" "$dir/apt.conf"
		fi
		stamp=$dir/lists/.updated
		if [ ! -f "$stamp" ] ||
		   [ $(($(date +%s) - $(stat -c %Y "$stamp"))) -gt "${IMS_ROOT_MAX_AGE:-21600}" ]; then
			msg "apt-get update (private arm64 configuration in $dir)"
			APT_CONFIG=$dir/apt.conf apt-get update -qq >&2 ||
				die "apt-get update with the arm64 configuration ($dir/apt.conf) failed"
			touch "$stamp"
		fi
		APT_CONFIG=$dir/apt.conf "$@"
	) 7>"$dir/.lock"
}

# Guest memory (MiB) and the factor on guest case timeouts of a kernel line:
# the debug kernel (KASAN shadow, lockdep) needs more of both.
kline_memory() { case "$1" in *-debug) echo 2048 ;; *) echo 1024 ;; esac; }
kline_timeout_scale() { case "$1" in *-debug) echo 4 ;; *) echo 1 ;; esac; }
# Seconds one lane of a kernel line may take as a whole (IMS_LANE_TIMEOUT
# overrides): a debug lane runs every case several times slower.
kline_lane_timeout() { case "$1" in *-debug) echo 3600 ;; *) echo 1800 ;; esac; }

msg() { echo "[ims] $*" >&2; }
die() { echo "[ims] error: $*" >&2; exit 1; }

# True if every named Debian package is installed.
pkgs_installed() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || return 1
	done
}

# apt_locked CMD...: run an apt-get command of ours one at a time. Lanes run
# in parallel and the packaging lane installs and purges packages while
# another lane's initramfs asks for a missing package: apt's own lock would
# make the second one fail at once. DPkg::Lock::Timeout waits for anyone
# else's dpkg run.
APT_LOCK=/var/lock/ims-apt.lock
apt_locked() {
	flock -w 1800 "$APT_LOCK" "$@"
}
APT_OPTS=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)

apt_update() {
	msg "apt-get update"
	apt_locked apt-get update -qq "${APT_OPTS[@]}" >&2
}

# Install the named packages that are missing (no recommends), updating the
# package lists first. Quiet and quick when all are there.
apt_ensure() {
	local missing=() p
	for p in "$@"; do
		pkgs_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	apt_update
	msg "apt-get install ${missing[*]}"
	apt_locked apt-get install -y -qq "${APT_OPTS[@]}" --no-install-recommends "${missing[@]}" >&2
}
