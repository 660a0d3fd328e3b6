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
# works, with DKMS's updates/ first as on a Debian system); every
# tests/user/*.c compiled 'gcc -static -O2 -Wall' (cached in IMS_BUILD) to
# /usr/bin/<name>; the dynamically linked host programs of HOST_PROGS below
# (apt installs their Debian packages when missing) and tools/imsctl, with
# the shared libraries ldd lists and the dynamic loader, at the host's
# paths; the PCI ID database; /etc/passwd and /etc/group with root and the
# unprivileged users nobody (uid/gid 65534) and imsuser (1000) that cases
# run as.
#
# For an arm64 KVER (*-arm64): Debian's arm64 busybox-static (fetched with
# the private apt configuration, cached in $IMS_CACHE/arm64/busybox/) with
# only its /bin/sh link (the host cannot run it to list its applets: the
# guest's /init installs them); tests/user/*.c cross-compiled static with
# aarch64-linux-gnu-gcc (cached in IMS_BUILD/user-arm64); no trinity and no
# imsctl (both link shared host libraries: libpci has no static build in
# Debian), said on stderr.
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
	for c in "$IMS_SRC"/tests/user/*.c; do
		bin=$user_build/$(basename "$c" .c)
		if [ ! -e "$bin" ] || [ -n "$(find "$c" "$IMS_SRC"/tests/user/*.h \
			"$IMS_SRC"/include/uapi -newer "$bin" -print -quit)" ]; then
			"$cc" -static -O2 -Wall -I"$IMS_SRC/include" -o "$bin.tmp" "$c" ||
				die "cannot build $c"
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

# Not on arm64: the host programs are amd64 binaries with amd64 libraries,
# and imsctl links libpci, which Debian ships shared only (no libpci.a to
# link it static for the arm64 guest).
guest_progs=$HOST_PROGS imsctl=1
if [ "$arm64" = 1 ]; then
	msg "arm64 initramfs: no$(for e in $HOST_PROGS; do printf ' %s' "${e%%:*}"; done) and no imsctl (amd64 programs with shared libraries; cases that run them fail on arm64)"
	guest_progs='' imsctl=0
fi

for entry in $guest_progs; do
	apt_ensure "${entry#*:}"
	prog=$(command -v "${entry%%:*}") || die "${entry%%:*} not found"
	add_prog "$prog"
done

# imsctl, built as its package builds it (libpci, dynamically linked), with
# the PCI ID database it names devices from. Built once per source change
# in IMS_BUILD (make's own dependencies), one lane at a time.
apt_ensure libpci-dev pkgconf pci.ids
if [ "$imsctl" = 1 ]; then
	imsctl_build=$IMS_BUILD/imsctl
	mkdir -p "$imsctl_build/tools"
	(
		flock 9
		cp "$IMS_SRC/VERSION" "$imsctl_build/"
		rsync -a --delete --exclude imsctl --exclude '*.o' \
			"$IMS_SRC/tools/imsctl/" "$imsctl_build/tools/imsctl/"
		make -s -C "$imsctl_build/tools/imsctl" >&2
		add_prog "$imsctl_build/tools/imsctl/imsctl"
	) 9>"$imsctl_build/.lock" || die "cannot build imsctl"
fi
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
