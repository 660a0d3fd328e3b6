/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one place where kernel differences are handled. Every decision is a
 * probe of the headers (Kbuild greps them for the symbols, see Kbuild) or
 * of what the running kernel's irq hierarchy looks like, never a test of
 * its version number.
 *
 * What differs between the parents an IMS domain stacks on is in one
 * header per architecture, each with the same inline interface:
 *
 *	ims_parent_of()		find and classify the device's parent domain
 *	ims_parent_prepare()	make the parent ready for the domain's slots
 *	ims_parent_alloc_info()	describe interrupts to the parent
 *	ims_parent_alloc_failed() say what to do when the parent refuses
 *	ims_parent_installed()	complete an interrupt whose levels all exist
 *	ims_parent_chip_init()	the parent's part of the irq chip and flow
 *	ims_parent_mask()	mask or unmask at the parent's level as well
 *	ims_vtd_*()		VT-d's remapping blocks (x86 only; else none)
 */
#ifndef _IMS_COMPAT_H
#define _IMS_COMPAT_H

#include <linux/irqdomain.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/string.h>

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

#ifdef CONFIG_X86
#include "ims_compat_x86.h"
#else
#include "ims_compat_its.h"
#endif

#endif /* _IMS_COMPAT_H */
