// SPDX-License-Identifier: GPL-2.0-only
/*
 * dump: decode array entries straight from device memory.
 * check: compare what the device holds with what ims_core wrote.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"
#include "mem.h"
#include "output/json.h"

#define MAX_ENTRIES	65536	/* the most slots a domain can have */

static void layout_arg(const char *arg, struct layout *l)
{
	const char *err = layout_from_arg(arg, l);

	if (err)
		die(EXIT_USAGE, "bad layout '%s': %s", arg, err);
}

static void entry_text(unsigned int index, const struct entry *e)
{
	char en[16] = "-", pasid[24] = "-";

	if (e->pasid_en >= 0) {
		snprintf(en, sizeof(en), "%d", e->pasid_en);
		snprintf(pasid, sizeof(pasid), "%lld", e->pasid);
	}
	printf("%5u 0x%08x 0x%08x 0x%08x 0x%08x %6d %8s %7s\n", index,
	       e->addr_hi, e->addr_lo, e->data, e->ctrl, e->masked, en, pasid);
}

static void entry_json(struct json *j, unsigned int index,
		       const struct entry *e)
{
	json_obj_begin(j, NULL);
	json_uint(j, "index", index);
	json_uint(j, "addr_hi", e->addr_hi);
	json_uint(j, "addr_lo", e->addr_lo);
	json_uint(j, "data", e->data);
	json_uint(j, "ctrl", e->ctrl);
	json_int(j, "masked", e->masked);
	json_opt_int(j, "pasid_en", e->pasid_en);
	json_opt_int(j, "pasid", e->pasid);
	json_obj_end(j);
}

int cmd_dump(const struct opts *o)
{
	struct layout l = layout_dsa;
	struct bar_map m;
	struct json j;
	char bdf[BDF_LEN];
	unsigned int i;

	if (o->bar < 0 || o->offset < 0 || o->count < 0)
		die(EXIT_USAGE, "dump needs --bar, --offset and --count");
	if (o->count < 1 || o->count > MAX_ENTRIES)
		die(EXIT_USAGE, "--count must be 1 to %d", MAX_ENTRIES);
	if (o->offset % 4)
		die(EXIT_USAGE, "--offset must be a multiple of 4");
	if (o->layout)
		layout_arg(o->layout, &l);
	bdf_resolve(o->bdf, bdf);
	bar_map(bdf, o->bar, o->offset, (size_t)o->count * l.stride, &m);
	if (o->json) {
		json_init(&j, stdout);
		json_arr_begin(&j, NULL);
	} else {
		printf("%5s %10s %10s %10s %10s %6s %8s %7s\n", "INDEX",
		       "ADDR_HI", "ADDR_LO", "DATA", "CTRL", "MASKED",
		       "PASID_EN", "PASID");
	}
	for (i = 0; i < o->count; i++) {
		struct entry e;

		entry_read(&m, &l, i, &e);
		if (o->json)
			entry_json(&j, i, &e);
		else
			entry_text(i, &e);
	}
	if (o->json) {
		json_arr_end(&j);
		json_finish(&j);
	}
	bar_unmap(&m);
	return EXIT_OK;
}

/* One difference between the device and ims_core's view. */
struct mismatch {
	const char		*domain;
	unsigned int		index;
	const char		*field;
	long long		expected, found;
	bool			hex;
	const struct dbg_slot	*queue;	/* a queue slot's push state */
};

/* Mismatches are kept and printed at the end: an error while checking
 * a later domain leaves no half-written JSON behind.
 */
struct check {
	size_t			checked;
	struct mismatch		*mm;
	size_t			nr;
};

static void report(struct check *c, const struct mismatch *mm)
{
	c->mm = xrealloc(c->mm, c->nr + 1, sizeof(*c->mm));
	c->mm[c->nr++] = *mm;
}

static void mismatch_text(const struct mismatch *mm)
{
	printf("%s slot %u: %s expected ", mm->domain, mm->index, mm->field);
	printf(mm->hex ? "0x%08llx found 0x%08llx" : "%lld found %lld",
	       mm->expected, mm->found);
	if (mm->queue)
		printf(" (sync_errors %lld, last_error %lld)",
		       mm->queue->sync_errors, mm->queue->last_error);
	putchar('\n');
}

static void mismatch_json(struct json *j, const struct mismatch *mm)
{
	json_obj_begin(j, NULL);
	json_str(j, "domain", mm->domain);
	json_uint(j, "index", mm->index);
	json_str(j, "field", mm->field);
	json_int(j, "expected", mm->expected);
	json_int(j, "found", mm->found);
	if (mm->queue) {
		json_int(j, "sync_errors", mm->queue->sync_errors);
		json_int(j, "last_error", mm->queue->last_error);
	}
	json_obj_end(j);
}

