// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test: the device side. The edu function plays the device that reads
 * its IMS storage and sends the messages; see main.c for the model.
 */

#include <linux/delay.h>
#include <linux/io.h>
#include <linux/jiffies.h>

#include "ims_test.h"

/* ---- edu: the device side ---------------------------------------------- */

/* The device writes @data to @addr: one MSI write. */
static int it_edu_send(struct it_dev *itd, u64 addr, u32 data)
{
	int ret;

	mutex_lock(&itd->dma_lock);
	ret = edu_send(&itd->words, itd->regs, addr, data);
	mutex_unlock(&itd->dma_lock);
	return ret;
}

/**
 * it_msi_send - the device writes @data to @addr as an MSI of its own
 * @itd:	the device
 * @addr:	message address
 * @data:	message data
 *
 * The message is lent to edu's MSI capability for one interrupt, so the
 * write carries edu's requester id (a DMA write carries none on QEMU).
 * Serialized with edu's own MSI: neither ever sees the other's message.
 *
 * Context: any.
 * Return: 0 or the error of edu_msi_borrow_send().
 */
int it_msi_send(struct it_dev *itd, u64 addr, u32 data)
{
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&itd->msi_lock, flags);
	ret = edu_msi_borrow_send(itd->pdev, itd->regs, addr, data);
	spin_unlock_irqrestore(&itd->msi_lock, flags);
	return ret;
}

/* By default as the card's messages go (EDU_MSGS_AS_MSI, edu.h). */
static bool fire_as_msi = EDU_MSGS_AS_MSI;
module_param(fire_as_msi, bool, 0444);
MODULE_PARM_DESC(fire_as_msi,
		 "Send every message as an MSI of edu's, not as an edu DMA write (default: Y off x86, where DMA writes carry no requester id)");

/* The device sends one message: a DMA write, or an MSI of its own. */
static int it_send(struct it_dev *itd, u64 addr, u32 data, bool msi)
{
	if (msi || fire_as_msi)
		return it_msi_send(itd, addr, data);
	return it_edu_send(itd, addr, data);
}

void it_read_storage(struct it_domain *dom, unsigned int index,
		     struct it_msg *m)
{
	void __iomem *e;
	u32 v;

	memset(m, 0, sizeof(*m));
	if (dom->type == IMS_TEMPLATE_ARRAY) {
		struct edu_entry ent;

		edu_entry_read(dom->layout, dom->mem, index, &ent);
		m->raw = ent.ctrl;
		m->masked = ent.masked;
		m->pasid_en = ent.pasid_en;
		m->pasid = ent.pasid;
		m->addr = ent.addr;
		m->data = ent.data;
	} else {
		e = dom->mem + (size_t)index * IT_Q_STRIDE;
		v = readl(e + IT_Q_FLAGS);
		m->raw = v;
		m->masked = v & IT_Q_F_MASKED;
		m->pasid_en = v & IT_Q_F_PASID;
		m->pasid = readl(e + IT_Q_PASID);
		m->addr = (u64)readl(e + IT_Q_ADDR_HI) << 32 |
			  readl(e + IT_Q_ADDR_LO);
		m->data = readl(e + IT_Q_DATA);
	}
}

static void it_wait_delivery(struct it_dev *itd, struct it_slot *s, int before,
			     struct it_fire *f)
{
	if (!s || !s->requested || s->disabled)
		return;
	if (wait_event_timeout(itd->wq, atomic_read(&s->total) != before,
			       msecs_to_jiffies(IT_IRQ_WAIT_MS)))
		f->delivered++;
}

/*
 * The device fires slot @index once, with its DMA engine or, if @msi, as an
 * MSI of its own. @pasid is the PASID of the request, or IMS_PASID_NONE.
 */
static int it_fire_one(struct it_domain *dom, unsigned int index, u32 pasid,
		       bool msi, struct it_fire *f)
{
	struct it_slot *s = xa_load(&dom->slots, index);
	struct it_msg m;
	int before, ret;

	it_read_storage(dom, index, &m);
	if (m.masked) {
		if (s)
			s->pending++;
		f->held++;
		return 0;
	}
	if (m.pasid_en && (pasid == IMS_PASID_NONE || pasid != m.pasid)) {
		if (s)
			s->pasid_err++;
		f->pasid_err++;
		return 0;
	}
	if (!edu_msi_addr_ok(m.addr, dom->itd->doorbell)) {
		f->bad_addr++;
		return 0;
	}
	before = s ? atomic_read(&s->total) : 0;
	ret = it_send(dom->itd, m.addr, m.data, msi);
	if (ret)
		return ret;
	f->sent++;
	if (s && s->requested && s->disabled)
		s->latched++;
	it_wait_delivery(dom->itd, s, before, f);
	return 0;
}

