// SPDX-License-Identifier: GPL-2.0-only
/*
 * Slot allocation is the IMS domain's allocation: the alloc callback picks
 * a free slot in the requested range and the hardware irq number is the
 * slot index. A slot goes through three states:
 *
 *	new	allocated by the irq core, set up in storage or shadow,
 *		not yet pushed to the device nor handed out
 *	live	the driver holds it ({index, virq})
 *	held	freed by the driver, still allocated in the irq core: the
 *		first slot of a VT-d block whose other members are allocated
 *	spare	IMS_DOMAIN_SPARES domains: a slot of a VT-d block kept for
 *		the next single allocation (ims_spare.c)
 *
 * Device pushes (the queue template's sync()) run outside the irq core's
 * alloc and free callbacks, which hold the irq core's global domain mutex,
 * so that a slow device command stalls nobody else's interrupt allocation.
 */

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "ims_compat.h"
#include "ims_internal.h"
#include "ims_trace.h"

/**
 * ims_pasid_ok - whether the storage of @domain can check @pasid
 * @domain:	the domain
 * @pasid:	a PASID or %IMS_PASID_NONE
 *
 * A PASID that does not fit must be refused, not dropped: the device would
 * then not check it at all.
 *
 * Return: true for %IMS_PASID_NONE and PASIDs that fit the PASID field.
 */
bool ims_pasid_ok(const struct ims_domain *domain, u32 pasid)
{
	return pasid == IMS_PASID_NONE ||
	       (domain->pasid_width && pasid < BIT(domain->pasid_width));
}

static u32 ims_cookie_pasid(const struct ims_domain *domain,
			    const union ims_instance_cookie *cookie)
{
	if (!cookie || !domain->tmpl->cookie_pasid)
		return IMS_PASID_NONE;
	return domain->tmpl->cookie_pasid(cookie);
}

/**
 * ims_slot_set_cookie - store the driver's cookie and the PASID it asks for
 * @domain:	the domain
 * @slot:	a slot that is not the driver's
 * @cookie:	the cookie, or NULL for none
 */
void ims_slot_set_cookie(struct ims_domain *domain, struct ims_slot *slot,
			 const union ims_instance_cookie *cookie)
{
	slot->cookie = cookie ? *cookie : (union ims_instance_cookie){ };
	slot->pasid = ims_cookie_pasid(domain, cookie);
}

/**
 * ims_slot_setup - bring a slot's storage into a defined, masked state
 * @domain:	the domain
 * @slot:	a slot that is not the driver's, whose irq has its parent levels
 *
 * Writes the message of the irq's remapping entry and the slot's PASID.
 * The slot lock keeps the chip callbacks out: a spare's irq exists while
 * it waits for reuse, and its affinity can be set.
 */
void ims_slot_setup(struct ims_domain *domain, struct ims_slot *slot)
{
	struct msi_msg msg;
	unsigned long flags;

	ims_compose_msg(irq_domain_get_irq_data(domain->irqdom, slot->virq),
			&msg);
	raw_spin_lock_irqsave(&slot->lock, flags);
	domain->tmpl->setup(slot, &msg);
	slot->msg = msg;
	raw_spin_unlock_irqrestore(&slot->lock, flags);
	trace_ims_write_msg(slot, &msg);
}

static void ims_slot_free_rcu(struct rcu_head *rcu)
{
	kfree(container_of(rcu, struct ims_slot, rcu));
}

static void ims_slot_release(struct ims_domain *domain, struct ims_slot *slot)
{
	xa_erase(&domain->slots, slot->index);
	if (domain->tmpl->release)
		domain->tmpl->release(slot);
	/* ims_index_virq() and ims_irq_index() may still be looking */
	call_rcu(&slot->rcu, ims_slot_free_rcu);
}

/**
 * ims_domain_free - irq_domain_ops.free of IMS domains
 * @irqdom:	the IMS domain
 * @virq:	first interrupt
 * @nr_irqs:	number of interrupts
 *
 * The storage of the slots was cleared before (or, when an allocation
 * unwinds, is cleared here): nothing reaches the device from here.
 */
