/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * idxd_ref hardware model: a small DSA-like device with an IMS array.
 *
 * The device is a PCI card with two functions in one slot. Function 0
 * (QEMU "edu") is the bus master: its requester id tags every interrupt
 * write, its own PCI MSI is the device's "misc" interrupt (software errors).
 * Function 1 (ivshmem-plain) BAR2 is the device's register and memory
 * space, laid out below. The silicon itself is played by
 * idxd_ref_engine.c.
 *
 * Work queues (WQs) hold rings of 64-byte descriptors in device memory.
 * Software writes descriptors at TAIL and advances TAIL; the device
 * executes them in order, advances HEAD, writes the completion record and,
 * if asked, raises the completion interrupt named by the descriptor's
 * interrupt handle, which is an index into the IMS array:
 *
 *  - entry PASID enable set and the descriptor's PASID differs (or it has
 *    none): no interrupt; the device logs error 0x19 (invalid interrupt
 *    handle) with handle and PASID in SWERR and raises the misc interrupt;
 *  - entry masked: the device sets the entry's bit in the pending bit
 *    array (PBA) and sends the message once the entry is unmasked. Any
 *    number of messages while masked collapse into one;
 *  - else it writes the entry's data word to the entry's address.
 *
 * Why the pending bit is in a PBA and not in ctrl: the IMS entry's ctrl
 * word is owned by the host (the irq chip writes it as a whole), so a
 * device-owned bit in it would be lost or, worse, a device read-modify-
 * write could race with an unmask. The PBA is device-owned and read-only
 * for software, as in PCI MSI-X. Ctrl bit 1 is reserved (zero).
 *
 * Host memory: the device reaches memory through a PASID's address space
 * (shared WQ: the descriptor's PASID; dedicated WQ: the WQ's PASID or, with
 * PASID disabled, the requester's default space). An address in a
 * descriptor is a byte offset into the address space bound to that PASID
 * with idxd_ref_engine_bind_as() (the model of an IOMMU PASID table): the
 * per-open-file buffer for user clients, a per-device kernel buffer for the
 * kernel WQ. An offset outside it is an address fault.
 */
#ifndef _IDXD_REF_HW_H
#define _IDXD_REF_HW_H

#include <linux/bits.h>
#include <linux/types.h>
#include <testcard/edu.h>
#include <uapi/idxd_ref.h>

/* PCI identity of the card and its edu function: the test card */
#define IDXD_REF_VENDOR		EDU_VENDOR	/* function 0: edu */
#define IDXD_REF_DEVICE		EDU_DEVICE
#define IDXD_REF_MEM_FN		EDU_MEM_FN	/* function 1: ivshmem */
#define IDXD_REF_MEM_BAR	EDU_MEM_BAR

/* misc interrupt cause bit (edu status word) */
#define IDXD_REF_MISC_SWERR	BIT(0)

/* ---- register/memory space (function 1, BAR2) ------------------------ */
#define IDXD_REF_ID		0x000	/* RO: IDXD_REF_ID_VALUE */
#define  IDXD_REF_ID_VALUE	0x1dc50001
#define IDXD_REF_GENCAP		0x004	/* RO */
#define  IDXD_REF_GENCAP_IMS	GENMASK(15, 0)	/* IMS entries, >= 4096 */
#define  IDXD_REF_GENCAP_WQS	GENMASK(23, 16)	/* number of WQs */
#define IDXD_REF_IMS_OFF	0x008	/* RO: BAR offset of the IMS array */
#define IDXD_REF_PBA_OFF	0x00c	/* RO: BAR offset of the PBA */
#define IDXD_REF_WQCFG_OFF	0x010	/* RO: BAR offset of WQ 0's config */
#define IDXD_REF_GENSTS		0x014	/* RO: bit 0 device enabled */
#define  IDXD_REF_GENSTS_ENABLED BIT(0)

/*
 * Command interface, one command at a time. Software writes CMD (opcode
 * and operand) and rings the doorbell; when the device has carried the
 * command out it writes the result to CMDSTS and then CMD back to 0.
 */
#define IDXD_REF_CMD		0x020
#define  IDXD_REF_CMD_OP	GENMASK(7, 0)
#define  IDXD_REF_CMD_OPERAND	GENMASK(27, 8)
#define IDXD_REF_CMDSTS		0x024
#define  IDXD_REF_CMDSTS_RESULT	GENMASK(7, 0)

#define IDXD_REF_CMD_NONE		0x00
#define IDXD_REF_CMD_ENABLE_DEVICE	0x01
#define IDXD_REF_CMD_DISABLE_DEVICE	0x02	/* aborts every WQ */
#define IDXD_REF_CMD_ENABLE_WQ		0x03	/* operand: WQ id */
#define IDXD_REF_CMD_DISABLE_WQ		0x04	/* operand: WQ id; aborts */
#define IDXD_REF_CMD_RELEASE_INT_HANDLE	0x05	/* operand: IMS index */

#define IDXD_REF_CMDSTS_OK		0x00
#define IDXD_REF_CMDSTS_INVAL		0x01

/*
 * Software error register, valid until software writes 0 to SWERR0.
 * A second error while valid only sets OVERFLOW.
 */
#define IDXD_REF_SWERR0		0x030
#define  IDXD_REF_SWERR_VALID	BIT(0)
#define  IDXD_REF_SWERR_OVERFLOW BIT(1)
#define  IDXD_REF_SWERR_CODE	GENMASK(15, 8)
#define  IDXD_REF_SWERR_WQ	GENMASK(23, 16)
#define IDXD_REF_SWERR1		0x034	/* interrupt handle */
#define IDXD_REF_SWERR2		0x038	/* PASID, bit 31 PASID valid */
#define  IDXD_REF_SWERR2_PASID_VALID BIT(31)

#define IDXD_REF_ERR_INVAL_INT_HANDLE	0x19
#define IDXD_REF_ERR_INVAL_INT_MSG	0x1a	/* unmasked entry, no message */

/* ---- per-WQ configuration, 32 bytes each at IDXD_REF_WQCFG_OFF ------- */
#define IDXD_REF_WQCFG_STRIDE	0x20
#define IDXD_REF_WQCFG_CFG	0x00	/* RW while the WQ is disabled */
#define  IDXD_REF_WQCFG_SHARED	BIT(1)	/* descriptor carries the PASID */
#define  IDXD_REF_WQCFG_PASID_EN BIT(3)	/* dedicated WQ: use PASID below */
#define  IDXD_REF_WQCFG_PASID	GENMASK(31, 12)
#define IDXD_REF_WQCFG_STATE	0x04	/* RO: bit 0 enabled */
#define  IDXD_REF_WQCFG_ENABLED	BIT(0)
#define IDXD_REF_WQCFG_RING	0x08	/* RO: BAR offset of the ring */
#define IDXD_REF_WQCFG_SIZE	0x0c	/* RO: ring entries, power of two */
#define IDXD_REF_WQCFG_HEAD	0x10	/* RO: next descriptor the device runs */
#define IDXD_REF_WQCFG_TAIL	0x14	/* RW: next free ring entry */
#define IDXD_REF_WQCFG_DONE	0x18	/* RO: descriptors done or aborted */

/*
 * A ring is full when TAIL + 1 == HEAD (mod size); HEAD and TAIL are ring
 * indices in [0, size). HEAD advances after the descriptor's completion
 * record and interrupt have been sent.
 */

/* ---- IMS array: DSA entries {addr_lo, addr_hi, data, ctrl} ----------- */
#define IDXD_REF_IMS_STRIDE	16
#define IDXD_REF_IMS_ADDR_LO	0x0
#define IDXD_REF_IMS_ADDR_HI	0x4
#define IDXD_REF_IMS_DATA	0x8
#define IDXD_REF_IMS_CTRL	0xc
#define  IDXD_REF_IMS_CTRL_MASK	BIT(0)
#define  IDXD_REF_IMS_CTRL_RSVD_PENDING BIT(1)	/* reserved, see PBA */
#define  IDXD_REF_IMS_CTRL_PASID_EN BIT(3)
#define  IDXD_REF_IMS_CTRL_PASID GENMASK(31, 12)

/* PBA: bit (i % 32) of the 32-bit word i / 32 is entry i's pending bit */

/* ---- what the model implements ------------------------------------- */
#define IDXD_REF_HW_IMS_ENTRIES	4096
#define IDXD_REF_HW_WQS		2
#define IDXD_REF_HW_RING_SIZE	64
#define IDXD_REF_HW_WQCFG_BASE	0x01000
#define IDXD_REF_HW_RING_BASE	0x10000
#define IDXD_REF_HW_RING_STRIDE	0x10000
#define IDXD_REF_HW_IMS_BASE	0x100000
#define IDXD_REF_HW_PBA_BASE	0x110000
#define IDXD_REF_HW_MEM_SIZE	0x111000	/* BAR2 must be at least this */

#define IDXD_REF_PASID_MAX	0xfffff	/* 20-bit PASIDs */

/* ---- descriptor, 64 bytes in a WQ ring ------------------------------- */
#define IDXD_REF_DESC_PASID	GENMASK(19, 0)
#define IDXD_REF_DESC_PASID_VALID BIT(31)
#define IDXD_REF_DESC_OPCODE	GENMASK(31, 24)
#define IDXD_REF_DESC_FLAGS	GENMASK(23, 0)	/* IDXD_REF_F_* */

/**
 * struct idxd_ref_hw_desc - a descriptor as the device reads it
 * @pasid:	PASID and %IDXD_REF_DESC_PASID_VALID; on a shared WQ stamped by
 *		the submission path (the model of ENQCMD, which takes it
 *		from the submitting process, never from the descriptor),
 *		ignored on a dedicated WQ
 * @op_flags:	opcode (bits 31:24) and flags (bits 23:0)
 * @completion:	completion record address
 * @src:	source address
 * @dst:	destination address
 * @size:	bytes
 * @int_handle:	IMS index of the completion interrupt
 * @rsvd0:	zero
 * @pattern:	memfill pattern
 * @tag:	copied to the completion record
 * @rsvd1:	zero
 *
 * Addresses are offsets in the PASID's address space, see the top of this
 * file. The completion record layout is &struct idxd_ref_completion.
 */
struct idxd_ref_hw_desc {
	u32	pasid;
	u32	op_flags;
	u64	completion;
	u64	src;
	u64	dst;
	u32	size;
	u16	int_handle;
	u16	rsvd0;
	u64	pattern;
	u64	tag;
	u64	rsvd1;
} __packed;

#define IDXD_REF_DESC_SIZE	64
#define IDXD_REF_COMP_SIZE	32

#endif /* _IDXD_REF_HW_H */