/* The device sends a message held back while the slot was masked. */
int it_fire_pending(struct it_slot *s, struct it_fire *f)
{
	struct it_msg m;
	int before, ret;

	if (!s->pending)
		return 0;
	it_read_storage(s->dom, s->index, &m);
	if (m.masked)
		return 0;
	s->pending = 0;
	if (!edu_msi_addr_ok(m.addr, s->dom->itd->doorbell)) {
		f->bad_addr++;
		return 0;
	}
	before = atomic_read(&s->total);
	ret = it_send(s->dom->itd, m.addr, m.data, false);
	if (ret)
		return ret;
	f->sent++;
	it_wait_delivery(s->dom->itd, s, before, f);
	return 0;
}

/*
 * edu's own MSI. A message that arrives on its vector without edu's own
 * status bit was not edu's interrupt: counted apart, not handled.
 */
irqreturn_t it_edu_handler(int irq, void *data)
{
	struct it_dev *itd = data;
	u32 status = readl(itd->regs + EDU_IRQ_STATUS);

	if (!(status & EDU_IRQ_OWN)) {
		atomic_inc(&itd->edu_other);
		wake_up(&itd->wq);
		return IRQ_NONE;
	}
	writel(EDU_IRQ_OWN, itd->regs + EDU_IRQ_ACK);
	atomic_inc(&itd->edu_irqs);
	wake_up(&itd->wq);
	return IRQ_HANDLED;
}

irqreturn_t it_ims_handler(int irq, void *data)
{
	struct it_slot *s = data;
	unsigned int cpu = raw_smp_processor_id();

	if (cpu < nr_cpu_ids)
		atomic_inc(&s->cpu[cpu]);
	WRITE_ONCE(s->last_cpu, cpu);
	atomic_inc(&s->total);
	wake_up(&s->dom->itd->wq);
	return IRQ_HANDLED;
}

/* ---- queue template callback ------------------------------------------- */

static int it_queue_sync(void *drvdata, unsigned int index, void *ctx,
			 const struct ims_queue_msg *msg)
{
	struct it_domain *dom = drvdata;
	struct it_slot *s = ctx;
	void __iomem *q;
	u32 flags = 0;

	atomic_inc(&dom->sync_calls);
	if (index >= dom->nr_slots || !s || s->magic != IT_SLOT_MAGIC ||
	    s->dom != dom) {
		atomic_inc(&dom->sync_bad);
		return -EINVAL;
	}
	WRITE_ONCE(s->sync_index, index);
	if (READ_ONCE(dom->sync_fail)) {
		atomic_inc(&dom->sync_errors);
		return -EIO;
	}

	if (msg->masked)
		flags |= IT_Q_F_MASKED;
	if (msg->pasid != IMS_PASID_NONE)
		flags |= IT_Q_F_PASID;
	q = dom->mem + (size_t)index * IT_Q_STRIDE;
	/* Keep the context masked while it is inconsistent. */
	writel(readl(q + IT_Q_FLAGS) | IT_Q_F_MASKED, q + IT_Q_FLAGS);
	writel(msg->address_lo, q + IT_Q_ADDR_LO);
	writel(msg->address_hi, q + IT_Q_ADDR_HI);
	writel(msg->data, q + IT_Q_DATA);
	writel(msg->pasid == IMS_PASID_NONE ? 0 : msg->pasid, q + IT_Q_PASID);
	writel(readl(q + IT_Q_SEQ) + 1, q + IT_Q_SEQ);
	writel(flags, q + IT_Q_FLAGS);
	readl(q + IT_Q_FLAGS);
	atomic_inc(&s->syncs);
	return 0;
}

const struct ims_queue_ops it_queue_ops = {
	.sync	= it_queue_sync,
};

void it_fire_result(struct it_dev *itd, int ret, struct it_fire *f)
{
	if (ret)
		it_result(itd, "err %d sent=%u delivered=%u held=%u pasid_err=%u bad_addr=%u",
			  ret, f->sent, f->delivered, f->held, f->pasid_err,
			  f->bad_addr);
	else
		it_result(itd, "ok sent=%u delivered=%u held=%u pasid_err=%u bad_addr=%u",
			  f->sent, f->delivered, f->held, f->pasid_err,
			  f->bad_addr);
}

