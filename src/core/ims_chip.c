// SPDX-License-Identifier: GPL-2.0-only
/*
 * The IMS irq chip: one per domain, completed by the storage template.
 *
 * Every callback runs under the irq descriptor's raw lock, in atomic
 * context. The slot's own raw lock serializes its storage state between
 * these callbacks and ims_set_pasid(), which changes the PASID of a live
 * interrupt without a way into the chip of its own.
 *
 * Masking follows what the storage can do from atomic context:
 *
 *  - array: the entry is written directly, so irq_mask()/irq_unmask() reach
 *    the device at once and disable_irq() is lazy as for PCI/MSI;
 *  - queue: the device only learns of a change from the bus lock's sync
 *    step. What it is told is whether the interrupt is disabled: the chip
 *    implements irq_disable()/irq_enable(), which the core calls under the
 *    bus lock (disable_irq(), enable_irq(), request_irq(), free_irq()) and
 *    regardless of IRQ_DISABLE_UNLAZY, which free_irq() clears. The flow
 *    handler's own short masks of an edge that arrives while its handler
 *    runs, and those of an affinity move done in the ack path, come and go
 *    in atomic context and never reach the device (irq_mask() is empty):
 *    an edge interrupt needs no mask for that, the core replays it.
 */

#include <linux/interrupt.h>
#include <linux/module.h>

#include "ims_compat.h"
#include "ims_internal.h"
#include "ims_trace.h"

/**
 * ims_compose_msg - compose the message of an IMS interrupt
 * @irqd:	the IMS level irq data
 * @msg:	filled in
 *
 * The message comes from the first parent level that composes messages:
 * the remapping domain (IRTE handle) or the vector domain (vector, APIC id).
 */
void ims_compose_msg(struct irq_data *irqd, struct msi_msg *msg)
{
	struct irq_data *pos;

	memset(msg, 0, sizeof(*msg));
	for (pos = irqd->parent_data; pos; pos = pos->parent_data) {
		if (pos->chip && pos->chip->irq_compose_msi_msg) {
			pos->chip->irq_compose_msi_msg(pos, msg);
			return;
		}
	}
}

/* Store @msg with the slot masked, so the device never sends half of the
 * old and half of the new message. Atomic context, slot lock held.
 */
static void ims_slot_write_msg_locked(struct ims_slot *slot,
				      const struct msi_msg *msg)
{
	const struct ims_template *tmpl = slot->domain->tmpl;

	if (!slot->masked)
		tmpl->set_masked(slot, true);
	tmpl->write_msg(slot, msg);
	slot->msg = *msg;
	if (!slot->masked)
		tmpl->set_masked(slot, false);
	trace_ims_write_msg(slot, msg);
}

/**
 * ims_slot_write_msg - store a new message in a slot
 * @slot:	the slot
 * @msg:	the message
 *
 * Context: atomic; takes the slot lock.
 */
void ims_slot_write_msg(struct ims_slot *slot, const struct msi_msg *msg)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&slot->lock, flags);
	ims_slot_write_msg_locked(slot, msg);
	raw_spin_unlock_irqrestore(&slot->lock, flags);
}

/*
 * The core calls irq_mask()/irq_disable() also on a masked slot (at
 * shutdown, for instance), and the storage is written again then; only a
 * change of the mask state is an event.
 */
static void ims_slot_set_masked(struct ims_slot *slot, bool masked)
{
	unsigned long flags;
	bool was;

	raw_spin_lock_irqsave(&slot->lock, flags);
	was = slot->masked;
	slot->masked = masked;
	slot->domain->tmpl->set_masked(slot, masked);
	if (was != masked) {
		if (masked)
			trace_ims_mask(slot);
		else
			trace_ims_unmask(slot);
	}
	raw_spin_unlock_irqrestore(&slot->lock, flags);
}

/* array: irq_mask/irq_unmask; queue: irq_disable/irq_enable (see top) */
static void ims_chip_mask(struct irq_data *irqd)
{
	ims_slot_set_masked(ims_irqd_slot(irqd), true);
	ims_parent_mask(irqd, true);
}

static void ims_chip_unmask(struct irq_data *irqd)
{
	ims_parent_mask(irqd, false);
	ims_slot_set_masked(ims_irqd_slot(irqd), false);
}

/*
 * queue: the short masks of the flow handler (an edge arriving while its
 * handler runs) and of an affinity move left pending to the ack path
 * (__irq_move_irq() calls irq_mask()/irq_unmask() without checking that
 * they exist) come and go in hard irq context. The device cannot be told
 * from there and need not be: an edge is replayed by the core, and with
 * remapping a move rewrites only the IRTE. Only the core's state changes,
 * and the parent's where it can mask in hard irq context (an ITS LPI).
 */
static void ims_chip_mask_transient(struct irq_data *irqd)
{
	ims_parent_mask(irqd, true);
}

static void ims_chip_unmask_transient(struct irq_data *irqd)
{
	ims_parent_mask(irqd, false);
}

/*
 * With remapping the parent retargets the IRTE and reports
 * IRQ_SET_MASK_OK_DONE: the message is unchanged. On the bare vector domain
 * the vector and destination live in the message, and x86 applies the move
 * from the ack path of the next interrupt, in hard irq context.
 */
