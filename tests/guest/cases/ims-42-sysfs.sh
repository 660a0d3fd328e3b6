#!/bin/sh
# ims_core's sysfs view (docs/ABI/sysfs-class-ims): each domain is
# /sys/class/ims/<domain>, the same directory as
# /sys/bus/pci/devices/<BDF>/ims/<domain>, with template, mode, chain,
# slots, used, held and irqs/<virq> holding the slot index. Checked
# against known state and against ims_core's debugfs: creation, single
# and batched allocation, a VT-d block head held after its slot is freed,
# free, destroy; readable by an unprivileged user, not writable by anyone;
# the class disappears with ims_core. Lanes without IR run in direct mode.
# timeout: 180
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

C=/sys/class/ims
PDIMS=/sys/bus/pci/devices/$EDU_BDF/ims

it_setup_lane
[ -d "$C" ] || fail "$C missing with ims_core loaded"

# attr DOMAIN FILE: one attribute, read as the unprivileged user nobody.
attr() {
	su -s /bin/sh nobody -c "cat '$C/$1/$2'" || fail "nobody cannot read $C/$1/$2"
}

# irqs DOMAIN: "virq:index" per irqs/ file, sorted by index, space separated.
irqs() {
	for f in "$C/$1"/irqs/*; do
		[ -e "$f" ] && echo "$(basename "$f"):$(cat "$f")"
	done | sort -t: -k2 -n | xargs
}

# dbg_irqs DOMAIN: the same pairs from ims_core's debugfs slots file.
dbg_irqs() {
	awk 'NR > 1 { print $2 ":" $1 }' "$IMSDBG/$1/slots" | sort -t: -k2 -n | xargs
}

# counts DOMAIN USED HELD WHAT: sysfs and debugfs agree with the expectation.
counts() {
	expect_eq "$(attr "$1" used)" "$2" "$4: sysfs used"
	expect_eq "$(attr "$1" held)" "$3" "$4: sysfs held"
	expect_eq "$(dinfo "$1" used)/$(dinfo "$1" held)" "$2/$3" "$4: debugfs used/held"
	expect_eq "$(irqs "$1")" "$(dbg_irqs "$1")" "$4: irqs/ against debugfs slots"
}

before=$(ls "$C" | wc -l)
mkdom array 16 sy
A=$D AN=$DN
[ -d "$C/$AN" ] || fail "$C/$AN missing after creation"
[ -d "$PDIMS/$AN" ] || fail "$PDIMS/$AN missing after creation"
expect_eq "$(cd "$C/$AN" && pwd -P)" "$(cd "$PDIMS/$AN" && pwd -P)" "class and device directories"
expect_eq "$(basename "$(readlink "$C/$AN/device")")" "$EDU_BDF" "device link"
expect_eq "$(ls "$C" | wc -l)" $((before + 1)) "domains in $C"

expect_eq "$(attr "$AN" template)" array "template"
if lane_has_ir; then
	expect_eq "$(attr "$AN" mode)" remapped "mode"
else
	expect_eq "$(attr "$AN" mode)" direct "mode"
fi
expect_eq "$(attr "$AN" slots)" 16 "slots"
chain=$(attr "$AN" chain)
expect_eq "$chain" "$(dinfo "$AN" chain | sed 's/ -> / /g')" "chain against debugfs"
set -- $chain
expect_eq "$1" "$AN" "first domain of the chain"
echo "$chain" | awk '{ print $NF }' | grep -qxE "$(root_name_re)" ||
	fail "last domain of the chain '$chain' is not the root, $(root_name_re)"
if lane_has_ir; then
	expect_eq "$#" 3 "domains in the chain"
	echo "$2" | grep -qxE "$(ir_name_re)" || fail "chain's parent '$2' is not the lane's remapping domain"
else
	expect_eq "$#" 2 "domains in the chain (direct)"
fi
counts "$AN" 0 0 "new domain"

# every file is read-only, for root too
for f in template mode chain slots used held; do
	perm=$(stat -c %a "$C/$AN/$f")
	expect_eq "$perm" 444 "mode of $f"
	if echo 1 2>/dev/null >"$C/$AN/$f"; then
		fail "write to $f accepted"
	fi
done

alloc "$A" at 3
V3=$V
alloc "$A" at 7
V7=$V
counts "$AN" 2 0 "two allocated"
expect_eq "$(attr "$AN" "irqs/$V3")" 3 "irqs/$V3"
expect_eq "$(attr "$AN" "irqs/$V7")" 7 "irqs/$V7"
expect_eq "$(stat -c %a "$C/$AN/irqs/$V3")" 444 "mode of irqs/$V3"

# a batch; under VT-d one block of 4 whose head stays held after its slot
# is freed while the others are allocated
ok batch "$A" 4
BI=$(val index | tr , ' ')
counts "$AN" 6 0 "batch of 4"
set -- $BI
ok free "$A" "$1"
if [ "$IOMMU" = intel ]; then
	counts "$AN" 5 1 "head of the block freed"
else
	counts "$AN" 5 0 "first of the batch freed"
fi
shift
for i in "$@"; do
	ok free "$A" "$i"
done
counts "$AN" 2 0 "batch freed"

ok free "$A" 3
[ -e "$C/$AN/irqs/$V3" ] && fail "irqs/$V3 still there after its free"
counts "$AN" 1 0 "one freed"

# a queue domain beside it (remapped lanes only: it needs IR)
if lane_has_ir; then
	mkdom queue 8 syq
	Q=$D QN=$DN
	expect_eq "$(attr "$QN" template)" queue "queue template"
	alloc "$Q" at 5
	counts "$QN" 1 0 "queue slot"
	expect_eq "$(ls "$PDIMS" | xargs)" "$(printf '%s\n' "$AN" "$QN" | sort | xargs)" "domains of $EDU_BDF"
	ok destroy "$Q"
	[ -e "$C/$QN" ] && fail "$C/$QN still there after destroy"
fi

ok destroy "$A"
[ -e "$C/$AN" ] && fail "$C/$AN still there after destroy"
[ -e "$PDIMS/$AN" ] && fail "$PDIMS/$AN still there after destroy"
expect_eq "$(ls "$C" | wc -l)" "$before" "domains in $C after destroy"

# the class goes with the module (when this case loaded it)
if [ "$IT_CORE_WAS" = 0 ]; then
	rmmod ims_test && rmmod ims_core || fail "cannot unload"
	[ -e "$C" ] && fail "$C still there without ims_core"
	modprobe ims_core || fail "cannot reload ims_core"
	[ -d "$C" ] || fail "$C missing after reload"
	rmmod ims_core || fail "cannot unload ims_core"
fi
exit 0
