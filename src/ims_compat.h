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
 * ims_parent_alloc_info - describe one IMS interrupt to the parent domain
 * @info:	filled in
 * @desc:	ims_core's descriptor whose ->dev is the device
 *
 * The remapping domains take the IRTE source id from @desc->dev and accept
 * one interrupt per call for this type, like one MSI-X vector. Nothing else
 * of @desc is read by the parents.
 */
static inline void ims_parent_alloc_info(struct irq_alloc_info *info,
					 struct msi_desc *desc)
{
	memset(info, 0, sizeof(*info));
	info->type = X86_IRQ_ALLOC_TYPE_PCI_MSIX;
	info->desc = desc;
}

#endif /* _IMS_COMPAT_H */
