// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_bench - IMS against MSI-X on the QEMU test bed.
 *
 * Two devices take part. The test card (edu at function 0, ivshmem at
 * function 1 as its memory) carries the IMS domains, exactly as a client of
 * ims_core would use them. A QEMU "nvme" function with a 2048-entry MSI-X
 * table is the MSI-X contender: its Linux driver is absent, this module
 * binds it and allocates its vectors dynamically (pci_msix_alloc_irq_at(),
 * where the kernel has it) or with the disable/re-enable dance
 * (pci_free_irq_vectors() + pci_alloc_irq_vectors(k)).
 *
 * For the lossless growth test edu's DMA engine fires real messages: the
 * composed message of an IMS slot read from its storage, or the address and
 * data the kernel wrote into the nvme's MSI-X table. A masked entry (or
 * MSI-X disabled) holds the message back, as a device does; a message in
 * flight that reaches a freed remapping entry is dropped by the IOMMU.
 *
 * Control: /sys/kernel/debug/ims_bench/cmd takes one command per write(2)
 * (malformed: -EINVAL), /sys/kernel/debug/ims_bench/result tells the
 * outcome, "ok key=value ..." or "err ERRNO ...". Times are nanoseconds.
 * A batch's time is divided over its members: the times per interrupt of
 * batched and one-by-one allocation compare.
 *
 *	caps				what this kernel offers
 *	perop array|queue|msix N R	allocate N one by one, request the
 *					first R, then release and free all;
 *					mean time of each call
 *	bperop array|queue N R		the same, allocated in batches of
 *					IB_BATCH with ims_alloc_irqs()
 *	grow array|dance N CAPMS	grow from 1 to N requested vectors;
 *					stop at CAPMS
 *	lossless array|dance N GAPMS	grow from 1 to N, one step every
 *					GAPMS, while edu fires on the vectors
 *					that exist; sent vs received
 *	sopen NSLOTS			array domain for the scale test
 *	salloc TOTAL			allocate until TOTAL are held
 *	bsalloc TOTAL			the same in batches of IB_BATCH
 *	sprobe				cost at the current occupancy: a fresh
 *					domain's allocation and the irq
 *					descriptor allocator alone
 *	bsprobe				the same, the fresh domain allocated
 *					in batches of IB_BATCH
 *	sreq				request held irqs until one fails
 *	sfree				free all, destroy the scale domain
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <ims/ims.h>
#include <testcard/edu.h>

IMS_IMPORT_NS();

#define IB_NVME_VENDOR		0x1b36		/* QEMU's nvme */
#define IB_NVME_DEVICE		0x0010
#define IB_RESULT_LEN		4096
#define IB_WINDOW		64		/* ops per median window */
#define IB_BUCKETS		8
#define IB_PEROP_SLOTS		2048		/* like the MSI-X table */
#define IB_PROBE_SLOTS		IB_WINDOW
#define IB_BATCH		32		/* ims_alloc_irqs() batch */
#define IB_Q_STRIDE		32		/* queue context per slot */
#define IB_Q_ADDR_LO		0
#define IB_Q_ADDR_HI		4
#define IB_Q_DATA		8
#define IB_Q_FLAGS		12
#define  IB_Q_MASKED		BIT(0)

/* Storage regions in the card's memory (4 MiB), one per kind of domain. */
#define IB_OFF_ARRAY		0
#define IB_OFF_QUEUE		SZ_64K
#define IB_OFF_PROBE		SZ_512K
#define IB_OFF_SCALE		SZ_1M

enum ib_kind { IB_ARRAY, IB_QUEUE, IB_MSIX, IB_DANCE };

static const char * const ib_kind_names[] = {
	[IB_ARRAY] = "array", [IB_QUEUE] = "queue",
	[IB_MSIX] = "msix", [IB_DANCE] = "dance",
};

/**
 * struct ib_vec - one interrupt of a contender
 * @virq:	Linux irq, 0 when none
 * @index:	IMS slot or MSI-X table entry
 * @requested:	request_irq() done
 * @sent:	messages edu sent for it (lossless test)
 * @recv:	deliveries to its handler
 */
struct ib_vec {
	unsigned int	virq;
	unsigned int	index;
	bool		requested;
	unsigned int	sent;
	atomic_t	recv;
};

/**
 * struct ib_set - the interrupts of one contender
 * @ib:		the module's devices
 * @kind:	contender
 * @ims:	IMS domain (array and queue)
 * @store:	its storage in the card's memory
 * @vec:	the interrupts, @n of @max in use
 * @n:		allocated
 * @max:	capacity of @vec
 */
struct ib_set {
	struct ib_dev		*ib;
	enum ib_kind		kind;
	struct ims_domain	*ims;
	void __iomem		*store;
	struct ib_vec		*vec;
	unsigned int		n;
	unsigned int		max;
};

/**
 * struct ib_dev - what the module drives
 * @edu:	the card's function 0: IMS domains, DMA engine
 * @regs:	its BAR0
 * @mem_pdev:	the card's memory function
 * @mem:	its BAR2
 * @words:	edu's buffer
 * @nvme:	the MSI-X contender
 * @msix_tab:	its MSI-X table, mapped for the device-side reads
 * @msix_size:	entries of that table
 * @lock:	serializes commands
 * @scale:	the scale test's domain, kept between its commands
 * @scale_ns:	per-op allocation time of @scale, by op number
 * @dbg:	debugfs directory
 * @result:	outcome of the last command
 */
