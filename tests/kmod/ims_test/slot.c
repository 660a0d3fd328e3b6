// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test: slot and irq commands (alloc, free, request, mask, PASID), i.e.
 * what a driver does with its IMS interrupts, and nothing more than what
 * the README tells a driver to do.
 */

#include <linux/irq.h>
#include <linux/slab.h>

#include "ims_test.h"

/* ---- slot lifecycle ---------------------------------------------------- */

struct it_slot *it_slot_new(struct it_domain *dom)
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

void it_slot_free(struct it_slot *s)
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

void it_slot_release(struct it_slot *s)
{
	if (!s->requested)
		return;
	free_irq(s->virq, s);
	s->requested = false;
	s->disabled = 0;
}

void it_slot_forget(struct it_domain *dom, struct it_slot *s)
{
	xa_erase(&dom->slots, s->index);
	it_slot_free(s);
}

/*
 * free_irq(), then ims_free_irq(). The slot stays ours when ims_core keeps
 * it (the device did not take its teardown): its context must live on.
 */
int it_slot_destroy(struct it_domain *dom, struct it_slot *s)
{
	struct ims_map map = { .index = s->index, .virq = s->virq };
	int ret;

	it_slot_release(s);
	ret = ims_free_irq(dom->ims, map);
	if (!ret)
		it_slot_forget(dom, s);
	return ret;
}

/* Forget the slots ims_core no longer has for us. */
static void it_domain_forget_freed(struct it_domain *dom)
{
	struct it_slot *s;
	unsigned long idx;

	xa_for_each(&dom->slots, idx, s) {
		if (dom->retired ? !s->requested :
				   ims_index_virq(dom->ims, idx) < 0)
			it_slot_forget(dom, s);
	}
}

