// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref char device: /dev/idxd_ref<N>, the user clients' interface
 * (ABI in include/uapi/idxd_ref.h).
 *
 * Each open file gets a PASID and an address space (a buffer user space
 * mmap()s) bound to it on the device. Descriptors go to the shared WQ with
 * the file's PASID stamped in by the driver; interrupt handles are
 * allocated with the same PASID in their IMS entry, so the device itself
 * refuses to interrupt a handle for another file's descriptor.
 *
 * Every handle is a requested interrupt, which takes a CPU vector: the
 * handles of open files are limited per file (max_handles), per user over
 * all devices (max_user_irqs) and per device (max_dev_irqs), so that an
 * unprivileged user cannot take the vectors other drivers need.
 *
 * Waiting for the device (freeing a handle, closing a file with work in
 * flight) is done without the device lock: one client with a full ring
 * must not stall the others.
 */

#include <linux/bitfield.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "idxd_ref.h"
#include "idxd_ref_engine.h"

static DEFINE_IDA(idxd_ref_pasid_ida);

/* Handles held by each user's open files, on all devices: uid -> count. */
static DEFINE_MUTEX(idxd_ref_users_lock);	/* idxd_ref_users */
static DEFINE_XARRAY(idxd_ref_users);

/**
 * idxd_ref_dev_irq_limit - device-wide limit of the open files' handles
 *
 * Return: max_dev_irqs, or %IDXD_REF_DEV_IRQS_PER_CPU per online CPU if 0.
 */
unsigned int idxd_ref_dev_irq_limit(void)
{
	unsigned int max = READ_ONCE(idxd_ref_max_dev_irqs);

	return max ?: IDXD_REF_DEV_IRQS_PER_CPU * num_online_cpus();
}

/*
 * Charge one more handle to a file, its user and its device. The file's
 * and the user's quota give -EDQUOT, the device's limit -ENOSPC.
 */
static int idxd_ref_charge(struct idxd_ref_file *f)
{
	struct idxd_ref_dev *idev = f->idev;
	unsigned long uid = __kuid_val(f->uid);
	unsigned long n;
	int ret = 0;

	lockdep_assert_held(&idev->lock);
	if (f->nr_handles >= READ_ONCE(idxd_ref_max_handles))
		return -EDQUOT;
	mutex_lock(&idxd_ref_users_lock);
	n = xa_to_value(xa_load(&idxd_ref_users, uid) ?: xa_mk_value(0));
	if (n >= READ_ONCE(idxd_ref_max_user_irqs))
		ret = -EDQUOT;
	else if (idev->user_irqs >= idxd_ref_dev_irq_limit())
		ret = -ENOSPC;
	else
		ret = xa_err(xa_store(&idxd_ref_users, uid, xa_mk_value(n + 1),
				      GFP_KERNEL));
	mutex_unlock(&idxd_ref_users_lock);
	if (ret)
		return ret;
	f->nr_handles++;
	idev->user_irqs++;
	return 0;
}

static void idxd_ref_uncharge(struct idxd_ref_file *f)
{
	unsigned long uid = __kuid_val(f->uid);
	unsigned long n;

	lockdep_assert_held(&f->idev->lock);
	f->nr_handles--;
	f->idev->user_irqs--;
	mutex_lock(&idxd_ref_users_lock);
	n = xa_to_value(xa_load(&idxd_ref_users, uid));
	if (n > 1)
		/* replaces a present entry: allocates nothing, cannot fail */
		xa_store(&idxd_ref_users, uid, xa_mk_value(n - 1), GFP_KERNEL);
	else
		xa_erase(&idxd_ref_users, uid);
	mutex_unlock(&idxd_ref_users_lock);
}

/*
 * Free a handle already taken out of its file's xarray (no descriptor of
 * the file can name it any more) and uncharge it. May drop the device
 * lock while the device finishes the descriptors naming it.
 */
static void idxd_ref_file_put_handle(struct idxd_ref_file *f,
				     struct idxd_ref_handle *h)
{
	idxd_ref_handle_free(h);
	idxd_ref_uncharge(f);
}

static void idxd_ref_file_free_handles(struct idxd_ref_file *f)
{
	struct idxd_ref_handle *h;
	unsigned long idx;

	xa_for_each(&f->handles, idx, h) {
		xa_erase(&f->handles, idx);
		idxd_ref_file_put_handle(f, h);
	}
}

