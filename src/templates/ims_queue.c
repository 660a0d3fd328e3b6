// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMS queue template: the message lives in per-queue context (device memory
 * or host memory the device reads), which only the driver knows how to
 * update, possibly with a device command that sleeps.
 *
 * The chip callbacks run in atomic context, so they only update a shadow.
 * The shadow reaches the device through the driver's sync() callback, from
 * sleepable context: from the irq bus lock's sync step (around
 * request_irq(), free_irq(), enable_irq(), disable_irq() and the other
 * calls that take the bus lock), after allocation, before free and after a
 * PASID change. Only a shadow that differs from what the device holds is
 * pushed. What the device is told about masking is whether the interrupt
 * is disabled (see ims_chip.c).
 */

#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>

#include "ims_internal.h"
#include "ims_trace.h"

/* PCIe PASIDs are 20 bits wide. */
#define IMS_QUEUE_PASID_WIDTH	20

static int ims_queue_check(struct pci_dev *pdev,
			   const struct ims_domain_info *info)
{
	if (!info->queue.ops || !info->queue.ops->sync) {
		pci_err(pdev, "IMS queue: no sync callback\n");
		return -EINVAL;
	}
	return 0;
}

/* The callbacks are the driver's: keep a copy, point the domain's info to it. */
static void ims_queue_init(struct ims_domain *domain)
{
	domain->ops = *domain->info.queue.ops;
	domain->info.queue.ops = &domain->ops;
}

static unsigned int ims_queue_pasid_width(const struct ims_domain *domain)
{
	return IMS_QUEUE_PASID_WIDTH;
}

static bool ims_queue_msg_equal(const struct ims_queue_msg *a,
				const struct ims_queue_msg *b)
{
	return a->address_lo == b->address_lo &&
	       a->address_hi == b->address_hi && a->data == b->data &&
	       a->masked == b->masked && a->pasid == b->pasid;
}

/*
 * Push the shadow if the device does not hold it yet. Sleepable, sync_lock
 * held. A retired domain's driver may be gone: its sync() is not called.
 */
static int ims_queue_push(struct ims_slot *slot)
{
	struct ims_domain *domain = slot->domain;
	struct ims_queue_state *q = &slot->queue;
	struct ims_queue_msg snap;
	unsigned long flags;
	u64 start;
	int ret;

	raw_spin_lock_irqsave(&slot->lock, flags);
	snap = q->shadow;
	ret = q->synced && ims_queue_msg_equal(&snap, &q->pushed);
	raw_spin_unlock_irqrestore(&slot->lock, flags);
	if (ret)
		return 0;
	if (READ_ONCE(domain->retired))
		return -ENODEV;

	/*
	 * Timed whether or not the event is on: a clock read costs nothing
	 * next to a device push, and an event enabled during the push still
	 * gets its duration.
	 */
	start = ktime_get_ns();
	ret = ims_fault(IMS_FAULT_QUEUE_SYNC) ?:
	      domain->ops.sync(domain->info.queue.drvdata, slot->index,
			       slot->cookie.ptr, &snap);
	trace_ims_queue_sync(slot, ret, ktime_get_ns() - start);

	raw_spin_lock_irqsave(&slot->lock, flags);
	q->synced = !ret;
	if (!ret)
		q->pushed = snap;
	raw_spin_unlock_irqrestore(&slot->lock, flags);
	q->last_error = ret;
	if (ret) {
		q->sync_errors++;
		dev_err_ratelimited(&domain->pdev->dev,
				    "%s: sync of slot %u failed: %d, retried at the next sync\n",
				    domain->name, slot->index, ret);
	}
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

static void ims_queue_shadow_msg(struct ims_queue_msg *shadow,
				 const struct msi_msg *msg)
{
	shadow->address_lo = msg->address_lo;
	shadow->address_hi = msg->address_hi;
	shadow->data = msg->data;
}

static void ims_queue_write_msg(struct ims_slot *slot,
				const struct msi_msg *msg)
{
	ims_queue_shadow_msg(&slot->queue.shadow, msg);
}

static void ims_queue_set_masked(struct ims_slot *slot, bool masked)
{
	slot->queue.shadow.masked = masked;
}

static void ims_queue_set_pasid(struct ims_slot *slot, u32 pasid)
{
	slot->queue.shadow.pasid = pasid;
}

/*
 * Runs in the irq core's alloc callback: only the shadow is set up here,
 * ims_core pushes it once the irq core's domain mutex is released. The
 * device's state is unknown until then.
 */
static void ims_queue_setup(struct ims_slot *slot, const struct msi_msg *msg)
{
	struct ims_queue_state *q = &slot->queue;

	mutex_init(&q->sync_lock);
	lockdep_set_class(&q->sync_lock, &slot->domain->sync_key);
	q->shadow.masked = true;
	q->shadow.pasid = slot->pasid;
	ims_queue_shadow_msg(&q->shadow, msg);
	q->synced = false;
}

static void ims_queue_teardown(struct ims_slot *slot)
{
	slot->queue.shadow = (struct ims_queue_msg){ .masked = true,
						     .pasid = IMS_PASID_NONE };
}

static void ims_queue_release(struct ims_slot *slot)
{
	mutex_destroy(&slot->queue.sync_lock);
}

/* dirty: the device does not hold the shadow (or nobody knows) */
static void ims_queue_show(struct seq_file *m, struct ims_slot *slot)
{
	struct ims_queue_state *q = &slot->queue;
	unsigned long flags;
	bool dirty;

	raw_spin_lock_irqsave(&slot->lock, flags);
	dirty = !q->synced || !ims_queue_msg_equal(&q->shadow, &q->pushed);
	raw_spin_unlock_irqrestore(&slot->lock, flags);
	seq_printf(m, " dirty=%d sync_errors=%u last_error=%d", dirty,
		   q->sync_errors, q->last_error);
}

const struct ims_template ims_queue_template = {
	.name			= "QUEUE",
	.check			= ims_queue_check,
	.init			= ims_queue_init,
	.pasid_width		= ims_queue_pasid_width,
	.setup			= ims_queue_setup,
	.teardown		= ims_queue_teardown,
	.release		= ims_queue_release,
	.write_msg		= ims_queue_write_msg,
	.set_masked		= ims_queue_set_masked,
	.set_pasid		= ims_queue_set_pasid,
	.flush			= ims_queue_flush,
	.bus_lock		= ims_queue_bus_lock,
	.bus_sync_unlock	= ims_queue_bus_sync_unlock,
	.show			= ims_queue_show,
};
