// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test: domain commands (create, destroy, stats, lookups), i.e. what a
 * driver does with ims_core domains, and nothing more than what the README
 * tells a driver to do.
 */

#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/sizes.h>

#include "ims_test.h"

/*
 * Array storage as the device decodes it, from the layout the domain was
 * created with: ims_core's DSA default, or "array-alt", a layout of another
 * shape (other stride, offsets, an enable bit instead of a mask bit, another
 * PASID field) that ims_core must program without a chip of its own.
 */
const struct ims_array_layout it_alt_layout = {
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

/* "array-nopasid": the DSA entry without a PASID field */
static const struct ims_array_layout it_nopasid_layout = {
	.stride		= 16,
	.addr_lo	= 0,
	.addr_hi	= 4,
	.data		= 8,
	.ctrl		= 12,
	.mask_bit	= 0,
	.pasid_en_bit	= -1,
	.pasid_shift	= 12,
	.pasid_width	= 20,
};

void it_domain_destroy(struct it_domain *dom)
{
	struct it_dev *itd = dom->itd;
	struct it_slot *s;
	unsigned long idx;

	/*
	 * Strictly: irqs released, then slots freed, then the domain. A
	 * managed domain is destroyed by devres after the driver's remove().
	 * A retired domain has only its irqs left to release. Whatever
	 * ims_core could not free is its to keep once the domain is gone.
	 */
	xa_for_each(&dom->slots, idx, s)
		it_slot_release(s);
	if (!dom->retired) {
		xa_for_each(&dom->slots, idx, s)
			it_slot_destroy(dom, s);
		if (!dom->devm)
			ims_destroy_domain(dom->ims);
	}
	xa_for_each(&dom->slots, idx, s)
		it_slot_forget(dom, s);
	xa_destroy(&dom->slots);
	itd->doms[dom->id] = NULL;
	kfree(dom->scratch);
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

/* create's flag words after NAME; "syncalloc=ID" names a domain */
static int it_parse_create(struct it_args *a)
{
	int i;

	if (it_uint(a->argv[2], &a->n))
		return -EINVAL;
	a->val = UINT_MAX;
	for (i = 4; i < a->argc; i++) {
		if (!strcmp(a->argv[i], "devm"))
			a->bits |= IT_F_DEVM;
		else if (!strcmp(a->argv[i], "peer"))
			a->bits |= IT_F_PEER;
		else if (!strcmp(a->argv[i], "scratch"))
			a->bits |= IT_F_SCRATCH;
		else if (!strcmp(a->argv[i], "spares"))
			a->bits |= IT_F_SPARES;
		else if (!strncmp(a->argv[i], "syncalloc=", 10) &&
			 !it_uint(a->argv[i] + 10, &a->val))
			continue;
		else
			return -EINVAL;
	}
	if ((a->bits & IT_F_DEVM) && (a->bits & IT_F_PEER))
		return -EINVAL;
	return 0;
}

static int it_queue_sync_stale(void *drvdata, unsigned int index, void *ctx,
			       const struct ims_queue_msg *msg)
{
	struct it_domain *dom = drvdata;

	atomic_inc(&dom->sync_bad);
	return 0;
}

/*
 * "scratch": the layout or callbacks handed to ims_core sit in memory that
 * the driver reuses right after creation (a stack frame would do the same):
 * the layout becomes another valid layout, the callbacks one that only
 * counts. ims_core must have taken copies.
 */
static const void *it_scratch_new(struct it_domain *dom, const void *desc,
				  size_t len)
{
	dom->scratch = kmemdup(desc, len, GFP_KERNEL);
	return dom->scratch;
}

static void it_scratch_reuse(struct it_domain *dom)
{
	static const struct ims_queue_ops stale_ops = {
		.sync = it_queue_sync_stale,
	};

	if (!dom->scratch)
		return;
	if (dom->type == IMS_TEMPLATE_ARRAY)
		memcpy(dom->scratch, &it_alt_layout, sizeof(it_alt_layout));
	else
		memcpy(dom->scratch, &stale_ops, sizeof(stale_ops));
}

/*
 * "syncalloc=ID": each sync callback allocates and frees an interrupt of
 * another (array) domain first: sync() may allocate interrupts, so it must
 * not run under the irq core's global domain mutex.
 */
static int it_queue_sync_alloc(void *drvdata, unsigned int index, void *ctx,
			       const struct ims_queue_msg *msg)
{
	struct it_domain *dom = drvdata;
	struct ims_map map;

	map = ims_alloc_irq(dom->sync_alloc->ims, IMS_INDEX_ANY, NULL, NULL);
	if (map.virq > 0 && !ims_free_irq(dom->sync_alloc->ims, map))
		atomic_inc(&dom->sync_allocs);
	return it_queue_ops.sync(drvdata, index, ctx, msg);
}

static const struct ims_queue_ops it_queue_alloc_ops = {
	.sync	= it_queue_sync_alloc,
};

static int it_cmd_create(struct it_dev *itd, struct it_args *a,
			 struct it_domain *unused, struct it_slot *s)
{
	const struct ims_array_layout *layout = NULL;
	const struct ims_queue_ops *ops = &it_queue_ops;
	struct it_domain *sync_alloc = NULL;
	struct ims_domain_info info = { };
	unsigned int nslots = a->n, stride, id;
	struct it_domain *dom;
	struct ims_domain *ims;
	size_t len, off;
	int ret;

	if (!strcmp(a->argv[1], "array")) {
		info.type = IMS_TEMPLATE_ARRAY;
		layout = &ims_array_layout_dsa;
	} else if (!strcmp(a->argv[1], "array-alt")) {
		info.type = IMS_TEMPLATE_ARRAY;
		layout = &it_alt_layout;
	} else if (!strcmp(a->argv[1], "array-nopasid")) {
		info.type = IMS_TEMPLATE_ARRAY;
		layout = &it_nopasid_layout;
	} else if (!strcmp(a->argv[1], "queue")) {
		info.type = IMS_TEMPLATE_QUEUE;
	} else {
		return -EINVAL;
	}
	if (a->argc >= 4 && strlen(a->argv[3]) >= sizeof(dom->uname))
		return -EINVAL;
	if (a->val != UINT_MAX) {
		if (info.type != IMS_TEMPLATE_QUEUE || a->val >= IT_MAX_DOMAINS ||
		    !itd->doms[a->val] || itd->doms[a->val]->retired ||
		    itd->doms[a->val]->type != IMS_TEMPLATE_ARRAY)
			return -EINVAL;
		sync_alloc = itd->doms[a->val];
		ops = &it_queue_alloc_ops;
	}

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
	dom->devm = a->bits & IT_F_DEVM;
	dom->pdev = a->bits & IT_F_PEER ? itd->mem_pdev : itd->pdev;
	dom->sync_alloc = sync_alloc;
	if (a->argc >= 4)
		strscpy(dom->uname, a->argv[3], sizeof(dom->uname));

	/* device reset state: everything zero, array entries masked */
	dom->layout = layout;
	if (layout) {
		edu_array_reset(layout, dom->mem, len);
		info.array.slots = dom->mem;
		if (a->bits & IT_F_SCRATCH)
			info.array.layout = it_scratch_new(dom, layout,
							   sizeof(*layout));
		/* the DSA default is what a NULL layout means */
		else if (layout != &ims_array_layout_dsa)
			info.array.layout = layout;
	} else {
		memset_io(dom->mem, 0, len);
		info.queue.ops = a->bits & IT_F_SCRATCH ?
				 it_scratch_new(dom, ops, sizeof(*ops)) : ops;
		info.queue.drvdata = dom;
	}
	info.name = dom->uname[0] ? dom->uname : NULL;
	info.nr_slots = nslots;
	if (a->bits & IT_F_SPARES)
		info.flags = IMS_DOMAIN_SPARES;

	if ((a->bits & IT_F_SCRATCH) && !dom->scratch)
		ims = ERR_PTR(-ENOMEM);
	else if (dom->devm)
		ims = devm_ims_create_domain(dom->pdev, &info);
	else
		ims = ims_create_domain(dom->pdev, &info);
	if (IS_ERR_OR_NULL(ims)) {
		ret = ims ? PTR_ERR(ims) : -ENOMEM;
		xa_destroy(&dom->slots);
		kfree(dom->scratch);
		kfree(dom);
		it_result(itd, "err %d", ret);
		return 0;
	}
	it_scratch_reuse(dom);
	dom->ims = ims;
	itd->doms[id] = dom;
	it_result(itd, "ok id=%u domain=IMS-%s-%s%s%s off=%#zx len=%#zx", id,
		  info.type == IMS_TEMPLATE_ARRAY ? "ARRAY" : "QUEUE",
		  pci_name(dom->pdev), dom->uname[0] ? "-" : "", dom->uname,
		  dom->off, dom->len);
	return 0;
}

static int it_cmd_destroy(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	unsigned int i;

	if (dom->devm) {
		it_result(itd, "err %d managed domain lives until unbind", -EPERM);
		return 0;
	}
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		if (itd->doms[i] && itd->doms[i]->sync_alloc == dom) {
			it_result(itd, "err %d domain %u allocates here", -EBUSY, i);
			return 0;
		}
	}
	it_domain_destroy(dom);
	it_result(itd, "ok");
	return 0;
}

static int it_cmd_stats(struct it_dev *itd, struct it_args *a,
			struct it_domain *dom, struct it_slot *s)
{
	struct ims_domain_stats st = { };

	ims_domain_get_stats(dom->ims, &st);
	it_result(itd,
		  "ok nr_slots=%u used=%u held=%u spare=%u sync_calls=%d sync_errors=%d sync_bad=%d sync_allocs=%d",
		  st.nr_slots, st.used, st.held, st.spare,
		  atomic_read(&dom->sync_calls),
		  atomic_read(&dom->sync_errors), atomic_read(&dom->sync_bad),
		  atomic_read(&dom->sync_allocs));
	return 0;
}

static int it_cmd_release_spares(struct it_dev *itd, struct it_args *a,
				 struct it_domain *dom, struct it_slot *s)
{
	ims_release_spares(dom->ims);
	it_result(itd, "ok");
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

/**
 * struct it_lookups - "lookups": ims_index_virq() and ims_irq_index() from
 * a thread, while the command allocates and frees the slot it looks at
 * @dom:	the domain
 * @index:	the slot index
 * @virq:	the last irq number the slot had
 * @found:	lookups that found the slot
 * @calls:	lookups made
 */
struct it_lookups {
	struct it_domain	*dom;
	unsigned int		index;
	int			virq;
	unsigned long		found;
	unsigned long		calls;
};

static int it_lookups_fn(void *data)
{
	struct it_lookups *l = data;

	while (!kthread_should_stop()) {
		int virq = ims_index_virq(l->dom->ims, l->index);

		if (virq > 0)
			WRITE_ONCE(l->virq, virq);
		if (ims_irq_index(l->dom->ims, READ_ONCE(l->virq)) == l->index)
			l->found++;
		l->calls++;
		cond_resched();
	}
	return 0;
}

static int it_parse_lookups(struct it_args *a)
{
	return it_uint(a->argv[2], &a->idx) || it_uint(a->argv[3], &a->n) ||
	       !a->n || a->n > 60000 ? -EINVAL : 0;
}

static int it_cmd_lookups(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *unused)
{
	struct it_lookups l = { .dom = dom, .index = a->idx };
	unsigned long end = jiffies + msecs_to_jiffies(a->n);
	union ims_instance_cookie cookie;
	struct task_struct *t;
	unsigned long cycles = 0;
	struct ims_map map;
	struct it_slot *s;

	if (xa_load(&dom->slots, a->idx) || a->idx >= dom->nr_slots) {
		it_result(itd, "err %d slot %u taken or out of range", -EBUSY,
			  a->idx);
		return 0;
	}
	/* the queue context of the slot while it exists */
	s = it_slot_new(dom);
	if (!s) {
		it_result(itd, "err %d", -ENOMEM);
		return 0;
	}
	cookie.ptr = s;
	t = kthread_run(it_lookups_fn, &l, "ims_test-lookups");
	if (IS_ERR(t)) {
		it_slot_free(s);
		it_result(itd, "err %ld", PTR_ERR(t));
		return 0;
	}
	while (time_before(jiffies, end)) {
		map = ims_alloc_irq(dom->ims, a->idx,
				    dom->type == IMS_TEMPLATE_QUEUE ? &cookie : NULL,
				    NULL);
		if (map.virq < 0)
			break;
		WRITE_ONCE(l.virq, map.virq);
		ims_free_irq(dom->ims, map);
		cycles++;
	}
	kthread_stop(t);
	it_slot_free(s);
	if (map.virq < 0)
		it_result(itd, "err %d cycles=%lu", map.virq, cycles);
	else
		it_result(itd, "ok cycles=%lu calls=%lu found=%lu", cycles,
			  l.calls, l.found);
	return 0;
}

const struct it_cmd it_domain_cmds[] = {
	{ "create",	3, IT_MAX_ARGS, IT_NOTHING, it_parse_create,
	  it_cmd_create },
	{ "destroy",	2, 2, IT_DOMAIN, NULL, it_cmd_destroy },
	{ "stats",	2, 2, IT_DOMAIN, NULL, it_cmd_stats, true },
	{ "release_spares", 2, 2, IT_DOMAIN, NULL, it_cmd_release_spares,
	  true },
	{ "virq",	3, 3, IT_DOMAIN, it_parse_val, it_cmd_virq, true },
	{ "index",	3, 3, IT_DOMAIN, it_parse_val, it_cmd_index, true },
	{ "lookups",	4, 4, IT_DOMAIN, it_parse_lookups, it_cmd_lookups,
	  true },
	{ }
};
