// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref engine: plays the silicon of the device described in
 * idxd_ref_hw.h.
 *
 * One kernel thread is the device's processing unit. It takes commands
 * from CMD, runs descriptors from the enabled WQ rings (one per WQ in
 * turn), writes completion records, and raises completion interrupts the
 * way hardware does: it reads the IMS entry named by the descriptor's
 * interrupt handle from device memory and has the bus master (the edu
 * function) write the entry's data word to the entry's address. That
 * write goes through the platform's interrupt remapping like any device
 * write; nothing here calls a handler or injects an interrupt.
 *
 * Entries found masked get their pending bit set; the thread polls the
 * mask bit of pending entries and sends the message once unmasked.
 * Software errors go to SWERR and raise the edu function's own MSI.
 *
 * The thread also scans the rings by itself every 100 ms: the doorbell
 * only shortens the latency, as a bus write would wake real hardware.
 */

#include <linux/bitfield.h>
#include <linux/bitmap.h>
#include <linux/build_bug.h>
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include "idxd_ref_hw.h"
#include "idxd_ref_engine.h"

#define ENG_IDLE_SCAN_MS	100
#define ENG_PENDING_SCAN_MS	10

static_assert(sizeof(struct idxd_ref_hw_desc) == IDXD_REF_DESC_SIZE);
static_assert(sizeof(struct idxd_ref_completion) == IDXD_REF_COMP_SIZE);

/**
 * struct eng_as - an address space the device reaches through a PASID
 * @base:	kernel mapping of the memory
 * @size:	its size in bytes
 */
struct eng_as {
	void	*base;
	size_t	size;
};

/**
 * struct idxd_ref_engine - state of the device's silicon
 * @pdev:	the bus master (edu function)
 * @edu:	its BAR0
 * @mem:	the device's register/memory space
 * @task:	processing thread
 * @wait:	the thread sleeps here
 * @kicked:	doorbell rung since the thread last looked
 * @as_lock:	protects @as; held while a descriptor touches memory
 * @as:		address spaces by PASID (IDXD_REF_AS_NO_PASID: default space)
 * @enabled:	device enabled
 * @wq_enabled:	WQ enabled
 * @next_wq:	round robin position
 * @pending:	pending bits of the IMS entries (mirrored in the PBA)
 * @nr_pending:	set bits in @pending
 * @broken:	the bus master stopped responding; no more messages
 * @words:	edu's internal buffer, its host staging word included
 */
struct idxd_ref_engine {
	struct pci_dev		*pdev;
	void __iomem		*edu;
	void __iomem		*mem;
	struct task_struct	*task;
	wait_queue_head_t	wait;
	atomic_t		kicked;
	struct mutex		as_lock;	/* @as and its memory */
	struct xarray		as;
	bool			enabled;
	bool			wq_enabled[IDXD_REF_HW_WQS];
	unsigned int		next_wq;
	DECLARE_BITMAP(pending, IDXD_REF_HW_IMS_ENTRIES);
	unsigned int		nr_pending;
	bool			broken;
	struct edu_words	words;
};

static void __iomem *eng_wqcfg(struct idxd_ref_engine *eng, unsigned int wq)
{
	return eng->mem + IDXD_REF_HW_WQCFG_BASE + wq * IDXD_REF_WQCFG_STRIDE;
}

static void __iomem *eng_ims(struct idxd_ref_engine *eng, unsigned int idx)
{
	return eng->mem + IDXD_REF_HW_IMS_BASE + idx * IDXD_REF_IMS_STRIDE;
}

/* ---- the bus master -------------------------------------------------- */

/*
 * The bus master writes @data to @addr. A bus master that stopped
 * responding sends nothing any more. Off x86 the message goes as an MSI
 * of the bus master's own (EDU_MSGS_AS_MSI), lent its MSI capability for
 * one write (only this thread raises that MSI, for SWERR too). QEMU
 * delivers it at once, and an LPI has one pending state: a second message
 * before the CPU took the first would merge with it, as it may on
 * hardware. The tests count one interrupt per completion, so the engine
 * yields the CPU after each message, as the DMA path does while it waits
 * for the write.
 */
