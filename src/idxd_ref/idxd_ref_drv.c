// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref - reference PCI driver of a DSA-like device using ims_core.
 *
 * The device (idxd_ref_hw.h) has work queues whose descriptors ask for a
 * completion interrupt by naming an interrupt handle: the index of an entry
 * in the device's IMS array. The driver creates one IMS domain for that
 * array with ims_core and allocates handles at run time: one per kernel
 * WQ, and any number (up to a quota) per open file of the char device, each
 * tagged with the file's PASID through the allocation cookie.
 *
 * Teardown order on remove: stop submissions, abort queued work and stop
 * the device, free the handles' interrupts, then their IMS entries, then
 * the IMS domain, then the misc interrupt, then the PCI resources.
 */

#include <linux/bitfield.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "idxd_ref.h"
#include "idxd_ref_engine.h"

IMS_IMPORT_NS();

#define IDXD_REF_CMD_TIMEOUT_MS	5000

unsigned int idxd_ref_max_handles = 8;
module_param_named(max_handles, idxd_ref_max_handles, uint, 0644);
MODULE_PARM_DESC(max_handles, "Interrupt handles one open file may hold (default 8)");

unsigned int idxd_ref_max_user_irqs = 32;
module_param_named(max_user_irqs, idxd_ref_max_user_irqs, uint, 0644);
MODULE_PARM_DESC(max_user_irqs,
		 "Interrupt handles the open files of one user may hold on all idxd_ref devices together (default 32)");

unsigned int idxd_ref_max_dev_irqs;
module_param_named(max_dev_irqs, idxd_ref_max_dev_irqs, uint, 0644);
MODULE_PARM_DESC(max_dev_irqs,
		 "Interrupt handles all open files may hold on one device; 0: "
		 __stringify(IDXD_REF_DEV_IRQS_PER_CPU)
		 " per online CPU, leaving most CPU vectors to other drivers (default 0)");

bool idxd_ref_trust_device_pasid;
module_param_named(trust_device_pasid, idxd_ref_trust_device_pasid, bool,
		   0644);
MODULE_PARM_DESC(trust_device_pasid,
		 "Test aid: accept descriptors naming any handle and leave protection to the device's PASID check (default N)");

static DEFINE_IDA(idxd_ref_ida);
static struct dentry *idxd_ref_dbg_root;

static void idxd_ref_dev_release(struct kref *ref)
{
	struct idxd_ref_dev *idev = container_of(ref, struct idxd_ref_dev, ref);

	xa_destroy(&idev->handles);
	mutex_destroy(&idev->lock);
	mutex_destroy(&idev->selftest_lock);
	mutex_destroy(&idev->stress_lock);
	ida_free(&idxd_ref_ida, idev->id);
	kfree(idev);
}

/**
 * idxd_ref_dev_put - drop a reference to the device structure
 * @idev:	the device
 */
void idxd_ref_dev_put(struct idxd_ref_dev *idev)
{
	kref_put(&idev->ref, idxd_ref_dev_release);
}

/**
 * idxd_ref_cmd - run a device command
 * @idev:	the device
 * @op:		IDXD_REF_CMD_*
 * @operand:	its operand
 *
 * Caller serializes commands (holds &idxd_ref_dev.lock, or is probe or
 * remove). May sleep.
 *
 * Return: 0, -EIO if the device refused the command, -ETIMEDOUT.
 */
int idxd_ref_cmd(struct idxd_ref_dev *idev, u32 op, u32 operand)
{
	unsigned long end = jiffies + msecs_to_jiffies(IDXD_REF_CMD_TIMEOUT_MS);
	u32 res;

	writel(FIELD_PREP(IDXD_REF_CMD_OP, op) |
	       FIELD_PREP(IDXD_REF_CMD_OPERAND, operand),
	       idev->mem + IDXD_REF_CMD);
	idxd_ref_engine_doorbell(idev->eng);
	while (readl(idev->mem + IDXD_REF_CMD)) {
		if (time_after(jiffies, end)) {
			dev_err(&idev->pdev->dev, "command %#x(%u) timed out\n",
				op, operand);
			return -ETIMEDOUT;
		}
		usleep_range(500, 1000);
	}
	res = FIELD_GET(IDXD_REF_CMDSTS_RESULT,
			readl(idev->mem + IDXD_REF_CMDSTS));
	if (res) {
		dev_err(&idev->pdev->dev, "command %#x(%u) failed: %#x\n",
			op, operand, res);
		return -EIO;
	}
	return 0;
}

