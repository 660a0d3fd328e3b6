/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * idxd_ref - user space ABI of the IMS reference driver's char device.
 *
 * /dev/idxd_ref<N> gives each open file:
 *  - a PASID (its own address space on the device), bound at open;
 *  - a buffer of IDXD_REF_BUF_SIZE bytes, mmap()able at offset 0. Every
 *    address in a descriptor (source, destination, completion record) is a
 *    byte offset into this buffer: it models the process address space
 *    that the device reaches through the file's PASID;
 *  - interrupt handles (IMS entries tagged with the file's PASID), each
 *    optionally signalling an eventfd when its completion interrupt comes.
 *
 * read() returns a __u64: completion interrupts received on the file's
 * handles since the last read (blocks unless O_NONBLOCK); poll() reports
 * EPOLLIN when that count is non-zero, EPOLLERR once the device is gone.
 * After the device is removed every call fails with -ENODEV.
 *
 * IDXD_REF_IOC_ALLOC_HANDLE is bounded three ways (module parameters of
 * idxd_ref), and past a bound it fails with nothing allocated:
 *  - -EDQUOT: the file holds max_handles handles, or the calling user
 *    holds max_user_irqs over all its files on all devices;
 *  - -ENOSPC: the device's open files hold max_dev_irqs handles (default
 *    32 per online CPU: the rest of the CPU vectors stay for other
 *    drivers), or the device has no free IMS entry.
 * FREE_HANDLE and close() wait for the device to finish the handle's work
 * without holding the device lock: other users are not stalled.
 */
#ifndef _UAPI_IDXD_REF_H
#define _UAPI_IDXD_REF_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define IDXD_REF_BUF_SIZE	(64 * 1024)

/* Operations (descriptor opcode) */
#define IDXD_REF_OP_NOOP	0x00
#define IDXD_REF_OP_MEMFILL	0x01	/* dst[0..size) = 64-bit pattern */
#define IDXD_REF_OP_COPY	0x02	/* dst[0..size) = src[0..size) */
#define IDXD_REF_OP_CRC32	0x03	/* result = CRC-32 (IEEE) of src */

/* Descriptor flags */
#define IDXD_REF_F_RCI		(1U << 0)	/* request completion interrupt */
#define IDXD_REF_F_CRAV		(1U << 1)	/* completion record valid */

/* Completion record status */
#define IDXD_REF_COMP_NONE		0x00	/* not written yet */
#define IDXD_REF_COMP_SUCCESS		0x01
#define IDXD_REF_COMP_ADDR_FAULT	0x03	/* address outside the space */
#define IDXD_REF_COMP_BAD_OPCODE	0x10
#define IDXD_REF_COMP_INVAL_INT_HANDLE	0x19	/* see IDXD_REF_SWERR_* */
#define IDXD_REF_COMP_ABORTED		0x20	/* WQ disabled before it ran */

/**
 * struct idxd_ref_completion - completion record the device writes
 * @status:	IDXD_REF_COMP_*; written last
 * @rsvd0:	zero
 * @bytes:	bytes processed
 * @result:	CRC-32 for IDXD_REF_OP_CRC32, else 0
 * @tag:	the descriptor's tag
 * @rsvd1:	zero
 *
 * 32 bytes, 32-byte aligned in the file's buffer.
 */
struct idxd_ref_completion {
	__u8	status;
	__u8	rsvd0[3];
	__u32	bytes;
	__u64	result;
	__u64	tag;
	__u64	rsvd1;
};

/**
 * struct idxd_ref_desc - a work descriptor as user space submits it
 * @opcode:	IDXD_REF_OP_*
 * @rsvd0:	zero
 * @flags:	IDXD_REF_F_*
 * @handle:	interrupt handle (from IDXD_REF_IOC_ALLOC_HANDLE) when
 *		IDXD_REF_F_RCI is set
 * @size:	bytes to process, at most IDXD_REF_BUF_SIZE
 * @rsvd1:	zero
 * @src:	source offset in the file's buffer
 * @dst:	destination offset in the file's buffer
 * @completion:	completion record offset (32-byte aligned) if
 *		IDXD_REF_F_CRAV is set
 * @pattern:	fill pattern of IDXD_REF_OP_MEMFILL
 * @tag:	copied to the completion record
 *
 * There is no PASID field: the driver stamps the file's PASID into the
 * hardware descriptor.
 */
