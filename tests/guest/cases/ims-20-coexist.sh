#!/bin/sh
# PCI/MSI and IMS on the same device at the same time: edu's own MSI
# vector keeps working while IMS domains of the same device are created,
# used and destroyed; both interrupt kinds, interleaved, are counted exactly
# and each under its own chip (IR-PCI-MSI/PCI-MSI vs the IMS domain).
# Lanes without IR run with IMS in direct mode (array only).
# timeout: 300
IMS_CLIENT_LIB=1 . "$(dirname "$0")/ims-10-client.sh"

it_setup_lane

ev=$(irq_numbers ims_test-edu)
[ -n "$ev" ] || fail "no ims_test-edu interrupt"
[ -e "/sys/bus/pci/devices/$EDU_BDF/msi_irqs/$ev" ] || fail "irq $ev is not an MSI of $EDU_BDF"
echip=$(proc_irq_chip "$ev")
diag "edu MSI irq $ev, chip $echip"
if [ "$IOMMU" = its ]; then
	case "$echip" in ITS-*) ;; *) fail "edu MSI chip '$echip' is not the ITS's" ;; esac
elif lane_has_ir; then
	case "$echip" in IR-PCI-MSI*) ;; *) fail "edu MSI chip '$echip' is not remapped" ;; esac
else
	case "$echip" in PCI-MSI*) ;; *) fail "edu MSI chip '$echip', expected PCI-MSI" ;; esac
fi
e0=$(irq_count "$ev")

mkdom array 8 co
A=$D AN=$DN
alloc "$A" at 0
ok request "$A" 0
alloc "$A" at 1
ok request "$A" 1
if lane_has_ir; then
	mkdom queue 4 co
	Q=$D
	alloc "$Q" at 2
	ok request "$Q" 2
fi
expect_eq "$(proc_irq_chip "$(cnt "$A" 0 virq)")" "$AN" "IMS chip"

ok edu_msi
fire "$A" 0 1
ok edu_msi
fire "$A" 1 2
if lane_has_ir; then
	ok edu_msi
	fire "$Q" 2 1
fi
ok edu_msi
fire "$A" 0 1
n=3
lane_has_ir && n=4
expect_eq "$(irq_count "$ev")" $((e0 + n)) "edu MSI count"
expect_cnt "$A" 0 total 2
expect_cnt "$A" 1 total 2
lane_has_ir && expect_cnt "$Q" 2 total 1

# IMS domains go away, MSI stays
ok destroy "$A"
lane_has_ir && ok destroy "$Q"
[ -e "/sys/bus/pci/devices/$EDU_BDF/msi_irqs/$ev" ] || fail "edu MSI vanished with the IMS domains"
ok edu_msi
expect_eq "$(irq_count "$ev")" $((e0 + n + 1)) "edu MSI count after the IMS domains are gone"
grep -E "ims_test" /proc/interrupts | sed 's/^/# /'
exit 0
