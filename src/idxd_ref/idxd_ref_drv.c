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
#include <linux/crc32.h>
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
 * Return: 0 or -ETIMEDOUT.
 */
int idxd_ref_wq_wait_done(struct idxd_ref_wq *wq, u32 seq,
			  unsigned int timeout_ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);

	while ((s32)(readl(wq->cfg + IDXD_REF_WQCFG_DONE) - seq) < 0) {
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

/* ---- kernel client: self-test ---------------------------------------- */

static void idxd_ref_selftest_desc(struct idxd_ref_dev *idev, unsigned int i,
				   struct idxd_ref_hw_desc *d)
{
	u8 *data = idev->kbuf + i * IDXD_REF_SELFTEST_LEN;
	unsigned int j;
	u32 op;

	memset(d, 0, sizeof(*d));
	if (i % 2) {
		op = IDXD_REF_OP_CRC32;
		for (j = 0; j < IDXD_REF_SELFTEST_LEN; j++)
			data[j] = i * 7 + j;
		d->src = i * IDXD_REF_SELFTEST_LEN;
	} else {
		op = IDXD_REF_OP_MEMFILL;
		d->dst = i * IDXD_REF_SELFTEST_LEN;
		d->pattern = 0x0102030405060708ULL * (i + 1);
	}
	d->size = IDXD_REF_SELFTEST_LEN;
	d->op_flags = FIELD_PREP(IDXD_REF_DESC_OPCODE, op) |
		      FIELD_PREP(IDXD_REF_DESC_FLAGS,
				 IDXD_REF_F_RCI | IDXD_REF_F_CRAV);
	d->completion = IDXD_REF_KBUF_COMP + i * IDXD_REF_COMP_SIZE;
	d->tag = 0x5e1f0000 + i;
	d->int_handle = idev->wqs[IDXD_REF_KERNEL_WQ].handle->map.index;
}

static int idxd_ref_selftest_check(struct idxd_ref_dev *idev, unsigned int i,
				   const struct idxd_ref_hw_desc *d)
{
	const struct idxd_ref_completion *cr =
		idev->kbuf + IDXD_REF_KBUF_COMP + i * IDXD_REF_COMP_SIZE;
	u8 *data = idev->kbuf + i * IDXD_REF_SELFTEST_LEN;
	u8 status = READ_ONCE(cr->status);
	unsigned int j;

	smp_rmb(); /* record fields after status */
	if (status != IDXD_REF_COMP_SUCCESS || cr->tag != d->tag ||
	    cr->bytes != d->size)
		return -EIO;
	if (i % 2)
		return cr->result == (crc32_le(~0U, data, d->size) ^ ~0U) ?
			0 : -EILSEQ;
	for (j = 0; j < d->size; j++)
		if (data[j] != (u8)(d->pattern >> (8 * (j % 8))))
			return -EILSEQ;
	return 0;
}

/*
 * Submit @n descriptors on the kernel WQ, each asking for a completion
 * interrupt on the WQ's handle, and wait for exactly @n interrupts.
 */
static void idxd_ref_selftest(struct idxd_ref_dev *idev, unsigned int n)
{
	struct idxd_ref_wq *wq = &idev->wqs[IDXD_REF_KERNEL_WQ];
	struct idxd_ref_handle *h = wq->handle;
	struct idxd_ref_hw_desc *d;
	char *res = idev->selftest_result;
	size_t len = sizeof(idev->selftest_result);
	unsigned int i, bad = 0;
	s64 irq0, irqs;
	u32 seq = 0;
	long left;
	int ret = 0;

	d = kcalloc(n, sizeof(*d), GFP_KERNEL);
	if (!d) {
		snprintf(res, len, "fail err=%d\n", -ENOMEM);
		return;
	}
	memset(idev->kbuf, 0, IDXD_REF_KBUF_SIZE);
	irq0 = atomic64_read(&h->irqs);
	for (i = 0; i < n && !ret; i++) {
		idxd_ref_selftest_desc(idev, i, &d[i]);
		mutex_lock(&idev->lock);
		ret = idev->dead ? -ENODEV : idxd_ref_wq_submit(wq, &d[i], &seq);
		if (!ret) {
			atomic64_inc(&h->submitted);
			h->last_wq = wq;
			h->last_seq = seq;
		}
		mutex_unlock(&idev->lock);
	}
	if (ret) {
		snprintf(res, len, "fail submit=%u err=%d\n", i - 1, ret);
		goto out;
	}
	left = wait_event_timeout(idev->kwait,
				  atomic64_read(&h->irqs) - irq0 >= n ||
				  READ_ONCE(idev->dead),
				  msecs_to_jiffies(1000 * n + 5000));
	/* a few more device cycles to catch an interrupt too many */
	msleep(300);
	irqs = atomic64_read(&h->irqs) - irq0;
	for (i = 0; i < n; i++)
		if (idxd_ref_selftest_check(idev, i, &d[i]))
			bad++;
	snprintf(res, len, "%s n=%u irqs=%lld bad=%u handle=%u virq=%d%s\n",
		 irqs == n && !bad ? "ok" : "fail", n, irqs, bad, h->map.index,
		 h->map.virq, left ? "" : " timeout");
out:
	kfree(d);
}

/* ---- debugfs ---------------------------------------------------------- */

static ssize_t idxd_ref_selftest_write(struct file *file,
				       const char __user *ubuf, size_t count,
				       loff_t *ppos)
{
	struct idxd_ref_dev *idev = file->private_data;
	unsigned int n;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &n);
	if (ret)
		return ret;
	if (!n || n > IDXD_REF_SELFTEST_MAX)
		return -EINVAL;
	mutex_lock(&idev->selftest_lock);
	idxd_ref_selftest(idev, n);
	mutex_unlock(&idev->selftest_lock);
	return count;
}

