// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test - test client of ims_core on QEMU's edu device.
 *
 * The test card sits at one PCI slot: function 0 is QEMU's "edu" device
 * (1234:11e8), the device that raises the interrupts; function 1 is an
 * ivshmem-plain device whose BAR2 plays the device memory that holds the IMS
 * storage. All IMS domains are created on the edu device, because the edu
 * device emits the interrupt writes and its requester id is the one the
 * interrupt remapping unit checks.
 *
 * "The device fires slot i" means: read slot i's message from the storage
 * the way the device would (the 16-byte DSA entry of an array domain, or the
 * queue context the sync callback wrote for a queue domain); if the slot is
 * masked, remember a pending message and send nothing; if the slot checks a
 * PASID and the firing request carries another one (or none), send nothing
 * and count a PASID error; otherwise the edu DMA engine copies the 32-bit
 * data word from its internal buffer to the message address. The interrupt
 * thus always comes from a real device write. Pending messages are sent
 * once when the slot is unmasked through the "unmask" command.
 *
 * Queue context of a queue domain slot, 32 bytes at BAR2 + region + 32 * index:
 *	0 addr_lo, 4 addr_hi, 8 data, 12 flags (bit 0 masked, bit 1 PASID
 *	check), 16 PASID, 20 number of successful syncs
 *
 * Control interface: /sys/kernel/debug/ims_test/
 *	cmd	write one command per write(2); a malformed command fails the
 *		write with -EINVAL, anything else succeeds and reports in result
 *	result	outcome of the last command: "ok key=value ..." or "err ERRNO"
 *	counts	one line per allocated slot, see the header line
 *
 * Commands (ID = domain id, IDX = slot index, P = PASID number or "none"):
 *	create array|array-alt|queue NSLOTS [NAME [devm]]
 *					new domain -> id, domain name; "devm":
 *					devm_ims_create_domain(), destroyed by
 *					devres at unbind
 *	destroy ID			release, free and destroy everything
 *					(not for devm domains: -EPERM)
 *	alloc ID any|at IDX|range FIRST LAST [pasid P] [cpu C]
 *	batch ID N [pasid P] [cpu C]	ims_alloc_irqs() of N slots
 *					(cpu C: an affinity descriptor)
 *	free ID IDX			release (if requested) and free a slot
 *	freeall ID			release all, ims_free_all_irqs()
 *	request ID IDX [lazy]		request_irq(); "lazy": array only,
 *					disable_irq() masks at the next interrupt
 *	release ID IDX			free_irq()
 *	fire ID IDX [N] [pasid P]	the device fires the slot N times
 *	mask ID IDX / unmask ID IDX	disable_irq() / enable_irq(); unmask
 *					sends a pending message
 *	pasid ID IDX P			ims_set_pasid()
 *	dump ID IDX			raw storage of a slot as the device sees it
 *	stats ID			ims_domain_get_stats() and sync counters
 *	virq ID IDX / index ID VIRQ	ims_index_virq() / ims_irq_index()
 *	queue_fail ID 0|1		make the queue sync callback fail (-EIO)
 *	misuse ID IDX free|destroy	driver bug on purpose: ims_free_irq() or
 *					ims_destroy_domain() while IDX is still
 *					requested -> what ims_core kept
 *	edu_msi				raise edu's own PCI MSI and wait for it
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <ims/ims.h>
#include <testcard/edu.h>

MODULE_IMPORT_NS(IMS);

#define IT_MAX_DOMAINS		16
#define IT_MAX_BATCH		256
#define IT_MAX_FIRE		200
#define IT_IRQ_WAIT_MS		1000
#define IT_REGION_ALIGN		SZ_4K
#define IT_RESULT_LEN		4096
#define IT_SLOT_MAGIC		0x1b5e55edU

/*
 * Array storage as the device decodes it, from the layout the domain was
 * created with: ims_core's DSA default, or "array-alt", a layout of another
 * shape (other stride, offsets, an enable bit instead of a mask bit, another
 * PASID field) that ims_core must program without a chip of its own.
 */
static const struct ims_array_layout it_alt_layout = {
	.stride		= 32,
	.ctrl		= 0,
	.data		= 4,
	.addr_lo	= 16,
	.addr_hi	= 20,
	.mask_bit	= 31,
	.mask_active_low = true,
	.pasid_en_bit	= 0,
	.pasid_shift	= 8,
	.pasid_width	= 20,
};

/* queue context as the device reads it */
#define IT_Q_STRIDE		32
#define IT_Q_ADDR_LO		0
#define IT_Q_ADDR_HI		4
#define IT_Q_DATA		8
#define IT_Q_FLAGS		12
#define IT_Q_F_MASKED		BIT(0)
#define IT_Q_F_PASID		BIT(1)
#define IT_Q_PASID		16
#define IT_Q_SEQ		20

struct it_dev;
struct it_domain;

/**
 * struct it_slot - one allocated IMS interrupt of the test client
 * @magic:	%IT_SLOT_MAGIC; lets the sync callback check its context
 * @dom:	owning domain
 * @index:	hardware slot index
 * @virq:	Linux interrupt number
 * @requested:	request_irq() done
 * @disabled:	disable_irq() depth
 * @pending:	messages the device held back while the slot was masked
 * @pasid_err:	fire requests refused by the device's PASID check
 * @last_cpu:	CPU of the last delivery, -1 before the first one
 * @total:	deliveries
 * @cpu:	deliveries per CPU, nr_cpu_ids entries
 * @syncs:	successful queue sync callbacks with this slot as context
 * @sync_index:	index the last sync callback was called with, -1 if none
 * @name:	irq action name
 */