static int idxd_ref_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct idxd_ref_dev *idev = container_of(misc, struct idxd_ref_dev,
						 miscdev);
	struct idxd_ref_file *f;
	int ret;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	xa_init(&f->handles);
	init_waitqueue_head(&f->wait);
	INIT_LIST_HEAD(&f->node);
	ret = ida_alloc_range(&idxd_ref_pasid_ida, 1, IDXD_REF_PASID_MAX,
			      GFP_KERNEL);
	if (ret < 0)
		goto free;
	f->pasid = ret;
	f->uid = current_uid();
	f->buf = vmalloc_user(IDXD_REF_BUF_SIZE);
	if (!f->buf) {
		ret = -ENOMEM;
		goto free_pasid;
	}

	mutex_lock(&idev->lock);
	if (idev->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	ret = idxd_ref_engine_bind_as(idev->eng, f->pasid, f->buf,
				      IDXD_REF_BUF_SIZE);
	if (ret)
		goto unlock;
	kref_get(&idev->ref);
	f->idev = idev;
	list_add(&f->node, &idev->files);
	mutex_unlock(&idev->lock);

	file->private_data = f;
	return nonseekable_open(inode, file);

unlock:
	mutex_unlock(&idev->lock);
	vfree(f->buf);
free_pasid:
	ida_free(&idxd_ref_pasid_ida, f->pasid);
free:
	kfree(f);
	return ret;
}

static int idxd_ref_release(struct inode *inode, struct file *file)
{
	struct idxd_ref_file *f = file->private_data;
	struct idxd_ref_dev *idev = f->idev;

	mutex_lock(&idev->lock);
	/*
	 * The PASID and buffer are reused: let the device finish, without
	 * the device lock. Remove may kill the file meanwhile.
	 */
	if (f->submitted)
		idxd_ref_wq_wait_unlocked(&idev->wqs[IDXD_REF_USER_WQ],
					  f->last_seq);
	if (!idev->dead) {
		idxd_ref_file_free_handles(f);
		/* freeing may have waited too */
		if (!idev->dead)
			idxd_ref_engine_unbind_as(idev->eng, f->pasid);
	}
	list_del_init(&f->node);
	mutex_unlock(&idev->lock);

	xa_destroy(&f->handles);
	vfree(f->buf);
	ida_free(&idxd_ref_pasid_ida, f->pasid);
	kfree(f);
	idxd_ref_dev_put(idev);
	return 0;
}

static bool idxd_ref_range_ok(u64 off, u64 len)
{
	return off <= IDXD_REF_BUF_SIZE && len <= IDXD_REF_BUF_SIZE - off;
}

/* Validate a user descriptor; finds the handle it names. */
static int idxd_ref_check_desc(struct idxd_ref_file *f,
			       const struct idxd_ref_desc *u,
			       struct idxd_ref_handle **hp)
{
	struct idxd_ref_dev *idev = f->idev;
	struct idxd_ref_handle *h = NULL;

