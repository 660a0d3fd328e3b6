#!/bin/sh
# Queue template sync failures are reported, not lost: a failing sync at
# allocation fails the allocation (-EIO, nothing allocated), a failing push
# of a PASID change fails ims_set_pasid() while the shadow keeps the new
# value, ims_core's debugfs shows dirty state and the error, dmesg says
# which slot failed, and the next successful sync pushes everything. A
# failing sync at request_irq() leaves the device masked (it cannot send)
# until a later sync succeeds. A failing push of the teardown is not
# swallowed: ims_free_irq() returns the error and the slot stays the
# driver's, with its remapping entry, until a retried free gets through.
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup

# qstate D IDX KEY: dirty / sync_errors / last_error from ims_core's slots line
qstate() {
	awk -v idx="$2" -v k="$3" 'NR > 1 && $1 == idx {
		for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' \
		"$IMSDBG/$DN/slots"
}

mkdom queue 4 s
Q=$D
ok queue_fail "$Q" 1
before=$(dmesg | grep -c "$DN: sync of slot 0 failed: -5")
err -5 alloc "$Q" any
ok stats "$Q"
expect_eq "$(val used)" 0 "used after a failed allocation"
[ "$(val sync_errors)" -ge 1 ] || fail "sync callback not called at allocation"
after=$(dmesg | grep -c "$DN: sync of slot 0 failed: -5")
[ "$after" -gt "$before" ] || fail "no dmesg line for the failed sync at allocation"
expect_eq "$(($(wc -l <"$IMSDBG/$DN/slots") - 1))" 0 "slots in debugfs after a failed allocation"

ok queue_fail "$Q" 0
alloc "$Q" any
expect_eq "$I" 0 "index after the failed allocation"
ok request "$Q" 0
fire "$Q" 0 1

# PASID push fails: error returned, shadow keeps it, device unchanged
ok queue_fail "$Q" 1
err -5 pasid "$Q" 0 5
ok dump "$Q" 0
expect_eq "$(val pasid_en)" 0 "device PASID enable after a failed push"
expect_eq "$(dslot "$DN" 0 pasid)" 5 "shadow PASID after a failed push"
expect_eq "$(qstate "$Q" 0 dirty)" 1 "dirty after a failed push"
expect_eq "$(qstate "$Q" 0 last_error)" -5 "last_error after a failed push"
sed 's/^/# slots: /' "$IMSDBG/$DN/slots"

# the next sync pushes everything
ok queue_fail "$Q" 0
ok mask "$Q" 0
ok dump "$Q" 0
expect_eq "$(val masked)" 1 "device masked after the next sync"
expect_eq "$(val pasid_en)" 1 "device PASID enable after the next sync"
expect_eq "$(val pasid)" 5 "device PASID after the next sync"
ok unmask "$Q" 0
expect_eq "$(qstate "$Q" 0 dirty)" 0 "dirty after a good sync"
expect_eq "$(qstate "$Q" 0 last_error)" 0 "last_error after a good sync"
fire "$Q" 0 1 pasid 5
expect_cnt "$Q" 0 total 2

# request_irq() with a failing sync: the device never learns the unmask
ok release "$Q" 0
ok queue_fail "$Q" 1
ok request "$Q" 0
ok dump "$Q" 0
expect_eq "$(val masked)" 1 "device context after request with a failing sync"
ok fire "$Q" 0 1 pasid 5
expect_eq "$(val held)" 1 "held by a slot whose unmask never reached the device"
ok queue_fail "$Q" 0
ok mask "$Q" 0
ok unmask "$Q" 0
expect_eq "$(val delivered)" 1 "pending message after the retried sync"
expect_cnt "$Q" 0 total 3

# the teardown push fails: the slot is kept
ok pasid "$Q" 0 7
ok release "$Q" 0
ok queue_fail "$Q" 1
err -5 free "$Q" 0
ok stats "$Q"
expect_eq "$(val used)" 1 "used after a free whose teardown failed"
expect_eq "$(dslot "$DN" 0 pasid)" none "shadow PASID of the kept slot"
expect_eq "$(qstate "$Q" 0 dirty)" 1 "dirty after the failed teardown"
ok dump "$Q" 0
expect_eq "$(val pasid_en) $(val pasid)" "1 7" "device still holds the PASID after the failed teardown"
err -16 alloc "$Q" at 0
ok queue_fail "$Q" 0
ok free "$Q" 0
ok stats "$Q"
expect_eq "$(val used)" 0 "used after the retried free"
ok dump "$Q" 0
expect_eq "$(val masked) $(val pasid_en) $(val addr_lo)" "1 0 0x0" "device context after the retried free"
ok stats "$Q"
expect_eq "$(val sync_bad)" 0 "syncs with a wrong index or context"
exit 0
