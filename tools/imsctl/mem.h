/* SPDX-License-Identifier: GPL-2.0-only */
/* Read-only access to array entries in a PCI BAR. */
#ifndef IMSCTL_MEM_H
#define IMSCTL_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

struct bar_map {
	void		*base;	/* page-aligned mapping */
	size_t		len;
	size_t		skip;	/* from base to the offset asked for */
};

void bar_map(const char *bdf, unsigned int bar, uint64_t offset, size_t size,
	     struct bar_map *m);
void bar_unmap(struct bar_map *m);
void entry_read(const struct bar_map *m, const struct layout *l,
		unsigned int index, struct entry *e);

#endif
