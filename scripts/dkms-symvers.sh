#!/usr/bin/env bash
# DKMS hook: keep the symbol versions of each kernel's ims build next to the
# installed headers, so that vendor modules can be built against the
# installed package:
#   /usr/src/ims-<version>/include/ims/ims.h
#   /usr/src/ims-<version>/symvers/<kver>/Module.symvers
#
#   dkms-symvers.sh save KVER   POST_BUILD: run in the DKMS build directory
#   dkms-symvers.sh drop KVER   POST_REMOVE: run in the DKMS source directory
set -euo pipefail

cmd=${1:?usage: dkms-symvers.sh save|drop KVER}
kver=${2:?usage: dkms-symvers.sh save|drop KVER}
# POST_BUILD runs in the build directory, beside the source link; POST_REMOVE
# in the source directory itself (readlink -f would resolve a missing
# ../source there without failing)
if [ -e ../source ]; then src=$(readlink -f ../source); else src=$(pwd -P); fi
dest=$src/symvers/$kver

case "$cmd" in
save)
	install -D -m 0644 Module.symvers "$dest/Module.symvers"
	echo "ims: symbol versions for $kver in $dest"
	;;
drop)
	rm -rf "$dest"
	rmdir --ignore-fail-on-non-empty "$src/symvers" 2>/dev/null || true
	;;
*)
	echo "usage: dkms-symvers.sh save|drop KVER" >&2
	exit 2
	;;
esac
