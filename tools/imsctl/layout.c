// SPDX-License-Identifier: GPL-2.0-only
/*
 * Entry layouts: the keys of ims_debugfs's "layout:" line and of --layout,
 * checked with the rules ims_core applies (ims_array_check()), so that a
 * layout imsctl accepts is one a driver could have used.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imsctl.h"

/* ims_array_layout_dsa of ims.h, which user space cannot include. */
const struct layout layout_dsa = {
	.stride		= 16,
	.addr_lo	= 0,
	.addr_hi	= 4,
	.data		= 8,
	.ctrl		= 12,
	.mask_bit	= 0,
	.pasid_en_bit	= 3,
	.pasid_shift	= 12,
	.pasid_width	= 20,
};

#define PASID_MAX_WIDTH	20

static uint32_t bits(unsigned int shift, unsigned int width)
{
	return (uint32_t)(((1ULL << width) - 1) << shift);
}

static bool field_ok(const struct layout *l, unsigned int off)
{
	return off % 4 == 0 && off + 4 <= l->stride;
}

static const char *layout_check(const struct layout *l)
{
	uint32_t pasid_bits = 0;

	if (l->stride < 4 || l->stride % 4 || l->stride > 4096)
		return "stride must be a multiple of 4 from 4 to 4096";
	if (!field_ok(l, l->addr_lo) || !field_ok(l, l->addr_hi) ||
	    !field_ok(l, l->data) || !field_ok(l, l->ctrl))
		return "offsets must be 4-aligned and inside the stride";
	if (l->mask_bit >= 32)
		return "mask_bit must be below 32";
	if (l->pasid_en_bit < 0)
		return NULL;
	if (l->pasid_en_bit >= 32)
		return "pasid_en_bit must be -1 or below 32";
	if (!l->pasid_width || l->pasid_width > PASID_MAX_WIDTH ||
	    l->pasid_shift + l->pasid_width > 32)
		return "the PASID field must be 1 to 20 bits inside the word";
	pasid_bits = bits(l->pasid_shift, l->pasid_width);
	if (pasid_bits & (1U << l->pasid_en_bit))
		return "pasid_en_bit lies in the PASID field";
	if ((pasid_bits | 1U << l->pasid_en_bit) & (1U << l->mask_bit))
		return "mask_bit overlaps the PASID bits";
	return NULL;
}

/* Sets one key; returns an error message, NULL when done. */
static const char *layout_set(struct layout *l, const char *key,
			      size_t keylen, const char *val)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
#define K(f) { #f, offsetof(struct layout, f) }
		K(stride), K(addr_lo), K(addr_hi), K(data), K(ctrl),
		K(mask_bit), K(pasid_shift), K(pasid_width),
#undef K
	};
	unsigned long long v;
	size_t i;

	if (keylen == strlen("pasid_en_bit") &&
	    !strncmp(key, "pasid_en_bit", keylen)) {
		if (!strcmp(val, "-1")) {
			l->pasid_en_bit = -1;
			return NULL;
		}
		if (!parse_ull(val, &v) || v > 31)
			return "bad value for pasid_en_bit";
		l->pasid_en_bit = (int)v;
		return NULL;
	}
	if (!parse_ull(val, &v) || v > 65536)
		return "bad number in layout";
	if (keylen == strlen("mask_active_low") &&
	    !strncmp(key, "mask_active_low", keylen)) {
		if (v > 1)
			return "mask_active_low must be 0 or 1";
		l->mask_active_low = v;
		return NULL;
	}
	for (i = 0; i < ARRAY_SIZE(keys); i++) {
		if (keylen == strlen(keys[i].name) &&
		    !strncmp(key, keys[i].name, keylen)) {
			*(unsigned int *)((char *)l + keys[i].off) = v;
			return NULL;
		}
	}
	return "unknown layout key";
}

/*
 * Applies "key=value" items separated by @sep on top of *l, then checks the
 * result. Returns an error message, NULL when the layout is good.
 */
const char *layout_parse(const char *spec, char sep, struct layout *l)
{
	char *copy = xstrdup(spec), *item = copy, *next;
	const char *err = NULL;

	for (; item && !err; item = next) {
		char *eq;

		next = strchr(item, sep);
		if (next)
			*next++ = '\0';
		if (!*item)
			continue;
		eq = strchr(item, '=');
		if (!eq)
			err = "layout items are key=value";
		else
			err = layout_set(l, item, eq - item, eq + 1);
	}
	free(copy);
	return err ? err : layout_check(l);
}

/* --layout: "dsa", or key=value items overriding the DSA layout. */
const char *layout_from_arg(const char *arg, struct layout *l)
{
	*l = layout_dsa;
	if (!strcmp(arg, "dsa"))
		return NULL;
	return layout_parse(arg, ',', l);
}

void entry_decode(const struct layout *l, struct entry *e)
{
	e->masked = ((e->ctrl >> l->mask_bit) & 1) ^ l->mask_active_low;
	if (l->pasid_en_bit < 0) {
		e->pasid_en = -1;
		e->pasid = -1;
		return;
	}
	e->pasid_en = (e->ctrl >> l->pasid_en_bit) & 1;
	e->pasid = (e->ctrl & bits(l->pasid_shift, l->pasid_width)) >>
		   l->pasid_shift;
}
