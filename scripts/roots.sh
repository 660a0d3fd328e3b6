#!/usr/bin/env bash
# Debian roots of other suites, for what Debian 12 cannot do: build modules
# with the compiler and kbuild a newer kernel's headers were made for, run
# that suite's DKMS, and run a newer QEMU (x2apic-mode remapping).
#
#   roots.sh ensure SUITE        make the root if it is missing or incomplete;
#                                print its directory
#   roots.sh update SUITE        'apt-get update' in the root when its package
#                                lists are older than $IMS_ROOT_MAX_AGE s
#                                (default 21600), so that metapackages move
#   roots.sh apt SUITE ARGS...   apt-get ARGS in the root (serialized)
#   roots.sh run SUITE CMD...    run CMD in the root, in a mount namespace of
#                                its own with /proc, /dev, /tmp, the source
#                                and build trees and the kernel image cache
#                                at the host's paths, in the current directory
#                                if it is one of those; IMS_ROOT=SUITE inside
#   roots.sh of-kver KVER        print the suite whose root holds the headers
#                                of KVER, or fail
#
# A root is made by debootstrap from the host's Debian mirror into a
# temporary directory under $IMS_CACHE/roots/ and moved to SUITE/ only when
# complete (.complete): an interrupted run is never taken for a root. The
# suites' Release files may be past their Valid-Until on the mirror: apt in
# the roots does not check it (signatures are still checked, with the
# host's Debian keyring). Nothing is added to the host's apt sources.
set -euo pipefail
. "$(dirname "$0")/common.sh"

ROOTS=$IMS_CACHE/roots
# What every root has: a compiler, make and kmod for module builds, dkms.
BASE_PKGS=gcc,make,libc6-dev,kmod,dkms,xz-utils,zstd
# Per suite: more packages, and more apt suites (sid also serves experimental,
# whose packages are installed only when asked for by name).
declare -A SUITE_PKGS=([trixie]=qemu-system-x86 [sid]='')
declare -A SUITE_EXTRA=([sid]=experimental [trixie]='')

root_dir() { echo "$ROOTS/$1"; }

known_suite() {
	[ -n "${SUITE_PKGS[$1]+x}" ] || die "unknown suite '$1' (known: ${!SUITE_PKGS[*]})"
}

