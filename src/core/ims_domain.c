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
 * This file creates and removes domains. Slot allocation is in ims_alloc.c,
 * the irq chip in ims_chip.c, the storage templates in ../templates/.
 *
 * A domain holds a reference to its device and to this module: its irq
 * chip and callbacks live here, and the irq descriptors of its interrupts
 * point to them for as long as the domain exists. A driver that destroys a
 * domain while interrupts are still requested (a bug) gets a retired
 * domain: detached from the driver's view (name, debugfs), kept alive with
 * both references, its requested interrupts still working, leaked: a
 * reported leak instead of a use after free.
 */

#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "ims_compat.h"
#include "ims_internal.h"
#include "ims_trace.h"

static bool allow_direct_vector;
module_param(allow_direct_vector, bool, 0644);
MODULE_PARM_DESC(allow_direct_vector,
		 "Allow IMS domains without interrupt remapping, stacked on the vector domain; slots are rewritten on affinity changes (default: N, refuse)");

static const struct irq_domain_ops ims_domain_ops = {
	.alloc		= ims_domain_alloc,
	.free		= ims_domain_free,
	.activate	= ims_domain_activate,
	.deactivate	= ims_domain_deactivate,
};

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
			    enum ims_parent_kind kind, struct irq_domain *parent)
{
	switch (kind) {
	case IMS_PARENT_VTD:
	case IMS_PARENT_AMDVI:
	case IMS_PARENT_ITS:
		return 0;
	case IMS_PARENT_OTHER:
		pci_err(pdev, "IMS: the device's interrupts go through %s, which is no interrupt remapping or translation unit ims_core knows (Intel VT-d, AMD-Vi, GICv3 ITS)\n",
			parent ? parent->name : "an unknown domain");
		return -ENODEV;
	case IMS_PARENT_VECTOR:
		break;
	}
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

/*
 * Names of the domains that are not retired are unique: they name the irq
 * domain and the debugfs directory. The lock protects both lists.
 */
static LIST_HEAD(ims_domains);
LIST_HEAD(ims_retired);
DEFINE_MUTEX(ims_domains_lock);	/* ims_domains, ims_retired */

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

static unsigned int ims_block_max(struct pci_dev *pdev,
				  enum ims_parent_kind kind)
{
	/*
	 * Only VT-d allocates blocks in one scan; AMD-Vi and the vector domain
	 * free entries one by one, so a block would only pin its first entry.
	 */
	return kind == IMS_PARENT_VTD ?
		ims_vtd_block_max(pdev, IMS_BLOCK_MAX) : 1;
}

static struct ims_domain *ims_domain_new(struct pci_dev *pdev,
					 const struct ims_domain_info *info,
					 const struct ims_template *tmpl,
					 struct irq_domain *parent,
					 enum ims_parent_kind kind)
{
	struct ims_domain *domain;

