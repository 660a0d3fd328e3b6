// SPDX-License-Identifier: GPL-2.0-only
/*
 * Spare slots of IMS_DOMAIN_SPARES domains.
 *
 * The stock VT-d allocator scans its remapping table from entry 0 for
 * every allocation, so one-by-one allocation costs more the more entries
 * are in use, while a block of entries takes one scan. A single
 * allocation of such a domain therefore takes a block and keeps its other
 * slots as spares: allocated in the irq core with their irq number and
 * remapping entry, masked and zeroed in storage, not the driver's. The
 * next single allocation whose range holds a spare takes it without
 * asking the irq core for anything.
 *
 * VT-d releases a block only as a whole, with its first entry, so a slot
 * of a block that the driver frees becomes a spare too, and a block goes
 * back only when all its slots are spares (idle). One idle block per
 * domain is kept for the next single allocation; further idle blocks are
 * released at once, and ims_release_spares() releases the kept one.
 */

#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "ims_compat.h"
#include "ims_internal.h"

/**
 * ims_spare_find - the lowest spare slot in a range
 * @domain:	the domain, its lock held
 * @first:	lowest acceptable slot index
 * @last:	highest acceptable slot index
 *
 * Return: the spare, or NULL if [@first, @last] holds none.
 */
struct ims_slot *ims_spare_find(struct ims_domain *domain, unsigned int first,
				unsigned int last)
{
	unsigned long index = first;

	return xa_find(&domain->slots, &index, last, IMS_SLOT_SPARE);
}

/*
 * Give an idle block back: its other slots first, then the first one,
 * with which VT-d frees the entries of the whole block.
 */
static void ims_block_release(struct ims_domain *domain, struct ims_slot *head)
{
	unsigned int virq = head->virq, i;

	if (domain->idle_block == head)
		domain->idle_block = NULL;
	for (i = head->block_nr - 1; i > 0; i--)
		irq_dispose_mapping(virq + i);
	irq_dispose_mapping(virq);
	/* that freed an aligned block: VT-d may give blocks again */
	domain->blocks_refused = false;
}

/**
 * ims_spare_add - keep a slot of a remapping block as a spare
 * @domain:	the domain, its lock held
 * @slot:	the slot, not the driver's, its storage masked and zeroed
 * @head:	the first slot of @slot's block
 *
 * If that leaves the block idle, it is kept as the domain's idle block,
 * or released if the domain keeps another one already.
 */
void ims_spare_add(struct ims_domain *domain, struct ims_slot *slot,
		   struct ims_slot *head)
{
	xa_set_mark(&domain->slots, slot->index, IMS_SLOT_SPARE);
	slot->spare = true;
	domain->held--;
	domain->spare++;
	if (++head->block_spares < head->block_nr)
		return;
	if (!domain->idle_block)
		domain->idle_block = head;
	else if (domain->idle_block != head)
		ims_block_release(domain, head);
}

/**
 * ims_spare_take - turn a spare back into a new slot
 * @domain:	the domain, its lock held
 * @slot:	a spare of @domain
 *
 * The caller gives it a message and storage and publishes it, or adds it
 * back with ims_spare_add().
 */
void ims_spare_take(struct ims_domain *domain, struct ims_slot *slot)
{
	struct ims_slot *head = ims_block_head(domain, slot);

	xa_clear_mark(&domain->slots, slot->index, IMS_SLOT_SPARE);
	slot->spare = false;
	domain->spare--;
	domain->held++;
	head->block_spares--;
	if (domain->idle_block == head)
		domain->idle_block = NULL;
}

/**
 * ims_alloc_spared - allocate one interrupt of an IMS_DOMAIN_SPARES domain
 * @domain:	the domain, its lock held
 * @arg:	the request, for one interrupt without affinity
 *
 * Takes the lowest spare in range, else a new block whose other slots
 * become spares. Fewer free slots in range than a block takes a smaller
 * block. A block the remapping unit refuses (it logs that) is retried as a
 * single entry, and the domain takes single entries until one of its
 * blocks goes back to the unit; so it does after a block that ends the
 * unit's table, which no further block would fit above.
 *
 * Context: under the irq core's domain mutex only while it allocates.
 * Return: the irq to publish, its slot index in @arg->maps[0], or a
 * negative errno.
 */
int ims_alloc_spared(struct ims_domain *domain, struct ims_alloc_arg *arg)
{
	struct ims_map maps[IMS_BLOCK_MAX], *map = arg->maps;
	struct ims_slot *slot, *head;
	unsigned int nr, i;
	int virq;

	slot = ims_spare_find(domain, arg->first, arg->last);
	if (slot) {
		ims_spare_take(domain, slot);
		ims_slot_set_cookie(domain, slot, ims_arg_cookie(arg, 0));
		ims_slot_setup(domain, slot);
		map->index = slot->index;
		return slot->virq;
	}

	nr = domain->blocks_refused ? 1 : domain->block_max;
	nr = min_t(unsigned long, nr,
		   rounddown_pow_of_two(arg->last - arg->first + 1));
	arg->maps = maps;
	for (;;) {
		arg->parent_failed = false;
		virq = __irq_domain_alloc_irqs(domain->irqdom, -1, nr,
					       dev_to_node(&domain->pdev->dev),
					       arg, false, NULL);
		if (virq >= 0 || nr == 1)
			break;
		if (arg->parent_failed) {
			domain->blocks_refused = true;
			nr = 1;
		} else if (virq == -ENOSPC) {
			nr /= 2;
		} else {
			break;
		}
	}
	arg->maps = map;
	if (virq < 0)
		return virq;

	head = ims_virq_slot_any(domain, virq);
	if (nr > 1 && ims_vtd_block_ends_table(&head->msg, nr))
		domain->blocks_refused = true;
	for (i = 1; i < nr; i++) {
		slot = ims_virq_slot_any(domain, virq + i);
		domain->tmpl->teardown(slot);
		ims_spare_add(domain, slot, head);
	}
	map->index = maps[0].index;
	return virq;
}

/**
 * ims_release_spares_locked - release the idle block kept by a domain
 * @domain:	the domain, its lock held
 *
 * Only the kept block can be idle: ims_spare_add() releases any other.
 */
void ims_release_spares_locked(struct ims_domain *domain)
{
	if (domain->idle_block)
		ims_block_release(domain, domain->idle_block);
}

/**
 * ims_release_spares - give back the remapping block kept for reuse
 * @domain:	an IMS domain
 *
 * An %IMS_DOMAIN_SPARES domain keeps one block whose slots are all spares
 * for its next single allocation. A driver that expects no allocation for
 * a while (its last client left) releases that block here; spares of
 * blocks that still have an interrupt in use stay, since VT-d cannot free
 * part of a block. ims_destroy_domain() releases everything. Nothing to
 * do for other domains.
 *
 * Context: process context, may sleep.
 */
void ims_release_spares(struct ims_domain *domain)
{
	mutex_lock(&domain->lock);
	ims_release_spares_locked(domain);
	mutex_unlock(&domain->lock);
}
EXPORT_SYMBOL_IMS(ims_release_spares);
