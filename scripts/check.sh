#!/usr/bin/env bash
# Run the test lanes and judge them: the whole of 'make check'.
#
# Installs what is missing (setup-host.sh), fetches the kernels, builds the
# modules once per kernel, boots the lanes (IMS_JOBS at a time), then parses
# each serial log: a lane fails on any "not ok", on a kernel splat (see
# splat-patterns; only kernel log lines, which carry a timestamp, are
# matched), on a missing IMS-SUITE-FINISHED marker (hang, crash, timeout),
# on a TAP plan mismatch or on a build failure. Logs are kept in
# results/<timestamp>-<pid>/ (results/latest points there; the newest 10
# runs are kept). Prints a table and then one line
# "N passed, N failed[, N skipped]"; exits non-zero on any failure.
#
#   check.sh            the packaging lanes (host/dkms, sid/dkms,
#                       trixie/dkms), CHECK_DEBUG_LANES and ALL_LANES
#                       (common.sh);
#                       a fresh machine builds the debug kernel (~8 min on
#                       2 cores) and the suites' roots (~2 min) first
#   check.sh --debug    only the debug kernel's lanes (DEBUG_LANES)
#
# Environment: LANES (default: as above), TESTS (case name globs), IMS_JOBS
# (parallel lanes, default 2), plus run-lane.sh's knobs.
set -euo pipefail
. "$(dirname "$0")/common.sh"

# The packaging lanes: host/dkms on the host, <suite>/dkms in the root of a
# suite (roots.sh) for the kernels built there. Each ends with the package
# installed for its kernels, which the VM lanes of those kernels boot with:
# a VM lane starts only after its packaging lane (if that is in the run).
PKG_LANES="host/dkms $(printf '%s/dkms\n' "${KLINE_ROOT[@]}" | sort -u | tr '\n' ' ')"
is_pkg_lane() { [[ " $PKG_LANES " == *" $1 "* ]]; }
# pkg_lane_of LANE: the packaging lane of a VM lane's kernel (host/dkms
# cross-builds for the arm64 kernels, see dkms.sh).
pkg_lane_of() {
	local root
	root=$(kline_root "${1%%/*}")
	echo "${root:-host}/dkms"
}
# The packaging lanes first, then the debug lanes: they are the longest.
default_lanes="$PKG_LANES $CHECK_DEBUG_LANES $ALL_LANES"
[ "${1:-}" = --debug ] && default_lanes=$DEBUG_LANES
lanes=$(echo ${LANES:-$default_lanes})
jobs=${IMS_JOBS:-2}
for lane in $lanes; do
	is_pkg_lane "$lane" || lane_known "$lane" ||
		die "unknown lane '$lane' (lanes: $PKG_LANES $ALL_LANES $DEBUG_LANES $ARM64_LANES)"
done
t0=$(date +%s)

"$REPO/scripts/setup-host.sh"

out=$REPO/results/$(date +%Y%m%d-%H%M%S)-$$
mkdir -p "$out"
ln -sfn "$(basename "$out")" "$REPO/results/latest"
# Keep the newest 10 runs.
ls -1d "$REPO"/results/2*/ 2>/dev/null | head -n -10 | xargs -r rm -rf
msg "results in $out"

# Kernels and module builds, once per kernel line.
klines=$(for lane in $lanes; do is_pkg_lane "$lane" || echo "${lane%%/*}"; done | sort -uV)
[ -n "$klines" ] || klines=$KLINES
declare -A kver_of build_ok
kernels=$("$REPO/scripts/kernels.sh" fetch $klines)
while read -r kline kver; do
	kver_of[$kline]=$kver
	tb=$(date +%s)
	if "$REPO/scripts/build-modules.sh" "$kver" >/dev/null 2>"$out/build-$kver.log"; then
		build_ok[$kline]=1
		msg "built modules for $kver in $(($(date +%s) - tb)) s"
	else
		build_ok[$kline]=0
		tail -n 40 "$out/build-$kver.log" >&2
		msg "module build FAILED for $kver (log: $out/build-$kver.log)"
	fi
done <<<"$kernels"

run_one() {
	local lane=$1 start rc=0
	start=$(date +%s)
	"$REPO/scripts/run-lane.sh" "$lane" "$out" 2>>"$out/$lane.stderr" || rc=$?
	echo "$rc" >"$out/$lane.rc"
	echo $(($(date +%s) - start)) >"$out/$lane.secs"
	msg "$lane finished in $(cat "$out/$lane.secs") s (qemu exit $rc)"
}

