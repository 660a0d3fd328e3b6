/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ims_core internals shared by the domain core, the storage templates and
 * debugfs. Nothing here is visible to drivers.
 */
#ifndef _IMS_INTERNAL_H
#define _IMS_INTERNAL_H

#include <linux/irq.h>
#include <linux/jump_label.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <ims/ims.h>

struct dentry;
struct seq_file;
struct ims_slot;

/**
 * struct ims_template - what a storage template adds to the common core
 * @name:	upper case name, part of the domain and chip name
 * @check:	validate the driver's template parameters at domain creation
 * @pasid_max:	largest PASID the storage described by @info can hold, 0 if
 *		it has no PASID field (then only %IMS_PASID_NONE is valid)
 * @cookie_pasid: the PASID an instance cookie asks for, or NULL if the
 *		template's cookie carries none
 * @setup:	bring a freshly allocated slot into a defined, masked state
 *		with the cookie's PASID. Sleepable; may fail.
 * @teardown:	leave a freed slot masked and zeroed. Sleepable.
 * @write_msg:	store a new message. Atomic context, desc lock held.
 * @set_masked:	mask or unmask the slot. Atomic context, desc lock held.
 * @set_pasid:	store a new PASID (or %IMS_PASID_NONE). Atomic context, desc
 *		lock held, slot masked by the caller.
 * @flush:	push shadow state to the device after @write_msg,
 *		@set_masked or @set_pasid. Sleepable; NULL when the template
 *		writes the device directly.
 * @bus_lock:		irq_chip bus lock, or NULL.
 * @bus_sync_unlock:	irq_chip bus sync unlock, or NULL.
 * @show:	print the template's view of a slot to debugfs
 */
struct ims_template {
	const char	*name;
	int		(*check)(struct pci_dev *pdev,
				 const struct ims_domain_info *info);
	u32		(*pasid_max)(const struct ims_domain_info *info);
	u32		(*cookie_pasid)(const struct ims_slot *slot);
	int		(*setup)(struct ims_slot *slot, const struct msi_msg *msg);
	void		(*teardown)(struct ims_slot *slot);
	void		(*write_msg)(struct ims_slot *slot,
				     const struct msi_msg *msg);
	void		(*set_masked)(struct ims_slot *slot, bool masked);
	void		(*set_pasid)(struct ims_slot *slot, u32 pasid);
	int		(*flush)(struct ims_slot *slot);
	void		(*bus_lock)(struct irq_data *irqd);
	void		(*bus_sync_unlock)(struct irq_data *irqd);
	void		(*show)(struct seq_file *m, struct ims_slot *slot);
};

extern const struct ims_template ims_array_template;
extern const struct ims_template ims_queue_template;

/**
 * struct ims_queue_state - queue template state of one slot
 * @shadow:	what the device should hold
 * @lock:	protects @shadow and @dirty against the chip callbacks
 * @dirty:	@shadow has changes the device has not acknowledged
 * @sync_lock:	the irq bus lock; serializes pushes to the device
 * @sync_errors: number of failed pushes
 * @last_error:	errno of the last failed push, 0 once a push succeeded
 */
struct ims_queue_state {
	struct ims_queue_msg	shadow;
	raw_spinlock_t		lock;
	bool			dirty;
	struct mutex		sync_lock;	/* the irq bus lock */
	unsigned int		sync_errors;
	int			last_error;
};

/**
 * struct ims_slot - one allocated IMS interrupt, the chip data of its irq
 * @domain:	owning domain
 * @index:	hardware slot index
 * @virq:	Linux interrupt number
 * @cookie:	the driver's instance cookie
 * @pasid:	PASID the slot checks, or %IMS_PASID_NONE
 * @masked:	the chip's mask state
 * @held:	freed by the driver but kept, with its slot index, because it
 *		is the first of a block whose other members are still held
 * @in_block:	shares a remapping block with others of its batch
 * @block_pos:	position in that block: the first slot's irq is
 *		@virq - @block_pos
 * @msg:	the message last written to the slot
 * @block_users: on a block's first slot: members the driver still holds
 * @pasid_req:	the ims_set_pasid() request in flight, see ims_chip_set_vcpu()
 * @ctrl:	array template: shadow of the entry's control word
 * @queue:	queue template state
 */
