#!/bin/sh
# Unbind with open files and work in flight: a process has 30 descriptors
# queued (each asking for an IMS interrupt) and waits on its eventfd and
# the file. Unbinding aborts the queued work, frees the interrupts and the
# domain; the process sees ENODEV and exits (no hang), no splat, nothing
# left. A rebind works again, and rmmod succeeds once the file is closed.
# timeout: 180
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_case_deep teardown
idxd_setup
idxd_ref_user hold 30 >/tmp/idxd-hold.out 2>&1 &
pid=$!
sleep 2
grep -q submitted /tmp/idxd-hold.out || sleep 2
sed 's/^/# before: /' "$IDXD_DBG/stats"
t0=$(date +%s)
echo "$EDU_BDF" >"$IDXD_DRV/unbind" || fail "unbind failed"
diag "unbind took $(($(date +%s) - t0)) s"
idxd_gone "after unbind with an open file"
n=0
while kill -0 "$pid" 2>/dev/null && [ $n -lt 200 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill -0 "$pid" 2>/dev/null && { kill -9 "$pid"; fail "process still waiting 20 s after unbind"; }
wait "$pid"
rc=$?
sed -e 's/^# //' -e 's/^/# /' /tmp/idxd-hold.out
[ "$rc" = 0 ] || fail "process: $(tail -n 1 /tmp/idxd-hold.out)"
echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "rebind failed"
wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after rebind"
idxd_selftest 2
echo "PASS: unbind with work in flight: ENODEV to the user, no leak, rebind works"
