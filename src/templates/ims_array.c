// SPDX-License-Identifier: GPL-2.0-only
/*
 * IMS array template: a table of message entries in device MMIO.
 *
 * Every callback writes the device directly, so it works from any context
 * and follows affinity moves even without interrupt remapping. Each write
 * sequence ends with a read back of the entry to flush posted writes.
 */

#include <linux/io.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "ims_internal.h"

const struct ims_array_layout ims_array_layout_dsa = {
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
EXPORT_SYMBOL_IMS(ims_array_layout_dsa);

static const struct ims_array_layout *
ims_array_info_layout(const struct ims_domain_info *info)
{
	return info->array.layout ? info->array.layout : &ims_array_layout_dsa;
}

static const struct ims_array_layout *ims_array_layout(const struct ims_slot *slot)
{
	return &slot->domain->layout;
}

static void __iomem *ims_array_entry(const struct ims_slot *slot)
{
	return slot->domain->info.array.slots +
	       (size_t)slot->index * ims_array_layout(slot)->stride;
}

static bool ims_array_field_ok(const struct ims_array_layout *l,
			       unsigned int off)
{
	return IS_ALIGNED(off, 4) && off + 4 <= l->stride;
}

static int ims_array_check(struct pci_dev *pdev,
			   const struct ims_domain_info *info)
{
	const struct ims_array_layout *l = ims_array_info_layout(info);
	u32 pasid_bits = 0;

	if (!info->array.slots) {
		pci_err(pdev, "IMS array: no slot memory\n");
		return -EINVAL;
	}
	if (l->pasid_en_bit >= 0) {
		if (l->pasid_en_bit >= 32 || !l->pasid_width ||
		    l->pasid_width > 20 || l->pasid_shift + l->pasid_width > 32)
			goto bad;
		pasid_bits = GENMASK(l->pasid_shift + l->pasid_width - 1,
				     l->pasid_shift) | BIT(l->pasid_en_bit);
	}
	if (!ims_array_field_ok(l, l->addr_lo) ||
	    !ims_array_field_ok(l, l->addr_hi) ||
	    !ims_array_field_ok(l, l->data) ||
	    !ims_array_field_ok(l, l->ctrl) || l->mask_bit >= 32 ||
	    (pasid_bits & BIT(l->mask_bit)) ||
	    (l->pasid_en_bit >= 0 &&
	     BIT(l->pasid_en_bit) & GENMASK(l->pasid_shift + l->pasid_width - 1,
					    l->pasid_shift)))
		goto bad;
	return 0;
bad:
	pci_err(pdev, "IMS array: inconsistent entry layout\n");
	return -EINVAL;
}

/* The layout is the driver's: keep a copy, point the domain's info to it. */
static void ims_array_init(struct ims_domain *domain)
{
	domain->layout = *ims_array_info_layout(&domain->info);
	domain->info.array.layout = &domain->layout;
}

static unsigned int ims_array_pasid_width(const struct ims_domain *domain)
{
	return domain->layout.pasid_en_bit < 0 ? 0 : domain->layout.pasid_width;
}

static u32 ims_array_cookie_pasid(const union ims_instance_cookie *cookie)
{
	return cookie->value & IMS_COOKIE_PASID_VALID ?
	       lower_32_bits(cookie->value) : IMS_PASID_NONE;
}

static void ims_array_write_ctrl(struct ims_slot *slot, u32 ctrl)
{
	const struct ims_array_layout *l = ims_array_layout(slot);
	void __iomem *entry = ims_array_entry(slot);

	slot->ctrl = ctrl;
	iowrite32(ctrl, entry + l->ctrl);
	ioread32(entry + l->ctrl);
}

static u32 ims_array_ctrl_masked(const struct ims_array_layout *l, u32 ctrl,
				 bool masked)
{
	if (masked != l->mask_active_low)
		return ctrl | BIT(l->mask_bit);
	return ctrl & ~BIT(l->mask_bit);
}

static u32 ims_array_ctrl_pasid(const struct ims_array_layout *l, u32 ctrl,
				u32 pasid)
{
	u32 field;

	if (l->pasid_en_bit < 0)
		return ctrl;
	field = GENMASK(l->pasid_shift + l->pasid_width - 1, l->pasid_shift);
	ctrl &= ~(field | BIT(l->pasid_en_bit));
	if (pasid != IMS_PASID_NONE)
		ctrl |= BIT(l->pasid_en_bit) | ((pasid << l->pasid_shift) & field);
	return ctrl;
}

static void ims_array_write_msg(struct ims_slot *slot,
				const struct msi_msg *msg)
{
	const struct ims_array_layout *l = ims_array_layout(slot);
	void __iomem *entry = ims_array_entry(slot);

	iowrite32(msg->address_lo, entry + l->addr_lo);
	iowrite32(msg->address_hi, entry + l->addr_hi);
	iowrite32(msg->data, entry + l->data);
	ioread32(entry + l->ctrl);
}

static void ims_array_set_masked(struct ims_slot *slot, bool masked)
{
	const struct ims_array_layout *l = ims_array_layout(slot);

	ims_array_write_ctrl(slot, ims_array_ctrl_masked(l, slot->ctrl, masked));
}

static void ims_array_set_pasid(struct ims_slot *slot, u32 pasid)
{
	const struct ims_array_layout *l = ims_array_layout(slot);

	ims_array_write_ctrl(slot, ims_array_ctrl_pasid(l, slot->ctrl, pasid));
}

/* A slot is masked and carries its PASID before it holds a message. */
static void ims_array_setup(struct ims_slot *slot, const struct msi_msg *msg)
{
	const struct ims_array_layout *l = ims_array_layout(slot);
	u32 ctrl = ims_array_ctrl_masked(l, 0, true);

	ims_array_write_ctrl(slot, ims_array_ctrl_pasid(l, ctrl, slot->pasid));
	ims_array_write_msg(slot, msg);
}

static void ims_array_teardown(struct ims_slot *slot)
{
	const struct ims_array_layout *l = ims_array_layout(slot);
	struct msi_msg zero = { };

	ims_array_write_ctrl(slot, ims_array_ctrl_masked(l, 0, true));
	ims_array_write_msg(slot, &zero);
}

static void ims_array_show(struct seq_file *m, struct ims_slot *slot)
{
	const struct ims_array_layout *l = ims_array_layout(slot);

	seq_printf(m, " ctrl=%#010x", ioread32(ims_array_entry(slot) + l->ctrl));
}

/* The layout, as imsctl(8) reads it to decode the entries itself. */
static void ims_array_show_info(struct seq_file *m,
				const struct ims_domain *domain)
{
	const struct ims_array_layout *l = &domain->layout;

	seq_printf(m, "layout:   stride=%u addr_lo=%u addr_hi=%u data=%u ctrl=%u mask_bit=%u mask_active_low=%d pasid_en_bit=%d pasid_shift=%u pasid_width=%u\n",
		   l->stride, l->addr_lo, l->addr_hi, l->data, l->ctrl,
		   l->mask_bit, l->mask_active_low, l->pasid_en_bit,
		   l->pasid_shift, l->pasid_width);
}

const struct ims_template ims_array_template = {
	.name		= "ARRAY",
	.check		= ims_array_check,
	.init		= ims_array_init,
	.pasid_width	= ims_array_pasid_width,
	.cookie_pasid	= ims_array_cookie_pasid,
	.setup		= ims_array_setup,
	.teardown	= ims_array_teardown,
	.write_msg	= ims_array_write_msg,
	.set_masked	= ims_array_set_masked,
	.set_pasid	= ims_array_set_pasid,
	.show		= ims_array_show,
	.show_info	= ims_array_show_info,
};