struct ib_dev {
	struct pci_dev		*edu;
	void __iomem		*regs;
	struct pci_dev		*mem_pdev;
	void __iomem		*mem;
	struct edu_words	words;
	struct pci_dev		*nvme;
	void __iomem		*msix_tab;
	unsigned int		msix_size;
	struct mutex		lock;		/* commands */
	struct ib_set		scale;
	u32			*scale_ns;
	struct dentry		*dbg;
	char			*result;
};

static struct ib_dev ib_the_dev = {
	.lock = __MUTEX_INITIALIZER(ib_the_dev.lock),
};

static __printf(2, 3) void ib_result(struct ib_dev *ib, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(ib->result, IB_RESULT_LEN, fmt, args);
	va_end(args);
}

/* Append to the result of the current command. */
static __printf(2, 3) void ib_result_add(struct ib_dev *ib, const char *fmt, ...)
{
	size_t len = strlen(ib->result);
	va_list args;

	va_start(args, fmt);
	vscnprintf(ib->result + len, IB_RESULT_LEN - len, fmt, args);
	va_end(args);
}

/*
 * Dynamic MSI-X came with v6.2's per-device MSI domains; 6.1 has only the
 * dance. IB_HAVE_MSIX_DYN is probed from the kernel's pci.h by Kbuild.
 */
#ifdef IB_HAVE_MSIX_DYN
static bool ib_msix_dyn(struct pci_dev *pdev)
{
	return pci_msix_can_alloc_dyn(pdev);
}

static int ib_msix_alloc(struct pci_dev *pdev, struct ib_vec *v)
{
	struct msi_map map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);

	if (map.index < 0)
		return map.index;
	v->index = map.index;
	v->virq = map.virq;
	return 0;
}

static void ib_msix_free(struct pci_dev *pdev, struct ib_vec *v)
{
	struct msi_map map = { .index = v->index, .virq = v->virq };

	pci_msix_free_irq(pdev, map);
}
#else
static bool ib_msix_dyn(struct pci_dev *pdev)
{
	return false;
}

static int ib_msix_alloc(struct pci_dev *pdev, struct ib_vec *v)
{
	return -EOPNOTSUPP;
}

static void ib_msix_free(struct pci_dev *pdev, struct ib_vec *v)
{
}
#endif

/* ---- timing helpers ---------------------------------------------------- */

static int ib_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * Median of @n samples, the mean of the middle two if @n is even (the
 * members of a batch share one time: of two batches, the upper median
 * would be the slower one); sorts a copy. 0 if there are none.
 */
