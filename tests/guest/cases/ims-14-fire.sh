#!/bin/sh
# Array template end to end: every allocated slot, fired by the device (a
# real edu DMA write of the slot's message), reaches its own handler with
# an exact count, in /proc/interrupts too, and no other slot's count moves;
# two named array domains on disjoint storage do not see each other's
# interrupts. An allocated but not requested slot is masked in the storage
# and the device sends nothing; a freed slot is masked and zeroed.
# Lanes without IR run in direct mode (allow_direct_vector=1).
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane

mkdom array 32 a
A=$D
mkdom array 32 b
B=$D
for idx in 0 3 17; do
	alloc "$A" at "$idx"
	ok request "$A" "$idx"
done
alloc "$B" at 3
ok request "$B" 3

# slot k is fired a different number of times
fire "$A" 0 1
fire "$A" 3 2
fire "$A" 17 3
fire "$B" 3 2
expect_cnt "$A" 0 total 1
expect_cnt "$A" 3 total 2
expect_cnt "$A" 17 total 3
expect_cnt "$B" 3 total 2
for s in "$A 0 1" "$A 3 2" "$A 17 3" "$B 3 2"; do
	set -- $s
	v=$(cnt "$1" "$2" virq)
	expect_eq "$(irq_count "$v")" "$3" "/proc/interrupts count of domain $1 slot $2 (irq $v)"
	expect_cnt "$1" "$2" pending 0
	expect_cnt "$1" "$2" pasid_err 0
done
cat "$T/counts" | sed 's/^/# counts: /'

# allocated, not requested: masked in the storage, the device sends nothing
alloc "$A" at 9
ok dump "$A" 9
expect_eq "$(val masked)" 1 "unrequested slot masked in storage"
ok fire "$A" 9 1
expect_eq "$(val sent)" 0 "sent from an unrequested slot"
expect_eq "$(val held)" 1 "held by an unrequested slot"

# requested: unmasked with an MSI address in the storage
ok dump "$A" 17
expect_eq "$(val masked)" 0 "requested slot masked in storage"
addr=$(val addr_lo) addr_hi=$(val addr_hi)
msi_addr_ok "$addr" "$addr_hi" || fail "slot 17 address $addr_hi:$addr is not the platform's MSI doorbell"

# release: masked again, no delivery
ok release "$A" 17
ok dump "$A" 17
expect_eq "$(val masked)" 1 "released slot masked in storage"
ok fire "$A" 17 1
expect_eq "$(val sent)" 0 "sent from a released slot"
expect_cnt "$A" 17 total 3

# freed: masked and zeroed
ok free "$A" 17
ok dump "$A" 17
expect_eq "$(val masked)" 1 "freed slot masked"
expect_eq "$(($(val addr_lo)))" 0 "freed slot address"
expect_eq "$(($(val data)))" 0 "freed slot data"

# re-request after release works and counts on
ok release "$A" 3
ok request "$A" 3
err -16 request "$A" 3
fire "$A" 3 1
expect_cnt "$A" 3 total 3
expect_cnt "$A" 0 total 1
expect_cnt "$B" 3 total 2
exit 0
