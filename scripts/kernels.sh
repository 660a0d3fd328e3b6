#!/usr/bin/env bash
# Resolve and fetch the kernel matrix from Debian's metapackages.
#
#   kernels.sh kver LINE       print the current ABI (e.g. 6.1.0-56-amd64) of
#                              kernel line LINE (6.1, 6.12, 6.1-rt), from
#                              apt-cache, or of the built line 6.12-debug
#   kernels.sh fetch LINE...   make sure headers are installed and the image is
#                              unpacked in $IMS_CACHE/kernels/<kver>/; print
#                              "LINE KVER" per line
#   kernels.sh dir KVER        print the image cache directory of KVER
#
# Nothing is hard-coded: the versioned packages come from 'apt-cache depends'
# of the metapackages in common.sh (IMAGE_META). Images are fetched with
# 'apt-get download' and unpacked (vmlinuz, config, modules.builtin*)
# without installing them; a complete cache is re-used. The built line
# (6.12-debug) comes from scripts/debug-kernel.sh, which builds it once and
# leaves the same files plus /lib/modules/<kver>/build.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Versioned package a metapackage depends on, e.g. linux-image-6.1.0-56-amd64.
meta_dep() {
	local meta=$1 prefix=$2
	apt-cache depends "$meta" 2>/dev/null |
		awk -v p="$prefix" '$1 ~ /^\|?Depends:$/ && index($2, p) == 1 { print $2; exit }'
}

kver_of() {
	local line=$1 dep
	if is_built_kline "$line"; then
		"$REPO/scripts/debug-kernel.sh" kver
		return
	fi
	[ -n "${IMAGE_META[$line]:-}" ] || die "unknown kernel line '$line' (known: $KLINES $BUILT_KLINES)"
	dep=$(meta_dep "${IMAGE_META[$line]}" linux-image-)
	if [ -z "$dep" ]; then
		apt_update
		dep=$(meta_dep "${IMAGE_META[$line]}" linux-image-)
	fi
	[ -n "$dep" ] || die "cannot resolve ${IMAGE_META[$line]} with apt-cache depends"
	local kver=${dep#linux-image-}
	local hdep
	hdep=$(meta_dep "${HEADERS_META[$line]}" linux-headers-)
	[ "$hdep" = "linux-headers-$kver" ] ||
		msg "warning: ${HEADERS_META[$line]} -> '$hdep' differs from image $kver; using linux-headers-$kver"
	echo "$kver"
}

cache_dir() { echo "$IMS_CACHE/kernels/$1"; }

fetch_image() {
	local kver=$1 dir tmp deb
	dir=$(cache_dir "$kver")
	[ -f "$dir/.complete" ] && return 0
	mkdir -p "$IMS_CACHE/kernels"
	tmp=$(mktemp -d "$IMS_CACHE/kernels/.dl.XXXXXX")
	msg "downloading linux-image-$kver"
	if ! (cd "$tmp" && apt-get download -q "linux-image-$kver" >&2 2>/dev/null); then
		apt_update
		(cd "$tmp" && apt-get download -q "linux-image-$kver" >&2)
	fi
	deb=$(ls "$tmp"/*.deb)
	mkdir -p "$tmp/x"
	# Only the few files the test bed needs (the modules tree is ~400 MB).
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$tmp/x" --wildcards './boot/*' '*/modules.builtin*'
	mkdir -p "$tmp/k"
	cp "$tmp/x/boot/vmlinuz-$kver" "$tmp/k/vmlinuz"
	cp "$tmp/x/boot/config-$kver" "$tmp/k/config"
	cp "$tmp"/x/*lib/modules/"$kver"/modules.* "$tmp/k/"
	touch "$tmp/k/.complete"
	rm -rf "$dir"
	mv "$tmp/k" "$dir"
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
		apt_ensure "linux-headers-$kver"
		[ -d "/lib/modules/$kver/build" ] || die "headers of $kver installed but /lib/modules/$kver/build missing"
		fetch_image "$kver"
		echo "$line $kver"
	done
}

cmd=${1:-}
shift || true
case "$cmd" in
kver)	[ $# -eq 1 ] || die "usage: kernels.sh kver LINE"; kver_of "$1" ;;
fetch)	[ $# -ge 1 ] || set -- $KLINES
	mkdir -p "$IMS_CACHE"
	exec 9>"$IMS_CACHE/.lock"
	flock 9
	fetch "$@" ;;
dir)	[ $# -eq 1 ] || die "usage: kernels.sh dir KVER"; cache_dir "$1" ;;
*)	die "usage: kernels.sh {kver LINE | fetch [LINE...] | dir KVER}" ;;
esac
