#!/bin/sh
# Lanes without interrupt remapping: by default ims_core refuses IMS
# domains with -ENODEV and one clear dmesg line per attempt. Loaded with
# allow_direct_vector=1 it stacks array domains on the vector domain
# (IMS -> VECTOR) and device-fired interrupts arrive end to end, also after
# an affinity move (the slot's message is rewritten), next to edu's own
# MSI; the queue template is still refused with -EOPNOTSUPP. Without
# remapping, a move must wait for the next interrupt's ack path (the message
# is rewritten while the old vector still catches a racing interrupt): it
# is pending, the slot unchanged, right after the affinity write, on every
# kernel (before v6.13 the default, since then IRQCHIP_MOVE_DEFERRED).
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

arch_is x86 || skip "x86 only: direct mode stacks IMS on x86's vector domain"
lane_has_ir && skip "lane $LANE has interrupt remapping: direct mode is for lanes without it"
it_setup

nodev_lines() { dmesg | grep -c "IMS needs interrupt remapping"; }
l0=$(nodev_lines)
err -19 create array 4
expect_eq "$(nodev_lines)" $((l0 + 1)) "dmesg lines for a refused array domain"
err -19 create queue 4
expect_eq "$(nodev_lines)" $((l0 + 2)) "dmesg lines for a refused queue domain"
dmesg | grep "IMS needs interrupt remapping" | tail -n 1 | sed 's/^/# dmesg: /'
expect_eq "$(ls "$IMSDBG" | grep -c '^IMS-')" 0 "domains after refusals"

# reload ims_core with allow_direct_vector=1
run rmmod ims_test
run rmmod ims_core
run modprobe ims_core allow_direct_vector=1
expect_eq "$(cat /sys/module/ims_core/parameters/allow_direct_vector)" Y "allow_direct_vector"
require_module ims_test

q0=$(dmesg | grep -c "QUEUE template needs interrupt remapping")
err -95 create queue 4
expect_eq "$(dmesg | grep -c "QUEUE template needs interrupt remapping")" $((q0 + 1)) "dmesg lines for a refused queue domain"

mkdom array 8 d
A=$D
chain=$(dinfo "$DN" chain)
diag "chain $chain"
expect_eq "$chain" "$DN -> VECTOR" "parent chain in direct mode"
expect_eq "$(dinfo "$DN" mode)" direct-vector "mode"
alloc "$A" at 0
ok request "$A" 0
v0=$V
alloc "$A" at 5
ok request "$A" 5
expect_eq "$(proc_irq_chip "$v0")" "$DN" "IMS chip"

ev=$(irq_numbers ims_test-edu)
e0=$(irq_count "$ev")
fire "$A" 0 2
ok edu_msi
fire "$A" 5 1
expect_cnt "$A" 0 total 2
expect_cnt "$A" 5 total 1
expect_eq "$(irq_count "$ev")" $((e0 + 1)) "edu MSI count"

ncpu=$(grep -c '^processor' /proc/cpuinfo)
if [ "$ncpu" -ge 2 ]; then
	ok dump "$A" 0
	m0="$(val addr_lo)/$(val data)"
	cpu=$(cnt "$A" 0 last_cpu)
	to=$(((cpu + 1) % ncpu))
	echo "$to" >"/proc/irq/$v0/smp_affinity_list" || fail "cannot move irq $v0 to cpu $to"
	ok dump "$A" 0
	expect_eq "$(val addr_lo)/$(val data)" "$m0" "slot message right after the affinity write (move deferred to the ack path)"
	expect_eq "$(cat "/proc/irq/$v0/effective_affinity_list")" "$cpu" "effective affinity before the next interrupt"
	fire "$A" 0 1
	c=$(cnt "$A" 0 "cpu$to")
	fire "$A" 0 2
	expect_eq "$(cnt "$A" 0 "cpu$to")" $((c + 2)) "deliveries on cpu $to after the move"
	expect_eq "$(cat "/proc/irq/$v0/effective_affinity_list")" "$to" "effective affinity"
	ok dump "$A" 0
	m1="$(val addr_lo)/$(val data)"
	diag "message before $m0, after $m1"
	expect_ne "$m1" "$m0" "slot message after the move"
	expect_cnt "$A" 0 total 5
	expect_cnt "$A" 5 total 1
else
	diag "one CPU: affinity move not tested"
fi
ok destroy "$A"
exit 0
