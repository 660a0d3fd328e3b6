/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * x86: the parents are the interrupt remapping domains (Intel VT-d, AMD-Vi)
 * or, without remapping, the vector domain. Included by ims_compat.h only.
 */
#ifndef _IMS_COMPAT_X86_H
#define _IMS_COMPAT_X86_H

#include <asm/hw_irq.h>
#include <asm/irqdomain.h>

#ifdef IMS_HAVE_DOMAIN_BUS_DMAR
/*
 * The remapping domains carry bus tokens of their own, and the device's MSI
 * parent hangs on the device: it is the remapping domain itself, or the
 * vector domain without remapping. Anything else (VMD, Hyper-V, ...) has
 * a PCI/MSI domain of its own there.
 */
static inline enum ims_parent_kind ims_parent_of(struct pci_dev *pdev,
						 struct irq_domain **parent)
{
	struct irq_domain *dom = dev_get_msi_domain(&pdev->dev);

	*parent = dom;
	if (!dom || dom == x86_vector_domain) {
		*parent = x86_vector_domain;
		return IMS_PARENT_VECTOR;
	}
	switch (dom->bus_token) {
	case DOMAIN_BUS_DMAR:
		return IMS_PARENT_VTD;
	case DOMAIN_BUS_AMDVI:
		return IMS_PARENT_AMDVI;
	default:
		return IMS_PARENT_OTHER;
	}
}
#else
/*
 * Up to 6.1 the device carries a PCI/MSI domain whose parent is the
 * remapping domain or the vector domain. The remapping domains have no bus
 * token of their own there; their fwnode names tell them apart. The
 * default PCI/MSI domain of the vector is "PCI-MSI", renamed "PCI-MSI-<bus
 * token>" when its token is set; a PCI/MSI domain of another name over the
 * vector domain (Hyper-V) or a device domain of another bus (VMD) is not
 * ours to stack on.
 */
static inline bool ims_is_x86_pci_msi(const char *name)
{
	size_t len = strlen("PCI-MSI");

	return !strncmp(name, "PCI-MSI", len) &&
	       (!name[len] || name[len] == '-');
}

static inline enum ims_parent_kind ims_parent_of(struct pci_dev *pdev,
						 struct irq_domain **parent)
{
	struct irq_domain *dom = dev_get_msi_domain(&pdev->dev);
	struct irq_domain *up;

	*parent = x86_vector_domain;
	if (!dom)
		return IMS_PARENT_VECTOR;
	*parent = dom;
	if (dom->bus_token != DOMAIN_BUS_PCI_MSI || !dom->parent)
		return IMS_PARENT_OTHER;
	up = dom->parent;
	*parent = up;
	if (up == x86_vector_domain)
		return ims_is_x86_pci_msi(dom->name) ? IMS_PARENT_VECTOR :
						       IMS_PARENT_OTHER;
	if (up->parent != x86_vector_domain)
		return IMS_PARENT_OTHER;
	if (!strncmp(up->name, "INTEL-IR-", 9))
		return IMS_PARENT_VTD;
	if (!strncmp(up->name, "AMD-IR-", 7))
		return IMS_PARENT_AMDVI;
	return IMS_PARENT_OTHER;
}
#endif

/* x86's parents take everything they need at allocation. */
static inline int ims_parent_prepare(struct ims_domain *domain)
{
	return 0;
}

/**
 * ims_parent_alloc_info - describe IMS interrupts to the parent domain
 * @domain:	the IMS domain
 * @info:	filled in
 * @nr:		number of interrupts in the parent call
 *
 * The remapping domains take the IRTE source id from the ->dev of
 * @domain's descriptor; nothing else of it is read by the parents. One
 * interrupt is described like one MSI-X vector. Several are described like
 * a multi-MSI block, the only type for which VT-d accepts more than one
 * interrupt per call: it then takes one aligned IRTE block in one scan of
 * its table.
 */
static inline void ims_parent_alloc_info(struct ims_domain *domain,
					 msi_alloc_info_t *info,
					 unsigned int nr)
{
	memset(info, 0, sizeof(*info));
	info->type = nr > 1 ? X86_IRQ_ALLOC_TYPE_PCI_MSI :
			      X86_IRQ_ALLOC_TYPE_PCI_MSIX;
	info->desc = &domain->desc;
}

/* The remapping units log their refusals themselves. */
static inline void ims_parent_alloc_failed(struct ims_domain *domain, int err)
{
}

/* Nothing to add once the levels exist: the parents keep their own data. */
static inline void ims_parent_installed(struct ims_domain *domain,
					unsigned int virq)
{
}

/*
 * x86 MSIs are edge interrupts acknowledged at the local APIC: the flow is
 * handle_edge_irq() and the ack goes down to the vector domain.
 */
static inline void ims_parent_chip_init(struct irq_chip *chip)
{
	chip->irq_ack = irq_chip_ack_parent;
}

#define IMS_FLOW_HANDLER	handle_edge_irq
#define IMS_FLOW_NAME		"edge"

/* The remapping and vector domains have nothing to mask. */
static inline void ims_parent_mask(struct irq_data *irqd, bool masked)
{
}

unsigned int ims_vtd_block_max(struct pci_dev *pdev, unsigned int limit);
bool ims_vtd_block_ends_table(const struct msi_msg *msg, unsigned int nr);

#endif /* _IMS_COMPAT_X86_H */
