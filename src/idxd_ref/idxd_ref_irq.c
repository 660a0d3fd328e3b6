// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref interrupts: the misc interrupt (the bus master's own PCI MSI,
 * which reports software errors) and interrupt handles, each one IMS
 * interrupt allocated from ims_core at run time.
 *
 * The driver never touches an IMS entry: ims_core's array template
 * programs message, mask and the PASID carried by the allocation cookie.
 */

#include <linux/bitfield.h>
#include <linux/eventfd.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "idxd_ref.h"

static irqreturn_t idxd_ref_misc_handler(int irq, void *data)
{
	struct idxd_ref_dev *idev = data;
	struct idxd_ref_handle *h;
	u32 status, err0, handle, pasid;
	unsigned int wq;

	status = readl(idev->regs + EDU_IRQ_STATUS);
	if (!status)
		return IRQ_NONE;
	writel(status, idev->regs + EDU_IRQ_ACK);
	atomic64_inc(&idev->misc_irqs);

	err0 = readl(idev->mem + IDXD_REF_SWERR0);
	if (!(err0 & IDXD_REF_SWERR_VALID))
		return IRQ_HANDLED;
	handle = readl(idev->mem + IDXD_REF_SWERR1);
	pasid = readl(idev->mem + IDXD_REF_SWERR2);
	writel(0, idev->mem + IDXD_REF_SWERR0);

	atomic64_add(err0 & IDXD_REF_SWERR_OVERFLOW ? 2 : 1, &idev->swerrs);
	spin_lock(&idev->err_lock);
	idev->last_code = FIELD_GET(IDXD_REF_SWERR_CODE, err0);
	idev->last_handle = handle;
	idev->last_pasid = pasid;
	spin_unlock(&idev->err_lock);

	wq = FIELD_GET(IDXD_REF_SWERR_WQ, err0);
	if (wq < IDXD_REF_HW_WQS)
		atomic64_inc(&idev->wqs[wq].errors);
	rcu_read_lock();
	h = xa_load(&idev->handles, handle);
	if (h)
		atomic64_inc(&h->errors);
	rcu_read_unlock();

	dev_dbg(&idev->pdev->dev, "software error %#lx: wq %u handle %u pasid %#x%s\n",
		FIELD_GET(IDXD_REF_SWERR_CODE, err0), wq, handle, pasid,
		err0 & IDXD_REF_SWERR_OVERFLOW ? " (overflow)" : "");
	return IRQ_HANDLED;
}

/**
 * idxd_ref_misc_irq_setup - enable the misc interrupt
 * @idev:	the device
 *
 * One PCI MSI vector of the bus master function. It stays usable next to
 * the IMS interrupts of the same function.
 *
 * Return: 0 or a negative errno.
 */
int idxd_ref_misc_irq_setup(struct idxd_ref_dev *idev)
{
	int ret;

	ret = pci_alloc_irq_vectors(idev->pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		return ret;
	idev->misc_irq = pci_irq_vector(idev->pdev, 0);
	snprintf(idev->misc_name, sizeof(idev->misc_name), "%s-misc",
		 idev->name);
	ret = request_irq(idev->misc_irq, idxd_ref_misc_handler, 0,
			  idev->misc_name, idev);
	if (ret)
		pci_free_irq_vectors(idev->pdev);
	return ret;
}

/**
 * idxd_ref_misc_irq_teardown - release the misc interrupt
 * @idev:	the device
 */
void idxd_ref_misc_irq_teardown(struct idxd_ref_dev *idev)
{
	free_irq(idev->misc_irq, idev);
	pci_free_irq_vectors(idev->pdev);
}

static irqreturn_t idxd_ref_handle_handler(int irq, void *data)
{
	struct idxd_ref_handle *h = data;
	struct idxd_ref_file *f = h->owner;

	atomic64_inc(&h->irqs);
	atomic64_inc(&h->wq->irqs);
	spin_lock(&h->lock);
	if (h->trigger)
		idxd_ref_eventfd_signal(h->trigger);
	spin_unlock(&h->lock);
	if (f) {
		atomic64_inc(&f->events);
		wake_up(&f->wait);
	} else {
		wake_up(&h->idev->kwait);
	}
	return IRQ_HANDLED;
}

/**
 * idxd_ref_handle_alloc - allocate an interrupt handle
 * @idev:	the device
 * @owner:	the open file that will hold it, or NULL for a kernel WQ
 * @pasid:	PASID the device checks against a descriptor's, or
 *		%IMS_PASID_NONE
 * @name:	suffix of the irq action name, or NULL for "h<index>"
 *
 * Allocates any free IMS entry with @pasid in its cookie and requests its
 * interrupt. disable_irq() masks the entry at once (no lazy disable), so a
 * masked handle makes the device hold messages back as pending.
 * Caller holds &idxd_ref_dev.lock.
 *
 * Return: the handle or an ERR_PTR().
 */
struct idxd_ref_handle *idxd_ref_handle_alloc(struct idxd_ref_dev *idev,
					      struct idxd_ref_file *owner,
					      u32 pasid, const char *name)
{
	union ims_instance_cookie cookie = ims_pasid_cookie(pasid);
	struct idxd_ref_handle *h;
	int ret;

	lockdep_assert_held(&idev->lock);
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);
	h->idev = idev;
	h->owner = owner;
	h->wq = &idev->wqs[owner ? IDXD_REF_USER_WQ : IDXD_REF_KERNEL_WQ];
	h->pasid = pasid;
	spin_lock_init(&h->lock);

	h->map = ims_alloc_irq(idev->ims, IMS_INDEX_ANY, &cookie, NULL);
	if (h->map.virq < 0) {
		ret = h->map.virq;
		goto free;
	}
	if (name)
		snprintf(h->name, sizeof(h->name), "%s-%s", idev->name, name);
	else
		snprintf(h->name, sizeof(h->name), "%s-h%u", idev->name,
			 h->map.index);
	irq_set_status_flags(h->map.virq, IRQ_DISABLE_UNLAZY);
	ret = request_irq(h->map.virq, idxd_ref_handle_handler, 0, h->name, h);
	if (ret)
		goto free_ims;
	ret = xa_insert(&idev->handles, h->map.index, h, GFP_KERNEL);
	if (ret)
		goto free_irq;
	return h;

free_irq:
	free_irq(h->map.virq, h);
free_ims:
	ims_free_irq(idev->ims, h->map);
free:
	kfree(h);
	return ERR_PTR(ret);
}

