// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_bench - churn: a driver that hands interrupts to clients that come
 * and go. With K interrupts held (allocated, not requested), one interrupt
 * is allocated, requested, released and freed, cycle after cycle, each
 * cycle timed as a whole and by step.
 *
 * The contenders: an IMS array domain (one by one, with IMS_DOMAIN_SPARES:
 * under VT-d the first cycle takes a remapping block and keeps the rest as
 * spares, and a freed interrupt becomes a spare that the next cycle gets
 * again, same irq number) and dynamic MSI-X on the nvme function
 * (pci_msix_alloc_irq_at()). What the IMS domain keeps warm between cycles
 * is paid for inside the measured sequence: its first cycle pays for the
 * block, and the sequence ends with ims_release_spares(), timed, which
 * gives back every fully idle block. The mean per cycle including that
 * release is the honest figure; the median shows the common cycle.
 *
 * The set is kept between commands so that the held interrupts are not
 * part of a traced run: chold opens and fills it, crun runs the measured
 * sequence (any number of times), cclose frees it all.
 */

#include <linux/ktime.h>
#include <linux/slab.h>

#include "ims_bench_common.h"

/**
 * ib_cmd_chold - open the churn contender and hold @k interrupts
 * @ib:		the module's devices
 * @kind:	IB_ARRAY (IMS) or IB_MSIX (dynamic MSI-X)
 * @flags:	IMS_DOMAIN_* flags of the IMS domain
 * @k:		interrupts to allocate one by one and hold
 */
void ib_cmd_chold(struct ib_dev *ib, enum ib_kind kind, unsigned int flags,
		  unsigned int k)
{
	size_t room = pci_resource_len(ib->mem_pdev, EDU_MEM_BAR) - IB_OFF_CHURN;
	struct ib_set *set = &ib->churn;
	struct ims_domain_stats st;
	unsigned int max;
	u64 t0, ns;
	int ret = 0;

	if (set->vec) {
		ib_result(ib, "err %d already open", -EBUSY);
		return;
	}
	max = k + (kind == IB_MSIX ? 1 : IB_CHURN_ROOM);
	if ((kind != IB_ARRAY && kind != IB_MSIX) || k > IB_CHURN_HOLD_MAX ||
	    (kind == IB_ARRAY &&
	     (size_t)max * ims_array_layout_dsa.stride > room)) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	ret = ib_set_open(ib, set, kind, flags, "bench-churn", IB_OFF_CHURN,
			  max);
	if (ret) {
		ib_result(ib, "err %d open", ret);
		return;
	}
	t0 = ktime_get_ns();
	while (set->n < k && !ret)
		ret = ib_set_alloc(set, 1);
	ns = ktime_get_ns() - t0;
	if (ret) {
		ib_result(ib, "err %d at %u of %u", ret, set->n, k);
		ib_set_close(set);
		return;
	}
	ib_set_stats(set, &st);
	ib_result(ib, "ok k=%u flags=%#x hold_ns=%llu used=%u held=%u spare=%u",
		  k, flags, ns, st.used, st.held, st.spare);
}

enum { IB_C_CYCLE, IB_C_ALLOC, IB_C_REQ, IB_C_REL, IB_C_FREE, IB_C_NR };

static const char * const ib_c_names[IB_C_NR] = {
	"cycle", "alloc", "req", "rel", "free",
};

/*
 * One cycle on @set: allocate one interrupt, request it, release it, free
 * it. @t[step] receives each step's time and @t[IB_C_CYCLE] the whole;
 * @virq the interrupt's number.
 */
