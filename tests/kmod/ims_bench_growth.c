// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_bench - growing a contender: the cost of each call one interrupt at a
 * time (perop), growth from 1 to N requested vectors by IMS or by the MSI-X
 * disable/re-enable dance (grow), and the same growth while edu fires on
 * the vectors that exist (lossless).
 */

#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "ims_bench_common.h"

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
void ib_cmd_perop(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
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

	ret = ib_set_open(ib, &set, kind, 0, ib_name(kind), ib_off(kind), n);
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
	ret = ib_set_open(ib, set, kind, 0, ib_name(kind), ib_off(kind), n);
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

void ib_cmd_grow(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
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
	/* the benchmark runs on x86 lanes only: no doorbell to compare */
	return !e->masked && edu_msi_addr_ok(e->addr, 0);
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

void ib_cmd_lossless(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
		     unsigned int gap_ms)
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