/**
 * idxd_ref_wq_submit - write one descriptor to a WQ ring
 * @wq:		the WQ
 * @desc:	the descriptor, with the PASID field already set
 * @seq:	receives its sequence number for idxd_ref_wq_wait_done()
 *
 * Return: 0, -EAGAIN if the ring is full, -ENODEV if the WQ is disabled.
 */
int idxd_ref_wq_submit(struct idxd_ref_wq *wq,
		       const struct idxd_ref_hw_desc *desc, u32 *seq)
{
	u32 head, next;

	spin_lock(&wq->lock);
	if (!wq->enabled) {
		spin_unlock(&wq->lock);
		return -ENODEV;
	}
	head = readl(wq->cfg + IDXD_REF_WQCFG_HEAD);
	next = (wq->tail + 1) & (wq->size - 1);
	if (next == head) {
		spin_unlock(&wq->lock);
		return -EAGAIN;
	}
	memcpy_toio(wq->ring + wq->tail * IDXD_REF_DESC_SIZE, desc,
		    IDXD_REF_DESC_SIZE);
	/* the descriptor is in the ring before the device sees the tail */
	wmb();
	wq->tail = next;
	writel(next, wq->cfg + IDXD_REF_WQCFG_TAIL);
	*seq = ++wq->seq;
	spin_unlock(&wq->lock);
	atomic64_inc(&wq->submitted);
	idxd_ref_engine_doorbell(wq->idev->eng);
	return 0;
}

/**
 * idxd_ref_wq_wait_done - wait until the device is done with a descriptor
 * @wq:		the WQ
 * @seq:	sequence number from idxd_ref_wq_submit()
 * @timeout_ms:	how long to wait
 *
 * The device counts descriptors it finished (completion record written,
 * interrupt sent or held pending) or aborted. May sleep.
 *
 * Return: 0, -ENODEV once the device is dead, or -ETIMEDOUT.
 */
int idxd_ref_wq_wait_done(struct idxd_ref_wq *wq, u32 seq,
			  unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);

	while ((s32)(readl(wq->cfg + IDXD_REF_WQCFG_DONE) - seq) < 0) {
		/* remove stopped the device: its work is aborted */
		if (READ_ONCE(wq->idev->dead))
			return -ENODEV;
		if (time_after(jiffies, end)) {
			dev_warn(&wq->idev->pdev->dev, "wq%u: descriptor %u not done after %u ms\n",
				 wq->id, seq, timeout_ms);
			return -ETIMEDOUT;
		}
		usleep_range(5000, 10000);
	}
	return 0;
}

/**
 * idxd_ref_wq_wait_unlocked - wait for a descriptor without the device lock
 * @wq:		the WQ
 * @seq:	sequence number from idxd_ref_wq_submit()
 *
 * Waits up to %IDXD_REF_DRAIN_MS like idxd_ref_wq_wait_done(), with
 * &idxd_ref_dev.lock dropped, so that a client whose descriptors take
 * long (a full ring) does not stall every other client. Caller holds the
 * lock; it is held again on return, and everything it protects (@dead,
 * the files and their handles) may have changed meanwhile. Returns at once
 * if the device is dead. While waiting the caller counts in
 * &idxd_ref_dev.waiters: remove waits for it before the device memory
 * and the IMS domain go away (idxd_ref_wait_waiters()).
 */