	if (u->rsvd0 || u->rsvd1 ||
	    u->flags & ~(IDXD_REF_F_RCI | IDXD_REF_F_CRAV) ||
	    u->size > IDXD_REF_BUF_SIZE)
		return -EINVAL;
	switch (u->opcode) {
	case IDXD_REF_OP_NOOP:
		break;
	case IDXD_REF_OP_MEMFILL:
		if (!idxd_ref_range_ok(u->dst, u->size))
			return -EINVAL;
		break;
	case IDXD_REF_OP_COPY:
		if (!idxd_ref_range_ok(u->src, u->size) ||
		    !idxd_ref_range_ok(u->dst, u->size))
			return -EINVAL;
		break;
	case IDXD_REF_OP_CRC32:
		if (!idxd_ref_range_ok(u->src, u->size))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (u->flags & IDXD_REF_F_CRAV &&
	    (!IS_ALIGNED(u->completion, IDXD_REF_COMP_SIZE) ||
	     !idxd_ref_range_ok(u->completion, IDXD_REF_COMP_SIZE)))
		return -EINVAL;
	if (u->flags & IDXD_REF_F_RCI) {
		h = xa_load(&f->handles, u->handle);
		if (!h) {
			/* test aid: the device's PASID check must catch it */
			if (!READ_ONCE(idxd_ref_trust_device_pasid) ||
			    u->handle >= idev->ims_size)
				return -ENOENT;
			h = xa_load(&idev->handles, u->handle);
		}
	}
	*hp = h;
	return 0;
}

static void idxd_ref_hw_desc_from_user(struct idxd_ref_file *f,
				       const struct idxd_ref_desc *u,
				       struct idxd_ref_hw_desc *d)
{
	memset(d, 0, sizeof(*d));
	/* the PASID comes from the file, never from the caller */
	d->pasid = FIELD_PREP(IDXD_REF_DESC_PASID, f->pasid) |
		   IDXD_REF_DESC_PASID_VALID;
	d->op_flags = FIELD_PREP(IDXD_REF_DESC_OPCODE, u->opcode) |
		      FIELD_PREP(IDXD_REF_DESC_FLAGS, u->flags);
	d->completion = u->completion;
	d->src = u->src;
	d->dst = u->dst;
	d->size = u->size;
	d->int_handle = u->handle;
	d->pattern = u->pattern;
	d->tag = u->tag;
}

static int idxd_ref_submit(struct idxd_ref_file *f,
			   struct idxd_ref_submit __user *uarg)
{
	struct idxd_ref_dev *idev = f->idev;
	struct idxd_ref_wq *wq = &idev->wqs[IDXD_REF_USER_WQ];
	struct idxd_ref_handle *hs[IDXD_REF_MAX_SUBMIT];
	struct idxd_ref_desc *descs;
	struct idxd_ref_submit sub;
	struct idxd_ref_hw_desc d;
	unsigned int i, n = 0;
	u32 seq;
	int ret = 0;

	if (copy_from_user(&sub, uarg, sizeof(sub)))
		return -EFAULT;
	/*
	 * The count accepted goes back through the same argument: refuse
	 * one that cannot be written before accepting anything, or the
	 * caller would get -EFAULT not knowing what the device now runs.
	 */
	if (put_user(0, &uarg->submitted))
		return -EFAULT;
	if (!sub.count || sub.count > IDXD_REF_MAX_SUBMIT)
		return -EINVAL;
	descs = memdup_user(u64_to_user_ptr(sub.descs),
			    sub.count * sizeof(*descs));
	if (IS_ERR(descs))
		return PTR_ERR(descs);

	mutex_lock(&idev->lock);
	if (idev->dead) {
		ret = -ENODEV;
		goto unlock;
	}
	for (i = 0; i < sub.count; i++) {
		ret = idxd_ref_check_desc(f, &descs[i], &hs[i]);
		if (ret)
			goto unlock;
	}
	for (n = 0; n < sub.count; n++) {
		idxd_ref_hw_desc_from_user(f, &descs[n], &d);
		ret = idxd_ref_wq_submit(wq, &d, &seq);
		if (ret)
			break;
		f->submitted = true;
		f->last_seq = seq;
		if (hs[n]) {
			atomic64_inc(&hs[n]->submitted);
			hs[n]->last_wq = wq;
			hs[n]->last_seq = seq;
		}
	}
	/* a partial submission is a success; an empty one reports why */
	if (n)
		ret = 0;
unlock:
	mutex_unlock(&idev->lock);
	kfree(descs);
	if (ret)
		return ret;
	sub.submitted = n;
	if (copy_to_user(uarg, &sub, sizeof(sub)))
		return -EFAULT;
	return 0;
}

static int idxd_ref_alloc_handle(struct idxd_ref_file *f,
				 struct idxd_ref_handle_req *req)
{
	struct idxd_ref_handle *h;
	int ret;

