// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_core - per-device IMS irq domains for stock kernels.
 *
 * Each storage instance of a device gets its own irq domain, a child of the
 * interrupt remapping domain that covers the device, i.e. a sibling of the
 * device's PCI/MSI domain:
 *
 *	IMS-ARRAY-0000:00:14.0 -> INTEL-IR-0 -> VECTOR
 *
 * Slot management is the domain's allocation: the alloc callback picks a free
 * slot in the requested range and the hardware irq number is the slot index.
 * The irq chip is the common IMS chip below, completed by the storage
 * template (array or queue) that knows where the message lives.
 */

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "ims_compat.h"
#include "ims_internal.h"

static bool allow_direct_vector;
module_param(allow_direct_vector, bool, 0644);
MODULE_PARM_DESC(allow_direct_vector,
		 "Allow IMS domains without interrupt remapping, stacked on the vector domain; slots are rewritten on affinity changes (default: N, refuse)");

/**
 * ims_compose_msg - compose the message of an IMS interrupt
 * @irqd:	the IMS level irq data
 * @msg:	filled in
 *
 * The message comes from the first parent level that composes messages:
 * the remapping domain (IRTE handle) or the vector domain (vector, APIC id).
 */
void ims_compose_msg(struct irq_data *irqd, struct msi_msg *msg)
{
	struct irq_data *pos;

	memset(msg, 0, sizeof(*msg));
	for (pos = irqd->parent_data; pos; pos = pos->parent_data) {
		if (pos->chip && pos->chip->irq_compose_msi_msg) {
			pos->chip->irq_compose_msi_msg(pos, msg);
			return;
		}
	}
}

static u32 ims_domain_pasid(struct ims_domain *domain, u32 pasid)
{
	return pasid <= domain->pasid_max ? pasid : IMS_PASID_NONE;
}

/* Write a new message with the slot masked, so the device never sends half
 * of the old and half of the new one. Atomic context.
 */
static void ims_write_msg_masked(struct ims_slot *slot,
				 const struct msi_msg *msg)
{
	const struct ims_template *tmpl = slot->domain->tmpl;

	if (!slot->masked)
		tmpl->set_masked(slot, true);
	tmpl->write_msg(slot, msg);
	slot->msg = *msg;
	if (!slot->masked)
		tmpl->set_masked(slot, false);
}

static void ims_chip_mask(struct irq_data *irqd)
{
	struct ims_slot *slot = ims_irqd_slot(irqd);

	slot->masked = true;
	slot->domain->tmpl->set_masked(slot, true);
}

static void ims_chip_unmask(struct irq_data *irqd)
{
	struct ims_slot *slot = ims_irqd_slot(irqd);

	slot->masked = false;
	slot->domain->tmpl->set_masked(slot, false);
}

/*
 * With remapping the parent retargets the IRTE and reports
 * IRQ_SET_MASK_OK_DONE: the message is unchanged. On the bare vector domain
 * the vector and destination live in the message, and x86 applies the move
 * from the ack path of the next interrupt, in hard irq context.
 */
static int ims_chip_set_affinity(struct irq_data *irqd,
				 const struct cpumask *mask, bool force)
{
	struct ims_slot *slot = ims_irqd_slot(irqd);
	struct msi_msg msg;
	int ret;

	ret = irq_chip_set_affinity_parent(irqd, mask, force);
	if (ret < 0 || ret == IRQ_SET_MASK_OK_DONE || !irqd_is_activated(irqd))
		return ret;

	ims_compose_msg(irqd, &msg);
	if (msg.address_lo != slot->msg.address_lo ||
	    msg.address_hi != slot->msg.address_hi ||
	    msg.data != slot->msg.data)
		ims_write_msg_masked(slot, &msg);
	return ret;
}

/**
 * struct ims_pasid_req - a PASID update carried to the chip
 * @pasid:	the new PASID or %IMS_PASID_NONE
 */
struct ims_pasid_req {
	u32	pasid;
};

/*
 * irq_set_vcpu_affinity() is the only exported way into the chip under the
 * descriptor lock. ims_set_pasid() publishes its request in the slot first,
 * so a request that is not ours (a posted interrupt setup) goes on to the
 * remapping parent untouched.
 */
