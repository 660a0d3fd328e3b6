# shellcheck shell=bash
# The host packaging test, sourced by 'dkms.sh test KVER...' (its helpers and
# lock in place). Prints TAP and IMS-SUITE-FINISHED, judged by check.sh like
# a lane. It goes from no package to the package installed for every KVER:
# the VM lanes then boot with the modules DKMS installed. An arm64 KVER is a
# cross build (dkms_kver): built, not installed, and not among the kernels
# of the Debian package's postinst or of 'make install' (native builds).

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
	[ -z "$out" ] || printf '# %s\n' "${out//$'\n'/$'\n'# }"
}
# skip NAME REASON: a case that does not apply here
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

kvers=("$@")
native=()
for kver in "${kvers[@]}"; do kver_is_arm64 "$kver" || native+=("$kver"); done
mods=$(package_modules)

no_package_left() {
	local kver mod
	[ -z "$(pkg_status)" ] || { pkg_status; return 1; }
	[ ! -e "$PKGSRC" ] || { find "$PKGSRC" | head -n 20; echo "$PKGSRC still there"; return 1; }
	for kver in "${kvers[@]}"; do
		for mod in $mods; do
			! module_file "$kver" "$mod" || { echo "$mod left for $kver"; return 1; }
		done
	done
}

# removed_for_only KVER: after 'dkms remove' for KVER, nothing of the
# package is left for KVER (status, modules, symbol versions: the removal
# hook ran), and every other kernel still has it.
removed_for_only() {
	local gone=$1 kver mod
	[[ "$(pkg_status -k "$gone")" != *", $gone,"* ]] || { pkg_status -k "$gone"; return 1; }
	for mod in $mods; do
		! module_file "$gone" "$mod" || { echo "$mod left for $gone"; return 1; }
	done
	[ ! -e "$PKGSRC/symvers/$gone" ] || { echo "symvers of $gone left"; return 1; }
	for kver in "${kvers[@]}"; do
		[ "$kver" = "$gone" ] || deployed_for "$kver" || { echo "$kver lost the package"; pkg_status; return 1; }
	done
	pkg_status
}

installed_everywhere() {
	local kver mod
	for kver in "${kvers[@]}"; do
		deployed_for "$kver" || { pkg_status; return 1; }
		[ -s "$PKGSRC/symvers/$kver/Module.symvers" ] || { echo "no symvers for $kver"; return 1; }
		for mod in $mods; do
			module_file "$kver" "$mod" >/dev/null || { echo "$mod missing for $kver"; return 1; }
		done
	done
	pkg_status
}

# elf_machine FILE: the ELF machine of a module file, compressed or not.
elf_machine() {
	local tmp m
	tmp=$(mktemp)
	module_cat "$1" >"$tmp"
	m=$(readelf -h "$tmp" | sed -n 's/^ *Machine: *//p')
	rm -f "$tmp"
	echo "$m"
}

modinfo_ok() {
	local kver=$1 mod f machine=X86-64 m
	kver_is_arm64 "$kver" && machine=AArch64
	for mod in $mods; do
		f=$(module_file "$kver" "$mod")
		[ "$(modinfo -F version "$f")" = "$VERSION" ] || { echo "$mod: version is not $VERSION"; return 1; }
		# built for KVER and its architecture (a cross build that fell back
		# to the host's compiler would give X86-64 here, or fail earlier)
		[[ "$(modinfo -F vermagic "$f")" == "$kver "* ]] || { echo "$mod: vermagic '$(modinfo -F vermagic "$f")'"; return 1; }
		m=$(elf_machine "$f")
		[[ "$m" == *"$machine" ]] || { echo "$mod: ELF machine '$m', not $machine"; return 1; }
		[ "$(modinfo -F license "$f")" = GPL ] || { echo "$mod: license"; return 1; }
		[ -n "$(modinfo -F description "$f")" ] || { echo "$mod: no description"; return 1; }
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
	ko=$(vendor_kver "$kver" "$dir") || { rm -rf "$dir"; return 1; }
	vendor_imports_ok "$kver" "$ko" || { rm -rf "$dir"; return 1; }
	rm -rf "$dir"
}

