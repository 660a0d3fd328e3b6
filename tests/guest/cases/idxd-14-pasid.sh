#!/bin/sh
# Interrupt isolation by PASID. The driver refuses a descriptor naming a
# handle the file does not own (ENOENT), and so does every other handle
# operation from a second process. With the driver's check switched off
# (trust_device_pasid=1), the device itself refuses: descriptors of file A
# naming file B's handle get completion status 0x19, the device reports
# error 0x19 (handle, A's PASID) in SWERR on the misc interrupt, and B's
# handle gets no IMS interrupt.
# timeout: 150
IDXD_LIB=1 . "$(dirname "$0")/idxd-10-probe.sh"

idxd_setup
idxd_user foreign
m0=$(irq_count_name idxd_ref0-misc)
echo 1 >/sys/module/idxd_ref/parameters/trust_device_pasid || fail "cannot set trust_device_pasid"
idxd_user pasid 2
echo 0 >/sys/module/idxd_ref/parameters/trust_device_pasid
m1=$(irq_count_name idxd_ref0-misc)
diag "misc interrupts +$((m1 - m0)) in /proc/interrupts"
expect_eq "$((m1 - m0))" 2 "misc interrupts"
echo "PASS: foreign handle refused by the driver and, unchecked, by the device (0x19)"