static int ims_chip_set_vcpu_affinity(struct irq_data *irqd, void *vcpu_info)
{
	struct ims_slot *slot = ims_irqd_slot(irqd);
	const struct ims_pasid_req *req = vcpu_info;
	const struct ims_template *tmpl = slot->domain->tmpl;
	int ret;

	if (!req || req != READ_ONCE(slot->pasid_req))
		return irq_chip_set_vcpu_affinity_parent(irqd, vcpu_info);

	ret = ims_fault(IMS_FAULT_PASID);
	if (ret)
		return ret;

	if (!slot->masked)
		tmpl->set_masked(slot, true);
	tmpl->set_pasid(slot, req->pasid);
	slot->pasid = req->pasid;
	if (!slot->masked)
		tmpl->set_masked(slot, false);
	return 0;
}

static void ims_chip_init(struct ims_domain *domain)
{
	struct irq_chip *chip = &domain->chip;

	chip->name = domain->name;
	chip->irq_mask = ims_chip_mask;
	chip->irq_unmask = ims_chip_unmask;
	chip->irq_ack = irq_chip_ack_parent;
	chip->irq_retrigger = irq_chip_retrigger_hierarchy;
	chip->irq_set_affinity = ims_chip_set_affinity;
	chip->irq_set_vcpu_affinity = ims_chip_set_vcpu_affinity;
	chip->irq_bus_lock = domain->tmpl->bus_lock;
	chip->irq_bus_sync_unlock = domain->tmpl->bus_sync_unlock;
	chip->flags = IRQCHIP_SKIP_SET_WAKE | IRQCHIP_ONESHOT_SAFE;
}

/**
 * struct ims_alloc_arg - allocation request passed through the irq core
 * @first:	lowest acceptable slot index
 * @last:	highest acceptable slot index
 * @cookies:	one cookie per interrupt, or NULL
 * @maps:	receives the slot index of each interrupt
 */
struct ims_alloc_arg {
	unsigned int			first;
	unsigned int			last;
	const union ims_instance_cookie	*cookies;
	struct ims_map			*maps;
};

/*
 * A batch takes its parent levels in blocks of up to this many interrupts:
 * VT-d then allocates one aligned IRTE block per call, with one scan of its
 * table, where one call per interrupt costs one scan each, linear in the
 * entries in use. 32 is the multi-MSI maximum, which every remapping unit
 * handles.
 */
#define IMS_BLOCK_MAX	32

static void ims_slot_release(struct ims_domain *domain, struct ims_slot *slot)
{
	xa_erase(&domain->slots, slot->index);
	kfree(slot);
}

static void ims_domain_free(struct irq_domain *irqdom, unsigned int virq,
			    unsigned int nr_irqs)
{
	struct ims_domain *domain = irqdom->host_data;
	unsigned int i;

	for (i = 0; i < nr_irqs; i++) {
		struct irq_data *irqd = irq_domain_get_irq_data(irqdom, virq + i);
		struct ims_slot *slot = ims_irqd_slot(irqd);

		if (slot->held) {
			domain->held--;
		} else {
			domain->tmpl->teardown(slot);
			domain->used--;
		}
		irq_domain_reset_irq_data(irqd);
		ims_slot_release(domain, slot);
	}
	irq_domain_free_irqs_parent(irqdom, virq, nr_irqs);
}

static int ims_slot_reserve(struct ims_domain *domain, struct ims_slot *slot,
			    const struct ims_alloc_arg *arg)
{
	int ret;

	ret = ims_fault(IMS_FAULT_SLOT);
	if (ret)
		return ret;
	ret = xa_alloc(&domain->slots, &slot->index, slot,
		       XA_LIMIT(arg->first, arg->last), GFP_KERNEL);
	/* xa_alloc() says -EBUSY when the range is full */
	if (ret == -EBUSY && arg->first != arg->last)
		ret = -ENOSPC;
	return ret;
}

/* Bookkeeping and a reserved index for the @nr-th interrupt of @arg. */
static struct ims_slot *ims_slot_new(struct ims_domain *domain,
				     const struct ims_alloc_arg *arg,
				     unsigned int nr)
{
	struct ims_slot *slot;
	int ret;

	slot = ims_fault(IMS_FAULT_BOOKKEEPING) ? NULL :
		kzalloc(sizeof(*slot), GFP_KERNEL);
	if (!slot)
		return ERR_PTR(-ENOMEM);
	slot->domain = domain;
	slot->masked = true;
	if (arg->cookies)
		slot->cookie = arg->cookies[nr];
	slot->pasid = IMS_PASID_NONE;
	if (domain->tmpl->cookie_pasid)
		slot->pasid = ims_domain_pasid(domain,
					       domain->tmpl->cookie_pasid(slot));

	ret = ims_slot_reserve(domain, slot, arg);
	if (ret) {
		kfree(slot);
		return ERR_PTR(ret);
	}
	return slot;
}