static void eng_edu_send(struct idxd_ref_engine *eng, u64 addr, u32 data)
{
	int ret;

	if (eng->broken)
		return;
	if (EDU_MSGS_AS_MSI) {
		ret = edu_msi_borrow_send(eng->pdev, eng->edu, addr, data);
		usleep_range(1000, 2000);
	} else {
		ret = edu_send(&eng->words, eng->edu, addr, data);
	}
	if (ret) {
		dev_err(&eng->pdev->dev, "engine: the bus master cannot send (%d), no more interrupt messages\n",
			ret);
		eng->broken = true;
	}
}

/* ---- errors and interrupts ------------------------------------------ */

static void eng_swerr(struct idxd_ref_engine *eng, u8 code, unsigned int wq,
		      unsigned int handle, bool has_pasid, u32 pasid)
{
	u32 v = readl(eng->mem + IDXD_REF_SWERR0);

	if (v & IDXD_REF_SWERR_VALID) {
		writel(v | IDXD_REF_SWERR_OVERFLOW, eng->mem + IDXD_REF_SWERR0);
	} else {
		writel(handle, eng->mem + IDXD_REF_SWERR1);
		writel(has_pasid ? pasid | IDXD_REF_SWERR2_PASID_VALID : 0,
		       eng->mem + IDXD_REF_SWERR2);
		writel(IDXD_REF_SWERR_VALID |
		       FIELD_PREP(IDXD_REF_SWERR_CODE, code) |
		       FIELD_PREP(IDXD_REF_SWERR_WQ, wq),
		       eng->mem + IDXD_REF_SWERR0);
	}
	/* the misc interrupt: the edu function's own MSI */
	writel(IDXD_REF_MISC_SWERR, eng->edu + EDU_IRQ_RAISE);
}

static void eng_set_pending(struct idxd_ref_engine *eng, unsigned int idx,
			    bool on)
{
	void __iomem *word = eng->mem + IDXD_REF_HW_PBA_BASE + 4 * (idx / 32);
	u32 v = readl(word);

	if (on == test_bit(idx, eng->pending))
		return;
	if (on) {
		set_bit(idx, eng->pending);
		eng->nr_pending++;
		v |= BIT(idx % 32);
	} else {
		clear_bit(idx, eng->pending);
		eng->nr_pending--;
		v &= ~BIT(idx % 32);
	}
	writel(v, word);
}

/* Send the message of an unmasked entry: one device write. */
static void eng_send(struct idxd_ref_engine *eng, unsigned int wq,
		     unsigned int idx)
{
	void __iomem *e = eng_ims(eng, idx);
	u32 lo = readl(e + IDXD_REF_IMS_ADDR_LO);
	u32 hi = readl(e + IDXD_REF_IMS_ADDR_HI);
	u32 data = readl(e + IDXD_REF_IMS_DATA);

	/* an MSI write targets the interrupt window and nothing else */
	if (!edu_msi_addr_ok((u64)hi << 32 | lo,
			     EDU_MSGS_AS_MSI ? edu_msi_doorbell(eng->pdev) : 0)) {
		eng_swerr(eng, IDXD_REF_ERR_INVAL_INT_MSG, wq, idx, false, 0);
		return;
	}
	eng_edu_send(eng, (u64)hi << 32 | lo, data);
}

/*
 * Check the handle of a descriptor asking for a completion interrupt.
 * Returns 0 or the software error code.
 */
static u8 eng_check_handle(struct idxd_ref_engine *eng, unsigned int idx,
			   bool has_pasid, u32 pasid)
{
	u32 ctrl;

	if (idx >= IDXD_REF_HW_IMS_ENTRIES)
		return IDXD_REF_ERR_INVAL_INT_HANDLE;
	ctrl = readl(eng_ims(eng, idx) + IDXD_REF_IMS_CTRL);
	if ((ctrl & IDXD_REF_IMS_CTRL_PASID_EN) &&
	    (!has_pasid || FIELD_GET(IDXD_REF_IMS_CTRL_PASID, ctrl) != pasid))
		return IDXD_REF_ERR_INVAL_INT_HANDLE;
	return 0;
}

static void eng_fire(struct idxd_ref_engine *eng, unsigned int wq,
		     unsigned int idx)
{
	u32 ctrl = readl(eng_ims(eng, idx) + IDXD_REF_IMS_CTRL);

	if (ctrl & IDXD_REF_IMS_CTRL_MASK)
		eng_set_pending(eng, idx, true);
	else
		eng_send(eng, wq, idx);
}

