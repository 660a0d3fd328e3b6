#!/bin/sh
# make demo: IMS on a stock kernel, shown step by step on the test card.
#
# Loads ims_test (ims_core comes with it), creates an array IMS domain on
# the edu device with its slots in ivshmem's BAR2, allocates a few slots,
# lets the device fire them (real edu DMA writes of each slot's message)
# and prints the domain hierarchy, the IMS and MSI lines of
# /proc/interrupts and the completions the handlers saw.
# (A reference driver, idxd_ref, will replace this workload later.)

. /ims/lib.sh
IMS_CLIENT_LIB=1 . /ims/cases/ims-10-client.sh
IT_QUIET=1

say() { echo "$*"; }
step() {
	echo
	echo "=== $*"
}

say "IMS demo: lane $LANE, kernel $(uname -r), interrupt remapping: $IOMMU"

step "1. load the test client (ims_core is loaded as its dependency)"
if lane_has_ir; then
	it_setup
else
	say "no interrupt remapping on this lane: ims_core refuses IMS by default;"
	say "loading it with allow_direct_vector=1 (IMS stacked on the vector domain)"
	it_setup allow_direct_vector=1
fi
grep -E '^(ims_core|ims_test) ' /proc/modules | awk '{ sub(",$", "", $4); printf "  module %-10s used by %s\n", $1, $4 }'
say "  edu $EDU_BDF raises the interrupts, ivshmem $IVSHMEM_BDF BAR2 holds the IMS storage"

step "2. create an array IMS domain (16 DSA-style 16-byte slots in device memory)"
mkdom array 16
say "  domain: $DN (id $D, storage at BAR2 offset $(val off))"
say "  hierarchy (from /sys/kernel/debug/ims/$DN/info):"
dinfo "$DN" chain | awk -F ' -> ' '{
	for (i = 1; i <= NF; i++) {
		kind = "the device'\''s IMS slots, one interrupt per slot"
		if ($i ~ /^(INTEL|AMD)-IR/) kind = "interrupt remapping: an IRTE per interrupt"
		if ($i == "VECTOR") kind = "x86 vector domain: CPU and vector"
		pad = "    "
		for (j = 1; j < i; j++) pad = pad "   "
		printf "%-44s %s\n", pad (i > 1 ? "-> " : "") $i, kind
	} }'
say "  mode: $(dinfo "$DN" mode), slots: $(dinfo "$DN" slots), used: $(dinfo "$DN" used)"

step "3. allocate slots: any free, at index 5, lowest free in 8..11, a batch of 2"
alloc "$D" any
say "  any         -> index $I, irq $V"
alloc "$D" at 5
say "  at 5        -> index $I, irq $V"
alloc "$D" range 8 11
say "  range 8..11 -> index $I, irq $V"
ok batch "$D" 2
say "  batch of 2  -> indices $(val index), irqs $(val virq)"
slots=$(awk -v id="$D" '$1 == id { print $2 }' "$T/counts")
say "  used now: $(dinfo "$DN" used) of $(dinfo "$DN" slots)"

step "4. request_irq() each slot and let the device fire slot k (k+1) times"
for s in $slots; do
	ok request "$D" "$s"
done
k=0
for s in $slots; do
	n=$((k + 1))
	ok fire "$D" "$s" "$n"
	say "  slot $s: fired $n, device sent $(val sent), handler saw $(val delivered)"
	k=$((k + 1))
done
ok edu_msi
say "  and edu's own PCI MSI once: $R"

step "5. /proc/interrupts: the IMS interrupts and edu's MSI of the same device"
head -n 1 /proc/interrupts
grep -E "ims_test" /proc/interrupts

step "6. completions seen by the handlers"
awk -v id="$D" '
	NR == 1 { for (i = 2; i <= NF; i++) col[$i] = i - 1
		  printf "  %-6s %-5s %-6s %-6s %-6s\n", "slot", "irq", "total", "cpu0", "cpu1"; next }
	$1 == id { printf "  %-6s %-5s %-6s %-6s %-6s\n", $2, $3, $(col["total"]), $(col["cpu0"]), $(col["cpu1"]) }
	' "$T/counts"
say "  ims_core's view (/sys/kernel/debug/ims/$DN/slots):"
sed 's/^/  /' "$IMSDBG/$DN/slots"

step "7. clean up: free_irq, free the slots, destroy the domain, unload"
ok destroy "$D"
say "  domain destroyed: $([ -d "$IMSDBG/$DN" ] && echo 'still there!' || echo 'gone from debugfs')"
exit 0