void ims_domain_free(struct irq_domain *irqdom, unsigned int virq,
		     unsigned int nr_irqs)
{
	struct ims_domain *domain = irqdom->host_data;
	unsigned int i;

	for (i = 0; i < nr_irqs; i++) {
		struct irq_data *irqd = irq_domain_get_irq_data(irqdom, virq + i);
		struct ims_slot *slot = ims_irqd_slot(irqd);

		if (slot->live)
			domain->used--;
		else if (slot->spare)
			domain->spare--;
		else
			domain->held--;
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
	if (ret == -EBUSY && !arg->exact)
		ret = -ENOSPC;
	return ret;
}

/* Bookkeeping and a reserved index for the @nr-th interrupt of @arg. */
static struct ims_slot *ims_slot_new(struct ims_domain *domain,
				     const struct ims_alloc_arg *arg,
				     unsigned int nr)
{
	const union ims_instance_cookie *cookie = ims_arg_cookie(arg, nr);
	struct ims_slot *slot;
	int ret;

	slot = ims_fault(IMS_FAULT_BOOKKEEPING) ? NULL :
		kzalloc(sizeof(*slot), GFP_KERNEL);
	if (!slot)
		return ERR_PTR(-ENOMEM);
	slot->domain = domain;
	raw_spin_lock_init(&slot->lock);
	slot->masked = true;
	ims_slot_set_cookie(domain, slot, cookie);

	ret = ims_slot_reserve(domain, slot, arg);
	if (ret) {
		kfree(slot);
		return ERR_PTR(ret);
	}
	return slot;
}

static int ims_parent_alloc(struct ims_domain *domain, unsigned int virq,
			    unsigned int nr)
{
	msi_alloc_info_t info;
	int ret;

	ims_parent_alloc_info(domain, &info, nr);
	ret = ims_fault(IMS_FAULT_PARENT);
	if (ret)
		return ret;
	ret = irq_domain_alloc_irqs_parent(domain->irqdom, virq, nr, &info);
	if (ret)
		ims_parent_alloc_failed(domain, ret);
	return ret;
}

/*
 * Set @slot up as the IMS level of @virq, whose parent levels exist. The
 * flow handler goes in before the chip: installing a handler takes the
 * top chip's bus lock, and the slot is nobody's to lock or push yet.
 */
static void ims_slot_install(struct ims_domain *domain, struct ims_slot *slot,
			     unsigned int virq)
{
	struct irq_domain *irqdom = domain->irqdom;

	slot->virq = virq;
	ims_parent_installed(domain, virq);
	ims_slot_setup(domain, slot);
	__irq_set_handler(virq, IMS_FLOW_HANDLER, 0, IMS_FLOW_NAME);
	irq_domain_set_hwirq_and_chip(irqdom, virq, slot->index, &domain->chip,
				      slot);
	domain->held++;
}

/*
 * @nr (at most the domain's block_max) interrupts from @virq, the @first-th
 * of the request on. Several take one remapping block: VT-d then allocates
 * one aligned IRTE block with one scan of its table. There is no fallback
 * to separate entries when the unit refuses a block: its refusal is logged,
 * and a successful allocation must not leave error lines behind.
 */
static int ims_domain_alloc_block(struct ims_domain *domain, unsigned int virq,
				  unsigned int nr, struct ims_alloc_arg *arg,
				  unsigned int first)
{
	struct ims_slot *slots[IMS_BLOCK_MAX];
	unsigned int i;
	int ret;

	for (i = 0; i < nr; i++) {
		slots[i] = ims_slot_new(domain, arg, first + i);
		if (IS_ERR(slots[i])) {
			ret = PTR_ERR(slots[i]);
			goto release;
		}
	}

	ret = ims_parent_alloc(domain, virq, nr);
	if (ret) {
		arg->parent_failed = true;
		goto release;
	}

	for (i = 0; i < nr; i++) {
		ims_slot_install(domain, slots[i], virq + i);
		slots[i]->in_block = nr > 1;
		slots[i]->block_pos = i;
		arg->maps[first + i].index = slots[i]->index;
	}
	slots[0]->block_users = nr - 1;
	slots[0]->block_nr = nr;
	return 0;

release:
	while (i--) {
		xa_erase(&domain->slots, slots[i]->index);
		kfree(slots[i]);
	}
	return ret;
}

/* Undo the first @nr interrupts of a failed request: clear their storage. */
static void ims_domain_unwind(struct ims_domain *domain, unsigned int virq,
			      unsigned int nr)
{
	struct irq_domain *irqdom = domain->irqdom;
	unsigned int i;

	if (!nr)
		return;
	for (i = 0; i < nr; i++)
		domain->tmpl->teardown(ims_irqd_slot(irq_domain_get_irq_data(irqdom,
									 virq + i)));
	ims_domain_free(irqdom, virq, nr);
}

/**
 * ims_domain_alloc - irq_domain_ops.alloc of IMS domains
 * @irqdom:	the IMS domain
 * @virq:	first interrupt
 * @nr_irqs:	number of interrupts
 * @data:	the &struct ims_alloc_arg of the request
 *
 * Return: 0 or a negative errno, with nothing left allocated.
 */
int ims_domain_alloc(struct irq_domain *irqdom, unsigned int virq,
		     unsigned int nr_irqs, void *data)
{
	struct ims_domain *domain = irqdom->host_data;
	unsigned int done, nr;
	int ret;

	for (done = 0; done < nr_irqs; done += nr) {
		nr = min_t(unsigned long, rounddown_pow_of_two(nr_irqs - done),
			   domain->block_max);
		ret = ims_domain_alloc_block(domain, virq + done, nr, data,
					     done);
		if (ret) {
			ims_domain_unwind(domain, virq, done);
			return ret;
		}
	}
	return 0;
}

/**
 * ims_virq_slot_any - the slot of @virq in @domain, whatever its state
 * @domain:	the domain
 * @virq:	a Linux irq number
 *
 * Return: the slot, or NULL if @virq is not an interrupt of @domain.
 */
struct ims_slot *ims_virq_slot_any(struct ims_domain *domain,
				   unsigned int virq)
{
	struct irq_data *irqd = irq_get_irq_data(virq);

	if (!irqd || irqd->domain != domain->irqdom)
		return NULL;
	return ims_irqd_slot(irqd);
}

/**
 * ims_virq_slot - the live slot of @virq in @domain
 * @domain:	the domain
 * @virq:	a Linux irq number
 *
 * Context: domain lock held, or under RCU (the result may then be stale,
 * but stays readable).
 * Return: the slot, or NULL if @virq is no interrupt the driver holds in
 * @domain.
 */
struct ims_slot *ims_virq_slot(struct ims_domain *domain, unsigned int virq)
{
	struct ims_slot *slot = ims_virq_slot_any(domain, virq);

	return slot && READ_ONCE(slot->live) ? slot : NULL;
}

/**
 * ims_block_head - the first slot of @slot's remapping block
 * @domain:	the domain
 * @slot:	one of its slots
 *
 * Return: the first slot, @slot itself if it is, or NULL if @slot is in
 * no block.
 */
struct ims_slot *ims_block_head(struct ims_domain *domain,
				struct ims_slot *slot)
{
	if (!slot->in_block)
		return NULL;
	return ims_virq_slot_any(domain, slot->virq - slot->block_pos);
}

/*
 * Dispose of a slot the driver no longer holds, unless it is the first slot
 * of a VT-d block whose other members are still allocated: VT-d frees the
 * whole block with it. Slots of blocks become spares in IMS_DOMAIN_SPARES
 * domains.
 */
static void ims_slot_reap(struct ims_domain *domain, struct ims_slot *slot)
{
	struct ims_slot *head = ims_block_head(domain, slot);

	if (head && ims_spares_on(domain)) {
		ims_spare_add(domain, slot, head);
		return;
	}
	if (slot == head && head->block_users)
		return;
	irq_dispose_mapping(slot->virq);
	if (!head || head == slot)
		return;
	if (!--head->block_users && !head->live)
		irq_dispose_mapping(head->virq);
}

/* Clear the slot's storage and push that to the device. */
static int ims_slot_teardown(struct ims_domain *domain, struct ims_slot *slot)
{
	const struct ims_template *tmpl = domain->tmpl;
	unsigned long flags;

	raw_spin_lock_irqsave(&slot->lock, flags);
	tmpl->teardown(slot);
	/* free_irq() has masked it, so this stays quiet unless it did not */
	if (!slot->masked)
		trace_ims_mask(slot);
	slot->masked = true;
	slot->pasid = IMS_PASID_NONE;
	memset(&slot->msg, 0, sizeof(slot->msg));
	raw_spin_unlock_irqrestore(&slot->lock, flags);
	return tmpl->flush ? tmpl->flush(slot) : 0;
}

/*
 * The driver gives @slot back. If the teardown does not reach the device,
 * the slot stays the driver's: the device may still hold its message, and
 * freeing the remapping entry could let that message hit an entry handed to
 * another interrupt. Domain lock held.
 */
static int ims_slot_put(struct ims_domain *domain, struct ims_slot *slot)
{
	u32 pasid = slot->pasid;	/* the teardown clears it */
	int ret = ims_slot_teardown(domain, slot);

	if (ret)
		return ret;
	trace_ims_free(slot, pasid);
	ims_sysfs_remove_irq(slot);
	WRITE_ONCE(slot->live, false);
	domain->used--;
	domain->held++;
	ims_slot_reap(domain, slot);
	return 0;
}

/* List the new slots in sysfs: all of them, or none. */
static int ims_publish_sysfs(struct ims_domain *domain, unsigned int virq,
			     unsigned int nr)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		ret = ims_sysfs_add_irq(ims_virq_slot_any(domain, virq + i));
		if (ret)
			break;
	}
	if (ret) {
		while (i--)
			ims_sysfs_remove_irq(ims_virq_slot_any(domain, virq + i));
	}
	return ret;
}

