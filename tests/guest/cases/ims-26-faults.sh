#!/bin/sh
# Fault injection walk over every failure point of ims_core
# (/sys/kernel/debug/ims/fault): domain creation, slot reservation, slot
# bookkeeping, parent (IRTE) allocation, the sysfs view (the domain's
# directory, an interrupt's irqs/ file), activation at request_irq(), PASID
# update and the queue template's sync. Each injected failure must give its
# errno and leave everything as it was: slot usage, /proc/interrupts, the
# irq descriptors in /sys/kernel/irq, the sysfs view, and the remapping
# entries (the next
# allocation gets the very same IRTE, i.e. the same composed message,
# because the IR allocators hand out the lowest free entry). The operation
# after the failure succeeds. Faults on the Nth step of a batch undo the
# N-1 steps that succeeded.
# timeout: 240
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

F=$IMSDBG/fault
need_ir
it_setup
[ -e "$F" ] || fail "$F missing"
trap 'echo off >"$F"; it_teardown' EXIT

# arm POINT NTH: the NTH next step of POINT fails.
arm() {
	echo "$1 $2" >"$F" || fail "cannot arm $1 $2"
	expect_eq "$(fault_field "$1" countdown)" "$2" "$1 armed"
}

# fault_field POINT countdown|fired|errno
fault_field() {
	awk -v p="$1" -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == p { print $(c[f]) }' "$F"
}

# fired POINT N: the point has fired N times in total and is disarmed.
fired() {
	expect_eq "$(fault_field "$1" fired)" "$2" "$1 fired"
	expect_eq "$(fault_field "$1" countdown)" 0 "$1 countdown after firing"
}

# The reference state, taken on the array domain A (name AN): slot usage,
# /proc/interrupts lines, irq descriptors, and the message (IRTE handle) of
# the lowest free slot.
snapshot() {
	S_USED_A=$(dinfo "$AN" used)
	S_USED_Q=$(dinfo "$QN" used)
	S_PROC=$(wc -l </proc/interrupts)
	S_DESCS=$(ls /sys/kernel/irq | wc -l)
	S_DOMS=$(ls /sys/class/ims | wc -l)
	S_MSG=$(probe_msg)
}

# probe_msg: allocate the lowest free slot of A, print its index and
# message, free it.
probe_msg() {
	IT_QUIET=1 alloc "$A" any
	echo "$I $(dslot "$AN" "$I" addr_hi) $(dslot "$AN" "$I" addr_lo) $(dslot "$AN" "$I" data)"
	IT_QUIET=1 ok free "$A" "$I"
}

# clean WHAT: everything is as in the snapshot, and allocation works.
clean() {
	expect_eq "$(dinfo "$AN" used)" "$S_USED_A" "$1: array slots used"
	expect_eq "$(dinfo "$QN" used)" "$S_USED_Q" "$1: queue slots used"
	expect_eq "$(wc -l </proc/interrupts)" "$S_PROC" "$1: /proc/interrupts lines"
	expect_eq "$(ls /sys/kernel/irq | wc -l)" "$S_DESCS" "$1: irq descriptors"
	expect_eq "$(ls /sys/class/ims | wc -l)" "$S_DOMS" "$1: domains in /sys/class/ims"
	expect_eq "$(ls "/sys/class/ims/$AN/irqs" | wc -l)/$(ls "/sys/class/ims/$QN/irqs" | wc -l)" \
		"$S_USED_A/$S_USED_Q" "$1: irqs/ files (array/queue)"
	expect_eq "$(probe_msg)" "$S_MSG" "$1: next slot and its IRTE (index addr_hi addr_lo data)"
	diag "$1: clean"
}

mkdom array 16 fa
A=$D AN=$DN
mkdom queue 8 fq
Q=$D QN=$DN
snapshot
diag "reference: slot/message $S_MSG, $S_DESCS irq descriptors"

# bad control input is refused and arms nothing
for bad in "bogus 1" "slot" "slot 0" "slot -1" "slot x" "parent 1 2"; do
	if echo "$bad" >"$F" 2>/dev/null; then
		fail "fault control accepted '$bad'"
	fi
done
expect_eq "$(awk 'NR > 1 { s += $2 } END { print s }' "$F")" 0 "armed points after bad input"

# domain creation
ndom=$(ls "$IMSDBG" | wc -l)
arm domain 1
err -12 create array 8 fd
fired domain 1
expect_eq "$(ls "$IMSDBG" | wc -l)" "$ndom" "debugfs entries after a failed creation"
mkdom array 8 fd
ok destroy "$D"
clean domain
arm sysfs_domain 1
err -12 create array 8 fd
fired sysfs_domain 1
expect_eq "$(ls "$IMSDBG" | wc -l)" "$ndom" "debugfs entries after a failed sysfs directory"
[ -e "/sys/class/ims/IMS-ARRAY-$EDU_BDF-fd" ] && fail "sysfs directory left by a failed creation"
mkdom array 8 fd
ok destroy "$D"
clean sysfs_domain

