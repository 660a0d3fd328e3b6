/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where kernel differences are handled. Every decision is a
 * probe of what the running kernel's irq hierarchy looks like, not of its
 * version number.
 */
#ifndef _IMS_COMPAT_H
#define _IMS_COMPAT_H

#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>

/**
 * ims_msi_parent - the domain an IMS domain of @pdev stacks on
 * @pdev:	the device
 *
 * PCI/MSI of the device and IMS are siblings: both are children of the
 * interrupt remapping domain that covers the device (or of the vector
 * domain without remapping). Kernels up to 6.1 hang a global PCI/MSI domain
 * on the device, whose parent is that domain; later kernels hang the MSI
 * parent domain itself on the device.
 *
 * Return: the parent domain, never NULL on x86.
 */
static inline struct irq_domain *ims_msi_parent(struct pci_dev *pdev)
{
	struct irq_domain *dom = dev_get_msi_domain(&pdev->dev);

	if (dom && dom->bus_token == DOMAIN_BUS_PCI_MSI)
		dom = dom->parent;
	return dom ? dom : x86_vector_domain;
}

/**
 * ims_parent_alloc_info - describe IMS interrupts to the parent domain
 * @info:	filled in
 * @desc:	ims_core's descriptor whose ->dev is the device
 * @nr:		number of interrupts in the parent call
 *
 * The remapping domains take the IRTE source id from @desc->dev; nothing
 * else of @desc is read by the parents. One interrupt is described like one
 * MSI-X vector. Several are described like a multi-MSI block, the only type
 * for which both remapping drivers accept more than one interrupt per call:
 * VT-d then takes one aligned IRTE block in one scan of its table, AMD-Vi
 * consecutive entries of the device's table.
 */
static inline void ims_parent_alloc_info(struct irq_alloc_info *info,
					 struct msi_desc *desc,
					 unsigned int nr)
{
	memset(info, 0, sizeof(*info));
	info->type = nr > 1 ? X86_IRQ_ALLOC_TYPE_PCI_MSI :
			      X86_IRQ_ALLOC_TYPE_PCI_MSIX;
	info->desc = desc;
}

#endif /* _IMS_COMPAT_H */
