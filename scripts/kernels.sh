#!/usr/bin/env bash
# Resolve and fetch the kernel matrix from Debian's metapackages.
#
#   kernels.sh kver LINE       print the current ABI (e.g. 6.1.0-56-amd64) of
#                              kernel line LINE (see KLINES), from apt-cache
#                              (in the line's root for other suites), or of
#                              the built line 6.12-debug
#   kernels.sh fetch LINE...   make sure headers are installed and the image is
#                              unpacked in $IMS_CACHE/kernels/<kver>/; print
#                              "LINE KVER" per line
#   kernels.sh dir KVER        print the image cache directory of KVER
#
# Nothing is hard-coded: the versioned packages come from 'apt-cache depends'
# of the metapackages in common.sh (IMAGE_META); lines of other suites
# resolve, download and install their headers in the suite's root
# (roots.sh), refreshed when its lists are older than 6 h. Images are fetched with
# 'apt-get download' and unpacked (vmlinuz, config, modules.builtin*)
# without installing them; a complete cache is re-used. The built line
# (6.12-debug) comes from scripts/debug-kernel.sh, which builds it once and
# leaves the same files plus /lib/modules/<kver>/build.
#
# The arm64 lines (ARM64_KLINES) resolve and download with the private apt
# configuration of common.sh (arm64_apt); their headers are unpacked into
# $IMS_CACHE/arm64/headers/<kver>/ (see fetch_arm64_headers), never
# installed. They take a lock of their own, so that they can be prepared
# while another run holds the main one (a debug kernel build takes minutes).
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROOTS_SH=$REPO/scripts/roots.sh

# apt_in LINE CMD...: CMD (apt-cache, apt-get download) where LINE's
# packages are known: the host, the root of LINE's suite, or the private
# arm64 configuration.
apt_in() {
	local root line=$1
	root=$(kline_root "$1")
	shift
	if is_arm64_kline "$line"; then
		arm64_apt "$@"
	elif [ -n "$root" ]; then
		"$ROOTS_SH" run "$root" "$@"
	else
		"$@"
	fi
}

# pkg_names: the package names of 'apt-cache depends' lines, without
# "<...>" (virtual) and ":arch" (printed for arm64 packages).
pkg_names() {
	awk '$1 ~ /^\|?(Pre)?Depends:$/ { n = $2; gsub(/^<|>$/, "", n); sub(/:[a-z0-9]+$/, "", n); print n }'
}

# Versioned package a metapackage depends on, e.g. linux-image-6.1.0-56-amd64.
meta_dep() {
	local line=$1 meta=$2 prefix=$3 release arch=''
	release=${KLINE_RELEASE[$line]:-}
	is_arm64_kline "$line" && arch=:arm64
	apt_in "$line" apt-cache depends "$meta$arch${release:+/$release}" 2>/dev/null |
		pkg_names | awk -v p="$prefix" 'index($0, p) == 1 { print; exit }'
}

