#!/bin/sh
# Guest side of 'make bench' (runs as /run.sh, busybox sh): drives
# tests/kmod/ims_bench.ko and prints one machine-readable line per
# measurement for scripts/bench.sh:
#
#	BENCH <kernel> <phase> <contender> <n> <rep> :: ok key=value ...
#
# <kernel> is the lane's kernel line, marked with the remapping flavour
# when it is not Intel VT-d in xapic mode: 6.12, 7.2-x2apic, 6.12-amd.
# Contenders alternate inside every repetition (their order rotates), so a
# drift of the emulator's speed hits all of them alike. Any failure is a
# line "BENCH-FAIL <reason>" and a non-zero exit; kernel splats are counted
# at the end ("BENCH-SPLATS <n>"), and any is a failure. The parameters
# below are those of the documented run (docs/benchmark.md).

# shellcheck disable=SC1090,SC1091
IMS_CLIENT_LIB=1 . /ims/cases/ims-10-client.sh

B=/sys/kernel/debug/ims_bench
REPS=5			# per-op repetitions
GROW_REPS=3		# growth repetitions (the dance is slow)
GROW_CAP_MS=15000	# time cap of one growth run
DANCE_1024_CAP_MS=90000	# the dance to 1024 runs once, with this cap
REQMAX=1024		# per-op: requested irqs at most (vectors are finite)
LOSSLESS_N=256
LOSSLESS_GAP_MS=20	# one growth step every 20 ms for both contenders
SCALE_SLOTS=65536	# the domain maximum (IMS_MAX_SLOTS)
SCALE_S_REPS=3		# scale repetitions of array-s (one by one, spares)
CHURN_REPS=4		# churn repetitions, contenders alternating
CHURN_CYCLES=64		# cycles of one churn run
CHURN_MSIX_MAX=1024	# MSI-X holds at most this many (2048-entry table)

bfail() {
	echo "BENCH-FAIL $*"
	exit 1
}

# b PHASE CONTENDER N REP CMD...: run one command, print its result line.
b() {
	_tag="$1 $2 $3 $4"
	shift 4
	echo "$*" >"$B/cmd" 2>/dev/null || bfail "'$*' refused as malformed"
	R=$(cat "$B/result")
	case "$R" in
	ok*) echo "BENCH $BK $_tag :: $R" ;;
	*) bfail "'$*': $R" ;;
	esac
}

# ir_refusals: the IR drivers' "cannot allocate" lines so far.
ir_refusals() { dmesg | grep -c -E "can't allocate an IRTE|Failed to allocate IRTE" || true; }

# meminfo KEY: a /proc/meminfo value in kB.
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }

# Profile: the function_graph tracer times the named kernel functions
# around a command, when the kernel has it (names it does not know are
# left out). prof_stop prints " FUNC=MEDIAN_NS FUNC_n=CALLS" per function.
TR=/sys/kernel/debug/tracing
prof_start() {
	[ -w "$TR/set_ftrace_filter" ] || return 1
	echo >"$TR/set_ftrace_filter"
	for _f in "$@"; do
		echo "$_f" >>"$TR/set_ftrace_filter" 2>/dev/null
	done
	[ -n "$(cat "$TR/set_ftrace_filter")" ] || return 1
	echo 1 >"$TR/options/funcgraph-tail"
	echo function_graph >"$TR/current_tracer" || return 1
	echo >"$TR/trace"
}

# (Switching the tracer clears the buffer: read it first.)
prof_stop() {
	echo 0 >"$TR/tracing_on"
	# one "FUNC MICROSECONDS" line per call
	awk '{
		name = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^[A-Za-z_][A-Za-z0-9_.]*\(\);$/) { name = $i; sub(/\(\);$/, "", name) }
			# a module function: "name [module]();"
			if ($i ~ /^\[[A-Za-z0-9_]+\]\(\);$/ && i > 1) name = $(i - 1)
			if ($i == "/*" && i < NF) name = $(i + 1)
			if ($i == "us" && i > 1) { x = $(i - 1); gsub(/[^0-9.]/, "", x) }
		}
		if (name != "" && x != "") print name, x
		x = ""
	}' "$TR/trace" >/tmp/prof.txt
	echo nop >"$TR/current_tracer"
	echo >"$TR/set_ftrace_filter"
	echo 1 >"$TR/tracing_on"
	# shellcheck disable=SC2013 # function names are words
	for _f in $(awk '{ print $1 }' /tmp/prof.txt | sort -u); do
		awk -v f="$_f" '$1 == f { print $2 }' /tmp/prof.txt | sort -n |
			awk -v f="$_f" '{ v[NR] = $1 }
				END { printf " %s=%d %s_n=%d", f, v[int((NR + 1) / 2)] * 1000, f, NR }'
	done
	echo
}

