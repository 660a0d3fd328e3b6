#!/bin/sh
# Every module of this lane (the DKMS-installed package in
# /lib/modules/$KVER/updates/dkms/, the test modules in extra/) loads and
# unloads cleanly, first with insmod/rmmod in dependency order, then with
# modprobe/modprobe -r through modules.dep; ims_core must be among them, no
# "Unknown symbol" may appear, and /proc/modules ends as it started.
# Loading must succeed even where a module finds no device to bind.
# timeout: 300
. "${IMS_LIB:-/ims/lib.sh}"

loaded_set() { cut -d' ' -f1 /proc/modules | sort | tr '\n' ' '; }
modname() { basename "$1" .ko | tr - _; }

dep=/lib/modules/$KVER/modules.dep
[ -s "$dep" ] || fail "$dep missing or empty (depmod not run?)"
kos=$(ls "$DKMS_DIR"/*.ko "$EXTRA_DIR"/*.ko 2>/dev/null)
[ -n "$kos" ] || fail "no modules in $DKMS_DIR or $EXTRA_DIR"
[ -f "$DKMS_DIR/ims_core.ko" ] || fail "ims_core.ko not in $DKMS_DIR"
# modules.dep line of a module: its path relative to /lib/modules/$KVER
depline() { grep "^${1#/lib/modules/$KVER/}:" "$dep"; }
for ko in $kos; do
	depline "$ko" >/dev/null || fail "$(basename "$ko") not in modules.dep"
done

start=$(loaded_set)
unknown_before=$(dmesg | grep -c 'Unknown symbol')

# Dependency order: modules.dep lists all (transitive) dependencies of a
# module, so a dependency always has fewer entries than its user.
order=$(for ko in $kos; do
	n=$(depline "$ko" | wc -w)
	echo "$n $ko"
done | sort -n | cut -d' ' -f2)
reverse=$(echo "$order" | sed -n '1!G;h;$p')
diag "load order: $(for ko in $order; do modname "$ko"; done | tr '\n' ' ')"

# 1. insmod / rmmod
for ko in $order; do
	m=$(modname "$ko")
	module_loaded "$m" && fail "$m already loaded before the test"
	run insmod "$ko"
	module_loaded "$m" || fail "insmod $m: not in /proc/modules"
done
for ko in $reverse; do
	m=$(modname "$ko")
	run rmmod "$m"
	module_loaded "$m" && fail "rmmod $m: still in /proc/modules"
done
expect_eq "$(loaded_set)" "$start" "modules after insmod/rmmod"
diag "insmod/rmmod: $(echo "$order" | wc -l) modules loaded and unloaded"

# 2. modprobe / modprobe -r, each module on its own (pulls its dependencies
#    in and takes them out again)
for ko in $order; do
	m=$(modname "$ko")
	run modprobe "$m"
	module_loaded "$m" || fail "modprobe $m: not in /proc/modules"
	for d in $(depline "$ko" | cut -d: -f2); do
		module_loaded "$(modname "$d")" || fail "modprobe $m: dependency $(modname "$d") not loaded"
	done
	run modprobe -r "$m"
	module_loaded "$m" && fail "modprobe -r $m: still in /proc/modules"
	expect_eq "$(loaded_set)" "$start" "modules after modprobe -r $m"
done
diag "modprobe/modprobe -r: ok"

unknown_after=$(dmesg | grep -c 'Unknown symbol')
expect_eq "$unknown_after" "$unknown_before" "'Unknown symbol' messages in dmesg"
