/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ims_core internals shared by the domain core, the storage templates and
 * debugfs. Nothing here is visible to drivers.
 *
 * Locking, outermost first:
 *   ims_domain.lock	allocation, free, PASID updates of one domain;
 *			its lockdep class is the domain's own
 *   ims_queue_state.sync_lock
 *			the queue template's irq bus lock: one push at a
 *			time to the device; taken by the irq core around
 *			request_irq(), free_irq(), disable_irq() and co.
 *   irq_desc.lock	held by the irq core around every chip callback
 *   ims_slot.lock	the slot's storage state, shared by the chip
 *			callbacks and ims_set_pasid(); raw, atomic context
 */
#ifndef _IMS_INTERNAL_H
#define _IMS_INTERNAL_H

#include <linux/device.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/jump_label.h>
#include <linux/lockdep.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <ims/ims.h>

struct dentry;
struct seq_file;
struct ims_slot;

/*
 * A batch takes its remapping entries in blocks of up to this many
 * interrupts under VT-d; 32 is the multi-MSI maximum.
 */
#define IMS_BLOCK_MAX	32

/**
 * struct ims_template - what a storage template adds to the common core
 * @name:	upper case name, part of the domain and chip name
 * @check:	validate the driver's template parameters at domain creation
 * @init:	take the template's parameters over into the domain (copies,
 *		so that the driver's description need not outlive the call)
 * @pasid_width: width of the PASID the storage holds, 0 if it has none
 * @cookie_pasid: the PASID an instance cookie asks for, or NULL if the
 *		template's cookie carries none
 * @setup:	bring a freshly allocated slot into a defined, masked state
 *		with its PASID and @msg. Atomic context: runs under the irq
 *		core's domain mutex, so it only touches storage or shadow.
 * @teardown:	leave a slot masked, zeroed, without PASID. Atomic context.
 * @release:	the slot's bookkeeping goes away; NULL if nothing to do
 * @write_msg:	store a new message. Atomic context, slot lock held.
 * @set_masked:	mask or unmask the slot. Atomic context, slot lock held.
 * @set_pasid:	store a new PASID (or %IMS_PASID_NONE). Atomic context, slot
 *		lock held, slot masked by the caller.
 * @flush:	push the slot's state to the device; sleepable. NULL when the
 *		template writes the device from the callbacks above.
 * @bus_lock:		irq_chip bus lock, or NULL.
 * @bus_sync_unlock:	irq_chip bus sync unlock, or NULL.
 * @show:	print the template's view of a slot to debugfs
 * @show_info:	print the template's parameters to debugfs, or NULL
 */
struct ims_template {
	const char	*name;
	int		(*check)(struct pci_dev *pdev,
				 const struct ims_domain_info *info);
	void		(*init)(struct ims_domain *domain);
	unsigned int	(*pasid_width)(const struct ims_domain *domain);
	u32		(*cookie_pasid)(const union ims_instance_cookie *cookie);
	void		(*setup)(struct ims_slot *slot, const struct msi_msg *msg);
	void		(*teardown)(struct ims_slot *slot);
	void		(*release)(struct ims_slot *slot);
	void		(*write_msg)(struct ims_slot *slot,
				     const struct msi_msg *msg);
	void		(*set_masked)(struct ims_slot *slot, bool masked);
	void		(*set_pasid)(struct ims_slot *slot, u32 pasid);
	int		(*flush)(struct ims_slot *slot);
	void		(*bus_lock)(struct irq_data *irqd);
	void		(*bus_sync_unlock)(struct irq_data *irqd);
	void		(*show)(struct seq_file *m, struct ims_slot *slot);
	void		(*show_info)(struct seq_file *m,
				     const struct ims_domain *domain);
};

extern const struct ims_template ims_array_template;
extern const struct ims_template ims_queue_template;

/**
 * struct ims_queue_state - queue template state of one slot
 * @shadow:	what the device should hold
 * @pushed:	what the device holds after the last successful push
 * @synced:	@pushed is valid; false before the first push and after a
 *		failed one, when the device's state is unknown
 * @sync_lock:	the irq bus lock; serializes pushes to the device
 * @sync_errors: number of failed pushes
 * @last_error:	errno of the last failed push, 0 once a push succeeded
 *
 * @shadow, @pushed and @synced are under the slot lock.
 */
