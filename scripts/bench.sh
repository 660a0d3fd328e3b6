#!/usr/bin/env bash
# 'make bench': IMS against MSI-X, one VM boot per kernel line.
#
# Each lane boots with the test card plus a QEMU nvme function whose
# 2048-entry MSI-X table is the MSI-X contender (its Linux driver is not in
# the guest), and runs tests/bench/guest.sh, which prints one BENCH line per
# measurement. This script turns them into results/bench/<stamp>/:
#
#	bench.csv	kernel,phase,contender,n,rep,key,value (every figure)
#	summary.txt	the table printed at the end (medians and ranges)
#	bench.png	the plot (gnuplot)
#	<lane>.log	serial console of each boot
#	times.txt	seconds each lane took (also at the end of summary.txt)
#
# The lanes: Debian 12's 6.1 and 6.12 and sid's 7.2 under Intel VT-d
# (xapic), 7.2 with VT-d in x2apic mode (QEMU of the trixie root, see
# run-lane.sh) and 6.12 under AMD-Vi. The guest labels each kernel with
# its remapping flavour unless it is VT-d xapic: 7.2-x2apic, 6.12-amd.
#
# Environment: BENCH_LANES (default: the five lanes above),
# IMS_BENCH_SMP (vCPUs, default 8: requested irqs each take a CPU vector,
# about 200 per CPU, and growth to 1024 needs 1024 of them),
# IMS_LANE_TIMEOUT (s per boot, default 1800).
set -euo pipefail
. "$(dirname "$0")/common.sh"

lanes=${BENCH_LANES:-"6.1/intel-ir 6.12/intel-ir 7.2/intel-ir 7.2/intel-x2apic 6.12/amd-ir"}
smp=${IMS_BENCH_SMP:-8}
bench=$IMS_SRC/tests/bench

"$REPO/scripts/setup-host.sh"
apt_ensure gnuplot-nox gawk

stamp=$(date -u +%Y%m%d-%H%M%S)
out=$REPO/results/bench/$stamp
mkdir -p "$out"
ln -sfn "$stamp" "$REPO/results/bench/latest"

# nvme at 00:15.0, away from the card's slot 00:14
export IMS_SMP=$smp IMS_QEMU_EXTRA="-device nvme,serial=imsbench,msix_qsize=2048,addr=0x15"
export IMS_LANE_TIMEOUT=${IMS_LANE_TIMEOUT:-1800}

for lane in $lanes; do
	lane_known "$lane" || die "bench: unknown lane '$lane' (lanes: $ALL_LANES)"
done
: >"$out/lines.txt"
: >"$out/times.txt"
total=$SECONDS
failed=0
for lane in $lanes; do
	msg "bench: $lane ($smp vCPUs)"
	start=$SECONDS
	rc=0
	"$REPO/scripts/run-lane.sh" --run "$bench/guest.sh" "$lane" "$out" || rc=$?
	log=$out/$lane.log
	tr -d '\r' <"$log" >"$log.txt" 2>/dev/null || : >"$log.txt"
	done_line=$(grep -c '^BENCH-DONE' "$log.txt" || true)
	if [ "$rc" -ne 0 ] || [ "$done_line" -ne 1 ]; then
		reason=$(grep -m1 -E '^BENCH-FAIL' "$log.txt" || echo "qemu exit $rc, no BENCH-DONE")
		msg "bench: $lane failed: $reason (log: $log)"
		failed=1
	fi
	grep '^BENCH ' "$log.txt" >>"$out/lines.txt" || true
	rm -f "$log.txt"
	msg "bench: $lane took $((SECONDS - start)) s"
	echo "$lane $((SECONDS - start))" >>"$out/times.txt"
done
echo "all $((SECONDS - total))" >>"$out/times.txt"

gawk -f "$bench/csv.awk" "$out/lines.txt" >"$out/bench.csv"
gawk -v out="$out" -f "$bench/summary.awk" "$out/bench.csv" >"$out/summary.txt"
{
	echo
	echo "Lane times (boot, module build and benchmark), s"
	awk '{ printf "  %-20s %6d\n", $1, $2 }' "$out/times.txt"
} >>"$out/summary.txt"
kernels=$(tail -n +2 "$out/bench.csv" | cut -d, -f1 | sort -u -V | xargs)
[ -n "$kernels" ] || die "bench: no results (see the logs in $out)"
gnuplot -e "dir='$out'; kernels='$kernels'" "$bench/plot.gp"
cat "$out/summary.txt"
msg "bench: results in $out (bench.csv, summary.txt, bench.png)"
[ "$failed" -eq 0 ] || die "bench: a lane failed, see above"