struct idxd_ref_desc {
	__u8	opcode;
	__u8	rsvd0;
	__u16	flags;
	__u32	handle;
	__u32	size;
	__u32	rsvd1;
	__u64	src;
	__u64	dst;
	__u64	completion;
	__u64	pattern;
	__u64	tag;
};

/**
 * struct idxd_ref_info - IDXD_REF_IOC_INFO
 * @pasid:	the file's PASID
 * @max_handles: handles one file may hold
 * @ims_size:	IMS entries of the device
 * @ring_size:	descriptors the shared WQ holds
 * @buf_size:	IDXD_REF_BUF_SIZE
 * @rsvd:	zero
 */
struct idxd_ref_info {
	__u32	pasid;
	__u32	max_handles;
	__u32	ims_size;
	__u32	ring_size;
	__u32	buf_size;
	__u32	rsvd;
};

/**
 * struct idxd_ref_handle_req - handle ioctls
 * @handle:	out for ALLOC_HANDLE, in for the others
 * @eventfd:	ALLOC_HANDLE/SET_EVENTFD: eventfd to signal, or -1
 * @flags:	MASK_HANDLE: 1 = mask, 0 = unmask; else zero
 * @rsvd:	zero
 */
struct idxd_ref_handle_req {
	__u32	handle;
	__s32	eventfd;
	__u32	flags;
	__u32	rsvd;
};

/**
 * struct idxd_ref_submit - IDXD_REF_IOC_SUBMIT
 * @descs:	user pointer to @count struct idxd_ref_desc
 * @count:	1 .. IDXD_REF_MAX_SUBMIT
 * @submitted:	out: descriptors accepted (fewer if the WQ is full)
 *
 * The whole structure must be writable: an argument that cannot be written
 * back fails with -EFAULT before anything is accepted.
 */
struct idxd_ref_submit {
	__u64	descs;
	__u32	count;
	__u32	submitted;
};

#define IDXD_REF_MAX_SUBMIT	64

/**
 * struct idxd_ref_handle_stats - IDXD_REF_IOC_HANDLE_STATS
 * @handle:	in
 * @pending:	1 if the device holds a message back (entry masked)
 * @submitted:	descriptors submitted naming this handle
 * @irqs:	completion interrupts received
 * @errors:	invalid interrupt handle errors naming this handle
 */
struct idxd_ref_handle_stats {
	__u32	handle;
	__u32	pending;
	__u64	submitted;
	__u64	irqs;
	__u64	errors;
};

/**
 * struct idxd_ref_dev_stats - IDXD_REF_IOC_DEV_STATS
 * @misc_irqs:	device (misc) interrupts received
 * @swerrs:	software errors reported by the device
 * @last_code:	error code of the last one (0x19: invalid interrupt handle)
 * @last_handle: interrupt handle it named
 * @last_pasid:	PASID of the descriptor that caused it
 * @rsvd:	zero
 */
struct idxd_ref_dev_stats {
	__u64	misc_irqs;
	__u64	swerrs;
	__u32	last_code;
	__u32	last_handle;
	__u32	last_pasid;
	__u32	rsvd;
};

#define IDXD_REF_IOC_MAGIC	0xD5
#define IDXD_REF_IOC_INFO	_IOR(IDXD_REF_IOC_MAGIC, 0, struct idxd_ref_info)
#define IDXD_REF_IOC_ALLOC_HANDLE \
	_IOWR(IDXD_REF_IOC_MAGIC, 1, struct idxd_ref_handle_req)
#define IDXD_REF_IOC_FREE_HANDLE \
	_IOW(IDXD_REF_IOC_MAGIC, 2, struct idxd_ref_handle_req)
#define IDXD_REF_IOC_SET_EVENTFD \
	_IOW(IDXD_REF_IOC_MAGIC, 3, struct idxd_ref_handle_req)
#define IDXD_REF_IOC_MASK_HANDLE \
	_IOW(IDXD_REF_IOC_MAGIC, 4, struct idxd_ref_handle_req)
#define IDXD_REF_IOC_SUBMIT \
	_IOWR(IDXD_REF_IOC_MAGIC, 5, struct idxd_ref_submit)
#define IDXD_REF_IOC_HANDLE_STATS \
	_IOWR(IDXD_REF_IOC_MAGIC, 6, struct idxd_ref_handle_stats)
#define IDXD_REF_IOC_DEV_STATS \
	_IOR(IDXD_REF_IOC_MAGIC, 7, struct idxd_ref_dev_stats)

#endif /* _UAPI_IDXD_REF_H */