# The packaging test of one packaging lane, for the kernels of the run that
# its host or root builds (judged like a VM lane).
run_pkg() {
	local lane=$1 root=${1%%/dkms} start rc=0 k kvers=()
	for k in $klines; do
		[ "$(kline_root "$k")" = "${root#host}" ] && kvers+=("${kver_of[$k]}")
	done
	start=$(date +%s)
	if [ ${#kvers[@]} -eq 0 ]; then
		msg "$lane: no kernel of this run is built there"
		printf 'TAP version 13\n1..0\nIMS-SUITE-FINISHED\n' >"$out/$lane.log"
	else
		"$REPO/scripts/dkms.sh" test "${kvers[@]}" >"$out/$lane.log" 2>"$out/$lane.stderr" || rc=$?
	fi
	echo "$rc" >"$out/$lane.rc"
	echo $(($(date +%s) - start)) >"$out/$lane.secs"
	msg "$lane finished in $(cat "$out/$lane.secs") s"
}

# ready LANE: its packaging lane, if in this run, has finished.
ready() {
	local dep
	is_pkg_lane "$1" && return 0
	dep=$(pkg_lane_of "$1")
	[ -z "$dep" ] || [[ " $lanes " != *" $dep "* ]] || [ -f "$out/$dep.rc" ]
}

pending=()
for lane in $lanes; do
	mkdir -p "$(dirname "$out/$lane")"
	if ! is_pkg_lane "$lane" && [ "${build_ok[${lane%%/*}]:-0}" != 1 ]; then
		cp "$out/build-${kver_of[${lane%%/*}]}.log" "$out/$lane.build-failed"
		echo 0 >"$out/$lane.secs"
		continue
	fi
	pending+=("$lane")
done
# IMS_JOBS at a time, in order, each as soon as its packaging lane is done.
while [ ${#pending[@]} -gt 0 ]; do
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	next=-1
	for i in "${!pending[@]}"; do
		ready "${pending[$i]}" && { next=$i; break; }
	done
	if [ "$next" -lt 0 ]; then
		wait -n || true
		continue
	fi
	lane=${pending[$next]}
	pending=("${pending[@]:0:$next}" "${pending[@]:$((next + 1))}")
	msg "$lane started"
	if is_pkg_lane "$lane"; then
		run_pkg "$lane" &
	else
		run_one "$lane" &
	fi
done
wait

# Judge one lane; prints "passed failed skipped splats status secs".
judge() {
	local lane=$1 log=$out/$1.log passed=0 failed=0 skipped=0 splats=0 status=ok plan
	local secs
	secs=$(cat "$out/$lane.secs" 2>/dev/null || echo 0)
	if [ -f "$out/$lane.build-failed" ]; then
		echo "0 1 0 0 build-fail $secs"
		return
	fi
	if [ ! -f "$log" ]; then
		echo "0 1 0 0 error $secs"
		return
	fi
	tr -d '\r' <"$log" >"$out/$lane.clean"
	local c=$out/$lane.clean
	passed=$(grep -cE '^ok [0-9]+ - ' "$c" | tr -d ' ' || true)
	skipped=$(grep -cE '^ok [0-9]+ - .* # SKIP' "$c" || true)
	passed=$((passed - skipped))
	failed=$(grep -cE '^not ok [0-9]+ - ' "$c" || true)
	# Kernel lines only (from the timestamp on, console and dmesg dump
	# copies of one line collapse), then the patterns and exceptions.
	grep -oE '\[ *[0-9]+\.[0-9]{6}\] .*' "$c" |
		grep -E -f <(grep -v -e '^#' -e '^!' -e '^$' "$REPO/scripts/splat-patterns") |
		{ grep -v -E -f <(sed -n 's/^!//p' "$REPO/scripts/splat-patterns"; echo '^$') || true; } |
		sort -u >"$out/$lane.splats" || true
	splats=$(wc -l <"$out/$lane.splats")
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$c" | head -n 1)
	[ "$failed" -gt 0 ] && status=FAIL
	if [ "$splats" -gt 0 ]; then status=splat; failed=$((failed + 1)); fi
	if ! grep -q '^IMS-SUITE-FINISHED$' "$c"; then
		status=no-finish
		[ "$(cat "$out/$lane.rc" 2>/dev/null)" = 124 ] && status=timeout
		failed=$((failed + 1))
	elif [ -z "$plan" ] || [ "$plan" -ne $((passed + skipped + $(grep -cE '^not ok [0-9]+ - ' "$c" || true))) ]; then
		status=plan; failed=$((failed + 1))
	fi
	echo "$passed $failed $skipped $splats $status $secs"
}

tp=0 tf=0 ts=0
{
	printf '%-20s %6s %6s %7s %5s %-10s %7s\n' lane passed failed skipped splat status seconds
	for lane in $lanes; do
		read -r p f s sp st secs < <(judge "$lane")
		printf '%-20s %6d %6d %7d %5d %-10s %7d\n' "$lane" "$p" "$f" "$s" "$sp" "$st" "$secs"
		tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
	done
} >"$out/summary.txt"

# Details of what went wrong, before the table.
for lane in $lanes; do
	c=$out/$lane.clean
	[ -f "$out/$lane.build-failed" ] && { echo "== $lane: module build failed: $out/$lane.build-failed"; continue; }
	if [ ! -f "$c" ]; then
		echo "== $lane: no console log; run-lane.sh said:"
		tail -n 15 "$out/$lane.stderr" 2>/dev/null || true
		continue
	fi
	if grep -qE '^not ok ' "$c" || [ -s "$out/$lane.splats" ] || ! grep -q '^IMS-SUITE-FINISHED$' "$c"; then
		echo "== $lane ($out/$lane.log)"
		grep -E '^not ok ' "$c" || true
		[ -s "$out/$lane.splats" ] && sed 's/^/splat: /' "$out/$lane.splats" | head -n 20
		grep -q '^IMS-SUITE-FINISHED$' "$c" || { echo "no IMS-SUITE-FINISHED; last lines:"; tail -n 15 "$c"; }
	fi
done

echo
cat "$out/summary.txt"
echo "total time: $(($(date +%s) - t0)) s (jobs: $jobs)"
echo
line="$tp passed, $tf failed"
[ "$ts" -gt 0 ] && line="$line, $ts skipped"
echo "$line"
[ "$tf" -eq 0 ]
