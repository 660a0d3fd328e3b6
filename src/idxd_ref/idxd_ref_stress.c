// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref kernel clients of the kernel WQ, both driven from debugfs.
 *
 * The self-test (debugfs "selftest"): N descriptors on the kernel WQ, each
 * asking for a completion interrupt on the WQ's handle; exactly N
 * interrupts must come and every result be right.
 *
 * The stress client (debugfs "stress"): a kernel thread that,
 * for a bounded time, allocates, masks, unmasks, submits on and frees
 * interrupt handles of the kernel WQ at random, at the same time as user
 * clients do the same on theirs, and accounts for every completion
 * interrupt the device owes each handle:
 *
 *  - a descriptor that fires while its handle is unmasked owes one;
 *  - any number firing while it is masked owe one together, on unmask;
 *  - a handle freed while masked owes none (the device drops the pending
 *    message on release).
 *
 * The thread only masks, unmasks or frees a handle once the device is done
 * with its descriptors and their interrupts are in, so that every
 * descriptor's window (masked or not) is known. Remove stops the thread
 * after the device is dead: its queued work is then aborted under it.
 */

#include <linux/bitfield.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "idxd_ref.h"

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

const struct file_operations idxd_ref_selftest_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= idxd_ref_selftest_read,
	.write	= idxd_ref_selftest_write,
	.llseek	= default_llseek,
};

/* ---- kernel client: stress -------------------------------------------- */

#define STRESS_HANDLES		4
#define STRESS_INFLIGHT		2	/* queued descriptors per handle */
#define STRESS_MAX_MS		120000
#define STRESS_SETTLE_MS	10000

/**
 * struct stress_slot - a handle the thread holds
 * @h:		the handle, NULL if the slot is free
 * @expected:	interrupts owed to it so far
 * @queued:	descriptors submitted since it last settled
 * @masked_fired: descriptors submitted while masked
 * @last_seq:	kernel WQ sequence number of its last descriptor
 */
struct stress_slot {
	struct idxd_ref_handle	*h;
	u64			expected;
	unsigned int		queued;
	unsigned int		masked_fired;
	u32			last_seq;
};

/**
 * struct idxd_ref_stress - one run of the stress thread
 * @idev:	the device
 * @task:	the thread; it idles until stopped once the run is over
 * @end:	jiffies when the run ends
 * @rnd:	xorshift state, seeded from the run length
 * @slot:	handles held
 * @n:		operation counters: allocs, frees, masks, unmasks, submits,
 *		ring full
 * @irqs:	interrupts received on freed handles
 * @expected:	interrupts owed to freed handles
 * @bad:	handles whose count differed
 * @err:	first error, 0 if none
 * @done:	the run is over and @result is final
 * @result:	what a read of the debugfs file returns
 */
struct idxd_ref_stress {
	struct idxd_ref_dev	*idev;
	struct task_struct	*task;
	unsigned long		end;
	u32			rnd;
	struct stress_slot	slot[STRESS_HANDLES];
	u64			n[6];
	u64			irqs;
	u64			expected;
	unsigned int		bad;
	int			err;
	bool			done;
	char			result[256];
};

enum { N_ALLOC, N_FREE, N_MASK, N_UNMASK, N_SUBMIT, N_FULL };

static u32 stress_rand(struct idxd_ref_stress *s)
{
	s->rnd ^= s->rnd << 13;
	s->rnd ^= s->rnd >> 17;
	s->rnd ^= s->rnd << 5;
	return s->rnd;
}

static bool stress_stopping(struct idxd_ref_stress *s)
{
	return kthread_should_stop() || READ_ONCE(s->idev->dead);
}

static void stress_set_err(struct idxd_ref_stress *s, int err)
{
	if (!s->err)
		s->err = err;
}

/*
 * Wait until the device is done with the slot's descriptors and, unless
 * the handle is masked, until the interrupts owed have come in.
 */