# The host's Debian mirror, from its apt sources (IMS_MIRROR overrides it).
mirror() {
	local url
	url=$(sed -n 's/^URIs: *\(http[^ ]*\/debian\)\/\{0,1\}$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
	[ -n "$url" ] || url=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
	echo "${url:-http://deb.debian.org/debian}"
}

# Serialize everything that changes a root (creation, apt).
lock_roots() {
	mkdir -p "$ROOTS"
	exec 7>"$ROOTS/.lock"
	flock 7
}

# The first error line of a failed debootstrap or apt run, for the
# one-line message.
first_error() {
	grep -m 1 -E '^E: ' "$1" || grep -E 'Couldn.t|Failed|Unable|not found' "$1" | tail -n 1
}

create() {
	local suite=$1 dir tmp url pkgs extra log
	dir=$(root_dir "$suite")
	url=${IMS_MIRROR:-$(mirror)}
	pkgs=$BASE_PKGS${SUITE_PKGS[$suite]:+,${SUITE_PKGS[$suite]// /,}}
	rm -rf "$ROOTS"/.new-"$suite".*
	tmp=$(mktemp -d "$ROOTS/.new-$suite.XXXXXX")
	log=$ROOTS/$suite.debootstrap.log
	msg "making the $suite root (debootstrap from $url; log $log)"
	if ! debootstrap --variant=minbase --include="$pkgs" "$suite" "$tmp" "$url" >"$log" 2>&1; then
		rm -rf "$tmp"
		die "cannot make the $suite root from $url: $(first_error "$log")"
	fi
	# Apt in the root: no Valid-Until check, no recommends, the extra suites.
	cat >"$tmp/etc/apt/apt.conf.d/90ims" <<-EOF
	Acquire::Check-Valid-Until "false";
	APT::Install-Recommends "false";
	EOF
	extra=${SUITE_EXTRA[$suite]}
	{
		echo "deb $url $suite main"
		[ -z "$extra" ] || echo "deb $url $extra main"
	} >"$tmp/etc/apt/sources.list"
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	touch "$tmp/.complete"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	(in_root "$suite" apt-get update -qq) >"$log.apt" 2>&1 ||
		die "apt-get update in the $suite root failed: $(first_error "$log.apt")"
	touch "$dir/var/lib/apt/lists/.ims-updated"
}

ensure() {
	local suite=$1 dir
	known_suite "$suite"
	dir=$(root_dir "$suite")
	if [ ! -f "$dir/.complete" ]; then
		apt_ensure debootstrap
		lock_roots
		[ -f "$dir/.complete" ] || create "$suite"
	fi
	echo "$dir"
}

# in_root SUITE CMD...: CMD in the root with the host's trees mounted.
in_root() {
	local suite=$1 dir p binds=()
	shift
	dir=$(root_dir "$suite")
	[ -f "$dir/.complete" ] || die "no $suite root: run 'roots.sh ensure $suite'"
	mkdir -p "$IMS_CACHE/kernels" "$IMS_BUILD"
	for p in /tmp "$REPO" "$IMS_SRC" "$IMS_BUILD" "$IMS_CACHE/kernels"; do
		binds+=("$p")
	done
	# The trees keep their paths inside; the root's own cache holds its
	# locks (IMS_CACHE), the source and build trees are the host's.
	# shellcheck disable=SC2016 # expanded by the inner shell
	IMS_SRC=$IMS_SRC IMS_BUILD=$IMS_BUILD exec unshare --mount --propagation private -- bash -c '
		set -e
		dir=$1 suite=$2 nb=$3
		shift 3
		mount -t proc proc "$dir/proc"
		mount --rbind /dev "$dir/dev"
		for p in "${@:1:nb}"; do
			mkdir -p "$dir$p"
			mount --bind "$p" "$dir$p"
		done
		shift "$nb"
		cwd=$PWD
		[ -d "$dir$cwd" ] || cwd=/
		exec chroot "$dir" env -C "$cwd" IMS_ROOT="$suite" IMS_CACHE=/var/cache/ims-testbed \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' in-root "$dir" "$suite" "${#binds[@]}" "${binds[@]}" "$@"
}

# apt-get in the root, serialized with every other change of a root. A
# dpkg run that was interrupted is finished first.
root_apt() {
	local suite=$1 log
	shift
	lock_roots
	log=$ROOTS/$suite.apt.log
	if ! (in_root "$suite" sh -c 'dpkg --configure -a && exec apt-get -y -qq -o Dpkg::Use-Pty=0 "$@"' \
		apt "$@") >"$log" 2>&1; then
		die "apt-get $* in the $suite root failed: $(first_error "$log") (log: $log)"
	fi
}

update() {
	local suite=$1 dir age lists
	dir=$(ensure "$suite")
	lists=$dir/var/lib/apt/lists
	age=$(( $(date +%s) - $(stat -c %Y "$lists/.ims-updated" 2>/dev/null || echo 0) ))
	[ "$age" -ge "${IMS_ROOT_MAX_AGE:-21600}" ] || return 0
	msg "apt-get update in the $suite root"
	root_apt "$suite" update
	touch "$lists/.ims-updated"
}

of_kver() {
	local kver=$1 d
	for d in "$ROOTS"/*/; do
		d=${d%/}
		[ -f "$d/.complete" ] && [ -f "$d/usr/src/linux-headers-$kver/Makefile" ] &&
			{ basename "$d"; return 0; }
	done
	return 1
}

cmd=${1:-}
shift || true
case "$cmd" in
ensure)	[ $# -eq 1 ] || die "usage: roots.sh ensure SUITE"; ensure "$1" ;;
update)	[ $# -eq 1 ] || die "usage: roots.sh update SUITE"; update "$1" ;;
apt)	[ $# -ge 2 ] || die "usage: roots.sh apt SUITE ARGS..."; ensure "$1" >/dev/null; root_apt "$@" ;;
run)	[ $# -ge 2 ] || die "usage: roots.sh run SUITE CMD..."; known_suite "$1"; in_root "$@" ;;
of-kver) [ $# -eq 1 ] || die "usage: roots.sh of-kver KVER"; of_kver "$1" ;;
*)	die "usage: roots.sh {ensure SUITE | update SUITE | apt SUITE ARGS... | run SUITE CMD... | of-kver KVER}" ;;
esac