static int ib_churn_cycle(struct ib_set *set, u32 *t, unsigned int *virq)
{
	u64 t0, t1;
	int ret;

	t0 = ktime_get_ns();
	ret = ib_set_alloc(set, 1);
	t1 = ktime_get_ns();
	t[IB_C_ALLOC] = min_t(u64, t1 - t0, U32_MAX);
	if (ret)
		return ret;
	*virq = set->vec[set->n - 1].virq;
	ret = ib_set_request(set, set->n - 1);
	t[IB_C_REQ] = ib_since(t1);
	if (ret) {
		ib_set_free_last(set);
		return ret;
	}
	t1 = ktime_get_ns();
	ib_set_release(set, set->n - 1);
	t[IB_C_REL] = ib_since(t1);
	t1 = ktime_get_ns();
	ib_set_free_last(set);
	t[IB_C_FREE] = ib_since(t1);
	t[IB_C_CYCLE] = ib_since(t0);
	return 0;
}

/**
 * ib_cmd_crun - the measured sequence: @cycles cycles, then the release
 * @ib:		the module's devices
 * @cycles:	cycles of one interrupt each
 *
 * The result gives the order statistics of the time per cycle, the mean
 * per step, the time of ims_release_spares() at the end (0 for MSI-X:
 * nothing is kept), the mean per cycle including it, how many cycles got
 * the previous cycle's irq number, and the domain's spare slots before
 * the sequence, before the release and after it.
 */
void ib_cmd_crun(struct ib_dev *ib, unsigned int cycles)
{
	struct ims_domain_stats st0, st1, st2;
	struct ib_set *set = &ib->churn;
	unsigned int c, k, virq = 0, prev = 0, same = 0;
	u32 *t[IB_C_NR], one[IB_C_NR], release = 0;
	struct ib_stats s;
	u64 t0, sum = 0;
	int ret = 0;

	if (!set->vec || !cycles || cycles > IB_CHURN_CYCLES_MAX ||
	    set->n >= set->max) {
		ib_result(ib, "err %d", -EINVAL);
		return;
	}
	t[0] = kvcalloc((size_t)cycles * IB_C_NR, sizeof(u32), GFP_KERNEL);
	if (!t[0]) {
		ib_result(ib, "err %d", -ENOMEM);
		return;
	}
	for (k = 1; k < IB_C_NR; k++)
		t[k] = t[0] + (size_t)k * cycles;
	ib_set_stats(set, &st0);

	for (c = 0; c < cycles; c++) {
		ret = ib_churn_cycle(set, one, &virq);
		if (ret)
			break;
		for (k = 0; k < IB_C_NR; k++)
			t[k][c] = one[k];
		same += c && virq == prev;
		prev = virq;
		sum += one[IB_C_CYCLE];
	}
	ib_set_stats(set, &st1);
	/* what was kept warm is given back inside the sequence */
	if (set->ims) {
		t0 = ktime_get_ns();
		ims_release_spares(set->ims);
		release = ib_since(t0);
	}
	ib_set_stats(set, &st2);
	if (ret) {
		ib_result(ib, "err %d at cycle %u of %u", ret, c, cycles);
		goto out;
	}

	ib_stats(t[IB_C_CYCLE], cycles, &s);
	ib_result(ib, "ok k=%u cycles=%u med=%u q1=%u q3=%u min=%u max=%u mean=%u",
		  set->n, cycles, s.med, s.q1, s.q3, s.min, s.max, s.mean);
	ib_result_add(ib, " release=%u mean_rel=%llu same_irq=%u", release,
		      div_u64(sum + release, cycles), same);
	for (k = IB_C_ALLOC; k < IB_C_NR; k++)
		ib_result_add(ib, " %s_med=%u %s_mean=%u", ib_c_names[k],
			      ib_median(t[k], cycles), ib_c_names[k],
			      ib_mean(t[k], cycles));
	ib_result_add(ib, " spare_start=%u spare_end=%u spare_rel=%u used_rel=%u",
		      st0.spare, st1.spare, st2.spare, st2.used);
out:
	kvfree(t[0]);
}

void ib_churn_close(struct ib_dev *ib)
{
	ib_set_close(&ib->churn);
}

/* Free the held interrupts and close the contender, timed. */
void ib_cmd_cclose(struct ib_dev *ib)
{
	ib_close_timed(ib, &ib->churn, ib_churn_close);
}
