#!/bin/sh
# The kernel's own view of IMS interrupts (GENERIC_IRQ_DEBUGFS: the debug
# lane only), for both templates: the IMS irq domain's parent chain in
# /sys/kernel/debug/irq/domains/ is IMS -> INTEL-IR (or AMD-IR) -> VECTOR
# and its "mapped" count is the number of allocated slots; each virq's
# /sys/kernel/debug/irq/irqs/<virq> has one level per domain with the
# right chip and hwirq: the IMS index, the IRTE the slot's message names
# (Intel) or the device's requester id (AMD), the virq at the vector level.
# The vector level's target CPU is the effective affinity and the CPU that
# /proc/interrupts counts device-fired interrupts on, before and after a
# move to the other CPU. Destroying the domain removes both debugfs views.
# A held queue slot (the first of a VT-d block whose other slot is still
# allocated) keeps its irq descriptor: the kernel's "trigger" there takes
# the chip's bus lock, which must still be a live mutex, and injects
# nothing into an interrupt nobody requested.
# timeout: 120
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

IRQDBG=/sys/kernel/debug/irq
[ -d "$IRQDBG/domains" ] || skip "no $IRQDBG/domains: kernel without GENERIC_IRQ_DEBUGFS (debug lane)"
need_ir
need_cpus 2
case "$IOMMU" in
intel) irchip=INTEL-IR ;;
amd) irchip=AMD-IR ;;
esac
it_setup

# levels FILE FIELD: the values of FIELD (domain, hwirq, chip) of every
# level of an irqs/<virq> file, outermost first, on one line.
levels() { sed -n "s/^ *$2: *//p" "$1" | tr '\n' ' ' | sed 's/ $//'; }

# field FILE NAME: the first "NAME: value" of a debugfs file.
field() { sed -n "s/^ *$2: *//p" "$1" | head -n 1; }

# dom_mapped NAME: the "mapped" count of irq domain NAME (its own, first).
dom_mapped() { field "$IRQDBG/domains/$1" mapped; }

# IRTE index named by a remappable-format Intel MSI address (handle bits
# 19:5 and bit 2).
intel_irte() { echo $(((($1 >> 5) & 0x7fff) | ((($1 >> 2) & 1) << 15))); }