# each allocation point: one allocation, then the 3rd step of a batch of 7,
# which under VT-d takes remapping blocks of 4, 2 and 1 (so the 3rd parent
# step is the last block, after two that succeeded; elsewhere the 3rd of 7
# single entries)
n=0
for point in slot bookkeeping parent sysfs_irq; do
	errno=$(fault_field $point errno)
	arm $point 1
	err "$errno" alloc "$A" any
	fired $point 1
	clean "$point (single)"
	arm $point 3
	err "$errno" batch "$A" 7
	fired $point 2
	clean "$point (3rd of a batch of 7)"
	arm $point 1
	err "$errno" alloc "$Q" any
	fired $point 3
	clean "$point (queue)"
	n=$((n + 1))
done

# A batch's remapping block: on VT-d one IRTE block, so one address (the
# block's handle) and the sub-handle in the data; every slot delivers, and
# frees cleanly. If the parent refuses the block, the batch fails whole:
# there is no fallback to single entries (a refused block leaves error
# lines in the log, which a successful allocation must not).
# batch4: allocate a batch of 4 on A; BI = its slot indices
batch4() {
	ok batch "$A" 4
	BI=$(val index | tr , ' ')
}
batch_addrs() {
	for i in $BI; do dslot "$AN" "$i" addr_lo; done | sort -u | wc -l
}
batch_fire_free() {
	for i in $BI; do
		ok request "$A" "$i"
		fire "$A" "$i" 1
		expect_cnt "$A" "$i" total 1
	done
	for i in $BI; do
		ok free "$A" "$i"
	done
}
batch4
if [ "$IOMMU" = intel ]; then
	expect_eq "$(batch_addrs)" 1 "addresses of a batch of 4 (one IRTE block)"
	datas=$(for i in $BI; do dslot "$AN" "$i" data; done | xargs)
	expect_eq "$datas" "0x00000000 0x00000001 0x00000002 0x00000003" "sub-handles of the block"
fi
batch_fire_free
clean "batch of 4 in one block"
arm parent 1
err -28 batch "$A" 4
fired parent 4
clean "parent (block refused: the batch fails whole)"

# activation at request_irq(): the request fails, the slot stays allocated
# and masked, no /proc/interrupts line; the next request works and the
# device's interrupt arrives.
alloc "$A" at 3
V3=$V
arm activate 1
err -5 request "$A" 3
fired activate 1
expect_eq "$(awk -v i="$V3:" '$1 == i' /proc/interrupts)" "" "/proc/interrupts line of a failed request"
expect_eq "$(dslot "$AN" 3 masked)" 1 "slot masked after a failed request"
expect_eq "$(dinfo "$AN" used)" $((S_USED_A + 1)) "slot kept after a failed request"
ok request "$A" 3
fire "$A" 3 2
expect_cnt "$A" 3 total 2
expect_eq "$(irq_count "$V3")" 2 "/proc/interrupts count after the retried request"
ok free "$A" 3
clean activate

# PASID update: fails with the old PASID in place, the device still
# enforces it; the retry takes.
alloc "$A" at 2 pasid 5
ok request "$A" 2
arm pasid 1
err -5 pasid "$A" 2 9
fired pasid 1
expect_eq "$(dslot "$AN" 2 pasid)" 5 "PASID after a failed update"
ok dump "$A" 2
expect_eq "$(val pasid)" 5 "PASID in storage after a failed update"
expect_eq "$(val masked)" 0 "mask state after a failed update"
fire "$A" 2 1 pasid 5
ok pasid "$A" 2 9
expect_eq "$(dslot "$AN" 2 pasid)" 9 "PASID after the retried update"
fire "$A" 2 1 pasid 9
expect_cnt "$A" 2 total 2
ok free "$A" 2
clean pasid

# queue sync: at allocation it fails the allocation; at disable_irq() the
# device keeps its old state, the error shows in debugfs, and the next sync
# pushes the pending change.
arm queue_sync 1
err -5 alloc "$Q" any
fired queue_sync 1
clean "queue_sync (allocation)"
alloc "$Q" at 1
ok request "$Q" 1
arm queue_sync 1
ok mask "$Q" 1
fired queue_sync 2
line=$(awk 'NR > 1 && $1 == 1' "$IMSDBG/$QN/slots")
case "$line" in
*"dirty=1 "*"last_error=-5"*) diag "after the failed push: $line" ;;
*) fail "queue slot state after a failed push: $line" ;;
esac
ok unmask "$Q" 1
line=$(awk 'NR > 1 && $1 == 1' "$IMSDBG/$QN/slots")
case "$line" in
*"dirty=0 "*"last_error=0"*) ;;
*) fail "queue slot state after the next push: $line" ;;
esac
fire "$Q" 1 1
expect_cnt "$Q" 1 total 1
# at free: the slot stays allocated, the retry frees it
ok pasid "$Q" 1 3
ok release "$Q" 1
arm queue_sync 1
err -5 free "$Q" 1
fired queue_sync 3
expect_eq "$(dinfo "$QN" used)" $((S_USED_Q + 1)) "queue slot kept after a failed teardown push"
ok free "$Q" 1
clean "queue_sync (push)"

ok destroy "$Q"
ok destroy "$A"
echo off >"$F"
diag "9 points: domain, sysfs_domain, slot, bookkeeping, parent, sysfs_irq (single, Nth of a batch, queue, block refused), activate, pasid, queue_sync (allocation, push, free)"
echo "PASS: every injected failure gave its errno and left nothing behind"
