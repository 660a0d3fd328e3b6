#!/bin/sh
# Limits below ims_core come back as errors: allocate until the kernel
# refuses (AMD-Vi runs out of IRTEs in the device's table first: 512
# entries on 6.x, up to 2048 on 7.x when the IOMMU advertises it; the
# measured ceiling is printed as "AMD-Vi ceiling"; Intel's table is far
# larger), then request_irq() until two CPUs run
# out of vectors (a few hundred). Each refusal is -ENOSPC in the result, not
# a splat; the refused slot stays allocated and can be requested once a
# vector is free again; freeall and a fresh allocation work afterwards.
# Lanes without IR run in direct mode. On the arm64 GICv3 ITS the limit is
# the device's interrupt translation table, sized once per boot by the
# DeviceID's first IMS domain: allocation stops with -ENOSPC exactly at
# its end, one log line says what to do, and LPIs do not run out when all
# of them are requested. That is checked on 00:14.1 ("peer"), which has no
# MSI and whose table only 64-slot IMS domains size (here and in ims-31):
# 64 entries, filled by one domain, refused to the next (edu's table,
# sized by ims_test or idxd_ref, holds thousands and takes minutes to fill
# under TCG).
# timeout: 600
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

# its_limits: the ITS table's end, see above.
its_limits() {
	it_setup
	IT_QUIET=1
	l0=$(dmesg | grep -c "ITS table is full" || true)
	mkdom array 64 lim peer
	P=$D
	n=0
	while [ "$n" -lt 64 ]; do
		t alloc "$P" any || fail "alloc refused as malformed: $R"
		case "$R" in ok*) n=$((n + 1)) ;; *) break ;; esac
	done
	diag "allocated $n slots on 00:14.1, last result: $R"
	expect_eq "$n" 64 "IMS interrupts in 00:14.1's ITS table"
	expect_eq "$(($(dmesg | grep -c "ITS table is full" || true) - l0))" 0 \
		"log lines before the table's end"
	# a second domain of the device shares the full table
	mkdom array 8 lim2 peer
	Q=$D
	err -28 alloc "$Q" any
	err -28 alloc "$Q" any
	expect_eq "$(($(dmesg | grep -c "ITS table is full" || true) - l0))" 1 \
		"log lines about the full table"
	r=0
	for i in $(awk -v id="$P" '$1 == id { print $2 }' "$T/counts"); do
		ok request "$P" "$i"
		r=$((r + 1))
	done
	expect_eq "$r" 64 "requested interrupts of the full table"
	ok freeall "$P"
	alloc "$Q" any
	ok request "$Q" "$I"
	ok destroy "$Q"
	ok destroy "$P"
	ok edu_msi
	exit 0
}
[ "$IOMMU" != its ] || its_limits

# Two CPUs online, as on the 2-vCPU lanes: with more, their vectors
# outnumber what one device's AMD-Vi table can hold, and exhaustion would
# never come (x86 falls back to any online CPU when the affinity's are full).
online_extra_cpus() {
	for c in /sys/devices/system/cpu/cpu[2-9]*/online; do
		[ -f "$c" ] && echo 1 >"$c"
	done
	return 0
}
trap online_extra_cpus EXIT
for c in /sys/devices/system/cpu/cpu[2-9]*/online; do
	[ -f "$c" ] || continue
	echo 0 >"$c" || fail "cannot offline ${c%/online}"
done
expect_eq "$(cat /sys/devices/system/cpu/online)" 0-1 "online CPUs"

it_setup_lane
IT_QUIET=1
CAP=600 NSLOTS=1024
[ "$IOMMU" != amd ] || CAP=2100 NSLOTS=4096
mkdom array "$NSLOTS" lim
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
	diag "AMD-Vi ceiling: $n IMS interrupts for 00:14.0 on $KVER"
elif [ "$IOMMU" = amd ]; then
	fail "AMD-Vi allocated $n slots: no per-device table is that large"
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