static u32 ib_median(const u32 *v, unsigned int n)
{
	u32 *tmp, m;

	if (!n)
		return 0;
	tmp = kvmalloc_array(n, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return 0;
	memcpy(tmp, v, n * sizeof(*tmp));
	sort(tmp, n, sizeof(*tmp), ib_cmp_u32, NULL);
	m = tmp[n / 2];
	if (n % 2 == 0)
		m = tmp[n / 2 - 1] + (m - tmp[n / 2 - 1]) / 2;
	kvfree(tmp);
	return m;
}

static u32 ib_since(u64 t0)
{
	return min_t(u64, ktime_get_ns() - t0, U32_MAX);
}

/* ---- the contenders ---------------------------------------------------- */

static irqreturn_t ib_handler(int irq, void *data)
{
	struct ib_vec *v = data;

	atomic_inc(&v->recv);
	return IRQ_HANDLED;
}

static int ib_queue_sync(void *drvdata, unsigned int index, void *ctx,
			 const struct ims_queue_msg *msg)
{
	struct ib_set *set = drvdata;
	void __iomem *q = set->store + (size_t)index * IB_Q_STRIDE;

	/* masked while the context is inconsistent */
	writel(IB_Q_MASKED, q + IB_Q_FLAGS);
	writel(msg->address_lo, q + IB_Q_ADDR_LO);
	writel(msg->address_hi, q + IB_Q_ADDR_HI);
	writel(msg->data, q + IB_Q_DATA);
	writel(msg->masked ? IB_Q_MASKED : 0, q + IB_Q_FLAGS);
	readl(q + IB_Q_FLAGS);
	return 0;
}

static const struct ims_queue_ops ib_queue_ops = {
	.sync	= ib_queue_sync,
};

static int ib_ims_open(struct ib_set *set, const char *name, size_t off,
		       unsigned int nslots)
{
	struct ims_domain_info info = {
		.name = name,
		.nr_slots = nslots,
	};
	size_t len;

	set->store = set->ib->mem + off;
	if (set->kind == IB_ARRAY) {
		len = (size_t)nslots * ims_array_layout_dsa.stride;
		edu_array_reset(&ims_array_layout_dsa, set->store, len);
		info.type = IMS_TEMPLATE_ARRAY;
		info.array.slots = set->store;
	} else {
		memset_io(set->store, 0, (size_t)nslots * IB_Q_STRIDE);
		info.type = IMS_TEMPLATE_QUEUE;
		info.queue.ops = &ib_queue_ops;
		info.queue.drvdata = set;
	}
	set->ims = ims_create_domain(set->ib->edu, &info);
	if (IS_ERR(set->ims)) {
		int ret = PTR_ERR(set->ims);

		set->ims = NULL;
		return ret;
	}
	return 0;
}

/*
 * Prepare a contender for up to @max interrupts. MSI-X starts with one
 * vector enabled (dynamic allocation needs MSI-X on), which is not part of
 * the set; the dance starts with none.
 */
static int ib_set_open(struct ib_dev *ib, struct ib_set *set,
		       enum ib_kind kind, const char *name, size_t off,
		       unsigned int max)
{
	int ret;

	memset(set, 0, sizeof(*set));
	set->ib = ib;
	set->kind = kind;
	set->max = max;
	if (kind == IB_MSIX || kind == IB_DANCE) {
		if (!ib->nvme)
			return -ENODEV;
		/* dynamic MSI-X keeps entry 0 for pci_alloc_irq_vectors() */
		if (max > ib->msix_size - (kind == IB_MSIX ? 1 : 0))
			return -E2BIG;
	}
	set->vec = kvcalloc(max, sizeof(*set->vec), GFP_KERNEL);
	if (!set->vec)
		return -ENOMEM;

	switch (kind) {
	case IB_ARRAY:
	case IB_QUEUE:
		ret = ib_ims_open(set, name, off, max);
		break;
	case IB_MSIX:
		ret = pci_alloc_irq_vectors(ib->nvme, 1, 1, PCI_IRQ_MSIX);
		if (ret >= 0 && !ib_msix_dyn(ib->nvme)) {
			pci_free_irq_vectors(ib->nvme);
			ret = -EOPNOTSUPP;
		}
		break;
	default:
		ret = 0;
		break;
	}
	if (ret < 0) {
		kvfree(set->vec);
		set->vec = NULL;
		return ret;
	}
	return 0;
}

static int ib_set_request(struct ib_set *set, unsigned int i)
{
	struct ib_vec *v = &set->vec[i];
	int ret;

	ret = request_irq(v->virq, ib_handler, 0, KBUILD_MODNAME, v);
	if (!ret)
		v->requested = true;
	return ret;
}

static void ib_set_release(struct ib_set *set, unsigned int i)
{
	struct ib_vec *v = &set->vec[i];

	if (!v->requested)
		return;
	free_irq(v->virq, v);
	v->requested = false;
}

/*
 * Allocate @nr more interrupts (not for the dance): one with
 * ims_alloc_irq() or pci_msix_alloc_irq_at(), or an IMS batch of up to
 * IB_BATCH with ims_alloc_irqs(), all or nothing.
 */
static int ib_set_alloc(struct ib_set *set, unsigned int nr)
{
	struct ib_vec *v = &set->vec[set->n];
	struct ims_map maps[IB_BATCH];
	unsigned int i;
	int ret;

	if (!nr || nr > IB_BATCH || (nr > 1 && set->kind == IB_MSIX))
		return -EINVAL;
	if (nr > set->max - set->n)
		return -ENOSPC;
	if (set->kind == IB_MSIX) {
		ret = ib_msix_alloc(set->ib->nvme, v);
		if (ret)
			return ret;
		set->n++;
		return 0;
	}
	if (nr == 1) {
		maps[0] = ims_alloc_irq(set->ims, IMS_INDEX_ANY, NULL, NULL);
		ret = maps[0].virq < 0 ? maps[0].virq : 0;
	} else {
		ret = ims_alloc_irqs(set->ims, nr, NULL, NULL, maps);
	}
	if (ret)
		return ret;
	for (i = 0; i < nr; i++) {
		v[i].index = maps[i].index;
		v[i].virq = maps[i].virq;
	}
	set->n += nr;
	return 0;
}

/*
 * ib_set_alloc(), timed: each of the @nr interrupts gets the call's time
 * divided by @nr in @t[0 .. @nr - 1].
 */
static int ib_set_alloc_timed(struct ib_set *set, unsigned int nr, u32 *t)
{
	u64 t0 = ktime_get_ns();
	int ret = ib_set_alloc(set, nr);
	u32 dt = ib_since(t0) / nr;
	unsigned int i;

	for (i = 0; i < nr; i++)
		t[i] = dt;
	return ret;
}

/* Free the most recent interrupt, released first. */
static void ib_set_free_last(struct ib_set *set)
{
	struct ib_vec *v = &set->vec[set->n - 1];
	struct ims_map map = { .index = v->index, .virq = v->virq };

	ib_set_release(set, set->n - 1);
	if (set->kind == IB_MSIX)
		ib_msix_free(set->ib->nvme, v);
	else
		ims_free_irq(set->ims, map);
	v->virq = 0;
	set->n--;
}

/* Release everything, free everything, undo ib_set_open(). */
static void ib_set_close(struct ib_set *set)
{
	unsigned int i;

	if (!set->vec)
		return;
	if (set->kind == IB_DANCE) {
		for (i = 0; i < set->n; i++)
			ib_set_release(set, i);
		if (set->n)
			pci_free_irq_vectors(set->ib->nvme);
	} else {
		while (set->n)
			ib_set_free_last(set);
	}
	if (set->kind == IB_MSIX)
		pci_free_irq_vectors(set->ib->nvme);
	if (set->ims)
		ims_destroy_domain(set->ims);
	kvfree(set->vec);
	set->vec = NULL;
	set->ims = NULL;
}

/*
 * One step of the dance to @k vectors: release all, disable MSI-X,
 * enable it with @k vectors, request all.
 */
static int ib_dance_step(struct ib_set *set, unsigned int k)
{
	struct pci_dev *pdev = set->ib->nvme;
	unsigned int i;
	int ret;

	for (i = 0; i < set->n; i++)
		ib_set_release(set, i);
	if (set->n)
		pci_free_irq_vectors(pdev);
	set->n = 0;
	ret = pci_alloc_irq_vectors(pdev, k, k, PCI_IRQ_MSIX);
	if (ret < 0)
		return ret;
	set->n = k;
	for (i = 0; i < k; i++) {
		set->vec[i].index = i;
		set->vec[i].virq = pci_irq_vector(pdev, i);
		ret = ib_set_request(set, i);
		if (ret)
			return ret;
	}
	return 0;
}

/* Grow by one requested interrupt: one IMS allocation or a dance step. */
static int ib_grow_step(struct ib_set *set)
{
	int ret;

	if (set->kind == IB_DANCE)
		return ib_dance_step(set, set->n + 1);
	ret = ib_set_alloc(set, 1);
	if (ret)
		return ret;
	return ib_set_request(set, set->n - 1);
}

/* The slab object ims_core keeps per slot (its chip data). */
static size_t ib_slot_bytes(struct ib_set *set)
{
	if (!set->n || set->kind == IB_MSIX || set->kind == IB_DANCE)
		return 0;
	return ksize(irq_get_chip_data(set->vec[0].virq));
}

static int ib_parse_kind(const char *s, enum ib_kind *kind)
{
	int i = match_string(ib_kind_names, ARRAY_SIZE(ib_kind_names), s);

	if (i < 0)
		return -EINVAL;
	*kind = i;
	return 0;
}

/* ---- commands ----------------------------------------------------------- */

static void ib_cmd_caps(struct ib_dev *ib)
{
	bool dyn = false;

	/* whether this kernel can allocate MSI-X vectors one by one */
	if (ib->nvme && pci_alloc_irq_vectors(ib->nvme, 1, 1, PCI_IRQ_MSIX) > 0) {
		dyn = ib_msix_dyn(ib->nvme);
		pci_free_irq_vectors(ib->nvme);
	}
	ib_result(ib, "ok edu=%d nvme=%d msix_size=%u msix_dyn=%d cpus=%u batch=%u",
		  !!ib->edu, !!ib->nvme, ib->msix_size, dyn, num_online_cpus(),
		  IB_BATCH);
}

static const char *ib_name(enum ib_kind kind)
{
	return kind == IB_ARRAY ? "bench-array" : "bench-queue";
}

static size_t ib_off(enum ib_kind kind)
{
	return kind == IB_ARRAY ? IB_OFF_ARRAY : IB_OFF_QUEUE;
}

/* Mean of @n samples, 0 if none. */
static u32 ib_mean(const u32 *v, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return n ? div_u64(sum, n) : 0;
}

enum { IB_T_ALLOC, IB_T_REQ, IB_T_REL, IB_T_FREE, IB_T_NR };

static const char * const ib_t_names[IB_T_NR] = {
	"alloc", "req", "rel", "free",
};

/*
 * Every call is timed on its own: the median per call shrugs off the calls
 * during which the host descheduled the emulator; the mean is kept too.
 * IMS allocates in batches of @batch (1: one by one), each batch's
 * interrupts requested right after it.
 */
static void ib_cmd_perop(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
			 unsigned int reqmax, unsigned int batch)
{
	unsigned int i, j, k, nr, nreq = min(n, reqmax), cnt[IB_T_NR];
	struct ib_set set;
	size_t slot_bytes;
	u32 *t[IB_T_NR];
	u64 t0;
	int ret;

	if (kind == IB_DANCE || (kind == IB_MSIX && batch > 1) || !n ||
	    n > IB_PEROP_SLOTS) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	t[0] = kvcalloc((size_t)n * IB_T_NR, sizeof(u32), GFP_KERNEL);
	if (!t[0]) {
		ib_result(ib, "err %d", -ENOMEM);
		return;
	}
	for (k = 1; k < IB_T_NR; k++)
		t[k] = t[0] + (size_t)k * n;
	cnt[IB_T_ALLOC] = n;
	cnt[IB_T_REQ] = nreq;
	cnt[IB_T_REL] = nreq;
	cnt[IB_T_FREE] = n;

	ret = ib_set_open(ib, &set, kind, ib_name(kind), ib_off(kind), n);
	if (ret) {
		ib_result(ib, "err %d open", ret);
		goto out;
	}
	for (i = 0; i < n; i += nr) {
		nr = min(batch, n - i);
		ret = ib_set_alloc_timed(&set, nr, t[IB_T_ALLOC] + i);
		if (ret)
			goto fail;
		for (j = i; j < min(i + nr, nreq); j++) {
			t0 = ktime_get_ns();
			ret = ib_set_request(&set, j);
			t[IB_T_REQ][j] = ib_since(t0);
			if (ret)
				goto fail;
		}
	}
	slot_bytes = ib_slot_bytes(&set);
	while (set.n) {
		i = set.n - 1;
		t0 = ktime_get_ns();
		ib_set_release(&set, i);
		if (i < nreq)
			t[IB_T_REL][i] = ib_since(t0);
		t0 = ktime_get_ns();
		ib_set_free_last(&set);
		t[IB_T_FREE][i] = ib_since(t0);
	}
	ib_set_close(&set);
	ib_result(ib, "ok n=%u nreq=%u batch=%u slot_bytes=%zu", n, nreq, batch,
		  slot_bytes);
	for (k = 0; k < IB_T_NR; k++)
		ib_result_add(ib, " %s=%u %s_med=%u", ib_t_names[k],
			      ib_mean(t[k], cnt[k]), ib_t_names[k],
			      ib_median(t[k], cnt[k]));
	goto out;

fail:
	ib_result(ib, "err %d at %u of %u", ret, set.n, n);
	ib_set_close(&set);
out:
	kvfree(t[0]);
}

/*
 * Open a growing contender (IMS array or the MSI-X dance) of up to @n
 * vectors; both start from one requested vector. On failure the result
 * says why and nothing is left open.
 */
static int ib_growth_open(struct ib_dev *ib, struct ib_set *set,
			  enum ib_kind kind, unsigned int n)
{
	int ret;

	if ((kind != IB_ARRAY && kind != IB_DANCE) || n < 2 ||
	    n > IB_PEROP_SLOTS) {
		ib_result(ib, "err %d", -EINVAL);
		return -EINVAL;
	}
	ret = ib_set_open(ib, set, kind, ib_name(kind), ib_off(kind), n);
	if (ret) {
		ib_result(ib, "err %d open", ret);
		return ret;
	}
	ret = ib_grow_step(set);
	if (ret) {
		ib_result(ib, "err %d at %u of %u", ret, set->n, n);
		ib_set_close(set);
	}
	return ret;
}

static void ib_cmd_grow(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
			unsigned int cap_ms)
{
	u64 cap = (u64)cap_ms * NSEC_PER_MSEC, t0, ns;
	struct ib_set set;
	bool capped = false;
	int ret = 0;

	if (ib_growth_open(ib, &set, kind, n))
		return;
	t0 = ktime_get_ns();
	while (set.n < n) {
		if (ktime_get_ns() - t0 > cap) {
			capped = true;
			break;
		}
		ret = ib_grow_step(&set);
		if (ret)
			goto out;
	}
	ns = ktime_get_ns() - t0;
	ib_result(ib, "ok n=%u reached=%u capped=%d ns=%llu", n, set.n, capped,
		  ns);
out:
	if (ret)
		ib_result(ib, "err %d at %u of %u", ret, set.n, n);
	ib_set_close(&set);
}

/* ---- lossless growth: edu fires while the contender grows -------------- */

/**
 * struct ib_engine - edu firing the vectors of a growing contender
 * @set:	the contender
 * @live:	vectors 0 .. @live - 1 exist and may be fired
 * @held:	looks at a masked entry (or disabled MSI-X): held back
 * @err:	first DMA error
 */
struct ib_engine {
	struct ib_set	*set;
	atomic_t	live;
	unsigned int	held;
	int		err;
};

/* Read vector @j's message the way the device does; false if held back. */
static bool ib_engine_msg(struct ib_engine *eng, unsigned int j,
			  struct edu_entry *e)
{
	struct ib_set *set = eng->set;
	struct ib_dev *ib = set->ib;
	u16 flags;

	if (set->kind == IB_DANCE) {
		pci_read_config_word(ib->nvme, ib->nvme->msix_cap + PCI_MSIX_FLAGS,
				     &flags);
		if (!(flags & PCI_MSIX_FLAGS_ENABLE) ||
		    (flags & PCI_MSIX_FLAGS_MASKALL))
			return false;
		edu_entry_read(&ims_array_layout_dsa, ib->msix_tab, j, e);
	} else {
		edu_entry_read(&ims_array_layout_dsa, set->store,
			       READ_ONCE(set->vec[j].index), e);
	}
	return !e->masked && edu_msi_addr_ok(e->addr);
}

static int ib_engine_fn(void *data)
{
	struct ib_engine *eng = data;
	struct ib_set *set = eng->set;
	unsigned int j = 0;
	struct edu_entry e;
	int ret;

	while (!kthread_should_stop()) {
		/* a held message stays pending on its vector */
		if (!ib_engine_msg(eng, j, &e)) {
			eng->held++;
			usleep_range(500, 1000);
			continue;
		}
		ret = edu_send(&set->ib->words, set->ib->regs, e.addr, e.data);
		if (ret) {
			eng->err = ret;
			break;
		}
		set->vec[j].sent++;
		j = (j + 1) % atomic_read_acquire(&eng->live);
	}
	/* kthread_stop() must find the thread alive */
	while (!kthread_should_stop())
		msleep(20);
	return 0;
}

static void ib_cmd_lossless(struct ib_dev *ib, enum ib_kind kind,
			    unsigned int n, unsigned int gap_ms)
{
	unsigned int i, sent = 0, recv = 0, lost = 0, extra = 0, bad = 0;
	struct ib_engine eng = { };
	struct task_struct *task;
	struct ib_set set;
	u64 t0, ns;
	int ret = 0;

	if (ib_growth_open(ib, &set, kind, n))
		return;
	eng.set = &set;
	atomic_set(&eng.live, 1);
	task = kthread_run(ib_engine_fn, &eng, "ims_bench_edu");
	if (IS_ERR(task)) {
		ret = PTR_ERR(task);
		goto out;
	}
	t0 = ktime_get_ns();
	for (i = 1; i < n && !ret; i++) {
		/* the same schedule for both: step i not before i * gap */
		u64 due = t0 + (u64)i * gap_ms * NSEC_PER_MSEC, now = ktime_get_ns();

		if (now < due)
			usleep_range(div_u64(due - now, NSEC_PER_USEC),
				     div_u64(due - now, NSEC_PER_USEC) + 100);
		ret = ib_grow_step(&set);
		if (!ret)
			atomic_set_release(&eng.live, set.n);
	}
	ns = ktime_get_ns() - t0;
	kthread_stop(task);
	/* deliveries of the last write */
	msleep(100);
	if (ret)
		goto out;
	for (i = 0; i < set.n; i++) {
		unsigned int s = set.vec[i].sent;
		unsigned int r = atomic_read(&set.vec[i].recv);

		sent += s;
		recv += r;
		lost += s > r ? s - r : 0;
		extra += r > s ? r - s : 0;
		bad += r != s;
	}
	ib_result(ib, "ok n=%u reached=%u sent=%u recv=%u lost=%u extra=%u",
		  n, set.n, sent, recv, lost, extra);
	ib_result_add(ib, " vec_mismatch=%u held=%u dma_err=%d ns=%llu", bad,
		      eng.held, eng.err, ns);
out:
	if (ret)
		ib_result(ib, "err %d at %u of %u", ret, set.n, n);
	ib_set_close(&set);
}

/* ---- scale: one big array domain, kept between commands ---------------- */

static void ib_cmd_sopen(struct ib_dev *ib, unsigned int nslots)
{
	size_t room = pci_resource_len(ib->mem_pdev, EDU_MEM_BAR) - IB_OFF_SCALE;
	int ret;

	if (ib->scale.vec) {
		ib_result(ib, "err %d already open", -EBUSY);
		return;
	}
	if (!nslots || (size_t)nslots * ims_array_layout_dsa.stride > room) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	ib->scale_ns = kvcalloc(nslots, sizeof(*ib->scale_ns), GFP_KERNEL);
	if (!ib->scale_ns) {
		ib_result(ib, "err %d", -ENOMEM);
		return;
	}
	ret = ib_set_open(ib, &ib->scale, IB_ARRAY, "bench-scale", IB_OFF_SCALE,
			  nslots);
	if (ret) {
		kvfree(ib->scale_ns);
		ib->scale_ns = NULL;
		ib_result(ib, "err %d open", ret);
		return;
	}
	ib_result(ib, "ok nslots=%u", nslots);
}

/* Allocate in batches of @batch until @total are held. */
static void ib_cmd_salloc(struct ib_dev *ib, unsigned int total,
			  unsigned int batch)
{
	struct ib_set *set = &ib->scale;
	unsigned int from = set->n, b, len, w;
	int ret = 0;

	if (!set->vec || total > set->max || total <= from) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	while (set->n < total && !ret)
		ret = ib_set_alloc_timed(set, min(batch, total - set->n),
					 ib->scale_ns + set->n);
	len = set->n - from;
	w = min_t(unsigned int, len, IB_WINDOW);
	ib_result(ib, "ok from=%u reached=%u err=%d batch=%u slot_bytes=%zu",
		  from, set->n, ret, batch, ib_slot_bytes(set));
	ib_result_add(ib, " first%u=%u last%u=%u", IB_WINDOW,
		      ib_median(ib->scale_ns + from, w), IB_WINDOW,
		      ib_median(ib->scale_ns + set->n - w, w));
	/* median of each eighth of this call's allocations */
	for (b = 0; b < IB_BUCKETS && len >= IB_BUCKETS; b++)
		ib_result_add(ib, " e%u=%u", b + 1,
			      ib_median(ib->scale_ns + from + b * len / IB_BUCKETS,
					len / IB_BUCKETS));
}

/*
 * Where does allocation time go at this occupancy? A fresh domain (its own
 * slot allocator empty) allocates IB_PROBE_SLOTS irqs in batches of @batch:
 * if that is as slow as the full domain, the cost is below ims_core, in the
 * kernel's allocators shared by all domains. The irq descriptor allocator is
 * timed on its own.
 */
static void ib_cmd_sprobe(struct ib_dev *ib, unsigned int batch)
{
	u32 t_dom[IB_PROBE_SLOTS], t_desc[IB_PROBE_SLOTS];
	int virqs[IB_PROBE_SLOTS];
	struct ib_set probe;
	unsigned int i;
	int ret;
	u64 t0;

	ret = ib_set_open(ib, &probe, IB_ARRAY, "bench-probe", IB_OFF_PROBE,
			  IB_PROBE_SLOTS);
	if (ret) {
		ib_result(ib, "err %d open", ret);
		return;
	}
	while (probe.n < IB_PROBE_SLOTS && !ret)
		ret = ib_set_alloc_timed(&probe,
					 min(batch, IB_PROBE_SLOTS - probe.n),
					 t_dom + probe.n);
	ib_set_close(&probe);
	if (ret) {
		ib_result(ib, "err %d probe alloc", ret);
		return;
	}
	for (i = 0; i < IB_PROBE_SLOTS; i++) {
		t0 = ktime_get_ns();
		/* as __irq_domain_alloc_irqs() asks: first free from 1 */
		virqs[i] = irq_alloc_descs(-1, 1, 1, dev_to_node(&ib->edu->dev));
		t_desc[i] = ib_since(t0);
	}
	for (i = 0; i < IB_PROBE_SLOTS; i++) {
		if (virqs[i] < 0)
			ret = virqs[i];
		else
			irq_free_desc(virqs[i]);
	}
	if (ret) {
		ib_result(ib, "err %d desc alloc", ret);
		return;
	}
	ib_result(ib, "ok occupied=%u allocs=%u batch=%u fresh_domain=%u desc=%u",
		  ib->scale.n, IB_PROBE_SLOTS, batch,
		  ib_median(t_dom, IB_PROBE_SLOTS),
		  ib_median(t_desc, IB_PROBE_SLOTS));
}

static void ib_cmd_sreq(struct ib_dev *ib)
{
	struct ib_set *set = &ib->scale;
	unsigned int i, nreq = 0;
	int ret = 0;

	if (!set->vec) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	for (i = 0; i < set->n; i++) {
		ret = ib_set_request(set, i);
		if (ret)
			break;
		nreq++;
	}
	for (i = 0; i < nreq; i++)
		ib_set_release(set, i);
	ib_result(ib, "ok held=%u requested=%u err=%d", set->n, nreq, ret);
}

static void ib_scale_close(struct ib_dev *ib)
{
	ib_set_close(&ib->scale);
	kvfree(ib->scale_ns);
	ib->scale_ns = NULL;
}

static void ib_cmd_sfree(struct ib_dev *ib)
{
	unsigned int n = ib->scale.n;
	u64 t0, ns;

	if (!ib->scale.vec) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	t0 = ktime_get_ns();
	ib_scale_close(ib);
	ns = ktime_get_ns() - t0;
	ib_result(ib, "ok freed=%u free=%llu", n, n ? div_u64(ns, n) : 0);
}

/* ---- control files ------------------------------------------------------ */

#define IB_MAX_ARGS	4

/* These verbs without their leading "b" allocate one by one. */
static const char * const ib_batched_verbs[] = {
	"bperop", "bsalloc", "bsprobe",
};

static int ib_exec(struct ib_dev *ib, int argc, char **argv)
{
	unsigned int v[2] = { }, batch = 1;
	enum ib_kind kind;
	int i;

	if (match_string(ib_batched_verbs, ARRAY_SIZE(ib_batched_verbs),
			 argv[0]) >= 0) {
		batch = IB_BATCH;
		argv[0]++;
	}

	for (i = 2; i < argc && i < 4; i++) {
		if (kstrtouint(argv[i], 0, &v[i - 2]))
			return -EINVAL;
	}
	if (!strcmp(argv[0], "caps") && argc == 1) {
		ib_cmd_caps(ib);
	} else if (!strcmp(argv[0], "sopen") && argc == 2) {
		if (kstrtouint(argv[1], 0, &v[0]))
			return -EINVAL;
		ib_cmd_sopen(ib, v[0]);
	} else if (!strcmp(argv[0], "salloc") && argc == 2) {
		if (kstrtouint(argv[1], 0, &v[0]))
			return -EINVAL;
		ib_cmd_salloc(ib, v[0], batch);
	} else if (!strcmp(argv[0], "sprobe") && argc == 1) {
		ib_cmd_sprobe(ib, batch);
	} else if (!strcmp(argv[0], "sreq") && argc == 1) {
		ib_cmd_sreq(ib);
	} else if (!strcmp(argv[0], "sfree") && argc == 1) {
		ib_cmd_sfree(ib);
	} else if (argc == 4 && !ib_parse_kind(argv[1], &kind)) {
		if (!strcmp(argv[0], "perop"))
			ib_cmd_perop(ib, kind, v[0], v[1], batch);
		else if (!strcmp(argv[0], "grow"))
			ib_cmd_grow(ib, kind, v[0], v[1]);
		else if (!strcmp(argv[0], "lossless"))
			ib_cmd_lossless(ib, kind, v[0], v[1]);
		else
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

static ssize_t ib_cmd_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct ib_dev *ib = file->private_data;
	char *argv[IB_MAX_ARGS], *buf, *p, *tok;
	int argc = 0, ret;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 128));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = strim(buf);
	while ((tok = strsep(&p, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == IB_MAX_ARGS) {
			kfree(buf);
			return -EINVAL;
		}
		argv[argc++] = tok;
	}
	ret = -EINVAL;
	if (argc) {
		mutex_lock(&ib->lock);
		if (!ib->edu || !ib->mem)
			ret = -ENODEV;
		else
			ret = ib_exec(ib, argc, argv);
		mutex_unlock(&ib->lock);
	}
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations ib_cmd_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= ib_cmd_write,
	.llseek	= noop_llseek,
};

static int ib_result_show(struct seq_file *m, void *unused)
{
	struct ib_dev *ib = m->private;

	mutex_lock(&ib->lock);
	seq_printf(m, "%s\n", ib->result);
	mutex_unlock(&ib->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ib_result);

/* ---- PCI driver: the card's edu function and the nvme function --------- */

static int ib_nvme_probe(struct ib_dev *ib, struct pci_dev *pdev)
{
	u32 table;
	int ret;

	if (!pdev->msix_cap)
		return -ENODEV;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	ib->msix_size = pci_msix_vec_count(pdev);
	/* the device side reads the table; the kernel maps it separately */
	ib->msix_tab = pci_iomap_range(pdev, table & PCI_MSIX_TABLE_BIR,
				       table & PCI_MSIX_TABLE_OFFSET,
				       (size_t)ib->msix_size * PCI_MSIX_ENTRY_SIZE);
	if (!ib->msix_tab) {
		pci_disable_device(pdev);
		return -ENOMEM;
	}
	ib->nvme = pdev;
	return 0;
}

static int ib_edu_probe(struct ib_dev *ib, struct pci_dev *pdev)
{
	void __iomem *regs, *mem;
	int ret;

	regs = edu_regs_map(pdev);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	mem = edu_mem_map(pdev, SZ_4M, &ib->mem_pdev);
	if (IS_ERR(mem)) {
		ret = PTR_ERR(mem);
		goto unmap;
	}
	ret = edu_words_init(&ib->words, &pdev->dev);
	if (ret)
		goto mem;
	ib->regs = regs;
	ib->mem = mem;
	ib->edu = pdev;
	return 0;

mem:
	edu_mem_unmap(ib->mem_pdev, mem);
unmap:
	edu_regs_unmap(pdev, regs);
	return ret;
}

static int ib_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ib_dev *ib = &ib_the_dev;
	int ret;

	mutex_lock(&ib->lock);
	if (pdev->vendor == EDU_VENDOR)
		ret = ib->edu ? -EBUSY : ib_edu_probe(ib, pdev);
	else
		ret = ib->nvme ? -EBUSY : ib_nvme_probe(ib, pdev);
	mutex_unlock(&ib->lock);
	return ret;
}

static void ib_remove(struct pci_dev *pdev)
{
	struct ib_dev *ib = &ib_the_dev;

	mutex_lock(&ib->lock);
	if (pdev == ib->nvme) {
		pci_iounmap(pdev, ib->msix_tab);
		pci_disable_device(pdev);
		ib->nvme = NULL;
	} else if (pdev == ib->edu) {
		if (ib->scale.vec)
			ib_scale_close(ib);
		if (!edu_dma_quiesce(ib->regs, 100, 50))
			dev_warn(&pdev->dev, "DMA engine still busy at removal\n");
		edu_words_release(&ib->words, &pdev->dev);
		edu_mem_unmap(ib->mem_pdev, ib->mem);
		edu_regs_unmap(pdev, ib->regs);
		ib->mem = NULL;
		ib->edu = NULL;
	}
	mutex_unlock(&ib->lock);
}

static const struct pci_device_id ib_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ PCI_DEVICE(IB_NVME_VENDOR, IB_NVME_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ib_ids);

static struct pci_driver ib_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= ib_ids,
	.probe		= ib_probe,
	.remove		= ib_remove,
};

static int __init ib_init(void)
{
	struct ib_dev *ib = &ib_the_dev;
	int ret;

	ib->result = kzalloc(IB_RESULT_LEN, GFP_KERNEL);
	if (!ib->result)
		return -ENOMEM;
	strscpy(ib->result, "ok idle", IB_RESULT_LEN);
	ret = pci_register_driver(&ib_driver);
	if (ret) {
		kfree(ib->result);
		return ret;
	}
	ib->dbg = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("cmd", 0200, ib->dbg, ib, &ib_cmd_fops);
	debugfs_create_file("result", 0444, ib->dbg, ib, &ib_result_fops);
	return 0;
}

static void __exit ib_exit(void)
{
	debugfs_remove_recursive(ib_the_dev.dbg);
	pci_unregister_driver(&ib_driver);
	kfree(ib_the_dev.result);
}

module_init(ib_init);
module_exit(ib_exit);

MODULE_DESCRIPTION("IMS against MSI-X benchmark on the QEMU test bed");
MODULE_LICENSE("GPL");