void idxd_ref_wq_wait_unlocked(struct idxd_ref_wq *wq, u32 seq)
{
	struct idxd_ref_dev *idev = wq->idev;

	lockdep_assert_held(&idev->lock);
	if (idev->dead)
		return;
	idev->waiters++;
	mutex_unlock(&idev->lock);
	idxd_ref_wq_wait_done(wq, seq, IDXD_REF_DRAIN_MS);
	mutex_lock(&idev->lock);
	/* remove then waits for the lock, i.e. the end of the caller's work */
	if (!--idev->waiters)
		wake_up_all(&idev->waiters_wq);
}

/*
 * Remove, once the device is dead: wait until no thread is in
 * idxd_ref_wq_wait_unlocked() or in what its caller does after it under
 * the lock (freeing the handles it took out of a file).
 */
static void idxd_ref_wait_waiters(struct idxd_ref_dev *idev)
{
	mutex_lock(&idev->lock);
	while (idev->waiters) {
		mutex_unlock(&idev->lock);
		wait_event(idev->waiters_wq, !READ_ONCE(idev->waiters));
		mutex_lock(&idev->lock);
	}
	mutex_unlock(&idev->lock);
}

/**
 * idxd_ref_handle_pending - does the device hold a message for a handle
 * @h:		the handle
 *
 * Return: the handle's bit in the device's pending bit array.
 */
bool idxd_ref_handle_pending(struct idxd_ref_handle *h)
{
	void __iomem *pba = h->idev->mem + IDXD_REF_HW_PBA_BASE;

	return readl(pba + 4 * (h->map.index / 32)) & BIT(h->map.index % 32);
}

/* ---- work queues ------------------------------------------------------ */

static int idxd_ref_wq_enable(struct idxd_ref_dev *idev, unsigned int id,
			      bool shared)
{
	void __iomem *wqcfg = idev->mem + readl(idev->mem + IDXD_REF_WQCFG_OFF);
	struct idxd_ref_wq *wq = &idev->wqs[id];
	int ret;

	wq->idev = idev;
	wq->id = id;
	wq->cfg = wqcfg + id * IDXD_REF_WQCFG_STRIDE;
	wq->ring = idev->mem + readl(wq->cfg + IDXD_REF_WQCFG_RING);
	wq->size = readl(wq->cfg + IDXD_REF_WQCFG_SIZE);
	wq->shared = shared;
	if (!is_power_of_2(wq->size) || wq->size < 2 ||
	    readl(wq->cfg + IDXD_REF_WQCFG_RING) + wq->size * IDXD_REF_DESC_SIZE >
	    pci_resource_len(idev->mem_pdev, IDXD_REF_MEM_BAR))
		return -ENODEV;

	writel(shared ? IDXD_REF_WQCFG_SHARED : 0, wq->cfg + IDXD_REF_WQCFG_CFG);
	ret = idxd_ref_cmd(idev, IDXD_REF_CMD_ENABLE_WQ, id);
	if (ret)
		return ret;
	wq->tail = 0;
	wq->done0 = readl(wq->cfg + IDXD_REF_WQCFG_DONE);
	wq->seq = wq->done0;
	wq->enabled = true;
	return 0;
}

static void idxd_ref_wqs_stop(struct idxd_ref_dev *idev)
{
	unsigned int i;

	for (i = 0; i < IDXD_REF_HW_WQS; i++) {
		spin_lock(&idev->wqs[i].lock);
		idev->wqs[i].enabled = false;
		spin_unlock(&idev->wqs[i].lock);
	}
	/* aborts what is queued; the descriptor running finishes first */
	idxd_ref_cmd(idev, IDXD_REF_CMD_DISABLE_DEVICE, 0);
}

/* ---- debugfs ---------------------------------------------------------- */