static void eng_scan_pending(struct idxd_ref_engine *eng)
{
	unsigned int idx;

	for_each_set_bit(idx, eng->pending, IDXD_REF_HW_IMS_ENTRIES) {
		u32 ctrl = readl(eng_ims(eng, idx) + IDXD_REF_IMS_CTRL);

		if (ctrl & IDXD_REF_IMS_CTRL_MASK)
			continue;
		eng_set_pending(eng, idx, false);
		eng_send(eng, 0, idx);
	}
}

/* ---- descriptors ------------------------------------------------------ */

static bool eng_range_ok(const struct eng_as *as, u64 off, u64 len)
{
	return as && off <= as->size && len <= as->size - off;
}

static u8 eng_operate(const struct eng_as *as, const struct idxd_ref_hw_desc *d,
		      struct idxd_ref_completion *cr)
{
	u8 op = FIELD_GET(IDXD_REF_DESC_OPCODE, d->op_flags);
	u8 *dst, *src;
	u32 i;

	switch (op) {
	case IDXD_REF_OP_NOOP:
		return IDXD_REF_COMP_SUCCESS;
	case IDXD_REF_OP_MEMFILL:
		if (!eng_range_ok(as, d->dst, d->size))
			return IDXD_REF_COMP_ADDR_FAULT;
		dst = as->base + d->dst;
		for (i = 0; i < d->size; i++)
			dst[i] = d->pattern >> (8 * (i % 8));
		break;
	case IDXD_REF_OP_COPY:
		if (!eng_range_ok(as, d->src, d->size) ||
		    !eng_range_ok(as, d->dst, d->size))
			return IDXD_REF_COMP_ADDR_FAULT;
		memmove(as->base + d->dst, as->base + d->src, d->size);
		break;
	case IDXD_REF_OP_CRC32:
		if (!eng_range_ok(as, d->src, d->size))
			return IDXD_REF_COMP_ADDR_FAULT;
		src = as->base + d->src;
		cr->result = crc32_le(~0U, src, d->size) ^ ~0U;
		break;
	default:
		return IDXD_REF_COMP_BAD_OPCODE;
	}
	cr->bytes = d->size;
	return IDXD_REF_COMP_SUCCESS;
}

static void eng_write_completion(const struct eng_as *as, u64 off,
				 struct idxd_ref_completion *cr, u8 status)
{
	struct idxd_ref_completion *rec;

	if (!IS_ALIGNED(off, IDXD_REF_COMP_SIZE) ||
	    !eng_range_ok(as, off, IDXD_REF_COMP_SIZE))
		return;
	rec = as->base + off;
	cr->status = IDXD_REF_COMP_NONE;
	memcpy(rec, cr, sizeof(*rec));
	/* the status byte is written last: it tells software the rest is there */
	smp_wmb();
	WRITE_ONCE(rec->status, status);
}

static void eng_descriptor(struct idxd_ref_engine *eng, unsigned int wq,
			   const struct idxd_ref_hw_desc *d)
{
	u32 cfg = readl(eng_wqcfg(eng, wq) + IDXD_REF_WQCFG_CFG);
	u32 flags = FIELD_GET(IDXD_REF_DESC_FLAGS, d->op_flags);
	struct idxd_ref_completion cr = { .tag = d->tag };
	bool has_pasid;
	u8 status, err = 0;
	u32 pasid;

	if (cfg & IDXD_REF_WQCFG_SHARED) {
		has_pasid = d->pasid & IDXD_REF_DESC_PASID_VALID;
		pasid = FIELD_GET(IDXD_REF_DESC_PASID, d->pasid);
	} else {
		has_pasid = cfg & IDXD_REF_WQCFG_PASID_EN;
		pasid = FIELD_GET(IDXD_REF_WQCFG_PASID, cfg);
	}

	mutex_lock(&eng->as_lock);
	if (flags & IDXD_REF_F_RCI)
		err = eng_check_handle(eng, d->int_handle, has_pasid, pasid);
	if (err) {
		status = IDXD_REF_COMP_INVAL_INT_HANDLE;
	} else {
		struct eng_as *as = xa_load(&eng->as, has_pasid ? pasid :
					    IDXD_REF_AS_NO_PASID);

		status = eng_operate(as, d, &cr);
	}
	if (flags & IDXD_REF_F_CRAV)
		eng_write_completion(xa_load(&eng->as, has_pasid ? pasid :
					     IDXD_REF_AS_NO_PASID),
				     d->completion, &cr, status);
	mutex_unlock(&eng->as_lock);

	if (!(flags & IDXD_REF_F_RCI))
		return;
	if (err)
		eng_swerr(eng, err, wq, d->int_handle, has_pasid, pasid);
	else
		eng_fire(eng, wq, d->int_handle);
}

