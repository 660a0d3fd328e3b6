#!/bin/sh
# The structure-aware fuzzer of /dev/idxd_ref0 (tests/user/idxd_ref_fuzz/)
# as the unprivileged user nobody: 3 processes with a helper thread each,
# 4 open files each, valid, stale, foreign, out-of-range and bit-flipped
# values in every ioctl field, bad pointers, unknown ioctls, reads, polls,
# mappings, forks and closes with work in flight, for at most 40 s. Any
# errno the ABI does not document for an input fails it (with the seed to
# replay it); at the end its counters must match the driver's. Afterwards
# the device still works (kernel self-test, a user client), the device
# node is there, and the IMS slots, the requested irqs and the irq
# descriptors are back to what they were before, but for the domain's spare
# slots (IMS_DOMAIN_SPARES keeps them with their irqs; on 6.1 one that
# fired shows in /proc/interrupts without a name).
#
# Sourced with FUZZ_LIB=1 it only defines the fuzz_* helpers (idxd-31).
# timeout: 150
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"
soak_case

FUZZ_UID=65534

# fuzz_slots: IMS slots in use in idxd_ref's domain (ims_core's count)
fuzz_slots() {
	for _d in "$IMSDBG"/IMS-*; do
		[ -f "$_d/info" ] && awk '$1 == "used:" { print $2 }' "$_d/info" && return
	done
	echo none
}

# fuzz_requested: irqs with a handler, fuzz_spares: spare IMS slots (each
# has an irq descriptor), fuzz_descs: irq descriptors without the spares'
fuzz_requested() { grep -l . /sys/kernel/irq/*/actions | wc -l; }
fuzz_spares() { cat /sys/class/ims/*/spare 2>/dev/null | awk '{ s += $1 } END { print s + 0 }'; }
fuzz_descs() { echo $(($(ls /sys/kernel/irq | wc -l) - $(fuzz_spares))); }

# fuzz_baseline: what the fuzzing must leave as it found it
fuzz_baseline() {
	FUZZ_SLOTS0=$(fuzz_slots)
	FUZZ_REQ0=$(fuzz_requested)
	FUZZ_DESCS0=$(fuzz_descs)
	FUZZ_IDXDLINES0=$(idxd_irqs | wc -l)
	diag "before: $FUZZ_SLOTS0 IMS slots used, $(fuzz_spares) spare, $FUZZ_REQ0 requested irqs, $FUZZ_DESCS0 other irq descriptors ($FUZZ_IDXDLINES0 idxd_ref lines in /proc/interrupts)"
}

# fuzz_check_after: the device works and nothing is left over
fuzz_check_after() {
	[ -c "$IDXD_DEV" ] || fail "$IDXD_DEV is gone"
	idxd_bound || fail "idxd_ref no longer bound"
	idxd_selftest 2
	idxd_user -u "$FUZZ_UID" basic 4 2
	_s=$(fuzz_slots)
	_r=$(fuzz_requested)
	_d=$(fuzz_descs)
	_i=$(idxd_irqs | wc -l)
	diag "after: $_s IMS slots used, $(fuzz_spares) spare, $_r requested irqs, $_d other irq descriptors ($_i idxd_ref lines in /proc/interrupts)"
	if [ "$_s" != "$FUZZ_SLOTS0" ]; then
		sed 's/^/# slot: /' "$IMSDBG"/IMS-*/slots
		fail "IMS slots used: $_s, $FUZZ_SLOTS0 before"
	fi
	expect_eq "$_r" "$FUZZ_REQ0" "requested irqs"
	expect_eq "$_d" "$FUZZ_DESCS0" "irq descriptors other than spares"
	expect_eq "$_i" "$FUZZ_IDXDLINES0" "idxd_ref lines in /proc/interrupts"
	grep -E ' (submitted|irqs)=' "$IDXD_DBG/stats" | sed 's/^/# /'
}

[ -n "${FUZZ_LIB:-}" ] && return 0

idxd_setup
# The fuzzer models the per-file quota only: let its 3 x 4 files hold all
# the handles they may (max_user_irqs and max_dev_irqs: idxd-25).
P=/sys/module/idxd_ref/parameters
fuzz_max=$((3 * 4 * $(cat "$P/max_handles")))
echo "$fuzz_max" >"$P/max_user_irqs" && echo "$fuzz_max" >"$P/max_dev_irqs" ||
	fail "cannot raise the user limits"
fuzz_baseline
out=$(idxd_ref_fuzz -u "$FUZZ_UID" -p 3 -n 3000 -t 40 -r 40 2>&1)
rc=$?
echo "$out" | sed -e 's/^# //' -e 's/^/# /'
[ "$rc" = 0 ] || fail "fuzzer: $(echo "$out" | tail -n 1)"
ops=$(echo "$out" | sed -n 's/^# worker [0-9]*: \([0-9]*\) ops.*helper thread \([0-9]*\) ops$/\1 \2/p' |
	awk '{ s += $1 + $2 } END { print s + 0 }')
diag "fuzzer calls: $ops (3 workers and their helper threads)"
expect_ge "$ops" 300 "fuzzer operations"
fuzz_check_after
echo "PASS: $ops fuzzed calls as uid $FUZZ_UID, all answered as the ABI says; device works, nothing left over"
