#!/bin/sh
# The package as a user gets it: ims_core and idxd_ref are the modules DKMS
# installed (updates/dkms/, found through modules.dep); 'modprobe idxd_ref'
# pulls ims_core in; 'rmmod ims_core' is refused while a client is loaded;
# 'modprobe -r' takes both out. The vendor sample, built on the host against
# the installed package only (headers + symbol versions), loads against this
# ims_core and, bound to the card, gets its IMS interrupts (IR lanes) or the
# clean refusal without remapping.
# timeout: 120
. "${IMS_LIB:-/ims/lib.sh}"

dep=/lib/modules/$KVER/modules.dep
for m in ims_core idxd_ref; do
	grep -q "^updates/dkms/$m.ko:" "$dep" || fail "$m is not the DKMS-installed module"
done
grep -q "^updates/dkms/idxd_ref.ko: updates/dkms/ims_core.ko" "$dep" ||
	fail "idxd_ref does not depend on ims_core: $(grep '^updates/dkms/idxd_ref' "$dep")"
grep -q "^extra/ims_vendor_sample.ko: updates/dkms/ims_core.ko" "$dep" ||
	fail "vendor sample does not depend on the installed ims_core"
expect_eq "$(modinfo -F version "$DKMS_DIR/ims_core.ko")" \
	"$(modinfo -F version "$DKMS_DIR/idxd_ref.ko")" "package version of both modules"

start=$(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')
module_loaded ims_test && run rmmod ims_test

# modprobe pulls ims_core in; rmmod ims_core is refused while it is used
run modprobe idxd_ref
module_loaded ims_core || fail "modprobe idxd_ref did not load ims_core"
if rmmod ims_core 2>/dev/null; then
	fail "rmmod ims_core succeeded while idxd_ref is loaded"
fi
module_loaded ims_core || fail "ims_core gone after a refused rmmod"
run modprobe -r idxd_ref
module_loaded idxd_ref && fail "modprobe -r idxd_ref: still loaded"
module_loaded ims_core && fail "modprobe -r idxd_ref left ims_core loaded"

# The vendor sample binds only by driver_override.
run modprobe ims_vendor_sample
module_loaded ims_core || fail "modprobe ims_vendor_sample did not load ims_core"
dev=/sys/bus/pci/devices/$EDU_BDF
[ -e "$dev/driver" ] && fail "edu is bound to $(basename "$(readlink "$dev/driver")")"
echo ims_vendor_sample >"$dev/driver_override"
echo "$EDU_BDF" >/sys/bus/pci/drivers_probe 2>/dev/null || true
domain=/sys/kernel/debug/ims/IMS-QUEUE-$EDU_BDF-sample
if lane_has_ir; then
	[ -e "$dev/driver" ] || fail "vendor sample did not bind: $(dmesg | tail -n 3)"
	dmesg_has "ims_vendor_sample: 4 IMS interrupts" || fail "no probe line from the sample"
	grep -q '^used: *4$' "$domain/info" || fail "domain info: $(cat "$domain/info")"
	expect_eq "$(grep -c 'ims-vendor-sample' /proc/interrupts)" 4 "vendor sample lines in /proc/interrupts"
	diag "$(grep chain "$domain/info")"
	echo "$EDU_BDF" >"$dev/driver/unbind"
	[ -e "$domain" ] && fail "domain left after unbind"
else
	[ -e "$dev/driver" ] && fail "vendor sample bound without interrupt remapping"
	dmesg_has "IMS needs interrupt remapping" || fail "no refusal line in dmesg"
fi
expect_eq "$(grep -c 'ims-vendor-sample' /proc/interrupts)" 0 "vendor sample lines after unbind"
echo >"$dev/driver_override"
run modprobe -r ims_vendor_sample
expect_eq "$(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')" "$start" "modules at the end"
