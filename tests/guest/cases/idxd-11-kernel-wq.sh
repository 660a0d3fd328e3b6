#!/bin/sh
# Kernel client: the self-test submits N descriptors (memfill, CRC32) on
# the dedicated kernel WQ, each asking for a completion interrupt on the
# WQ's IMS handle; exactly N interrupts arrive on that handler (driver
# count and /proc/interrupts), none on the misc interrupt, and every
# completion record and result is right.
# timeout: 180
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_setup
m0=$(irq_count_name idxd_ref0-misc)
idxd_selftest 8
idxd_selftest 16
m1=$(irq_count_name idxd_ref0-misc)
expect_eq "$((m1 - m0))" 0 "misc interrupts during kernel WQ work"
grep -E '^(device|wq0|handle 0 )' "$IDXD_DBG/stats" | sed 's/^/# /'
echo "PASS: 24 kernel WQ completions, 24 IMS interrupts on idxd_ref0-wq0"
