#!/bin/sh
# draft: measure
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"
need_ir
it_setup
mkdom array 8 own
A=$D
for i in 2 5 6 7; do alloc "$A" at $i; ok request "$A" $i; ok dump "$A" $i; done
ok fire_msi "$A" 2 1
ok fire_msi "$A" 5 3
ok edu_msi
mkdom array 8 peer peer
P=$D
for i in 0 1 2 3; do alloc "$P" at $i; ok request "$P" $i; ok dump "$P" $i; done
n=$(dmesg | wc -l)
for i in 0 1 2 3; do ok fire_msi "$P" $i 1; cat "$T/counts" | sed 's/^/# /'; done
sleep 1
dmesg | tail -n +$((n + 1)) | sed 's/^/# new: /'
ok fire "$P" 2 1
cat "$T/counts" | sed 's/^/# /'
grep -i "ims_test\|iommu\|AMD\|dmar" /proc/interrupts | sed 's/^/# /'
exit 0
