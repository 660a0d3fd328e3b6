#!/bin/sh
# Limits below ims_core come back as errors: allocate until the kernel
# refuses (AMD-Vi runs out of IRTEs in the device's 512-entry table first;
# Intel's table is far larger), then request_irq() until the two CPUs run
# out of vectors (a few hundred). Each refusal is -ENOSPC in the result, not
# a splat; the refused slot stays allocated and can be requested once a
# vector is free again; freeall and a fresh allocation work afterwards.
# Lanes without IR run in direct mode.
# timeout: 600
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane
IT_QUIET=1
CAP=600
mkdom array 1024 lim
n=0
while [ "$n" -lt "$CAP" ]; do
	t alloc "$D" any || fail "alloc refused as malformed: $R"
	case "$R" in
	ok*) n=$((n + 1)) ;;
	*) break ;;
	esac
done
diag "allocated $n slots, last result: $R"
if [ "$n" -lt "$CAP" ]; then
	case "$R" in
	"err -28"*) ;;
	*) fail "allocation $((n + 1)) failed with '$R', expected -ENOSPC" ;;
	esac
	[ "$IOMMU" = amd ] || fail "allocation failed after $n slots on a lane without AMD-Vi"
	err -28 alloc "$D" any
fi
ok stats "$D"
expect_eq "$(val used)" "$n" "used after allocating"

r=0 refused=
for i in $(awk -v id="$D" '$1 == id { print $2 }' "$T/counts"); do
	t request "$D" "$i" || fail "request refused as malformed: $R"
	case "$R" in
	ok*) r=$((r + 1)) ;;
	"err -28"*) refused=$i; break ;;
	*) fail "request of slot $i: '$R', expected ok or -ENOSPC" ;;
	esac
done
diag "requested $r interrupts, refused: slot ${refused:-none} ($R)"
[ -n "$refused" ] || fail "$r requests and no vector exhaustion"
expect_cnt "$D" "$refused" requested 0
ok dump "$D" "$refused"
expect_eq "$(val masked)" 1 "slot whose request failed"
err -28 request "$D" "$refused"

# give a vector back: the refused slot can be requested now and works
first=$(awk -v id="$D" '$1 == id && $7 == 1 { print $2; exit }' "$T/counts")
ok release "$D" "$first"
ok request "$D" "$refused"
fire "$D" "$refused" 1
expect_cnt "$D" "$refused" total 1

ok freeall "$D"
ok stats "$D"
expect_eq "$(val used)" 0 "used after freeall"
[ -z "$(grep ims_test- /proc/interrupts | grep -v ims_test-edu)" ] || fail "IMS interrupts left after freeall"
alloc "$D" any
ok request "$D" "$I"
fire "$D" "$I" 1
ok destroy "$D"
ok edu_msi
exit 0
