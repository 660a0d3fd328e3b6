#!/bin/sh
# make demo: the IMS reference driver idxd_ref doing real work on the test
# card, shown step by step.
#
# Loads idxd_ref (ims_core comes with it), shows the device's IMS domain
# hierarchy next to its PCI MSI (and imsctl list), runs the kernel
# self-test on the kernel WQ and two user-space clients (idxd_ref_user) on
# the shared WQ, then shows the IMS and MSI lines of /proc/interrupts,
# ims_core's slots, imsctl show and the first of ims_core's trace events
# of the run, and unloads. Every completion interrupt is a real write by
# the device (the edu bus master) of an IMS entry's message, through the
# lane's interrupt remapping. On a lane without remapping it shows ims_core's refusal.
# Not a test: it asserts nothing beyond stopping with a message when a
# step fails.

. /ims/lib.sh

IDXD_DBG=/sys/kernel/debug/idxd_ref/$EDU_BDF
IDXD_PARAM=/sys/module/idxd_ref/parameters
IMSDBG=/sys/kernel/debug/ims
KWQ_N=8			# kernel self-test descriptors
USER_N=12 USER_H=3	# user client: descriptors, handles
PASID_N=2		# refused descriptors (and as many good ones)
SNAP=/tmp/demo-snap
T0=$(date +%s)
CORE_WAS=0
module_loaded ims_core && CORE_WAS=1

say() { echo "$*"; }
step() {
	echo
	echo "=== $*"
}
# indent: the tools' output, "# " prefixes dropped, indented
indent() { sed -e 's/^# //' -e 's/^/  /'; }
# ims_domains: number of IMS domains in ims_core's debugfs
ims_domains() {
	_n=0
	for _d in "$IMSDBG"/IMS-*; do
		[ -e "$_d" ] && _n=$((_n + 1))
	done
	echo "$_n"
}
# klog: kernel log lines without their timestamps
klog() { dmesg | sed 's/^\[[^]]*\] *//'; }

unload() {
	[ -w "$IDXD_PARAM/trust_device_pasid" ] && echo 0 >"$IDXD_PARAM/trust_device_pasid"
	module_loaded idxd_ref && modprobe -r idxd_ref 2>/dev/null
	module_loaded idxd_ref && rmmod idxd_ref 2>/dev/null
	[ "$CORE_WAS" = 0 ] && module_loaded ims_core && rmmod ims_core 2>/dev/null
}
die() {
	echo
	echo "DEMO FAILED: $*"
	unload
	exit 1
}

# irq_table FILE: the /proc/interrupts lines in FILE as an aligned table
# (irq, per-CPU counts, chip, hwirq, action, and what the interrupt is).
irq_table() {
	awk -v nc="$(ncpus_irq)" '
	function row(a, c, ch, hw, n, k) {
		s = sprintf("  %4s", a)
		for (i = 1; i <= nc; i++) s = s sprintf(" %6s", c[i])
		s = sprintf("%s  %-30s %-14s %-15s %s", s, ch, hw, n, k)
		sub(/ +$/, "", s)
		print s
	}
	BEGIN { a = "IRQ"; for (i = 1; i <= nc; i++) c[i] = "CPU" (i - 1)
		row(a, c, "chip", "hwirq", "action", "") }
	{ a = $1; sub(":", "", a)
	  for (i = 1; i <= nc; i++) c[i] = $(i + 1)
	  ch = $(nc + 2); hw = $(nc + 3); n = $NF
	  k = "PCI MSI of 00:14.0: device errors"
	  if (ch ~ /^IMS-/) { k = "IMS entry " hw; sub("-edge", "", k) }
	  if (n ~ /-wq0$/) k = k ": kernel WQ"
	  else if (ch ~ /^IMS-/) k = k ": a user handle"
	  row(a, c, ch, hw, n, k) }' "$1"
}