struct ims_slot {
	struct ims_domain		*domain;
	unsigned int			index;
	unsigned int			virq;
	union ims_instance_cookie	cookie;
	u32				pasid;
	bool				masked;
	bool				held;
	bool				in_block;
	u8				block_pos;
	struct msi_msg			msg;
	unsigned int			block_users;
	const void			*pasid_req;
	union {
		u32			ctrl;
		struct ims_queue_state	queue;
	};
};

/**
 * struct ims_domain - one IMS storage instance of a PCI device
 * @pdev:	the device; its requester id is the remapping source id
 * @info:	the driver's description, copied at creation
 * @tmpl:	the storage template
 * @irqdom:	the irq domain, child of @parent
 * @parent:	the remapping domain, or the vector domain (direct mode)
 * @direct:	stacked on the vector domain: messages change on affinity moves
 * @pasid_max:	largest PASID the slots hold, see &ims_template.pasid_max
 * @used:	number of slots the driver holds
 * @held:	number of freed slots kept for their block, see &ims_slot.held
 * @chip:	the irq chip of this domain
 * @desc:	msi descriptor handed to the parent so that it derives the
 *		IRTE source id from @pdev. Owned by ims_core, never a driver's.
 * @slots:	allocated slots by index; the free-index allocator
 * @lock:	serializes allocation, free and PASID updates
 * @debugfs:	this domain's debugfs directory
 * @node:	entry in the list of all IMS domains
 * @name:	the domain name, e.g. IMS-ARRAY-0000:00:14.0, unique
 */
struct ims_domain {
	struct pci_dev			*pdev;
	struct ims_domain_info		info;
	const struct ims_template	*tmpl;
	struct irq_domain		*irqdom;
	struct irq_domain		*parent;
	bool				direct;
	u32				pasid_max;
	unsigned int			used;
	unsigned int			held;
	struct irq_chip			chip;
	struct msi_desc			desc;
	struct xarray			slots;
	struct mutex			lock;	/* alloc, free, PASID */
	struct dentry			*debugfs;
	struct list_head		node;
	char				*name;
};

static inline struct ims_slot *ims_irqd_slot(struct irq_data *irqd)
{
	return irq_data_get_irq_chip_data(irqd);
}

void ims_compose_msg(struct irq_data *irqd, struct msi_msg *msg);

/**
 * enum ims_fault_id - fault injection points, see ims_fault.c
 * @IMS_FAULT_DOMAIN:	creating the irq domain
 * @IMS_FAULT_SLOT:	reserving a slot index
 * @IMS_FAULT_BOOKKEEPING: allocating a slot's bookkeeping
 * @IMS_FAULT_PARENT:	allocating the parent (IRTE) levels
 * @IMS_FAULT_ACTIVATE:	activating the interrupt at request_irq()
 * @IMS_FAULT_PASID:	updating the PASID in the irq chip
 * @IMS_FAULT_QUEUE_SYNC: the queue template's push to the device
 * @IMS_FAULT_NR:	number of points
 */
enum ims_fault_id {
	IMS_FAULT_DOMAIN,
	IMS_FAULT_SLOT,
	IMS_FAULT_BOOKKEEPING,
	IMS_FAULT_PARENT,
	IMS_FAULT_ACTIVATE,
	IMS_FAULT_PASID,
	IMS_FAULT_QUEUE_SYNC,
	IMS_FAULT_NR
};

DECLARE_STATIC_KEY_FALSE(ims_fault_key);
int __ims_fault(enum ims_fault_id id);

/* The errno the step @id must fail with now, or 0; free when disarmed. */
static __always_inline int ims_fault(enum ims_fault_id id)
{
	if (static_branch_unlikely(&ims_fault_key))
		return __ims_fault(id);
	return 0;
}

void ims_fault_init(struct dentry *dir);
void ims_fault_exit(void);

void ims_debugfs_init(void);
void ims_debugfs_exit(void);
void ims_debugfs_add(struct ims_domain *domain);
void ims_debugfs_remove(struct ims_domain *domain);

#endif /* _IMS_INTERNAL_H */