static bool eng_run_wq(struct idxd_ref_engine *eng, unsigned int wq)
{
	void __iomem *cfg = eng_wqcfg(eng, wq);
	void __iomem *ring = eng->mem + readl(cfg + IDXD_REF_WQCFG_RING);
	u32 size = readl(cfg + IDXD_REF_WQCFG_SIZE);
	u32 head = readl(cfg + IDXD_REF_WQCFG_HEAD);
	u32 tail = readl(cfg + IDXD_REF_WQCFG_TAIL) & (size - 1);
	struct idxd_ref_hw_desc d;

	if (!eng->wq_enabled[wq] || head == tail)
		return false;
	/* the tail write is ordered after the descriptor's bytes */
	rmb();
	memcpy_fromio(&d, ring + head * IDXD_REF_DESC_SIZE, sizeof(d));
	eng_descriptor(eng, wq, &d);
	writel((head + 1) & (size - 1), cfg + IDXD_REF_WQCFG_HEAD);
	writel(readl(cfg + IDXD_REF_WQCFG_DONE) + 1, cfg + IDXD_REF_WQCFG_DONE);
	return true;
}

/* Disable a WQ: every descriptor not started completes as aborted. */
static void eng_abort_wq(struct idxd_ref_engine *eng, unsigned int wq)
{
	void __iomem *cfg = eng_wqcfg(eng, wq);
	void __iomem *ring = eng->mem + readl(cfg + IDXD_REF_WQCFG_RING);
	u32 size = readl(cfg + IDXD_REF_WQCFG_SIZE);
	u32 head = readl(cfg + IDXD_REF_WQCFG_HEAD);
	u32 tail = readl(cfg + IDXD_REF_WQCFG_TAIL) & (size - 1);
	u32 wqcfg = readl(cfg + IDXD_REF_WQCFG_CFG);
	struct idxd_ref_hw_desc d;
	u32 n = 0;

	eng->wq_enabled[wq] = false;
	mutex_lock(&eng->as_lock);
	for (; head != tail; head = (head + 1) & (size - 1)) {
		struct idxd_ref_completion cr = { };
		bool has_pasid;
		u32 pasid;

		n++;
		memcpy_fromio(&d, ring + head * IDXD_REF_DESC_SIZE, sizeof(d));
		if (!(FIELD_GET(IDXD_REF_DESC_FLAGS, d.op_flags) &
		      IDXD_REF_F_CRAV))
			continue;
		if (wqcfg & IDXD_REF_WQCFG_SHARED) {
			has_pasid = d.pasid & IDXD_REF_DESC_PASID_VALID;
			pasid = FIELD_GET(IDXD_REF_DESC_PASID, d.pasid);
		} else {
			has_pasid = wqcfg & IDXD_REF_WQCFG_PASID_EN;
			pasid = FIELD_GET(IDXD_REF_WQCFG_PASID, wqcfg);
		}
		cr.tag = d.tag;
		eng_write_completion(xa_load(&eng->as, has_pasid ? pasid :
					     IDXD_REF_AS_NO_PASID),
				     d.completion, &cr, IDXD_REF_COMP_ABORTED);
	}
	mutex_unlock(&eng->as_lock);
	writel(head, cfg + IDXD_REF_WQCFG_HEAD);
	writel(readl(cfg + IDXD_REF_WQCFG_DONE) + n, cfg + IDXD_REF_WQCFG_DONE);
	writel(0, cfg + IDXD_REF_WQCFG_STATE);
}