struct ims_queue_state {
	struct ims_queue_msg	shadow;
	struct ims_queue_msg	pushed;
	bool			synced;
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
 * @lock:	serializes the storage state below between the chip
 *		callbacks and ims_set_pasid()
 * @pasid:	PASID the slot checks, or %IMS_PASID_NONE
 * @masked:	mask state told to the storage (array: the chip's mask; queue:
 *		disabled, see ims_chip.c)
 * @live:	the driver holds the interrupt; lookups and frees only see
 *		live slots
 * @in_block:	shares a VT-d remapping block with others of its batch
 * @block_pos:	position in that block: the first slot's irq is
 *		@virq - @block_pos
 * @msg:	the message last written to the slot
 * @block_users: on a block's first slot: other members still allocated.
 *		VT-d releases the whole block with its first interrupt, so
 *		that one is disposed of last.
 * @spare:	kept for reuse (%IMS_DOMAIN_SPARES): masked and zeroed, not
 *		the driver's, its irq and remapping entry still allocated
 * @block_nr:	on a block's first slot: number of slots in the block
 * @block_spares: on a block's first slot (%IMS_DOMAIN_SPARES): spares in
 *		the block; all of them means the block is idle
 * @rcu:	lookups run under RCU; the slot is freed after a grace period
 * @sysfs_attr:	its file in the domain's irqs/ directory while live
 * @sysfs_name:	that file's name: @virq in decimal
 * @ctrl:	array template: shadow of the entry's control word
 * @queue:	queue template state
 */
struct ims_slot {
	struct ims_domain		*domain;
	unsigned int			index;
	unsigned int			virq;
	union ims_instance_cookie	cookie;
	raw_spinlock_t			lock;
	u32				pasid;
	bool				masked;
	bool				live;
	bool				in_block;
	u8				block_pos;
	struct msi_msg			msg;
	unsigned int			block_users;
	bool				spare;
	u8				block_nr;
	u8				block_spares;
	struct rcu_head			rcu;
	struct device_attribute		sysfs_attr;
	char				sysfs_name[11];
	union {
		u32			ctrl;
		struct ims_queue_state	queue;
	};
};

/**
 * enum ims_parent_kind - what an IMS domain stacks on
 * @IMS_PARENT_VTD:	Intel VT-d interrupt remapping
 * @IMS_PARENT_AMDVI:	AMD-Vi interrupt remapping
 * @IMS_PARENT_VECTOR:	the x86 vector domain: no remapping ("direct")
 * @IMS_PARENT_OTHER:	anything else (VMD, Hyper-V, GICv2m, ...): refused
 * @IMS_PARENT_ITS:	the arm64 GICv3 ITS: translation by DeviceID
 */
enum ims_parent_kind {
	IMS_PARENT_VTD,
	IMS_PARENT_AMDVI,
	IMS_PARENT_VECTOR,
	IMS_PARENT_OTHER,
	IMS_PARENT_ITS,
};

#ifdef CONFIG_X86
/* The x86 parents keep nothing per child domain. */
struct ims_parent_data { };
#else
/**
 * struct ims_parent_data - what the GICv3 ITS needs of a child domain
 * @info:	the domain as the ITS's PCI prepare sees it: it reads its
 *		child's host data as an msi_domain_info, whose hwsize sizes
 *		the device's table
 * @ops:	receives the ITS's PCI prepare
 * @its_dev:	the ITS's device of the DeviceID, from the prepare; shared,
 *		so the ITS keeps it until reboot (ims_its.c)
 * @full_told:	the log says already that the device's table is full
 */
struct ims_parent_data {
	struct msi_domain_info		info;
	struct msi_domain_ops		ops;
	void				*its_dev;
	bool				full_told;
};
#endif

/**
 * struct ims_domain - one IMS storage instance of a PCI device
 * @parent_data: what the parent keeps per child domain; first, as the irq
 *		domain's host data is the domain and the ITS reads it
 * @pdev:	the device, referenced; its requester id is the remapping
 *		source id
 * @info:	the driver's description, copied at creation; its pointers
 *		point to the copies below
 * @layout:	array template: copy of the entry layout
 * @ops:	queue template: copy of the driver's callbacks
 * @tmpl:	the storage template
 * @irqdom:	the irq domain, child of @parent
 * @parent:	the remapping domain, or the vector domain (direct mode)
 * @kind:	what @parent is
 * @block_max:	largest remapping block one batch allocation takes
 * @pasid_width: width of the PASID field of the storage, 0 if none
 * @used:	slots the driver holds
 * @held:	slots not the driver's but still allocated: first slots of
 *		VT-d blocks whose other members are allocated
 * @spare:	spare slots (%IMS_DOMAIN_SPARES), marked %IMS_SLOT_SPARE
 * @idle_block:	first slot of the one idle block kept for the next single
 *		allocation, or NULL
 * @blocks_refused: the remapping unit refused a block to a single
 *		allocation, or gave one that ends its table: take single
 *		entries until a block is released
 * @retired:	destroyed while interrupts were still requested; leaked
 * @chip:	the irq chip of this domain
 * @desc:	msi descriptor handed to the parent so that it derives the
 *		IRTE source id from @pdev. Owned by ims_core, never a driver's.
 * @slots:	allocated slots by index; the free-index allocator
 * @lock:	serializes allocation, free and PASID updates
 * @lock_key:	lockdep class of @lock
 * @sync_key:	lockdep class of the queue slots' bus locks
 * @sysfs:	this domain's device of class "ims" (ims_sysfs.c)
 * @debugfs:	this domain's debugfs directory
 * @node:	entry in the list of IMS domains, or of retired ones
 * @name:	the domain name, e.g. IMS-ARRAY-0000:00:14.0, unique among
 *		the domains that are not retired
 *
 * A driver may allocate on one domain from another domain's sync()
 * callback: each domain's locks form lockdep classes of their own.
 */
struct ims_domain {
	struct ims_parent_data		parent_data;
	struct pci_dev			*pdev;
	struct ims_domain_info		info;
	union {
		struct ims_array_layout	layout;
		struct ims_queue_ops	ops;
	};
	const struct ims_template	*tmpl;
	struct irq_domain		*irqdom;
	struct irq_domain		*parent;
	enum ims_parent_kind		kind;
	unsigned int			block_max;
	unsigned int			pasid_width;
	unsigned int			used;
	unsigned int			held;
	unsigned int			spare;
	struct ims_slot			*idle_block;
	bool				blocks_refused;
	bool				retired;
	struct irq_chip			chip;
	struct msi_desc			desc;
	struct xarray			slots;
	struct mutex			lock;	/* alloc, free, PASID */
	struct lock_class_key		lock_key;
	struct lock_class_key		sync_key;
	struct device			*sysfs;
	struct dentry			*debugfs;
	struct list_head		node;
	char				*name;
};

/*
 * ims_core's exports, in namespace IMS_NS_NAME. Up to v6.12 the export
 * macro stringifies a bare token; since v6.13 it takes the string (Kbuild
 * probes the header).
 */
#ifdef IMS_HAVE_NS_TOKEN
#define EXPORT_SYMBOL_IMS(sym)		EXPORT_SYMBOL_NS_GPL(sym, IMS)
#else
#define EXPORT_SYMBOL_IMS(sym)		EXPORT_SYMBOL_NS_GPL(sym, IMS_NS_NAME)
#endif

static inline struct ims_slot *ims_irqd_slot(struct irq_data *irqd)
{
	return irq_data_get_irq_chip_data(irqd);
}

/* Spare slots carry this mark in &ims_domain.slots. */
#define IMS_SLOT_SPARE	XA_MARK_1

/* Whether freed members of @domain's remapping blocks become spares. */
static inline bool ims_spares_on(const struct ims_domain *domain)
{
	return (domain->info.flags & IMS_DOMAIN_SPARES) && domain->block_max > 1;
}

/* ims_chip.c */
void ims_chip_init(struct ims_domain *domain);
void ims_compose_msg(struct irq_data *irqd, struct msi_msg *msg);
void ims_slot_write_msg(struct ims_slot *slot, const struct msi_msg *msg);
int ims_domain_activate(struct irq_domain *irqdom, struct irq_data *irqd,
			bool reserve);
void ims_domain_deactivate(struct irq_domain *irqdom, struct irq_data *irqd);

/**
 * struct ims_alloc_arg - allocation request passed through the irq core
 * @first:	lowest acceptable slot index
 * @last:	highest acceptable slot index
 * @exact:	the driver asked for one given index
 * @cookies:	one cookie per interrupt, or NULL
 * @nr_cookies:	number of @cookies; the interrupts past them get none
 * @maps:	receives the slot index of each interrupt
 * @parent_failed: set when the parent domain refused its part
 */
struct ims_alloc_arg {
	unsigned int			first;
	unsigned int			last;
	bool				exact;
	const union ims_instance_cookie	*cookies;
	unsigned int			nr_cookies;
	struct ims_map			*maps;
	bool				parent_failed;
};

static inline const union ims_instance_cookie *
ims_arg_cookie(const struct ims_alloc_arg *arg, unsigned int nr)
{
	return arg->cookies && nr < arg->nr_cookies ? &arg->cookies[nr] : NULL;
}

/* ims_alloc.c */
int ims_domain_alloc(struct irq_domain *irqdom, unsigned int virq,
		     unsigned int nr_irqs, void *data);
void ims_domain_free(struct irq_domain *irqdom, unsigned int virq,
		     unsigned int nr_irqs);
bool ims_pasid_ok(const struct ims_domain *domain, u32 pasid);
void ims_slot_set_cookie(struct ims_domain *domain, struct ims_slot *slot,
			 const union ims_instance_cookie *cookie);
void ims_slot_setup(struct ims_domain *domain, struct ims_slot *slot);
struct ims_slot *ims_virq_slot(struct ims_domain *domain, unsigned int virq);
struct ims_slot *ims_virq_slot_any(struct ims_domain *domain,
				   unsigned int virq);
struct ims_slot *ims_block_head(struct ims_domain *domain,
				struct ims_slot *slot);
unsigned int ims_free_all_locked(struct ims_domain *domain, int *err);

/* ims_spare.c */
int ims_alloc_spared(struct ims_domain *domain, struct ims_alloc_arg *arg);
struct ims_slot *ims_spare_find(struct ims_domain *domain, unsigned int first,
				unsigned int last);
void ims_spare_add(struct ims_domain *domain, struct ims_slot *slot,
		   struct ims_slot *head);
void ims_spare_take(struct ims_domain *domain, struct ims_slot *slot);
void ims_release_spares_locked(struct ims_domain *domain);

/**
 * enum ims_fault_id - fault injection points, see ims_fault.c
 * @IMS_FAULT_DOMAIN:	creating the irq domain
 * @IMS_FAULT_SLOT:	reserving a slot index
 * @IMS_FAULT_BOOKKEEPING: allocating a slot's bookkeeping
 * @IMS_FAULT_PARENT:	allocating the parent (IRTE) levels
 * @IMS_FAULT_ACTIVATE:	activating the interrupt at request_irq()
 * @IMS_FAULT_PASID:	updating the PASID of a live interrupt
 * @IMS_FAULT_QUEUE_SYNC: the queue template's push to the device
 * @IMS_FAULT_SYSFS_DOMAIN: the domain's sysfs device
 * @IMS_FAULT_SYSFS_IRQ: an interrupt's file in the domain's irqs/
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
	IMS_FAULT_SYSFS_DOMAIN,
	IMS_FAULT_SYSFS_IRQ,
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

int ims_sysfs_init(void);
void ims_sysfs_exit(void);
int ims_sysfs_add(struct ims_domain *domain);
void ims_sysfs_remove(struct ims_domain *domain);
int ims_sysfs_add_irq(struct ims_slot *slot);
void ims_sysfs_remove_irq(struct ims_slot *slot);

void ims_debugfs_init(void);
void ims_debugfs_exit(void);
void ims_debugfs_add(struct ims_domain *domain);
void ims_debugfs_remove(struct ims_domain *domain);

/* ims_domain.c: the retired domains, for debugfs */
extern struct list_head ims_retired;
extern struct mutex ims_domains_lock;

#endif /* _IMS_INTERNAL_H */
