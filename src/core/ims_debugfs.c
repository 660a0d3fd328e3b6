// SPDX-License-Identifier: GPL-2.0-only
/*
 * debugfs view of the IMS domains: /sys/kernel/debug/ims/<domain>/
 *   info	template, device, parent chain down to the vector domain,
 *		largest remapping block, slots total, used, held
 *		(allocated but not the driver's: VT-d block heads) and spare
 *		(kept for reuse, IMS_DOMAIN_SPARES)
 *   slots	one line per slot the driver holds: index, irq, PASID, mask
 *		state, effective CPU, message, and the template's own state
 * /sys/kernel/debug/ims/retired, one line per retired domain (destroyed
 * while interrupts were still requested, see ims_destroy_domain()), and
 * /sys/kernel/debug/ims/fault, the fault injection control (ims_fault.c).
 */

#include <linux/debugfs.h>
#include <linux/pci.h>
#include <linux/seq_file.h>

#include "ims_internal.h"

static struct dentry *ims_debugfs_root;

static int ims_info_show(struct seq_file *m, void *unused)
{
	struct ims_domain *domain = m->private;
	struct irq_domain *pos;

	mutex_lock(&domain->lock);
	seq_printf(m, "name:     %s\n", domain->name);
	seq_printf(m, "device:   %s\n", pci_name(domain->pdev));
	seq_printf(m, "template: %s\n", domain->tmpl->name);
	seq_printf(m, "mode:     %s\n",
		   domain->kind == IMS_PARENT_VECTOR ? "direct-vector" : "remapped");
	seq_puts(m, "chain:    ");
	for (pos = domain->irqdom; pos; pos = pos->parent)
		seq_printf(m, "%s%s", pos->name, pos->parent ? " -> " : "\n");
	seq_printf(m, "block:    %u\n", domain->block_max);
	seq_printf(m, "slots:    %u\n", domain->info.nr_slots);
	seq_printf(m, "used:     %u\n", domain->used);
	seq_printf(m, "held:     %u\n", domain->held);
	seq_printf(m, "spare:    %u\n", domain->spare);
	if (domain->tmpl->show_info)
		domain->tmpl->show_info(m, domain);
	mutex_unlock(&domain->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ims_info);

static int ims_slots_show(struct seq_file *m, void *unused)
{
	struct ims_domain *domain = m->private;
	struct ims_slot *slot;
	unsigned long index;

	seq_puts(m, "index virq pasid masked cpu addr_hi addr_lo data\n");
	mutex_lock(&domain->lock);
	xa_for_each(&domain->slots, index, slot) {
		const struct cpumask *eff;
		int cpu = -1;

		if (!slot->live)
			continue;
		eff = irq_data_get_effective_affinity_mask(irq_get_irq_data(slot->virq));
		if (eff && !cpumask_empty(eff))
			cpu = cpumask_first(eff);
		seq_printf(m, "%u %u ", slot->index, slot->virq);
		if (slot->pasid == IMS_PASID_NONE)
			seq_puts(m, "none");
		else
			seq_printf(m, "%u", slot->pasid);
		seq_printf(m, " %d %d %#010x %#010x %#010x", READ_ONCE(slot->masked),
			   cpu, slot->msg.address_hi, slot->msg.address_lo,
			   slot->msg.data);
		domain->tmpl->show(m, slot);
		seq_putc(m, '\n');
	}
	mutex_unlock(&domain->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ims_slots);

/* The domain's device is referenced: reading it stays valid. */
static int ims_retired_show(struct seq_file *m, void *unused)
{
	struct ims_domain *domain;

	mutex_lock(&ims_domains_lock);
	list_for_each_entry(domain, &ims_retired, node)
		seq_printf(m, "%s %s used=%u held=%u\n", domain->name,
			   pci_name(domain->pdev), domain->used, domain->held);
	mutex_unlock(&ims_domains_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ims_retired);

void ims_debugfs_add(struct ims_domain *domain)
{
	domain->debugfs = debugfs_create_dir(domain->name, ims_debugfs_root);
	debugfs_create_file("info", 0444, domain->debugfs, domain,
			    &ims_info_fops);
	debugfs_create_file("slots", 0444, domain->debugfs, domain,
			    &ims_slots_fops);
}

void ims_debugfs_remove(struct ims_domain *domain)
{
	debugfs_remove_recursive(domain->debugfs);
	domain->debugfs = NULL;
}

void ims_debugfs_init(void)
{
	ims_debugfs_root = debugfs_create_dir("ims", NULL);
	debugfs_create_file("retired", 0444, ims_debugfs_root, NULL,
			    &ims_retired_fops);
	ims_fault_init(ims_debugfs_root);
}

void ims_debugfs_exit(void)
{
	debugfs_remove_recursive(ims_debugfs_root);
	ims_fault_exit();
}