	if (req->flags || req->rsvd)
		return -EINVAL;
	ret = idxd_ref_charge(f);
	if (ret)
		return ret;
	h = idxd_ref_handle_alloc(f->idev, f, f->pasid, NULL);
	if (IS_ERR(h)) {
		idxd_ref_uncharge(f);
		return PTR_ERR(h);
	}
	ret = idxd_ref_handle_set_trigger(h, req->eventfd);
	if (!ret)
		ret = xa_insert(&f->handles, h->map.index, h, GFP_KERNEL);
	if (ret) {
		/* never named by a descriptor: freed without waiting */
		idxd_ref_file_put_handle(f, h);
		return ret;
	}
	req->handle = h->map.index;
	return 0;
}

static long idxd_ref_handle_ioctl(struct idxd_ref_file *f, unsigned int cmd,
				  void __user *uarg)
{
	struct idxd_ref_handle_req req;
	struct idxd_ref_handle *h;
	long ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.rsvd)
		return -EINVAL;
	if (cmd == IDXD_REF_IOC_ALLOC_HANDLE) {
		ret = idxd_ref_alloc_handle(f, &req);
		if (!ret && copy_to_user(uarg, &req, sizeof(req))) {
			/* not named by a descriptor yet: no wait */
			h = xa_erase(&f->handles, req.handle);
			idxd_ref_file_put_handle(f, h);
			ret = -EFAULT;
		}
		return ret;
	}

	h = xa_load(&f->handles, req.handle);
	if (!h)
		return -ENOENT;
	switch (cmd) {
	case IDXD_REF_IOC_FREE_HANDLE:
		if (req.flags)
			return -EINVAL;
		/* out of the file first: the wait runs without the lock */
		xa_erase(&f->handles, req.handle);
		idxd_ref_file_put_handle(f, h);
		return 0;
	case IDXD_REF_IOC_SET_EVENTFD:
		if (req.flags)
			return -EINVAL;
		return idxd_ref_handle_set_trigger(h, req.eventfd);
	case IDXD_REF_IOC_MASK_HANDLE:
		if (req.flags > 1)
			return -EINVAL;
		idxd_ref_handle_mask(h, req.flags);
		return 0;
	}
	return -ENOTTY;
}

static long idxd_ref_stats_ioctl(struct idxd_ref_file *f, unsigned int cmd,
				 void __user *uarg)
{
	struct idxd_ref_dev *idev = f->idev;
	struct idxd_ref_handle_stats hs;
	struct idxd_ref_dev_stats ds;
	struct idxd_ref_info info;
	struct idxd_ref_handle *h;

	switch (cmd) {
	case IDXD_REF_IOC_INFO:
		memset(&info, 0, sizeof(info));
		info.pasid = f->pasid;
		info.max_handles = READ_ONCE(idxd_ref_max_handles);
		info.ims_size = idev->ims_size;
		info.ring_size = idev->wqs[IDXD_REF_USER_WQ].size;
		info.buf_size = IDXD_REF_BUF_SIZE;
		return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
	case IDXD_REF_IOC_HANDLE_STATS:
		if (copy_from_user(&hs, uarg, sizeof(hs)))
			return -EFAULT;
		h = xa_load(&f->handles, hs.handle);
		if (!h)
			return -ENOENT;
		hs.pending = idxd_ref_handle_pending(h);
		hs.submitted = atomic64_read(&h->submitted);
		hs.irqs = atomic64_read(&h->irqs);
		hs.errors = atomic64_read(&h->errors);
		return copy_to_user(uarg, &hs, sizeof(hs)) ? -EFAULT : 0;
	case IDXD_REF_IOC_DEV_STATS:
		memset(&ds, 0, sizeof(ds));
		ds.misc_irqs = atomic64_read(&idev->misc_irqs);
		ds.swerrs = atomic64_read(&idev->swerrs);
		spin_lock_irq(&idev->err_lock);
		ds.last_code = idev->last_code;
		ds.last_handle = idev->last_handle;
		ds.last_pasid = idev->last_pasid;
		spin_unlock_irq(&idev->err_lock);
		return copy_to_user(uarg, &ds, sizeof(ds)) ? -EFAULT : 0;
	}
	return -ENOTTY;
}

static long idxd_ref_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct idxd_ref_file *f = file->private_data;
	struct idxd_ref_dev *idev = f->idev;
	void __user *uarg = (void __user *)arg;
	long ret;

	switch (cmd) {
	case IDXD_REF_IOC_SUBMIT:
		return idxd_ref_submit(f, uarg);
	case IDXD_REF_IOC_INFO:
	case IDXD_REF_IOC_ALLOC_HANDLE:
	case IDXD_REF_IOC_FREE_HANDLE:
	case IDXD_REF_IOC_SET_EVENTFD:
	case IDXD_REF_IOC_MASK_HANDLE:
	case IDXD_REF_IOC_HANDLE_STATS:
	case IDXD_REF_IOC_DEV_STATS:
		break;
	default:
		return -ENOTTY;
	}

	mutex_lock(&idev->lock);
	if (idev->dead)
		ret = -ENODEV;
	else if (cmd == IDXD_REF_IOC_INFO || cmd == IDXD_REF_IOC_HANDLE_STATS ||
		 cmd == IDXD_REF_IOC_DEV_STATS)
		ret = idxd_ref_stats_ioctl(f, cmd, uarg);
	else
		ret = idxd_ref_handle_ioctl(f, cmd, uarg);
	mutex_unlock(&idev->lock);
	return ret;
}

