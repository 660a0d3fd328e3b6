#!/bin/sh
# Guest side of 'make bench' (runs as /run.sh, busybox sh): drives
# tests/kmod/ims_bench.ko and prints one machine-readable line per
# measurement for scripts/bench.sh:
#
#	BENCH <kline> <phase> <contender> <n> <rep> :: ok key=value ...
#
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
	ok*) echo "BENCH $KLINE $_tag :: $R" ;;
	*) bfail "'$*': $R" ;;
	esac
}

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
# batches of B = $BATCH, ims_bench's IB_BATCH).
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
	if prof_start intel_irq_remapping_alloc; then
		b probe "$1" "$2" 1 "$(verb "$1" sprobe)"
		echo "BENCH $KLINE irprof $1 $2 1 :: ok$(prof_stop)"
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

lane_has_ir || bfail "the benchmark needs interrupt remapping (lane $LANE)"
modprobe ims_bench || bfail "cannot load ims_bench"
[ -e "$B/cmd" ] || bfail "ims_bench has no control file"
b caps - - 0 caps
if [ "$(val edu)" != 1 ] || [ "$(val nvme)" != 1 ]; then
	bfail "ims_bench did not bind edu and nvme: $R"
fi
[ "$(val msix_size)" -ge 2048 ] || bfail "nvme MSI-X table too small: $R"
BATCH=$(val batch)
[ "${BATCH:-0}" -gt 1 ] || bfail "ims_bench has no batch size: $R"
PEROP="array queue array-b$BATCH queue-b$BATCH"
[ "$(val msix_dyn)" = 1 ] && PEROP="$PEROP msix"
echo "# bench: $(val cpus) CPUs, MSI-X table $(val msix_size), dynamic MSI-X $(val msix_dyn), batch $BATCH"

# 1. per-op cost, all contenders alternating
# shellcheck disable=SC2086 # a word list
NPEROP=$(echo $PEROP | wc -w)
rep=1
while [ "$rep" -le "$REPS" ]; do
	ROT=$((rep % NPEROP))
	for n in 64 256 1024 2000; do
		# shellcheck disable=SC2086
		for c in $(rotate $PEROP); do
			b perop "$c" "$n" "$rep" "$(verb "$c" perop)" "$(kind "$c")" "$n" "$REQMAX"
		done
	done
	rep=$((rep + 1))
done

# where the per-op time goes: one traced run of each contender
PROF_FUNCS="ims_alloc_irq ims_alloc_irq_range ims_alloc_irqs ims_free_irq pci_msix_alloc_irq_at pci_msix_free_irq
	__irq_domain_alloc_irqs irq_domain_free_irqs __irq_alloc_descs irq_free_descs
	intel_irq_remapping_alloc intel_irq_remapping_free x86_vector_alloc_irqs
	ims_domain_alloc ims_domain_free msi_domain_alloc msi_domain_free
	request_threaded_irq free_irq irq_domain_activate_irq irq_domain_deactivate_irq
	intel_irq_remapping_activate x86_vector_activate register_irq_proc
	unregister_irq_proc __pci_write_msi_msg ims_domain_activate"
for c in $PEROP; do
	# shellcheck disable=SC2086
	if prof_start $PROF_FUNCS; then
		b perop "$c" 64 0 "$(verb "$c" perop)" "$(kind "$c")" 64 64
		echo "BENCH $KLINE profile $c 64 0 :: ok$(prof_stop)"
	fi
done

# 2. growth 1 -> N: IMS one by one vs the re-enable dance
rep=1
while [ "$rep" -le "$GROW_REPS" ]; do
	ROT=$((rep % 2))
	for n in 64 256 1024; do
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

# 3. scale: one domain of the maximum size, per-op cost by occupancy,
# memory per irq, then requests until the vectors run out
b scale array "$SCALE_SLOTS" 1 sopen "$SCALE_SLOTS"
probe array 0
slab0=$(meminfo Slab) pcpu0=$(meminfo Percpu)
b scale array 16384 1 salloc 16384
slab1=$(meminfo Slab) pcpu1=$(meminfo Percpu)
echo "BENCH $KLINE mem array 16384 1 :: ok slab_kb=$((slab1 - slab0)) percpu_kb=$((pcpu1 - pcpu0)) bytes_per_irq=$(((slab1 - slab0 + pcpu1 - pcpu0) * 1024 / 16384))"
probe array 16384
b scale array 32768 1 salloc 32768
probe array 32768
# on to the maximum: the remapping table (shared by all devices) runs out
b scale array "$SCALE_SLOTS" 1 salloc "$SCALE_SLOTS"
held=$(val reached)
[ "$held" -ge 32768 ] || bfail "only $held IMS irqs allocated on one device"
b request array "$held" 1 sreq
[ "$(val err)" = -28 ] || bfail "requesting stopped with $(val err), not -ENOSPC"
b free array "$held" 1 sfree
# the same on a fresh domain of the same size, in batches
SB=array-b$BATCH
b scale "$SB" "$SCALE_SLOTS" 1 sopen "$SCALE_SLOTS"
probe "$SB" 0
b scale "$SB" 16384 1 bsalloc 16384
probe "$SB" 16384
b scale "$SB" 32768 1 bsalloc 32768
b free "$SB" 32768 1 sfree

# 4. growth while edu fires on the existing vectors
for c in array dance; do
	b lossless "$c" "$LOSSLESS_N" 1 lossless "$c" "$LOSSLESS_N" "$LOSSLESS_GAP_MS"
done

rmmod ims_bench || bfail "cannot unload ims_bench"
n=$(dmesg | grep -E -f /ims/splat-include | grep -v -E -c -f /ims/splat-exclude)
echo "BENCH-SPLATS $n"
[ "$n" -eq 0 ] || { dmesg | grep -E -f /ims/splat-include | head -n 20; bfail "kernel splats"; }
echo "BENCH-DONE"
