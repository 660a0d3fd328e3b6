/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * idxd_ref - driver private definitions.
 */
#ifndef _IDXD_REF_H
#define _IDXD_REF_H

#include <linux/atomic.h>
#include <linux/eventfd.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/sizes.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <ims/ims.h>

#include "idxd_ref_hw.h"

struct dentry;
struct eventfd_ctx;
struct idxd_ref_dev;
struct idxd_ref_engine;
struct idxd_ref_file;
struct idxd_ref_stress;
struct pci_dev;

/* Kernel clients' WQ (dedicated, no PASID) and user clients' (shared). */
#define IDXD_REF_KERNEL_WQ	0
#define IDXD_REF_USER_WQ	1

/* The kernel WQ's address space: data at 0, completion records above. */
#define IDXD_REF_KBUF_SIZE	SZ_64K
#define IDXD_REF_KBUF_COMP	SZ_32K
#define IDXD_REF_SELFTEST_MAX	32
#define IDXD_REF_SELFTEST_LEN	512

/* How long freeing a handle or closing a file waits for the device. */
#define IDXD_REF_DRAIN_MS	30000

/*
 * Default device-wide limit of the open files' handles, per online CPU.
 * Each handle is a requested interrupt, which takes one of the about 200
 * vectors a CPU has for devices: the rest stays for the other drivers.
 */
#define IDXD_REF_DEV_IRQS_PER_CPU	32

/**
 * struct idxd_ref_wq - a work queue
 * @idev:	the device
 * @id:		WQ index
 * @cfg:	its configuration registers
 * @ring:	its descriptor ring
 * @size:	ring entries
 * @shared:	descriptors carry the submitter's PASID
 * @enabled:	enabled on the device
 * @lock:	serializes submissions
 * @tail:	next free ring entry
 * @seq:	descriptors written since the WQ was enabled, offset so that
 *		descriptor number @seq is done once the DONE register reaches it
 * @done0:	the DONE register when the WQ was enabled
 * @submitted:	descriptors submitted
 * @errors:	software errors the device reported for this WQ
 * @irqs:	completion interrupts on the handles of this WQ's clients
 * @handle:	kernel WQ: the interrupt handle of its completions
 */
struct idxd_ref_wq {
	struct idxd_ref_dev	*idev;
	unsigned int		id;
	void __iomem		*cfg;
	void __iomem		*ring;
	u32			size;
	bool			shared;
	bool			enabled;
	spinlock_t		lock;		/* ring tail */
	u32			tail;
	u32			seq;
	u32			done0;
	atomic64_t		submitted;
	atomic64_t		errors;
	atomic64_t		irqs;
	struct idxd_ref_handle	*handle;
};

/**
 * struct idxd_ref_handle - an interrupt handle: one IMS interrupt
 * @idev:	the device
 * @owner:	the open file holding it, NULL for the kernel WQ's
 * @wq:		the WQ its owner submits to
 * @map:	IMS index (the handle) and Linux irq
 * @pasid:	PASID the IMS entry checks, or %IMS_PASID_NONE
 * @masked:	masked by its owner
 * @last_seq:	WQ sequence number of the last descriptor naming it
 * @last_wq:	and its WQ, NULL if none
 * @lock:	protects @trigger
 * @trigger:	eventfd signalled on each interrupt, or NULL
 * @submitted:	descriptors submitted naming it
 * @irqs:	completion interrupts received
 * @errors:	invalid handle errors the device reported naming it
 * @rcu:	the misc interrupt looks handles up under RCU
 * @name:	irq action name
 */
struct idxd_ref_handle {
	struct idxd_ref_dev	*idev;
	struct idxd_ref_file	*owner;
	struct idxd_ref_wq	*wq;
	struct ims_map		map;
	u32			pasid;
	bool			masked;
	u32			last_seq;
	struct idxd_ref_wq	*last_wq;
	spinlock_t		lock;		/* @trigger */
	struct eventfd_ctx	*trigger;
	atomic64_t		submitted;
	atomic64_t		irqs;
	atomic64_t		errors;
	struct rcu_head		rcu;
	char			name[32];
};

/**
 * struct idxd_ref_file - an open /dev/idxd_ref<N>
 * @idev:	the device (a reference is held)
 * @node:	in &idxd_ref_dev.files
 * @uid:	the opener's real uid, charged for the file's handles
 * @pasid:	the file's PASID
 * @buf:	its address space, IDXD_REF_BUF_SIZE bytes, mmap()able
 * @handles:	its interrupt handles by IMS index
 * @nr_handles:	handles it holds, counting those taken out of @handles
 *		and not freed yet
 * @submitted:	any descriptor submitted
 * @last_seq:	user WQ sequence number of the last one
 * @events:	completion interrupts not yet read()
 * @wait:	read() and poll() sleep here
 */
struct idxd_ref_file {
	struct idxd_ref_dev	*idev;
	struct list_head	node;
	kuid_t			uid;
	u32			pasid;
	void			*buf;
	struct xarray		handles;
	unsigned int		nr_handles;
	bool			submitted;
	u32			last_seq;
	atomic64_t		events;
	wait_queue_head_t	wait;
};