# slot_table SLOTS STATS: ims_core's slots file, aligned, with the owner
# of each entry (the handle name from idxd_ref's stats).
slot_table() {
	awk '
	FNR == NR { if ($1 == "handle") { n = $4; sub("name=", "", n); own[$2] = n }; next }
	FNR == 1 { printf "  %-5s %-4s %-5s %-3s %-6s %-10s %-10s %-10s %-16s %s\n",
		   "index", "virq", "pasid", "cpu", "masked", "addr_hi", "addr_lo",
		   "data", "ctrl (in BAR2)", "owner"; next }
	{ c = $9; sub("ctrl=", "", c)
	  printf "  %-5s %-4s %-5s %-3s %-6s %-10s %-10s %-10s %-16s %s\n",
		 $1, $2, $3, $5, $4, $6, $7, $8, c, own[$1] }' "$2" "$1"
}

say "IMS demo: the reference driver idxd_ref on lane $LANE, kernel $(uname -r)"

# ---------------------------------------------------------------- 1 ----
step "1. the card and interrupt remapping (from dmesg)"
klog | grep -E "^pci ($EDU_BDF|$IVSHMEM_BDF): \[" | sed 's/^/  /'
say "  -> 00:14.0 (QEMU edu) is the bus master: its DMA writes are the device's"
say "     interrupt messages; its own PCI MSI is the device's misc interrupt"
say "  -> 00:14.1 (ivshmem) BAR2 is the device's memory: registers, WQ rings and"
say "     the IMS array; a kernel thread (idxd_ref_engine.c) plays the silicon"
if [ "$IOMMU" = its ]; then
	its=$(klog | grep -E 'ITS@0x[0-9a-f]+: allocated' | head -n 1)
	[ -n "$its" ] || die "the lane has IOMMU=its but dmesg shows no GICv3 ITS"
	echo "$its" | sed 's/^/  /'
	say "  -> arm64: the GICv3 ITS translates (DeviceID, EventID) into LPIs; the"
	say "     engine sends each message through edu's MSI capability, which carries"
	say "     edu's requester id (QEMU's DMA writes carry none, see README)"
	if firmware_is acpi; then
		say "  -> booted with UEFI and ACPI: the MADT names the ITS, the IORT maps"
		say "     requester ids to DeviceIDs"
	else
		say "  -> booted with a device tree: the PCI host's msi-map gives the DeviceIDs"
	fi
	if lane_has_smmu; then
		klog | grep -E 'arm-smmu-v3 .*: ias' | head -n 1 | sed 's/^/  /'
		say "  -> an SMMUv3 translates the card's DMA and its messages: they go to an"
		say "     IOVA that the SMMU maps to the ITS's doorbell"
	fi
elif lane_has_ir; then
	ir=$(klog | grep -E 'Enabled IRQ remapping|Interrupt remapping enabled' | head -n 2)
	[ -n "$ir" ] || die "the lane has IOMMU=$IOMMU but dmesg shows no interrupt remapping"
	echo "$ir" | sed 's/^/  /'
else
	say "  no IOMMU on this lane (/etc/ims-lane: IOMMU=$IOMMU): no interrupt remapping"
fi

# ---------------------------------------------------------------- 2 ----
step "2. modprobe idxd_ref (pulls in ims_core)"
module_loaded ims_test && { rmmod ims_test || die "ims_test holds edu and cannot be unloaded"; }
module_loaded idxd_ref && die "idxd_ref is already loaded"
out=$(modprobe idxd_ref 2>&1) || die "modprobe idxd_ref: $out"
grep -E '^(ims_core|idxd_ref) ' /proc/modules |
	awk '{ sub(",$", "", $4); printf "  module %-10s used by %s\n", $1, $4 }'