struct it_slot {
	u32			magic;
	struct it_domain	*dom;
	unsigned int		index;
	int			virq;
	bool			requested;
	unsigned int		disabled;
	unsigned int		pending;
	unsigned int		pasid_err;
	int			last_cpu;
	atomic_t		total;
	atomic_t		*cpu;
	atomic_t		syncs;
	int			sync_index;
	char			name[32];
};

/**
 * struct it_domain - one IMS domain created by the test client
 * @itd:	the device
 * @id:		command id
 * @type:	template
 * @nr_slots:	slots asked for
 * @uname:	the name given in the create command, empty if none
 * @off:	start of the storage region in the memory BAR
 * @len:	length of the storage region
 * @mem:	mapped start of the storage region
 * @ims:	the ims_core domain
 * @slots:	allocated slots by index
 * @devm:	created with devm_ims_create_domain()
 * @layout:	array template: the entry layout
 * @sync_fail:	queue template: make sync fail
 * @sync_calls:	queue template: sync callbacks
 * @sync_errors: queue template: syncs failed on purpose
 * @sync_bad:	queue template: syncs with a wrong index or context
 */
struct it_domain {
	struct it_dev		*itd;
	unsigned int		id;
	enum ims_template_type	type;
	unsigned int		nr_slots;
	char			uname[64];
	size_t			off;
	size_t			len;
	void __iomem		*mem;
	struct ims_domain	*ims;
	struct xarray		slots;
	bool			devm;
	const struct ims_array_layout *layout;
	bool			sync_fail;
	atomic_t		sync_calls;
	atomic_t		sync_errors;
	atomic_t		sync_bad;
};

/**
 * struct it_dev - the test card
 * @pdev:	edu, function 0
 * @mem_pdev:	ivshmem, function 1
 * @regs:	edu BAR0
 * @mem:	ivshmem BAR2, the device memory
 * @mem_len:	its length
 * @lock:	serializes commands and protects @doms
 * @dma_lock:	serializes use of the edu DMA engine
 * @words:	edu's internal buffer, its host staging word included
 * @edu_virq:	edu's own MSI
 * @edu_irqs:	deliveries of edu's own MSI
 * @wq:		woken by every delivery
 * @doms:	domains by id
 * @dbg:	debugfs directory
 * @result:	result of the last command
 */
struct it_dev {
	struct pci_dev		*pdev;
	struct pci_dev		*mem_pdev;
	void __iomem		*regs;
	void __iomem		*mem;
	size_t			mem_len;
	struct mutex		lock;		/* commands, @doms */
	struct mutex		dma_lock;	/* the edu DMA engine */
	struct edu_words	words;
	int			edu_virq;
	atomic_t		edu_irqs;
	wait_queue_head_t	wq;
	struct it_domain	*doms[IT_MAX_DOMAINS];
	struct dentry		*dbg;
	char			*result;
};

/* message of a slot as the device reads it from the storage */
struct it_msg {
	u64	addr;
	u32	data;
	bool	masked;
	bool	pasid_en;
	u32	pasid;
	u32	raw;
};

/* outcome of fire requests */
struct it_fire {
	unsigned int	sent;
	unsigned int	delivered;
	unsigned int	held;
	unsigned int	pasid_err;
	unsigned int	bad_addr;
};

static struct it_dev *it_the_dev;

static __printf(2, 3) void it_result(struct it_dev *itd, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(itd->result, IT_RESULT_LEN, fmt, args);
	va_end(args);
}

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

static void it_read_storage(struct it_domain *dom, unsigned int index,
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
 * The device fires slot @index once. @pasid is the PASID of the request, or
 * IMS_PASID_NONE.
 */
static int it_fire_one(struct it_domain *dom, unsigned int index, u32 pasid,
		       struct it_fire *f)
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
	if (!edu_msi_addr_ok(m.addr)) {
		f->bad_addr++;
		return 0;
	}
	before = s ? atomic_read(&s->total) : 0;
	ret = it_edu_send(dom->itd, m.addr, m.data);
	if (ret)
		return ret;
	f->sent++;
	it_wait_delivery(dom->itd, s, before, f);
	return 0;
}

/* The device sends a message held back while the slot was masked. */
static int it_fire_pending(struct it_slot *s, struct it_fire *f)
{
	struct it_msg m;
	int before, ret;

	if (!s->pending)
		return 0;
	it_read_storage(s->dom, s->index, &m);
	if (m.masked)
		return 0;
	s->pending = 0;
	if (!edu_msi_addr_ok(m.addr)) {
		f->bad_addr++;
		return 0;
	}
	before = atomic_read(&s->total);
	ret = it_edu_send(s->dom->itd, m.addr, m.data);
	if (ret)
		return ret;
	f->sent++;
	it_wait_delivery(s->dom->itd, s, before, f);
	return 0;
}

static irqreturn_t it_edu_handler(int irq, void *data)
{
	struct it_dev *itd = data;
	u32 status = readl(itd->regs + EDU_IRQ_STATUS);

	if (!status)
		return IRQ_NONE;
	writel(status, itd->regs + EDU_IRQ_ACK);
	atomic_inc(&itd->edu_irqs);
	wake_up(&itd->wq);
	return IRQ_HANDLED;
}

static irqreturn_t it_ims_handler(int irq, void *data)
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

static const struct ims_queue_ops it_queue_ops = {
	.sync	= it_queue_sync,
};

/* ---- slots and domains ------------------------------------------------- */

