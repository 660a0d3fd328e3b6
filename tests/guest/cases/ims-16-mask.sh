#!/bin/sh
# Masking, for both templates: disable_irq() masks the slot in the storage
# the device reads, so a fired slot sends nothing (the device keeps it
# pending) and the handler count does not move while other slots keep
# working; enable_irq() unmasks it and the device sends the pending message
# once (like an MSI-X pending bit). Nested disables need as many enables.
# After free_irq() and a new request_irq(), disable_irq() still masks at
# once: free_irq() clears IRQ_DISABLE_UNLAZY, which an array driver sets
# again before each request (README) and the queue template does not need.
# The array template masks from hard irq context: a handler that calls
# disable_irq_nosync() on its own interrupt masks the slot at once.
# Also the kernel's lazy disable on an array slot (see below).
# Lanes without IR run the array part in direct mode.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane
tpls="array queue"
lane_has_ir || { tpls=array; diag "no IR: queue template skipped, array in direct mode"; }

for tpl in $tpls; do
	diag "--- $tpl"
	mkdom "$tpl" 4
	alloc "$D" at 0
	ok request "$D" 0
	alloc "$D" at 1
	[ "$tpl" = queue ] && err -22 request "$D" 1 lazy
	ok request "$D" 1
	fire "$D" 0 1

	ok mask "$D" 0
	ok dump "$D" 0
	expect_eq "$(val masked)" 1 "$tpl: storage mask after disable_irq"
	expect_eq "$(dslot "$DN" 0 masked)" 1 "$tpl: ims_core mask state"
	ok fire "$D" 0 3
	expect_eq "$(val sent)" 0 "$tpl: sent while masked"
	expect_eq "$(val held)" 3 "$tpl: held while masked"
	expect_cnt "$D" 0 total 1
	expect_cnt "$D" 0 pending 3
	fire "$D" 1 1
	expect_cnt "$D" 1 total 1

	ok unmask "$D" 0
	expect_eq "$(val sent)" 1 "$tpl: pending message sent at unmask"
	expect_eq "$(val delivered)" 1 "$tpl: pending message delivered"
	expect_cnt "$D" 0 total 2
	expect_cnt "$D" 0 pending 0
	ok dump "$D" 0
	expect_eq "$(val masked)" 0 "$tpl: storage mask after enable_irq"
	fire "$D" 0 2
	expect_cnt "$D" 0 total 4

	# nested
	ok mask "$D" 0
	ok mask "$D" 0
	ok unmask "$D" 0
	ok dump "$D" 0
	expect_eq "$(val masked)" 1 "$tpl: still masked at depth 1"
	ok fire "$D" 0 1
	expect_eq "$(val sent)" 0 "$tpl: sent at depth 1"
	ok unmask "$D" 0
	expect_eq "$(val delivered)" 1 "$tpl: pending delivered after the last enable"
	err -22 unmask "$D" 0
	expect_cnt "$D" 0 total 5
	expect_cnt "$D" 1 total 1
	v=$(cnt "$D" 0 virq)
	expect_eq "$(irq_count "$v")" 5 "$tpl: /proc/interrupts count"

	# masked at free_irq time: freeing cleans up, the next request is unmasked
	ok mask "$D" 1
	ok release "$D" 1
	ok request "$D" 1
	fire "$D" 1 1
	expect_cnt "$D" 1 total 2

	# and disable_irq() of the second request masks the device at once
	ok mask "$D" 1
	ok dump "$D" 1
	expect_eq "$(val masked)" 1 "$tpl: storage right after disable_irq() of a second request"
	ok fire "$D" 1 1
	expect_eq "$(val sent) $(val held)" "0 1" "$tpl: sent/held while disabled after a second request"
	ok unmask "$D" 1
	expect_eq "$(val delivered)" 1 "$tpl: pending delivered after enable_irq()"
	expect_cnt "$D" 1 total 3
	ok destroy "$D"
done

diag "--- array, disable_irq_nosync() in the handler"
mkdom array 4 nosync
alloc "$D" at 0
ok request "$D" 0 nosync
fire "$D" 0 1
ok dump "$D" 0
expect_eq "$(val masked)" 1 "nosync: storage after the handler's disable_irq_nosync()"
ok fire "$D" 0 2
expect_eq "$(val held)" 2 "nosync: held after the handler disabled its interrupt"
ok unmask "$D" 0
expect_eq "$(val delivered)" 1 "nosync: pending delivered after enable_irq()"
expect_cnt "$D" 0 total 2
ok unmask "$D" 0
ok dump "$D" 0
expect_eq "$(val masked)" 0 "nosync: storage after the last enable_irq()"
fire "$D" 0 1
expect_cnt "$D" 0 total 3
ok unmask "$D" 0
ok destroy "$D"

# Lazy disable (the kernel's default, which ims_core keeps for the array
# template): disable_irq() leaves the slot unmasked; the first interrupt
# that arrives is latched by the kernel, which masks the slot then; the
# device holds the following ones; enable_irq() resends the latched one
# through the hierarchy's retrigger and the device sends its pending one.
diag "--- array, lazy disable"
mkdom array 4 lazy
alloc "$D" at 2
ok request "$D" 2 lazy
fire "$D" 2 1
ok mask "$D" 2
ok dump "$D" 2
expect_eq "$(val masked)" 0 "lazy: storage right after disable_irq"
ok fire "$D" 2 1
expect_eq "$(val sent)" 1 "lazy: sent while disabled, not yet masked"
expect_eq "$(val delivered)" 0 "lazy: handler calls while disabled"
ok dump "$D" 2
expect_eq "$(val masked)" 1 "lazy: storage after an interrupt while disabled"
ok fire "$D" 2 2
expect_eq "$(val held)" 2 "lazy: held once masked"
expect_cnt "$D" 2 total 1
ok unmask "$D" 2
total_is() { [ "$(cnt "$D" 2 total)" = "$1" ]; }
wait_for 5 total_is 3 || fail "lazy: total $(cnt "$D" 2 total) after enable_irq, expected 3 (kernel resend + device pending)"
sleep 1
expect_cnt "$D" 2 total 3
ok dump "$D" 2
expect_eq "$(val masked)" 0 "lazy: storage after enable_irq"
fire "$D" 2 1
expect_cnt "$D" 2 total 4
ok destroy "$D"
exit 0
