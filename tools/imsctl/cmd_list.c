// SPDX-License-Identifier: GPL-2.0-only
/*
 * list: the devices with IMS domains; show: one device's interrupts.
 * Unknown values print as "-" (JSON null).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"
#include "output/json.h"

#define NUM_LEN	24

/* A count, or "-" when unknown (negative). */
static const char *num(char buf[NUM_LEN], long long v)
{
	if (v < 0)
		return "-";
	snprintf(buf, NUM_LEN, "%lld", v);
	return buf;
}

static const char *hex(char buf[NUM_LEN], uint32_t v, bool known)
{
	if (!known)
		return "-";
	snprintf(buf, NUM_LEN, "0x%08x", v);
	return buf;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* "0000:00:14.0 Vendor Device [vvvv:dddd] driver=name" */
static void device_line(const struct device *dev)
{
	char ids[16] = "[-]";

	if (dev->vendor_id >= 0)
		snprintf(ids, sizeof(ids), "[%04x:%04x]", dev->vendor_id,
			 dev->device_id);
	printf("%s %s %s %s driver=%s\n", dev->bdf, or_dash(dev->vendor),
	       or_dash(dev->device), ids, or_dash(dev->driver));
}

static void chain_text(const struct domain *d)
{
	size_t i;

	if (!d->chain) {
		fputs("-", stdout);
		return;
	}
	for (i = 0; d->chain[i]; i++)
		printf("%s%s", i ? " -> " : "", d->chain[i]);
}

static void device_json(struct json *j, const struct device *dev)
{
	json_str(j, "bdf", dev->bdf);
	json_opt_int(j, "vendor_id", dev->vendor_id);
	json_opt_int(j, "device_id", dev->device_id);
	json_str(j, "vendor", *dev->vendor ? dev->vendor : NULL);
	json_str(j, "device", *dev->device ? dev->device : NULL);
	json_str(j, "driver", *dev->driver ? dev->driver : NULL);
}

/* The members list and show have in common. */
static void domain_json(struct json *j, const struct domain *d)
{
	size_t i;

	json_str(j, "name", d->name);
	json_str(j, "template", *d->template ? d->template : NULL);
	json_str(j, "mode", *d->mode ? d->mode : NULL);
	json_opt_int(j, "size", d->nr_slots);
	json_opt_int(j, "used", d->used);
	json_opt_int(j, "held", d->held);
	json_opt_int(j, "spare", d->spare);
	if (!d->chain) {
		json_null(j, "chain");
		return;
	}
	json_arr_begin(j, "chain");
	for (i = 0; d->chain[i]; i++)
		json_str(j, NULL, d->chain[i]);
	json_arr_end(j);
}

static void list_text(const struct device *devs, size_t nr)
{
	size_t i, k;

	for (i = 0; i < nr; i++) {
		const struct device *dev = &devs[i];
		int w = (int)strlen("DOMAIN");

		for (k = 0; k < dev->nr; k++)
			if ((int)strlen(dev->domains[k].name) > w)
				w = (int)strlen(dev->domains[k].name);
		if (i)
			putchar('\n');
		device_line(dev);
		printf("  %-*s %-8s %5s %5s %5s %5s %-8s %s\n", w, "DOMAIN",
		       "TEMPLATE", "USED", "HELD", "SPARE", "SIZE", "MODE",
		       "CHAIN");
		for (k = 0; k < dev->nr; k++) {
			const struct domain *d = &dev->domains[k];
			char b1[NUM_LEN], b2[NUM_LEN], b3[NUM_LEN], b4[NUM_LEN];

			printf("  %-*s %-8s %5s %5s %5s %5s %-8s ", w, d->name,
			       or_dash(d->template), num(b1, d->used),
			       num(b2, d->held), num(b4, d->spare),
			       num(b3, d->nr_slots), or_dash(d->mode));
			chain_text(d);
			putchar('\n');
		}
	}
}

static void list_json(const struct device *devs, size_t nr)
{
	struct json j;
	size_t i, k;

	json_init(&j, stdout);
	json_arr_begin(&j, NULL);
	for (i = 0; i < nr; i++) {
		json_obj_begin(&j, NULL);
		device_json(&j, &devs[i]);
		json_arr_begin(&j, "domains");
		for (k = 0; k < devs[i].nr; k++) {
			json_obj_begin(&j, NULL);
			domain_json(&j, &devs[i].domains[k]);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_finish(&j);
}

int cmd_list(const struct opts *o)
{
	size_t nr;
	struct device *devs = ims_devices(NULL, &nr);

	if (o->json)
		list_json(devs, nr);
	else
		list_text(devs, nr);
	ims_devices_free(devs, nr);
	return EXIT_OK;
}

static void slot_text(const struct slot *s, size_t ncpu)
{
	const struct dbg_slot *g = s->dbg;
	char b[6][NUM_LEN];
	size_t c;

	printf("%5u %6u %-10s %7s %6s %10s %10s %10s %10s", s->index, s->irq,
	       or_dash(s->affinity),
	       !g ? "-" : g->pasid < 0 ? "none" : num(b[0], g->pasid),
	       g ? num(b[1], g->masked) : "-",
	       hex(b[2], g ? g->addr_hi : 0, g), hex(b[3], g ? g->addr_lo : 0, g),
	       hex(b[4], g ? g->data : 0, g),
	       s->counted ? num(b[5], (long long)s->total) : "-");
	for (c = 0; c < ncpu; c++)
		printf(" %10s", s->counted ? num(b[0], (long long)s->counts[c])
					   : "-");
	printf(" %s\n", or_dash(s->owner));
}

static void domain_text(const struct domain *d, const struct irq_table *t)
{
	char b1[NUM_LEN], b2[NUM_LEN], b3[NUM_LEN], b4[NUM_LEN];
	size_t i;

	printf("\ndomain %s template=%s mode=%s used=%s held=%s spare=%s size=%s\n",
	       d->name, or_dash(d->template), or_dash(d->mode),
	       num(b1, d->used), num(b2, d->held), num(b4, d->spare),
	       num(b3, d->nr_slots));
	fputs("chain ", stdout);
	chain_text(d);
	printf("\n%5s %6s %-10s %7s %6s %10s %10s %10s %10s", "INDEX", "IRQ",
	       "AFFINITY", "PASID", "MASKED", "ADDR_HI", "ADDR_LO", "DATA",
	       "TOTAL");
	for (i = 0; i < t->ncpu; i++) {
		snprintf(b1, sizeof(b1), "CPU%d", t->cpus[i]);
		printf(" %10s", b1);
	}
	fputs(" OWNER\n", stdout);
	for (i = 0; i < d->nr; i++)
		slot_text(&d->slots[i], t->ncpu);
}

static void hex_json(struct json *j, const char *key, uint32_t v, bool known)
{
	if (known)
		json_uint(j, key, v);
	else
		json_null(j, key);
}

/* The template's own state: array control word, queue push state. */
static void slot_extras_json(struct json *j, const struct domain *d,
			     const struct dbg_slot *g)
{
	if (!strcmp(d->template, "array")) {
		hex_json(j, "ctrl", g ? g->ctrl : 0, g && g->has_ctrl);
	} else if (!strcmp(d->template, "queue")) {
		bool q = g && g->has_queue;

		json_opt_int(j, "dirty", q ? g->dirty : -1);
		json_opt_int(j, "sync_errors", q ? g->sync_errors : -1);
		if (q)
			json_int(j, "last_error", g->last_error);
		else
			json_null(j, "last_error");
	}
}

static void slot_json(struct json *j, const struct domain *d,
		      const struct slot *s, size_t ncpu)
{
	const struct dbg_slot *g = s->dbg;
	size_t c;

	json_obj_begin(j, NULL);
	json_uint(j, "index", s->index);
	json_uint(j, "irq", s->irq);
	json_str(j, "affinity", s->affinity);
	json_opt_int(j, "pasid", g ? g->pasid : -1);
	json_opt_int(j, "masked", g ? g->masked : -1);
	hex_json(j, "addr_hi", g ? g->addr_hi : 0, g);
	hex_json(j, "addr_lo", g ? g->addr_lo : 0, g);
	hex_json(j, "data", g ? g->data : 0, g);
	slot_extras_json(j, d, g);
	if (s->counted) {
		json_uint(j, "total", s->total);
		json_arr_begin(j, "counts");
		for (c = 0; c < ncpu; c++)
			json_uint(j, NULL, s->counts[c]);
		json_arr_end(j);
	} else {
		json_null(j, "total");
		json_null(j, "counts");
	}
	json_str(j, "owner", s->owner);
	json_obj_end(j);
}

static void show_json(const struct device *dev, struct domain *const *doms,
		      size_t nr, const struct irq_table *t)
{
	struct json j;
	size_t i, k;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_obj_begin(&j, "device");
	device_json(&j, dev);
	json_obj_end(&j);
	json_arr_begin(&j, "cpus");
	for (i = 0; i < t->ncpu; i++)
		json_int(&j, NULL, t->cpus[i]);
	json_arr_end(&j);
	json_arr_begin(&j, "domains");
	for (i = 0; i < nr; i++) {
		json_obj_begin(&j, NULL);
		domain_json(&j, doms[i]);
		json_arr_begin(&j, "slots");
		for (k = 0; k < doms[i]->nr; k++)
			slot_json(&j, doms[i], &doms[i]->slots[k], t->ncpu);
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

int cmd_show(const struct opts *o)
{
	struct domain **doms;
	struct irq_table t;
	struct device *dev;
	char bdf[BDF_LEN];
	size_t nr, n = 0, i;

	bdf_resolve(o->bdf, bdf);
	dev = ims_devices(bdf, &nr);
	doms = xcalloc(dev->nr, sizeof(*doms));
	if (o->domain)
		doms[n++] = domain_select(dev, o->domain);
	else
		for (; n < dev->nr; n++)
			doms[n] = &dev->domains[n];
	irq_table_read(&t);
	for (i = 0; i < n; i++) {
		int err = debugfs_read(doms[i]);

		if (err)
			debugfs_note(err);
		slots_count(doms[i], &t);
		slots_describe(doms[i]);
	}
	if (o->json) {
		show_json(dev, doms, n, &t);
	} else {
		device_line(dev);
		for (i = 0; i < n; i++)
			domain_text(doms[i], &t);
	}
	irq_table_free(&t);
	free(doms);
	ims_devices_free(dev, nr);
	return EXIT_OK;
}