vendor_imports_ok() {
	local kver=$1 ko=$2 sym crc n=0 symvers
	symvers=$PKGSRC/symvers/$kver/Module.symvers
	[ "$(modinfo -F depends "$ko")" = ims_core ] || { echo "depends: $(modinfo -F depends "$ko")"; return 1; }
	if grep -q '^CONFIG_MODVERSIONS=y' "$(kver_kdir "$kver")/.config" 2>/dev/null; then
		while read -r crc sym; do
			case "$sym" in *ims_*) ;; *) continue ;; esac
			grep -q "^${crc}[[:space:]]${sym}[[:space:]]" "$symvers" ||
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

# The Debian packages (scripts/deb.sh), installed and purged with apt as a
# vendor would. Debian 12 packages: tested on the host only; in a suite's
# root (IMS_ROOT) the cases are skipped.
DEB_OUT=${IMS_DEB_OUT:-$IMS_BUILD/deb}
DEB_PKGS=(ims-dkms ims-tools)
IMSCTL=/usr/bin/imsctl
IMSCTL_MAN=/usr/share/man/man8/imsctl.8.gz

deb_build() {
	local t0 rc=0
	t0=$(date +%s)
	"$REPO/scripts/deb.sh" 2>&1 | tail -n 15 || rc=$?
	echo "deb build: $(($(date +%s) - t0)) s"
	return $rc
}

deb_install() {
	local t0=$SECONDS
	apt_locked apt-get install -y -q "${APT_OPTS[@]}" \
		"$DEB_OUT/ims-dkms_${VERSION}_all.deb" \
		"$DEB_OUT/ims-tools_${VERSION}_$(dpkg --print-architecture).deb" 2>&1 || return
	echo "deb install: $((SECONDS - t0)) s"
}

deb_purge() {
	local t0=$SECONDS
	apt_locked apt-get purge -y -q "${APT_OPTS[@]}" "${DEB_PKGS[@]}" 2>&1 || return
	echo "deb purge: $((SECONDS - t0)) s"
}

# /usr/src/ims-<version> from the package is what 'dkms.sh stage' stages,
# but for dkms.conf's version (literal there) and the symvers/ the DKMS
# hook adds; its dkms.conf names this version.
deb_sources_ok() {
	local tmp rc=0
	dpkg -S "$PKGSRC/dkms.conf" | grep -q '^ims-dkms: ' || { echo "$PKGSRC/dkms.conf not from ims-dkms"; return 1; }
	tmp=$(mktemp -d)
	stage "$tmp"
	sed -i 's/^PACKAGE_VERSION=.*/PACKAGE_VERSION="'"$VERSION"'"/' "$tmp/dkms.conf"
	diff -r -x symvers "$tmp" "$PKGSRC" || rc=1
	rm -rf "$tmp"
	[ "$rc" -eq 0 ] || return 1
	[ "$(conf_var "$PKGSRC/dkms.conf" PACKAGE_NAME)/$(conf_var "$PKGSRC/dkms.conf" PACKAGE_VERSION)" = "$PKG" ] ||
		{ echo "$PKGSRC/dkms.conf is not $PKG"; return 1; }
	echo "$PKGSRC = staged package (dkms.conf: PACKAGE_VERSION=\"$VERSION\")"
}

# conf_var FILE VAR: VAR as the dkms.conf FILE sets it (DKMS sources it).
conf_var() {
	# shellcheck disable=SC1090,SC2034
	(set +u; kernelver=; . "$1" && echo "${!2}")
}

