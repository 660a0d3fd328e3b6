// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_bench - the interrupt sets of the contenders and the timing helpers.
 *
 * A set is what one contender holds: IMS interrupts of one domain on the
 * test card (array or queue template, with or without IMS_DOMAIN_SPARES),
 * dynamic MSI-X vectors of the nvme function, or the nvme's vectors as the
 * disable/re-enable dance leaves them.
 */

#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>

#include "ims_bench_common.h"

/* ---- timing ------------------------------------------------------------- */

static int ib_cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* The median of sorted @s[0 .. @n - 1], the mean of the middle two if even. */
static u32 ib_sorted_median(const u32 *s, unsigned int n)
{
	u32 m = s[n / 2];

	if (n % 2 == 0)
		m = s[n / 2 - 1] + (m - s[n / 2 - 1]) / 2;
	return m;
}

/**
 * ib_stats - order statistics and mean of @n samples
 * @v:	the samples (not changed: a copy is sorted)
 * @n:	how many
 * @s:	receives the figures; zeroed when there are no samples
 *
 * The median of an even count is the mean of the middle two (the members
 * of a batch share one time: of two batches, the upper median would be the
 * slower one); the quartiles are the samples of nearest rank.
 *
 * Return: 0, or -ENOMEM (then @s is zeroed).
 */
int ib_stats(const u32 *v, unsigned int n, struct ib_stats *s)
{
	u32 *tmp;

	memset(s, 0, sizeof(*s));
	if (!n)
		return 0;
	tmp = kvmalloc_array(n, sizeof(*tmp), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	memcpy(tmp, v, n * sizeof(*tmp));
	sort(tmp, n, sizeof(*tmp), ib_cmp_u32, NULL);
	s->min = tmp[0];
	s->q1 = tmp[(n - 1) / 4];
	s->med = ib_sorted_median(tmp, n);
	s->q3 = tmp[3 * (n - 1) / 4];
	s->max = tmp[n - 1];
	s->mean = ib_mean(v, n);
	kvfree(tmp);
	return 0;
}

/* Median of @n samples (see ib_stats()); 0 if there are none. */
u32 ib_median(const u32 *v, unsigned int n)
{
	struct ib_stats s;

	ib_stats(v, n, &s);
	return s.med;
}

/* Mean of @n samples, 0 if none. */
u32 ib_mean(const u32 *v, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return n ? div_u64(sum, n) : 0;
}

u32 ib_since(u64 t0)
{
	return min_t(u64, ktime_get_ns() - t0, U32_MAX);
}

/* ---- MSI-X --------------------------------------------------------------- */

/*
 * Dynamic MSI-X came with v6.2's per-device MSI domains; 6.1 has only the
 * dance. IB_HAVE_MSIX_DYN is probed from the kernel's pci.h by Kbuild.
 */
#ifdef IB_HAVE_MSIX_DYN
bool ib_msix_dyn(struct pci_dev *pdev)
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
bool ib_msix_dyn(struct pci_dev *pdev)
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

/* ---- the contenders ------------------------------------------------------ */

static const struct {
	const char	*name;
	enum ib_kind	kind;
	unsigned int	flags;
} ib_contenders[] = {
	{ "array",	IB_ARRAY,	0 },
	{ "queue",	IB_QUEUE,	0 },
	{ "msix",	IB_MSIX,	0 },
	{ "dance",	IB_DANCE,	0 },
	{ "array-s",	IB_ARRAY,	IMS_DOMAIN_SPARES },
	{ "queue-s",	IB_QUEUE,	IMS_DOMAIN_SPARES },
};

/* A contender's name to its kind and IMS domain flags. */
int ib_parse_contender(const char *s, enum ib_kind *kind, unsigned int *flags)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ib_contenders); i++) {
		if (!strcmp(s, ib_contenders[i].name)) {
			*kind = ib_contenders[i].kind;
			*flags = ib_contenders[i].flags;
			return 0;
		}
	}
	return -EINVAL;
}

