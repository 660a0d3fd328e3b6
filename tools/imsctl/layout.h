/* SPDX-License-Identifier: GPL-2.0-only */
/* Array entry layouts, as struct ims_array_layout in <ims/ims.h>. */
#ifndef IMSCTL_LAYOUT_H
#define IMSCTL_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

struct layout {
	unsigned int	stride;
	unsigned int	addr_lo, addr_hi, data, ctrl;
	unsigned int	mask_bit;
	bool		mask_active_low;
	int		pasid_en_bit;	/* -1: the entry has no PASID */
	unsigned int	pasid_shift, pasid_width;
};

/* One entry read from device memory and decoded. */
struct entry {
	uint32_t	addr_lo, addr_hi, data, ctrl;
	int		masked;
	int		pasid_en;	/* -1: no PASID in the layout */
	long long	pasid;		/* -1: no PASID in the layout */
};

extern const struct layout layout_dsa;

const char *layout_parse(const char *spec, char sep, struct layout *l);
const char *layout_from_arg(const char *arg, struct layout *l);
void entry_decode(const struct layout *l, struct entry *e);

#endif
