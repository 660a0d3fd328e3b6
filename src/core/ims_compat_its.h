/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * arm64: the parent is the GICv3 ITS, which translates a write of (DeviceID,
 * EventID) to its doorbell into an LPI. Included by ims_compat.h only.
 *
 * The ITS gives each DeviceID one interrupt translation table, sized when
 * the DeviceID is first prepared and never grown (6.1, 6.12): the IMS
 * slots and the device's own MSI/MSI-X share it. ims_its.c prepares it at
 * domain creation, which must therefore come before the driver enables
 * MSI or MSI-X. LPIs are fasteoi interrupts; the ITS moves an LPI between
 * CPUs without changing its message.
 */
#ifndef _IMS_COMPAT_ITS_H
#define _IMS_COMPAT_ITS_H

#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/msi.h>

#ifdef IMS_HAVE_DOMAIN_BUS_PCI_DEVICE_MSIX
/*
 * Since v6.2 the ITS is the device's MSI parent itself, a NEXUS domain
 * whose MSI parent ops name it ("ITS-"); the device's PCI/MSI domain is
 * made per device when the driver enables MSI.
 */
static inline enum ims_parent_kind ims_parent_of(struct pci_dev *pdev,
						 struct irq_domain **parent)
{
	struct irq_domain *dom = dev_get_msi_domain(&pdev->dev);

	*parent = dom;
	if (!dom || !(dom->flags & IRQ_DOMAIN_FLAG_MSI_PARENT) ||
	    !dom->msi_parent_ops || !dom->msi_parent_ops->prefix ||
	    strcmp(dom->msi_parent_ops->prefix, "ITS-"))
		return IMS_PARENT_OTHER;
	return IMS_PARENT_ITS;
}
#else
/*
 * Up to 6.1 the device carries the ITS's global PCI/MSI domain, whose chip
 * is "ITS-MSI" and whose parent is the ITS.
 */
static inline enum ims_parent_kind ims_parent_of(struct pci_dev *pdev,
						 struct irq_domain **parent)
{
	struct irq_domain *dom = dev_get_msi_domain(&pdev->dev);
	struct msi_domain_info *info;

	*parent = dom;
	if (!dom || dom->bus_token != DOMAIN_BUS_PCI_MSI || !dom->parent)
		return IMS_PARENT_OTHER;
	info = dom->host_data;
	if (!info || !info->chip || !info->chip->name ||
	    strcmp(info->chip->name, "ITS-MSI"))
		return IMS_PARENT_OTHER;
	*parent = dom->parent;
	return IMS_PARENT_ITS;
}
#endif

int ims_its_prepare(struct ims_domain *domain);
void ims_its_alloc_failed(struct ims_domain *domain, int err);
void ims_its_set_msi_desc(struct irq_data *irqd, struct msi_desc *desc);

static inline int ims_parent_prepare(struct ims_domain *domain)
{
	return ims_its_prepare(domain);
}

static inline void ims_parent_alloc_failed(struct ims_domain *domain, int err)
{
	ims_its_alloc_failed(domain, err);
}

/**
 * ims_parent_alloc_info - describe IMS interrupts to the ITS
 * @domain:	the IMS domain, prepared
 * @info:	filled in
 * @nr:		number of interrupts in the parent call
 *
 * The ITS takes its device of the DeviceID from the scratchpad, and the
 * device behind the doorbell's IOMMU mapping from @domain's descriptor.
 */
static inline void ims_parent_alloc_info(struct ims_domain *domain,
					 msi_alloc_info_t *info,
					 unsigned int nr)
{
	memset(info, 0, sizeof(*info));
	info->desc = &domain->desc;
	info->scratchpad[0].ptr = domain->parent_data.its_dev;
}

/*
 * The ITS composes the message through the irq's MSI descriptor (the
 * doorbell's IOMMU address): every IMS interrupt carries the domain's.
 */
static inline void ims_parent_installed(struct ims_domain *domain,
					unsigned int virq)
{
	ims_its_set_msi_desc(irq_get_irq_data(virq), &domain->desc);
}

/* LPIs end with an EOI at the GIC's CPU interface: the fasteoi flow. */
static inline void ims_parent_chip_init(struct irq_chip *chip)
{
	chip->irq_eoi = irq_chip_eoi_parent;
}

#define IMS_FLOW_HANDLER	handle_fasteoi_irq
#define IMS_FLOW_NAME		"fasteoi"

/*
 * An LPI is enabled in the ITS's configuration table by its unmask: IMS
 * masks and unmasks there as well as in its storage.
 */
static inline void ims_parent_mask(struct irq_data *irqd, bool masked)
{
	if (masked)
		irq_chip_mask_parent(irqd);
	else
		irq_chip_unmask_parent(irqd);
}

/* Remapping blocks are VT-d's; the ITS takes events one by one. */
static inline unsigned int ims_vtd_block_max(struct pci_dev *pdev,
					     unsigned int limit)
{
	return 1;
}

static inline bool ims_vtd_block_ends_table(const struct msi_msg *msg,
					    unsigned int nr)
{
	return false;
}

#endif /* _IMS_COMPAT_ITS_H */
