/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Trace events of ims_core, system "ims": /sys/kernel/tracing/events/ims/.
 *
 * One event per change a driver or the irq core makes to an IMS domain or
 * slot, from the place where it happens:
 *
 *   ims_domain_create	the domain exists (end of ims_create_domain())
 *   ims_domain_destroy	ims_destroy_domain() after freeing what it could;
 *			used > 0 means the domain was retired (leaked)
 *   ims_alloc		a slot is handed out to the driver
 *   ims_free		the driver gave a slot back and the device took it
 *   ims_write_msg	a message is stored in a slot: the initial one at
 *			allocation, at activation, zeroes at deactivation,
 *			and affinity rewrites in direct mode
 *   ims_mask		the slot's mask state goes from unmasked to masked
 *   ims_unmask		and back
 *   ims_set_pasid	ims_set_pasid() stores a new PASID
 *   ims_queue_sync	one call of the queue template's sync() (or its
 *			injected fault): errno and duration. There is one
 *			only when the shadow differs from what the device
 *			holds, or after a failed push
 *
 * An unmasked slot is masked for the moment of a message or PASID update
 * (see ims_chip.c): that is part of the update, no ims_mask/ims_unmask.
 * The queue template's chip has an empty irq_mask() for the flow handler's
 * transient masks (see ims_chip.c): those never reach the storage and give
 * no event either. For the queue template the "storage" of ims_write_msg,
 * ims_mask, ims_unmask and ims_set_pasid is the shadow, which reaches the
 * device with the next ims_queue_sync.
 *
 * Several events fire from irq chip callbacks, in atomic context under the
 * irq descriptor's and the slot's raw spinlocks: everything here only
 * copies fields into the ring buffer. Every event starts with the domain
 * name, so "domain=NAME " selects one domain's events in the text output.
 * PASIDs print as "none" or in hex.
 *
 * Out-of-tree: define_trace.h includes this file again as
 * TRACE_INCLUDE_PATH/TRACE_INCLUDE_FILE.h, i.e. "./ims_trace.h", which is
 * found through the -I of src/core that Kbuild gives ims_trace.o.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ims

#if !defined(_IMS_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _IMS_TRACE_H

#include <linux/tracepoint.h>

#include "ims_compat.h"
#include "ims_internal.h"

/* Exported so that user space (trace-cmd, perf) can decode the symbols. */
TRACE_DEFINE_ENUM(IMS_TEMPLATE_ARRAY);
TRACE_DEFINE_ENUM(IMS_TEMPLATE_QUEUE);
TRACE_DEFINE_ENUM(IMS_PARENT_VTD);
TRACE_DEFINE_ENUM(IMS_PARENT_AMDVI);
TRACE_DEFINE_ENUM(IMS_PARENT_VECTOR);
TRACE_DEFINE_ENUM(IMS_PARENT_OTHER);
TRACE_DEFINE_ENUM(IMS_PARENT_ITS);

#define ims_show_template(type)					\
	__print_symbolic(type,						\
			 { IMS_TEMPLATE_ARRAY,	"array" },		\
			 { IMS_TEMPLATE_QUEUE,	"queue" })

#define ims_show_parent(kind)						\
	__print_symbolic(kind,						\
			 { IMS_PARENT_VTD,	"vtd" },		\
			 { IMS_PARENT_AMDVI,	"amdvi" },		\
			 { IMS_PARENT_VECTOR,	"vector" },		\
			 { IMS_PARENT_OTHER,	"other" },		\
			 { IMS_PARENT_ITS,	"its" })

/*
 * IMS_PASID_NONE (UINT_MAX) spelled as a literal, which every decoder of the
 * format file reads; ims_trace.c checks that both agree. Other PASIDs fall
 * through __print_symbolic() and print as 0x<hex>.
 */
#define IMS_TRACE_PASID_NONE	0xffffffff
#define ims_show_pasid(pasid)						\
	__print_symbolic(pasid, { IMS_TRACE_PASID_NONE, "none" })

DECLARE_EVENT_CLASS(ims_domain_class,
		    TP_PROTO(const struct ims_domain *domain, unsigned int used),
		    TP_ARGS(domain, used),
		    TP_STRUCT__entry(__string(domain, domain->name)
				     __field(unsigned int, nr_slots)
				     __field(unsigned int, used)
				     __field(u8, type)
				     __field(u8, kind)),
		    TP_fast_assign(ims_trace_assign_str(domain, domain->name);
				   __entry->nr_slots = domain->info.nr_slots;
				   __entry->used = used;
				   __entry->type = domain->info.type;
				   __entry->kind = domain->kind;),
		    TP_printk("domain=%s template=%s nr_slots=%u parent=%s mode=%s used=%u",
			      __get_str(domain), ims_show_template(__entry->type),
			      __entry->nr_slots, ims_show_parent(__entry->kind),
			      __entry->kind == IMS_PARENT_VECTOR ?
			      "direct" : "remapped", __entry->used)
);

/**
 * ims_domain_create - an IMS domain was created
 * @domain:	the new domain
 * @used:	0
 */
DEFINE_EVENT(ims_domain_class, ims_domain_create,
	     TP_PROTO(const struct ims_domain *domain, unsigned int used),
	     TP_ARGS(domain, used)
);

/**
 * ims_domain_destroy - ims_destroy_domain() removed or retired a domain
 * @domain:	the domain, still valid
 * @used:	interrupts it could not free: 0, or the domain is retired
 */
DEFINE_EVENT(ims_domain_class, ims_domain_destroy,
	     TP_PROTO(const struct ims_domain *domain, unsigned int used),
	     TP_ARGS(domain, used)
);

