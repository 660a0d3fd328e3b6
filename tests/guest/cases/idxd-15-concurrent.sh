#!/bin/sh
# Misc MSI and IMS at the same time on one function: a user process
# interleaves 6 good descriptors with 6 that the device refuses (error 0x19
# on the misc MSI) while the kernel WQ self-test runs 8 descriptors: every
# count is exact on every handler.
# timeout: 180
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_case_deep
idxd_setup
echo 1 >/sys/module/idxd_ref/parameters/trust_device_pasid || fail "cannot set trust_device_pasid"
m0=$(irq_count_name idxd_ref0-misc)
idxd_ref_user concurrent 6 >/tmp/idxd-conc.out 2>&1 &
pid=$!
idxd_selftest 8
wait $pid
rc=$?
sed -e 's/^# //' -e 's/^/# /' /tmp/idxd-conc.out
[ "$rc" = 0 ] || fail "user side: $(tail -n 1 /tmp/idxd-conc.out)"
m1=$(irq_count_name idxd_ref0-misc)
expect_eq "$((m1 - m0))" 6 "misc interrupts"
echo "PASS: misc MSI (6) and IMS (6 user + 8 kernel) concurrently, exact"
