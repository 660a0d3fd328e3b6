// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test: domain and slot commands, i.e. what a driver does with
 * ims_core, and nothing more than what the README tells a driver to do.
 */

#include <linux/irq.h>
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

void it_domain_destroy(struct it_domain *dom)
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
	if (a->argc == 5 && strcmp(a->argv[4], "devm") &&
	    strcmp(a->argv[4], "peer"))
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
	dom->devm = a->argc == 5 && !strcmp(a->argv[4], "devm");
	dom->pdev = a->argc == 5 && !strcmp(a->argv[4], "peer") ?
		    itd->mem_pdev : itd->pdev;
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
		ims = devm_ims_create_domain(dom->pdev, &info);
	else
		ims = ims_create_domain(dom->pdev, &info);
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
		  pci_name(dom->pdev), dom->uname[0] ? "-" : "", dom->uname,
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

const struct it_cmd it_domain_cmds[] = {
	{ "create",	3, 5, IT_NOTHING, NULL, it_cmd_create },
	{ "destroy",	2, 2, IT_DOMAIN, NULL, it_cmd_destroy },
	{ "alloc",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_alloc, it_cmd_alloc },
	{ "batch",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_batch, it_cmd_batch },
	{ "free",	3, 3, IT_SLOT, NULL, it_cmd_free },
	{ "freeall",	2, 2, IT_DOMAIN, NULL, it_cmd_freeall },
	{ "request",	3, 4, IT_SLOT, it_parse_request, it_cmd_request },
	{ "release",	3, 3, IT_SLOT, NULL, it_cmd_release },
	{ "mask",	3, 3, IT_SLOT, NULL, it_cmd_mask },
	{ "unmask",	3, 3, IT_SLOT, NULL, it_cmd_unmask },
	{ "pasid",	4, 4, IT_SLOT, it_parse_pasid, it_cmd_pasid },
	{ "stats",	2, 2, IT_DOMAIN, NULL, it_cmd_stats },
	{ "virq",	3, 3, IT_DOMAIN, it_parse_val, it_cmd_virq },
	{ "index",	3, 3, IT_DOMAIN, it_parse_val, it_cmd_index },
	{ "misuse",	4, 4, IT_SLOT, it_parse_misuse, it_cmd_misuse },
	{ }
};
