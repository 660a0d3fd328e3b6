#!/bin/sh
# Every module built for this kernel (/lib/modules/$KVER/extra/*.ko) loads and
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
kos=$(ls "$EXTRA_DIR"/*.ko 2>/dev/null)
[ -n "$kos" ] || fail "no modules in $EXTRA_DIR"
[ -f "$EXTRA_DIR/ims_core.ko" ] || fail "ims_core.ko not in $EXTRA_DIR"
for ko in $kos; do
	grep -q "^extra/$(basename "$ko"):" "$dep" || fail "$(basename "$ko") not in modules.dep"
done

start=$(loaded_set)
unknown_before=$(dmesg | grep -c 'Unknown symbol')

# Dependency order: modules.dep lists all (transitive) dependencies of a
# module, so a dependency always has fewer entries than its user.
order=$(for ko in $kos; do
	n=$(grep "^extra/$(basename "$ko"):" "$dep" | wc -w)
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
	for d in $(grep "^extra/$(basename "$ko"):" "$dep" | cut -d: -f2); do
		module_loaded "$(modname "$d")" || fail "modprobe $m: dependency $(modname "$d") not loaded"
	done
	run modprobe -r "$m"
	module_loaded "$m" && fail "modprobe -r $m: still in /proc/modules"
	expect_eq "$(loaded_set)" "$start" "modules after modprobe -r $m"
done
diag "modprobe/modprobe -r: ok"

unknown_after=$(dmesg | grep -c 'Unknown symbol')
expect_eq "$unknown_after" "$unknown_before" "'Unknown symbol' messages in dmesg"
