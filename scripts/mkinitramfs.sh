#!/usr/bin/env bash
# Build the guest initramfs (cpio newc, gzip) for one lane.
#
#   mkinitramfs.sh KVER LANEFILE OUT.cpio.gz [--run SCRIPT]
#                  [[--dkms|--extra] MODULE.ko...]
#
# Contents: busybox-static with its applet links; /init (tests/guest/init);
# /ims/lib.sh and /ims/cases/* (tests/guest/); /run.sh (SCRIPT of --run:
# the guest runs it instead of the suite);
# /ims/splat-{include,exclude} (from scripts/splat-patterns); /etc/ims-lane
# (LANEFILE); the given modules under /lib/modules/KVER/updates/dkms/ (after
# --dkms: what DKMS installed) or extra/ (after --extra, the default: test
# modules), with modules.builtin* of that kernel and 'depmod -b' (so modprobe
# works, with DKMS's updates/ first as on a Debian system); every test
# program of tests/user/ (NAME.c, or a directory NAME/ whose .c files make
# one program) compiled 'gcc -static -O2 -Wall' (cached in IMS_BUILD) to
# /usr/bin/NAME; the dynamically linked host programs of HOST_PROGS below
# (apt installs their Debian packages when missing) and tools/imsctl, with
# the shared libraries ldd lists and the dynamic loader, at the host's
# paths; the PCI ID database; /etc/passwd and /etc/group with root and the
# unprivileged users nobody (uid/gid 65534) and imsuser (1000) that cases
# run as.
#
# For an arm64 KVER (*-arm64): Debian's arm64 busybox-static (fetched with
# the private apt configuration, cached in $IMS_CACHE/arm64/busybox/) with
# only its /bin/sh link (the host cannot run it to list its applets: the
# guest's /init installs them); the tests/user/ programs cross-compiled static with
# aarch64-linux-gnu-gcc (cached in IMS_BUILD/user-arm64); trinity and imsctl
# dynamically linked against Debian's arm64 libraries (arm64_sysroot below).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# Host programs for the guest, as "program:Debian package".
HOST_PROGS="trinity:trinity"

[ $# -ge 3 ] || die "usage: mkinitramfs.sh KVER LANEFILE OUT.cpio.gz [--run SCRIPT] [[--dkms|--extra] MODULE.ko...]"
kver=$1 lanefile=$2 out=$3
shift 3
run_script=
[ "${1:-}" = --run ] && { run_script=$2; shift 2; }

guest=$IMS_SRC/tests/guest
[ -f "$guest/init" ] || guest=$REPO/tests/guest
kcache=$(cd "$(dirname "$0")" && ./kernels.sh dir "$kver")
arm64=0
kver_is_arm64 "$kver" && arm64=1

# arm64_busybox: the arm64 busybox-static binary of the archive's current
# version, downloaded and unpacked once into the cache.
arm64_busybox() {
	local ver dir tmp
	ver=$(arm64_apt apt-cache show --no-all-versions busybox-static:arm64 2>/dev/null |
		sed -n 's/^Version: //p' | head -n 1)
	[ -n "$ver" ] || die "no busybox-static:arm64 in the arm64 apt configuration"
	dir=$ARM64_CACHE/busybox/$ver
	if [ ! -x "$dir/bin/busybox" ]; then
		mkdir -p "$ARM64_CACHE/busybox"
		tmp=$(mktemp -d "$ARM64_CACHE/busybox/.dl.XXXXXX")
		(cd "$tmp" && arm64_apt apt-get download -q "busybox-static:arm64=$ver" >&2) ||
			{ rm -rf "$tmp"; die "cannot download busybox-static:arm64=$ver"; }
		dpkg-deb -x "$tmp"/busybox-static_*.deb "$tmp/x"
		[ -x "$tmp/x/bin/busybox" ] || die "busybox-static:arm64=$ver has no bin/busybox"
		# Another lane may have won the race: its copy is as good.
		mv -T "$tmp/x" "$dir" 2>/dev/null || true
		rm -rf "$tmp"
	fi
	echo "$dir/bin/busybox"
}

if [ "$arm64" = 1 ]; then
	busybox=$(arm64_busybox)
else
	busybox=$(command -v busybox) || die "busybox not found (run scripts/setup-host.sh)"
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root,ims/cases}
mkdir -p "$root/lib/modules/$kver/extra"
cp "$busybox" "$root/bin/busybox"
if [ "$arm64" = 1 ]; then
	ln -s busybox "$root/bin/sh"