# Contenders: array, queue, msix, and array-bB, queue-bB (IMS allocated in
# batches of B = $BATCH, ims_bench's IB_BATCH); in the scale and churn
# phases array-s: the array template with IMS_DOMAIN_SPARES, one by one.
# kind CONTENDER: ims_bench's kind; verb CONTENDER VERB: its command.
kind() { echo "${1%-b"$BATCH"}"; }
verb() {
	case $1 in
	*-b"$BATCH") echo "b$2" ;;
	*) echo "$2" ;;
	esac
}

# probe CONTENDER OCCUPIED: the scale test's profile at this occupancy.
probe() {
	if prof_start intel_irq_remapping_alloc irq_remapping_alloc; then
		b probe "$1" "$2" 1 "$(verb "$1" sprobe)"
		echo "BENCH $BK irprof $1 $2 1 :: ok$(prof_stop)"
	else
		diag "no function_graph tracer: IR allocator not profiled"
		b probe "$1" "$2" 1 "$(verb "$1" sprobe)"
	fi
}

# rotate WORDS...: the words, first one moved to the end, ROT times.
rotate() {
	_n=$ROT
	while [ "$_n" -gt 0 ]; do
		_f=$1
		shift
		set -- "$@" "$_f"
		_n=$((_n - 1))
	done
	echo "$@"
}

# Elapsed time of each phase: "# bench: phase P took S s" and a BENCH line.
uptime_s() { awk '{ print $1 }' /proc/uptime; }
phase() {
	if [ -n "${PH_NAME:-}" ]; then
		_s=$(awk -v a="$PH_T0" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }')
		echo "# bench: phase $PH_NAME took $_s s"
		echo "BENCH $BK time $PH_NAME - 0 :: ok s=$_s"
	fi
	PH_NAME=${1:-}
	PH_T0=$(uptime_s)
}