static int ims_parent_alloc_one(struct ims_domain *domain, unsigned int virq,
				unsigned int nr)
{
	struct irq_alloc_info info;
	int ret;

	ims_parent_alloc_info(&info, &domain->desc, nr);
	ret = ims_fault(IMS_FAULT_PARENT);
	if (ret)
		return ret;
	return irq_domain_alloc_irqs_parent(domain->irqdom, virq, nr, &info);
}

/*
 * The parent levels of @nr interrupts from @virq: one block if the parent
 * grants it, else one by one, as a fragmented remapping table may have the
 * entries but no aligned block.
 *
 * Return: 1 for a block, 0 for separate allocations, or a negative errno.
 */
static int ims_parent_alloc(struct ims_domain *domain, unsigned int virq,
			    unsigned int nr)
{
	unsigned int i;
	int ret;

	if (nr > 1 && !ims_parent_alloc_one(domain, virq, nr))
		return 1;
	for (i = 0; i < nr; i++) {
		ret = ims_parent_alloc_one(domain, virq + i, 1);
		if (ret) {
			irq_domain_free_irqs_parent(domain->irqdom, virq, i);
			return ret;
		}
	}
	return 0;
}

/* Set @slot up as the IMS level of @virq, whose parent levels exist. */
static int ims_slot_install(struct ims_domain *domain, struct ims_slot *slot,
			    unsigned int virq)
{
	struct irq_domain *irqdom = domain->irqdom;
	struct msi_msg msg;
	int ret;

	/*
	 * Set the slot up before the chip is installed: irq_domain_set_info()
	 * takes the chip's bus lock, which the queue template's setup
	 * initialises.
	 */
	slot->virq = virq;
	ims_compose_msg(irq_domain_get_irq_data(irqdom, virq), &msg);
	ret = domain->tmpl->setup(slot, &msg);
	if (ret)
		return ret;

	irq_domain_set_info(irqdom, virq, slot->index, &domain->chip, slot,
			    handle_edge_irq, NULL, "edge");
	/* Shadow-backed storage is pushed from the bus lock only: let
	 * disable_irq() mask right away instead of at the next interrupt.
	 */
	if (domain->tmpl->flush)
		irq_set_status_flags(virq, IRQ_DISABLE_UNLAZY);

	slot->msg = msg;
	domain->used++;
	return 0;
}

/* @nr (at most IMS_BLOCK_MAX) interrupts from @virq, the @first-th on. */
static int ims_domain_alloc_block(struct ims_domain *domain, unsigned int virq,
				  unsigned int nr, struct ims_alloc_arg *arg,
				  unsigned int first)
{
	struct ims_slot *slots[IMS_BLOCK_MAX];
	unsigned int i;
	int block, ret;

	for (i = 0; i < nr; i++) {
		slots[i] = ims_slot_new(domain, arg, first + i);
		if (IS_ERR(slots[i])) {
			ret = PTR_ERR(slots[i]);
			goto release;
		}
	}

	block = ims_parent_alloc(domain, virq, nr);
	if (block < 0) {
		ret = block;
		goto release;
	}

	for (i = 0; i < nr; i++) {
		ret = ims_slot_install(domain, slots[i], virq + i);
		if (ret)
			goto uninstall;
		slots[i]->in_block = block;
		slots[i]->block_pos = i;
		arg->maps[first + i].index = slots[i]->index;
	}
	slots[0]->block_users = block ? nr : 0;
	return 0;

uninstall:
	if (i)
		ims_domain_free(domain->irqdom, virq, i);
	irq_domain_free_irqs_parent(domain->irqdom, virq + i, nr - i);
	while (i < nr)
		ims_slot_release(domain, slots[i++]);
	return ret;
release:
	while (i--)
		ims_slot_release(domain, slots[i]);
	return ret;
}