const char *ib_name(enum ib_kind kind)
{
	return kind == IB_ARRAY ? "bench-array" : "bench-queue";
}

size_t ib_off(enum ib_kind kind)
{
	return kind == IB_ARRAY ? IB_OFF_ARRAY : IB_OFF_QUEUE;
}

static irqreturn_t ib_handler(int irq, void *data)
{
	struct ib_vec *v = data;

	atomic_inc(&v->recv);
	return IRQ_HANDLED;
}

#define IB_Q_STRIDE		32		/* queue context per slot */
#define IB_Q_ADDR_LO		0
#define IB_Q_ADDR_HI		4
#define IB_Q_DATA		8
#define IB_Q_FLAGS		12
#define  IB_Q_MASKED		BIT(0)

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
		.flags = set->flags,
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

/**
 * ib_set_open - prepare a contender for up to @max interrupts
 * @ib:		the module's devices
 * @set:	the set to fill
 * @kind:	the contender
 * @flags:	IMS_DOMAIN_* flags of its IMS domain (IMS kinds only)
 * @name:	the IMS domain's instance name
 * @off:	where its storage starts in the card's memory
 * @max:	interrupts at most; the IMS domain has as many slots
 *
 * MSI-X starts with one vector enabled (dynamic allocation needs MSI-X
 * on), which is not part of the set; the dance starts with none.
 *
 * Return: 0 or a negative errno (nothing left open).
 */
int ib_set_open(struct ib_dev *ib, struct ib_set *set, enum ib_kind kind,
		unsigned int flags, const char *name, size_t off,
		unsigned int max)
{
	int ret;

	memset(set, 0, sizeof(*set));
	set->ib = ib;
	set->kind = kind;
	set->flags = flags;
	set->max = max;
	if (kind == IB_MSIX || kind == IB_DANCE) {
		if (!ib->nvme)
			return -ENODEV;
		if (flags)
			return -EINVAL;
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

int ib_set_request(struct ib_set *set, unsigned int i)
{
	struct ib_vec *v = &set->vec[i];
	int ret;

	ret = request_irq(v->virq, ib_handler, 0, KBUILD_MODNAME, v);
	if (!ret)
		v->requested = true;
	return ret;
}

void ib_set_release(struct ib_set *set, unsigned int i)
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
int ib_set_alloc(struct ib_set *set, unsigned int nr)
{
	struct ib_vec *v = &set->vec[set->n];
	struct ims_map maps[IB_BATCH];
	unsigned int i;
	int ret;

	if (!nr || nr > IB_BATCH || (nr > 1 && set->kind == IB_MSIX) ||
	    set->kind == IB_DANCE)
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
int ib_set_alloc_timed(struct ib_set *set, unsigned int nr, u32 *t)
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
void ib_set_free_last(struct ib_set *set)
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
void ib_set_close(struct ib_set *set)
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
 * Close @set with @close (which frees what the command kept for it), timed:
 * the result is the number freed and the time per interrupt.
 */
void ib_close_timed(struct ib_dev *ib, struct ib_set *set,
		    void (*close)(struct ib_dev *ib))
{
	unsigned int n = set->n;
	u64 t0, ns;

	if (!set->vec) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	t0 = ktime_get_ns();
	close(ib);
	ns = ktime_get_ns() - t0;
	ib_result(ib, "ok freed=%u free=%llu", n, n ? div_u64(ns, n) : 0);
}

/* The slab object ims_core keeps per slot (its chip data). */
size_t ib_slot_bytes(struct ib_set *set)
{
	if (!set->n || !set->ims)
		return 0;
	return ksize(irq_get_chip_data(set->vec[0].virq));
}

/* Occupancy of an IMS set's domain; all zero for MSI-X and the dance. */
void ib_set_stats(struct ib_set *set, struct ims_domain_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (set->ims)
		ims_domain_get_stats(set->ims, st);
}