static int stress_settle(struct idxd_ref_stress *s, struct stress_slot *sl)
{
	struct idxd_ref_wq *wq = &s->idev->wqs[IDXD_REF_KERNEL_WQ];
	unsigned long end = jiffies + msecs_to_jiffies(STRESS_SETTLE_MS);

	for (;;) {
		bool done = !sl->queued ||
			(s32)(readl(wq->cfg + IDXD_REF_WQCFG_DONE) -
			      sl->last_seq) >= 0;

		if (done && (sl->h->masked ||
			     atomic64_read(&sl->h->irqs) >= sl->expected))
			break;
		if (stress_stopping(s))
			return -ENODEV;
		if (time_after(jiffies, end)) {
			stress_set_err(s, -ETIMEDOUT);
			return -ETIMEDOUT;
		}
		usleep_range(5000, 10000);
	}
	sl->queued = 0;
	return 0;
}

static void stress_alloc(struct idxd_ref_stress *s, struct stress_slot *sl)
{
	struct idxd_ref_dev *idev = s->idev;
	struct idxd_ref_handle *h;

	mutex_lock(&idev->lock);
	h = idev->dead ? ERR_PTR(-ENODEV) :
		idxd_ref_handle_alloc(idev, NULL, IMS_PASID_NONE, "kstress");
	mutex_unlock(&idev->lock);
	if (IS_ERR(h)) {
		stress_set_err(s, PTR_ERR(h));
		return;
	}
	memset(sl, 0, sizeof(*sl));
	sl->h = h;
	s->n[N_ALLOC]++;
}

/* Free a settled handle (or any handle once the device is dead). */
static void stress_free(struct idxd_ref_stress *s, struct stress_slot *sl)
{
	struct idxd_ref_dev *idev = s->idev;
	s64 irqs;

	mutex_lock(&idev->lock);
	irqs = atomic64_read(&sl->h->irqs);
	idxd_ref_handle_free(sl->h);
	mutex_unlock(&idev->lock);
	sl->h = NULL;
	s->n[N_FREE]++;
	if (READ_ONCE(idev->dead))
		return;
	s->irqs += irqs;
	s->expected += sl->expected;
	if (irqs != sl->expected)
		s->bad++;
}

static void stress_submit(struct idxd_ref_stress *s, struct stress_slot *sl)
{
	struct idxd_ref_dev *idev = s->idev;
	struct idxd_ref_wq *wq = &idev->wqs[IDXD_REF_KERNEL_WQ];
	struct idxd_ref_hw_desc d = { };
	u32 seq;
	int ret;

	d.op_flags = FIELD_PREP(IDXD_REF_DESC_OPCODE, IDXD_REF_OP_NOOP) |
		     FIELD_PREP(IDXD_REF_DESC_FLAGS, IDXD_REF_F_RCI);
	d.int_handle = sl->h->map.index;
	mutex_lock(&idev->lock);
	ret = idev->dead ? -ENODEV : idxd_ref_wq_submit(wq, &d, &seq);
	if (!ret) {
		atomic64_inc(&sl->h->submitted);
		sl->h->last_wq = wq;
		sl->h->last_seq = seq;
		sl->last_seq = seq;
		sl->queued++;
		if (sl->h->masked)
			sl->masked_fired++;
		else
			sl->expected++;
	}
	mutex_unlock(&idev->lock);
	if (ret == -EAGAIN)
		s->n[N_FULL]++;
	else if (ret)
		stress_set_err(s, ret);
	else
		s->n[N_SUBMIT]++;
}

static void stress_mask(struct idxd_ref_stress *s, struct stress_slot *sl,
			bool mask)
{
	struct idxd_ref_dev *idev = s->idev;

	mutex_lock(&idev->lock);
	if (!idev->dead) {
		idxd_ref_handle_mask(sl->h, mask);
		/* the messages held back while masked come as one */
		if (!mask && sl->masked_fired)
			sl->expected++;
		sl->masked_fired = 0;
	}
	mutex_unlock(&idev->lock);
	s->n[mask ? N_MASK : N_UNMASK]++;
}

static void stress_step(struct idxd_ref_stress *s)
{
	struct stress_slot *sl = &s->slot[stress_rand(s) % STRESS_HANDLES];
	u32 op = stress_rand(s) % 8;

	if (!sl->h) {
		stress_alloc(s, sl);
		return;
	}
	if (op < 5 && sl->queued < STRESS_INFLIGHT) {
		stress_submit(s, sl);
		return;
	}
	if (stress_settle(s, sl))
		return;
	if (op == 7)
		stress_free(s, sl);
	else if (op >= 5)
		stress_mask(s, sl, !sl->h->masked);
}