else
	for applet in $("$busybox" --list-full); do
		[ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
	done
fi

install -m 755 "$guest/init" "$root/init"
install -m 644 "$guest/lib.sh" "$root/ims/lib.sh"
for c in "$guest"/cases/*; do
	[ -f "$c" ] && install -m 755 "$c" "$root/ims/cases/"
done
[ -n "$run_script" ] && install -m 755 "$run_script" "$root/run.sh"
grep -v -e '^#' -e '^!' -e '^$' "$REPO/scripts/splat-patterns" >"$root/ims/splat-include"
sed -n 's/^!//p' "$REPO/scripts/splat-patterns" >"$root/ims/splat-exclude"
[ -s "$root/ims/splat-exclude" ] || echo '^$' >"$root/ims/splat-exclude"
install -m 644 "$lanefile" "$root/etc/ims-lane"

# Modules and their dependency data.
moddir=extra
for arg in "$@"; do
	case "$arg" in
	--dkms)  moddir=updates/dkms ;;
	--extra) moddir=extra ;;
	*)	install -D -m 644 "$arg" "$root/lib/modules/$kver/$moddir/$(basename "$arg")"
		echo "$moddir/$(basename "$arg")" >>"$root/lib/modules/$kver/modules.order" ;;
	esac
done
cp "$kcache"/modules.builtin* "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"

# User-space test programs, built static (the guest has no libc), once per
# change of their sources or headers (kept in IMS_BUILD, one lane at a time).
shopt -s nullglob
user_build=$IMS_BUILD/user cc=gcc
[ "$arm64" = 1 ] && user_build=$IMS_BUILD/user-arm64 cc=aarch64-linux-gnu-gcc
mkdir -p "$user_build"
(
	flock 9
	for prog in "$IMS_SRC"/tests/user/*.c "$IMS_SRC"/tests/user/*/; do
		prog=${prog%/}
		bin=$user_build/$(basename "$prog" .c)
		srcs=("$prog")
		[ -d "$prog" ] && srcs=("$prog"/*.c)
		if [ ! -e "$bin" ] || [ -n "$(find "$prog" "$IMS_SRC"/tests/user/*.h \
			"$IMS_SRC"/include/uapi -newer "$bin" -print -quit)" ]; then
			"$cc" -static -O2 -Wall -I"$IMS_SRC/include" -I"$IMS_SRC/tests/user" \
				-o "$bin.tmp" "${srcs[@]}" || die "cannot build $prog"
			mv "$bin.tmp" "$bin"
		fi
		install -m 755 "$bin" "$root/usr/bin/"
	done
) 9>"$user_build/.lock" || exit 1

# add_prog PROGRAM: a dynamically linked program, its libraries and loader.
add_prog() {
	local prog=$1 libs lib
	install -m 755 "$prog" "$root/usr/bin/"
	libs=$(ldd "$prog") || die "ldd $prog failed"
	for lib in $(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$libs"); do
		[ -e "$root$lib" ] || install -D -m 755 "$(realpath "$lib")" "$root$lib"
	done
}

# The arm64 guest's dynamically linked programs are Debian's arm64 builds
# (HOST_PROGS) or built against them (imsctl: Debian ships libpci shared
# only, so it cannot be linked static): their packages, libc6 and libpci's
# libraries, unpacked once into $IMS_CACHE/arm64/sysroot/ (.pkgs names
# the versions; any new version makes it again). ldd cannot run there:
# the ELF NEEDED entries are followed with the cross readelf instead.
ARM64_SYSROOT_PKGS="libc6 libpci3 libpci-dev libudev1 zlib1g"

# arm64_sysroot PKG...: print the sysroot holding the arm64 packages PKG...
arm64_sysroot() {
	local sr=$ARM64_CACHE/sysroot want tmp deb
	want=$(arm64_apt apt-cache show --no-all-versions "${@/%/:arm64}" 2>/dev/null |
		sed -n 's/^Package: //p; s/^Version: //p' | paste -d= - - | sort)
	[ "$(wc -l <<<"$want")" -eq $# ] || die "arm64 packages $* not all known to the arm64 apt configuration"
	(
		flock 9
		[ "$(cat "$sr/.pkgs" 2>/dev/null)" = "$want" ] && exit 0
		tmp=$(mktemp -d "$ARM64_CACHE/.sysroot.XXXXXX")
		# shellcheck disable=SC2046 # one word per package
		(cd "$tmp" && arm64_apt apt-get download -q $(sed 's/=/:arm64=/' <<<"$want") >&2) ||
			{ rm -rf "$tmp"; die "cannot download the arm64 packages $*"; }
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$tmp/root"
		done
		echo "$want" >"$tmp/root/.pkgs"
		rm -rf "$sr"
		mv "$tmp/root" "$sr"
		rm -rf "$tmp"
	) 9>"$ARM64_CACHE/sysroot.lock" || exit 1
	echo "$sr"
}

# sr_file SR PATH: the file PATH of the unpacked root SR, its symlinks
# followed inside SR (Debian's may be absolute).
sr_file() {
	local sr=$1 p=$2 t n=0
	while [ -L "$sr$p" ] && [ $n -lt 20 ]; do
		t=$(readlink "$sr$p")
		case "$t" in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
		n=$((n + 1))
	done
	echo "$sr$p"
}

# add_prog_arm64 SR PROGRAM: an arm64 program, its loader and the libraries
# it needs (transitively) from SR, at Debian's multiarch paths.
add_prog_arm64() {
	local sr=$1 prog=$2 queue f lib d src interp
	install -m 755 "$prog" "$root/usr/bin/"
	interp=$(aarch64-linux-gnu-readelf -l "$prog" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')
	[ -z "$interp" ] || [ -e "$root$interp" ] ||
		install -D -m 755 "$(sr_file "$sr" "$interp")" "$root$interp"
	queue=("$prog")
	while [ ${#queue[@]} -gt 0 ]; do
		f=${queue[0]}
		queue=("${queue[@]:1}")
		for lib in $(aarch64-linux-gnu-readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			[ -e "$root/lib/aarch64-linux-gnu/$lib" ] && continue
			src=''
			for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu; do
				[ -e "$sr$d/$lib" ] && { src=$(sr_file "$sr" "$d/$lib"); break; }
			done
			[ -n "$src" ] || die "$lib (needed by $(basename "$f")) is not in the arm64 sysroot $sr"
			install -D -m 755 "$src" "$root/lib/aarch64-linux-gnu/$lib"
			queue+=("$src")
		done
	done
}

if [ "$arm64" = 1 ]; then
	# shellcheck disable=SC2046,SC2086 # lists of words
	sysroot=$(arm64_sysroot $ARM64_SYSROOT_PKGS $(for e in $HOST_PROGS; do echo "${e#*:}"; done)) ||
		die "cannot make the arm64 sysroot"
	for entry in $HOST_PROGS; do
		prog=$sysroot/usr/bin/${entry%%:*}
		[ -x "$prog" ] || die "${entry%%:*} not in the arm64 package ${entry#*:}"
		add_prog_arm64 "$sysroot" "$prog"
	done
else
	for entry in $HOST_PROGS; do
		apt_ensure "${entry#*:}"
		prog=$(command -v "${entry%%:*}") || die "${entry%%:*} not found"
		add_prog "$prog"
	done
fi

# imsctl, built as its package builds it (libpci, dynamically linked), with
# the PCI ID database it names devices from. Built once per source change
# in IMS_BUILD (make's own dependencies), one lane at a time. For arm64
# with the cross compiler against the sysroot's libpci (imsctl-arm64/).
apt_ensure libpci-dev pkgconf pci.ids
imsctl_build=$IMS_BUILD/imsctl imsctl_make=()
if [ "$arm64" = 1 ]; then
	imsctl_build=$IMS_BUILD/imsctl-arm64
	imsctl_make=(CC=aarch64-linux-gnu-gcc
		PCI_CFLAGS="-I$sysroot/usr/include -I$sysroot/usr/include/aarch64-linux-gnu"
		PCI_LIBS="-L$sysroot/usr/lib/aarch64-linux-gnu -lpci"
		LDFLAGS="-Wl,-rpath-link,$sysroot/usr/lib/aarch64-linux-gnu:$sysroot/lib/aarch64-linux-gnu")
fi
mkdir -p "$imsctl_build/tools"
(
	flock 9
	cp "$IMS_SRC/VERSION" "$imsctl_build/"
	rsync -a --delete --exclude imsctl --exclude '*.o' \
		"$IMS_SRC/tools/imsctl/" "$imsctl_build/tools/imsctl/"
	make -s -C "$imsctl_build/tools/imsctl" "${imsctl_make[@]}" >&2
	if [ "$arm64" = 1 ]; then
		add_prog_arm64 "$sysroot" "$imsctl_build/tools/imsctl/imsctl"
	else
		add_prog "$imsctl_build/tools/imsctl/imsctl"
	fi
) 9>"$imsctl_build/.lock" || die "cannot build imsctl"
install -D -m 644 /usr/share/misc/pci.ids "$root/usr/share/misc/pci.ids"

# Users: root, and nobody and imsuser, two unprivileged ones (per-user
# limits and isolation between users).
cat >"$root/etc/passwd" <<'EOT'
root:x:0:0:root:/root:/bin/sh
imsuser:x:1000:1000:second unprivileged user:/nonexistent:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOT
cat >"$root/etc/group" <<'EOT'
root:x:0:
imsuser:x:1000:
nogroup:x:65534:
EOT

mkdir -p "$(dirname "$out")"
(cd "$root" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