static void eng_command(struct idxd_ref_engine *eng)
{
	u32 cmd = readl(eng->mem + IDXD_REF_CMD);
	u32 op = FIELD_GET(IDXD_REF_CMD_OP, cmd);
	u32 arg = FIELD_GET(IDXD_REF_CMD_OPERAND, cmd);
	u32 res = IDXD_REF_CMDSTS_OK;
	unsigned int i;

	if (op == IDXD_REF_CMD_NONE)
		return;
	switch (op) {
	case IDXD_REF_CMD_ENABLE_DEVICE:
		eng->enabled = true;
		writel(IDXD_REF_GENSTS_ENABLED, eng->mem + IDXD_REF_GENSTS);
		break;
	case IDXD_REF_CMD_DISABLE_DEVICE:
		for (i = 0; i < IDXD_REF_HW_WQS; i++)
			if (eng->wq_enabled[i])
				eng_abort_wq(eng, i);
		eng->enabled = false;
		writel(0, eng->mem + IDXD_REF_GENSTS);
		break;
	case IDXD_REF_CMD_ENABLE_WQ:
		if (!eng->enabled || arg >= IDXD_REF_HW_WQS ||
		    eng->wq_enabled[arg]) {
			res = IDXD_REF_CMDSTS_INVAL;
			break;
		}
		writel(0, eng_wqcfg(eng, arg) + IDXD_REF_WQCFG_HEAD);
		writel(0, eng_wqcfg(eng, arg) + IDXD_REF_WQCFG_TAIL);
		writel(IDXD_REF_WQCFG_ENABLED,
		       eng_wqcfg(eng, arg) + IDXD_REF_WQCFG_STATE);
		eng->wq_enabled[arg] = true;
		break;
	case IDXD_REF_CMD_DISABLE_WQ:
		if (arg >= IDXD_REF_HW_WQS || !eng->wq_enabled[arg]) {
			res = IDXD_REF_CMDSTS_INVAL;
			break;
		}
		eng_abort_wq(eng, arg);
		break;
	case IDXD_REF_CMD_RELEASE_INT_HANDLE:
		if (arg >= IDXD_REF_HW_IMS_ENTRIES) {
			res = IDXD_REF_CMDSTS_INVAL;
			break;
		}
		eng_set_pending(eng, arg, false);
		break;
	default:
		res = IDXD_REF_CMDSTS_INVAL;
		break;
	}
	writel(res, eng->mem + IDXD_REF_CMDSTS);
	wmb(); /* result before completion */
	writel(0, eng->mem + IDXD_REF_CMD);
}

static int eng_thread(void *arg)
{
	struct idxd_ref_engine *eng = arg;

	while (!kthread_should_stop()) {
		bool busy = false;
		unsigned int i;
		long tmo;

		eng_command(eng);
		for (i = 0; i < IDXD_REF_HW_WQS; i++)
			busy |= eng_run_wq(eng,
					   (eng->next_wq + i) % IDXD_REF_HW_WQS);
		eng->next_wq++;
		if (eng->nr_pending)
			eng_scan_pending(eng);
		if (busy) {
			cond_resched();
			continue;
		}
		tmo = msecs_to_jiffies(eng->nr_pending ? ENG_PENDING_SCAN_MS :
					ENG_IDLE_SCAN_MS);
		wait_event_interruptible_timeout(eng->wait,
						 atomic_xchg(&eng->kicked, 0) ||
						 kthread_should_stop(), tmo);
	}
	return 0;
}

/* Power-on state of the register/memory space. */
static void eng_reset(struct idxd_ref_engine *eng)
{
	unsigned int i;

	memset_io(eng->mem, 0, IDXD_REF_HW_MEM_SIZE);
	writel(FIELD_PREP(IDXD_REF_GENCAP_IMS, IDXD_REF_HW_IMS_ENTRIES) |
	       FIELD_PREP(IDXD_REF_GENCAP_WQS, IDXD_REF_HW_WQS),
	       eng->mem + IDXD_REF_GENCAP);
	writel(IDXD_REF_HW_IMS_BASE, eng->mem + IDXD_REF_IMS_OFF);
	writel(IDXD_REF_HW_PBA_BASE, eng->mem + IDXD_REF_PBA_OFF);
	writel(IDXD_REF_HW_WQCFG_BASE, eng->mem + IDXD_REF_WQCFG_OFF);
	for (i = 0; i < IDXD_REF_HW_WQS; i++) {
		writel(IDXD_REF_HW_RING_BASE + i * IDXD_REF_HW_RING_STRIDE,
		       eng_wqcfg(eng, i) + IDXD_REF_WQCFG_RING);
		writel(IDXD_REF_HW_RING_SIZE,
		       eng_wqcfg(eng, i) + IDXD_REF_WQCFG_SIZE);
	}
	wmb(); /* ID last: the device is ready */
	writel(IDXD_REF_ID_VALUE, eng->mem + IDXD_REF_ID);
}

