/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where kernel differences are handled. Every decision is a
 * probe of the headers (Kbuild greps them for the symbols, see Kbuild) or
 * of what the running kernel's irq hierarchy looks like, never a test of
 * its version number.
 */
#ifndef _IMS_COMPAT_H
#define _IMS_COMPAT_H

#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <asm/hw_irq.h>
#include <asm/irqdomain.h>

#include "ims_internal.h"

/*
 * Since v6.13 affinity moves happen in process context unless the chip
 * says they must wait for the ack path of the next interrupt, as a message
 * rewrite without remapping requires (x86's own MSI chips say so). Before,
 * that was the default without remapping.
 */
#ifdef IMS_HAVE_IRQCHIP_MOVE_DEFERRED
#define IMS_IRQCHIP_DIRECT_FLAGS	IRQCHIP_MOVE_DEFERRED
#else
#define IMS_IRQCHIP_DIRECT_FLAGS	0
#endif

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

/*
 * Trace events copy a string with __assign_str(dst, src) up to v6.9; since
 * v6.10 the source is the one given to __string() and the macro takes the
 * field alone (Kbuild probes the header).
 */
#ifdef IMS_HAVE_ASSIGN_STR_SRC
#define ims_trace_assign_str(dst, src)	__assign_str(dst, src)
#else
#define ims_trace_assign_str(dst, src)	\
	do { (void)(src); __assign_str(dst); } while (0)
#endif

/**
 * ims_parent_alloc_info - describe IMS interrupts to the parent domain
 * @info:	filled in
 * @desc:	ims_core's descriptor whose ->dev is the device
 * @nr:		number of interrupts in the parent call
 *
 * The remapping domains take the IRTE source id from @desc->dev; nothing
 * else of @desc is read by the parents. One interrupt is described like one
 * MSI-X vector. Several are described like a multi-MSI block, the only type
 * for which VT-d accepts more than one interrupt per call: it then takes
 * one aligned IRTE block in one scan of its table.
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
