#!/usr/bin/env bash
# The ims package: what DKMS builds, and how the test bed installs and uses it.
#
#   dkms.sh stage DIR              copy the package files to DIR
#   dkms.sh install KVER...        make /usr/src/ims-<version> this tree's
#                                  package and 'dkms install' it for each KVER
#                                  (a no-op where that is already so)
#   dkms.sh remove                 'dkms remove --all' and drop the sources
#   dkms.sh modules KVER DIR       install for KVER, then copy the package's
#                                  installed modules, uncompressed, to DIR
#   dkms.sh vendor KVER DIR        build tests/vendor in a copy outside this
#                                  tree against the installed package; the
#                                  module lands in DIR. An arm64 KVER: against
#                                  a staged package (DKMS does not
#                                  cross-build, see vendor_build_arm64)
#   dkms.sh test KVER...           the host packaging test (TAP), which ends
#                                  with the package installed for every KVER
#   dkms.sh names                  the package's module names (dkms.conf)
#
# The package is Kbuild, VERSION, dkms.conf, README.md, src/, include/ and
# the DKMS hook script: no tests, no test bed.
#
# Kernels whose headers live in the root of another suite (roots.sh) get
# that suite's DKMS: the command runs in the root, as on a machine of that
# suite. The KVERs of one call belong to one root, or all to the host.
set -euo pipefail
. "$(dirname "$0")/common.sh"

VERSION=$(cat "$REPO/VERSION")
PKG=ims/$VERSION
PKGSRC=/usr/src/ims-$VERSION

package_modules() {
	(set +u; kernelver=; . "$REPO/dkms.conf" && echo "${BUILT_MODULE_NAME[@]}")
}

stage() {
	local dir=$1
	mkdir -p "$dir/scripts"
	cp -r "$IMS_SRC"/{Kbuild,VERSION,dkms.conf,README.md,src,include} "$dir/"
	cp "$IMS_SRC/scripts/dkms-symvers.sh" "$dir/scripts/"
}

tree_hash() {
	(cd "$1" && find . -type f ! -name .tree-hash -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

# (dkms output is captured first: 'grep -q' on a pipe trips pipefail)
pkg_status() {
	dkms status "$PKG" "$@" 2>/dev/null || true
}

installed_for() {
	[[ "$(pkg_status -k "$1")" == *": installed"* ]]
}

# Register this tree's package unless /usr/src/ims-<version> holds it already.
# The sources of an installed ims-dkms package are dpkg's: never replaced.
register() {
	local tmp hash
	if dpkg -S "$PKGSRC" 2>/dev/null | grep -q '^ims-dkms:'; then
		die "$PKGSRC belongs to the installed ims-dkms package: use it, or 'apt-get purge ims-dkms' first"
	fi
	tmp=$(mktemp -d)
	stage "$tmp"
	hash=$(tree_hash "$tmp")
	if [ "$(cat "$PKGSRC/.tree-hash" 2>/dev/null)" != "$hash" ] ||
	   [ -z "$(pkg_status)" ]; then
		unregister
		cp -a "$tmp" "$PKGSRC"
		echo "$hash" >"$PKGSRC/.tree-hash"
		dkms add "$PKG" >&2
	fi
	rm -rf "$tmp"
}

# Remove every build and the sources; fails when 'dkms remove' does.
unregister() {
	if [ -n "$(pkg_status)" ]; then
		dkms remove "$PKG" --all >&2 || return
	fi
	rm -rf "$PKGSRC"
}

install_for() {
	local kver
	register
	for kver in "$@"; do
		installed_for "$kver" || dkms install "$PKG" -k "$kver" >&2
	done
}

# The installed module file of MOD for KVER (DKMS may compress it).
module_file() {
	local kver=$1 mod=$2 f
	for f in /lib/modules/"$kver"/updates/dkms/"$mod".ko{,.xz,.zst,.gz}; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

copy_modules() {
	local kver=$1 dir=$2 mod f
	mkdir -p "$dir"
	for mod in $(package_modules); do
		f=$(module_file "$kver" "$mod") || die "$mod not installed for $kver"
		case "$f" in
		*.xz)  xz -dc "$f" >"$dir/$mod.ko" ;;
		*.zst) zstd -qdc "$f" >"$dir/$mod.ko" ;;
		*.gz)  gzip -dc "$f" >"$dir/$mod.ko" ;;
		*)     cp "$f" "$dir/$mod.ko" ;;
		esac
		echo "$dir/$mod.ko"
	done
}