static struct it_slot *it_slot_new(struct it_domain *dom)
{
	struct it_slot *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return NULL;
	s->cpu = kcalloc(nr_cpu_ids, sizeof(*s->cpu), GFP_KERNEL);
	if (!s->cpu) {
		kfree(s);
		return NULL;
	}
	s->magic = IT_SLOT_MAGIC;
	s->dom = dom;
	s->virq = -1;
	s->last_cpu = -1;
	s->sync_index = -1;
	return s;
}

static void it_slot_free(struct it_slot *s)
{
	if (!s)
		return;
	s->magic = 0;
	kfree(s->cpu);
	kfree(s);
}

/* Record a successful allocation. */
static int it_slot_add(struct it_domain *dom, struct it_slot *s,
		       struct ims_map map)
{
	int ret;

	s->index = map.index;
	s->virq = map.virq;
	snprintf(s->name, sizeof(s->name), "ims_test-%u-%u", dom->id,
		 map.index);
	ret = xa_insert(&dom->slots, map.index, s, GFP_KERNEL);
	if (ret) {
		/* ims_core handed out an index we already hold */
		dev_err(&dom->itd->pdev->dev,
			"domain %u: index %u allocated twice (%d)\n",
			dom->id, map.index, ret);
		return ret;
	}
	return 0;
}

static void it_slot_release(struct it_slot *s)
{
	if (!s->requested)
		return;
	free_irq(s->virq, s);
	s->requested = false;
	s->disabled = 0;
}

static void it_slot_destroy(struct it_domain *dom, struct it_slot *s)
{
	struct ims_map map = { .index = s->index, .virq = s->virq };

	it_slot_release(s);
	ims_free_irq(dom->ims, map);
	xa_erase(&dom->slots, s->index);
	it_slot_free(s);
}

static void it_domain_free_all(struct it_domain *dom)
{
	struct it_slot *s;
	unsigned long idx;

	xa_for_each(&dom->slots, idx, s)
		it_slot_release(s);
	ims_free_all_irqs(dom->ims);
	xa_for_each(&dom->slots, idx, s) {
		xa_erase(&dom->slots, idx);
		it_slot_free(s);
	}
}

static void it_domain_destroy(struct it_domain *dom)
{
	struct it_dev *itd = dom->itd;
	struct it_slot *s;
	unsigned long idx;

	/*
	 * Strictly: irqs released, then slots freed, then the domain. A
	 * managed domain is destroyed by devres after the driver's remove().
	 */
	xa_for_each(&dom->slots, idx, s)
		it_slot_release(s);
	xa_for_each(&dom->slots, idx, s)
		it_slot_destroy(dom, s);
	if (!dom->devm)
		ims_destroy_domain(dom->ims);
	xa_destroy(&dom->slots);
	itd->doms[dom->id] = NULL;
	kfree(dom);
}

/* First fit of a storage region in the memory BAR. */
static int it_region_find(struct it_dev *itd, size_t len, size_t *offp)
{
	size_t off = 0;
	bool moved;
	int i;

	do {
		moved = false;
		for (i = 0; i < IT_MAX_DOMAINS; i++) {
			struct it_domain *d = itd->doms[i];

			if (d && off < d->off + d->len && d->off < off + len) {
				off = d->off + d->len;
				moved = true;
			}
		}
	} while (moved);
	if (off + len > itd->mem_len)
		return -ENOMEM;
	*offp = off;
	return 0;
}

/* ---- commands ---------------------------------------------------------- */

#define IT_MAX_ARGS	8
#define IT_CMD_LEN	128

static int it_uint(const char *s, unsigned int *v)
{
	return s ? kstrtouint(s, 0, v) : -EINVAL;
}

static int it_pasid(const char *s, u32 *pasid)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*pasid = IMS_PASID_NONE;
		return 0;
	}
	return kstrtou32(s, 0, pasid);
}

/* options after the fixed arguments of alloc, batch and fire */
struct it_opts {
	u32	pasid;		/* "pasid P" */
	int	cpu;		/* "cpu C": affinity descriptor, -1 if none */
};

/**
 * struct it_args - a command: its words and what its parse step read
 * @argc:	number of words
 * @argv:	the words
 * @opts:	options of alloc, batch and fire
 * @idx:	slot index of fire and dump, first index of alloc
 * @last:	last index of "alloc ID range"
 * @n:		count of batch and fire
 * @val:	number of virq, index and queue_fail
 * @pasid:	PASID of pasid
 * @flag:	alloc: a range; request: lazy
 */
struct it_args {
	int		argc;
	char		*argv[IT_MAX_ARGS];
	struct it_opts	opts;
	unsigned int	idx;
	unsigned int	last;
	unsigned int	n;
	unsigned int	val;
	u32		pasid;
	bool		flag;
};