if ! lane_has_ir; then
	say "  ims_core refuses IMS without interrupt remapping (it would only stack"
	say "  IMS on the vector domain with allow_direct_vector=1), so idxd_ref's"
	say "  probe fails. ims_core's refusal, from dmesg:"
	refusal=$(klog | grep 'IMS needs interrupt remapping' | tail -n 1)
	[ -n "$refusal" ] || die "no refusal of ims_core in dmesg"
	echo "$refusal" | sed 's/^/    /'
	idxd_bound=$(basename "$(readlink "/sys/bus/pci/devices/$EDU_BDF/driver" 2>/dev/null)")
	say "  driver bound to $EDU_BDF: ${idxd_bound:-none}; /dev/idxd_ref0:" \
		"$([ -e /dev/idxd_ref0 ] && echo present || echo absent);" \
		"IMS domains: $(ims_domains)"

	step "3. modprobe -r idxd_ref"
	modprobe -r idxd_ref || die "modprobe -r idxd_ref failed"
	[ "$CORE_WAS" = 0 ] && module_loaded ims_core && { rmmod ims_core || die "rmmod ims_core failed"; }
	mods=$(grep -E '^(ims_core|idxd_ref) ' /proc/modules | awk '{ print $1 }' | tr '\n' ' ')
	say "  modules left: ${mods:-none}"
	[ -z "$mods" ] || die "modules left after unload: $mods"
	step "summary: $LANE has no interrupt remapping: ims_core refused IMS for" \
		"$EDU_BDF, nothing was bound, unloaded cleanly ($(($(date +%s) - T0)) s)"
	exit 0
fi

wait_for 5 test -c /dev/idxd_ref0 || die "/dev/idxd_ref0 did not appear (is idxd_ref bound to $EDU_BDF?)"
klog | grep -E "^idxd_ref $EDU_BDF: idxd_ref0: " | tail -n 1 | sed 's/^/  /'
DN=
for d in "$IMSDBG"/IMS-*; do
	grep -q "^device: *$EDU_BDF\$" "$d/info" 2>/dev/null && DN=$(basename "$d")
done
[ -n "$DN" ] || die "no IMS domain of $EDU_BDF in $IMSDBG"
say "  \$ imsctl list"
imsctl list 2>&1 | sed 's/^/    /'
say "  $IMSDBG/$DN/info:"
sed 's/^/    /' "$IMSDBG/$DN/info"
say "  the chain, from the device down to the CPU:"
# the ITS's and the GIC's domain names: device-tree nodes, or under ACPI
# irqchip@ and their MADT bases (lib.sh)
its_re='^$' gic_re='^$'
if arch_is arm64; then
	its_re="^($(gic_domain_re its))\$" gic_re="^($(gic_domain_re gic))\$"
fi
sed -n 's/^chain: *//p' "$IMSDBG/$DN/info" | awk -F ' -> ' -v its_re="$its_re" -v gic_re="$gic_re" '{
	for (i = 1; i <= NF; i++) {
		kind = "the device'\''s IMS array (ims_core array template), an entry per handle"
		if ($i ~ /^INTEL-IR/) kind = "VT-d interrupt remapping: an IRTE per interrupt"
		if ($i ~ /^AMD-IR/) kind = "AMD-Vi interrupt remapping: an IRTE per interrupt"
		if ($i == "VECTOR") kind = "x86 vector domain: CPU and vector"
		if ($i ~ its_re) kind = "GICv3 ITS: an EventID per interrupt in the DeviceID'\''s table"
		if ($i ~ gic_re) kind = "GICv3: the LPI, delivered to a CPU"
		printf "    %s%-30s %s\n", (i > 1 ? "-> " : "   "), $i, kind
	} }'
say "  the device's interrupts in /proc/interrupts: its PCI/MSI and one IMS entry"
grep -E ' idxd_ref0-' /proc/interrupts >"$SNAP.irq0"
irq_table "$SNAP.irq0"

# ---------------------------------------------------------------- 3 ----
# ims_core's trace events record the run (shown in step 4)
TR=/sys/kernel/tracing
if grep -qw tracefs /proc/filesystems; then
	[ -e "$TR/trace" ] || mount -t tracefs nodev "$TR" 2>/dev/null
fi
TRACING=0
if [ -e "$TR/events/ims/enable" ]; then
	: >"$TR/trace"
	echo 1 >"$TR/events/ims/enable" && TRACING=1
fi

