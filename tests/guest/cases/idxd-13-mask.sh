#!/bin/sh
# A masked handle (disable_irq: the IMS chip sets the entry's mask bit):
# 3 completions asking for its interrupt give no interrupt and one pending
# bit in the device's PBA; unmasking delivers exactly one interrupt and
# clears the pending bit.
# timeout: 120
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_setup
idxd_user mask
echo "PASS: masked -> pending -> delivered once on unmask"
