/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ims - Interrupt Message Store support for stock Linux kernels.
 *
 * An IMS interrupt is an MSI: the device raises it by writing msg.data to
 * msg.address. Only where the message is stored is device specific. ims_core
 * builds one irq domain per storage instance of a PCI device, stacked on the
 * device's interrupt remapping domain, with two generic storage templates:
 *
 *  - array: a table of fixed size entries in device MMIO (Intel DSA style);
 *  - queue: the message lives in per-queue context which the driver pushes
 *    to the device from sleepable context.
 *
 * Drivers allocate interrupts by hardware slot index and get an
 * &struct ims_map back. Per interrupt data (a PASID, a queue context) is
 * handed in as an &union ims_instance_cookie and programmed by the irq chip.
 *
 * Masking. Array interrupts mask like PCI/MSI-X: the chip writes the entry
 * at once from any context, and disable_irq() is lazy: the slot is masked
 * when the next interrupt arrives, which the core then replays at
 * enable_irq(). A driver whose device must see the mask at once (to keep
 * its own pending state) sets IRQ_DISABLE_UNLAZY with irq_set_status_flags()
 * before every request_irq(): free_irq() clears it. Queue interrupts tell
 * the device whether they are disabled: disable_irq() masks the device's
 * context at once, whatever IRQ_DISABLE_UNLAZY says; the flow handler's
 * short masks while a handler runs never reach the device (an edge needs
 * none: the core replays it).
 *
 * Calling context of the irq calls on an IMS interrupt:
 *
 *	call					array		queue
 *	request_irq(), free_irq(), disable_irq()	may sleep	may sleep
 *	disable_irq_nosync(), enable_irq()		any		may sleep
 *	irq_set_irq_wake()				any		may sleep
 *	irq_set_affinity()				any		any
 *	ims_irq_index(), ims_index_virq()		any		any
 *	the other ims_*() calls				may sleep	may sleep
 *
 * The queue template is a slow-bus irq chip: every call that takes the irq
 * bus lock takes a mutex and may run the driver's sync() callback.
 */
#ifndef _IMS_IMS_H
#define _IMS_IMS_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/module.h>

struct pci_dev;
struct irq_affinity_desc;
struct ims_domain;

/*
 * Every ims_core export is in the symbol namespace "IMS": a module that
 * uses them writes IMS_IMPORT_NS(); once. It is what MODULE_IMPORT_NS()
 * comes down to on every kernel, while the argument MODULE_IMPORT_NS()
 * takes changed in v6.13 from a bare token to a string literal.
 */
#define IMS_NS_NAME		"IMS"
#define IMS_IMPORT_NS()		MODULE_INFO(import_ns, IMS_NS_NAME)

/** IMS_INDEX_ANY - ims_alloc_irq() index meaning "any free slot" */
#define IMS_INDEX_ANY		UINT_MAX

/** IMS_PASID_NONE - no PASID: the slot's PASID enable bit is cleared */
#define IMS_PASID_NONE		UINT_MAX

/* Longest instance name of a domain, see &struct ims_domain_info. */
#define IMS_NAME_MAX		32

/* Largest number of slots one IMS domain can manage. */
#define IMS_MAX_SLOTS		65536U

/**
 * union ims_instance_cookie - implementation defined per interrupt data
 * @value:	a scalar; the array template reads a PASID from it, see
 *		ims_pasid_cookie(). A PASID that does not fit the entry's
 *		PASID field (or an entry without one) fails the allocation
 *		with -EINVAL: it is never silently dropped.
 * @ptr:	a pointer; the queue template hands it back to the driver's
 *		&ims_queue_ops.sync callback as the queue context
 *
 * The cookie is stored with the interrupt at allocation. ims_core never
 * dereferences @ptr.
 */
union ims_instance_cookie {
	u64	value;
	void	*ptr;
};

#define IMS_COOKIE_PASID_VALID	BIT_ULL(63)

/**
 * ims_pasid_cookie - build an array template cookie that carries a PASID
 * @pasid:	the PASID to program into the slot, or %IMS_PASID_NONE
 *
 * A zeroed cookie means "no PASID".
 *
 * Return: the cookie.
 */
static inline union ims_instance_cookie ims_pasid_cookie(u32 pasid)
{
	union ims_instance_cookie c = { .value = 0 };

	if (pasid != IMS_PASID_NONE)
		c.value = IMS_COOKIE_PASID_VALID | pasid;
	return c;
}

