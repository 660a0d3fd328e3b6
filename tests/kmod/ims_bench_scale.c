// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_bench - scale: one array domain of up to 65536 slots, kept between
 * commands, grown one allocation (or one batch) at a time up to a given
 * number of interrupts held or until allocation fails, each allocation
 * timed. At any occupancy a probe tells where the time goes.
 */

#include <linux/irq.h>
#include <linux/ktime.h>
#include <linux/slab.h>

#include "ims_bench_common.h"

/* Open the scale domain: array template, IMS_DOMAIN_* @flags. */
void ib_cmd_sopen(struct ib_dev *ib, enum ib_kind kind, unsigned int flags,
		  unsigned int nslots)
{
	size_t room = pci_resource_len(ib->mem_pdev, EDU_MEM_BAR) - IB_OFF_SCALE;
	int ret;

	if (ib->scale.vec) {
		ib_result(ib, "err %d already open", -EBUSY);
		return;
	}
	if (kind != IB_ARRAY || !nslots ||
	    (size_t)nslots * ims_array_layout_dsa.stride > room) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	ib->scale_ns = kvcalloc(nslots, sizeof(*ib->scale_ns), GFP_KERNEL);
	if (!ib->scale_ns) {
		ib_result(ib, "err %d", -ENOMEM);
		return;
	}
	ret = ib_set_open(ib, &ib->scale, IB_ARRAY, flags, "bench-scale",
			  IB_OFF_SCALE, nslots);
	if (ret) {
		kvfree(ib->scale_ns);
		ib->scale_ns = NULL;
		ib_result(ib, "err %d open", ret);
		return;
	}
	ib_result(ib, "ok nslots=%u flags=%#x", nslots, flags);
}

/* " NAME=MEDIAN NAME_mean=MEAN NAME_max=MAX" of @n allocation times. */
static void ib_result_window(struct ib_dev *ib, const char *name,
			     const u32 *t, unsigned int n)
{
	struct ib_stats s;

	ib_stats(t, n, &s);
	ib_result_add(ib, " %s=%u %s_mean=%u %s_max=%u", name, s.med, name,
		      s.mean, name, s.max);
}

/**
 * ib_cmd_salloc - grow the scale domain until @total are held
 * @ib:		the module's devices
 * @total:	interrupts held at the end, unless allocation fails first
 * @batch:	1: one by one; more: ims_alloc_irqs() of up to @batch
 *
 * A failed allocation ends the stretch; the result tells the errno
 * ("err=", 0 when @total was reached). The figures per allocation, median,
 * mean and max: the first IB_WINDOW of the stretch, the last IB_WINDOW,
 * the last IB_WINDOW_TAIL, and each eighth. A mean includes what an
 * allocation now and then pays for the ones after it (a remapping block
 * taken for spares, a batch).
 */
void ib_cmd_salloc(struct ib_dev *ib, unsigned int total, unsigned int batch)
{
	struct ib_set *set = &ib->scale;
	unsigned int from = set->n, b, len, w;
	struct ims_domain_stats st;
	char name[8];
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
	ib_set_stats(set, &st);
	ib_result(ib, "ok from=%u reached=%u err=%d batch=%u slot_bytes=%zu",
		  from, set->n, ret, batch, ib_slot_bytes(set));
	ib_result_add(ib, " used=%u held=%u spare=%u", st.used, st.held,
		      st.spare);
	ib_result_window(ib, "first" __stringify(IB_WINDOW),
			 ib->scale_ns + from, w);
	ib_result_window(ib, "last" __stringify(IB_WINDOW),
			 ib->scale_ns + set->n - w, w);
	/* the end of a stretch that failed: single entries after a refusal */
	w = min_t(unsigned int, len, IB_WINDOW_TAIL);
	ib_result_window(ib, "last" __stringify(IB_WINDOW_TAIL),
			 ib->scale_ns + set->n - w, w);
	/* each eighth of this call's allocations */
	for (b = 0; b < IB_BUCKETS && len >= IB_BUCKETS; b++) {
		snprintf(name, sizeof(name), "e%u", b + 1);
		ib_result_window(ib, name,
				 ib->scale_ns + from + b * len / IB_BUCKETS,
				 len / IB_BUCKETS);
	}
}

/*
 * Where does allocation time go at this occupancy? A fresh domain (its own
 * slot allocator empty, the scale domain's flags) allocates IB_PROBE_SLOTS
 * irqs in batches of @batch: if that is as slow as the full domain, the
 * cost is below ims_core, in the kernel's allocators shared by all
 * domains. The irq descriptor allocator is timed on its own.
 */
void ib_cmd_sprobe(struct ib_dev *ib, unsigned int batch)
{
	u32 t_dom[IB_PROBE_SLOTS], t_desc[IB_PROBE_SLOTS];
	int virqs[IB_PROBE_SLOTS];
	struct ib_set probe;
	unsigned int i;
	int ret;
	u64 t0;

	if (!ib->scale.vec) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	ret = ib_set_open(ib, &probe, IB_ARRAY, ib->scale.flags, "bench-probe",
			  IB_OFF_PROBE, IB_PROBE_SLOTS);
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
	ib_result(ib, "ok occupied=%u allocs=%u batch=%u flags=%#x",
		  ib->scale.n, IB_PROBE_SLOTS, batch, ib->scale.flags);
	ib_result_window(ib, "fresh_domain", t_dom, IB_PROBE_SLOTS);
	ib_result_window(ib, "desc", t_desc, IB_PROBE_SLOTS);
}

/* Request the held interrupts until one fails (CPU vectors run out). */
void ib_cmd_sreq(struct ib_dev *ib)
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

void ib_scale_close(struct ib_dev *ib)
{
	ib_set_close(&ib->scale);
	kvfree(ib->scale_ns);
	ib->scale_ns = NULL;
}

/* Free everything (the spares too: the domain is destroyed), timed. */
void ib_cmd_sfree(struct ib_dev *ib)
{
	ib_close_timed(ib, &ib->scale, ib_scale_close);
}