static int ims_domain_alloc(struct irq_domain *irqdom, unsigned int virq,
			    unsigned int nr_irqs, void *data)
{
	struct ims_domain *domain = irqdom->host_data;
	unsigned int done, nr;
	int ret;

	for (done = 0; done < nr_irqs; done += nr) {
		nr = min_t(unsigned int, rounddown_pow_of_two(nr_irqs - done),
			   IMS_BLOCK_MAX);
		ret = ims_domain_alloc_block(domain, virq + done, nr, data,
					     done);
		if (ret) {
			if (done)
				ims_domain_free(irqdom, virq, done);
			return ret;
		}
	}
	return 0;
}

/* The slot gets its final message once the parent levels are active. */
static int ims_domain_activate(struct irq_domain *irqdom,
			       struct irq_data *irqd, bool reserve)
{
	struct msi_msg msg;
	int ret;

	/* A failure here makes the core deactivate the parent levels. */
	ret = ims_fault(IMS_FAULT_ACTIVATE);
	if (ret)
		return ret;
	ims_compose_msg(irqd, &msg);
	ims_write_msg_masked(ims_irqd_slot(irqd), &msg);
	return 0;
}

static void ims_domain_deactivate(struct irq_domain *irqdom,
				  struct irq_data *irqd)
{
	struct msi_msg msg = { };

	ims_write_msg_masked(ims_irqd_slot(irqd), &msg);
}

static const struct irq_domain_ops ims_domain_ops = {
	.alloc		= ims_domain_alloc,
	.free		= ims_domain_free,
	.activate	= ims_domain_activate,
	.deactivate	= ims_domain_deactivate,
};

static int ims_alloc(struct ims_domain *domain, unsigned int first,
		     unsigned int last, unsigned int nr,
		     const union ims_instance_cookie *cookies,
		     const struct irq_affinity_desc *affdesc,
		     struct ims_map *maps)
{
	struct ims_alloc_arg arg = {
		.first = first, .last = last, .cookies = cookies, .maps = maps,
	};
	unsigned int i;
	int virq;

	if (!nr || first > last || last >= domain->info.nr_slots)
		return -EINVAL;

	mutex_lock(&domain->lock);
	virq = __irq_domain_alloc_irqs(domain->irqdom, -1, nr,
				       dev_to_node(&domain->pdev->dev), &arg,
				       false, affdesc);
	mutex_unlock(&domain->lock);
	if (virq < 0) {
		dev_dbg(&domain->pdev->dev, "%s: allocation of %u in [%u, %u] failed: %d\n",
			domain->name, nr, first, last, virq);
		return virq;
	}

	for (i = 0; i < nr; i++)
		maps[i].virq = virq + i;
	return 0;
}

/**
 * ims_alloc_irq_range - allocate one IMS interrupt in a slot range
 * @domain:	the IMS domain
 * @first:	lowest acceptable slot index
 * @last:	highest acceptable slot index
 * @cookie:	instance cookie stored with the interrupt, or NULL
 * @affdesc:	affinity of the interrupt, or NULL
 *
 * Takes the lowest free slot in [@first, @last]. The slot is masked until
 * the interrupt is requested; the irq chip programs the message and the
 * cookie's PASID. May sleep.
 *
 * Return: the slot index and Linux irq number; on failure @virq holds
 * -EINVAL (bad range), -ENOSPC (no free slot in range), -ENOMEM, or the
 * error of the remapping domain (e.g. -ENOSPC when it has no IRTE left).
 */
struct ims_map ims_alloc_irq_range(struct ims_domain *domain,
				   unsigned int first, unsigned int last,
				   const union ims_instance_cookie *cookie,
				   const struct irq_affinity_desc *affdesc)
{
	struct ims_map map = { };
	int ret;

	ret = ims_alloc(domain, first, last, 1, cookie, affdesc, &map);
	if (ret)
		map.virq = ret;
	return map;
}
EXPORT_SYMBOL_NS_GPL(ims_alloc_irq_range, IMS_NS);

/**
 * ims_alloc_irq - allocate one IMS interrupt at an index or anywhere
 * @domain:	the IMS domain
 * @index:	the slot to use, or %IMS_INDEX_ANY for any free slot
 * @cookie:	instance cookie stored with the interrupt, or NULL
 * @affdesc:	affinity of the interrupt, or NULL
 *
 * As ims_alloc_irq_range(); an occupied @index gives -EBUSY.
 *
 * Return: the slot index and Linux irq number, or a negative errno in @virq.
 */