/**
 * struct ims_map - what a driver gets for an allocated IMS interrupt
 * @index:	hardware slot index (the "interrupt handle" of the device)
 * @virq:	Linux interrupt number for request_irq(), or a negative errno
 *		when the allocation failed
 */
struct ims_map {
	unsigned int	index;
	int		virq;
};

/**
 * struct ims_array_layout - shape of one entry of an array template store
 * @stride:		bytes from one entry to the next
 * @addr_lo:		offset of the 32-bit message address low word
 * @addr_hi:		offset of the 32-bit message address high word
 * @data:		offset of the 32-bit message data word
 * @ctrl:		offset of the 32-bit control word
 * @mask_bit:		bit of @ctrl that masks (or, see @mask_active_low,
 *			enables) the entry
 * @mask_active_low:	true if a cleared @mask_bit means masked
 * @pasid_en_bit:	bit of @ctrl that enables the PASID check, or -1 if the
 *			entry has no PASID
 * @pasid_shift:	lowest bit of the PASID field in @ctrl
 * @pasid_width:	width of the PASID field in bits (at most 20)
 *
 * All offsets are in bytes from the start of an entry and must be 32-bit
 * aligned and inside @stride. The control word belongs to the host: ims_core
 * rewrites it whole from its own copy, so a device must not keep status (a
 * pending bit, say) in it; use a separate pending bit array as MSI-X does.
 * ims_create_domain() copies the layout.
 */
struct ims_array_layout {
	unsigned int	stride;
	unsigned int	addr_lo;
	unsigned int	addr_hi;
	unsigned int	data;
	unsigned int	ctrl;
	unsigned int	mask_bit;
	bool		mask_active_low;
	int		pasid_en_bit;
	unsigned int	pasid_shift;
	unsigned int	pasid_width;
};

/* The Intel DSA entry: {addr_lo, addr_hi, data, ctrl}, ctrl bit 0 mask,
 * bit 3 PASID enable, bits 31:12 PASID. Used when no layout is given.
 */
extern const struct ims_array_layout ims_array_layout_dsa;

/**
 * struct ims_array_info - parameters of the array template
 * @slots:	ioremapped start of entry 0; must stay mapped as long as the
 *		domain exists
 * @layout:	entry layout, or NULL for &ims_array_layout_dsa; copied
 */
struct ims_array_info {
	void __iomem				*slots;
	const struct ims_array_layout		*layout;
};

/**
 * struct ims_queue_msg - the queue template's shadow of one interrupt
 * @address_lo:	message address, low 32 bits
 * @address_hi:	message address, high 32 bits
 * @data:	message data
 * @masked:	true if the device must not send the message
 * @pasid:	PASID the device checks, or %IMS_PASID_NONE
 */
struct ims_queue_msg {
	u32	address_lo;
	u32	address_hi;
	u32	data;
	bool	masked;
	u32	pasid;
};

/**
 * struct ims_queue_ops - driver callbacks of the queue template
 * @sync:	push @msg to the device's context for slot @index. @ctx is the
 *		cookie pointer given at allocation; it and @drvdata must stay
 *		valid until ims_free_irq() of the slot has returned 0, or the
 *		domain is destroyed. Return 0 or a negative errno: on error
 *		the change stays in the shadow and goes out with the next push,
 *		and the device must not be left sending a message it was not
 *		given whole (keep the context masked while it is
 *		inconsistent).
 *
 * sync() runs in sleepable context with the slot's bus lock held: from
 * within ims_alloc_irq*(), ims_free_irq(), ims_free_all_irqs(),
 * ims_set_pasid() and ims_destroy_domain() (with the domain's lock held),
 * and from every irq call that takes the bus lock (request_irq(),
 * free_irq(), disable_irq(), enable_irq(), irq_set_irq_wake(), ...; with
 * the irq's request mutex held by the core for the first two). It never
 * runs under the irq core's global domain mutex. So it may sleep, send
 * device commands, and allocate or free interrupts of other devices and of
 * other IMS array domains; it must not call ims_core for a queue domain,
 * nor take a lock the driver holds around any of the calls above. A push
 * of an unchanged shadow is skipped.
 */
struct ims_queue_ops {
	int	(*sync)(void *drvdata, unsigned int index, void *ctx,
			const struct ims_queue_msg *msg);
};

/**
 * struct ims_queue_info - parameters of the queue template
 * @ops:	driver callbacks; copied
 * @drvdata:	passed to every callback
 */
