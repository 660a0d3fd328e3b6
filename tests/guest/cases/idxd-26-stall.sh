#!/bin/sh
# One user waiting for the device does not stall the others: nobody fills
# the shared WQ's ring with descriptors that each raise a completion
# interrupt (about 100 ms each), then frees its handle, which waits for
# them; meanwhile imsuser allocates, masks, unmasks, reads and frees
# handles, each call in under a second and all before nobody's
# FREE_HANDLE returns. The same with close() as the waiting call. Then the
# device still works and nothing is left.
# timeout: 120
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_case_deep
idxd_setup
used0=$(sed -n 's/.* ims_used=\([0-9]*\) .*/\1/p' "$IDXD_DBG/stats")
for how in free close; do
	o=$(idxd_ref_stall 65534 1000 "$how" 2>&1)
	r=$?
	echo "$o" | sed -e 's/^# //' -e "s/^/# $how: /"
	[ "$r" = 0 ] || fail "$how: $(echo "$o" | tail -n 1)"
done
used=$(sed -n 's/.* ims_used=\([0-9]*\) .*/\1/p' "$IDXD_DBG/stats")
expect_eq "$used" "$used0" "IMS entries in use at the end"
idxd_selftest 1
echo "PASS: a client waiting for the device stalls nobody else"
