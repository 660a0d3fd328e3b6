# shellcheck shell=bash
# The host packaging test, sourced by 'dkms.sh test KVER...' (its helpers and
# lock in place). Prints TAP and IMS-SUITE-FINISHED, judged by check.sh like
# a lane. It goes from no package to the package installed for every KVER:
# the VM lanes then boot with the modules DKMS installed.

n=0
t_ok()   { n=$((n + 1)); echo "ok $n - $1"; }
t_fail() { n=$((n + 1)); echo "not ok $n - $1 # $2"; }
# check NAME CMD...: one test case; its output goes to the log as diagnostics
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		t_ok "$name"
	else
		t_fail "$name" "$(echo "$out" | tail -n 1)"
	fi
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
}

kvers=("$@")
mods=$(package_modules)

no_package_left() {
	local kver mod
	[ -z "$(pkg_status)" ] || { pkg_status; return 1; }
	[ ! -e "$PKGSRC" ] || { echo "$PKGSRC still there"; return 1; }
	for kver in "${kvers[@]}"; do
		for mod in $mods; do
			! module_file "$kver" "$mod" || { echo "$mod left for $kver"; return 1; }
		done
	done
}

installed_everywhere() {
	local kver mod
	for kver in "${kvers[@]}"; do
		installed_for "$kver" || { pkg_status; return 1; }
		[ -s "$PKGSRC/symvers/$kver/Module.symvers" ] || { echo "no symvers for $kver"; return 1; }
		for mod in $mods; do
			module_file "$kver" "$mod" >/dev/null || { echo "$mod missing for $kver"; return 1; }
		done
	done
	pkg_status
}

modinfo_ok() {
	local kver=$1 mod f field
	for mod in $mods; do
		f=$(module_file "$kver" "$mod")
		[ "$(modinfo -F version "$f")" = "$VERSION" ] || { echo "$mod: version is not $VERSION"; return 1; }
		[ "$(modinfo -F license "$f")" = GPL ] || { echo "$mod: license"; return 1; }
		for field in description vermagic; do
			[ -n "$(modinfo -F "$field" "$f")" ] || { echo "$mod: no $field"; return 1; }
		done
		# every parameter has a description
		modinfo -F parm "$f" | grep -v ':.\{10,\}' && { echo "$mod: parameter without description"; return 1; }
		modinfo -F parm "$f" | sed "s/^/$mod: /"
	done
	[[ "$(modinfo -F parm "$(module_file "$kver" ims_core)")" == *allow_direct_vector:* ]]
}

# The vendor sample is built from a copy outside this tree against the
# installed headers and symbol versions; its imports carry ims_core's CRCs
# (kernels with CONFIG_MODVERSIONS, e.g. Debian's 6.x) or at least resolve
# in the installed symvers (without it: Debian's 7.x).
vendor_ok() {
	local kver=$1 dir ko
	dir=$(mktemp -d)
	ko=$(vendor_build "$kver" "$dir") || { rm -rf "$dir"; return 1; }
	vendor_imports_ok "$kver" "$ko" || { rm -rf "$dir"; return 1; }
	rm -rf "$dir"
}

vendor_imports_ok() {
	local kver=$1 ko=$2 sym crc n=0 symvers=$PKGSRC/symvers/$kver/Module.symvers
	[ "$(modinfo -F depends "$ko")" = ims_core ] || { echo "depends: $(modinfo -F depends "$ko")"; return 1; }
	if grep -q '^CONFIG_MODVERSIONS=y' "/lib/modules/$kver/build/.config" 2>/dev/null; then
		while read -r crc sym; do
			case "$sym" in *ims_*) ;; *) continue ;; esac
			grep -q "^$crc[[:space:]]$sym[[:space:]]" "$symvers" ||
				{ echo "$sym: CRC $crc not in the installed symvers"; return 1; }
			echo "$sym $crc"
			n=$((n + 1))
		done < <(modprobe --dump-modversions "$ko")
	else
		while read -r sym; do
			awk -v s="$sym" '$2 == s && $5 == "IMS" { f = 1 } END { exit !f }' "$symvers" ||
				{ echo "$sym: not exported in namespace IMS by the installed symvers"; return 1; }
			echo "$sym (no modversions)"
			n=$((n + 1))
		done < <(nm -u "$ko" | awk '$2 ~ /^ims_/ { print $2 }')
	fi
	[ "$n" -gt 0 ] || { echo "no ims_* import found in $ko"; return 1; }
}

# 'make install' for users without DKMS, into a staging root.
make_install_check() {
	local kver=$1 root=$2 mod dep
	make -C "$IMS_SRC" --no-print-directory install KDIR="/lib/modules/$kver/build" DESTDIR="$root" >"$root/.log" 2>&1 ||
		{ tail -n 20 "$root/.log"; return 1; }
	dep=$root/lib/modules/$kver/modules.dep
	for mod in $mods; do
		grep -q "^extra/$mod.ko" "$dep" || { echo "$mod not in $dep"; return 1; }
	done
	grep -q '^extra/idxd_ref\.ko[.a-z]*:.*extra/ims_core\.ko' "$dep" || { echo "idxd_ref does not depend on ims_core"; return 1; }
	[ -f "$root$PKGSRC/include/ims/ims.h" ] || { echo "header not installed"; return 1; }
	[ -s "$root$PKGSRC/symvers/$kver/Module.symvers" ] || { echo "symvers not installed"; return 1; }
	find "$root" -type f ! -name .log | sed "s|^$root||" | sort
}

make_install_ok() {
	local root rc=0
	root=$(mktemp -d)
	make_install_check "$1" "$root" || rc=$?
	rm -rf "$root"
	return $rc
}

remove_and_verify() {
	unregister && no_package_left
}

added() {
	local st
	st=$(pkg_status)
	echo "$st"
	[[ "$st" == *": added"* ]]
}

echo "TAP version 13"
echo "1..$((7 + 4 * ${#kvers[@]}))"
check "dkms-remove-leaves-nothing" remove_and_verify
check "dkms-add" register
check "dkms-status-added" added
for kver in "${kvers[@]}"; do
	check "dkms-install-$kver" dkms install "$PKG" -k "$kver"
	check "modinfo-$kver" modinfo_ok "$kver"
done
check "dkms-status-installed" installed_everywhere
for kver in "${kvers[@]}"; do
	check "vendor-build-$kver" vendor_ok "$kver"
done
check "dkms-remove-all" unregister
check "dkms-remove-cleans" no_package_left
# 'make install' builds outside DKMS, into a staging root
for kver in "${kvers[@]}"; do
	check "make-install-$kver" make_install_ok "$kver"
done
# the VM lanes boot with what DKMS installs
check "dkms-reinstall" install_for "${kvers[@]}"
echo "IMS-SUITE-FINISHED"
