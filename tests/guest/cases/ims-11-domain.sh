#!/bin/sh
# IMS domains of both templates are created and destroyed: each appears in
# ims_core's debugfs with the right template, slot count and a parent
# chain IMS -> INTEL-IR/AMD-IR -> VECTOR, several named domains live side
# by side on one device (disjoint storage), bad descriptions are refused
# with -EINVAL, and destroy removes the domain again.
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup
ir=$(ir_name_re)

# check_dom NAME TEMPLATE NSLOTS
check_dom() {
	chain=$(dinfo "$1" chain)
	diag "$1: chain $chain"
	echo "$chain" | grep -qE "^$1 -> $ir -> $(root_name_re)\$" ||
		fail "$1: parent chain '$chain' is not '$1 -> $ir -> $(root_name_re)'"
	expect_eq "$(dinfo "$1" template)" "$2" "$1 template"
	expect_eq "$(dinfo "$1" mode)" remapped "$1 mode"
	expect_eq "$(dinfo "$1" slots)" "$3" "$1 slots"
	expect_eq "$(dinfo "$1" used)" 0 "$1 used"
	expect_eq "$(dinfo "$1" device)" "$EDU_BDF" "$1 device"
}

for tpl in array queue; do
	TPL=$(echo "$tpl" | tr a-z A-Z)
	mkdom "$tpl" 16
	expect_eq "$DN" "IMS-$TPL-$EDU_BDF" "domain name"
	check_dom "$DN" "$TPL" 16
	ok stats "$D"
	expect_eq "$(val nr_slots)" 16 "stats nr_slots"
	expect_eq "$(val used)" 0 "stats used"
	ok destroy "$D"
	[ -d "$IMSDBG/$DN" ] && fail "$DN still in debugfs after destroy"
	err -2 stats "$D"
done

# several domains at once: two named arrays and a queue, disjoint storage
mkdom array 64 a
A=$D AN=$DN aoff=$(val off) alen=$(val len)
mkdom array 1000 b
B=$D BN=$DN boff=$(val off)
mkdom queue 8 q
Q=$D QN=$DN
expect_eq "$AN" "IMS-ARRAY-$EDU_BDF-a" "named domain"
expect_eq "$QN" "IMS-QUEUE-$EDU_BDF-q" "named queue domain"
[ $((boff)) -ge $((aoff + alen)) ] || fail "storage of b ($boff) overlaps a ($aoff+$alen)"
check_dom "$AN" ARRAY 64
check_dom "$BN" ARRAY 1000
check_dom "$QN" QUEUE 8
n=$(ls "$IMSDBG" | grep -c "^IMS-.*-$EDU_BDF")
expect_eq "$n" 3 "IMS domains in debugfs"
# a second unnamed domain of a template next to a named one is fine too
mkdom array 4
check_dom "$DN" ARRAY 4
ok destroy "$D"
ok destroy "$B"
[ -d "$IMSDBG/$BN" ] && fail "$BN still in debugfs after destroy"
[ -d "$IMSDBG/$AN" ] || fail "$AN vanished with $BN"
ok destroy "$A"
ok destroy "$Q"
n=$(ls "$IMSDBG" | grep -c "^IMS-")
expect_eq "$n" 0 "IMS domains left in debugfs"

# bad descriptions
err -22 create array 0
err -22 create queue 0
err -22 create array 65537
mkdom array 65536 big
check_dom "$DN" ARRAY 65536
ok destroy "$D"

# the domain names are irq domains of the kernel too (when it shows them)
if [ -d /sys/kernel/debug/irq/domains ]; then
	mkdom array 4
	[ -e "/sys/kernel/debug/irq/domains/$DN" ] || fail "$DN not in /sys/kernel/debug/irq/domains"
	ok destroy "$D"
fi
exit 0