# Give back the empty slabs of every cache, so that Slab counts the
# objects in use (and their slabs) rather than what earlier phases freed.
slab_shrink() {
	for _f in /sys/kernel/slab/*/shrink; do
		[ -w "$_f" ] && echo 1 >"$_f" 2>/dev/null
	done
	return 0
}

# slab_use FILE: bytes in use per slab cache ("NAME BYTES" lines).
slab_use() { awk 'NR > 2 { print $1, $2 * $4 }' /proc/slabinfo >"$1"; }

# slab_top BEFORE AFTER: " slab:NAME=KB" for the 8 caches that grew most.
slab_top() {
	awk 'NR == FNR { a[$1] = $2; next } $2 > a[$1] { print $2 - a[$1], $1 }' "$1" "$2" |
		sort -rn | head -n 8 | awk '{ printf " slab:%s=%d", $2, $1 / 1024 }'
}

# The kernel label: the line, and the remapping flavour unless VT-d xapic.
case "${LANE#*/}" in
intel-ir) BK=$KLINE ;;
intel-x2apic) BK=$KLINE-x2apic ;;
amd-ir) BK=$KLINE-amd ;;
*) BK=$KLINE-${LANE#*/} ;;
esac

lane_has_ir || bfail "the benchmark needs interrupt remapping (lane $LANE)"
modprobe ims_bench || bfail "cannot load ims_bench"
[ -e "$B/cmd" ] || bfail "ims_bench has no control file"
echo "BENCH $BK lane - - 0 :: ok iommu=$IOMMU apic=$APIC smp=$SMP qemu=$QEMU_VERSION kver=$KVER"
b caps - - 0 caps
if [ "$(val edu)" != 1 ] || [ "$(val nvme)" != 1 ]; then
	bfail "ims_bench did not bind edu and nvme: $R"
fi
[ "$(val msix_size)" -ge 2048 ] || bfail "nvme MSI-X table too small: $R"
BATCH=$(val batch)
[ "${BATCH:-0}" -gt 1 ] || bfail "ims_bench has no batch size: $R"
MSIX_DYN=$(val msix_dyn)
PEROP="array queue array-b$BATCH queue-b$BATCH"
[ "$MSIX_DYN" = 1 ] && PEROP="$PEROP msix"
# AMD-Vi gives each device one remapping table of 512 entries (QEMU's
# IOMMU on every kernel here): no contender holds 1024 there.
if [ "$IOMMU" = amd ]; then
	PEROP_NS="64 256" GROW_NS="64 256" CHURN_KS="0"
else
	PEROP_NS="64 256 1024 2000" GROW_NS="64 256 1024" CHURN_KS="0 1024 16384"
fi
echo "# bench: $BK ($LANE), $(val cpus) CPUs, MSI-X table $(val msix_size), dynamic MSI-X $MSIX_DYN, batch $BATCH"

# 1. per-op cost, all contenders alternating
phase perop
# shellcheck disable=SC2086 # a word list
NPEROP=$(echo $PEROP | wc -w)
rep=1
while [ "$rep" -le "$REPS" ]; do
	ROT=$((rep % NPEROP))
	for n in $PEROP_NS; do
		# shellcheck disable=SC2086
		for c in $(rotate $PEROP); do
			b perop "$c" "$n" "$rep" "$(verb "$c" perop)" "$(kind "$c")" "$n" "$REQMAX"
		done
	done
	rep=$((rep + 1))
done

# where the time of a call goes: one traced run of each contender (per-op
# and churn), functions of both IR drivers
PROF_FUNCS="ims_alloc_irq ims_alloc_irq_range ims_alloc_irqs ims_free_irq ims_release_spares
	pci_msix_alloc_irq_at pci_msix_free_irq
	__irq_domain_alloc_irqs irq_domain_free_irqs __irq_alloc_descs irq_free_descs
	intel_irq_remapping_alloc intel_irq_remapping_free irq_remapping_alloc irq_remapping_free
	x86_vector_alloc_irqs ims_domain_alloc ims_domain_free msi_domain_alloc msi_domain_free
	request_threaded_irq free_irq irq_domain_activate_irq irq_domain_deactivate_irq
	intel_irq_remapping_activate irq_remapping_activate x86_vector_activate register_irq_proc
	unregister_irq_proc __pci_write_msi_msg ims_domain_activate"
phase profile
for c in $PEROP; do
	# shellcheck disable=SC2086
	if prof_start $PROF_FUNCS; then
		b perop "$c" 64 0 "$(verb "$c" perop)" "$(kind "$c")" 64 64
		echo "BENCH $BK profile $c 64 0 :: ok$(prof_stop)"
	fi
done

# 2. growth 1 -> N: IMS one by one vs the re-enable dance
phase grow
rep=1
while [ "$rep" -le "$GROW_REPS" ]; do
	ROT=$((rep % 2))
	for n in $GROW_NS; do
		for c in $(rotate array dance); do
			cap=$GROW_CAP_MS
			if [ "$c$n" = dance1024 ]; then
				[ "$rep" = 1 ] || continue
				cap=$DANCE_1024_CAP_MS
			fi
			b grow "$c" "$n" "$rep" grow "$c" "$n" "$cap"
		done
	done
	rep=$((rep + 1))
done

# 3. scale: for each contender a fresh domain of the maximum size, grown to
# 16384, to 32768, then until the shared remapping table runs out; the
# cost of each allocation by occupancy, the memory per interrupt at 16384
# held, a profile at 0, 16384 and 32768 held. On AMD-Vi the device's own
# remapping table ends the first stretch.
# scale CONTENDER REP: array (one by one), array-s (spares), array-bB
# (batches); the probes, the memory and the requests in repetition 1 only.
scale() {
	_c=$1 _r=$2
	_open=array
	[ "$_c" = array-s ] && _open=array-s
	_alloc=$(verb "$_c" salloc)
	b scale "$_c" "$SCALE_SLOTS" "$_r" sopen "$_open" "$SCALE_SLOTS"
	[ "$_r" = 1 ] && probe "$_c" 0
	slab_shrink
	_slab0=$(meminfo Slab) _pcpu0=$(meminfo Percpu)
	slab_use /tmp/slab0.txt
	b scale "$_c" 16384 "$_r" "$_alloc" 16384
	_held=$(val reached) _spare=$(val spare) _used=$(val used)
	if [ "$_r" = 1 ]; then
		slab_shrink
		_slab1=$(meminfo Slab) _pcpu1=$(meminfo Percpu)
		slab_use /tmp/slab1.txt
		_kb=$((_slab1 - _slab0 + _pcpu1 - _pcpu0))
		echo "BENCH $BK mem $_c 16384 1 :: ok slab_kb=$((_slab1 - _slab0)) percpu_kb=$((_pcpu1 - _pcpu0)) used=$_used spare=$_spare bytes_per_irq=$((_kb * 1024 / _used))$(slab_top /tmp/slab0.txt /tmp/slab1.txt)"
	fi
	if [ "$_held" -lt 16384 ]; then
		[ "$IOMMU" = amd ] || bfail "$_c: only $_held IMS irqs allocated on one device"
		[ "$_held" -ge 128 ] || bfail "$_c: only $_held IMS irqs allocated on one device"
		diag "$_c: the device's remapping table ends at $_held interrupts"
	else
		[ "$_r" = 1 ] && probe "$_c" 16384
		b scale "$_c" 32768 "$_r" "$_alloc" 32768
		[ "$(val reached)" = 32768 ] || bfail "$_c: only $(val reached) IMS irqs allocated on one device"
		[ "$_r" = 1 ] && probe "$_c" 32768
		# on to the maximum: the remapping table (shared by all devices)
		# runs out; the IR driver's refusals on the way are counted (the
		# last one is the allocation that fails)
		_ref0=$(ir_refusals)
		b scale "$_c" "$SCALE_SLOTS" "$_r" "$_alloc" "$SCALE_SLOTS"
		_held=$(val reached)
		diag "$_c: $(($(ir_refusals) - _ref0)) IR refusal lines on the way to the maximum ($_held held)"
	fi
	if [ "$_c" = array ] && [ "$_r" = 1 ]; then
		b request "$_c" "$_held" 1 sreq
		# all of them (a small AMD-Vi table), or up to the CPU vectors' end
		if [ "$(val requested)" != "$_held" ] && [ "$(val err)" != -28 ]; then
			bfail "requesting stopped with $(val err), not -ENOSPC"
		fi
	fi
	b free "$_c" "$_held" "$_r" sfree
}
# array-s, the contender of the flatness goal, runs SCALE_S_REPS times: a
# window's mean is carried by its two block allocations, and one stall of
# the emulator in a window moves it by as much.
for c in array array-s "array-b$BATCH"; do
	phase "scale-$c"
	reps=1
	[ "$c" = array-s ] && reps=$SCALE_S_REPS
	rep=1
	while [ "$rep" -le "$reps" ]; do
		scale "$c" "$rep"
		rep=$((rep + 1))
	done
done

# 4. churn: with K held, cycles of one interrupt, IMS with spares against
# dynamic MSI-X, alternating; then one traced run of each at K = 1024
# (the largest K run, on AMD-Vi).
# churn CONTENDER K REP [traced]: hold K, run the measured sequence, close.
churn() {
	b hold "$1" "$2" "$3" chold "$1" "$2"
	if [ "${4:-}" = traced ]; then
		# shellcheck disable=SC2086
		prof_start $PROF_FUNCS || bfail "no function_graph tracer for the churn profile"
		b cprofile-run "$1" "$2" "$3" crun "$CHURN_CYCLES"
		echo "BENCH $BK cprofile $1 $2 $3 :: ok$(prof_stop)"
	else
		b churn "$1" "$2" "$3" crun "$CHURN_CYCLES"
	fi
	b cfree "$1" "$2" "$3" cclose
}
churn_contenders() {
	if [ "$MSIX_DYN" = 1 ] && [ "$1" -le "$CHURN_MSIX_MAX" ]; then
		echo "array-s msix"
	else
		echo "array-s"
	fi
}
phase churn
for k in $CHURN_KS; do
	CC=$(churn_contenders "$k")
	# shellcheck disable=SC2086
	NCC=$(echo $CC | wc -w)
	rep=1
	while [ "$rep" -le "$CHURN_REPS" ]; do
		ROT=$((rep % NCC))
		# shellcheck disable=SC2086
		for c in $(rotate $CC); do
			churn "$c" "$k" "$rep"
		done
		rep=$((rep + 1))
	done
	PROF_K=$k
done
phase churn-profile
[ "$PROF_K" -gt 1024 ] && PROF_K=1024
for c in $(churn_contenders "$PROF_K"); do
	churn "$c" "$PROF_K" 0 traced
done

# 5. growth while edu fires on the existing vectors
phase lossless
for c in array dance; do
	b lossless "$c" "$LOSSLESS_N" 1 lossless "$c" "$LOSSLESS_N" "$LOSSLESS_GAP_MS"
done
phase

rmmod ims_bench || bfail "cannot unload ims_bench"
n=$(dmesg | grep -E -f /ims/splat-include | grep -v -E -c -f /ims/splat-exclude)
echo "BENCH-SPLATS $n"
[ "$n" -eq 0 ] || { dmesg | grep -E -f /ims/splat-include | head -n 20; bfail "kernel splats"; }
echo "BENCH-DONE"