/* Parse "[pasid P] [cpu C]" from argv[@i] on; "cpu" only if @cpu_ok. */
static int it_parse_opts(struct it_args *a, int i, bool cpu_ok)
{
	struct it_opts *o = &a->opts;
	unsigned int cpu;

	o->pasid = IMS_PASID_NONE;
	o->cpu = -1;
	for (; i < a->argc; i += 2) {
		if (i + 1 >= a->argc)
			return -EINVAL;
		if (!strcmp(a->argv[i], "pasid")) {
			if (it_pasid(a->argv[i + 1], &o->pasid))
				return -EINVAL;
		} else if (cpu_ok && !strcmp(a->argv[i], "cpu")) {
			if (it_uint(a->argv[i + 1], &cpu) || cpu >= nr_cpu_ids)
				return -EINVAL;
			o->cpu = cpu;
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Look up the domain named by argv[1] and, if @slot is not NULL, the slot
 * named by argv[2]. Returns -EINVAL for a malformed number, and 1 after
 * writing "err -ENOENT" to the result for an unknown domain or slot.
 */
static int it_lookup(struct it_dev *itd, struct it_args *a,
		     struct it_domain **dom, struct it_slot **slot)
{
	unsigned int id, idx;

	if (it_uint(a->argv[1], &id))
		return -EINVAL;
	if (id >= IT_MAX_DOMAINS || !itd->doms[id]) {
		it_result(itd, "err %d no domain %u", -ENOENT, id);
		return 1;
	}
	*dom = itd->doms[id];
	if (!slot)
		return 0;
	if (it_uint(a->argv[2], &idx))
		return -EINVAL;
	*slot = xa_load(&(*dom)->slots, idx);
	if (!*slot) {
		it_result(itd, "err %d no slot %u", -ENOENT, idx);
		return 1;
	}
	return 0;
}

static int it_cmd_create(struct it_dev *itd, struct it_args *a,
			 struct it_domain *unused, struct it_slot *s)
{
	const struct ims_array_layout *layout = NULL;
	struct ims_domain_info info = { };
	unsigned int nslots, stride, id;
	struct it_domain *dom;
	struct ims_domain *ims;
	size_t len, off;
	int ret;

	if (it_uint(a->argv[2], &nslots))
		return -EINVAL;
	if (a->argc == 5 && strcmp(a->argv[4], "devm"))
		return -EINVAL;
	if (!strcmp(a->argv[1], "array")) {
		info.type = IMS_TEMPLATE_ARRAY;
		layout = &ims_array_layout_dsa;
	} else if (!strcmp(a->argv[1], "array-alt")) {
		info.type = IMS_TEMPLATE_ARRAY;
		layout = &it_alt_layout;
	} else if (!strcmp(a->argv[1], "queue")) {
		info.type = IMS_TEMPLATE_QUEUE;
	} else {
		return -EINVAL;
	}
	if (a->argc >= 4 && strlen(a->argv[3]) >= sizeof(dom->uname))
		return -EINVAL;

	for (id = 0; id < IT_MAX_DOMAINS && itd->doms[id]; id++)
		;
	if (id == IT_MAX_DOMAINS) {
		it_result(itd, "err %d too many domains", -EMFILE);
		return 0;
	}

	/*
	 * Room for all slots; a count ims_core must refuse gets one page so
	 * that the refusal itself is what is tested.
	 */
	stride = layout ? layout->stride : IT_Q_STRIDE;
	len = (size_t)(nslots <= IMS_MAX_SLOTS ? max(nslots, 1U) : 1) * stride;
	len = round_up(len, IT_REGION_ALIGN);
	ret = it_region_find(itd, len, &off);
	if (ret) {
		it_result(itd, "err %d no room in device memory", ret);
		return 0;
	}

	dom = kzalloc(sizeof(*dom), GFP_KERNEL);
	if (!dom) {
		it_result(itd, "err %d", -ENOMEM);
		return 0;
	}
	dom->itd = itd;
	dom->id = id;
	dom->type = info.type;
	dom->nr_slots = nslots;
	dom->off = off;
	dom->len = len;
	dom->mem = itd->mem + off;
	xa_init(&dom->slots);
	dom->devm = a->argc == 5;
	if (a->argc >= 4)
		strscpy(dom->uname, a->argv[3], sizeof(dom->uname));

	/* device reset state: everything zero, array entries masked */
	dom->layout = layout;
	if (layout) {
		edu_array_reset(layout, dom->mem, len);
		info.array.slots = dom->mem;
		/* the DSA default is what a NULL layout means */
		if (layout != &ims_array_layout_dsa)
			info.array.layout = layout;
	} else {
		memset_io(dom->mem, 0, len);
		info.queue.ops = &it_queue_ops;
		info.queue.drvdata = dom;
	}
	info.name = dom->uname[0] ? dom->uname : NULL;
	info.nr_slots = nslots;

	if (dom->devm)
		ims = devm_ims_create_domain(itd->pdev, &info);
	else
		ims = ims_create_domain(itd->pdev, &info);
	if (IS_ERR_OR_NULL(ims)) {
		ret = ims ? PTR_ERR(ims) : -ENOMEM;
		xa_destroy(&dom->slots);
		kfree(dom);
		it_result(itd, "err %d", ret);
		return 0;
	}
	dom->ims = ims;
	itd->doms[id] = dom;
	it_result(itd, "ok id=%u domain=IMS-%s-%s%s%s off=%#zx len=%#zx", id,
		  info.type == IMS_TEMPLATE_ARRAY ? "ARRAY" : "QUEUE",
		  pci_name(itd->pdev), dom->uname[0] ? "-" : "", dom->uname,
		  dom->off, dom->len);
	return 0;
}

static int it_cmd_destroy(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	if (dom->devm) {
		it_result(itd, "err %d managed domain lives until unbind", -EPERM);
		return 0;
	}
	it_domain_destroy(dom);
	it_result(itd, "ok");
	return 0;
}

static int it_parse_alloc(struct it_args *a)
{
	int next;

	if (!strcmp(a->argv[2], "any")) {
		a->idx = IMS_INDEX_ANY;
		next = 3;
	} else if (!strcmp(a->argv[2], "at")) {
		if (a->argc < 4 || it_uint(a->argv[3], &a->idx))
			return -EINVAL;
		next = 4;
	} else if (!strcmp(a->argv[2], "range")) {
		if (a->argc < 5 || it_uint(a->argv[3], &a->idx) ||
		    it_uint(a->argv[4], &a->last))
			return -EINVAL;
		a->flag = true;
		next = 5;
	} else {
		return -EINVAL;
	}
	return it_parse_opts(a, next, true) ? -EINVAL : 0;
}

static int it_cmd_alloc(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *unused)
{
	struct irq_affinity_desc aff = { };
	struct it_opts opts = a->opts;
	union ims_instance_cookie cookie;
	struct ims_map map;
	struct it_slot *s;
	int ret;

	if (opts.cpu >= 0)
		cpumask_set_cpu(opts.cpu, &aff.mask);

	s = it_slot_new(dom);
	if (!s) {
		it_result(itd, "err %d", -ENOMEM);
		return 0;
	}
	if (dom->type == IMS_TEMPLATE_ARRAY)
		cookie = ims_pasid_cookie(opts.pasid);
	else
		cookie.ptr = s;

	if (a->flag)
		map = ims_alloc_irq_range(dom->ims, a->idx, a->last, &cookie,
					  opts.cpu >= 0 ? &aff : NULL);
	else
		map = ims_alloc_irq(dom->ims, a->idx, &cookie,
				    opts.cpu >= 0 ? &aff : NULL);
	if (map.virq < 0) {
		it_slot_free(s);
		it_result(itd, "err %d", map.virq);
		return 0;
	}
	if (map.virq == 0 || map.index >= dom->nr_slots) {
		it_slot_free(s);
		it_result(itd, "err %d bad map index=%u virq=%d", -ERANGE,
			  map.index, map.virq);
		return 0;
	}
	ret = it_slot_add(dom, s, map);
	if (ret) {
		it_slot_free(s);
		it_result(itd, "err %d duplicate index %u", ret, map.index);
		return 0;
	}
	/* the queue template takes no PASID cookie: set it afterwards */
	if (dom->type == IMS_TEMPLATE_QUEUE && opts.pasid != IMS_PASID_NONE) {
		ret = ims_set_pasid(dom->ims, s->virq, opts.pasid);
		if (ret) {
			it_result(itd, "err %d set_pasid index=%u virq=%d",
				  ret, s->index, s->virq);
			return 0;
		}
	}
	it_result(itd, "ok index=%u virq=%d", s->index, s->virq);
	return 0;
}

static int it_parse_batch(struct it_args *a)
{
	if (it_uint(a->argv[2], &a->n) || !a->n || a->n > IT_MAX_BATCH ||
	    it_parse_opts(a, 3, true))
		return -EINVAL;
	return 0;
}

static int it_cmd_batch(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *s)
{
	union ims_instance_cookie *cookies = NULL;
	struct irq_affinity_desc *aff = NULL;
	struct it_opts opts = a->opts;
	struct ims_map *maps = NULL;
	struct it_slot **sl = NULL;
	unsigned int n = a->n, i;
	size_t pos;
	int ret;

	cookies = kcalloc(n, sizeof(*cookies), GFP_KERNEL);
	maps = kcalloc(n, sizeof(*maps), GFP_KERNEL);
	sl = kcalloc(n, sizeof(*sl), GFP_KERNEL);
	if (opts.cpu >= 0)
		aff = kcalloc(n, sizeof(*aff), GFP_KERNEL);
	if (!cookies || !maps || !sl || (opts.cpu >= 0 && !aff)) {
		ret = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < n; i++) {
		sl[i] = it_slot_new(dom);
		if (!sl[i]) {
			ret = -ENOMEM;
			goto fail;
		}
		if (dom->type == IMS_TEMPLATE_ARRAY)
			cookies[i] = ims_pasid_cookie(opts.pasid);
		else
			cookies[i].ptr = sl[i];
		if (aff)
			cpumask_set_cpu(opts.cpu, &aff[i].mask);
	}

	ret = ims_alloc_irqs(dom->ims, n, cookies, aff, maps);
	if (ret < 0)
		goto fail;

	for (i = 0; i < n; i++) {
		if (maps[i].virq <= 0 || maps[i].index >= dom->nr_slots ||
		    it_slot_add(dom, sl[i], maps[i])) {
			/* keep what was recorded, drop the rest */
			dev_err(&itd->pdev->dev,
				"batch: bad map %u: index=%u virq=%d\n",
				i, maps[i].index, maps[i].virq);
			for (; i < n; i++) {
				if (maps[i].virq > 0)
					ims_free_irq(dom->ims, maps[i]);
				it_slot_free(sl[i]);
			}
			it_result(itd, "err %d bad map", -ERANGE);
			goto out;
		}
	}
	pos = scnprintf(itd->result, IT_RESULT_LEN, "ok n=%u index=", n);
	for (i = 0; i < n; i++)
		pos += scnprintf(itd->result + pos, IT_RESULT_LEN - pos,
				 "%s%u", i ? "," : "", maps[i].index);
	pos += scnprintf(itd->result + pos, IT_RESULT_LEN - pos, " virq=");
	for (i = 0; i < n; i++)
		pos += scnprintf(itd->result + pos, IT_RESULT_LEN - pos,
				 "%s%d", i ? "," : "", maps[i].virq);
	goto out;

fail:
	for (i = 0; sl && i < n; i++)
		it_slot_free(sl[i]);
	it_result(itd, "err %d", ret);
out:
	kfree(aff);
	kfree(sl);
	kfree(maps);
	kfree(cookies);
	return 0;
}

static int it_parse_misuse(struct it_args *a)
{
	return strcmp(a->argv[3], "free") && strcmp(a->argv[3], "destroy") ?
	       -EINVAL : 0;
}

/* ims_core must refuse both and keep the slot (and the domain) intact. */
static int it_cmd_misuse(struct it_dev *itd, struct it_args *a,
			 struct it_domain *dom, struct it_slot *s)
{
	struct ims_map map = { .index = s->index, .virq = s->virq };
	struct ims_domain_stats stats;
	struct it_slot *pos;
	unsigned long idx;

	if (!s->requested) {
		it_result(itd, "err %d not requested", -EINVAL);
		return 0;
	}
	if (!strcmp(a->argv[3], "free"))
		ims_free_irq(dom->ims, map);
	else
		ims_destroy_domain(dom->ims);
	/* Forget the slots ims_core did free (the idle ones). */
	xa_for_each(&dom->slots, idx, pos) {
		if (ims_index_virq(dom->ims, idx) < 0) {
			xa_erase(&dom->slots, idx);
			it_slot_free(pos);
		}
	}
	ims_domain_get_stats(dom->ims, &stats);
	it_result(itd, "ok virq=%d used=%u", ims_index_virq(dom->ims, s->index),
		  stats.used);
	return 0;
}

static int it_cmd_free(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *s)
{
	it_slot_destroy(dom, s);
	it_result(itd, "ok");
	return 0;
}

static int it_cmd_freeall(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	it_domain_free_all(dom);
	it_result(itd, "ok");
	return 0;
}

static int it_parse_request(struct it_args *a)
{
	if (a->argc == 4 && strcmp(a->argv[3], "lazy"))
		return -EINVAL;
	a->flag = a->argc == 4;
	return 0;
}

static int it_cmd_request(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	bool lazy = a->flag;
	int ret;

	if (s->requested) {
		it_result(itd, "err %d already requested", -EBUSY);
		return 0;
	}
	/*
	 * By default disable_irq() masks the slot at once. "lazy" keeps the
	 * kernel's default for the array template, which ims_core leaves
	 * alone: the slot is masked when an interrupt arrives while disabled
	 * and the kernel resends it at enable_irq(). ims_core makes queue
	 * slots unlazy itself.
	 */
	if (lazy && dom->type != IMS_TEMPLATE_ARRAY) {
		it_result(itd, "err %d lazy is for array domains", -EINVAL);
		return 0;
	}
	if (lazy)
		irq_clear_status_flags(s->virq, IRQ_DISABLE_UNLAZY);
	else
		irq_set_status_flags(s->virq, IRQ_DISABLE_UNLAZY);
	ret = request_irq(s->virq, it_ims_handler, 0, s->name, s);
	if (ret) {
		it_result(itd, "err %d", ret);
		return 0;
	}
	s->requested = true;
	it_result(itd, "ok index=%u virq=%d", s->index, s->virq);
	return 0;
}

static int it_cmd_release(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	if (!s->requested) {
		it_result(itd, "err %d not requested", -EINVAL);
		return 0;
	}
	it_slot_release(s);
	it_result(itd, "ok");
	return 0;
}

static void it_fire_result(struct it_dev *itd, int ret, struct it_fire *f)
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

static int it_cmd_fire(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *s)
{
	struct it_fire f = { };
	unsigned int i;
	int ret = 0;

	if (a->idx >= dom->nr_slots) {
		it_result(itd, "err %d index out of range", -ERANGE);
		return 0;
	}
	for (i = 0; i < a->n && !ret; i++)
		ret = it_fire_one(dom, a->idx, a->opts.pasid, &f);
	it_fire_result(itd, ret, &f);
	return 0;
}

static int it_mask(struct it_dev *itd, struct it_slot *s, bool mask)
{
	struct it_fire f = { };
	int ret;

	if (!s->requested) {
		it_result(itd, "err %d not requested", -EINVAL);
		return 0;
	}
	if (mask) {
		disable_irq(s->virq);
		s->disabled++;
		it_result(itd, "ok depth=%u", s->disabled);
		return 0;
	}
	if (!s->disabled) {
		it_result(itd, "err %d not masked", -EINVAL);
		return 0;
	}
	enable_irq(s->virq);
	s->disabled--;
	ret = s->disabled ? 0 : it_fire_pending(s, &f);
	it_fire_result(itd, ret, &f);
	return 0;
}

static int it_cmd_mask(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *s)
{
	return it_mask(itd, s, true);
}

static int it_cmd_unmask(struct it_dev *itd, struct it_args *a,
			 struct it_domain *dom, struct it_slot *s)
{
	return it_mask(itd, s, false);
}

static int it_parse_pasid(struct it_args *a)
{
	return it_pasid(a->argv[3], &a->pasid) ? -EINVAL : 0;
}

static int it_cmd_pasid(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *s)
{
	int ret = ims_set_pasid(dom->ims, s->virq, a->pasid);

	if (ret)
		it_result(itd, "err %d", ret);
	else
		it_result(itd, "ok");
	return 0;
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

static int it_cmd_stats(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *s)
{
	struct ims_domain_stats st = { };

	ims_domain_get_stats(dom->ims, &st);
	it_result(itd, "ok nr_slots=%u used=%u held=%u sync_calls=%d sync_errors=%d sync_bad=%d",
		  st.nr_slots, st.used, st.held, atomic_read(&dom->sync_calls),
		  atomic_read(&dom->sync_errors), atomic_read(&dom->sync_bad));
	return 0;
}

static int it_parse_val(struct it_args *a)
{
	return it_uint(a->argv[2], &a->val) ? -EINVAL : 0;
}

static int it_lookup_irq(struct it_dev *itd, struct it_domain *dom,
			 unsigned int v, bool by_index)
{
	int ret;

	if (by_index) {
		ret = ims_index_virq(dom->ims, v);
		if (ret < 0)
			it_result(itd, "err %d", ret);
		else
			it_result(itd, "ok virq=%d", ret);
	} else {
		ret = ims_irq_index(dom->ims, v);
		if (ret < 0)
			it_result(itd, "err %d", ret);
		else
			it_result(itd, "ok index=%d", ret);
	}
	return 0;
}

static int it_cmd_virq(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *s)
{
	return it_lookup_irq(itd, dom, a->val, true);
}

static int it_cmd_index(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *s)
{
	return it_lookup_irq(itd, dom, a->val, false);
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
	int before;

	before = atomic_read(&itd->edu_irqs);
	writel(1, itd->regs + EDU_IRQ_RAISE);
	if (!wait_event_timeout(itd->wq, atomic_read(&itd->edu_irqs) != before,
				msecs_to_jiffies(IT_IRQ_WAIT_MS))) {
		it_result(itd, "err %d edu_irqs=%d", -ETIMEDOUT, before);
		return 0;
	}
	it_result(itd, "ok virq=%d edu_irqs=%d", itd->edu_virq,
		  atomic_read(&itd->edu_irqs));
	return 0;
}

/* what words 1 and 2 of a command name */
enum it_target {
	IT_NOTHING,
	IT_DOMAIN,	/* word 1: domain id */
	IT_SLOT,	/* word 1: domain id, word 2: slot index */
};

/**
 * struct it_cmd - a command of the cmd file
 * @name:	word 0
 * @min_argc:	fewest words
 * @max_argc:	most words
 * @target:	what the command works on, looked up after @parse
 * @parse:	reads the other words into &struct it_args, or NULL;
 *		-EINVAL for a malformed command
 * @run:	carries the command out on its target (NULL if it has
 *		none) and reports in the result; returns -EINVAL for a
 *		malformed command, else 0
 */
struct it_cmd {
	const char	*name;
	int		min_argc;
	int		max_argc;
	enum it_target	target;
	int		(*parse)(struct it_args *a);
	int		(*run)(struct it_dev *itd, struct it_args *a,
			       struct it_domain *dom, struct it_slot *s);
};

static const struct it_cmd it_cmds[] = {
	{ "create",	3, 5, IT_NOTHING, NULL, it_cmd_create },
	{ "destroy",	2, 2, IT_DOMAIN, NULL, it_cmd_destroy },
	{ "alloc",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_alloc, it_cmd_alloc },
	{ "batch",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_batch, it_cmd_batch },
	{ "free",	3, 3, IT_SLOT, NULL, it_cmd_free },
	{ "freeall",	2, 2, IT_DOMAIN, NULL, it_cmd_freeall },
	{ "request",	3, 4, IT_SLOT, it_parse_request, it_cmd_request },
	{ "release",	3, 3, IT_SLOT, NULL, it_cmd_release },
	{ "fire",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_fire, it_cmd_fire },
	{ "mask",	3, 3, IT_SLOT, NULL, it_cmd_mask },
	{ "unmask",	3, 3, IT_SLOT, NULL, it_cmd_unmask },
	{ "pasid",	4, 4, IT_SLOT, it_parse_pasid, it_cmd_pasid },
	{ "dump",	3, 3, IT_DOMAIN, it_parse_idx, it_cmd_dump },
	{ "stats",	2, 2, IT_DOMAIN, NULL, it_cmd_stats },
	{ "virq",	3, 3, IT_DOMAIN, it_parse_val, it_cmd_virq },
	{ "index",	3, 3, IT_DOMAIN, it_parse_val, it_cmd_index },
	{ "queue_fail",	3, 3, IT_DOMAIN, it_parse_queue_fail,
	  it_cmd_queue_fail },
	{ "edu_msi",	1, 1, IT_NOTHING, NULL, it_cmd_edu_msi },
	{ "misuse",	4, 4, IT_SLOT, it_parse_misuse, it_cmd_misuse },
};

static int it_exec(struct it_dev *itd, struct it_args *a)
{
	const struct it_cmd *c = NULL;
	struct it_domain *dom = NULL;
	struct it_slot *s = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(it_cmds) && !c; i++) {
		if (!strcmp(a->argv[0], it_cmds[i].name))
			c = &it_cmds[i];
	}
	if (!c || a->argc < c->min_argc || a->argc > c->max_argc)
		return -EINVAL;
	if (c->parse) {
		ret = c->parse(a);
		if (ret)
			return ret;
	}
	if (c->target != IT_NOTHING) {
		ret = it_lookup(itd, a, &dom, c->target == IT_SLOT ? &s : NULL);
		if (ret)
			return ret < 0 ? ret : 0;
	}
	return c->run(itd, a, dom, s);
}

static int it_parse(char *buf, struct it_args *a)
{
	char *p = strim(buf), *tok;

	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (a->argc == IT_MAX_ARGS)
			return -EINVAL;
		a->argv[a->argc++] = tok;
	}
	return a->argc ? 0 : -EINVAL;
}

static ssize_t it_cmd_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct it_dev *itd = file->private_data;
	struct it_args a = { };
	bool too_long = count >= IT_CMD_LEN;
	size_t n = too_long ? 0 : count;
	char buf[IT_CMD_LEN];
	int ret;

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';

	mutex_lock(&itd->lock);
	ret = too_long ? -EINVAL : it_parse(buf, &a);
	if (!ret)
		ret = it_exec(itd, &a);
	if (ret)
		it_result(itd, "err %d bad command", ret);
	mutex_unlock(&itd->lock);
	return ret ? ret : count;
}

static const struct file_operations it_cmd_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= it_cmd_write,
	.llseek	= noop_llseek,
};

