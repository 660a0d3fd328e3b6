#!/usr/bin/env bash
# The ims package: what DKMS builds, and how the test bed installs and uses it.
#
#   dkms.sh stage DIR              copy the package files to DIR
#   dkms.sh install KVER...        make /usr/src/ims-<version> this tree's
#                                  package and 'dkms install' it for each KVER
#                                  ('dkms build' for an arm64 KVER, see
#                                  dkms_kver; a no-op where that is already so)
#   dkms.sh remove                 'dkms remove --all' and drop the sources
#   dkms.sh modules KVER DIR       install for KVER, then copy the package's
#                                  installed (arm64: built) modules,
#                                  uncompressed, to DIR
#   dkms.sh vendor KVER DIR        build tests/vendor in a copy outside this
#                                  tree against the installed package; the
#                                  module lands in DIR
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

# dkms_kver KVER ACTION [ARGS...]: 'dkms ACTION' of the package for KVER.
# An arm64 KVER is a cross build on this amd64 host: its unpacked headers
# are the kernel source (they are not in /lib/modules), -a aarch64 names the
# target, and Debian's headers pick the cross compiler from DEB_HOST_*
# (their .kernelvariables; dpkg-buildpackage -aarm64 sets the same). DKMS
# strips built modules with the 'strip' of PATH: the target's comes first.
dkms_kver() {
	local kver=$1 action=$2
	shift 2
	if kver_is_arm64 "$kver"; then
		mkdir -p "$ARM64_CACHE/bin"
		ln -sfn "$(command -v aarch64-linux-gnu-strip)" "$ARM64_CACHE/bin/strip"
		PATH=$ARM64_CACHE/bin:$PATH DEB_BUILD_ARCH=amd64 DEB_HOST_ARCH=arm64 \
			DEB_HOST_GNU_TYPE=aarch64-linux-gnu \
			dkms "$action" "$PKG" -k "$kver" -a aarch64 --kernelsourcedir "$(kver_kdir "$kver")" "$@"
	else
		dkms "$action" "$PKG" -k "$kver" "$@"
	fi
}

# dkms_deploy KVER: what a machine running KVER gets: 'dkms install'. DKMS
# installs only into an existing /lib/modules/KVER, i.e. on the target, so
# an arm64 KVER gets 'dkms build' here; its lanes boot the built modules.
dkms_deploy() {
	if kver_is_arm64 "$1"; then
		dkms_kver "$1" build
	else
		dkms_kver "$1" install
	fi
}

# deployed_for KVER: dkms_deploy has run for KVER (status installed; built
# for an arm64 KVER).
deployed_for() {
	local want=installed
	kver_is_arm64 "$1" && want=built
	[[ "$(pkg_status -k "$1")" == *": $want"* ]]
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
		deployed_for "$kver" || dkms_deploy "$kver" >&2
	done
}

# The installed module file of MOD for KVER (DKMS may compress it); for an
# arm64 KVER, the built one in DKMS's tree.
module_file() {
	local kver=$1 mod=$2 dir=/lib/modules/$1/updates/dkms f
	kver_is_arm64 "$kver" && dir=/var/lib/dkms/$PKG/$kver/aarch64/module
	for f in "$dir/$mod".ko{,.xz,.zst,.gz}; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# module_cat FILE: a module file's contents, uncompressed.
module_cat() {
	case "$1" in
	*.xz)  xz -dc "$1" ;;
	*.zst) zstd -qdc "$1" ;;
	*.gz)  gzip -dc "$1" ;;
	*)     cat "$1" ;;
	esac
}

copy_modules() {
	local kver=$1 dir=$2 mod f
	mkdir -p "$dir"
	for mod in $(package_modules); do
		f=$(module_file "$kver" "$mod") || die "$mod not installed for $kver"
		module_cat "$f" >"$dir/$mod.ko"
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

# vendor_kver KVER DIR: the vendor sample of KVER against the installed
# package, with the cross compiler for an arm64 KVER.
vendor_kver() {
	if kver_is_arm64 "$1"; then
		vendor_build "$1" "$2" "$PKGSRC" KDIR="$(kver_kdir "$1")" "${ARM64_MAKE[@]}"
	else
		vendor_build "$1" "$2" "$PKGSRC"
	fi
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
	 locked; install_for "$1"; vendor_kver "$1" "$2" ;;
test)    [ $# -ge 1 ] || die "usage: dkms.sh test KVER..."; locked
	 . "$REPO/scripts/dkms-test.sh" ;;
names)   package_modules ;;
*)       die "usage: dkms.sh {stage DIR|install KVER...|remove|modules KVER DIR|vendor KVER DIR|test KVER...|names}" ;;
esac