step "3a. kernel client: self-test, $KWQ_N descriptors (memfill, CRC32) on the kernel WQ"
say "  \$ echo $KWQ_N >$IDXD_DBG/selftest"
t=$(date +%s)
echo "$KWQ_N" >"$IDXD_DBG/selftest" || die "selftest write failed"
R=$(cat "$IDXD_DBG/selftest")
say "  $R    ($(($(date +%s) - t)) s)"
case "$R" in
"ok n=$KWQ_N irqs=$KWQ_N "*) ;;
*) die "kernel WQ self-test: $R" ;;
esac
say "  -> $KWQ_N completion records with status 0x01 (success) and right results,"
say "     $KWQ_N interrupts on IMS entry 0 (idxd_ref0-wq0)"
grep -E '^wq0 ' "$IDXD_DBG/stats" | sed 's/^/  /'

step "3b. the device checks PASIDs: descriptors naming another process's handle"
say "  (the driver's own check is switched off: trust_device_pasid=1)"
say "  \$ idxd_ref_user pasid $PASID_N"
echo 1 >"$IDXD_PARAM/trust_device_pasid" || die "cannot set trust_device_pasid"
out_pasid=$(idxd_ref_user pasid "$PASID_N" 2>&1)
rc=$?
echo 0 >"$IDXD_PARAM/trust_device_pasid"
echo "$out_pasid" | indent
[ "$rc" = 0 ] || die "idxd_ref_user pasid: $(echo "$out_pasid" | tail -n 1)"
say "  -> $PASID_N records with status 0x01 and an IMS interrupt each; $PASID_N with"
say "     status 0x19 (invalid interrupt handle), reported on the misc PCI MSI"

step "3c. user client: $USER_N descriptors on $USER_H handles of its own, waiting on eventfds"
say "  \$ idxd_ref_user basic $USER_N $USER_H"
rm -f "$SNAP".*.ok
idxd_ref_user basic "$USER_N" "$USER_H" >"$SNAP.user" 2>&1 &
pid=$!
# Snapshot /proc/interrupts and the slots while the client still holds
# its handles (they are freed when it exits); the last complete one wins.
while kill -0 "$pid" 2>/dev/null; do
	grep -E ' idxd_ref0-' /proc/interrupts >"$SNAP.irq"
	cat "$IMSDBG/$DN/slots" >"$SNAP.slots" 2>/dev/null
	cat "$IDXD_DBG/stats" >"$SNAP.stats" 2>/dev/null
	imsctl show "$EDU_BDF" >"$SNAP.show" 2>&1
	if [ "$(grep -c 'idxd_ref0-h' "$SNAP.irq")" = "$USER_H" ] &&
	   [ "$(grep -c '^[0-9]' "$SNAP.slots")" = $((USER_H + 1)) ] &&
	   [ "$(grep -c '^handle ' "$SNAP.stats")" = $((USER_H + 1)) ] &&
	   [ "$(grep -c ' idxd_ref0-h' "$SNAP.show")" = "$USER_H" ]; then
		for f in irq slots stats show; do mv "$SNAP.$f" "$SNAP.$f.ok"; done
	fi
	sleep 0.1
done
wait "$pid"
rc=$?
indent <"$SNAP.user"
[ "$rc" = 0 ] || die "idxd_ref_user basic: $(tail -n 1 "$SNAP.user")"
say "  -> every record status 0x01 (success), results checked; the eventfds"
say "     counted one interrupt per descriptor"