static int it_domain_free_all(struct it_domain *dom)
{
	struct it_slot *s;
	unsigned long idx;
	int ret;

	xa_for_each(&dom->slots, idx, s)
		it_slot_release(s);
	ret = ims_free_all_irqs(dom->ims);
	it_domain_forget_freed(dom);
	return ret;
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

	if (opts.cpu >= 0) {
		cpumask_set_cpu(opts.cpu, &aff.mask);
		aff.is_managed = opts.managed;
	}

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
		if (aff) {
			cpumask_set_cpu(opts.cpu, &aff[i].mask);
			aff[i].is_managed = opts.managed;
		}
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

/*
 * Driver bugs on purpose. "free": ims_free_irq() of a requested interrupt,
 * which ims_core refuses. "destroy": ims_destroy_domain() with it still
 * requested: ims_core frees the idle slots and retires the domain; the
 * driver has only free_irq() left to do.
 */
static int it_cmd_misuse(struct it_dev *itd, struct it_args *a,
			 struct it_domain *dom, struct it_slot *s)
{
	struct ims_map map = { .index = s->index, .virq = s->virq };
	struct ims_domain_stats stats;
	unsigned int kept = 0;
	struct it_slot *pos;
	unsigned long idx;
	int ret;

	if (!s->requested) {
		it_result(itd, "err %d not requested", -EINVAL);
		return 0;
	}
	if (!strcmp(a->argv[3], "free")) {
		ret = ims_free_irq(dom->ims, map);
		ims_domain_get_stats(dom->ims, &stats);
		it_result(itd, "ok ret=%d virq=%d used=%u", ret,
			  ims_index_virq(dom->ims, s->index), stats.used);
		return 0;
	}
	ims_destroy_domain(dom->ims);
	dom->ims = NULL;
	dom->retired = true;
	it_domain_forget_freed(dom);
	xa_for_each(&dom->slots, idx, pos)
		kept++;
	it_result(itd, "ok retired=1 kept=%u", kept);
	return 0;
}

static int it_cmd_free(struct it_dev *itd, struct it_args *a,
		       struct it_domain *dom, struct it_slot *s)
{
	int ret = it_slot_destroy(dom, s);

	if (ret)
		it_result(itd, "err %d", ret);
	else
		it_result(itd, "ok");
	return 0;
}

static int it_cmd_freeall(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	int ret = it_domain_free_all(dom);

	if (ret)
		it_result(itd, "err %d", ret);
	else
		it_result(itd, "ok");
	return 0;
}

static int it_parse_request(struct it_args *a)
{
	int i;

	for (i = 3; i < a->argc; i++) {
		if (!strcmp(a->argv[i], "lazy"))
			a->bits |= IT_F_LAZY;
		else if (!strcmp(a->argv[i], "noautoen"))
			a->bits |= IT_F_NOAUTOEN;
		else if (!strcmp(a->argv[i], "nosync"))
			a->bits |= IT_F_NOSYNC;
		else
			return -EINVAL;
	}
	return 0;
}

/* "nosync": the handler masks its interrupt from hard irq context. */
static irqreturn_t it_ims_handler_nosync(int irq, void *data)
{
	struct it_slot *s = data;

	disable_irq_nosync(irq);
	atomic_inc(&s->self_disabled);
	return it_ims_handler(irq, data);
}

static int it_cmd_request(struct it_dev *itd, struct it_args *a,
			  struct it_domain *dom, struct it_slot *s)
{
	unsigned long flags = a->bits & IT_F_NOAUTOEN ? IRQF_NO_AUTOEN : 0;
	int ret;

	if (s->requested) {
		it_result(itd, "err %d already requested", -EBUSY);
		return 0;
	}
	/*
	 * What the README tells an array driver whose device must see
	 * disable_irq() at once: IRQ_DISABLE_UNLAZY before every
	 * request_irq(), as free_irq() clears it. "lazy" leaves the kernel's
	 * default. Queue interrupts mask at once by themselves.
	 */
	if (dom->type != IMS_TEMPLATE_ARRAY && (a->bits & IT_F_LAZY)) {
		it_result(itd, "err %d lazy is for array domains", -EINVAL);
		return 0;
	}
	if (dom->type == IMS_TEMPLATE_ARRAY && !(a->bits & IT_F_LAZY))
		irq_set_status_flags(s->virq, IRQ_DISABLE_UNLAZY);
	atomic_set(&s->self_disabled, 0);
	ret = request_irq(s->virq, a->bits & IT_F_NOSYNC ?
			  it_ims_handler_nosync : it_ims_handler, flags,
			  s->name, s);
	if (ret) {
		it_result(itd, "err %d", ret);
		return 0;
	}
	s->requested = true;
	s->disabled = flags ? 1 : 0;
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

/*
 * The kernel resends a message it latched while the irq was disabled when
 * it is enabled again. The device sends its pending message only once the
 * CPU took that one: an ITS LPI has one pending state, and the two would
 * merge into one interrupt if they came together.
 */
static void it_wait_resend(struct it_dev *itd, struct it_slot *s, int before)
{
	if (!s->latched)
		return;
	s->latched = 0;
	wait_event_timeout(itd->wq, atomic_read(&s->total) > before,
			   msecs_to_jiffies(IT_IRQ_WAIT_MS));
}

static int it_mask(struct it_dev *itd, struct it_slot *s, bool mask)
{
	struct it_fire f = { };
	int before, ret;

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
	before = atomic_read(&s->total);
	if (atomic_add_unless(&s->self_disabled, -1, 0)) {
		enable_irq(s->virq);
	} else if (s->disabled) {
		enable_irq(s->virq);
		s->disabled--;
	} else {
		it_result(itd, "err %d not masked", -EINVAL);
		return 0;
	}
	if (s->disabled || atomic_read(&s->self_disabled)) {
		ret = 0;
	} else {
		it_wait_resend(itd, s, before);
		ret = it_fire_pending(s, &f);
	}
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

const struct it_cmd it_slot_cmds[] = {
	{ "alloc",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_alloc, it_cmd_alloc,
	  true },
	{ "batch",	3, IT_MAX_ARGS, IT_DOMAIN, it_parse_batch, it_cmd_batch,
	  true },
	{ "free",	3, 3, IT_SLOT, NULL, it_cmd_free, true },
	{ "freeall",	2, 2, IT_DOMAIN, NULL, it_cmd_freeall, true },
	{ "request",	3, 6, IT_SLOT, it_parse_request, it_cmd_request },
	{ "release",	3, 3, IT_SLOT, NULL, it_cmd_release },
	{ "mask",	3, 3, IT_SLOT, NULL, it_cmd_mask },
	{ "unmask",	3, 3, IT_SLOT, NULL, it_cmd_unmask },
	{ "pasid",	4, 4, IT_SLOT, it_parse_pasid, it_cmd_pasid, true },
	{ "misuse",	4, 4, IT_SLOT, it_parse_misuse, it_cmd_misuse, true },
	{ }
};