static ssize_t idxd_ref_selftest_read(struct file *file, char __user *ubuf,
				      size_t count, loff_t *ppos)
{
	struct idxd_ref_dev *idev = file->private_data;
	char buf[sizeof(idev->selftest_result)];

	mutex_lock(&idev->selftest_lock);
	strscpy(buf, idev->selftest_result, sizeof(buf));
	mutex_unlock(&idev->selftest_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

static const struct file_operations idxd_ref_selftest_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= idxd_ref_selftest_read,
	.write	= idxd_ref_selftest_write,
	.llseek	= default_llseek,
};

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
	seq_printf(m, "device misc_irqs=%lld swerrs=%lld last_code=%#x last_handle=%u last_pasid=%#x ims_used=%u ims_size=%u\n",
		   atomic64_read(&idev->misc_irqs),
		   atomic64_read(&idev->swerrs), idev->last_code,
		   idev->last_handle, idev->last_pasid, st.used, st.nr_slots);
	spin_unlock_irq(&idev->err_lock);
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

	idev->eng = idxd_ref_engine_create(pdev, idev->regs, idev->mem);
	if (IS_ERR(idev->eng)) {
		ret = PTR_ERR(idev->eng);
		goto mem;
	}
	if (readl(idev->mem + IDXD_REF_ID) != IDXD_REF_ID_VALUE) {
		ret = -ENODEV;
		goto engine;
	}
	ret = idxd_ref_misc_irq_setup(idev);
	if (ret)
		goto engine;
	ret = idxd_ref_ims_setup(idev);
	if (ret)
		goto misc;
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
	ims_destroy_domain(idev->ims);
misc:
	idxd_ref_misc_irq_teardown(idev);
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

static void idxd_ref_remove(struct pci_dev *pdev)
{
	struct idxd_ref_dev *idev = pci_get_drvdata(pdev);

	/* no new opens; waits for a running self-test */
	idxd_ref_cdev_unregister(idev);
	debugfs_remove_recursive(idev->dbg);

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
	/* the stress thread finds its work aborted and frees its handles */
	idxd_ref_stress_stop(idev);

	ims_destroy_domain(idev->ims);
	idev->ims = NULL;
	idxd_ref_misc_irq_teardown(idev);
	vfree(idev->kbuf);
	idev->kbuf = NULL;
	idxd_ref_mem_unmap(idev);
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

static int __init idxd_ref_init(void)
{
	int ret;

	idxd_ref_dbg_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	ret = pci_register_driver(&idxd_ref_driver);
	if (ret)
		debugfs_remove_recursive(idxd_ref_dbg_root);
	return ret;
}

static void __exit idxd_ref_exit(void)
{
	pci_unregister_driver(&idxd_ref_driver);
	idxd_ref_cdev_exit();
	debugfs_remove_recursive(idxd_ref_dbg_root);
}

module_init(idxd_ref_init);
module_exit(idxd_ref_exit);

MODULE_DESCRIPTION("Reference driver of a DSA-like device with IMS interrupt handles");
MODULE_LICENSE("GPL");
MODULE_VERSION(IMS_VERSION);