# True if KVER has headers and passes dkms.conf's BUILD_EXCLUSIVE_CONFIG.
kernel_buildable() {
	local kver=$1 c
	[ -e "/lib/modules/$kver/build/include" ] || return 1
	for c in $(conf_var "$REPO/dkms.conf" BUILD_EXCLUSIVE_CONFIG); do
		grep -q "^$c=[ym]" "/lib/modules/$kver/build/.config" || return 1
	done
}

# The kernels Debian 12's dkms postinst (/usr/lib/dkms/common.postinst)
# builds and installs the package for on a first install: every kernel of
# /lib/modules when the running kernel has no directory there (as on this
# test bed, whose host runs a kernel of its own) or with
# autoinstall_all_kernels; else the running kernel and the newest one (by
# /boot/config-*). Of those, the ones with headers that pass
# BUILD_EXCLUSIVE (the others dkms skips).
postinst_kernels() {
	local cur k all='' newest
	cur=$(uname -r)
	# shellcheck disable=SC1091
	all=$(set +u; [ ! -r /etc/dkms/framework.conf ] || . /etc/dkms/framework.conf; echo "${autoinstall_all_kernels:-}")
	if [ -z "$all" ] && [ -e "/lib/modules/$cur" ]; then
		newest=$(find /boot -maxdepth 1 -name 'config-*' -printf '%f\n' | sed 's/^config-//' |
			while read -r k; do [ -e "/lib/modules/$k" ] && echo "$k"; done | sort -V | tail -n 1)
		printf '%s\n' "$cur" "$newest"
	else
		ls -1 /lib/modules/
	fi | sort -u | while read -r k; do
		[ -n "$k" ] && kernel_buildable "$k" && echo "$k"
	done
}

words() { echo "$1" | paste -sd' '; }

# dkms status: installed for exactly the kernels the postinst builds for,
# and these include every kernel of this test.
deb_dkms_installed() {
	local want got kver
	[ -f /etc/dkms/no-autoinstall ] && { echo "/etc/dkms/no-autoinstall is set: the postinst builds nothing"; return 1; }
	want=$(postinst_kernels)
	got=$(pkg_status | sed -n 's/^[^,]*, \([^,:]*\)[,:].*: installed.*/\1/p' | sort -u)
	pkg_status
	echo "postinst kernels: $(words "$want")"
	[ "$want" = "$got" ] || { echo "installed for '$(words "$got")', expected '$(words "$want")'"; return 1; }
	for kver in "${native[@]}"; do
		[[ $'\n'"$want"$'\n' == *$'\n'"$kver"$'\n'* ]] ||
			{ echo "$kver is not among the kernels the postinst builds for"; return 1; }
		deployed_for "$kver" || { echo "not installed for $kver"; return 1; }
		[ -s "$PKGSRC/symvers/$kver/Module.symvers" ] || { echo "no symvers for $kver"; return 1; }
	done
}

deb_modules_ok() {
	local kver=$1 mod f v
	for mod in $mods; do
		f=$(module_file "$kver" "$mod") || { echo "$mod missing in /lib/modules/$kver/updates/dkms/"; return 1; }
		v=$(modinfo -F version "$f")
		[ "$v" = "$VERSION" ] || { echo "$f: version '$v', not $VERSION"; return 1; }
		echo "$f $v"
	done
}

deb_imsctl_ok() {
	local out
	[ "$(command -v imsctl)" = "$IMSCTL" ] || { echo "imsctl is '$(command -v imsctl)', not $IMSCTL"; return 1; }
	dpkg -S "$IMSCTL" | grep -q '^ims-tools: ' || { echo "$IMSCTL not from ims-tools"; return 1; }
	out=$("$IMSCTL" --version) || { echo "imsctl --version failed: $out"; return 1; }
	echo "$out"
	[ "$out" = "imsctl $VERSION" ] || { echo "imsctl --version: '$out', not 'imsctl $VERSION'"; return 1; }
}