static int it_result_show(struct seq_file *m, void *unused)
{
	struct it_dev *itd = m->private;

	mutex_lock(&itd->lock);
	seq_printf(m, "%s\n", itd->result);
	mutex_unlock(&itd->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(it_result);

static int it_counts_show(struct seq_file *m, void *unused)
{
	struct it_dev *itd = m->private;
	struct it_domain *dom;
	struct it_slot *s;
	unsigned long idx;
	unsigned int cpu;
	struct it_msg msg;
	int i;

	seq_puts(m, "# id index virq total pending pasid_err requested disabled masked last_cpu");
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		seq_printf(m, " cpu%u", cpu);
	seq_putc(m, '\n');

	mutex_lock(&itd->lock);
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		dom = itd->doms[i];
		if (!dom)
			continue;
		xa_for_each(&dom->slots, idx, s) {
			it_read_storage(dom, s->index, &msg);
			seq_printf(m, "%u %u %d %d %u %u %d %u %d %d", dom->id,
				   s->index, s->virq, atomic_read(&s->total),
				   s->pending, s->pasid_err, s->requested,
				   s->disabled, msg.masked,
				   READ_ONCE(s->last_cpu));
			for (cpu = 0; cpu < nr_cpu_ids; cpu++)
				seq_printf(m, " %d", atomic_read(&s->cpu[cpu]));
			seq_putc(m, '\n');
		}
	}
	seq_printf(m, "# edu_msi virq=%d count=%d\n", itd->edu_virq,
		   atomic_read(&itd->edu_irqs));
	mutex_unlock(&itd->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(it_counts);

/* ---- PCI driver -------------------------------------------------------- */

static int it_mem_setup(struct it_dev *itd)
{
	void __iomem *mem = edu_mem_map(itd->pdev, SZ_64K, &itd->mem_pdev);

	if (IS_ERR(mem))
		return PTR_ERR(mem);
	itd->mem = mem;
	itd->mem_len = pci_resource_len(itd->mem_pdev, EDU_MEM_BAR);
	return 0;
}

static void it_mem_teardown(struct it_dev *itd)
{
	edu_mem_unmap(itd->mem_pdev, itd->mem);
}

static int it_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct it_dev *itd;
	int ret;

	if (it_the_dev)
		return -EBUSY;
	itd = kzalloc(sizeof(*itd), GFP_KERNEL);
	if (!itd)
		return -ENOMEM;
	itd->pdev = pdev;
	mutex_init(&itd->lock);
	mutex_init(&itd->dma_lock);
	init_waitqueue_head(&itd->wq);
	itd->result = kzalloc(IT_RESULT_LEN, GFP_KERNEL);
	if (!itd->result) {
		ret = -ENOMEM;
		goto free;
	}
	strscpy(itd->result, "ok idle", IT_RESULT_LEN);

	itd->regs = edu_regs_map(pdev);
	if (IS_ERR(itd->regs)) {
		ret = PTR_ERR(itd->regs);
		goto free;
	}
	ret = it_mem_setup(itd);
	if (ret)
		goto unmap;

	ret = edu_words_init(&itd->words, &pdev->dev);
	if (ret)
		goto mem;

	/* edu's own interrupt: one PCI MSI, next to the IMS interrupts */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		goto dma;
	itd->edu_virq = pci_irq_vector(pdev, 0);
	ret = request_irq(itd->edu_virq, it_edu_handler, 0, "ims_test-edu",
			  itd);
	if (ret)
		goto vectors;

	pci_set_drvdata(pdev, itd);
	itd->dbg = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("cmd", 0200, itd->dbg, itd, &it_cmd_fops);
	debugfs_create_file("result", 0444, itd->dbg, itd, &it_result_fops);
	debugfs_create_file("counts", 0444, itd->dbg, itd, &it_counts_fops);
	it_the_dev = itd;

	dev_info(&pdev->dev, "edu id %#x, memory %s BAR%d %zu KiB, MSI virq %d\n",
		 readl(itd->regs + EDU_ID), pci_name(itd->mem_pdev), EDU_MEM_BAR,
		 itd->mem_len / SZ_1K, itd->edu_virq);
	return 0;

vectors:
	pci_free_irq_vectors(pdev);
dma:
	edu_words_release(&itd->words, &pdev->dev);
mem:
	it_mem_teardown(itd);
unmap:
	edu_regs_unmap(pdev, itd->regs);
free:
	kfree(itd->result);
	kfree(itd);
	return ret;
}

static void it_remove(struct pci_dev *pdev)
{
	struct it_dev *itd = pci_get_drvdata(pdev);
	int i;

	/* no command can run once the files are gone */
	debugfs_remove_recursive(itd->dbg);

	mutex_lock(&itd->lock);
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		if (itd->doms[i])
			it_domain_destroy(itd->doms[i]);
	}
	mutex_unlock(&itd->lock);

	free_irq(itd->edu_virq, itd);
	pci_free_irq_vectors(pdev);
	/* after a timed out transfer the engine may still own the buffer */
	if (!edu_dma_quiesce(itd->regs, 100, 50))
		dev_warn(&pdev->dev, "DMA engine still busy at removal\n");
	edu_words_release(&itd->words, &pdev->dev);
	it_mem_teardown(itd);
	edu_regs_unmap(pdev, itd->regs);
	it_the_dev = NULL;
	kfree(itd->result);
	kfree(itd);
}

static const struct pci_device_id it_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, it_ids);

static struct pci_driver it_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= it_ids,
	.probe		= it_probe,
	.remove		= it_remove,
};
module_pci_driver(it_driver);

MODULE_DESCRIPTION("IMS test client on QEMU's edu device");
MODULE_LICENSE("GPL");