/*
 * Push the new slots' initial state to the device, list them in sysfs and
 * hand them out. If a push or the listing fails, the whole request is given
 * back. The device was only ever told "masked" for these slots (a failed
 * sync() must not leave it sending, see &struct ims_queue_ops), so their
 * remapping entries can go at once.
 */
static int ims_publish(struct ims_domain *domain, unsigned int virq,
		       unsigned int nr)
{
	const struct ims_template *tmpl = domain->tmpl;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr && tmpl->flush && !ret; i++)
		ret = tmpl->flush(ims_virq_slot_any(domain, virq + i));
	if (!ret)
		ret = ims_publish_sysfs(domain, virq, nr);
	for (i = 0; i < nr; i++) {
		struct ims_slot *slot = ims_virq_slot_any(domain, virq + i);

		if (ret) {
			tmpl->teardown(slot);
			ims_slot_reap(domain, slot);
			continue;
		}
		WRITE_ONCE(slot->live, true);
		domain->held--;
		domain->used++;
		trace_ims_alloc(slot, slot->pasid);
	}
	return ret;
}

static int ims_alloc(struct ims_domain *domain, unsigned int first,
		     unsigned int last, bool exact, unsigned int nr,
		     const union ims_instance_cookie *cookies,
		     const struct irq_affinity_desc *affdesc,
		     struct ims_map *maps)
{
	struct ims_alloc_arg arg = {
		.first = first, .last = last, .exact = exact,
		.cookies = cookies, .nr_cookies = nr, .maps = maps,
	};
	unsigned int i;
	int virq, ret;

