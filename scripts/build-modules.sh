#!/usr/bin/env bash
# Build the out-of-tree modules with W=1 and fail on any warning.
#
#   build-modules.sh KVER       copy the source tree into build/KVER/ and build
#                               there against /lib/modules/KVER/build (6.1 has
#                               no MO=, hence the copy); incremental. Kernels
#                               of other suites build in their suite's root
#                               (roots.sh), with that suite's compiler; arm64
#                               kernels (*-arm64) cross-build with
#                               aarch64-linux-gnu-gcc against the headers
#                               kernels.sh unpacked in the cache
#   build-modules.sh --kdir DIR build in place (make -C DIR M=<repo> modules)
#
# Prints the absolute path of every module the build produced (taken from
# modules.order, so new modules in Kbuild need no change here), one a line,
# on stdout. The build output goes to stderr and to <tree>/build.log.
set -euo pipefail
. "$(dirname "$0")/common.sh"

usage() { die "usage: build-modules.sh KVER | --kdir KDIR"; }
[ $# -ge 1 ] || usage

if [ "$1" = --kdir ]; then
	[ $# -eq 2 ] || usage
	kdir=$2
	tree=$IMS_SRC
	kver=''
else
	[ $# -eq 1 ] || usage
	kver=$1
	kdir=$(kver_kdir "$kver")
	tree=$IMS_BUILD/$kver
fi
# In the root of the kernel's suite when the host has no headers for it;
# an arm64 kernel's with the cross compiler (ARM64_MAKE).
in_root=() cross=()
if kver_is_arm64 "$kver"; then
	cross=("${ARM64_MAKE[@]}")
	command -v aarch64-linux-gnu-gcc >/dev/null ||
		die "aarch64-linux-gnu-gcc not found (run scripts/setup-host.sh)"
elif suite=$(kver_root "$(basename "$(dirname "$kdir")")"); then
	in_root=("$REPO/scripts/roots.sh" run "$suite")
fi
[ -d "$kdir" ] || [ ${#in_root[@]} -gt 0 ] || die "no kernel build tree at $kdir (headers not installed? try make KVERS=... or make modules-all)"

mkdir -p "$IMS_BUILD"
exec 9>"$IMS_BUILD/.lock.$(basename "$tree")"
flock 9

if [ "$tree" != "$IMS_SRC" ]; then
	mkdir -p "$tree"
	# Mirror the sources; keep kbuild outputs so rebuilds are incremental.
	rsync -a --delete \
		--exclude=/.git --exclude=/build --exclude=/results \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='*.a' --exclude=modules.order \
		--exclude=Module.symvers --exclude=/build.log --exclude='.tmp_*' \
		"$IMS_SRC/" "$tree/"
fi

log=$tree/build.log
msg "building modules in $tree against $kdir${in_root:+ in the $suite root}"
if ! "${in_root[@]}" make -C "$kdir" M="$tree" "${cross[@]}" W=1 -j"$(nproc)" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "module build failed for $kdir (log: $log)"
fi
cat "$log" >&2
if grep -qi 'warning:' "$log"; then
	grep -i 'warning:' "$log" >&2
	# Objects that warned are up to date now: clean, so that the next
	# (incremental) build compiles them again and still fails.
	"${in_root[@]}" make -C "$kdir" M="$tree" "${cross[@]}" clean >/dev/null 2>&1 || true
	die "module build has warnings (W=1; warnings are errors here): $log"
fi

[ -s "$tree/modules.order" ] || die "build produced no modules ($tree/modules.order empty)"
sed 's/\.o$/.ko/' "$tree/modules.order" | while read -r ko; do
	case "$ko" in /*) ;; *) ko=$tree/$ko ;; esac
	[ -f "$ko" ] || die "module $ko listed in modules.order was not built"
	echo "$ko"
done
