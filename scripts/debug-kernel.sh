#!/usr/bin/env bash
# The test bed's debug kernel: Debian's linux-source-6.12 with KASAN, lockdep,
# kmemleak and irq debugfs (scripts/debug-kernel.config on allnoconfig).
#
#   debug-kernel.sh build   build it once (cached), print its kver
#   debug-kernel.sh kver    print the kver of the cached build, or fail
#
# The build lives in $IMS_CACHE/debug-kernel/<key>/, where the key is the
# linux-source-6.12 version plus a hash of everything that changes the
# result (base recipe, fragment, compiler). The kver carries that hash too,
# so a new config never meets modules DKMS built against an old one. A
# finished build leaves what kernels.sh leaves for a Debian kernel,
# $IMS_CACHE/kernels/<kver>/{vmlinuz,config,modules.builtin*,.complete}, and
# /lib/modules/<kver>/build pointing at the tree (with its Module.symvers),
# for build-modules.sh and DKMS. Each build run's duration is appended to
# <key>/build-times. Progress goes to stderr; stdout is the kver.
set -euo pipefail
. "$(dirname "$0")/common.sh"

SRCPKG=linux-source-6.12
TARBALL=/usr/src/$SRCPKG.tar.xz
FRAGMENT=$REPO/scripts/debug-kernel.config
# The base the fragment goes on; part of the key.
BASE=allnoconfig
DEPS=(bc bison flex libelf-dev libssl-dev dwarves cpio xz-utils gcc make "$SRCPKG")
TOP=$IMS_CACHE/debug-kernel

# Installed version of the source package, or nothing.
src_version() {
	dpkg-query -W -f='${Version}' "$SRCPKG" 2>/dev/null || true
}

# key: <package version>-<hash>, or fail if the sources are not installed.
build_key() {
	local ver hash
	ver=$(src_version)
	[ -n "$ver" ] || return 1
	hash=$( { echo "$BASE"; cat "$FRAGMENT"; gcc --version | head -n 1; } |
		sha256sum | cut -c1-12)
	echo "${ver//[~:]/_}-$hash"
}

# True if the build of KEY is complete and installed where its users look.
ready() {
	local key=$1 dir kver
	dir=$TOP/$key
	[ -f "$dir/.complete" ] || return 1
	kver=$(cat "$dir/kver")
	[ -f "$IMS_CACHE/kernels/$kver/.complete" ] &&
		[ "$(readlink "/lib/modules/$kver/build")" = "$dir/src" ]
}

cached_kver() {
	local key
	key=$(build_key) || die "$SRCPKG is not installed: run 'debug-kernel.sh build'"
	ready "$key" || die "no debug kernel built for key $key: run 'debug-kernel.sh build' (or make check-debug)"
	cat "$TOP/$key/kver"
}

