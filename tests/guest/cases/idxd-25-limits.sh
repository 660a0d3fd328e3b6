#!/bin/sh
# Limits on the interrupt handles (requested interrupts, each a CPU vector)
# of /dev/idxd_ref0's users. With the defaults, nobody opening 64 files
# (8 handles each allowed by the per-file quota) gets exactly max_user_irqs
# handles, then EDQUOT. With max_handles=4 max_user_irqs=10 max_dev_irqs=16:
# nobody gets 10 (EDQUOT), imsuser then the 6 left on the device (ENOSPC);
# once nobody's files are closed imsuser gets its 10. Each time a freed
# handle can be taken again and the next one is refused with the same
# errno; the driver's count and the IMS slots go back to where they were.
# timeout: 180
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

P=/sys/module/idxd_ref/parameters
U1=65534
U2=1000

# grab UID FILES: idxd_ref_limits as UID, result in GRAB_N, GRAB_ERR
grab() {
	_o=$(idxd_ref_limits -u "$1" "$2" 2>&1) ||
		fail "idxd_ref_limits as uid $1: $(echo "$_o" | tail -n 1)"
	grab_parse "$1" "$_o"
}

grab_parse() {
	diag "uid $1: $2"
	GRAB_N=$(echo "$2" | sed -n 's/^handles=\([0-9]*\) .*/\1/p')
	GRAB_ERR=$(echo "$2" | sed -n 's/.* errno=\(.*\)$/\1/p')
	[ -n "$GRAB_N" ] || fail "uid $1: no result"
}

# user_irqs: the driver's count of the open files' handles
user_irqs() { sed -n 's/.* user_irqs=\([0-9]*\)\/.*/\1/p' "$IDXD_DBG/stats"; }
ims_used() { sed -n 's/.* ims_used=\([0-9]*\) .*/\1/p' "$IDXD_DBG/stats"; }

restore() {
	_rc0=$?
	[ -n "${HOLD_PID:-}" ] && kill "$HOLD_PID" 2>/dev/null
	for p in max_handles max_user_irqs max_dev_irqs; do
		eval "v=\${DEF_$p:-}"
		[ -n "$v" ] && echo "$v" >"$P/$p"
	done
	(exit "$_rc0")
	idxd_teardown
}

idxd_case_deep
idxd_setup
trap restore EXIT
used0=$(ims_used)

# 1. defaults: one unprivileged user with many files
grab "$U1" 64
[ -r "$P/max_user_irqs" ] ||
	fail "no per-user limit: nobody took $GRAB_N handles over 64 files (then $GRAB_ERR)"
for p in max_handles max_user_irqs max_dev_irqs; do
	eval "DEF_$p=\$(cat \$P/\$p)"
done
diag "defaults: max_handles=$DEF_max_handles max_user_irqs=$DEF_max_user_irqs max_dev_irqs=$DEF_max_dev_irqs (device limit $(sed -n 's/.* user_irqs=[0-9]*\/\([0-9]*\).*/\1/p' "$IDXD_DBG/stats"))"
expect_eq "$GRAB_N" "$DEF_max_user_irqs" "handles nobody got with the defaults"
expect_eq "$GRAB_ERR" EDQUOT "errno past the per-user limit"
expect_eq "$(user_irqs)" 0 "user handles after nobody's files closed"

# 2. per-user and device-wide limits between two users
echo 4 >"$P/max_handles" && echo 10 >"$P/max_user_irqs" &&
	echo 16 >"$P/max_dev_irqs" || fail "cannot set the limits"
rm -f /tmp/lim.go /tmp/lim.out
mkfifo /tmp/lim.go || fail "mkfifo"
idxd_ref_limits -u "$U1" -w 8 </tmp/lim.go >/tmp/lim.out 2>&1 &
HOLD_PID=$!
exec 3>/tmp/lim.go
wait_for 20 grep -qE '^(handles|FAIL)' /tmp/lim.out ||
	fail "nobody's grab did not finish"
grab_parse "$U1" "$(cat /tmp/lim.out)"
expect_eq "$GRAB_N" 10 "handles of nobody (max_user_irqs=10)"
expect_eq "$GRAB_ERR" EDQUOT "nobody's errno past max_user_irqs"
expect_eq "$(user_irqs)" 10 "user handles while nobody holds its files"
grab "$U2" 8
expect_eq "$GRAB_N" 6 "handles of imsuser (max_dev_irqs=16, 10 held)"
expect_eq "$GRAB_ERR" ENOSPC "imsuser's errno past max_dev_irqs"
exec 3>&-
wait "$HOLD_PID" || fail "nobody's holder failed: $(tail -n 1 /tmp/lim.out)"
HOLD_PID=
expect_eq "$(user_irqs)" 0 "user handles after nobody's files closed"
grab "$U2" 8
expect_eq "$GRAB_N" 10 "handles of imsuser alone"
expect_eq "$GRAB_ERR" EDQUOT "imsuser's errno past max_user_irqs"

expect_eq "$(user_irqs)" 0 "user handles at the end"
expect_eq "$(ims_used)" "$used0" "IMS entries in use at the end"
idxd_selftest 1
echo "PASS: per-user and device-wide handle limits, clean errnos, exact counts"
