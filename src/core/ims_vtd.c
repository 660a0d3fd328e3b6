// SPDX-License-Identifier: GPL-2.0-only
/*
 * The largest block of remapping entries an Intel VT-d unit can give one
 * allocation call.
 *
 * VT-d hands a block of 2^n interrupt remapping entries (IRTEs) to one
 * allocation, and invalidates the block with one handle mask; the unit's
 * extended capability register says how large a mask it takes (MHMV). A
 * larger request fails with an error line in the log, so ims_core asks the
 * unit first. The unit that remaps a device is the one whose ACPI DMAR
 * device scope holds the device or a bridge above it, else the unit that
 * includes every device of the PCI segment: the same match the VT-d driver
 * makes. Its capability registers are read-only; reading them has no
 * effect on the unit.
 */

#include <linux/acpi.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/pci.h>

#include "ims_compat.h"
#include "ims_internal.h"

#define IMS_VTD_ECAP_REG	0x10
#define IMS_VTD_ECAP_MHMV(e)	(((e) >> 20) & 0xf)
/* The VT-d driver always sizes its table to the 16-bit handle space. */
#define IMS_VTD_TABLE_ENTRIES	65536

/* The device a DMAR device scope names, referenced, or NULL. */
static struct pci_dev *ims_vtd_scope_dev(u16 segment,
					 const struct acpi_dmar_device_scope *scope)
{
	const struct acpi_dmar_pci_path *path = (const void *)(scope + 1);
	int level = (scope->length - sizeof(*scope)) / sizeof(*path);
	struct pci_dev *dev = NULL;
	unsigned int bus = scope->bus;

	for (; level > 0; level--, path++) {
		if (dev) {
			if (!dev->subordinate) {
				pci_dev_put(dev);
				return NULL;
			}
			bus = dev->subordinate->number;
			pci_dev_put(dev);
		}
		dev = pci_get_domain_bus_and_slot(segment, bus,
						  PCI_DEVFN(path->device,
							    path->function));
		if (!dev)
			return NULL;
	}
	return dev;
}

/* True if one of the unit's device scopes is @pdev or a bridge above it. */
static bool ims_vtd_unit_covers(const struct acpi_dmar_hardware_unit *drhd,
				struct pci_dev *pdev)
{
	const void *pos = drhd + 1, *end = (const void *)drhd + drhd->header.length;
	const struct acpi_dmar_device_scope *scope;
	bool covers = false;

	for (; !covers && pos + sizeof(*scope) <= end; pos += scope->length) {
		struct pci_dev *dev, *up;

		scope = pos;
		if (scope->length < sizeof(*scope))
			break;
		if (scope->entry_type != ACPI_DMAR_SCOPE_TYPE_ENDPOINT &&
		    scope->entry_type != ACPI_DMAR_SCOPE_TYPE_BRIDGE)
			continue;
		dev = ims_vtd_scope_dev(drhd->segment, scope);
		for (up = pdev; dev && up && !covers; up = up->bus->self)
			covers = up == dev;
		pci_dev_put(dev);
	}
	return covers;
}

/* Register base of the unit that remaps @pdev, 0 if none is found. */
static u64 ims_vtd_unit_base(struct pci_dev *pdev)
{
	const struct acpi_dmar_hardware_unit *drhd, *catch_all = NULL;
	struct acpi_table_header *tbl;
	const struct acpi_dmar_header *hdr;
	const void *pos, *end;
	u64 base = 0;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_DMAR, 0, &tbl)))
		return 0;
	pos = (const void *)tbl + sizeof(struct acpi_table_dmar);
	end = (const void *)tbl + tbl->length;
	for (; pos + sizeof(*hdr) <= end; pos += hdr->length) {
		hdr = pos;
		if (hdr->length < sizeof(*hdr))
			break;
		if (hdr->type != ACPI_DMAR_TYPE_HARDWARE_UNIT)
			continue;
		drhd = pos;
		if (drhd->segment != pci_domain_nr(pdev->bus))
			continue;
		if (drhd->flags & ACPI_DMAR_INCLUDE_ALL) {
			catch_all = drhd;
		} else if (ims_vtd_unit_covers(drhd, pdev)) {
			base = drhd->address;
			break;
		}
	}
	if (!base && catch_all)
		base = catch_all->address;
	acpi_put_table(tbl);
	return base;
}

/**
 * ims_vtd_block_max - largest IRTE block for one allocation on @pdev's unit
 * @pdev:	a device whose interrupts Intel VT-d remaps
 * @limit:	the largest block the caller wants, a power of two
 *
 * Return: a power of two up to @limit; 1 if the unit cannot be found.
 */
unsigned int ims_vtd_block_max(struct pci_dev *pdev, unsigned int limit)
{
	void __iomem *regs;
	u64 base, ecap;

	base = ims_vtd_unit_base(pci_physfn(pdev));
	if (!base)
		return 1;
	regs = ioremap(base + IMS_VTD_ECAP_REG, sizeof(u64));
	if (!regs)
		return 1;
	ecap = readq(regs);
	iounmap(regs);
	return min(limit, 1U << IMS_VTD_ECAP_MHMV(ecap));
}

/**
 * ims_vtd_block_ends_table - whether a block is the last of its unit's table
 * @msg:	the remappable message of the block's first interrupt
 * @nr:		number of entries in the block
 *
 * The VT-d driver gives a block the lowest free aligned run of its table
 * (first fit), and the message of the block's first interrupt names the
 * run's first entry (the handle). A block that ends at the table's end
 * thus leaves no free aligned run of its size: asking for another one
 * would cost a refused allocation (an irq descriptor for every member, a
 * scan of the whole table and an error line) until entries are freed.
 *
 * Return: true if the block's last entry is the table's last.
 */
bool ims_vtd_block_ends_table(const struct msi_msg *msg, unsigned int nr)
{
	unsigned int handle;

	if (!msg->arch_addr_lo.dmar_format)
		return false;
	handle = msg->arch_addr_lo.dmar_index_0_14 |
		 msg->arch_addr_lo.dmar_index_15 << 15;
	return handle + nr == IMS_VTD_TABLE_ENTRIES;
}