	if (!nr || first > last || last >= domain->info.nr_slots)
		return -EINVAL;
	for (i = 0; i < nr; i++) {
		u32 pasid = ims_cookie_pasid(domain, cookies ? &cookies[i] : NULL);

		if (!ims_pasid_ok(domain, pasid)) {
			dev_dbg(&domain->pdev->dev, "%s: PASID %#x does not fit the storage\n",
				domain->name, pasid);
			return -EINVAL;
		}
		/* Hotplug starts and stops managed interrupts without the bus lock. */
		if (affdesc && affdesc[i].is_managed && domain->tmpl->flush) {
			dev_dbg(&domain->pdev->dev, "%s: managed affinity needs a template that masks in atomic context\n",
				domain->name);
			return -EINVAL;
		}
	}

	mutex_lock(&domain->lock);
	if (nr == 1 && !affdesc && ims_spares_on(domain))
		virq = ims_alloc_spared(domain, &arg);
	else
		virq = __irq_domain_alloc_irqs(domain->irqdom, -1, nr,
					       dev_to_node(&domain->pdev->dev),
					       &arg, false, affdesc);
	ret = virq < 0 ? virq : ims_publish(domain, virq, nr);
	mutex_unlock(&domain->lock);
	if (ret) {
		dev_dbg(&domain->pdev->dev, "%s: allocation of %u in [%u, %u] failed: %d\n",
			domain->name, nr, first, last, ret);
		return ret;
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
 * Takes the lowest free slot in [@first, @last]; in an
 * %IMS_DOMAIN_SPARES domain the lowest spare in range first, and a free
 * slot takes a remapping block whose other slots become spares. The slot
 * is masked until the interrupt is requested; the irq chip programs the
 * message and the cookie's PASID.
 *
 * Context: process context, may sleep; the queue template's sync() runs
 * from here.
 * Return: the slot index and Linux irq number; on failure @virq holds
 * -EINVAL (bad range; a PASID that does not fit the storage; managed
 * affinity on the queue template), -ENOSPC (no free slot in range, or no
 * remapping entry left), -ENOMEM, or the error of the queue template's
 * first push to the device.
 */
struct ims_map ims_alloc_irq_range(struct ims_domain *domain,
				   unsigned int first, unsigned int last,
				   const union ims_instance_cookie *cookie,
				   const struct irq_affinity_desc *affdesc)
{
	struct ims_map map = { };
	int ret;

	ret = ims_alloc(domain, first, last, false, 1, cookie, affdesc, &map);
	if (ret)
		map.virq = ret;
	return map;
}
EXPORT_SYMBOL_IMS(ims_alloc_irq_range);

/**
 * ims_alloc_irq - allocate one IMS interrupt at an index or anywhere
 * @domain:	the IMS domain
 * @index:	the slot to use, or %IMS_INDEX_ANY for any free slot
 * @cookie:	instance cookie stored with the interrupt, or NULL
 * @affdesc:	affinity of the interrupt, or NULL
 *
 * As ims_alloc_irq_range(); an explicit @index that is taken gives -EBUSY.
 *
 * Context: process context, may sleep.
 * Return: the slot index and Linux irq number, or a negative errno in @virq.
 */
struct ims_map ims_alloc_irq(struct ims_domain *domain, unsigned int index,
			     const union ims_instance_cookie *cookie,
			     const struct irq_affinity_desc *affdesc)
{
	struct ims_map map = { };
	unsigned int last = domain->info.nr_slots - 1;
	int ret;

	if (index == IMS_INDEX_ANY)
		ret = ims_alloc(domain, 0, last, false, 1, cookie, affdesc, &map);
	else
		ret = ims_alloc(domain, index, index, true, 1, cookie, affdesc,
				&map);
	if (ret)
		map.virq = ret;
	return map;
}
EXPORT_SYMBOL_IMS(ims_alloc_irq);

/**
 * ims_alloc_irqs - allocate several IMS interrupts, all or nothing
 * @domain:	the IMS domain
 * @nr:		number of interrupts
 * @cookies:	@nr instance cookies, or NULL
 * @affdesc:	@nr affinity descriptors, or NULL
 * @maps:	receives @nr {index, virq} pairs; the virqs are consecutive
 *
 * Under Intel VT-d the remapping entries come in aligned blocks of up to 32
 * interrupts (fewer if the unit's invalidation handle mask is smaller), one
 * allocation each in the remapping driver instead of one per interrupt.
 * VT-d releases a block as a whole, so the first slot of a block stays
 * reserved when it is freed, until the other interrupts of its block are
 * freed too; &ims_domain_stats.held counts such slots. A block needs an
 * aligned free run in the remapping table: when the table is too full or
 * fragmented for one, the batch fails with -ENOSPC while ims_alloc_irq()
 * may still find single entries. Each interrupt is freed on its own with
 * ims_free_irq().
 *
 * Context: process context, may sleep.
 * Return: 0, or a negative errno (as ims_alloc_irq_range()) with nothing
 * allocated.
 */
int ims_alloc_irqs(struct ims_domain *domain, unsigned int nr,
		   const union ims_instance_cookie *cookies,
		   const struct irq_affinity_desc *affdesc,
		   struct ims_map *maps)
{
	return ims_alloc(domain, 0, domain->info.nr_slots - 1, false, nr,
			 cookies, affdesc, maps);
}
EXPORT_SYMBOL_IMS(ims_alloc_irqs);

/*
 * Free one live slot unless its interrupt is still requested: "requested"
 * means it has an action. A requested interrupt may be inactive (managed
 * ones are activated only at startup and deactivated when their CPUs go
 * offline; IRQF_NO_AUTOEN ones of managed affinity until enable_irq()).
 */
static int ims_free_slot_locked(struct ims_domain *domain,
				struct ims_slot *slot)
{
	int ret;

	if (irq_has_action(slot->virq)) {
		dev_err(&domain->pdev->dev, "%s: slot %u (irq %u) is still requested, free_irq() it first\n",
			domain->name, slot->index, slot->virq);
		return -EBUSY;
	}
	ret = ims_slot_put(domain, slot);
	if (ret)
		dev_err(&domain->pdev->dev, "%s: slot %u: the device did not take its teardown (%d): slot kept\n",
			domain->name, slot->index, ret);
	return ret;
}

/**
 * ims_free_irq - free one IMS interrupt
 * @domain:	the IMS domain
 * @map:	what ims_alloc_irq() or ims_alloc_irqs() returned
 *
 * The interrupt must have been released with free_irq(). The slot is left
 * masked and zeroed and becomes free for reuse; the first slot of a VT-d
 * batch block only once the rest of its block is freed (see
 * ims_alloc_irqs()). In an %IMS_DOMAIN_SPARES domain a slot of a block
 * becomes a spare instead (see ims_release_spares()).
 *
 * Context: process context, may sleep; the queue template's sync() runs
 * from here.
 * Return: 0; -EINVAL if @map is no interrupt the driver holds in @domain;
 * -EBUSY if it is still requested (error in the log); or the error of the
 * queue template's push of the teardown: the slot then stays allocated and
 * the driver's (the device may still hold its message), masked in the
 * shadow; free it again later, or destroy the domain.
 */
int ims_free_irq(struct ims_domain *domain, struct ims_map map)
{
	struct ims_slot *slot = NULL;
	int ret;

	mutex_lock(&domain->lock);
	if (map.virq > 0)
		slot = ims_virq_slot(domain, map.virq);
	if (slot && slot->index == map.index) {
		ret = ims_free_slot_locked(domain, slot);
	} else {
		dev_err(&domain->pdev->dev, "%s: free of unknown interrupt {%u, %d}\n",
			domain->name, map.index, map.virq);
		ret = -EINVAL;
	}
	mutex_unlock(&domain->lock);
	return ret;
}
EXPORT_SYMBOL_IMS(ims_free_irq);

/**
 * ims_free_all_locked - free every live slot that can be freed
 * @domain:	the domain, its lock held
 * @err:	set to the first error, if any
 *
 * Return: the number of live slots left: still requested, or whose
 * teardown did not reach the device.
 */
unsigned int ims_free_all_locked(struct ims_domain *domain, int *err)
{
	struct ims_slot *slot;
	unsigned long index;
	unsigned int left = 0;
	int ret;

	*err = 0;
	xa_for_each(&domain->slots, index, slot) {
		if (!slot->live)
			continue;
		ret = ims_free_slot_locked(domain, slot);
		if (ret) {
			left++;
			if (!*err)
				*err = ret;
		}
	}
	return left;
}

/**
 * ims_free_all_irqs - free every interrupt of an IMS domain
 * @domain:	the IMS domain
 *
 * All of them must have been released with free_irq(). Those that cannot
 * be freed stay as ims_free_irq() leaves them.
 *
 * Context: process context, may sleep.
 * Return: 0, or the first error as ims_free_irq() would give it.
 */
int ims_free_all_irqs(struct ims_domain *domain)
{
	int ret;

	mutex_lock(&domain->lock);
	ims_free_all_locked(domain, &ret);
	mutex_unlock(&domain->lock);
	return ret;
}
EXPORT_SYMBOL_IMS(ims_free_all_irqs);

/**
 * ims_irq_index - slot index of an IMS interrupt
 * @domain:	the IMS domain
 * @virq:	the Linux irq number
 *
 * Context: any.
 * Return: the slot index, or -EINVAL if @virq is no interrupt the driver
 * holds in @domain.
 */
int ims_irq_index(struct ims_domain *domain, unsigned int virq)
{
	struct ims_slot *slot;
	int ret;

	rcu_read_lock();
	slot = ims_virq_slot(domain, virq);
	ret = slot ? slot->index : -EINVAL;
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IMS(ims_irq_index);

/**
 * ims_index_virq - Linux irq number of an allocated slot
 * @domain:	the IMS domain
 * @index:	the slot index
 *
 * Context: any.
 * Return: the irq number, or -ENOENT if the driver holds no interrupt
 * there.
 */
int ims_index_virq(struct ims_domain *domain, unsigned int index)
{
	struct ims_slot *slot;
	int ret;

	rcu_read_lock();
	slot = xa_load(&domain->slots, index);
	ret = slot && READ_ONCE(slot->live) ? slot->virq : -ENOENT;
	rcu_read_unlock();
	return ret;
}
EXPORT_SYMBOL_IMS(ims_index_virq);

/**
 * ims_domain_get_stats - slot occupancy of an IMS domain
 * @domain:	the IMS domain
 * @stats:	filled in
 *
 * Context: process context, may sleep.
 */
void ims_domain_get_stats(struct ims_domain *domain,
			  struct ims_domain_stats *stats)
{
	mutex_lock(&domain->lock);
	stats->nr_slots = domain->info.nr_slots;
	stats->used = domain->used;
	stats->held = domain->held;
	stats->spare = domain->spare;
	mutex_unlock(&domain->lock);
}
EXPORT_SYMBOL_IMS(ims_domain_get_stats);
