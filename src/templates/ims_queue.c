// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMS queue template: the message lives in per-queue context (device memory
 * or host memory the device reads), which only the driver knows how to
 * update, possibly with a device command that sleeps.
 *
 * The chip callbacks run in atomic context, so they only update a shadow.
 * The shadow reaches the device from the irq bus lock's sync step (around
 * request_irq(), free_irq(), enable_irq(), disable_irq()), at allocation
 * and after a PASID change, through the driver's sync callback.
 */

#include <linux/pci.h>
#include <linux/seq_file.h>

#include "ims_internal.h"

/* PCIe PASIDs are 20 bits wide. */
#define IMS_QUEUE_PASID_MAX	(BIT(20) - 1)

static int ims_queue_check(struct pci_dev *pdev,
			   const struct ims_domain_info *info)
{
	if (!info->queue.ops || !info->queue.ops->sync) {
		pci_err(pdev, "IMS queue: no sync callback\n");
		return -EINVAL;
	}
	return 0;
}

static u32 ims_queue_pasid_max(const struct ims_domain_info *info)
{
	return IMS_QUEUE_PASID_MAX;
}

/* Push the shadow if it changed. Sleepable, sync_lock held. */
static int ims_queue_push(struct ims_slot *slot)
{
	const struct ims_queue_info *qi = &slot->domain->info.queue;
	struct ims_queue_state *q = &slot->queue;
	struct ims_queue_msg snap;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&q->lock, flags);
	snap = q->shadow;
	if (!q->dirty) {
		raw_spin_unlock_irqrestore(&q->lock, flags);
		return 0;
	}
	q->dirty = false;
	raw_spin_unlock_irqrestore(&q->lock, flags);

	ret = ims_fault(IMS_FAULT_QUEUE_SYNC) ?:
	      qi->ops->sync(qi->drvdata, slot->index, slot->cookie.ptr, &snap);

	raw_spin_lock_irqsave(&q->lock, flags);
	if (ret) {
		q->dirty = true;
		q->sync_errors++;
	}
	q->last_error = ret;
	raw_spin_unlock_irqrestore(&q->lock, flags);

	if (ret)
		dev_err_ratelimited(&slot->domain->pdev->dev,
				    "%s: sync of slot %u failed: %d, retried at the next sync\n",
				    slot->domain->name, slot->index, ret);
	return ret;
}

static int ims_queue_flush(struct ims_slot *slot)
{
	int ret;

	mutex_lock(&slot->queue.sync_lock);
	ret = ims_queue_push(slot);
	mutex_unlock(&slot->queue.sync_lock);
	return ret;
}

static void ims_queue_bus_lock(struct irq_data *irqd)
{
	mutex_lock(&ims_irqd_slot(irqd)->queue.sync_lock);
}

/* Errors are reported by ims_queue_push(); the core gives no way back. */
static void ims_queue_bus_sync_unlock(struct irq_data *irqd)
{
	struct ims_slot *slot = ims_irqd_slot(irqd);

	ims_queue_push(slot);
	mutex_unlock(&slot->queue.sync_lock);
}

/* Update the shadow from a chip callback: atomic, desc lock held. */
static void ims_queue_update(struct ims_slot *slot,
			     void (*update)(struct ims_queue_msg *shadow,
					    const void *arg),
			     const void *arg)
{
	struct ims_queue_state *q = &slot->queue;
	unsigned long flags;

	raw_spin_lock_irqsave(&q->lock, flags);
	update(&q->shadow, arg);
	q->dirty = true;
	raw_spin_unlock_irqrestore(&q->lock, flags);
}

static void ims_queue_shadow_msg(struct ims_queue_msg *shadow, const void *arg)
{
	const struct msi_msg *msg = arg;

	shadow->address_lo = msg->address_lo;
	shadow->address_hi = msg->address_hi;
	shadow->data = msg->data;
}

static void ims_queue_shadow_masked(struct ims_queue_msg *shadow,
				    const void *arg)
{
	shadow->masked = *(const bool *)arg;
}

static void ims_queue_shadow_pasid(struct ims_queue_msg *shadow,
				   const void *arg)
{
	shadow->pasid = *(const u32 *)arg;
}

static void ims_queue_write_msg(struct ims_slot *slot,
				const struct msi_msg *msg)
{
	ims_queue_update(slot, ims_queue_shadow_msg, msg);
}

static void ims_queue_set_masked(struct ims_slot *slot, bool masked)
{
	ims_queue_update(slot, ims_queue_shadow_masked, &masked);
}

static void ims_queue_set_pasid(struct ims_slot *slot, u32 pasid)
{
	ims_queue_update(slot, ims_queue_shadow_pasid, &pasid);
}

/*
 * Under remapping the message is final once the parent has allocated the
 * IRTE, so the device gets it here, masked, where a failure can still fail
 * the allocation.
 */
static int ims_queue_setup(struct ims_slot *slot, const struct msi_msg *msg)
{
	struct ims_queue_state *q = &slot->queue;

	raw_spin_lock_init(&q->lock);
	mutex_init(&q->sync_lock);
	q->shadow.masked = true;
	q->shadow.pasid = slot->pasid;
	ims_queue_shadow_msg(&q->shadow, msg);
	q->dirty = true;
	return ims_queue_flush(slot);
}

static void ims_queue_teardown(struct ims_slot *slot)
{
	struct ims_queue_state *q = &slot->queue;

	q->shadow = (struct ims_queue_msg){ .masked = true,
					    .pasid = IMS_PASID_NONE };
	q->dirty = true;
	ims_queue_flush(slot);
	mutex_destroy(&q->sync_lock);
}

static void ims_queue_show(struct seq_file *m, struct ims_slot *slot)
{
	struct ims_queue_state *q = &slot->queue;

	seq_printf(m, " dirty=%d sync_errors=%u last_error=%d", q->dirty,
		   q->sync_errors, q->last_error);
}

const struct ims_template ims_queue_template = {
	.name			= "QUEUE",
	.check			= ims_queue_check,
	.pasid_max		= ims_queue_pasid_max,
	.setup			= ims_queue_setup,
	.teardown		= ims_queue_teardown,
	.write_msg		= ims_queue_write_msg,
	.set_masked		= ims_queue_set_masked,
	.set_pasid		= ims_queue_set_pasid,
	.flush			= ims_queue_flush,
	.bus_lock		= ims_queue_bus_lock,
	.bus_sync_unlock	= ims_queue_bus_sync_unlock,
	.show			= ims_queue_show,
};
