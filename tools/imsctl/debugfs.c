// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_core's root-only view: /sys/kernel/debug/ims/<domain>/{info,slots}.
 * It adds what sysfs does not carry: the layout of array entries and, per
 * slot, the PASID, mask state and message ims_core wrote.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"
#include "paths.h"

static int dbg_text(const struct domain *d, const char *file, char **text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), IMS_DEBUGFS_DIR "/%s/%s", d->name, file);
	return read_text(path, text);
}

/* info: "key:   value" lines; only the layout is needed beyond sysfs. */
static void info_parse(struct domain *d, char *text)
{
	char *line, *save;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "layout:", 7))
			continue;
		d->layout = layout_dsa;
		d->has_layout = !layout_parse(line + 7, ' ', &d->layout);
	}
}

/* The template's extras after the message: " ctrl=..." or " dirty=...". */
static void slot_extras(struct dbg_slot *s, const char *rest)
{
	const char *p;

	p = strstr(rest, "ctrl=");
	if (p) {
		s->has_ctrl = true;
		s->ctrl = strtoul(p + 5, NULL, 16);
	}
	p = strstr(rest, "dirty=");
	if (p && sscanf(p, "dirty=%d sync_errors=%lld last_error=%lld",
			&s->dirty, &s->sync_errors, &s->last_error) == 3)
		s->has_queue = true;
}

static bool slot_parse(const char *line, struct dbg_slot *s)
{
	char pasid[32];
	int end = 0;

	memset(s, 0, sizeof(*s));
	if (sscanf(line, "%u %u %31s %d %d %x %x %x%n", &s->index, &s->virq,
		   pasid, &s->masked, &s->cpu, &s->addr_hi, &s->addr_lo,
		   &s->data, &end) != 8)
		return false;
	if (!strcmp(pasid, "none")) {
		s->pasid = -1;
	} else {
		unsigned long long v;

		if (!parse_ull(pasid, &v) || v > UINT_MAX)
			return false;
		s->pasid = v;
	}
	slot_extras(s, line + end);
	return true;
}

static int dbg_slot_cmp(const void *a, const void *b)
{
	const struct dbg_slot *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

static void slots_parse(struct domain *d, char *text)
{
	char *line, *save;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct dbg_slot s;

		/* The header line does not parse as a slot. */
		if (!slot_parse(line, &s))
			continue;
		d->dbg = xrealloc(d->dbg, d->nr_dbg + 1, sizeof(*d->dbg));
		d->dbg[d->nr_dbg++] = s;
	}
	qsort(d->dbg, d->nr_dbg, sizeof(*d->dbg), dbg_slot_cmp);
}

/* Points every sysfs slot at debugfs's line of the same index and irq. */
static void slots_attach(struct domain *d)
{
	size_t i;

	for (i = 0; i < d->nr; i++) {
		struct dbg_slot key = { .index = d->slots[i].index }, *s;

		s = bsearch(&key, d->dbg, d->nr_dbg, sizeof(key), dbg_slot_cmp);
		d->slots[i].dbg = s && s->virq == d->slots[i].irq ? s : NULL;
	}
}

/* Returns 0, or the negative errno of the first file that failed. */
int debugfs_read(struct domain *d)
{
	char *text;
	int ret;

	ret = dbg_text(d, "info", &text);
	if (ret)
		return ret;
	info_parse(d, text);
	free(text);
	ret = dbg_text(d, "slots", &text);
	if (ret)
		return ret;
	slots_parse(d, text);
	free(text);
	d->has_dbg = true;
	slots_attach(d);
	return 0;
}

/* Says once why the debugfs columns are empty. */
void debugfs_note(int err)
{
	static bool said;

	if (said)
		return;
	said = true;
	if (err == -EACCES || err == -EPERM)
		note("PASID, MASKED and the message need root (debugfs)");
	else
		note("PASID, MASKED and the message need debugfs: %s: %s",
		     IMS_DEBUGFS_DIR, strerror(-err));
}
