#!/usr/bin/env bash
# Build the Debian packages of ims into build/deb/ ('make deb'):
#
#   ims-dkms_<version>_all.deb     the DKMS package sources in /usr/src/ims-<version>
#   ims-tools_<version>_amd64.deb  /usr/bin/imsctl and its manual page
#
# (plus the .buildinfo and .changes, and the source package ims_<version>.dsc
# and .tar.xz), then run lintian on them. Installs the
# build dependencies with apt when missing. The build runs in a copy of the
# tree, build/deb/src/ims-<version>/: the files git tracks or would track
# (.gitignore applies, so build/ and results/ stay out), or, outside a git
# checkout, the tree without build/, results/ and .git. Fails when VERSION and
# debian/changelog disagree, when the build fails, or on any lintian tag of
# level pedantic or above that debian/*.lintian-overrides does not override
# (each override must follow a comment that justifies it).
#
# Environment: IMS_DEB_OUT (default: $IMS_BUILD/deb).
set -euo pipefail
. "$(dirname "$0")/common.sh"

OUT=${IMS_DEB_OUT:-$IMS_BUILD/deb}
BUILD_DEPS=(debhelper dh-dkms libpci-dev pkgconf fakeroot dpkg-dev lintian make gcc rsync)

[ -f "$IMS_SRC/debian/changelog" ] || die "no debian/changelog in $IMS_SRC"
VERSION=$(cat "$IMS_SRC/VERSION")

if ! pkgs_installed "${BUILD_DEPS[@]}"; then
	[ "$(id -u)" -eq 0 ] || die "missing build dependencies (${BUILD_DEPS[*]}); run as root to install them"
	apt_ensure "${BUILD_DEPS[@]}"
fi

deb_version=$(dpkg-parsechangelog -l "$IMS_SRC/debian/changelog" -S Version)
[ "$deb_version" = "$VERSION" ] ||
	die "VERSION says $VERSION but debian/changelog says $deb_version (add a changelog entry: dch -v $VERSION)"

# Every override is justified by the comment line(s) right before it.
for f in "$IMS_SRC"/debian/*.lintian-overrides; do
	[ -e "$f" ] || continue
	awk -v f="${f#"$IMS_SRC"/}" '
		/^[[:space:]]*$/ { c = 0; next }
		/^#/ { c = 1; next }
		!c { printf "%s:%d: lintian override without a justifying comment: %s\n", f, NR, $0; bad = 1 }
		END { exit bad }' "$f" >&2 || die "unjustified lintian override in ${f#"$IMS_SRC"/}"
done

# The source copy.
src=$OUT/src/ims-$VERSION
rm -rf "$OUT"
mkdir -p "$src"
if git -C "$IMS_SRC" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# (deleted but tracked files are listed too: keep those that exist)
	(cd "$IMS_SRC" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		rsync -a --from0 --files-from=- ./ "$src/")
else
	rsync -a --exclude=/build/ --exclude=/results/ --exclude=/.git "$IMS_SRC/" "$src/"
fi
[ -f "$src/tools/imsctl/Makefile" ] || die "no tools/imsctl/Makefile in $IMS_SRC: imsctl (ims-tools) is missing"

# The source package too (for lintian's source checks; a -b .changes has
# none), from the clean copy.
(cd "$OUT/src" && dpkg-source -b "ims-$VERSION") >"$OUT/source.log" 2>&1 ||
	{ cat "$OUT/source.log" >&2; die "dpkg-source -b failed (log: $OUT/source.log)"; }

msg "dpkg-buildpackage in $src (log: $OUT/build.log)"
t0=$(date +%s)
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1; then
	tail -n 30 "$OUT/build.log" >&2
	die "dpkg-buildpackage failed (log: $OUT/build.log)"
fi
msg "built in $(($(date +%s) - t0)) s"

arch=$(dpkg --print-architecture)
changes=$OUT/src/ims_${VERSION}_$arch.changes
[ -f "$changes" ] || die "no $changes after the build"
dsc=$OUT/src/ims_$VERSION.dsc
for f in "$OUT"/src/*.deb "$OUT"/src/*.buildinfo "$changes" "$dsc" "$OUT/src/ims_$VERSION.tar".*; do
	mv "$f" "$OUT/"
done
changes=$OUT/${changes##*/}
dsc=$OUT/${dsc##*/}
for deb in "ims-dkms_${VERSION}_all.deb" "ims-tools_${VERSION}_$arch.deb"; do
	[ -f "$OUT/$deb" ] || die "$deb was not built"
done

# Lintian: tags of every level down to pedantic fail the build unless
# overridden (experimental tags are shown, not judged). The overridden tags
# and their justifications go to the log from a second, unjudged run
# (lintian 2.116 counts overridden tags as failures with --show-overrides).
msg "lintian $changes ${dsc##*/}"
rc=0
lintian --fail-on error,warning,info,pedantic -E -I --pedantic --color never \
	"$changes" "$dsc" >"$OUT/lintian.log" 2>&1 || rc=$?
cat "$OUT/lintian.log" >&2
[ "$rc" -eq 0 ] || die "lintian found tags that are not overridden (log: $OUT/lintian.log)"
{
	echo "# overridden tags and their justifications:"
	lintian -E -I --pedantic --show-overrides --color never "$changes" "$dsc" 2>&1 | grep -E '^[NO]: ' || true
} >>"$OUT/lintian.log"

ls -1 "$OUT"/*.deb