# edu's requester id (bus << 8 | devfn), from EDU_BDF 0000:BB:DD.F.
bdf=${EDU_BDF#*:}
bus=${bdf%%:*} dev=${bdf#*:} dev=${dev%.*} fn=${bdf##*.}
edu_rid=$(((0x$bus << 8) | (0x$dev << 3) | fn))

# check_irq D IDX VIRQ IRDOM: the levels of VIRQ are IMS, IRDOM, VECTOR.
check_irq() {
	f=$IRQDBG/irqs/$3
	[ -f "$f" ] || fail "no $f for IMS slot $2"
	expect_eq "$(levels "$f" domain)" "$DN $4 VECTOR" "irq $3 domains"
	expect_eq "$(levels "$f" chip)" "$DN $irchip APIC" "irq $3 chips"
	set -- "$1" "$2" "$3" $(levels "$f" hwirq)
	[ $# -eq 6 ] || fail "irq $3: $(($# - 3)) hwirq lines"
	expect_eq "$(($4))" "$2" "irq $3 IMS level hwirq (the slot index)"
	case "$IOMMU" in
	intel)
		ok dump "$1" "$2"
		expect_eq "$(($5 >> 16))" "$(intel_irte "$(val addr_lo)")" \
			"irq $3 IR level hwirq: IRTE index (message $(val addr_lo))"
		;;
	amd)
		expect_eq "$(($5 >> 16))" "$edu_rid" "irq $3 IR level hwirq: requester id"
		;;
	esac
	expect_eq "$(($6))" "$3" "irq $3 vector level hwirq (the virq)"
}

# check_target D IDX VIRQ: the vector level's target is the effective
# affinity, and a device-fired interrupt is counted on that CPU only (after
# it, no vector move is pending). Leaves the target in TGT.
check_target() {
	f=$IRQDBG/irqs/$3
	TGT=$(field "$f" Target)
	expect_eq "$(field "$f" effectiv)" "$TGT" "irq $3 debugfs effective affinity"
	expect_eq "$(cat "/proc/irq/$3/effective_affinity_list")" "$TGT" "irq $3 effective_affinity_list"
	c0=$(irq_count "$3" 0) c1=$(irq_count "$3" 1)
	fire "$1" "$2" 1
	if [ "$TGT" = 0 ]; then
		expect_eq "$(irq_count "$3" 0)" $((c0 + 1)) "irq $3 cpu0 count (target 0)"
		expect_eq "$(irq_count "$3" 1)" "$c1" "irq $3 cpu1 count (target 0)"
	else
		expect_eq "$(irq_count "$3" 1)" $((c1 + 1)) "irq $3 cpu1 count (target 1)"
		expect_eq "$(irq_count "$3" 0)" "$c0" "irq $3 cpu0 count (target 1)"
	fi
	expect_cnt "$1" "$2" last_cpu "$TGT"
	expect_eq "$(field "$f" Target)" "$TGT" "irq $3 target after an interrupt"
	expect_eq "$(field "$f" move_in_progress)" 0 "irq $3 move in progress after an interrupt"
}

for tpl in array queue; do
	diag "--- $tpl"
	mkdom "$tpl" 16 dbg
	df=$IRQDBG/domains/$DN
	[ -f "$df" ] || fail "no $df"
	sed 's/^/# domains: /' "$df"
	chain=$(sed -n 's/^ *name: *//p' "$df" | tr '\n' ' ' | sed 's/ $//')
	set -- $chain
	[ $# -eq 3 ] || fail "$DN: parent chain '$chain', expected 3 domains"
	expect_eq "$1" "$DN" "first domain of the chain"
	echo "$2" | grep -qxE "$(ir_name_re)" || fail "$DN: parent '$2' is not the lane's remapping domain"
	expect_eq "$3" VECTOR "grandparent of $DN"
	irdom=$2
	expect_eq "$(field "$df" parent)" "$irdom" "parent line of $DN"
	expect_eq "$(dom_mapped "$DN")" 0 "$DN mapped before any allocation"
	ir0=$(dom_mapped "$irdom")

	alloc "$D" at 5
	v5=$V
	alloc "$D" at 11
	v11=$V
	expect_eq "$(dom_mapped "$DN")" 2 "$DN mapped after 2 allocations"
	expect_eq "$(dom_mapped "$irdom")" $((ir0 + 2)) "$irdom mapped after 2 allocations"
	for s in "5 $v5" "11 $v11"; do
		set -- $s
		ok request "$D" "$1"
		check_irq "$D" "$1" "$2" "$irdom"
		check_target "$D" "$1" "$2"
		# move to the other CPU; the first interrupt may complete the move
		other=$((1 - TGT))
		echo "$other" >"/proc/irq/$2/smp_affinity_list" ||
			fail "cannot move irq $2 to cpu $other"
		fire "$D" "$1" 1
		check_target "$D" "$1" "$2"
		expect_eq "$TGT" "$other" "irq $2 target after the move"
		check_irq "$D" "$1" "$2" "$irdom"
		sed "s/^/# irqs\/$2: /" "$IRQDBG/irqs/$2"
	done

	ok destroy "$D"
	[ ! -e "$df" ] || fail "$df still there after destroy"
	for v in $v5 $v11; do
		[ ! -e "$IRQDBG/irqs/$v" ] || fail "$IRQDBG/irqs/$v still there after destroy"
	done
	expect_eq "$(dom_mapped "$irdom")" "$ir0" "$irdom mapped after destroy"
done

if [ "$IOMMU" = intel ]; then
	mkdom queue 4 held
	ok batch "$D" 2
	head=$(val index | cut -d, -f1)
	hv=$(val virq | cut -d, -f1)
	ok free "$D" "$head"
	ok stats "$D"
	expect_eq "$(val held)" 1 "queue block head held"
	[ -e "$IRQDBG/irqs/$hv" ] || fail "no $IRQDBG/irqs/$hv for the held slot"
	echo trigger >"$IRQDBG/irqs/$hv" 2>/dev/null && fail "trigger injected into the held slot (irq $hv)"
	ok destroy "$D"
	[ ! -e "$IRQDBG/irqs/$hv" ] || fail "$IRQDBG/irqs/$hv still there after destroy"
fi
exit 0