deb_manpage_ok() {
	dpkg -S "$IMSCTL_MAN" | grep -q '^ims-tools: ' || { echo "$IMSCTL_MAN not from ims-tools"; return 1; }
	gzip -t "$IMSCTL_MAN" || return 1
	[ -n "$(gzip -dc "$IMSCTL_MAN")" ] || { echo "$IMSCTL_MAN is empty"; return 1; }
	echo "$IMSCTL_MAN: $(gzip -dc "$IMSCTL_MAN" | wc -l) lines"
}

# After the purge: no package, no DKMS state, no module of any kernel, no
# imsctl, no manual page.
deb_purge_cleans() {
	local p st f
	no_package_left || return 1
	for p in "${DEB_PKGS[@]}"; do
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[ -z "$st" ] || [ "$st" = "un " ] || { echo "$p: dpkg status '$st'"; return 1; }
	done
	[ ! -e /var/lib/dkms/ims ] || { echo "/var/lib/dkms/ims still there"; return 1; }
	for f in /lib/modules/*/updates/dkms/*.ko*; do
		[ -e "$f" ] || continue
		case "${f##*/}" in
		ims_core.ko*|idxd_ref.ko*) echo "$f still there"; return 1 ;;
		esac
	done
	for f in "$IMSCTL" "$IMSCTL_MAN"; do
		[ ! -e "$f" ] || { echo "$f still there"; return 1; }
	done
}

# The Debian packages first: their purge removes what their postinst built,
# and the DKMS path below then ends installed, as the VM lanes need it
# (each kernel is built twice, not three times).
echo "TAP version 13"
echo "1..$((15 + 3 * ${#kvers[@]} + 2 * ${#native[@]}))"
check "dkms-remove-leaves-nothing" remove_and_verify
# the Debian packages, from nothing to installed and purged
deb_cases=(deb-build deb-install deb-sources deb-dkms-installed)
for kver in "${native[@]}"; do deb_cases+=("deb-modules-$kver"); done
deb_cases+=(deb-imsctl deb-manpage deb-purge deb-purge-cleans)
if [ -n "${IMS_ROOT:-}" ]; then
	for c in "${deb_cases[@]}"; do
		skip "$c" "the packages are Debian 12's, tested by host/dkms"
	done
else
	check "deb-build" deb_build
	check "deb-install" deb_install
	check "deb-sources" deb_sources_ok
	check "deb-dkms-installed" deb_dkms_installed
	for kver in "${native[@]}"; do
		check "deb-modules-$kver" deb_modules_ok "$kver"
	done
	check "deb-imsctl" deb_imsctl_ok
	check "deb-manpage" deb_manpage_ok
	check "deb-purge" deb_purge
	check "deb-purge-cleans" deb_purge_cleans
fi
# DKMS from the tree's package
check "dkms-add" register
check "dkms-status-added" added
for kver in "${kvers[@]}"; do
	if kver_is_arm64 "$kver"; then
		check "dkms-cross-build-$kver" dkms_deploy "$kver"
	else
		check "dkms-install-$kver" dkms_deploy "$kver"
	fi
	check "modinfo-$kver" modinfo_ok "$kver"
done
check "dkms-status-installed" installed_everywhere
for kver in "${kvers[@]}"; do
	check "vendor-build-$kver" vendor_ok "$kver"
done
# one kernel's removal (as when that kernel goes) leaves the others
if [ ${#native[@]} -gt 0 ]; then
	check "dkms-remove-one" dkms_kver "${native[0]}" remove
	check "dkms-remove-one-cleans" removed_for_only "${native[0]}"
else
	skip "dkms-remove-one" "no native kernel in this run"
	skip "dkms-remove-one-cleans" "no native kernel in this run"
fi
# 'make install' builds outside DKMS, into a staging root
for kver in "${native[@]}"; do
	check "make-install-$kver" make_install_ok "$kver"
done
# the VM lanes boot with what DKMS installs
check "dkms-reinstall" install_for "${kvers[@]}"
echo "IMS-SUITE-FINISHED"