/**
 * idxd_ref_engine_create - power the device's silicon on
 * @bus_master:	the function whose DMA engine emits the device's writes
 * @edu_regs:	its mapped BAR0
 * @mem:	the mapped register/memory space, IDXD_REF_HW_MEM_SIZE bytes
 *
 * Resets the register space and starts the processing thread.
 *
 * Return: the engine or an ERR_PTR().
 */
struct idxd_ref_engine *idxd_ref_engine_create(struct pci_dev *bus_master,
					       void __iomem *edu_regs,
					       void __iomem *mem)
{
	struct idxd_ref_engine *eng;
	int ret;

	eng = kzalloc(sizeof(*eng), GFP_KERNEL);
	if (!eng)
		return ERR_PTR(-ENOMEM);
	eng->pdev = bus_master;
	eng->edu = edu_regs;
	eng->mem = mem;
	init_waitqueue_head(&eng->wait);
	mutex_init(&eng->as_lock);
	xa_init(&eng->as);
	ret = edu_words_init(&eng->words, &bus_master->dev);
	if (ret)
		goto free;
	eng_reset(eng);
	eng->task = kthread_run(eng_thread, eng, "idxd_ref_eng/%s",
				pci_name(bus_master));
	if (IS_ERR(eng->task)) {
		ret = PTR_ERR(eng->task);
		goto free_dma;
	}
	return eng;

free_dma:
	edu_words_release(&eng->words, &bus_master->dev);
free:
	kfree(eng);
	return ERR_PTR(ret);
}

/**
 * idxd_ref_engine_destroy - power the device's silicon off
 * @eng:	the engine
 *
 * Stops the processing thread after the descriptor it is running (and its
 * interrupt message) and waits for the bus master to go idle. Address
 * spaces still bound are dropped.
 */
void idxd_ref_engine_destroy(struct idxd_ref_engine *eng)
{
	struct eng_as *as;
	unsigned long idx;

	kthread_stop(eng->task);
	edu_dma_quiesce(eng->edu, 100, 20);
	edu_words_release(&eng->words, &eng->pdev->dev);
	xa_for_each(&eng->as, idx, as)
		kfree(as);
	xa_destroy(&eng->as);
	mutex_destroy(&eng->as_lock);
	kfree(eng);
}

/**
 * idxd_ref_engine_doorbell - the device noticed a register write
 * @eng:	the engine
 *
 * Software calls it after writing CMD or a WQ's TAIL, where hardware would
 * see the bus write itself.
 */
void idxd_ref_engine_doorbell(struct idxd_ref_engine *eng)
{
	atomic_set(&eng->kicked, 1);
	wake_up(&eng->wait);
}

/**
 * idxd_ref_engine_bind_as - give the device access to memory via a PASID
 * @eng:	the engine
 * @pasid:	the PASID, or %IDXD_REF_AS_NO_PASID for requests without one
 * @base:	kernel mapping of the memory
 * @size:	its size
 *
 * The model of an IOMMU PASID table entry: descriptor addresses under
 * @pasid are offsets into [@base, @base + @size).
 *
 * Return: 0, -EBUSY if @pasid is bound already, or -ENOMEM.
 */
int idxd_ref_engine_bind_as(struct idxd_ref_engine *eng, u32 pasid,
			    void *base, size_t size)
{
	struct eng_as *as;
	int ret;

	as = kzalloc(sizeof(*as), GFP_KERNEL);
	if (!as)
		return -ENOMEM;
	as->base = base;
	as->size = size;
	mutex_lock(&eng->as_lock);
	ret = xa_insert(&eng->as, pasid, as, GFP_KERNEL);
	mutex_unlock(&eng->as_lock);
	if (ret)
		kfree(as);
	return ret;
}

/**
 * idxd_ref_engine_unbind_as - revoke the device's access through a PASID
 * @eng:	the engine
 * @pasid:	as given to idxd_ref_engine_bind_as()
 *
 * On return the device no longer touches the memory: a descriptor that
 * still names @pasid faults (no completion record can be written).
 */
void idxd_ref_engine_unbind_as(struct idxd_ref_engine *eng, u32 pasid)
{
	mutex_lock(&eng->as_lock);
	kfree(xa_erase(&eng->as, pasid));
	mutex_unlock(&eng->as_lock);
}