	domain = kzalloc(sizeof(*domain), GFP_KERNEL);
	if (!domain)
		return NULL;
	domain->name = kasprintf(GFP_KERNEL, "IMS-%s-%s%s%s", tmpl->name,
				 pci_name(pdev), info->name ? "-" : "",
				 info->name ? info->name : "");
	if (!domain->name) {
		kfree(domain);
		return NULL;
	}
	domain->pdev = pci_dev_get(pdev);
	domain->info = *info;
	domain->info.name = NULL;
	domain->tmpl = tmpl;
	tmpl->init(domain);
	domain->parent = parent;
	domain->kind = kind;
	domain->block_max = ims_block_max(pdev, kind);
	domain->pasid_width = tmpl->pasid_width(domain);
	domain->desc.dev = &pdev->dev;
	xa_init_flags(&domain->slots, XA_FLAGS_ALLOC);
	lockdep_register_key(&domain->lock_key);
	lockdep_register_key(&domain->sync_key);
	mutex_init(&domain->lock);
	lockdep_set_class(&domain->lock, &domain->lock_key);
	INIT_LIST_HEAD(&domain->node);
	ims_chip_init(domain);
	__module_get(THIS_MODULE);
	return domain;
}

static void ims_domain_release(struct ims_domain *domain)
{
	xa_destroy(&domain->slots);
	mutex_destroy(&domain->lock);
	lockdep_unregister_key(&domain->sync_key);
	lockdep_unregister_key(&domain->lock_key);
	pci_dev_put(domain->pdev);
	kfree(domain->name);
	kfree(domain);
	module_put(THIS_MODULE);
}

/**
 * ims_create_domain - create an IMS irq domain for a storage instance
 * @pdev:	the device; interrupts carry its requester id
 * @info:	template, slot count and template parameters; copied, so
 *		@info and what it points to (layout, ops) need not outlive
 *		the call (@info->queue.drvdata must live as long as the domain)
 *
 * The domain is a child of the remapping domain that covers @pdev, beside
 * its PCI/MSI domain, which keeps working. Several domains may exist on
 * one device. Without interrupt remapping creation fails with -ENODEV
 * unless ims_core was loaded with allow_direct_vector=1. The domain holds
 * a reference to @pdev and to ims_core until it is destroyed.
 *
 * Context: process context, may sleep.
 * Return: the domain, or ERR_PTR(-EINVAL) for a bad @info, -EEXIST if a
 * domain of that name exists, -ENODEV (no interrupt remapping, or one
 * ims_core does not know), -EOPNOTSUPP (queue template without remapping)
 * or -ENOMEM.
 */
struct ims_domain *ims_create_domain(struct pci_dev *pdev,
				     const struct ims_domain_info *info)
{
	const struct ims_template *tmpl = ims_template_of(info->type);
	struct fwnode_handle *fwnode;
	enum ims_parent_kind kind;
	struct ims_domain *domain;
	struct irq_domain *parent;
	int ret;

	if (!tmpl || !info->nr_slots || info->nr_slots > IMS_MAX_SLOTS ||
	    (info->flags & ~IMS_DOMAIN_SPARES) || !ims_name_ok(info->name)) {
		pci_err(pdev, "IMS: bad domain description (template %d, %u slots, name '%s')\n",
			info->type, info->nr_slots, info->name ?: "");
		return ERR_PTR(-EINVAL);
	}
	ret = tmpl->check(pdev, info);
	if (ret)
		return ERR_PTR(ret);

	kind = ims_parent_of(pdev, &parent);
	ret = ims_check_parent(pdev, tmpl, kind, parent);
	if (ret)
		return ERR_PTR(ret);

	domain = ims_domain_new(pdev, info, tmpl, parent, kind);
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
	ret = ims_parent_prepare(domain);
	if (ret)
		goto remove_irqdom;
	ret = ims_sysfs_add(domain);
	if (ret)
		goto remove_irqdom;

	ims_debugfs_add(domain);
	trace_ims_domain_create(domain, 0);
	pci_dbg(pdev, "%s: %u slots, parent %s, blocks of up to %u\n",
		domain->name, info->nr_slots, parent->name, domain->block_max);
	return domain;

remove_irqdom:
	irq_domain_remove(domain->irqdom);
free_fwnode:
	irq_domain_free_fwnode(fwnode);
unregister:
	ims_domain_unregister(domain);
release:
	ims_domain_release(domain);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_IMS(ims_create_domain);

/*
 * What is left of a domain whose interrupts could not all be freed. The
 * driver may be gone soon: its sync() callback is not called any more.
 */
static void ims_domain_retire(struct ims_domain *domain, unsigned int left)
{
	pci_err(domain->pdev, "%s: destroyed with %u interrupts it could not free (still requested, or the device did not take their teardown): domain retired and leaked\n",
		domain->name, left);
	ims_sysfs_remove(domain);
	ims_debugfs_remove(domain);
	mutex_lock(&ims_domains_lock);
	domain->retired = true;
	list_move_tail(&domain->node, &ims_retired);
	mutex_unlock(&ims_domains_lock);
}

/**
 * ims_destroy_domain - free all interrupts of an IMS domain and remove it
 * @domain:	the domain, or an ERR_PTR or NULL (ignored)
 *
 * Every interrupt must have been released with free_irq() before, and the
 * call must come before the device goes away. The driver must not use
 * @domain afterwards, whatever happens.
 *
 * A driver bug that leaves interrupts requested does not turn into a use
 * after free: ims_core frees the other slots and retires the domain (error
 * in the log): the requested interrupts keep working until free_irq(),
 * and the domain stays allocated, with its references to the device and
 * to ims_core, until reboot. Its name is free for a new domain. The same
 * happens if the queue template cannot push the teardown of a slot to the
 * device: freeing its remapping entry could let the device's message hit
 * an entry handed to another interrupt. A retired domain never calls the
 * driver's sync() again; the remapping entries of its interrupts are
 * deactivated at free_irq(), so whatever the device still sends there is
 * blocked by the IOMMU.
 *
 * Context: process context, may sleep.
 */
void ims_destroy_domain(struct ims_domain *domain)
{
	struct fwnode_handle *fwnode;
	unsigned int left;
	int err;

	if (IS_ERR_OR_NULL(domain))
		return;
	mutex_lock(&domain->lock);
	left = ims_free_all_locked(domain, &err);
	ims_release_spares_locked(domain);
	mutex_unlock(&domain->lock);
	trace_ims_domain_destroy(domain, left);
	if (left) {
		ims_domain_retire(domain, left);
		return;
	}
	ims_sysfs_remove(domain);
	ims_debugfs_remove(domain);
	fwnode = domain->irqdom->fwnode;
	irq_domain_remove(domain->irqdom);
	irq_domain_free_fwnode(fwnode);
	ims_domain_unregister(domain);
	ims_domain_release(domain);
}
EXPORT_SYMBOL_IMS(ims_destroy_domain);

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
 * Context: process context, may sleep.
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
EXPORT_SYMBOL_IMS(devm_ims_create_domain);

static int __init ims_core_init(void)
{
	int ret = ims_sysfs_init();

	if (ret)
		return ret;
	ims_debugfs_init();
	return 0;
}

/* Every domain holds a reference to this module: none exists here. */
static void __exit ims_core_exit(void)
{
	ims_debugfs_exit();
	ims_sysfs_exit();
}

module_init(ims_core_init);
module_exit(ims_core_exit);

MODULE_DESCRIPTION("IMS (Interrupt Message Store) irq domains for PCI devices");
MODULE_LICENSE("GPL");
MODULE_VERSION(IMS_VERSION);
