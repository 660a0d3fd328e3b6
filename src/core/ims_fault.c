// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fault injection for ims_core's error paths: /sys/kernel/debug/ims/fault
 *
 *   echo "parent 3" > fault	the 3rd IRTE allocation from now fails
 *   echo off > fault		disarm every point
 *   cat fault			per point: countdown, times fired, errno
 *
 * Each point stands for one step that can fail in real life (an allocation,
 * the remapping domain, the device's queue context); an armed point makes
 * that step return its errno once, exactly where the real failure would
 * surface, so the test exercises the real unwinding. Disarmed, a point
 * costs a patched-out static branch.
 */

#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ims_internal.h"

DEFINE_STATIC_KEY_FALSE(ims_fault_key);

/**
 * struct ims_fault_point - one injection point
 * @name:	its name in the control file
 * @err:	the errno the failing step returns, as the real failure would
 * @countdown:	operations left until the failing one; 0 when disarmed
 * @fired:	failures injected so far
 */
struct ims_fault_point {
	const char	*name;
	int		err;
	atomic_t	countdown;
	atomic_t	fired;
};

static struct ims_fault_point ims_fault_points[IMS_FAULT_NR] = {
	[IMS_FAULT_DOMAIN]	= { .name = "domain",	   .err = -ENOMEM },
	[IMS_FAULT_SLOT]	= { .name = "slot",	   .err = -ENOMEM },
	[IMS_FAULT_BOOKKEEPING]	= { .name = "bookkeeping", .err = -ENOMEM },
	[IMS_FAULT_PARENT]	= { .name = "parent",	   .err = -ENOSPC },
	[IMS_FAULT_ACTIVATE]	= { .name = "activate",	   .err = -EIO },
	[IMS_FAULT_PASID]	= { .name = "pasid",	   .err = -EIO },
	[IMS_FAULT_QUEUE_SYNC]	= { .name = "queue_sync",  .err = -EIO },
	[IMS_FAULT_SYSFS_DOMAIN] = { .name = "sysfs_domain", .err = -ENOMEM },
	[IMS_FAULT_SYSFS_IRQ]	= { .name = "sysfs_irq",   .err = -ENOMEM },
};

/* Any context: the activate and PASID points run under the desc lock. */
int __ims_fault(enum ims_fault_id id)
{
	struct ims_fault_point *fp = &ims_fault_points[id];

	/* Exactly one caller takes the countdown from 1 to 0. */
	if (atomic_dec_if_positive(&fp->countdown) != 0)
		return 0;
	atomic_inc(&fp->fired);
	return fp->err;
}

static int ims_fault_show(struct seq_file *m, void *unused)
{
	int i;

	seq_puts(m, "point countdown fired errno\n");
	for (i = 0; i < IMS_FAULT_NR; i++) {
		struct ims_fault_point *fp = &ims_fault_points[i];

		seq_printf(m, "%s %d %d %d\n", fp->name,
			   atomic_read(&fp->countdown), atomic_read(&fp->fired),
			   fp->err);
	}
	return 0;
}

static int ims_fault_open(struct inode *inode, struct file *file)
{
	return single_open(file, ims_fault_show, NULL);
}

static void ims_fault_disarm(void)
{
	int i;

	for (i = 0; i < IMS_FAULT_NR; i++)
		atomic_set(&ims_fault_points[i].countdown, 0);
}

static int ims_fault_arm(const char *name, unsigned int nth)
{
	int i;

	for (i = 0; i < IMS_FAULT_NR; i++) {
		if (!strcmp(name, ims_fault_points[i].name)) {
			atomic_set(&ims_fault_points[i].countdown, nth);
			/* Stays enabled until "off": disabling may sleep
			 * in jump label code, the points run atomic.
			 */
			static_branch_enable(&ims_fault_key);
			return 0;
		}
	}
	return -EINVAL;
}

static ssize_t ims_fault_write(struct file *file, const char __user *ubuf,
			       size_t len, loff_t *ppos)
{
	char buf[32], *arg, *name;
	unsigned int nth;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	arg = strim(buf);

	if (!strcmp(arg, "off")) {
		ims_fault_disarm();
		static_branch_disable(&ims_fault_key);
		return len;
	}
	name = strsep(&arg, " ");
	if (!arg || kstrtouint(skip_spaces(arg), 0, &nth) || !nth)
		return -EINVAL;
	ret = ims_fault_arm(name, nth);
	return ret ? ret : len;
}

static const struct file_operations ims_fault_fops = {
	.owner		= THIS_MODULE,
	.open		= ims_fault_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= single_release,
	.write		= ims_fault_write,
};

void ims_fault_init(struct dentry *dir)
{
	debugfs_create_file("fault", 0600, dir, NULL, &ims_fault_fops);
}

void ims_fault_exit(void)
{
	ims_fault_disarm();
	static_branch_disable(&ims_fault_key);
}