struct ims_map ims_alloc_irq(struct ims_domain *domain, unsigned int index,
			     const union ims_instance_cookie *cookie,
			     const struct irq_affinity_desc *affdesc)
{
	if (index == IMS_INDEX_ANY)
		return ims_alloc_irq_range(domain, 0, domain->info.nr_slots - 1,
					   cookie, affdesc);
	return ims_alloc_irq_range(domain, index, index, cookie, affdesc);
}
EXPORT_SYMBOL_NS_GPL(ims_alloc_irq, IMS_NS);

/**
 * ims_alloc_irqs - allocate several IMS interrupts, all or nothing
 * @domain:	the IMS domain
 * @nr:		number of interrupts
 * @cookies:	@nr instance cookies, or NULL
 * @affdesc:	@nr affinity descriptors, or NULL
 * @maps:	receives @nr {index, virq} pairs; the virqs are consecutive
 *
 * The remapping entries come in blocks of up to 32 interrupts, one
 * allocation each in the remapping driver instead of one per interrupt
 * (VT-d scans its whole table for each). A block is released as a whole,
 * so the first slot of a block stays reserved when it is freed, until the
 * other interrupts of its block are freed too; &ims_domain_stats.held
 * counts such slots. Each interrupt is freed on its own with
 * ims_free_irq().
 *
 * Context: may sleep.
 * Return: 0, or a negative errno with nothing allocated.
 */
int ims_alloc_irqs(struct ims_domain *domain, unsigned int nr,
		   const union ims_instance_cookie *cookies,
		   const struct irq_affinity_desc *affdesc,
		   struct ims_map *maps)
{
	return ims_alloc(domain, 0, domain->info.nr_slots - 1, nr, cookies,
			 affdesc, maps);
}
EXPORT_SYMBOL_NS_GPL(ims_alloc_irqs, IMS_NS);

static struct ims_slot *ims_virq_slot(struct ims_domain *domain,
				      unsigned int virq)
{
	struct irq_data *irqd = irq_get_irq_data(virq);
	struct ims_slot *slot;

	if (!irqd || irqd->domain != domain->irqdom)
		return NULL;
	slot = ims_irqd_slot(irqd);
	return slot->held ? NULL : slot;
}

/* The driver's interrupt at slot @index: a held slot is no longer its. */
static struct ims_slot *ims_index_slot(struct ims_domain *domain,
				       unsigned int index)
{
	struct ims_slot *slot = xa_load(&domain->slots, index);

	return slot && !slot->held ? slot : NULL;
}

/* Freed by the driver, kept by ims_core: see ims_free_slot_locked(). */
static void ims_slot_hold(struct ims_domain *domain, struct ims_slot *slot)
{
	domain->tmpl->teardown(slot);
	slot->held = true;
	domain->used--;
	domain->held++;
}

static struct ims_slot *ims_block_head(struct ims_slot *slot)
{
	if (!slot->in_block)
		return NULL;
	return ims_irqd_slot(irq_get_irq_data(slot->virq - slot->block_pos));
}

/*
 * The VT-d driver releases a whole IRTE block with the block's first
 * interrupt, so that one goes last: until then it is held, torn down and
 * invisible to the driver, its index reserved.
 */
static void ims_free_slot_locked(struct ims_domain *domain,
				 struct ims_slot *slot)
{
	struct ims_slot *head = ims_block_head(slot);

	if (irqd_is_activated(irq_get_irq_data(slot->virq))) {
		dev_err(&domain->pdev->dev, "%s: slot %u (irq %u) is still requested, free_irq() it first\n",
			domain->name, slot->index, slot->virq);
		return;
	}
	if (head && --head->block_users) {
		if (slot == head)
			ims_slot_hold(domain, slot);
		else
			irq_dispose_mapping(slot->virq);
		return;
	}
	if (slot != head)
		irq_dispose_mapping(slot->virq);
	if (head)
		irq_dispose_mapping(head->virq);
}

/**
 * ims_free_irq - free one IMS interrupt
 * @domain:	the IMS domain
 * @map:	what ims_alloc_irq() or ims_alloc_irqs() returned
 *
 * The interrupt must have been released with free_irq(). The slot is left
 * masked and zeroed and becomes free for reuse; the first slot of a
 * batch's remapping block only once the rest of its block is freed (see
 * ims_alloc_irqs()). May sleep.
 */