static int it_parse_fire(struct it_args *a)
{
	int next = 3;

	if (it_uint(a->argv[2], &a->idx))
		return -EINVAL;
	a->n = 1;
	if (a->argc > 3 && strcmp(a->argv[3], "pasid")) {
		if (it_uint(a->argv[3], &a->n) || !a->n || a->n > IT_MAX_FIRE)
			return -EINVAL;
		next = 4;
	}
	return it_parse_opts(a, next, false) ? -EINVAL : 0;
}

static int it_fire(struct it_dev *itd, struct it_args *a,
		   struct it_domain *dom, bool msi)
{
	struct it_fire f = { };
	unsigned int i;
	int ret = 0;

	if (a->idx >= dom->nr_slots) {
		it_result(itd, "err %d index out of range", -ERANGE);
		return 0;
	}
	for (i = 0; i < a->n && !ret; i++)
		ret = it_fire_one(dom, a->idx, a->opts.pasid, msi, &f);
	it_fire_result(itd, ret, &f);
	return 0;
}

static int it_cmd_fire(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *s)
{
	return it_fire(itd, a, dom, false);
}

static int it_cmd_fire_msi(struct it_dev *itd, struct it_args *a,
			   struct it_domain *dom, struct it_slot *s)
{
	return it_fire(itd, a, dom, true);
}

static int it_parse_idx(struct it_args *a)
{
	return it_uint(a->argv[2], &a->idx) ? -EINVAL : 0;
}

static int it_cmd_dump(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *unused)
{
	unsigned int idx = a->idx;
	struct it_msg m;
	size_t pos;

	if (idx >= dom->nr_slots) {
		it_result(itd, "err %d index out of range", -ERANGE);
		return 0;
	}
	it_read_storage(dom, idx, &m);
	pos = scnprintf(itd->result, IT_RESULT_LEN,
			"ok addr_lo=%#x addr_hi=%#x data=%#x %s=%#x",
			lower_32_bits(m.addr), upper_32_bits(m.addr), m.data,
			dom->type == IMS_TEMPLATE_ARRAY ? "ctrl" : "flags",
			m.raw);
	pos += scnprintf(itd->result + pos, IT_RESULT_LEN - pos,
			 " masked=%d pasid_en=%d pasid=%u",
			 m.masked, m.pasid_en, m.pasid);
	if (dom->type == IMS_TEMPLATE_QUEUE) {
		struct it_slot *s = xa_load(&dom->slots, idx);
		void __iomem *q = dom->mem + (size_t)idx * IT_Q_STRIDE;

		scnprintf(itd->result + pos, IT_RESULT_LEN - pos,
			  " seq=%u syncs=%d sync_index=%d",
			  readl(q + IT_Q_SEQ), s ? atomic_read(&s->syncs) : -1,
			  s ? READ_ONCE(s->sync_index) : -1);
	}
	return 0;
}

static int it_parse_queue_fail(struct it_args *a)
{
	return it_uint(a->argv[2], &a->val) || a->val > 1 ? -EINVAL : 0;
}

static int it_cmd_queue_fail(struct it_dev *itd, struct it_args *a,
			     struct it_domain *dom, struct it_slot *s)
{
	if (dom->type != IMS_TEMPLATE_QUEUE) {
		it_result(itd, "err %d not a queue domain", -EINVAL);
		return 0;
	}
	WRITE_ONCE(dom->sync_fail, a->val);
	it_result(itd, "ok");
	return 0;
}

static int it_cmd_edu_msi(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	unsigned long flags;
	int before;

	before = atomic_read(&itd->edu_irqs);
	/* never while the capability holds a lent message */
	spin_lock_irqsave(&itd->msi_lock, flags);
	writel(EDU_IRQ_OWN, itd->regs + EDU_IRQ_RAISE);
	spin_unlock_irqrestore(&itd->msi_lock, flags);
	if (!wait_event_timeout(itd->wq, atomic_read(&itd->edu_irqs) != before,
				msecs_to_jiffies(IT_IRQ_WAIT_MS))) {
		it_result(itd, "err %d edu_irqs=%d", -ETIMEDOUT, before);
		return 0;
	}
	it_result(itd, "ok virq=%d edu_irqs=%d", itd->edu_virq,
		  atomic_read(&itd->edu_irqs));
	return 0;
}

const struct it_cmd it_device_cmds[] = {
	{ "fire",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_fire, it_cmd_fire },
	{ "fire_msi",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_fire,
	  it_cmd_fire_msi },
	{ "dump",	3, 3, IT_DOMAIN, it_parse_idx, it_cmd_dump },
	{ "queue_fail",	3, 3, IT_DOMAIN, it_parse_queue_fail,
	  it_cmd_queue_fail },
	{ "edu_msi",	1, 1, IT_NOTHING, NULL, it_cmd_edu_msi },
	{ }
};