kver_of() {
	local line=$1 dep root
	if is_built_kline "$line"; then
		"$REPO/scripts/debug-kernel.sh" kver
		return
	fi
	[ -n "${IMAGE_META[$line]:-}" ] || die "unknown kernel line '$line' (known: $KLINES $BUILT_KLINES $ARM64_KLINES)"
	root=$(kline_root "$line")
	[ -z "$root" ] || "$ROOTS_SH" update "$root" >&2
	# Refresh the arm64 lists where it shows (meta_dep hides apt's stderr).
	! is_arm64_kline "$line" || arm64_apt true
	dep=$(meta_dep "$line" "${IMAGE_META[$line]}" linux-image-)
	if [ -z "$dep" ] && [ -z "$root" ] && ! is_arm64_kline "$line"; then
		apt_update
		dep=$(meta_dep "$line" "${IMAGE_META[$line]}" linux-image-)
	fi
	[ -n "$dep" ] || die "cannot resolve ${IMAGE_META[$line]} of kernel line $line${root:+ in the $root root}$(is_arm64_kline "$line" && echo " with the arm64 apt configuration") (apt-cache depends)"
	local kver=${dep#linux-image-}
	local hdep
	hdep=$(meta_dep "$line" "${HEADERS_META[$line]}" linux-headers-)
	[ "$hdep" = "linux-headers-$kver" ] ||
		msg "warning: ${HEADERS_META[$line]} -> '$hdep' differs from image $kver; using linux-headers-$kver"
	echo "$kver"
}

cache_dir() { echo "$IMS_CACHE/kernels/$1"; }

# The packages that hold the image's files: linux-image-KVER, and since 7.x
# the linux-binary-KVER (vmlinuz) and linux-base-KVER (config, modules.*)
# it depends on. Never the modules (hundreds of MB).
image_pkgs() {
	local line=$1 kver=$2
	echo "linux-image-$kver"
	apt_in "$line" apt-cache depends "linux-image-$kver" 2>/dev/null | pkg_names |
		awk -v a="linux-binary-$kver" -v b="linux-base-$kver" '$0 == a || $0 == b'
}

# First file of a list that exists.
first_of() {
	local f
	for f in "$@"; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

fetch_image() {
	local line=$1 kver=$2 dir tmp deb pkgs m f
	dir=$(cache_dir "$kver")
	[ -f "$dir/.complete" ] && return 0
	mkdir -p "$IMS_CACHE/kernels"
	tmp=$(mktemp -d "$IMS_CACHE/kernels/.dl.XXXXXX")
	mapfile -t pkgs < <(image_pkgs "$line" "$kver")
	msg "downloading ${pkgs[*]}"
	if ! (cd "$tmp" && apt_in "$line" apt-get download -q "${pkgs[@]}" >&2 2>/dev/null); then
		[ -n "$(kline_root "$line")" ] || is_arm64_kline "$line" || apt_update
		(cd "$tmp" && apt_in "$line" apt-get download -q "${pkgs[@]}" >&2) ||
			{ rm -rf "$tmp"; die "cannot download ${pkgs[*]} (kernel line $line)"; }
	fi
	mkdir -p "$tmp/x"
	# Only the few files the test bed needs; a pattern a package does not
	# have is not an error (checked below).
	for deb in "$tmp"/*.deb; do
		dpkg-deb --fsys-tarfile "$deb" |
			tar -x -C "$tmp/x" --wildcards \
				'./boot/*' "./*lib/modules/$kver/vmlinuz" "./*lib/modules/$kver/config" \
				"./*lib/modules/$kver/modules.builtin*" 2>/dev/null || true
	done
	mkdir -p "$tmp/k"
	m=$tmp/x/lib/modules/$kver
	[ -d "$m" ] || m=$tmp/x/usr/lib/modules/$kver
	f=$(first_of "$tmp/x/boot/vmlinuz-$kver" "$m/vmlinuz") || die "no vmlinuz in ${pkgs[*]}"
	# QEMU's -kernel boots an arm64 Image as such (Debian 12's vmlinuz is
	# one, uncompressed: no CONFIG_EFI_ZBOOT); an EFI zboot image would
	# need firmware, so say so rather than boot nothing.
	if kver_is_arm64 "$kver" && [ "$(od -An -c -j 56 -N 4 "$f" | tr -d ' ')" != 'ARMd' ]; then
		die "$f is not an arm64 Image (no ARM\\x64 magic at offset 56): $(file -b "$f" 2>/dev/null)"
	fi
	cp "$f" "$tmp/k/vmlinuz"
	f=$(first_of "$tmp/x/boot/config-$kver" "$m/config") || die "no config in ${pkgs[*]}"
	cp "$f" "$tmp/k/config"
	cp "$m"/modules.builtin* "$tmp/k/" || die "no modules.builtin in ${pkgs[*]}"
	touch "$tmp/k/.complete"
	rm -rf "$dir"
	mv "$tmp/k" "$dir"
	rm -rf "$tmp"
}

# True if linux-headers-KVER is completely installed in the root of SUITE.
headers_in_root() {
	[ "$("$ROOTS_SH" run "$1" dpkg-query -W -f='${Status}' "linux-headers-$2" 2>/dev/null)" = "install ok installed" ] &&
		[ -f "$IMS_CACHE/roots/$1/usr/src/linux-headers-$2/Makefile" ]
}

# Headers of KVER where module builds find them: installed on the host, or
# in the root of the line's suite (from the line's release).
fetch_headers() {
	local line=$1 kver=$2 root
	root=$(kline_root "$line")
	if [ -z "$root" ]; then
		apt_ensure "linux-headers-$kver"
		[ -d "/lib/modules/$kver/build" ] || die "headers of $kver installed but /lib/modules/$kver/build missing"
		return
	fi
	headers_in_root "$root" "$kver" && return
	msg "installing linux-headers-$kver in the $root root"
	"$ROOTS_SH" apt "$root" install -t "${KLINE_RELEASE[$line]}" "linux-headers-$kver"
	headers_in_root "$root" "$kver" ||
		die "linux-headers-$kver did not install completely in the $root root"
}

# Headers of an arm64 KVER, for cross builds: linux-headers-KVER, its
# -common and the linux-kbuild package it depends on, unpacked with
# 'dpkg-deb -x' into $ARM64_CACHE/headers/KVER/ (usr/src/..., usr/lib/...).
# The kbuild package is taken in its amd64 build, of the arm64 headers'
# version: the two builds differ only in their ELF tools (fixdep, modpost,
# genksyms, ...), which must run on this host. The headers' Makefile
# includes the -common one by its absolute /usr/src path: it is pointed at
# the unpacked copy.
fetch_arm64_headers() {
	local line=$1 kver=$2 dir tmp ver common kbuild deb deps
	dir=$ARM64_CACHE/headers/$kver
	[ -f "$dir/.complete" ] && return 0
	mkdir -p "$ARM64_CACHE/headers"
	ver=$(arm64_apt apt-cache show --no-all-versions "linux-headers-$kver:arm64" 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1)
	[ -n "$ver" ] || die "no linux-headers-$kver:arm64 in the arm64 apt configuration"
	mapfile -t deps < <(arm64_apt apt-cache depends "linux-headers-$kver:arm64" 2>/dev/null | pkg_names)
	common=$(printf '%s\n' "${deps[@]}" | grep -m1 '^linux-headers-.*-common$') ||
		die "linux-headers-$kver:arm64 names no -common headers package"
	kbuild=$(printf '%s\n' "${deps[@]}" | grep -m1 '^linux-kbuild-') ||
		die "linux-headers-$kver:arm64 names no linux-kbuild package"
	tmp=$(mktemp -d "$ARM64_CACHE/headers/.dl.XXXXXX")
	msg "downloading linux-headers-$kver:arm64 $common $kbuild:amd64 (=$ver)"
	(cd "$tmp" && arm64_apt apt-get download -q "linux-headers-$kver:arm64=$ver" \
		"$common=$ver" "$kbuild:amd64=$ver" >&2) ||
		{ rm -rf "$tmp"; die "cannot download the arm64 headers of $kver ($common, $kbuild $ver)"; }
	mkdir -p "$tmp/root"
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root"
	done
	sed -i "s|^include /usr/src/|include $dir/usr/src/|" "$tmp/root/usr/src/linux-headers-$kver/Makefile"
	[ -x "$tmp/root/usr/src/linux-headers-$kver/scripts/basic/fixdep" ] ||
		die "unpacked arm64 headers of $kver have no scripts/basic/fixdep (kbuild link broken?)"
	touch "$tmp/root/.complete"
	rm -rf "$dir"
	mv "$tmp/root" "$dir"
	rm -rf "$tmp"
}

fetch() {
	local line kver
	for line in "$@"; do
		if is_built_kline "$line"; then
			kver=$("$REPO/scripts/debug-kernel.sh" build)
			echo "$line $kver"
			continue
		fi
		kver=$(kver_of "$line")
		if is_arm64_kline "$line"; then
			fetch_arm64_headers "$line" "$kver"
		else
			fetch_headers "$line" "$kver"
		fi
		fetch_image "$line" "$kver"
		echo "$line $kver"
	done
}

cmd=${1:-}
shift || true
case "$cmd" in
kver)	[ $# -eq 1 ] || die "usage: kernels.sh kver LINE"; kver_of "$1" ;;
fetch)	[ $# -ge 1 ] || set -- $KLINES
	mkdir -p "$ARM64_CACHE"
	for l in "$@"; do
		if is_arm64_kline "$l"; then arm64=1; else amd64=1; fi
	done
	if [ -n "${amd64:-}" ]; then exec 9>"$IMS_CACHE/.lock"; flock 9; fi
	if [ -n "${arm64:-}" ]; then exec 8>"$ARM64_CACHE/.lock"; flock 8; fi
	fetch "$@" ;;
dir)	[ $# -eq 1 ] || die "usage: kernels.sh dir KVER"; cache_dir "$1" ;;
*)	die "usage: kernels.sh {kver LINE | fetch [LINE...] | dir KVER}" ;;
esac