# Fail, naming them, if options of the fragment did not survive olddefconfig.
verify_config() {
	local cfg=$1 line opt lost=()
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF -- "$line" "$cfg" || lost+=("$line (got: $(grep -E "^(# )?${line%%=*}[= ]" "$cfg" || echo absent))") ;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" "$cfg" || lost+=("$line (got: $(grep "^$opt=" "$cfg"))") ;;
		esac
	done <"$FRAGMENT"
	[ ${#lost[@]} -eq 0 ] && return 0
	printf '[ims]   %s\n' "${lost[@]}" >&2
	die "${#lost[@]} option(s) of $FRAGMENT did not survive olddefconfig"
}

# Drop the builds of other keys (a tree is ~2 GB): their image cache entries
# and build links go with them.
prune_others() {
	local keep=$1 d kver
	for d in "$TOP"/*/; do
		d=${d%/}
		[ -d "$d" ] && [ "$(basename "$d")" != "$keep" ] || continue
		kver=$(cat "$d/kver" 2>/dev/null || true)
		msg "debug kernel: removing the old build $d"
		if [ -n "$kver" ]; then
			rm -rf "${IMS_CACHE:?}/kernels/$kver"
			rm -f "/lib/modules/$kver/build"
		fi
		rm -rf "$d"
	done
}

kmake() {
	nice -n 10 make -C "$1" -j"$(nproc)" "${@:2}" >&2
}

build() {
	local key dir src kver start secs kdir tmp kind
	# Fast path, without apt or the lock: nothing to do.
	if key=$(build_key) && ready "$key"; then
		cat "$TOP/$key/kver"
		return
	fi
	apt_ensure "${DEPS[@]}"
	key=$(build_key) || die "cannot read the version of $SRCPKG"
	dir=$TOP/$key
	src=$dir/src
	mkdir -p "$TOP"
	exec 8>"$TOP/.lock"
	msg "debug kernel: taking the build lock"
	flock 8
	if ready "$key"; then
		cat "$dir/kver"
		return
	fi
	prune_others "$key"
	# Redone (e.g. the image cache entry was removed): incomplete meanwhile.
	rm -f "$dir/.complete"
	start=$(date +%s)
	kind=resumed
	if [ ! -f "$dir/.extracted" ]; then
		kind=full
		rm -rf "$dir"
		mkdir -p "$src"
		msg "debug kernel: unpacking $TARBALL into $src"
		tar -xJf "$TARBALL" -C "$src" --strip-components=1
		touch "$dir/.extracted"
	else
		msg "debug kernel: resuming the build in $src"
	fi

	msg "debug kernel: configuring ($BASE + $FRAGMENT)"
	kmake "$src" -s ARCH=x86_64 "$BASE"
	(cd "$src" && ./scripts/kconfig/merge_config.sh -m .config "$FRAGMENT" >&2)
	# The hash in the kver keeps DKMS builds of different configs apart.
	(cd "$src" && ./scripts/config --set-str LOCALVERSION "-ims-debug-${key##*-}" \
		--disable LOCALVERSION_AUTO)
	kmake "$src" -s olddefconfig
	verify_config "$src/.config"

	msg "debug kernel: building with -j$(nproc) (niced), log $dir/build.log"
	if ! kmake "$src" all >"$dir/build.log" 2>&1; then
		tail -n 40 "$dir/build.log" >&2
		die "debug kernel build failed (log: $dir/build.log)"
	fi
	[ -s "$src/Module.symvers" ] || die "the build left no Module.symvers"
	# Only valid after the build has generated include/config/auto.conf.
	kver=$(make -s -C "$src" kernelrelease)
	[[ "$kver" == *"-ims-debug-${key##*-}" ]] || die "unexpected kernelrelease '$kver'"
	secs=$(($(date +%s) - start))

	# The image cache entry, as kernels.sh fetch_image leaves it.
	kdir=$IMS_CACHE/kernels/$kver
	mkdir -p "$IMS_CACHE/kernels"
	tmp=$(mktemp -d "$IMS_CACHE/kernels/.dbg.XXXXXX")
	cp "$src/arch/x86/boot/bzImage" "$tmp/vmlinuz"
	cp "$src/.config" "$tmp/config"
	cp "$src/modules.builtin" "$src/modules.builtin.modinfo" "$tmp/"
	touch "$tmp/.complete"
	rm -rf "$kdir"
	mv "$tmp" "$kdir"

	# What 'make modules_install' would leave for DKMS and depmod.
	mkdir -p "/lib/modules/$kver"
	cp "$src/modules.order" "$src/modules.builtin" "$src/modules.builtin.modinfo" \
		"/lib/modules/$kver/"
	ln -sfn "$src" "/lib/modules/$kver/build"
	depmod -a "$kver"

	echo "$kver" >"$dir/kver"
	# One line per build run: the first is the full build.
	echo "$(date -u +%FT%TZ) ${secs}s -j$(nproc) $kind" >>"$dir/build-times"
	touch "$dir/.complete"
	msg "debug kernel: $kver built in ${secs}s on $(nproc) cores"
	echo "$kver"
}

cmd=${1:-}
case "$cmd" in
build)	build ;;
kver)	cached_kver ;;
*)	die "usage: debug-kernel.sh {build | kver}" ;;
esac