# ---------------------------------------------------------------- 4 ----
step "4. the interrupts: IMS and MSI lines of /proc/interrupts, ims_core's slots"
[ -f "$SNAP.irq.ok" ] || die "no snapshot caught the client's $USER_H handles"
say "  (snapshot taken at the end of 3c, while idxd_ref_user still held its handles)"
irq_table "$SNAP.irq.ok"
say
say "  $IMSDBG/$DN/slots (same moment):"
slot_table "$SNAP.slots.ok" "$SNAP.stats.ok"
say "  -> pasid: the client's PASID tags its entries (the kernel WQ's has none);"
# decode the message and the control word of the first user entry
read -r _ _ _ _ _ _ lo data ctrl <<EOF
$(awk '$1 == 1' "$SNAP.slots.ok")
EOF
ctrl=${ctrl#ctrl=}
if [ -n "$ctrl" ]; then
	case "$IOMMU" in
	intel) say "     addr_lo $lo is VT-d's remappable format: IRTE index" \
		"$(((lo >> 5 & 0x7fff) | (lo >> 2 & 1) << 15)); CPU and vector are in the IRTE" ;;
	amd) say "     data $data is the AMD-Vi IRTE index; CPU and vector are in the IRTE" ;;
	its)
		if lane_has_smmu; then
			say "     addr_lo $lo is an IOVA that the SMMU maps, in the card's IOMMU"
			say "     domain, to the ITS's doorbell (GITS_TRANSLATER, $(its_doorbell));"
		else
			say "     addr_lo $lo is the ITS's doorbell (GITS_TRANSLATER);"
		fi
		say "     data $data is the EventID; the ITS maps it to an LPI and a CPU" ;;
	esac
	say "     ctrl $ctrl (device memory): PASID $((ctrl >> 12)) in bits 31:12," \
		"PASID enable (bit 3) $((ctrl >> 3 & 1)), mask (bit 0) $((ctrl & 1))"
fi

say
say "  \$ imsctl show $EDU_BDF    (same moment)"
sed 's/^/    /' "$SNAP.show.ok"
if [ "$TRACING" = 1 ]; then
	echo 0 >"$TR/events/ims/enable"
	say
	say "  ims_core's trace events of the run (\$TR/trace, event and fields;"
	say "  $(grep -c ' ims_' "$TR/trace") in all, the first 12):"
	sed -n 's/^.* \(ims_[a-z_]*: .*\)$/\1/p' "$TR/trace" | head -n 12 | sed 's/^/    /'
	: >"$TR/trace"
fi

# ---------------------------------------------------------------- 5 ----
misc=$(awk -v nc="$(ncpus_irq)" '$NF == "idxd_ref0-misc" { for (i = 2; i <= nc + 1; i++) s += $i } END { print s + 0 }' "$SNAP.irq.ok")
k_irqs=$(echo "$R" | sed -n 's/.* irqs=\([0-9]*\) .*/\1/p')
p_irqs=$(echo "$out_pasid" | sed -n 's/^# A: \([0-9]*\) interrupts.*/\1/p')
u_irqs=$(sed -n 's/^PASS: .*: \([0-9]*\) interrupts.*/\1/p' "$SNAP.user")
chain=$(sed -n 's/^chain: *//p' "$IMSDBG/$DN/info")
step "5. modprobe -r idxd_ref"
modprobe -r idxd_ref || die "modprobe -r idxd_ref failed"
[ "$CORE_WAS" = 0 ] && module_loaded ims_core && { rmmod ims_core || die "rmmod ims_core failed"; }
mods=$(grep -E '^(ims_core|idxd_ref) ' /proc/modules | awk '{ print $1 }' | tr '\n' ' ')
irqs=$(grep -c ' idxd_ref0-' /proc/interrupts)
doms=$(ims_domains)
say "  modules left: ${mods:-none}; idxd_ref interrupts left: $irqs; IMS domains left: $doms;" \
	"/dev/idxd_ref0: $([ -e /dev/idxd_ref0 ] && echo 'still there' || echo gone)"
if [ -n "$mods" ] || [ "$irqs" != 0 ] || [ "$doms" != 0 ] || [ -e /dev/idxd_ref0 ]; then
	die "unload left something behind"
fi

step "summary: $LANE: idxd_ref did $((KWQ_N + 2 * PASID_N + USER_N)) descriptors" \
	"($KWQ_N kernel, $((2 * PASID_N + USER_N)) user), $((k_irqs + p_irqs + u_irqs)) IMS interrupts" \
	"through $chain, $misc device errors on the misc MSI; unloaded cleanly" \
	"($(($(date +%s) - T0)) s)"
exit 0
