#!/usr/bin/env bash
# 'make install': build the package (no tests) against KDIR and install it
# without DKMS, under DESTDIR (default /):
#   lib/modules/<kver>/extra/{ims_core,idxd_ref}.ko, then depmod
#   usr/src/ims-<version>/include/                 public headers
#   usr/src/ims-<version>/symvers/<kver>/Module.symvers
# the same layout the DKMS package leaves, so vendor modules build the same
# way against either (tests/vendor/Makefile).
#
#   install.sh KDIR [DESTDIR]
set -euo pipefail
. "$(dirname "$0")/common.sh"

kdir=${1:?usage: install.sh KDIR [DESTDIR]}
destdir=${2:-}
uts=$kdir/include/generated/utsrelease.h
[ -f "$uts" ] || die "no kernel build tree at $kdir"
kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$uts")
pkgsrc=$destdir/usr/src/ims-$(cat "$REPO/VERSION")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$REPO/scripts/dkms.sh" stage "$tmp"
make -C "$kdir" M="$tmp" W=1 modules >&2
# Unsigned, as DKMS builds them (distribution keys are not in the headers);
# stock Debian kernels load unsigned modules unless lockdown is on.
make -C "$kdir" M="$tmp" INSTALL_MOD_PATH="$destdir" INSTALL_MOD_DIR=extra \
	CONFIG_MODULE_SIG_ALL= modules_install >&2
depmod ${destdir:+-b "$destdir"} "$kver"

install -d "$pkgsrc"
cp -r "$tmp/include" "$pkgsrc/"
install -D -m 0644 "$tmp/Module.symvers" "$pkgsrc/symvers/$kver/Module.symvers"
msg "installed ims for $kver under ${destdir:-/}"
