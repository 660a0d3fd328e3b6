#!/bin/sh
# Large domains: a domain of the maximum size (65536 slots; at least 32768
# are required) allocates at its highest indexes, at the 32768 boundary and
# in a range far from 0; each of those slots, fired by the device from its
# place deep in the storage, reaches its own handler with an exact count;
# freeing them leaves the domain empty.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane

mkdom array 65536 large
L=$D
expect_eq "$(dinfo "$DN" slots)" 65536 "slots of the large domain"
for idx in 65535 32768 32767; do
	alloc "$L" at "$idx"
	expect_eq "$(val index)" "$idx" "index of alloc at $idx"
	ok request "$L" "$idx"
done
alloc "$L" range 40000 40010
r=$(val index)
expect_eq "$r" 40000 "first free index in [40000, 40010]"
ok request "$L" "$r"
expect_eq "$(dinfo "$DN" used)" 4 "used slots"

fire "$L" 65535 2
fire "$L" 32768 1
fire "$L" 32767 1
fire "$L" "$r" 1
expect_cnt "$L" 65535 total 2
expect_cnt "$L" 32768 total 1
expect_cnt "$L" 32767 total 1
expect_cnt "$L" "$r" total 1

for idx in 65535 32768 32767 "$r"; do
	ok release "$L" "$idx"
	ok free "$L" "$idx"
done
expect_eq "$(dinfo "$DN" used)" 0 "used slots after free"
ok destroy "$L"
exit 0
