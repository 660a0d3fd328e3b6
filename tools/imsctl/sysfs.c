// SPDX-License-Identifier: GPL-2.0-only
/*
 * The world-readable sources: ims_core's sysfs view (/sys/class/ims), and
 * the irq core's /proc/interrupts, /proc/irq/N and /sys/kernel/irq/N.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "imsctl.h"
#include "paths.h"

static void domain_attr(const struct domain *d, const char *attr, char *buf,
			size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), IMS_SYSFS_CLASS "/%s/%s", d->name, attr);
	if (read_line(path, buf, size))
		buf[0] = '\0';
}

static long long domain_num(const struct domain *d, const char *attr)
{
	unsigned long long v;
	char buf[32];

	domain_attr(d, attr, buf, sizeof(buf));
	return parse_ull(buf, &v) && v <= LLONG_MAX ? (long long)v : -1;
}

/* "A B C" to a NULL-terminated array; NULL when unreadable. */
static char **chain_split(const char *text)
{
	char **chain = NULL;
	size_t n = 0;
	char *copy, *tok, *save;

	if (!*text)
		return NULL;
	copy = xstrdup(text);
	for (tok = strtok_r(copy, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		chain = xrealloc(chain, n + 2, sizeof(*chain));
		chain[n++] = xstrdup(tok);
		chain[n] = NULL;
	}
	free(copy);
	return chain;
}

static int slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/* irqs/<irq> holds the slot index: the interrupts the driver holds. */
static void domain_irqs(struct domain *d)
{
	char path[PATH_MAX], buf[32];
	struct dirent *de;
	DIR *dir;

	snprintf(path, sizeof(path), IMS_SYSFS_CLASS "/%s/irqs", d->name);
	dir = opendir(path);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		unsigned long long irq, index;
		char file[PATH_MAX];

		if (!parse_ull(de->d_name, &irq) || irq > UINT_MAX)
			continue;
		snprintf(file, sizeof(file), IMS_SYSFS_CLASS "/%s/irqs/%s",
			 d->name, de->d_name);
		/* Freed since readdir(): not the driver's any more. */
		if (read_line(file, buf, sizeof(buf)) ||
		    !parse_ull(buf, &index) || index > UINT_MAX)
			continue;
		d->slots = xrealloc(d->slots, d->nr + 1, sizeof(*d->slots));
		d->slots[d->nr++] = (struct slot){ .index = index, .irq = irq };
	}
	closedir(dir);
	qsort(d->slots, d->nr, sizeof(*d->slots), slot_cmp);
}

static void domain_read(struct domain *d)
{
	char chain[1024];

	domain_attr(d, "template", d->template, sizeof(d->template));
	domain_attr(d, "mode", d->mode, sizeof(d->mode));
	domain_attr(d, "chain", chain, sizeof(chain));
	d->chain = chain_split(chain);
	d->nr_slots = domain_num(d, "slots");
	d->used = domain_num(d, "used");
	d->held = domain_num(d, "held");
	d->spare = domain_num(d, "spare");
	domain_irqs(d);
}

/* The BDF of a domain: the basename of its "device" link. */
static bool domain_bdf(const char *name, char bdf[BDF_LEN])
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), IMS_SYSFS_CLASS "/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (strlen(base) >= BDF_LEN)
		return false;
	str_copy(bdf, BDF_LEN, base);
	return true;
}

/* "BDF NAME" keys sort the domains by device, then by name. */
static char **domain_keys(const char *bdf, size_t *nr)
{
	char **keys = NULL;
	struct dirent *de;
	DIR *dir = opendir(IMS_SYSFS_CLASS);

	if (!dir && errno == ENOENT)
		die(EXIT_NOIMS, "ims_core is not loaded");
	if (!dir)
		die_errno(errno, IMS_SYSFS_CLASS);
	*nr = 0;
	while ((de = readdir(dir))) {
		char dev[BDF_LEN], key[BDF_LEN + NAME_LEN + 1];

		/* A domain destroyed since readdir() has no link left. */
		if (de->d_name[0] == '.' || strlen(de->d_name) >= NAME_LEN ||
		    !domain_bdf(de->d_name, dev))
			continue;
		if (bdf && strcmp(bdf, dev))
			continue;
		snprintf(key, sizeof(key), "%s %s", dev, de->d_name);
		keys = xrealloc(keys, *nr + 1, sizeof(*keys));
		keys[(*nr)++] = xstrdup(key);
	}
	closedir(dir);
	qsort(keys, *nr, sizeof(*keys), cmp_str);
	return keys;
}

/*
 * Every device with IMS domains, or only @bdf (then it must have one),
 * sorted by address, each with its domains sorted by name.
 */
struct device *ims_devices(const char *bdf, size_t *nr)
{
	struct device *devs = NULL;
	size_t nkeys, i;
	char **keys = domain_keys(bdf, &nkeys);

	*nr = 0;
	for (i = 0; i < nkeys; i++) {
		char *space = strchr(keys[i], ' ');
		struct device *dev = *nr ? &devs[*nr - 1] : NULL;
		struct domain *d;

		*space = '\0';
		if (!dev || strcmp(dev->bdf, keys[i])) {
			devs = xrealloc(devs, *nr + 1, sizeof(*devs));
			dev = &devs[(*nr)++];
			memset(dev, 0, sizeof(*dev));
			str_copy(dev->bdf, sizeof(dev->bdf), keys[i]);
			pci_describe(dev);
		}
		dev->domains = xrealloc(dev->domains, dev->nr + 1,
					sizeof(*dev->domains));
		d = &dev->domains[dev->nr++];
		memset(d, 0, sizeof(*d));
		str_copy(d->name, sizeof(d->name), space + 1);
		str_copy(d->bdf, sizeof(d->bdf), keys[i]);
		domain_read(d);
		free(keys[i]);
	}
	free(keys);
	if (bdf && !*nr)
		die(EXIT_NOIMS, "%s has no IMS domain", bdf);
	return devs;
}

