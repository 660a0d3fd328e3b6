#!/bin/sh
# Handles are allocated and freed at run time while others take interrupts:
# a second process allocates and frees handles in a loop while the first
# gets 10 completion interrupts on two handles: none lost, none extra.
# timeout: 150
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_case_deep
idxd_setup
idxd_user dynamic 10
sed 's/^/# /' "$IDXD_DBG/stats"
echo "PASS: dynamic handle allocation did not disturb delivery"
