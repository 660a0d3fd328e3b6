#!/bin/sh
# Char device ABI: per-file handle quota (max_handles=4: the 5th gets
# EDQUOT, a freed one can be reallocated); every malformed request is
# refused with the right errno (ENOTTY, EFAULT, EINVAL, EBADF, ENOENT,
# EAGAIN) and nothing leaks: the IMS domain is empty again afterwards.
# timeout: 120
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_case_deep
idxd_setup
echo 4 >/sys/module/idxd_ref/parameters/max_handles || fail "cannot set max_handles"
idxd_user quota
echo 8 >/sys/module/idxd_ref/parameters/max_handles
idxd_user negative
used=$(sed -n 's/.*ims_used=\([0-9]*\).*/\1/p' "$IDXD_DBG/stats")
expect_eq "$used" 1 "IMS entries in use (the kernel WQ's)"
echo "PASS: quota and argument validation"