static void domain_free(struct domain *d)
{
	size_t i;

	for (i = 0; d->chain && d->chain[i]; i++)
		free(d->chain[i]);
	free(d->chain);
	for (i = 0; i < d->nr; i++) {
		free(d->slots[i].affinity);
		free(d->slots[i].owner);
		free(d->slots[i].counts);
	}
	free(d->slots);
	free(d->dbg);
}

void ims_devices_free(struct device *devs, size_t nr)
{
	size_t i, j;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < devs[i].nr; j++)
			domain_free(&devs[i].domains[j]);
		free(devs[i].domains);
	}
	free(devs);
}

/* The instance name: what follows "<BDF>-" in the domain name, or "". */
static const char *domain_instance(const struct domain *d)
{
	const char *at = strstr(d->name, d->bdf);

	if (!at || at[strlen(d->bdf)] != '-')
		return "";
	return at + strlen(d->bdf) + 1;
}

/*
 * DOMAIN names a domain of @dev by its full name, else by its instance
 * name (the part after "<BDF>-"), else by its template ("array", "queue",
 * any case) when exactly one domain of the device has that template.
 */
struct domain *domain_select(struct device *dev, const char *arg)
{
	struct domain *found = NULL;
	size_t i, n = 0;

	for (i = 0; i < dev->nr; i++)
		if (!strcmp(dev->domains[i].name, arg))
			return &dev->domains[i];
	for (i = 0; i < dev->nr; i++)
		if (!strcmp(domain_instance(&dev->domains[i]), arg))
			return &dev->domains[i];
	for (i = 0; i < dev->nr; i++) {
		if (!strcasecmp(dev->domains[i].template, arg)) {
			found = &dev->domains[i];
			n++;
		}
	}
	if (n > 1)
		die(EXIT_USAGE, "%s has %zu %s domains: give the full name",
		    dev->bdf, n, found->template);
	if (!found)
		die(EXIT_NOIMS, "%s has no IMS domain '%s'", dev->bdf, arg);
	return found;
}

static int irq_line_cmp(const void *a, const void *b)
{
	const struct irq_line *x = a, *y = b;

	return (x->irq > y->irq) - (x->irq < y->irq);
}

/* The header names the online CPUs: "CPU0 CPU2 ..." (gaps when offline). */
static void irq_table_header(struct irq_table *t, const char *line)
{
	const char *p = line;

	while ((p = strstr(p, "CPU"))) {
		char *end;
		long cpu = strtol(p + 3, &end, 10);

		if (end == p + 3)
			break;
		t->cpus = xrealloc(t->cpus, t->ncpu + 1, sizeof(*t->cpus));
		t->cpus[t->ncpu++] = (int)cpu;
		p = end;
	}
}

void irq_table_read(struct irq_table *t)
{
	char *line, *save;
	int ret;

	memset(t, 0, sizeof(*t));
	ret = read_text(PROC_INTERRUPTS, &t->text);
	if (ret)
		die_errno(-ret, PROC_INTERRUPTS);
	line = strtok_r(t->text, "\n", &save);
	if (line)
		irq_table_header(t, line);
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *end;
		unsigned long irq = strtoul(line, &end, 10);

		/* Named lines (NMI:, LOC:, ...) are not irqs. */
		if (end == line || *end != ':' || irq > UINT_MAX)
			continue;
		t->lines = xrealloc(t->lines, t->nlines + 1, sizeof(*t->lines));
		t->lines[t->nlines++] = (struct irq_line){ irq, end + 1 };
	}
	qsort(t->lines, t->nlines, sizeof(*t->lines), irq_line_cmp);
}

void irq_table_free(struct irq_table *t)
{
	free(t->cpus);
	free(t->lines);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

/* Per-CPU counts and total of every slot; a slot not listed stays uncounted. */
void slots_count(struct domain *d, const struct irq_table *t)
{
	size_t i, c;

	for (i = 0; i < d->nr; i++) {
		struct slot *s = &d->slots[i];
		struct irq_line key = { .irq = s->irq }, *l;
		const char *p;

		l = bsearch(&key, t->lines, t->nlines, sizeof(key), irq_line_cmp);
		if (!l)
			continue;
		free(s->counts);
		s->counts = xcalloc(t->ncpu, sizeof(*s->counts));
		s->counted = true;
		s->total = 0;
		for (c = 0, p = l->counts; c < t->ncpu; c++) {
			char *end;

			s->counts[c] = strtoull(p, &end, 10);
			if (end == p)
				break;
			s->total += s->counts[c];
			p = end;
		}
	}
}

static char *irq_file(const char *dir, unsigned int irq, const char *file)
{
	char path[PATH_MAX], buf[4096];

	snprintf(path, sizeof(path), "%s/%u/%s", dir, irq, file);
	if (read_line(path, buf, sizeof(buf)) || !buf[0])
		return NULL;
	return xstrdup(buf);
}

/* Effective CPUs and owner (the actions' names) of every slot. */
void slots_describe(struct domain *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		struct slot *s = &d->slots[i];

		s->affinity = irq_file(PROC_IRQ_DIR, s->irq,
				       "effective_affinity_list");
		s->owner = irq_file(SYSFS_IRQ_DIR, s->irq, "actions");
	}
}