/**
 * idxd_ref_handle_free - release an interrupt handle
 * @h:		the handle
 *
 * Waits until the device has finished the descriptors that name @h (their
 * completion interrupts arrive or are held pending), then frees the
 * interrupt and the IMS entry and tells the device to forget a pending
 * message of the entry, so a later owner of the index cannot inherit it.
 * An attached eventfd is signalled once more so that a waiter wakes up.
 *
 * Caller holds &idxd_ref_dev.lock and has made @h unreachable for new
 * descriptors (taken it out of its file, or owns it). If the device still
 * has work naming @h, the lock is dropped while it finishes
 * (idxd_ref_wq_wait_unlocked()) and held again on return; once the device
 * is dead it is never dropped.
 */
void idxd_ref_handle_free(struct idxd_ref_handle *h)
{
	struct idxd_ref_dev *idev = h->idev;
	struct eventfd_ctx *trigger;
	unsigned long flags;

	lockdep_assert_held(&idev->lock);
	if (!idev->dead && h->last_wq &&
	    (s32)(readl(h->last_wq->cfg + IDXD_REF_WQCFG_DONE) - h->last_seq) < 0)
		idxd_ref_wq_wait_unlocked(h->last_wq, h->last_seq);
	xa_erase(&idev->handles, h->map.index);
	free_irq(h->map.virq, h);
	ims_free_irq(idev->ims, h->map);
	if (!idev->dead)
		idxd_ref_cmd(idev, IDXD_REF_CMD_RELEASE_INT_HANDLE,
			     h->map.index);

	spin_lock_irqsave(&h->lock, flags);
	trigger = h->trigger;
	h->trigger = NULL;
	spin_unlock_irqrestore(&h->lock, flags);
	if (trigger) {
		if (idev->dead)
			idxd_ref_eventfd_signal(trigger);
		eventfd_ctx_put(trigger);
	}
	kfree_rcu(h, rcu);
}

/**
 * idxd_ref_handle_set_trigger - attach or detach an eventfd
 * @h:		the handle
 * @fd:		an eventfd, or -1 to detach
 *
 * Return: 0, or -EBADF/-EINVAL for a bad @fd.
 */
int idxd_ref_handle_set_trigger(struct idxd_ref_handle *h, int fd)
{
	struct eventfd_ctx *ctx = NULL, *old;
	unsigned long flags;

	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	} else if (fd != -1) {
		return -EBADF;
	}
	spin_lock_irqsave(&h->lock, flags);
	old = h->trigger;
	h->trigger = ctx;
	spin_unlock_irqrestore(&h->lock, flags);
	if (old)
		eventfd_ctx_put(old);
	return 0;
}

/**
 * idxd_ref_handle_mask - mask or unmask a handle's interrupt
 * @h:		the handle
 * @mask:	true to mask
 *
 * Through the irq core: the IMS chip sets or clears the entry's mask bit.
 * While masked the device keeps one pending message and sends it on unmask.
 * Caller holds &idxd_ref_dev.lock.
 */
void idxd_ref_handle_mask(struct idxd_ref_handle *h, bool mask)
{
	lockdep_assert_held(&h->idev->lock);
	if (mask == h->masked)
		return;
	if (mask)
		disable_irq(h->map.virq);
	else
		enable_irq(h->map.virq);
	h->masked = mask;
}