struct ims_queue_info {
	const struct ims_queue_ops	*ops;
	void				*drvdata;
};

/**
 * enum ims_template_type - storage template of an IMS domain
 * @IMS_TEMPLATE_ARRAY:	message table in device memory
 * @IMS_TEMPLATE_QUEUE:	message in per-queue context, pushed by the driver
 */
enum ims_template_type {
	IMS_TEMPLATE_ARRAY,
	IMS_TEMPLATE_QUEUE,
};

/*
 * IMS_DOMAIN_SPARES - one-by-one allocation at a cost that does not grow
 * with the remapping entries in use. Under Intel VT-d, ims_alloc_irq() and
 * ims_alloc_irq_range() then take a remapping block (up to 32 interrupts,
 * fewer if the free slots in range or the unit allow fewer) and keep the
 * block's other slots allocated as spares, each with its irq number and
 * remapping entry; freed interrupts of a block become spares too. A spare
 * is handed out again by a later single allocation whose range holds it:
 * the driver gets the same irq number again, and /proc/interrupts goes on
 * counting where the previous user left off. A block whose slots are all
 * spares is released, except one per domain that is kept for the next
 * allocation; ims_destroy_domain() releases everything. Spares are slots
 * of the device: batches (ims_alloc_irqs()) cannot use them, so leave
 * room. Without interrupt remapping blocks, or with an affinity
 * descriptor, allocation is as without the flag.
 */
#define IMS_DOMAIN_SPARES	BIT(0)

/**
 * struct ims_domain_info - what a driver describes to create an IMS domain
 * @type:	storage template
 * @name:	optional instance name, appended to the domain name
 *		("IMS-ARRAY-0000:00:14.0-@name"); required to tell apart several
 *		domains of one template on one device. Up to %IMS_NAME_MAX
 *		characters out of [A-Za-z0-9._-].
 * @nr_slots:	number of hardware slots, 1 .. %IMS_MAX_SLOTS
 * @flags:	%IMS_DOMAIN_* flags, 0 for the defaults
 * @array:	parameters when @type is %IMS_TEMPLATE_ARRAY
 * @queue:	parameters when @type is %IMS_TEMPLATE_QUEUE
 */
struct ims_domain_info {
	enum ims_template_type	type;
	const char		*name;
	unsigned int		nr_slots;
	unsigned int		flags;
	union {
		struct ims_array_info	array;
		struct ims_queue_info	queue;
	};
};

/**
 * struct ims_domain_stats - occupancy of an IMS domain
 * @nr_slots:	slots the domain manages
 * @used:	slots the driver holds
 * @held:	slots not the driver's and not yet reusable: first slots of
 *		remapping blocks whose other interrupts are still allocated
 *		(see ims_alloc_irqs())
 * @spare:	slots kept for reuse by single allocations, with their irq and
 *		remapping entry (%IMS_DOMAIN_SPARES)
 */
struct ims_domain_stats {
	unsigned int	nr_slots;
	unsigned int	used;
	unsigned int	held;
	unsigned int	spare;
};

struct ims_domain *ims_create_domain(struct pci_dev *pdev,
				     const struct ims_domain_info *info);
struct ims_domain *devm_ims_create_domain(struct pci_dev *pdev,
					  const struct ims_domain_info *info);
void ims_destroy_domain(struct ims_domain *domain);

struct ims_map ims_alloc_irq(struct ims_domain *domain, unsigned int index,
			     const union ims_instance_cookie *cookie,
			     const struct irq_affinity_desc *affdesc);
struct ims_map ims_alloc_irq_range(struct ims_domain *domain,
				   unsigned int first, unsigned int last,
				   const union ims_instance_cookie *cookie,
				   const struct irq_affinity_desc *affdesc);
int ims_alloc_irqs(struct ims_domain *domain, unsigned int nr,
		   const union ims_instance_cookie *cookies,
		   const struct irq_affinity_desc *affdesc,
		   struct ims_map *maps);
int ims_free_irq(struct ims_domain *domain, struct ims_map map);
int ims_free_all_irqs(struct ims_domain *domain);
void ims_release_spares(struct ims_domain *domain);

int ims_set_pasid(struct ims_domain *domain, unsigned int virq, u32 pasid);

int ims_irq_index(struct ims_domain *domain, unsigned int virq);
int ims_index_virq(struct ims_domain *domain, unsigned int index);
void ims_domain_get_stats(struct ims_domain *domain,
			  struct ims_domain_stats *stats);

#endif /* _IMS_IMS_H */