static int idxd_ref_stats_show(struct seq_file *m, void *unused)
{
	struct idxd_ref_dev *idev = m->private;
	struct idxd_ref_handle *h;
	struct ims_domain_stats st;
	unsigned long idx;
	unsigned int i;

	mutex_lock(&idev->lock);
	ims_domain_get_stats(idev->ims, &st);
	spin_lock_irq(&idev->err_lock);
	seq_printf(m, "device misc_irqs=%lld swerrs=%lld last_code=%#x last_handle=%u last_pasid=%#x ims_used=%u ims_size=%u user_irqs=%u/%u\n",
		   atomic64_read(&idev->misc_irqs),
		   atomic64_read(&idev->swerrs), idev->last_code,
		   idev->last_handle, idev->last_pasid, st.used, st.nr_slots,
		   idev->user_irqs, idxd_ref_dev_irq_limit());
	spin_unlock_irq(&idev->err_lock);
	seq_printf(m, "intx fn0_irq=%d fn1_irq=%d\n", idev->intx_irq[0],
		   idev->intx_irq[1]);
	for (i = 0; i < IDXD_REF_HW_WQS; i++) {
		struct idxd_ref_wq *wq = &idev->wqs[i];
		u32 head = readl(wq->cfg + IDXD_REF_WQCFG_HEAD);
		u32 tail = readl(wq->cfg + IDXD_REF_WQCFG_TAIL);

		seq_printf(m, "wq%u mode=%s enabled=%d submitted=%lld completed=%u irqs=%lld errors=%lld pending=%u\n",
			   i, wq->shared ? "shared" : "dedicated", wq->enabled,
			   atomic64_read(&wq->submitted),
			   readl(wq->cfg + IDXD_REF_WQCFG_DONE) - wq->done0,
			   atomic64_read(&wq->irqs), atomic64_read(&wq->errors),
			   (tail - head) & (wq->size - 1));
	}
	xa_for_each(&idev->handles, idx, h) {
		seq_printf(m, "handle %lu virq=%d name=%s pasid=", idx,
			   h->map.virq, h->name);
		if (h->pasid == IMS_PASID_NONE)
			seq_puts(m, "none");
		else
			seq_printf(m, "%u", h->pasid);
		seq_printf(m, " submitted=%lld irqs=%lld errors=%lld pending=%d masked=%d\n",
			   atomic64_read(&h->submitted),
			   atomic64_read(&h->irqs), atomic64_read(&h->errors),
			   idxd_ref_handle_pending(h), h->masked);
	}
	mutex_unlock(&idev->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(idxd_ref_stats);

static void idxd_ref_debugfs_init(struct idxd_ref_dev *idev)
{
	idev->dbg = debugfs_create_dir(pci_name(idev->pdev), idxd_ref_dbg_root);
	debugfs_create_file("stats", 0444, idev->dbg, idev,
			    &idxd_ref_stats_fops);
	debugfs_create_file("selftest", 0600, idev->dbg, idev,
			    &idxd_ref_selftest_fops);
	debugfs_create_file("stress", 0600, idev->dbg, idev,
			    &idxd_ref_stress_fops);
}

/* ---- PCI ------------------------------------------------------------- */

static int idxd_ref_mem_map(struct idxd_ref_dev *idev)
{
	void __iomem *mem = edu_mem_map(idev->pdev, IDXD_REF_HW_MEM_SIZE,
					&idev->mem_pdev);

	if (IS_ERR(mem))
		return PTR_ERR(mem);
	idev->mem = mem;
	return 0;
}

static void idxd_ref_mem_unmap(struct idxd_ref_dev *idev)
{
	edu_mem_unmap(idev->mem_pdev, idev->mem);
}

static int idxd_ref_ims_setup(struct idxd_ref_dev *idev)
{
	u32 gencap = readl(idev->mem + IDXD_REF_GENCAP);
	u32 ims_off = readl(idev->mem + IDXD_REF_IMS_OFF);
	struct ims_domain_info info = {
		.type	= IMS_TEMPLATE_ARRAY,
		.name	= "array",
	};

	idev->ims_size = FIELD_GET(IDXD_REF_GENCAP_IMS, gencap);
	if (FIELD_GET(IDXD_REF_GENCAP_WQS, gencap) < IDXD_REF_HW_WQS ||
	    !idev->ims_size ||
	    ims_off + idev->ims_size * IDXD_REF_IMS_STRIDE >
	    pci_resource_len(idev->mem_pdev, IDXD_REF_MEM_BAR)) {
		pci_err(idev->pdev, "unexpected capabilities %#x\n", gencap);
		return -ENODEV;
	}
	info.nr_slots = idev->ims_size;
	/* handles come and go one client at a time: keep that cost flat */
	info.flags = IMS_DOMAIN_SPARES;
	info.array.slots = idev->mem + ims_off;
	info.array.layout = &ims_array_layout_dsa;
	idev->ims = ims_create_domain(idev->pdev, &info);
	if (IS_ERR(idev->ims))
		return PTR_ERR(idev->ims);
	return 0;
}

static int idxd_ref_device_enable(struct idxd_ref_dev *idev)
{
	struct idxd_ref_handle *h;
	int ret;

	idev->kbuf = vzalloc(IDXD_REF_KBUF_SIZE);
	if (!idev->kbuf)
		return -ENOMEM;
	ret = idxd_ref_engine_bind_as(idev->eng, IDXD_REF_AS_NO_PASID,
				      idev->kbuf, IDXD_REF_KBUF_SIZE);
	if (ret)
		goto free;
	ret = idxd_ref_cmd(idev, IDXD_REF_CMD_ENABLE_DEVICE, 0);
	if (ret)
		goto free;
	ret = idxd_ref_wq_enable(idev, IDXD_REF_KERNEL_WQ, false);
	if (ret)
		goto free;
	ret = idxd_ref_wq_enable(idev, IDXD_REF_USER_WQ, true);
	if (ret)
		goto free;

	mutex_lock(&idev->lock);
	h = idxd_ref_handle_alloc(idev, NULL, IMS_PASID_NONE, "wq0");
	mutex_unlock(&idev->lock);
	if (IS_ERR(h)) {
		ret = PTR_ERR(h);
		goto free;
	}
	idev->wqs[IDXD_REF_KERNEL_WQ].handle = h;
	return 0;

free:
	/* the engine is destroyed by the caller; the buffer is unused then */
	return ret;
}

static int idxd_ref_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct idxd_ref_dev *idev;
	unsigned int i;
	int ret;

	idev = kzalloc(sizeof(*idev), GFP_KERNEL);
	if (!idev)
		return -ENOMEM;
	ret = ida_alloc(&idxd_ref_ida, GFP_KERNEL);
	if (ret < 0) {
		kfree(idev);
		return ret;
	}
	idev->id = ret;
	snprintf(idev->name, sizeof(idev->name), "idxd_ref%d", idev->id);
	idev->pdev = pdev;
	kref_init(&idev->ref);
	mutex_init(&idev->lock);
	mutex_init(&idev->selftest_lock);
	mutex_init(&idev->stress_lock);
	spin_lock_init(&idev->err_lock);
	INIT_LIST_HEAD(&idev->files);
	for (i = 0; i < IDXD_REF_HW_WQS; i++)
		spin_lock_init(&idev->wqs[i].lock);
	xa_init(&idev->handles);
	init_waitqueue_head(&idev->kwait);
	init_waitqueue_head(&idev->waiters_wq);
	strscpy(idev->selftest_result, "none\n",
		sizeof(idev->selftest_result));

	idev->regs = edu_regs_map(pdev);
	if (IS_ERR(idev->regs)) {
		ret = PTR_ERR(idev->regs);
		goto put;
	}
	ret = idxd_ref_mem_map(idev);
	if (ret)
		goto unmap;
	/*
	 * pci_enable_device() maps a function's INTx pin (on x86 with ACPI:
	 * an IO-APIC irq descriptor, shared by the functions of a slot) as
	 * long as the function is enabled and has no MSI; the misc MSI then
	 * replaces pdev->irq. Recorded for debugfs: these are the irq
	 * descriptors binding the driver creates besides its own two.
	 */
	idev->intx_irq[0] = pdev->irq;
	idev->intx_irq[1] = idev->mem_pdev->irq;

	idev->eng = idxd_ref_engine_create(pdev, idev->regs, idev->mem);
	if (IS_ERR(idev->eng)) {
		ret = PTR_ERR(idev->eng);
		goto mem;
	}
	if (readl(idev->mem + IDXD_REF_ID) != IDXD_REF_ID_VALUE) {
		ret = -ENODEV;
		goto engine;
	}
	/*
	 * IMS before MSI: on a GICv3 ITS the first of them sizes the table
	 * that the device's IMS and MSI interrupts share.
	 */
	ret = idxd_ref_ims_setup(idev);
	if (ret)
		goto engine;
	ret = idxd_ref_misc_irq_setup(idev);
	if (ret)
		goto ims;
	ret = idxd_ref_device_enable(idev);
	if (ret)
		goto disable_dev;

	pci_set_drvdata(pdev, idev);
	idxd_ref_debugfs_init(idev);
	ret = idxd_ref_cdev_register(idev);
	if (ret)
		goto debugfs;

	pci_info(pdev, "%s: %u IMS entries, %d WQs, misc irq %d, kernel WQ handle %u (irq %d)\n",
		 idev->name, idev->ims_size, IDXD_REF_HW_WQS, idev->misc_irq,
		 idev->wqs[IDXD_REF_KERNEL_WQ].handle->map.index,
		 idev->wqs[IDXD_REF_KERNEL_WQ].handle->map.virq);
	return 0;

debugfs:
	debugfs_remove_recursive(idev->dbg);
disable_dev:
	idxd_ref_wqs_stop(idev);
	idxd_ref_engine_destroy(idev->eng);
	idev->eng = NULL;
	idev->dead = true;
	if (idev->wqs[IDXD_REF_KERNEL_WQ].handle) {
		mutex_lock(&idev->lock);
		idxd_ref_handle_free(idev->wqs[IDXD_REF_KERNEL_WQ].handle);
		mutex_unlock(&idev->lock);
	}
	vfree(idev->kbuf);
	idxd_ref_misc_irq_teardown(idev);
ims:
	ims_destroy_domain(idev->ims);
engine:
	if (idev->eng)
		idxd_ref_engine_destroy(idev->eng);
mem:
	idxd_ref_mem_unmap(idev);
unmap:
	edu_regs_unmap(pdev, idev->regs);
put:
	idxd_ref_dev_put(idev);
	return ret;
}

/*
 * Stop using the device and everything on function 1: the char device,
 * the work, the handles, the misc interrupt (its handler reads SWERR
 * there), the IMS domain (its storage is function 1's memory), and
 * function 1 itself. Run by remove, or earlier by the PCI bus notifier
 * when function 1 goes away. Caller holds function 0's device lock.
 */
static void idxd_ref_detach(struct idxd_ref_dev *idev)
{
	if (!idev->mem)
		return;

	/* no new opens; waits for a running self-test */
	idxd_ref_cdev_unregister(idev);
	debugfs_remove_recursive(idev->dbg);
	idev->dbg = NULL;

	/* no new submissions or handles from open files */
	mutex_lock(&idev->lock);
	idxd_ref_wqs_stop(idev);
	idxd_ref_engine_destroy(idev->eng);
	idev->eng = NULL;
	idev->dead = true;
	idxd_ref_cdev_kill_files(idev);
	idxd_ref_handle_free(idev->wqs[IDXD_REF_KERNEL_WQ].handle);
	idev->wqs[IDXD_REF_KERNEL_WQ].handle = NULL;
	mutex_unlock(&idev->lock);
	wake_up_all(&idev->kwait);
	/* closes and handle frees that waited for the device finish theirs */
	idxd_ref_wait_waiters(idev);
	/* the stress thread finds its work aborted and frees its handles */
	idxd_ref_stress_stop(idev);

	idxd_ref_misc_irq_teardown(idev);
	ims_destroy_domain(idev->ims);
	idev->ims = NULL;
	vfree(idev->kbuf);
	idev->kbuf = NULL;
	idxd_ref_mem_unmap(idev);
	idev->mem = NULL;
}

static void idxd_ref_remove(struct pci_dev *pdev)
{
	struct idxd_ref_dev *idev = pci_get_drvdata(pdev);

	idxd_ref_detach(idev);
	edu_regs_unmap(pdev, idev->regs);
	idxd_ref_dev_put(idev);
}

static const struct pci_device_id idxd_ref_ids[] = {
	{ PCI_DEVICE(IDXD_REF_VENDOR, IDXD_REF_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, idxd_ref_ids);

static struct pci_driver idxd_ref_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= idxd_ref_ids,
	.probe		= idxd_ref_probe,
	.remove		= idxd_ref_remove,
};

/*
 * Function 1 holds the device's registers, memory and IMS storage. When
 * it goes away (PCI remove through sysfs, hot unplug) while function 0 is
 * bound, the driver must let go of it before the PCI core frees its BAR:
 * the region requested there would otherwise be detached with the BAR and
 * never found again ("Trying to free nonexistent resource" at unbind), and
 * the driver would go on using a device that is gone. BUS_NOTIFY_DEL_DEVICE
 * comes early in device_del(), before pci_destroy_dev() frees the BARs.
 *
 * Unbinding function 0 from here (device_release_driver()) would send bus
 * notifications from within this bus notifier, nesting the chain's rwsem:
 * instead the driver stays bound to function 0 with the device detached
 * (no device node, no interrupts, open files get -ENODEV) until it is
 * unbound. Function 0's device lock waits for a probe in progress and
 * keeps remove out.
 */
static int idxd_ref_pci_notify(struct notifier_block *nb,
			       unsigned long action, void *data)
{
	struct pci_dev *mem = to_pci_dev(data);
	struct idxd_ref_dev *idev;
	struct pci_dev *pdev;

	if (action != BUS_NOTIFY_DEL_DEVICE ||
	    PCI_FUNC(mem->devfn) != IDXD_REF_MEM_FN)
		return NOTIFY_DONE;
	pdev = pci_get_slot(mem->bus, PCI_DEVFN(PCI_SLOT(mem->devfn), 0));
	if (!pdev)
		return NOTIFY_DONE;
	device_lock(&pdev->dev);
	idev = pdev->dev.driver == &idxd_ref_driver.driver ?
	       pci_get_drvdata(pdev) : NULL;
	if (idev && idev->mem && idev->mem_pdev == mem) {
		pci_warn(pdev, "%s: %s is going away, detaching the device\n",
			 idev->name, pci_name(mem));
		idxd_ref_detach(idev);
	}
	device_unlock(&pdev->dev);
	pci_dev_put(pdev);
	return NOTIFY_OK;
}

static struct notifier_block idxd_ref_pci_nb = {
	.notifier_call	= idxd_ref_pci_notify,
};

static int __init idxd_ref_init(void)
{
	int ret;

	idxd_ref_dbg_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = bus_register_notifier(&pci_bus_type, &idxd_ref_pci_nb);
	if (ret)
		goto debugfs;
	ret = pci_register_driver(&idxd_ref_driver);
	if (ret)
		goto notifier;
	return 0;

notifier:
	bus_unregister_notifier(&pci_bus_type, &idxd_ref_pci_nb);
debugfs:
	debugfs_remove_recursive(idxd_ref_dbg_root);
	return ret;
}

static void __exit idxd_ref_exit(void)
{
	pci_unregister_driver(&idxd_ref_driver);
	bus_unregister_notifier(&pci_bus_type, &idxd_ref_pci_nb);
	idxd_ref_cdev_exit();
	debugfs_remove_recursive(idxd_ref_dbg_root);
}

module_init(idxd_ref_init);
module_exit(idxd_ref_exit);

MODULE_DESCRIPTION("Reference driver of a DSA-like device with IMS interrupt handles");
MODULE_LICENSE("GPL");
MODULE_VERSION(IMS_VERSION);