void ims_free_irq(struct ims_domain *domain, struct ims_map map)
{
	struct ims_slot *slot;

	mutex_lock(&domain->lock);
	slot = ims_index_slot(domain, map.index);
	if (slot && map.virq > 0 && slot->virq == map.virq)
		ims_free_slot_locked(domain, slot);
	else
		dev_err(&domain->pdev->dev, "%s: free of unknown interrupt {%u, %d}\n",
			domain->name, map.index, map.virq);
	mutex_unlock(&domain->lock);
}
EXPORT_SYMBOL_NS_GPL(ims_free_irq, IMS_NS);

/**
 * ims_free_all_irqs - free every interrupt of an IMS domain
 * @domain:	the IMS domain
 *
 * All of them must have been released with free_irq(). May sleep.
 */
void ims_free_all_irqs(struct ims_domain *domain)
{
	struct ims_slot *slot;
	unsigned long index;

	mutex_lock(&domain->lock);
	xa_for_each(&domain->slots, index, slot) {
		if (!slot->held)
			ims_free_slot_locked(domain, slot);
	}
	mutex_unlock(&domain->lock);
}
EXPORT_SYMBOL_NS_GPL(ims_free_all_irqs, IMS_NS);

/**
 * ims_set_pasid - change the PASID of an allocated IMS interrupt
 * @domain:	the IMS domain
 * @virq:	the interrupt
 * @pasid:	the new PASID; %IMS_PASID_NONE or a value beyond what the
 *		storage holds clears PASID enable
 *
 * For a guest whose PASID maps to a different host PASID. The irq chip
 * applies the change under the descriptor lock with the slot masked around
 * the update. May sleep.
 *
 * Return: 0, -EINVAL if @virq is not in @domain, or the error of the queue
 * template's push to the device (the shadow keeps the new PASID).
 */
