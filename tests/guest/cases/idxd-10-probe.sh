#!/bin/sh
# idxd_ref binds to the test card (edu + ivshmem), creates /dev/idxd_ref0
# (mode 0666), its misc MSI and its kernel WQ's IMS interrupt handle, and
# survives unbind/bind cycles: after each unbind and after rmmod no
# idxd_ref interrupt and no IMS domain is left, and after each bind the
# kernel WQ completes work through IMS again.
#
# This file is also the helper library of the other idxd-* cases: sourced
# with IDXD_LIB=1 it only defines the helpers below.
# timeout: 240

# shellcheck disable=SC1090
. "${IMS_LIB:-/ims/lib.sh}"

IDXD_DRV=/sys/bus/pci/drivers/idxd_ref
IDXD_DBG=/sys/kernel/debug/idxd_ref/$EDU_BDF
IDXD_DEV=/dev/idxd_ref0
IMSDBG=/sys/kernel/debug/ims

# idxd_setup: skip without IR, make sure ims_test does not hold edu, load
# idxd_ref (unloaded again with ims_core, if we loaded it, on exit).
idxd_setup() {
	lane_has_ir || skip "lane $LANE has no interrupt remapping: ims_core refuses IMS without it"
	if module_loaded ims_test; then
		rmmod ims_test || fail "cannot unload ims_test, which holds edu"
	fi
	module_loaded idxd_ref && fail "idxd_ref is already loaded (leaked by an earlier case?)"
	IDXD_CORE_WAS=0
	module_loaded ims_core && IDXD_CORE_WAS=1
	trap idxd_teardown EXIT
	require_module idxd_ref
	idxd_bound || fail "idxd_ref did not bind to $EDU_BDF"
	wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing"
}

idxd_teardown() {
	_rc=$?
	if module_loaded idxd_ref; then
		echo 0 >/sys/module/idxd_ref/parameters/trust_device_pasid 2>/dev/null
		rmmod idxd_ref || { echo "# FAIL: teardown: rmmod idxd_ref failed"; exit 1; }
	fi
	if [ "$IDXD_CORE_WAS" = 0 ] && module_loaded ims_core; then
		rmmod ims_core || { echo "# FAIL: teardown: rmmod ims_core failed"; exit 1; }
	fi
	exit $_rc
}

idxd_bound() {
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$EDU_BDF/driver" 2>/dev/null)")" = idxd_ref ]
}

# idxd_irqs: /proc/interrupts lines of idxd_ref
idxd_irqs() { grep -E 'idxd_ref[0-9]+-' /proc/interrupts; }

# idxd_gone WHEN: no interrupt, IMS domain or device node is left
idxd_gone() {
	idxd_irqs | sed 's/^/# left: /'
	idxd_irqs >/dev/null && fail "idxd_ref interrupts left $1"
	n=$(ls "$IMSDBG" 2>/dev/null | grep -c "^IMS-")
	expect_eq "$n" 0 "IMS domains in debugfs $1"
	[ -e "$IDXD_DEV" ] && fail "$IDXD_DEV still there $1"
	return 0
}

# idxd_selftest N: kernel WQ self-test; fails the case unless exactly N
# completion interrupts arrived on the WQ's handle (by the driver's count
# and by /proc/interrupts) and every record is right.
idxd_selftest() {
	_c0=$(irq_count_name idxd_ref0-wq0)
	echo "$1" >"$IDXD_DBG/selftest" || fail "selftest write failed"
	R=$(cat "$IDXD_DBG/selftest")
	_c1=$(irq_count_name idxd_ref0-wq0)
	diag "selftest $1: $R; /proc/interrupts idxd_ref0-wq0 +$((_c1 - _c0))"
	case "$R" in
	"ok n=$1 irqs=$1 "*) ;;
	*) fail "kernel WQ self-test: $R" ;;
	esac
	expect_eq "$((_c1 - _c0))" "$1" "idxd_ref0-wq0 interrupts in /proc/interrupts"
}

# idxd_user ARGS: run the user test program; fail the case if it fails.
idxd_user() {
	_o=$(idxd_ref_user "$@" 2>&1)
	_r=$?
	echo "$_o" | sed -e 's/^# //' -e 's/^/# /'
	[ "$_r" = 0 ] || fail "idxd_ref_user $*: $(echo "$_o" | tail -n 1)"
}

[ -n "${IDXD_LIB:-}" ] && return 0

idxd_setup
dmesg | grep -E 'idxd_ref' | tail -n 3 | sed 's/^/# /'
idxd_irqs | sed 's/^/# /'
expect_eq "$(irq_numbers idxd_ref0-misc | wc -l)" 1 "misc interrupt lines"
expect_eq "$(irq_numbers idxd_ref0-wq0 | wc -l)" 1 "kernel WQ handle interrupt lines"
idxd_irqs | grep -q 'idxd_ref0-wq0' || fail "no kernel WQ interrupt"
mode=$(ls -l "$IDXD_DEV" | cut -c1-10)
expect_eq "$mode" "crw-rw-rw-" "$IDXD_DEV mode"
ls "$IMSDBG" 2>/dev/null | grep "^IMS-" | sed 's/^/# domain /'
sed 's/^/# /' "$IDXD_DBG/stats"
idxd_selftest 2

for i in 1 2 3; do
	echo "$EDU_BDF" >"$IDXD_DRV/unbind" || fail "unbind $i failed"
	idxd_gone "after unbind $i"
	echo "$EDU_BDF" >"$IDXD_DRV/bind" || fail "bind $i failed"
	idxd_bound || fail "not bound after bind $i"
	wait_for 5 test -c "$IDXD_DEV" || fail "$IDXD_DEV missing after bind $i"
	idxd_selftest 1
done

run rmmod idxd_ref
idxd_gone "after rmmod"
echo "PASS: probe, 3 unbind/bind cycles, remove: nothing left"
