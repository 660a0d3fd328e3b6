#!/bin/sh
# Queue template end to end: the message reaches the device only through
# the driver's sync callback (the per-queue context in device memory, with
# the callback's context pointer handed back as given), and every slot fired
# by the device reaches its own handler with an exact count. Unrequested,
# released and freed slots are masked in the context.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

need_ir
it_setup

mkdom queue 16 q
Q=$D QN=$DN
for idx in 1 4 9; do
	alloc "$Q" at "$idx"
	ok dump "$Q" "$idx"
	expect_eq "$(val masked)" 1 "slot $idx context masked after allocation"
	expect_eq "$(val sync_index)" "$idx" "slot $idx: index the sync callback saw"
	[ "$(val seq)" -ge 1 ] || fail "slot $idx: no sync reached the device at allocation"
	ok request "$Q" "$idx"
	ok dump "$Q" "$idx"
	expect_eq "$(val masked)" 0 "slot $idx context unmasked after request"
	addr=$(val addr_lo) addr_hi=$(val addr_hi)
	msi_addr_ok "$addr" "$addr_hi" || fail "slot $idx address $addr_hi:$addr is not the platform's MSI doorbell"
done
ok stats "$Q"
expect_eq "$(val sync_bad)" 0 "syncs with a wrong index or context"
expect_eq "$(val sync_errors)" 0 "failed syncs"

fire "$Q" 1 3
fire "$Q" 4 1
fire "$Q" 9 2
expect_cnt "$Q" 1 total 3
expect_cnt "$Q" 4 total 1
expect_cnt "$Q" 9 total 2
for s in "1 3" "4 1" "9 2"; do
	set -- $s
	v=$(cnt "$Q" "$1" virq)
	expect_eq "$(irq_count "$v")" "$2" "/proc/interrupts count of slot $1 (irq $v)"
done

# an array domain next to it is independent
mkdom array 4
A=$D
alloc "$A" at 1
ok request "$A" 1
fire "$A" 1 1
expect_cnt "$A" 1 total 1
expect_cnt "$Q" 1 total 3

# release, free: masked in the context
ok release "$Q" 9
ok dump "$Q" 9
expect_eq "$(val masked)" 1 "released slot context masked"
ok fire "$Q" 9 1
expect_eq "$(val sent)" 0 "sent from a released queue slot"
ok free "$Q" 4
ok dump "$Q" 4
expect_eq "$(val masked)" 1 "freed slot context masked"
expect_eq "$(($(val addr_lo)))" 0 "freed slot context address"
ok stats "$Q"
expect_eq "$(val sync_bad)" 0 "syncs with a wrong index or context"
sed 's/^/# slots: /' "$IMSDBG/$QN/slots"
exit 0
