#!/bin/sh
# The queue template's sync() runs outside the irq core's global domain
# mutex, so a slow device command stalls nobody else's interrupt
# allocation, and sync() may itself allocate interrupts: here every sync of
# a queue domain first allocates and frees an interrupt of an array domain
# of the same device. Allocation, request_irq(), disable_irq()/enable_irq(),
# a PASID change, free_irq() and free all sync; none deadlocks, and on the
# debug lane lockdep finds nothing to report (each domain's locks have a
# lockdep class of their own).
# timeout: 90
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup
mkdom array 8 sa
A=$D
mkdom queue 4 sq "syncalloc=$A"
Q=$D QN=$DN

alloc "$Q" any
QI=$I
ok request "$Q" "$QI"
fire "$Q" "$QI" 1
ok mask "$Q" "$QI"
ok dump "$Q" "$QI"
expect_eq "$(val masked)" 1 "queue context masked by disable_irq()"
ok unmask "$Q" "$QI"
ok pasid "$Q" "$QI" 5
fire "$Q" "$QI" 1 pasid 5
ok release "$Q" "$QI"
ok free "$Q" "$QI"

ok stats "$Q"
calls=$(val sync_calls) allocs=$(val sync_allocs)
diag "syncs: $calls, with an allocation on domain $A: $allocs"
expect_ge "$calls" 6 "sync calls (alloc, request, disable, enable, pasid, free_irq, free)"
expect_eq "$allocs" "$calls" "syncs whose allocation on the array domain succeeded"
expect_eq "$(val sync_bad)" 0 "syncs with a wrong index or context"
ok stats "$A"
expect_eq "$(val used)" 0 "array slots used after the syncs' alloc/free"
ok destroy "$Q"
ok destroy "$A"
echo "PASS: $calls syncs, each allocating and freeing an IMS interrupt, no deadlock"
