/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Where imsctl reads from. Fixed: the kernel decides these paths, and a
 * tool run as root must not be pointed at other files.
 */
#ifndef IMSCTL_PATHS_H
#define IMSCTL_PATHS_H

#define IMS_SYSFS_CLASS		"/sys/class/ims"
#define IMS_DEBUGFS_DIR		"/sys/kernel/debug/ims"
#define PCI_SYSFS_DEVICES	"/sys/bus/pci/devices"
#define PROC_INTERRUPTS		"/proc/interrupts"
#define PROC_IRQ_DIR		"/proc/irq"
#define SYSFS_IRQ_DIR		"/sys/kernel/irq"

#endif
