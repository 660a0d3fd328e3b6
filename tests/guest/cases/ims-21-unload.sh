#!/bin/sh
# Teardown with domains still present: ims_core cannot be unloaded while
# ims_test uses it; rmmod ims_test with requested, unrequested and masked
# interrupts in several domains, one of them managed (devm), removes
# everything (interrupts, slots, domains, debugfs) without a splat or an
# ims_core complaint; unbinding
# the device does the same and a rebind starts from scratch and works.
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane

# populate: requested, unrequested and masked interrupts in two or three domains
populate() {
	mkdom array 8 u
	A=$D
	alloc "$A" at 0
	ok request "$A" 0
	alloc "$A" at 1
	ok request "$A" 1
	ok mask "$A" 1
	alloc "$A" at 2
	mkdom array 4 v
	alloc "$D" any
	ok request "$D" 0
	# a managed domain (devm_ims_create_domain): devres destroys it
	mkdom array 4 m devm
	M=$D
	alloc "$M" any
	ok request "$M" 0
	err -1 destroy "$M"
	if lane_has_ir; then
		mkdom queue 4 u
		alloc "$D" any
		ok request "$D" 0
		ok mask "$D" 0
		alloc "$D" any
	fi
	fire "$A" 0 1
	fire "$M" 0 1
}

# gone: nothing of ims_test is left
gone() {
	[ -e "$T" ] && fail "$T still there $1"
	n=$(ls "$IMSDBG" 2>/dev/null | grep -c "^IMS-")
	expect_eq "$n" 0 "IMS domains in debugfs $1"
	grep -q "ims_test-" /proc/interrupts && fail "ims_test interrupts left $1"
	return 0
}

complaints() { dmesg | grep -cE "still requested|free of unknown interrupt|sync of slot .* failed"; }
c0=$(complaints)

populate
grep -E "ims_test|IMS-" /proc/interrupts | sed 's/^/# /'
rmmod ims_core 2>/dev/null && fail "ims_core unloaded while ims_test uses it"
module_loaded ims_core || fail "ims_core gone after a refused rmmod"
diag "ims_core refcnt $(cat /sys/module/ims_core/refcnt)"

run rmmod ims_test
gone "after rmmod ims_test"

# again, with unbind/bind
require_module ims_test
populate
echo "$EDU_BDF" >/sys/bus/pci/drivers/ims_test/unbind || fail "unbind failed"
gone "after unbind"
[ -e "/sys/bus/pci/devices/$EDU_BDF/driver" ] && fail "$EDU_BDF still bound"
echo "$EDU_BDF" >/sys/bus/pci/drivers/ims_test/bind || fail "bind failed"
[ -e "$T/cmd" ] || fail "no $T after bind"
mkdom array 4
alloc "$D" any
ok request "$D" "$I"
fire "$D" "$I" 2
expect_cnt "$D" "$I" total 2
ok edu_msi

expect_eq "$(complaints)" "$c0" "ims_core complaints in dmesg"
run rmmod ims_test
gone "after the final rmmod"
exit 0