static void stress_finish(struct idxd_ref_stress *s)
{
	unsigned int i;

	for (i = 0; i < STRESS_HANDLES; i++) {
		struct stress_slot *sl = &s->slot[i];

		if (!sl->h)
			continue;
		if (!stress_settle(s, sl) && sl->h->masked) {
			stress_mask(s, sl, false);
			stress_settle(s, sl);
		}
		stress_free(s, sl);
	}
	scnprintf(s->result, sizeof(s->result),
		  "%s allocs=%llu frees=%llu masks=%llu unmasks=%llu submits=%llu full=%llu irqs=%llu expected=%llu bad=%u err=%d\n",
		  READ_ONCE(s->idev->dead) ? "aborted" :
		  !s->err && !s->bad && s->irqs == s->expected ? "ok" : "fail",
		  s->n[N_ALLOC], s->n[N_FREE], s->n[N_MASK], s->n[N_UNMASK],
		  s->n[N_SUBMIT], s->n[N_FULL], s->irqs, s->expected, s->bad,
		  s->err);
}

static int stress_thread(void *data)
{
	struct idxd_ref_stress *s = data;

	while (!s->err && !stress_stopping(s) && time_before(jiffies, s->end)) {
		stress_step(s);
		cond_resched();
	}
	stress_finish(s);
	/* publish the result, then idle until stopped */
	smp_store_release(&s->done, true);
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/**
 * idxd_ref_stress_stop - stop the stress thread and free its run
 * @idev:	the device
 *
 * Called by remove once the device is dead (the thread then frees its
 * handles without waiting for the device), or before a new run.
 * Caller holds &idxd_ref_dev.stress_lock or is remove, and not
 * &idxd_ref_dev.lock.
 */
void idxd_ref_stress_stop(struct idxd_ref_dev *idev)
{
	struct idxd_ref_stress *s = idev->stress;

	if (!s)
		return;
	kthread_stop(s->task);
	kfree(s);
	idev->stress = NULL;
}

static int idxd_ref_stress_start(struct idxd_ref_dev *idev, unsigned int ms)
{
	struct idxd_ref_stress *s = idev->stress;

	/* pairs with the thread's release: its run is over */
	if (s && !smp_load_acquire(&s->done))
		return -EBUSY;
	idxd_ref_stress_stop(idev);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	s->idev = idev;
	s->rnd = 0x9e3779b9 ^ ms;
	s->end = jiffies + msecs_to_jiffies(ms);
	s->task = kthread_run(stress_thread, s, "idxd_ref_stress/%d", idev->id);
	if (IS_ERR(s->task)) {
		int ret = PTR_ERR(s->task);

		kfree(s);
		return ret;
	}
	idev->stress = s;
	return 0;
}

static ssize_t idxd_ref_stress_write(struct file *file,
				     const char __user *ubuf, size_t count,
				     loff_t *ppos)
{
	struct idxd_ref_dev *idev = file->private_data;
	unsigned int ms;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &ms);
	if (ret)
		return ret;
	if (!ms || ms > STRESS_MAX_MS)
		return -EINVAL;
	mutex_lock(&idev->stress_lock);
	ret = idxd_ref_stress_start(idev, ms);
	mutex_unlock(&idev->stress_lock);
	return ret ? ret : count;
}

static ssize_t idxd_ref_stress_read(struct file *file, char __user *ubuf,
				    size_t count, loff_t *ppos)
{
	struct idxd_ref_dev *idev = file->private_data;
	struct idxd_ref_stress *s;
	char buf[sizeof(s->result)];

	mutex_lock(&idev->stress_lock);
	s = idev->stress;
	if (!s)
		strscpy(buf, "none\n", sizeof(buf));
	else if (!smp_load_acquire(&s->done))	/* then @result is final */
		strscpy(buf, "running\n", sizeof(buf));
	else
		strscpy(buf, s->result, sizeof(buf));
	mutex_unlock(&idev->stress_lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, strlen(buf));
}

const struct file_operations idxd_ref_stress_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= idxd_ref_stress_read,
	.write	= idxd_ref_stress_write,
	.llseek	= default_llseek,
};
