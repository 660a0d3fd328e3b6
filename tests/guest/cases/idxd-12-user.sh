#!/bin/sh
# User client: a process opens /dev/idxd_ref0 (its own PASID), allocates
# 3 interrupt handles with an eventfd each, submits 12 descriptors on the
# shared WQ round robin over them and waits on the eventfds: exactly 4
# interrupts per handle, completion records and results right, read() on
# the file reports 12. Then once more as an unprivileged user (uid 65534).
# timeout: 180
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_setup
idxd_user basic 12 3
# The unprivileged user must be able to reach /dev: the initramfs root
# may come out of mktemp -d (mode 0700); open it up for this run only.
rootmode=$(stat -c %a / 2>/dev/null)
if [ -n "$rootmode" ] && [ $((0$rootmode & 1)) = 0 ]; then
	diag "test bed: / has mode $rootmode, granting o+x to reach /dev for uid 65534"
	chmod o+x /
fi
out=$(idxd_ref_user -u 65534 basic 4 1 2>&1)
rc=$?
[ -n "$rootmode" ] && chmod "$rootmode" /
echo "$out" | sed -e 's/^# //' -e 's/^/# uid 65534: /'
[ "$rc" = 0 ] || fail "as uid 65534: $(echo "$out" | tail -n 1)"
sed 's/^/# /' "$IDXD_DBG/stats"
echo "PASS: user completions delivered through eventfds, exact counts"