static ssize_t idxd_ref_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct idxd_ref_file *f = file->private_data;
	struct idxd_ref_dev *idev = f->idev;
	u64 v;
	int ret;

	if (count < sizeof(v))
		return -EINVAL;
	for (;;) {
		if (READ_ONCE(idev->dead))
			return -ENODEV;
		v = atomic64_xchg(&f->events, 0);
		if (v)
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(f->wait,
					       atomic64_read(&f->events) ||
					       READ_ONCE(idev->dead));
		if (ret)
			return ret;
	}
	if (copy_to_user(buf, &v, sizeof(v))) {
		atomic64_add(v, &f->events);
		return -EFAULT;
	}
	return sizeof(v);
}

static __poll_t idxd_ref_poll(struct file *file, poll_table *wait)
{
	struct idxd_ref_file *f = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &f->wait, wait);
	if (READ_ONCE(f->idev->dead))
		mask |= EPOLLERR | EPOLLHUP;
	if (atomic64_read(&f->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static int idxd_ref_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct idxd_ref_file *f = file->private_data;

	if (vma->vm_pgoff ||
	    vma->vm_end - vma->vm_start > IDXD_REF_BUF_SIZE)
		return -EINVAL;
	return remap_vmalloc_range(vma, f->buf, 0);
}

static const struct file_operations idxd_ref_fops = {
	.owner		= THIS_MODULE,
	.open		= idxd_ref_open,
	.release	= idxd_ref_release,
	.unlocked_ioctl	= idxd_ref_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.read		= idxd_ref_read,
	.poll		= idxd_ref_poll,
	.mmap		= idxd_ref_mmap,
};

/**
 * idxd_ref_cdev_register - create /dev/idxd_ref<N>
 * @idev:	the device
 *
 * Return: 0 or a negative errno.
 */
int idxd_ref_cdev_register(struct idxd_ref_dev *idev)
{
	idev->miscdev.minor = MISC_DYNAMIC_MINOR;
	idev->miscdev.name = idev->name;
	idev->miscdev.fops = &idxd_ref_fops;
	idev->miscdev.parent = &idev->pdev->dev;
	idev->miscdev.mode = 0666;
	return misc_register(&idev->miscdev);
}

/**
 * idxd_ref_cdev_unregister - remove /dev/idxd_ref<N>
 * @idev:	the device
 *
 * Open files stay; they see -ENODEV once the device is dead.
 */
void idxd_ref_cdev_unregister(struct idxd_ref_dev *idev)
{
	misc_deregister(&idev->miscdev);
}

/**
 * idxd_ref_cdev_kill_files - detach every open file from a dead device
 * @idev:	the device, already marked dead and stopped
 *
 * Frees the files' interrupt handles (signalling their eventfds once) and
 * wakes readers and pollers, who then get -ENODEV / EPOLLERR.
 * Caller holds &idxd_ref_dev.lock.
 */
void idxd_ref_cdev_kill_files(struct idxd_ref_dev *idev)
{
	struct idxd_ref_file *f, *tmp;

	lockdep_assert_held(&idev->lock);
	list_for_each_entry_safe(f, tmp, &idev->files, node) {
		/* dead: frees without waiting, the lock is kept */
		idxd_ref_file_free_handles(f);
		list_del_init(&f->node);
		wake_up_all(&f->wait);
	}
}

/**
 * idxd_ref_cdev_exit - module exit cleanup of the char device part
 */
void idxd_ref_cdev_exit(void)
{
	ida_destroy(&idxd_ref_pasid_ida);
	/* every file is closed: every user's count went back to 0 */
	WARN_ON(!xa_empty(&idxd_ref_users));
	xa_destroy(&idxd_ref_users);
}