# vendor_build KVER DIR IMS_DIR [MAKE ARGS...]
vendor_build() {
	local kver=$1 dir=$2 imsdir=$3 tmp
	shift 3
	tmp=$(mktemp -d)
	cp -r "$IMS_SRC/tests/vendor/." "$tmp/"
	if ! make -C "$tmp" KVER="$kver" IMS_DIR="$imsdir" W=1 "$@" >"$tmp/build.log" 2>&1 ||
	   grep -qi 'warning:' "$tmp/build.log"; then
		cat "$tmp/build.log" >&2
		rm -rf "$tmp"
		return 1
	fi
	mkdir -p "$dir"
	cp "$tmp"/*.ko "$dir/"
	rm -rf "$tmp"
	ls "$dir"/ims_vendor_sample.ko
}

# vendor_build_arm64 KVER DIR: the vendor sample of an arm64 kernel. DKMS
# does not cross-build, so the sample builds against a staged copy of the
# package (what 'stage' copies, as DKMS would have it in /usr/src) and the
# symbol versions of the package's modules from the lane's cross build
# (IMS_BUILD/KVER, build-modules.sh), as dkms-symvers.sh would keep them.
vendor_build_arm64() {
	local kver=$1 dir=$2 pkg symvers rc=0
	symvers=$IMS_BUILD/$kver/Module.symvers
	[ -f "$symvers" ] || die "no $symvers: build the modules for $kver first (build-modules.sh)"
	pkg=$(mktemp -d)
	stage "$pkg"
	mkdir -p "$pkg/symvers/$kver"
	awk -F'\t' -v re="(^|/)($(package_modules | tr ' ' '|'))\$" '$3 ~ re' "$symvers" \
		>"$pkg/symvers/$kver/Module.symvers"
	vendor_build "$kver" "$dir" "$pkg" KDIR="$(kver_kdir "$kver")" "${ARM64_MAKE[@]}" || rc=$?
	rm -rf "$pkg"
	return "$rc"
}

locked() {
	mkdir -p "$IMS_CACHE"
	exec 8>"$IMS_CACHE/.dkms.lock"
	flock 8
}

cmd=${1:-}
shift || true
case "$cmd" in
install|modules|vendor|test)
	if [ $# -ge 1 ] && ! kver_is_arm64 "$1" && suite=$(kver_root "$1"); then
		exec "$REPO/scripts/roots.sh" run "$suite" "$REPO/scripts/dkms.sh" "$cmd" "$@"
	fi ;;
esac
case "$cmd" in
stage)   [ $# -eq 1 ] || die "usage: dkms.sh stage DIR"; stage "$1" ;;
install) [ $# -ge 1 ] || die "usage: dkms.sh install KVER..."; locked; install_for "$@" ;;
remove)  locked; unregister ;;
modules) [ $# -eq 2 ] || die "usage: dkms.sh modules KVER DIR"; locked
	 install_for "$1"; copy_modules "$1" "$2" ;;
vendor)  [ $# -eq 2 ] || die "usage: dkms.sh vendor KVER DIR"
	 if kver_is_arm64 "$1"; then
		vendor_build_arm64 "$1" "$2"
	 else
		locked; install_for "$1"; vendor_build "$1" "$2" "$PKGSRC"
	 fi ;;
test)    [ $# -ge 1 ] || die "usage: dkms.sh test KVER..."; locked
	 . "$REPO/scripts/dkms-test.sh" ;;
names)   package_modules ;;
*)       die "usage: dkms.sh {stage DIR|install KVER...|remove|modules KVER DIR|vendor KVER DIR|test KVER...|names}" ;;
esac