int ims_set_pasid(struct ims_domain *domain, unsigned int virq, u32 pasid)
{
	struct ims_pasid_req req = { .pasid = ims_domain_pasid(domain, pasid) };
	struct ims_slot *slot;
	int ret;

	mutex_lock(&domain->lock);
	slot = ims_virq_slot(domain, virq);
	if (!slot) {
		ret = -EINVAL;
		goto unlock;
	}
	WRITE_ONCE(slot->pasid_req, &req);
	ret = irq_set_vcpu_affinity(virq, &req);
	WRITE_ONCE(slot->pasid_req, NULL);
	if (!ret && domain->tmpl->flush)
		ret = domain->tmpl->flush(slot);
unlock:
	mutex_unlock(&domain->lock);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(ims_set_pasid, IMS_NS);

/**
 * ims_irq_index - slot index of an IMS interrupt
 * @domain:	the IMS domain
 * @virq:	the Linux irq number
 *
 * Return: the slot index, or -EINVAL if @virq does not belong to @domain.
 */
int ims_irq_index(struct ims_domain *domain, unsigned int virq)
{
	struct ims_slot *slot = ims_virq_slot(domain, virq);

	return slot ? slot->index : -EINVAL;
}
EXPORT_SYMBOL_NS_GPL(ims_irq_index, IMS_NS);

/**
 * ims_index_virq - Linux irq number of an allocated slot
 * @domain:	the IMS domain
 * @index:	the slot index
 *
 * Return: the irq number, or -ENOENT if the driver holds no interrupt
 * there.
 */
int ims_index_virq(struct ims_domain *domain, unsigned int index)
{
	struct ims_slot *slot = ims_index_slot(domain, index);

	return slot ? slot->virq : -ENOENT;
}
EXPORT_SYMBOL_NS_GPL(ims_index_virq, IMS_NS);

/**
 * ims_domain_get_stats - slot occupancy of an IMS domain
 * @domain:	the IMS domain
 * @stats:	filled in
 */
void ims_domain_get_stats(struct ims_domain *domain,
			  struct ims_domain_stats *stats)
{
	mutex_lock(&domain->lock);
	stats->nr_slots = domain->info.nr_slots;
	stats->used = domain->used;
	stats->held = domain->held;
	mutex_unlock(&domain->lock);
}
EXPORT_SYMBOL_NS_GPL(ims_domain_get_stats, IMS_NS);

static const struct ims_template *ims_template_of(enum ims_template_type type)
{
	switch (type) {
	case IMS_TEMPLATE_ARRAY:
		return &ims_array_template;
	case IMS_TEMPLATE_QUEUE:
		return &ims_queue_template;
	}
	return NULL;
}

static int ims_check_parent(struct pci_dev *pdev,
			    const struct ims_template *tmpl,
			    struct irq_domain *parent)
{
	if (parent != x86_vector_domain)
		return 0;
	if (!allow_direct_vector) {
		pci_err(pdev, "IMS needs interrupt remapping, which is off: enable it (intel_iommu=on or AMD-Vi with IR) or load ims_core with allow_direct_vector=1\n");
		return -ENODEV;
	}
	if (tmpl->flush) {
		pci_err(pdev, "IMS %s template needs interrupt remapping: its messages cannot follow affinity moves from hard irq context\n",
			tmpl->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

/* Domain names are unique: they name the irq domain and debugfs directory. */
static LIST_HEAD(ims_domains);
static DEFINE_MUTEX(ims_domains_lock);

static int ims_domain_register(struct ims_domain *domain)
{
	struct ims_domain *pos;
	int ret = 0;

	mutex_lock(&ims_domains_lock);
	list_for_each_entry(pos, &ims_domains, node) {
		if (!strcmp(pos->name, domain->name)) {
			pci_err(domain->pdev, "IMS domain %s exists already: give each storage instance its own name\n",
				domain->name);
			ret = -EEXIST;
			goto unlock;
		}
	}
	list_add_tail(&domain->node, &ims_domains);
unlock:
	mutex_unlock(&ims_domains_lock);
	return ret;
}

static void ims_domain_unregister(struct ims_domain *domain)
{
	mutex_lock(&ims_domains_lock);
	list_del(&domain->node);
	mutex_unlock(&ims_domains_lock);
}

static bool ims_name_ok(const char *name)
{
	const char *c;

	if (!name)
		return true;
	if (!*name || strlen(name) > IMS_NAME_MAX)
		return false;
	for (c = name; *c; c++) {
		if (!isalnum(*c) && !strchr("-_.", *c))
			return false;
	}
	return true;
}

static struct ims_domain *ims_domain_new(struct pci_dev *pdev,
					 const struct ims_domain_info *info,
					 const struct ims_template *tmpl,
					 struct irq_domain *parent)
{
	struct ims_domain *domain;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return NULL;
	domain->pdev = pdev;
	domain->info = *info;
	domain->info.name = NULL;
	domain->tmpl = tmpl;
	domain->parent = parent;
	domain->direct = parent == x86_vector_domain;
	domain->pasid_max = tmpl->pasid_max(info);
	domain->desc.dev = &pdev->dev;
	xa_init_flags(&domain->slots, XA_FLAGS_ALLOC);
	mutex_init(&domain->lock);
	INIT_LIST_HEAD(&domain->node);
	domain->name = kasprintf(GFP_KERNEL, "IMS-%s-%s%s%s", tmpl->name,
				 pci_name(pdev), info->name ? "-" : "",
				 info->name ? info->name : "");
	if (!domain->name) {
		kfree(domain);
		return NULL;
	}
	ims_chip_init(domain);
	return domain;
}

static void ims_domain_release(struct ims_domain *domain)
{
	xa_destroy(&domain->slots);
	mutex_destroy(&domain->lock);
	kfree(domain->name);
	kfree(domain);
}

/**
 * ims_create_domain - create an IMS irq domain for a storage instance
 * @pdev:	the device; interrupts carry its requester id
 * @info:	template, slot count and template parameters
 *
 * The domain is a child of the remapping domain that covers @pdev, beside
 * its PCI/MSI domain, which keeps working. Several domains may exist on
 * one device. Without interrupt remapping creation fails with -ENODEV
 * unless ims_core was loaded with allow_direct_vector=1. May sleep.
 *
 * Return: the domain, or ERR_PTR(-EINVAL) for a bad @info, -EEXIST if a
 * domain of that name exists, -ENODEV, -EOPNOTSUPP (queue template without
 * remapping) or -ENOMEM.
 */
struct ims_domain *ims_create_domain(struct pci_dev *pdev,
				     const struct ims_domain_info *info)
{
	const struct ims_template *tmpl = ims_template_of(info->type);
	struct fwnode_handle *fwnode;
	struct ims_domain *domain;
	struct irq_domain *parent;
	int ret;

	if (!tmpl || !info->nr_slots || info->nr_slots > IMS_MAX_SLOTS ||
	    !ims_name_ok(info->name)) {
		pci_err(pdev, "IMS: bad domain description (template %d, %u slots, name '%s')\n",
			info->type, info->nr_slots, info->name ?: "");
		return ERR_PTR(-EINVAL);
	}
	ret = tmpl->check(pdev, info);
	if (ret)
		return ERR_PTR(ret);

	parent = ims_msi_parent(pdev);
	ret = ims_check_parent(pdev, tmpl, parent);
	if (ret)
		return ERR_PTR(ret);

	domain = ims_domain_new(pdev, info, tmpl, parent);
	if (!domain)
		return ERR_PTR(-ENOMEM);
	ret = ims_domain_register(domain);
	if (ret)
		goto release;

	ret = -ENOMEM;
	fwnode = irq_domain_alloc_named_fwnode(domain->name);
	if (!fwnode)
		goto unregister;
	if (!ims_fault(IMS_FAULT_DOMAIN))
		domain->irqdom = irq_domain_create_hierarchy(parent, 0, 0, fwnode,
							     &ims_domain_ops,
							     domain);
	if (!domain->irqdom)
		goto free_fwnode;

	ims_debugfs_add(domain);
	pci_dbg(pdev, "%s: %u slots, parent %s\n", domain->name,
		info->nr_slots, parent->name);
	return domain;

free_fwnode:
	irq_domain_free_fwnode(fwnode);
unregister:
	ims_domain_unregister(domain);
release:
	ims_domain_release(domain);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(ims_create_domain, IMS_NS);

static unsigned int ims_domain_used(struct ims_domain *domain)
{
	unsigned int used;

	mutex_lock(&domain->lock);
	used = domain->used;
	mutex_unlock(&domain->lock);
	return used;
}

/**
 * ims_destroy_domain - free all interrupts of an IMS domain and remove it
 * @domain:	the domain, or an ERR_PTR or NULL (ignored)
 *
 * Every interrupt must have been released with free_irq(). Must be called
 * before the device goes away. May sleep.
 *
 * A driver bug that leaves interrupts requested does not turn into a use
 * after free in the irq core: those slots and the domain stay (with an
 * error in the log) and a later call, after free_irq(), completes the job.
 */
void ims_destroy_domain(struct ims_domain *domain)
{
	struct fwnode_handle *fwnode;
	unsigned int busy;

	if (IS_ERR_OR_NULL(domain))
		return;
	ims_free_all_irqs(domain);
	busy = ims_domain_used(domain);
	if (busy) {
		pci_err(domain->pdev, "%s: %u interrupts still requested, domain kept: free_irq() them, then destroy it again\n",
			domain->name, busy);
		return;
	}
	ims_debugfs_remove(domain);
	fwnode = domain->irqdom->fwnode;
	irq_domain_remove(domain->irqdom);
	irq_domain_free_fwnode(fwnode);
	ims_domain_unregister(domain);
	ims_domain_release(domain);
}
EXPORT_SYMBOL_NS_GPL(ims_destroy_domain, IMS_NS);

static void ims_devm_destroy(void *domain)
{
	ims_destroy_domain(domain);
}

/**
 * devm_ims_create_domain - managed ims_create_domain()
 * @pdev:	the device
 * @info:	template, slot count and template parameters
 *
 * The domain is destroyed when the driver unbinds from @pdev, after the
 * managed interrupts of the driver have been released.
 *
 * Return: as ims_create_domain().
 */
struct ims_domain *devm_ims_create_domain(struct pci_dev *pdev,
					  const struct ims_domain_info *info)
{
	struct ims_domain *domain = ims_create_domain(pdev, info);
	int ret;

	if (IS_ERR(domain))
		return domain;
	ret = devm_add_action_or_reset(&pdev->dev, ims_devm_destroy, domain);
	return ret ? ERR_PTR(ret) : domain;
}
EXPORT_SYMBOL_NS_GPL(devm_ims_create_domain, IMS_NS);

static int __init ims_core_init(void)
{
	ims_debugfs_init();
	return 0;
}

static void __exit ims_core_exit(void)
{
	ims_debugfs_exit();
}

module_init(ims_core_init);
module_exit(ims_core_exit);

MODULE_DESCRIPTION("IMS (Interrupt Message Store) irq domains for PCI devices");
MODULE_LICENSE("GPL");
MODULE_VERSION(IMS_VERSION);
