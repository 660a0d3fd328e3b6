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
 * disable_irq() is lazy for array interrupts as for MSI: the slot is masked
 * when the next interrupt arrives, which the core then replays on
 * enable_irq(). A driver whose device must see the mask at once (to keep its
 * own pending state) sets IRQ_DISABLE_UNLAZY on the irq. Queue interrupts
 * always mask at once.
 */
#ifndef _IMS_IMS_H
#define _IMS_IMS_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/version.h>

struct pci_dev;
struct irq_affinity_desc;
struct ims_domain;

/*
 * Symbol namespace of every ims_core export; importers write
 * MODULE_IMPORT_NS(IMS_NS). v6.13 turned namespaces from bare tokens,
 * stringified by the macros, into string literals.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define IMS_NS "IMS"
#else
#define IMS_NS IMS
#endif

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
 *		ims_pasid_cookie()
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
 * @slots:	ioremapped start of entry 0
 * @layout:	entry layout, or NULL for &ims_array_layout_dsa
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
 * @sync:	push @msg to the device's context for slot @index. Called in
 *		sleepable context with the slot's bus lock held, after any
 *		change of message, mask or PASID. @ctx is the cookie pointer
 *		given at allocation. Return 0 or a negative errno: on error the
 *		change is kept in the shadow and pushed again on the next sync.
 */
struct ims_queue_ops {
	int	(*sync)(void *drvdata, unsigned int index, void *ctx,
			const struct ims_queue_msg *msg);
};

/**
 * struct ims_queue_info - parameters of the queue template
 * @ops:	driver callbacks
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

/**
 * struct ims_domain_info - what a driver describes to create an IMS domain
 * @type:	storage template
 * @name:	optional instance name, appended to the domain name
 *		("IMS-ARRAY-0000:00:14.0-@name"); required to tell apart several
 *		domains of one template on one device. Up to %IMS_NAME_MAX
 *		characters out of [A-Za-z0-9._-].
 * @nr_slots:	number of hardware slots, 1 .. %IMS_MAX_SLOTS
 * @array:	parameters when @type is %IMS_TEMPLATE_ARRAY
 * @queue:	parameters when @type is %IMS_TEMPLATE_QUEUE
 */
struct ims_domain_info {
	enum ims_template_type	type;
	const char		*name;
	unsigned int		nr_slots;
	union {
		struct ims_array_info	array;
		struct ims_queue_info	queue;
	};
};

/**
 * struct ims_domain_stats - occupancy of an IMS domain
 * @nr_slots:	slots the domain manages
 * @used:	slots currently allocated
 * @held:	freed slots not yet reusable: first slots of remapping blocks
 *		whose other interrupts are still allocated (see ims_alloc_irqs())
 */
struct ims_domain_stats {
	unsigned int	nr_slots;
	unsigned int	used;
	unsigned int	held;
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
void ims_free_irq(struct ims_domain *domain, struct ims_map map);
void ims_free_all_irqs(struct ims_domain *domain);

int ims_set_pasid(struct ims_domain *domain, unsigned int virq, u32 pasid);

int ims_irq_index(struct ims_domain *domain, unsigned int virq);
int ims_index_virq(struct ims_domain *domain, unsigned int index);
void ims_domain_get_stats(struct ims_domain *domain,
			  struct ims_domain_stats *stats);

#endif /* _IMS_IMS_H */
