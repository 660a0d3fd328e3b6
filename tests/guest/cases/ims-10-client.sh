#!/bin/sh
# The ims_test client binds to edu (00:14.0) with ivshmem (00:14.1) as its
# device memory, its control files are there, malformed commands are
# refused with EINVAL, unknown objects give "err -2", and edu's own PCI MSI
# is delivered (raised by the device, counted once each).
#
# This file is also the helper library of the other ims-* cases: sourced
# with IMS_CLIENT_LIB=1 it only defines the helpers below.
#
# ims_test command interface: see tests/kmod/ims_test/main.c.

# shellcheck disable=SC1090
. "${IMS_LIB:-/ims/lib.sh}"

T=/sys/kernel/debug/ims_test
IMSDBG=/sys/kernel/debug/ims

# ---- setup / teardown ------------------------------------------------------

# it_setup [ims_core parameters]: load ims_core (reloaded with the given
# parameters if any) and ims_test; unloaded again when the case exits.
it_setup() {
	module_loaded ims_test && fail "ims_test is already loaded (leaked by an earlier case?)"
	IT_CORE_RELOAD=
	if module_loaded ims_core; then
		IT_CORE_WAS=1
	else
		IT_CORE_WAS=0
	fi
	if [ $# -gt 0 ]; then
		if [ "$IT_CORE_WAS" = 1 ]; then
			rmmod ims_core || fail "cannot unload ims_core to reload it with $*"
			IT_CORE_RELOAD=1
		fi
		run modprobe ims_core "$@"
		IT_CORE_WAS=0
	fi
	trap it_teardown EXIT
	require_module ims_test
	[ -e "$T/cmd" ] || fail "$T/cmd missing: ims_test did not bind to $EDU_BDF"
}

# it_setup_lane: it_setup, with allow_direct_vector=1 on lanes without IR.
it_setup_lane() {
	if lane_has_ir; then
		it_setup
	else
		it_setup allow_direct_vector=1
	fi
}

it_teardown() {
	_bad=
	if module_loaded ims_test; then
		rmmod ims_test || _bad="rmmod ims_test failed"
	fi
	if [ "$IT_CORE_WAS" = 0 ] && module_loaded ims_core; then
		rmmod ims_core || _bad="rmmod ims_core failed"
	fi
	[ -n "$IT_CORE_RELOAD" ] && modprobe ims_core
	if [ -n "$_bad" ]; then
		echo "# FAIL: teardown: $_bad"
		exit 1
	fi
}

# need_ir: skip the case on lanes without interrupt remapping.
need_ir() {
	lane_has_ir || skip "lane $LANE has no interrupt remapping: IMS requires it (direct mode is ims-30-direct)"
}

# need_cpus N: skip unless the guest has N CPUs online.
need_cpus() {
	_n=$(grep -c '^processor' /proc/cpuinfo)
	[ "$_n" -ge "$1" ] || skip "needs $1 CPUs, guest has $_n"
}

# ---- commands --------------------------------------------------------------

# t CMD...: send one command; R is the result line. Returns 1 if the write
# was refused (malformed command).
t() {
	if echo "$*" >"$T/cmd" 2>/dev/null; then
		R=$(cat "$T/result")
		return 0
	fi
	R=$(cat "$T/result")
	return 1
}

# ok CMD...: the command must succeed ("ok ...").
ok() {
	t "$@" || fail "'$*' refused as malformed: $R"
	case "$R" in
	ok*) [ -n "${IT_QUIET:-}" ] || diag "$* -> $R" ;;
	*) fail "'$*': $R" ;;
	esac
}

# err ERRNO CMD...: the command must be accepted and fail with -ERRNO.
err() {
	_e=$1
	shift
	t "$@" || fail "'$*' refused as malformed: $R"
	case "$R" in
	"err $_e" | "err $_e "*) diag "$* -> $R (expected)" ;;
	*) fail "'$*': got '$R', expected 'err $_e'" ;;
	esac
}

# val KEY: the value of KEY=value in R.
val() { echo "$R" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

# mkdom array|queue NSLOTS [NAME [devm]]: create a domain; D = id, DN = its
# name.
mkdom() {
	ok create "$@"
	D=$(val id)
	DN=$(val domain)
	[ -d "$IMSDBG/$DN" ] || fail "domain $DN has no ims_core debugfs directory"
}

# alloc ID any|at I|range F L [pasid P]: I = index, V = virq.
alloc() {
	ok alloc "$@"
	I=$(val index)
	V=$(val virq)
	[ "$V" -gt 0 ] 2>/dev/null || fail "alloc $*: bad virq '$V'"
}

# cnt ID IDX COLUMN: a column of the ims_test counts file (total, pending,
# pasid_err, requested, disabled, masked, last_cpu, cpuN), "none" if the
# slot is not there.
cnt() {
	awk -v id="$1" -v idx="$2" -v f="$3" '
		NR == 1 { for (i = 2; i <= NF; i++) col[$i] = i - 1; next }
		$1 == id && $2 == idx { print $(col[f]); found = 1 }
		END { if (!found) print "none" }' "$T/counts"
}

# expect_cnt ID IDX COLUMN VALUE
expect_cnt() {
	expect_eq "$(cnt "$1" "$2" "$3")" "$4" "domain $1 slot $2 $3"
}

# fire ID IDX N [pasid P]: the device fires the slot N times; every message
# must be sent and delivered.
fire() {
	ok fire "$@"
	expect_eq "$(val sent)" "$3" "fire $*: sent"
	expect_eq "$(val delivered)" "$3" "fire $*: delivered"
}

# ir_lines: the IR drivers' allocation complaints in the log so far
ir_lines() { dmesg | grep -cE "IRTE|IR[0-9]+: can't allocate|exceeds the max invalidation handle"; }

# dinfo DOMAIN FIELD: a field of ims_core's debugfs info of DOMAIN.
dinfo() { sed -n "s/^$2: *//p" "$IMSDBG/$1/info"; }

# dslot DOMAIN IDX COLUMN: a column (index virq pasid masked cpu ...) of
# ims_core's debugfs slots line of slot IDX.
dslot() {
	awk -v idx="$2" -v f="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == idx { print $(col[f]); found = 1 }
		END { if (!found) print "none" }' "$IMSDBG/$1/slots"
}

# ir_name_re: extended regexp of the lane's remapping domain name (on
# arm64: the ITS's, named after its device-tree node or, under ACPI, its
# MADT base: gic_domain_re).
ir_name_re() {
	case "$IOMMU" in
	intel) echo 'INTEL-IR-[0-9]+(-[0-9]+)?' ;;
	amd) echo 'AMD-IR-[0-9]+(-[0-9]+)?' ;;
	its) gic_domain_re its ;;
	*) echo 'NO-IR' ;;
	esac
}