/**
 * struct idxd_ref_dev - one card
 * @pdev:	function 0 (edu): bus master, requester id, misc MSI
 * @mem_pdev:	function 1 (ivshmem): register/memory space
 * @regs:	edu BAR0
 * @mem:	register/memory space
 * @eng:	the silicon model
 * @ims:	IMS domain of the IMS array
 * @ims_size:	IMS entries
 * @misc_irq:	Linux irq of the misc interrupt
 * @intx_irq:	Linux irqs the PCI core mapped for the INTx pins of
 *		functions 0 and 1 when the driver enabled them (0: none);
 *		never requested, the driver uses MSI and IMS
 * @ref:	held by the driver binding and by every open file
 * @lock:	serializes control: @dead, @files, handles, commands
 * @dead:	removed; every file operation fails with -ENODEV
 * @files:	open files
 * @user_irqs:	interrupt handles the open files hold (requested irqs)
 * @waiters:	threads waiting for the device with @lock dropped
 * @waiters_wq:	remove waits here until @waiters is 0
 * @handles:	all interrupt handles by IMS index (RCU readers)
 * @wqs:	work queues
 * @kbuf:	kernel WQ address space
 * @kwait:	kernel WQ completion interrupts wake it
 * @selftest_lock: serializes self-tests
 * @selftest_result: outcome of the last self-test
 * @stress_lock: serializes starting and reading stress runs
 * @stress:	the last stress run of the kernel WQ, or NULL
 * @err_lock:	protects the last_* fields
 * @misc_irqs:	misc interrupts received
 * @swerrs:	software errors read from SWERR
 * @last_code:	code of the last one
 * @last_handle: handle it named
 * @last_pasid:	its PASID (bit 31: valid)
 * @id:		instance number, the N of /dev/idxd_ref<N>
 * @name:	"idxd_ref<N>"
 * @misc_name:	misc irq action name
 * @miscdev:	the char device
 * @dbg:	debugfs directory
 */
struct idxd_ref_dev {
	struct pci_dev		*pdev;
	struct pci_dev		*mem_pdev;
	void __iomem		*regs;
	void __iomem		*mem;
	struct idxd_ref_engine	*eng;
	struct ims_domain	*ims;
	unsigned int		ims_size;
	int			misc_irq;
	int			intx_irq[2];
	struct kref		ref;
	struct mutex		lock;		/* control path */
	bool			dead;
	struct list_head	files;
	unsigned int		user_irqs;
	unsigned int		waiters;
	wait_queue_head_t	waiters_wq;
	struct xarray		handles;
	struct idxd_ref_wq	wqs[IDXD_REF_HW_WQS];
	void			*kbuf;
	wait_queue_head_t	kwait;
	struct mutex		selftest_lock;	/* one self-test at a time */
	char			selftest_result[128];
	struct mutex		stress_lock;	/* @stress */
	struct idxd_ref_stress	*stress;
	spinlock_t		err_lock;	/* last_* */
	atomic64_t		misc_irqs;
	atomic64_t		swerrs;
	u32			last_code;
	u32			last_handle;
	u32			last_pasid;
	int			id;
	char			name[24];
	char			misc_name[32];
	struct miscdevice	miscdev;
	struct dentry		*dbg;
};

/*
 * eventfd_signal() lost its count argument (6.8), in the same series that
 * moved the EFD_* flags to <uapi/linux/eventfd.h>: probe for that header.
 */
#ifdef _UAPI_LINUX_EVENTFD_H
#define idxd_ref_eventfd_signal(ctx)	eventfd_signal(ctx)
#else
#define idxd_ref_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

/* idxd_ref_drv.c */
extern unsigned int idxd_ref_max_handles;
extern unsigned int idxd_ref_max_user_irqs;
extern unsigned int idxd_ref_max_dev_irqs;
extern bool idxd_ref_trust_device_pasid;
void idxd_ref_dev_put(struct idxd_ref_dev *idev);
int idxd_ref_wq_submit(struct idxd_ref_wq *wq,
		       const struct idxd_ref_hw_desc *desc, u32 *seq);
int idxd_ref_wq_wait_done(struct idxd_ref_wq *wq, u32 seq,
			  unsigned int timeout_ms);
void idxd_ref_wq_wait_unlocked(struct idxd_ref_wq *wq, u32 seq);
bool idxd_ref_handle_pending(struct idxd_ref_handle *h);
int idxd_ref_cmd(struct idxd_ref_dev *idev, u32 op, u32 operand);

/* idxd_ref_irq.c */
int idxd_ref_misc_irq_setup(struct idxd_ref_dev *idev);
void idxd_ref_misc_irq_teardown(struct idxd_ref_dev *idev);
struct idxd_ref_handle *idxd_ref_handle_alloc(struct idxd_ref_dev *idev,
					      struct idxd_ref_file *owner,
					      u32 pasid, const char *name);
void idxd_ref_handle_free(struct idxd_ref_handle *h);
int idxd_ref_handle_set_trigger(struct idxd_ref_handle *h, int fd);
void idxd_ref_handle_mask(struct idxd_ref_handle *h, bool mask);

/* idxd_ref_stress.c */
extern const struct file_operations idxd_ref_selftest_fops;
extern const struct file_operations idxd_ref_stress_fops;
void idxd_ref_stress_stop(struct idxd_ref_dev *idev);

/* idxd_ref_cdev.c */
int idxd_ref_cdev_register(struct idxd_ref_dev *idev);
void idxd_ref_cdev_unregister(struct idxd_ref_dev *idev);
void idxd_ref_cdev_kill_files(struct idxd_ref_dev *idev);
unsigned int idxd_ref_dev_irq_limit(void);
void idxd_ref_cdev_exit(void);

#endif /* _IDXD_REF_H */