static int ims_chip_set_affinity(struct irq_data *irqd,
				 const struct cpumask *mask, bool force)
{
	struct ims_slot *slot = ims_irqd_slot(irqd);
	struct msi_msg msg;
	int ret;

	ret = irq_chip_set_affinity_parent(irqd, mask, force);
	if (ret < 0 || ret == IRQ_SET_MASK_OK_DONE || !irqd_is_activated(irqd))
		return ret;

	ims_compose_msg(irqd, &msg);
	if (msg.address_lo != slot->msg.address_lo ||
	    msg.address_hi != slot->msg.address_hi ||
	    msg.data != slot->msg.data)
		ims_slot_write_msg(slot, &msg);
	return ret;
}

/**
 * ims_chip_init - set up the irq chip of a domain
 * @domain:	the domain, template and parent known
 */
void ims_chip_init(struct ims_domain *domain)
{
	const struct ims_template *tmpl = domain->tmpl;
	struct irq_chip *chip = &domain->chip;

	chip->name = domain->name;
	if (tmpl->flush) {
		chip->irq_disable = ims_chip_mask;
		chip->irq_enable = ims_chip_unmask;
		chip->irq_mask = ims_chip_mask_transient;
		chip->irq_unmask = ims_chip_unmask_transient;
	} else {
		chip->irq_mask = ims_chip_mask;
		chip->irq_unmask = ims_chip_unmask;
	}
	ims_parent_chip_init(chip);
	chip->irq_retrigger = irq_chip_retrigger_hierarchy;
	chip->irq_set_affinity = ims_chip_set_affinity;
	chip->irq_bus_lock = tmpl->bus_lock;
	chip->irq_bus_sync_unlock = tmpl->bus_sync_unlock;
	/* As x86's own MSI chips: the affinity is set up before startup. */
	chip->flags = IRQCHIP_SKIP_SET_WAKE | IRQCHIP_ONESHOT_SAFE |
		      IRQCHIP_AFFINITY_PRE_STARTUP;
	if (domain->kind == IMS_PARENT_VECTOR)
		chip->flags |= IMS_IRQCHIP_DIRECT_FLAGS;
}

/**
 * ims_domain_activate - irq_domain_ops.activate of IMS domains
 * @irqdom:	the IMS domain
 * @irqd:	the IMS level of the interrupt
 * @reserve:	unused
 *
 * The slot gets its final message once the parent levels are active.
 *
 * Return: 0, or the injected fault (the core then deactivates the parent
 * levels).
 */
int ims_domain_activate(struct irq_domain *irqdom, struct irq_data *irqd,
			bool reserve)
{
	struct msi_msg msg;
	int ret;

	ret = ims_fault(IMS_FAULT_ACTIVATE);
	if (ret)
		return ret;
	ims_compose_msg(irqd, &msg);
	ims_slot_write_msg(ims_irqd_slot(irqd), &msg);
	return 0;
}

/**
 * ims_domain_deactivate - irq_domain_ops.deactivate of IMS domains
 * @irqdom:	the IMS domain
 * @irqd:	the IMS level of the interrupt
 */
void ims_domain_deactivate(struct irq_domain *irqdom, struct irq_data *irqd)
{
	struct msi_msg msg = { };

	ims_slot_write_msg(ims_irqd_slot(irqd), &msg);
}

/*
 * The PASID is storage state like the mask: under the slot lock, with the
 * slot masked around the update unless it is masked already (by the core or
 * by the flow handler, whose unmask then finds the new PASID in place).
 */
static void ims_slot_set_pasid(struct ims_slot *slot, u32 pasid)
{
	const struct ims_template *tmpl = slot->domain->tmpl;
	unsigned long flags;
	u32 old;

	raw_spin_lock_irqsave(&slot->lock, flags);
	old = slot->pasid;
	if (!slot->masked)
		tmpl->set_masked(slot, true);
	tmpl->set_pasid(slot, pasid);
	slot->pasid = pasid;
	if (!slot->masked)
		tmpl->set_masked(slot, false);
	trace_ims_set_pasid(slot, old, pasid);
	raw_spin_unlock_irqrestore(&slot->lock, flags);
}

/**
 * ims_set_pasid - change the PASID of an allocated IMS interrupt
 * @domain:	the IMS domain
 * @virq:	the interrupt
 * @pasid:	the new PASID, or %IMS_PASID_NONE to clear PASID enable
 *
 * For a guest whose PASID maps to a different host PASID. The slot is
 * masked around the update; the queue template pushes the change to the
 * device before this returns.
 *
 * Context: process context, may sleep.
 * Return: 0; -EINVAL if @virq is not an interrupt the driver holds in
 * @domain or @pasid does not fit the storage's PASID field (nothing is
 * changed); or the error of the queue template's push, in which case the
 * new PASID stays in the shadow and goes out with the next push.
 */
int ims_set_pasid(struct ims_domain *domain, unsigned int virq, u32 pasid)
{
	struct ims_slot *slot;
	int ret = -EINVAL;

	if (!ims_pasid_ok(domain, pasid)) {
		dev_dbg(&domain->pdev->dev, "%s: PASID %#x does not fit the storage\n",
			domain->name, pasid);
		return -EINVAL;
	}
	mutex_lock(&domain->lock);
	slot = ims_virq_slot(domain, virq);
	if (slot) {
		ret = ims_fault(IMS_FAULT_PASID);
		if (!ret) {
			ims_slot_set_pasid(slot, pasid);
			if (domain->tmpl->flush)
				ret = domain->tmpl->flush(slot);
		}
	}
	mutex_unlock(&domain->lock);
	return ret;
}
EXPORT_SYMBOL_IMS(ims_set_pasid);