static void check_print(const struct check *c, bool json)
{
	struct json j;
	size_t i;

	if (!json) {
		for (i = 0; i < c->nr; i++)
			mismatch_text(&c->mm[i]);
		printf("checked %zu slots: %zu mismatches\n", c->checked,
		       c->nr);
		return;
	}
	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_arr_begin(&j, "mismatches");
	for (i = 0; i < c->nr; i++)
		mismatch_json(&j, &c->mm[i]);
	json_arr_end(&j);
	json_uint(&j, "checked", c->checked);
	json_bool(&j, "ok", !c->nr);
	json_obj_end(&j);
	json_finish(&j);
}

static void compare(struct check *c, const struct domain *d,
		    const struct dbg_slot *s, const char *field,
		    long long expected, long long found, bool hex)
{
	struct mismatch mm = { d->name, s->index, field, expected, found, hex,
			       NULL };

	if (expected != found)
		report(c, &mm);
}

static void check_entry(struct check *c, const struct domain *d,
			const struct dbg_slot *s, const struct entry *e)
{
	compare(c, d, s, "addr_hi", s->addr_hi, e->addr_hi, true);
	compare(c, d, s, "addr_lo", s->addr_lo, e->addr_lo, true);
	compare(c, d, s, "data", s->data, e->data, true);
	compare(c, d, s, "masked", s->masked, e->masked, false);
	/* ims_core refuses a PASID on a layout without one. */
	if (e->pasid_en < 0)
		return;
	compare(c, d, s, "pasid_en", s->pasid >= 0, e->pasid_en, false);
	if (s->pasid >= 0 && e->pasid_en)
		compare(c, d, s, "pasid", s->pasid, e->pasid, false);
}

/* The BAR of --mem (default the device) from --offset, in the layout. */
static void check_array(struct check *c, const struct opts *o,
			const struct domain *d, const char *mem)
{
	unsigned int last = 0;
	struct layout l;
	struct bar_map m;
	size_t i;

	if (o->bar < 0 || o->offset < 0)
		die(EXIT_USAGE, "checking array domain %s needs --bar and --offset",
		    d->name);
	if (o->offset % 4)
		die(EXIT_USAGE, "--offset must be a multiple of 4");
	if (o->layout)
		layout_arg(o->layout, &l);
	else if (d->has_layout)
		l = d->layout;
	else
		die(EXIT_USAGE, "%s: debugfs info shows no usable layout: give --layout",
		    d->name);
	if (!d->nr_dbg)
		return;
	for (i = 0; i < d->nr_dbg; i++)
		if (d->dbg[i].index > last)
			last = d->dbg[i].index;
	bar_map(mem, o->bar, o->offset, ((size_t)last + 1) * l.stride, &m);
	for (i = 0; i < d->nr_dbg; i++) {
		struct entry e;

		entry_read(&m, &l, d->dbg[i].index, &e);
		check_entry(c, d, &d->dbg[i], &e);
		c->checked++;
	}
	bar_unmap(&m);
}

/* ims_core knows when a queue device did not take what it pushed. */
static void check_queue(struct check *c, const struct domain *d)
{
	size_t i;

	for (i = 0; i < d->nr_dbg; i++) {
		const struct dbg_slot *s = &d->dbg[i];
		struct mismatch mm = { d->name, s->index, "dirty", 0, s->dirty,
				       false, s };

		if (s->has_queue && s->dirty)
			report(c, &mm);
		c->checked++;
	}
}

static size_t count_template(const struct device *dev, const char *tmpl)
{
	size_t i, n = 0;

	for (i = 0; i < dev->nr; i++)
		n += !strcmp(dev->domains[i].template, tmpl);
	return n;
}

static void check_domain(struct check *c, const struct opts *o,
			 struct domain *d, const char *mem)
{
	int err = debugfs_read(d);

	if (err) {
		char what[NAME_LEN + 64];

		snprintf(what, sizeof(what), "debugfs of %s", d->name);
		die_errno(-err, what);
	}
	if (!strcmp(d->template, "array"))
		check_array(c, o, d, mem);
	else if (!strcmp(d->template, "queue"))
		check_queue(c, d);
	else
		die(EXIT_SYSTEM, "%s: unknown template '%s'", d->name,
		    d->template);
}

int cmd_check(const struct opts *o)
{
	struct check c = { 0 };
	char bdf[BDF_LEN], mem[BDF_LEN];
	struct device *dev;
	size_t nr, i;
	int ret;

	if (o->layout) {
		struct layout l;

		layout_arg(o->layout, &l);
	}
	bdf_resolve(o->bdf, bdf);
	bdf_resolve(o->mem ? o->mem : o->bdf, mem);
	dev = ims_devices(bdf, &nr);
	/* One --offset cannot place the arrays of two domains. */
	if (!o->domain && count_template(dev, "array") > 1)
		die(EXIT_USAGE, "%s has several array domains: name one",
		    bdf);
	if (o->domain)
		check_domain(&c, o, domain_select(dev, o->domain), mem);
	else
		for (i = 0; i < dev->nr; i++)
			check_domain(&c, o, &dev->domains[i], mem);
	check_print(&c, o->json);
	ret = c.nr ? EXIT_MISMATCH : EXIT_OK;
	free(c.mm);
	ims_devices_free(dev, nr);
	return ret;
}