DECLARE_EVENT_CLASS(ims_slot_class,
		    TP_PROTO(const struct ims_slot *slot, u32 pasid),
		    TP_ARGS(slot, pasid),
		    TP_STRUCT__entry(__string(domain, slot->domain->name)
				     __field(unsigned int, index)
				     __field(unsigned int, virq)
				     __field(u32, pasid)),
		    TP_fast_assign(ims_trace_assign_str(domain, slot->domain->name);
				   __entry->index = slot->index;
				   __entry->virq = slot->virq;
				   __entry->pasid = pasid;),
		    TP_printk("domain=%s index=%u virq=%u pasid=%s",
			      __get_str(domain), __entry->index, __entry->virq,
			      ims_show_pasid(__entry->pasid))
);

/**
 * ims_alloc - a slot was handed out to the driver
 * @slot:	the slot, live now
 * @pasid:	the PASID it checks, from the instance cookie
 */
DEFINE_EVENT(ims_slot_class, ims_alloc,
	     TP_PROTO(const struct ims_slot *slot, u32 pasid),
	     TP_ARGS(slot, pasid)
);

/**
 * ims_free - the driver gave a slot back, and its teardown reached the device
 * @slot:	the slot, not live any more
 * @pasid:	the PASID it checked until the teardown
 */
DEFINE_EVENT(ims_slot_class, ims_free,
	     TP_PROTO(const struct ims_slot *slot, u32 pasid),
	     TP_ARGS(slot, pasid)
);

/**
 * ims_write_msg - a message was stored in a slot
 * @slot:	the slot
 * @msg:	the message (all zero at deactivation)
 */
TRACE_EVENT(ims_write_msg,
	    TP_PROTO(const struct ims_slot *slot, const struct msi_msg *msg),
	    TP_ARGS(slot, msg),
	    TP_STRUCT__entry(__string(domain, slot->domain->name)
			     __field(unsigned int, index)
			     __field(u32, address_hi)
			     __field(u32, address_lo)
			     __field(u32, data)),
	    TP_fast_assign(ims_trace_assign_str(domain, slot->domain->name);
			   __entry->index = slot->index;
			   __entry->address_hi = msg->address_hi;
			   __entry->address_lo = msg->address_lo;
			   __entry->data = msg->data;),
	    TP_printk("domain=%s index=%u addr_hi=0x%08x addr_lo=0x%08x data=0x%08x",
		      __get_str(domain), __entry->index, __entry->address_hi,
		      __entry->address_lo, __entry->data)
);

DECLARE_EVENT_CLASS(ims_mask_class,
		    TP_PROTO(const struct ims_slot *slot),
		    TP_ARGS(slot),
		    TP_STRUCT__entry(__string(domain, slot->domain->name)
				     __field(unsigned int, index)),
		    TP_fast_assign(ims_trace_assign_str(domain, slot->domain->name);
				   __entry->index = slot->index;),
		    TP_printk("domain=%s index=%u", __get_str(domain),
			      __entry->index)
);

/**
 * ims_mask - a slot's storage mask went from unmasked to masked
 * @slot:	the slot
 */
DEFINE_EVENT(ims_mask_class, ims_mask,
	     TP_PROTO(const struct ims_slot *slot),
	     TP_ARGS(slot)
);

/**
 * ims_unmask - a slot's storage mask went from masked to unmasked
 * @slot:	the slot
 */
DEFINE_EVENT(ims_mask_class, ims_unmask,
	     TP_PROTO(const struct ims_slot *slot),
	     TP_ARGS(slot)
);

/**
 * ims_set_pasid - ims_set_pasid() stored a new PASID in a slot
 * @slot:	the slot
 * @old:	the PASID before, or %IMS_PASID_NONE
 * @pasid:	the PASID now, or %IMS_PASID_NONE
 */
TRACE_EVENT(ims_set_pasid,
	    TP_PROTO(const struct ims_slot *slot, u32 old, u32 pasid),
	    TP_ARGS(slot, old, pasid),
	    TP_STRUCT__entry(__string(domain, slot->domain->name)
			     __field(unsigned int, index)
			     __field(u32, old)
			     __field(u32, pasid)),
	    TP_fast_assign(ims_trace_assign_str(domain, slot->domain->name);
			   __entry->index = slot->index;
			   __entry->old = old;
			   __entry->pasid = pasid;),
	    TP_printk("domain=%s index=%u old=%s pasid=%s", __get_str(domain),
		      __entry->index, ims_show_pasid(__entry->old),
		      ims_show_pasid(__entry->pasid))
);

/**
 * ims_queue_sync - one push of a queue slot's shadow to the device
 * @slot:	the slot
 * @ret:	what the driver's sync() (or the injected fault) returned
 * @ns:		how long the call took, in nanoseconds
 */
TRACE_EVENT(ims_queue_sync,
	    TP_PROTO(const struct ims_slot *slot, int ret, u64 ns),
	    TP_ARGS(slot, ret, ns),
	    TP_STRUCT__entry(__string(domain, slot->domain->name)
			     __field(unsigned int, index)
			     __field(int, ret)
			     __field(u64, ns)),
	    TP_fast_assign(ims_trace_assign_str(domain, slot->domain->name);
			   __entry->index = slot->index;
			   __entry->ret = ret;
			   __entry->ns = ns;),
	    TP_printk("domain=%s index=%u ret=%d ns=%llu", __get_str(domain),
		      __entry->index, __entry->ret,
		      (unsigned long long)__entry->ns)
);

#endif /* _IMS_TRACE_H */

/* Outside the guard: define_trace.h reads this file again from here. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE ims_trace
#include <trace/define_trace.h>
