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

# lane_known LANE: true for a lane of ALL_LANES or DEBUG_LANES.
lane_known() { [[ " $ALL_LANES $DEBUG_LANES " == *" $1 "* ]]; }

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
