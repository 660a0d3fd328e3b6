#!/usr/bin/env bash
# 'make demo': install what is missing, build, and boot the 6.12/intel-ir
# lane so that the guest runs tests/guest/demo.sh instead of the suite; the
# serial console is streamed to the terminal and kept in results/demo/.
# Override the lane with DEMO_LANE=...
set -euo pipefail
. "$(dirname "$0")/common.sh"

lane=${DEMO_LANE:-6.12/intel-ir}
"$REPO/scripts/setup-host.sh"
out=$REPO/results/demo
msg "booting $lane for the demo (QEMU TCG; Ctrl-A x quits)"
rc=0
"$REPO/scripts/run-lane.sh" --run "$IMS_SRC/tests/guest/demo.sh" --live "$lane" "$out" || rc=$?
if [ "$rc" -eq 2 ]; then
	die "build failed, see $out/$lane.build.log"
fi
grep -q 'IMS-RUN-FINISHED' "$out/$lane.log" || die "the demo did not finish (qemu exit $rc); log: $out/$lane.log"
grep -q '^# ims: run exited with 0' <(tr -d '\r' <"$out/$lane.log") ||
	die "the demo failed: $(tr -d '\r' <"$out/$lane.log" | grep -m1 -E '^# ims: run exited|DEMO FAILED')"
msg "demo finished; console log: $out/$lane.log"
