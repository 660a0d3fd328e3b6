// SPDX-License-Identifier: GPL-2.0-only
/*
 * watch: per slot the interrupt rate over the last interval and the total,
 * like irqtop. The first sample comes after one interval, so that every
 * sample has rates (--count 1 is one measurement).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "imsctl.h"
#include "output/json.h"

struct sample {
	struct device	*devs;
	size_t		nr;
	double		when;	/* CLOCK_MONOTONIC seconds */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sample_take(struct sample *s, const char *bdf)
{
	struct irq_table t;
	size_t i, k;

	s->devs = ims_devices(bdf, &s->nr);
	irq_table_read(&t);
	s->when = now();
	for (i = 0; i < s->nr; i++)
		for (k = 0; k < s->devs[i].nr; k++)
			slots_count(&s->devs[i].domains[k], &t);
	irq_table_free(&t);
}

static void sample_free(struct sample *s)
{
	ims_devices_free(s->devs, s->nr);
	memset(s, 0, sizeof(*s));
}

/* The same interrupt in the previous sample: same domain, index and irq. */
static const struct slot *slot_before(const struct sample *prev,
				      const struct domain *d,
				      const struct slot *s)
{
	size_t i, k, n;

	for (i = 0; i < prev->nr; i++) {
		for (k = 0; k < prev->devs[i].nr; k++) {
			const struct domain *p = &prev->devs[i].domains[k];

			if (strcmp(p->name, d->name))
				continue;
			for (n = 0; n < p->nr; n++)
				if (p->slots[n].index == s->index)
					return p->slots[n].irq == s->irq &&
					       p->slots[n].counted ?
					       &p->slots[n] : NULL;
			return NULL;
		}
	}
	return NULL;
}

/* Interrupts per second, or negative when there is nothing to compare. */
static double slot_rate(const struct sample *prev, const struct sample *cur,
			const struct domain *d, const struct slot *s)
{
	const struct slot *p = slot_before(prev, d, s);

	if (!p || !s->counted || s->total < p->total || cur->when <= prev->when)
		return -1;
	return (s->total - p->total) / (cur->when - prev->when);
}

static int name_width(const struct sample *cur)
{
	int w = (int)strlen("DOMAIN");
	size_t i, k;

	for (i = 0; i < cur->nr; i++)
		for (k = 0; k < cur->devs[i].nr; k++)
			if ((int)strlen(cur->devs[i].domains[k].name) > w)
				w = (int)strlen(cur->devs[i].domains[k].name);
	return w;
}

/* Called for every slot of a sample, in order, with its rate (or -1). */
typedef void (*slot_visit)(const struct domain *d, const struct slot *s,
			   double rate, void *ctx);

static void each_slot(const struct sample *prev, const struct sample *cur,
		      slot_visit visit, void *ctx)
{
	size_t i, k, m;

	for (i = 0; i < cur->nr; i++) {
		for (k = 0; k < cur->devs[i].nr; k++) {
			const struct domain *d = &cur->devs[i].domains[k];

			for (m = 0; m < d->nr; m++)
				visit(d, &d->slots[m],
				      slot_rate(prev, cur, d, &d->slots[m]), ctx);
		}
	}
}

static void text_slot(const struct domain *d, const struct slot *s,
		      double rate, void *ctx)
{
	char r[24] = "-", t[24] = "-";

	if (rate >= 0)
		snprintf(r, sizeof(r), "%.1f", rate);
	if (s->counted)
		snprintf(t, sizeof(t), "%llu", s->total);
	printf("%-12s %-*s %5u %6u %10s %10s\n", d->bdf, *(int *)ctx, d->name,
	       s->index, s->irq, r, t);
}

static void watch_text(const struct sample *prev, const struct sample *cur,
		       long long n, double interval)
{
	int w = name_width(cur);

	printf("sample %lld interval %.3f\n", n, interval);
	printf("%-12s %-*s %5s %6s %10s %10s\n", "BDF", w, "DOMAIN", "INDEX",
	       "IRQ", "RATE", "TOTAL");
	each_slot(prev, cur, text_slot, &w);
}

static void json_slot(const struct domain *d, const struct slot *s,
		      double rate, void *ctx)
{
	struct json *j = ctx;

	json_obj_begin(j, NULL);
	json_str(j, "bdf", d->bdf);
	json_str(j, "domain", d->name);
	json_uint(j, "index", s->index);
	json_uint(j, "irq", s->irq);
	if (rate >= 0)
		json_double(j, "rate", rate);
	else
		json_null(j, "rate");
	json_opt_int(j, "total", s->counted ? (long long)s->total : -1);
	json_obj_end(j);
}

static void watch_json(const struct sample *prev, const struct sample *cur,
		       long long n, double interval)
{
	struct json j;

	json_init(&j, stdout);
	json_obj_begin(&j, NULL);
	json_int(&j, "sample", n);
	json_double(&j, "interval", interval);
	json_arr_begin(&j, "slots");
	each_slot(prev, cur, json_slot, &j);
	json_arr_end(&j);
	json_obj_end(&j);
	json_finish(&j);
}

static void sleep_for(double seconds)
{
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int cmd_watch(const struct opts *o)
{
	struct sample prev, cur;
	char bdf[BDF_LEN];
	bool tty = isatty(STDOUT_FILENO);
	long long n;

	if (o->count == 0)
		die(EXIT_USAGE, "--count must be at least 1");
	if (o->bdf)
		bdf_resolve(o->bdf, bdf);
	sample_take(&prev, o->bdf ? bdf : NULL);
	for (n = 1; o->count < 0 || n <= o->count; n++) {
		sleep_for(o->interval);
		sample_take(&cur, o->bdf ? bdf : NULL);
		if (o->json) {
			watch_json(&prev, &cur, n, o->interval);
		} else {
			/* Home and clear: a terminal shows one table. */
			if (tty)
				fputs("\033[H\033[2J", stdout);
			else if (n > 1)
				putchar('\n');
			watch_text(&prev, &cur, n, o->interval);
		}
		if (fflush(stdout))
			die(EXIT_SYSTEM, "write error on standard output");
		sample_free(&prev);
		prev = cur;
	}
	sample_free(&prev);
	return EXIT_OK;
}
