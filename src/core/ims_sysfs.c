// SPDX-License-Identifier: GPL-2.0-only
/*
 * sysfs view of the IMS domains, the stable interface for discovery
 * (docs/ABI/sysfs-class-ims). Each domain is a device of class "ims",
 * a child of its PCI device, so that it shows up as
 *
 *	/sys/bus/pci/devices/<BDF>/ims/<domain>/	and
 *	/sys/class/ims/<domain>/
 *
 * with template, mode, chain, slots, used, held, spare, and irqs/: one file per
 * interrupt the driver holds, named by its Linux irq number and holding
 * its slot index, in the spirit of msi_irqs/. Everything is world
 * readable; PASIDs and messages stay in debugfs (root only).
 *
 * No callback here takes the domain lock: the domain lock is held while
 * files are removed, and removal waits for running readers. Counts are
 * read without it and may be stale by the time they are read.
 */

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "ims_internal.h"

static struct ims_domain *ims_dev_domain(struct device *dev)
{
	return dev_get_drvdata(dev);
}

static ssize_t template_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  ims_dev_domain(dev)->info.type == IMS_TEMPLATE_ARRAY ?
			  "array" : "queue");
}
static DEVICE_ATTR_RO(template);

static ssize_t mode_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  ims_dev_domain(dev)->kind == IMS_PARENT_VECTOR ?
			  "direct" : "remapped");
}
static DEVICE_ATTR_RO(mode);

static ssize_t chain_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct irq_domain *pos;
	int len = 0;

	/* The hierarchy is fixed from creation to removal of this file. */
	for (pos = ims_dev_domain(dev)->irqdom; pos; pos = pos->parent)
		len += sysfs_emit_at(buf, len, "%s%c", pos->name,
				     pos->parent ? ' ' : '\n');
	return len;
}
static DEVICE_ATTR_RO(chain);

static ssize_t slots_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", ims_dev_domain(dev)->info.nr_slots);
}
static DEVICE_ATTR_RO(slots);

static ssize_t used_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ims_dev_domain(dev)->used));
}
static DEVICE_ATTR_RO(used);

static ssize_t held_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ims_dev_domain(dev)->held));
}
static DEVICE_ATTR_RO(held);

static ssize_t spare_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(ims_dev_domain(dev)->spare));
}
static DEVICE_ATTR_RO(spare);

static struct attribute *ims_domain_attrs[] = {
	&dev_attr_template.attr,
	&dev_attr_mode.attr,
	&dev_attr_chain.attr,
	&dev_attr_slots.attr,
	&dev_attr_used.attr,
	&dev_attr_held.attr,
	&dev_attr_spare.attr,
	NULL
};

static const struct attribute_group ims_domain_group = {
	.attrs	= ims_domain_attrs,
};

/* irqs/ starts empty; ims_sysfs_add_irq() adds one file per interrupt. */
static struct attribute *ims_irqs_attrs[] = {
	NULL
};

static const struct attribute_group ims_irqs_group = {
	.name	= "irqs",
	.attrs	= ims_irqs_attrs,
};

static const struct attribute_group *ims_domain_groups[] = {
	&ims_domain_group,
	&ims_irqs_group,
	NULL
};

static struct class ims_class = {
	.name		= "ims",
	.dev_groups	= ims_domain_groups,
};

static ssize_t ims_irq_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct ims_slot *slot = container_of(attr, struct ims_slot, sysfs_attr);

	return sysfs_emit(buf, "%u\n", slot->index);
}

/**
 * ims_sysfs_add_irq - list a slot the driver now holds in irqs/
 * @slot:	the slot, about to become live
 *
 * Context: process context, domain lock held.
 * Return: 0 or -ENOMEM.
 */
int ims_sysfs_add_irq(struct ims_slot *slot)
{
	struct device_attribute *attr = &slot->sysfs_attr;
	struct device *dev = slot->domain->sysfs;
	int ret = ims_fault(IMS_FAULT_SYSFS_IRQ);

	if (ret)
		return ret;
	snprintf(slot->sysfs_name, sizeof(slot->sysfs_name), "%u", slot->virq);
	sysfs_attr_init(&attr->attr);
	attr->attr.name = slot->sysfs_name;
	attr->attr.mode = 0444;
	attr->show = ims_irq_show;
	return sysfs_add_file_to_group(&dev->kobj, &attr->attr,
				       ims_irqs_group.name);
}

/**
 * ims_sysfs_remove_irq - take a slot the driver gave back out of irqs/
 * @slot:	the slot
 *
 * Returns once no reader is in the file any more: @slot may go.
 * Context: process context, domain lock held.
 */
void ims_sysfs_remove_irq(struct ims_slot *slot)
{
	struct device *dev = slot->domain->sysfs;

	sysfs_remove_file_from_group(&dev->kobj, &slot->sysfs_attr.attr,
				     ims_irqs_group.name);
}

/**
 * ims_sysfs_add - show a new domain in sysfs
 * @domain:	the domain, with its irq domain created
 *
 * Context: process context, may sleep.
 * Return: 0, or the error of device_create().
 */
int ims_sysfs_add(struct ims_domain *domain)
{
	struct device *dev;
	int ret = ims_fault(IMS_FAULT_SYSFS_DOMAIN);

	if (ret)
		return ret;
	dev = device_create(&ims_class, &domain->pdev->dev, MKDEV(0, 0), domain,
			    "%s", domain->name);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	domain->sysfs = dev;
	return 0;
}

/**
 * ims_sysfs_remove - take a domain out of sysfs, its irqs/ files included
 * @domain:	the domain
 *
 * Returns once no reader is in any of its files any more.
 * Context: process context, may sleep; not under the domain lock.
 */
void ims_sysfs_remove(struct ims_domain *domain)
{
	device_unregister(domain->sysfs);
	domain->sysfs = NULL;
}

int ims_sysfs_init(void)
{
	return class_register(&ims_class);
}

void ims_sysfs_exit(void)
{
	class_unregister(&ims_class);
}