# root_name_re: extended regexp of the root domain of the lane's interrupt
# hierarchy: x86's vector domain, or the GICv3's.
root_name_re() {
	if arch_is x86; then
		echo VECTOR
	else
		gic_domain_re gic
	fi
}

# proc_irq_chip VIRQ: the chip name column of /proc/interrupts for VIRQ.
proc_irq_chip() {
	awk -v irq="$1:" -v nc="$(ncpus_irq)" '$1 == irq { print $(nc + 2) }' /proc/interrupts
}

[ -n "${IMS_CLIENT_LIB:-}" ] && return 0

# ---- the case --------------------------------------------------------------

it_setup
for f in cmd result counts; do
	[ -e "$T/$f" ] || fail "$T/$f missing"
done
drv=$(basename "$(readlink "/sys/bus/pci/devices/$EDU_BDF/driver")")
expect_eq "$drv" ims_test "driver of $EDU_BDF"
dmesg | grep 'ims_test' | tail -n 3 | sed 's/^/# /'

# malformed commands fail the write
for bad in "" "bogus" "create" "create array" "create fifo 4" "create array x" \
	"alloc 0" "alloc 0 nowhere" "alloc 0 at" "fire 0" "fire 0 1 0" \
	"pasid 0 1" "queue_fail 0 2" "edu_msi now"; do
	if t "$bad"; then
		fail "malformed command '$bad' accepted: $R"
	fi
	case "$R" in
	"err -22"*) ;;
	*) fail "malformed command '$bad': result '$R', expected 'err -22 ...'" ;;
	esac
done
diag "malformed commands refused with EINVAL"

# well formed, unknown objects
err -2 destroy 7
err -2 alloc 3 any
err -2 fire 15 0
err -2 stats 0

# edu's own MSI: raised by the device, delivered once each
virq=$(irq_numbers ims_test-edu)
[ -n "$virq" ] || fail "no ims_test-edu line in /proc/interrupts"
diag "edu MSI: irq $virq chip $(proc_irq_chip "$virq")"
before=$(irq_count "$virq")
for i in 1 2 3; do
	ok edu_msi
done
expect_eq "$(irq_count "$virq")" $((before + 3)) "edu MSI count in /proc/interrupts"
grep -q "^# edu_msi virq=$virq count=$((before + 3))\$" "$T/counts" ||
	fail "counts file edu line: $(tail -n 1 "$T/counts")"

# arm64: where edu's own MSI goes, the reference of every IMS message of
# the card (msi_addr_ok). With a driver bound, an SMMU gives edu a
# DMA-translating IOMMU domain and the kernel composes the message with an
# IOVA of the ITS's doorbell (same offset in the page); without one the
# message goes to GITS_TRANSLATER itself. The deliveries above went there.
if arch_is arm64; then
	own=$(pci_msi_addr "$EDU_BDF") || fail "$EDU_BDF: MSI not enabled in its capability"
	db=$(its_doorbell) || fail "the firmware ($FIRMWARE) describes no GICv3 ITS"
	grp=/sys/bus/pci/devices/$EDU_BDF/iommu_group
	if lane_has_smmu; then
		[ -e "$grp" ] || fail "$EDU_BDF is in no IOMMU group under the SMMU"
		type=$(cat "$grp/type")
		diag "$EDU_BDF: IOMMU group $(basename "$(readlink "$grp")") ($(ls "$grp/devices" | xargs)), type $type"
		case "$type" in
		DMA | DMA-FQ) ;;
		*) fail "$EDU_BDF's IOMMU domain is $type, not a DMA-translating one (DMA or DMA-FQ)" ;;
		esac
		diag "edu MSI address $own: an IOVA of GITS_TRANSLATER $db"
		[ $((own)) -ne $((db)) ] || fail "edu's MSI address is the physical GITS_TRANSLATER $db under the SMMU"
		expect_eq "$((own & 0xfff))" "$((db & 0xfff))" "offset in the page of edu's MSI address $own (GITS_TRANSLATER $db)"
	else
		[ ! -e "$grp" ] || fail "$EDU_BDF is in IOMMU group $(readlink "$grp") on a lane without SMMU"
		diag "edu MSI address $own, GITS_TRANSLATER $db (no SMMU)"
		expect_eq "$own" "$db" "edu's MSI address"
	fi
fi
exit 0
