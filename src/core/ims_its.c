// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMS domains on the GICv3 ITS (arm64).
 *
 * The ITS knows a device by its DeviceID and keeps one interrupt
 * translation table (ITT) per DeviceID, allocated with a block of LPIs by
 * the first "prepare" of the DeviceID, sized for that prepare's vector
 * count and never grown. Interrupts are then allocated from the ITS
 * domain with that table's device in the allocation's scratchpad. An IMS
 * domain prepares the table for its slots plus the device's own MSI or
 * MSI-X vectors, through the prepare the ITS gives PCI devices, which also
 * finds the DeviceID (DT msi-map or IORT). When the table exists already
 * (MSI was enabled first, or another IMS domain of the device prepared
 * it), the ITS reuses it whatever its size: allocations past its end fail
 * with -ENOSPC, and ims_core says what to do.
 *
 * The ITS frees a DeviceID's table with its last interrupt unless the
 * table is shared. An IMS domain's interrupts come and go while it holds
 * the table's device, so it prepares twice: the second prepare finds the
 * table and marks it shared, and the ITS keeps it until reboot. A later
 * domain of the device (after a reload, say) reuses it.
 */

#include <linux/irq.h>
#include <linux/msi.h>
#include <linux/pci.h>

#include "ims_compat.h"
#include "ims_internal.h"

/* The device's own vectors, which share the table with IMS. */
static unsigned int ims_its_msi_vecs(struct pci_dev *pdev)
{
	int msix = pci_msix_vec_count(pdev), msi = pci_msi_vec_count(pdev);

	return max3(msix, msi, 0);
}

#ifdef IMS_HAVE_DOMAIN_BUS_PCI_DEVICE_MSIX
/*
 * The ITS installs its PCI prepare into a device domain's info, then the
 * prepare reads the child domain (ours) as an MSI domain: its parent is
 * the ITS, its host data an msi_domain_info whose hwsize is the count.
 */
static int ims_its_prepare_once(struct ims_domain *domain, unsigned int nvec,
				msi_alloc_info_t *arg)
{
	struct ims_parent_data *pd = &domain->parent_data;
	struct irq_domain *its = domain->parent;
	struct irq_chip scratch = { };

	pd->info.bus_token = DOMAIN_BUS_PCI_DEVICE_MSIX;
	pd->info.ops = &pd->ops;
	pd->info.chip = &scratch;
	pd->info.hwsize = nvec;
	if (!its->msi_parent_ops->init_dev_msi_info(&domain->pdev->dev, its,
						    its, &pd->info))
		return -ENODEV;
	/* the chip updates are for PCI/MSI device domains, not ours */
	pd->info.chip = NULL;
	if (!pd->ops.msi_prepare)
		return -ENODEV;
	return pd->ops.msi_prepare(domain->irqdom, &domain->pdev->dev, nvec,
				   arg);
}
#else
/* Up to 6.1: the prepare of the ITS's global PCI/MSI domain. */
static int ims_its_prepare_once(struct ims_domain *domain, unsigned int nvec,
				msi_alloc_info_t *arg)
{
	struct irq_domain *pci_msi = dev_get_msi_domain(&domain->pdev->dev);
	struct msi_domain_info *info = pci_msi->host_data;

	return info->ops->msi_prepare(pci_msi, &domain->pdev->dev, nvec, arg);
}
#endif

/**
 * ims_its_prepare - size the device's ITS table for an IMS domain
 * @domain:	the domain, its irq domain created
 *
 * Context: process context, may sleep.
 * Return: 0 or a negative errno from the ITS.
 */
int ims_its_prepare(struct ims_domain *domain)
{
	unsigned int nvec = domain->info.nr_slots +
			    ims_its_msi_vecs(domain->pdev);
	msi_alloc_info_t arg;
	int pass, ret;

	for (pass = 0; pass < 2; pass++) {
		memset(&arg, 0, sizeof(arg));
		ret = ims_its_prepare_once(domain, nvec, &arg);
		if (ret) {
			pci_err(domain->pdev, "%s: the ITS cannot take the device (DeviceID table for %u vectors): %d\n",
				domain->name, nvec, ret);
			return ret;
		}
	}
	domain->parent_data.its_dev = arg.scratchpad[0].ptr;
	return 0;
}

/**
 * ims_its_alloc_failed - say once per domain why the ITS refused interrupts
 * @domain:	the domain
 * @err:	the ITS's error
 *
 * Slots are checked before the ITS is asked, so -ENOSPC from it means the
 * DeviceID's table is full, sized before this domain needed it.
 */
void ims_its_alloc_failed(struct ims_domain *domain, int err)
{
	if (err != -ENOSPC || domain->parent_data.full_told)
		return;
	domain->parent_data.full_told = true;
	pci_err(domain->pdev, "%s: the device's ITS table is full; it is sized by the first prepare of the DeviceID: create the IMS domains before enabling MSI/MSI-X, the first one with room for all IMS interrupts of the device\n",
		domain->name);
}

/**
 * ims_its_set_msi_desc - give an IMS interrupt its MSI descriptor
 * @irqd:	the interrupt's top level
 * @desc:	the domain's descriptor, whose ->dev is the device
 *
 * The ITS composes every message through the irq's MSI descriptor (which
 * carries the doorbell's IOMMU mapping), so an IMS interrupt needs one as
 * a PCI/MSI interrupt has one. The irq core's setter, irq_set_msi_desc(),
 * is not exported; this is the one place where ims_core writes irq core
 * data, the field that setter writes, for an irq ims_core allocated and
 * owns. The descriptor is ims_core's own, never a driver's.
 */
void ims_its_set_msi_desc(struct irq_data *irqd, struct msi_desc *desc)
{
	irqd->common->msi_desc = desc;
}
