/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The QEMU test card, as both idxd_ref (its engine and driver) and the
 * ims_test client drive it.
 *
 * The card sits at one PCI slot. Function 0 is QEMU's "edu" device
 * (1234:11e8): its DMA engine is the bus master that emits every interrupt
 * write, so its requester id is the one interrupt remapping checks.
 * Function 1 is an ivshmem-plain device whose BAR2 plays the card's
 * memory.
 *
 * The users are separate modules, so everything here is static inline.
 */
#ifndef _TESTCARD_EDU_H
#define _TESTCARD_EDU_H

#include <linux/bitmap.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <asm/barrier.h>
#include <ims/ims.h>

/* PCI identity */
#define EDU_VENDOR		0x1234		/* function 0: edu */
#define EDU_DEVICE		0x11e8
#define EDU_MEM_FN		1		/* function 1: ivshmem */
#define EDU_MEM_BAR		2

/* ---- edu registers (function 0, BAR0) -------------------------------- */
#define EDU_ID			0x00
#define EDU_IRQ_STATUS		0x24
#define EDU_IRQ_RAISE		0x60
#define EDU_IRQ_ACK		0x64
/*
 * Status bits of the interrupt raised through EDU_IRQ_RAISE. Each write of
 * a nonzero value sends one MSI, whatever the status held before: OWN when
 * edu's own MSI is meant, BORROWED when the capability holds a message
 * lent for one write (edu_msi_borrow_send()).
 */
#define  EDU_IRQ_OWN		BIT(0)
#define  EDU_IRQ_BORROWED	BIT(1)
#define EDU_DMA_SRC		0x80
#define EDU_DMA_DST		0x88
#define EDU_DMA_CNT		0x90
#define EDU_DMA_CMD		0x98
#define  EDU_DMA_RUN		BIT(0)
#define  EDU_DMA_TO_BUS		BIT(1)
#define EDU_BUF_BASE		0x40000		/* DMA address of the buffer */
#define EDU_BUF_WORDS		1024		/* its 32-bit words */
#define EDU_DMA_TIMEOUT_MS	2000

/**
 * edu_regs_map - enable the edu function as a 64-bit bus master, map BAR0
 * @pdev:	function 0 of the card
 *
 * Return: the mapped BAR0 or an ERR_PTR(). Undo with edu_regs_unmap().
 */
static inline void __iomem *edu_regs_map(struct pci_dev *pdev)
{
	void __iomem *regs;
	int ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return IOMEM_ERR_PTR(ret);
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto disable;
	ret = pci_request_region(pdev, 0, KBUILD_MODNAME);
	if (ret)
		goto disable;
	regs = pci_iomap(pdev, 0, 0);
	if (!regs) {
		ret = -ENOMEM;
		goto release;
	}
	return regs;

release:
	pci_release_region(pdev, 0);
disable:
	pci_clear_master(pdev);
	pci_disable_device(pdev);
	return IOMEM_ERR_PTR(ret);
}

/**
 * edu_regs_unmap - undo edu_regs_map()
 * @pdev:	function 0 of the card
 * @regs:	its mapped BAR0
 */
static inline void edu_regs_unmap(struct pci_dev *pdev, void __iomem *regs)
{
	pci_iounmap(pdev, regs);
	pci_release_region(pdev, 0);
	pci_clear_master(pdev);
	pci_disable_device(pdev);
}

/**
 * edu_mem_map - map the card's memory (function 1, BAR2)
 * @pdev:	function 0 of the card
 * @min_len:	smallest usable BAR
 * @memp:	set to function 1, referenced, enabled and its BAR requested
 *
 * Return: the mapped BAR or an ERR_PTR(). Undo with edu_mem_unmap().
 */
static inline void __iomem *edu_mem_map(struct pci_dev *pdev,
					resource_size_t min_len,
					struct pci_dev **memp)
{
	struct pci_dev *mem;
	void __iomem *addr;
	int ret;

	mem = pci_get_slot(pdev->bus, PCI_DEVFN(PCI_SLOT(pdev->devfn),
						EDU_MEM_FN));
	if (!mem) {
		pci_err(pdev, "no memory device at function %d\n",
			EDU_MEM_FN);
		return IOMEM_ERR_PTR(-ENODEV);
	}
	if (!(pci_resource_flags(mem, EDU_MEM_BAR) & IORESOURCE_MEM) ||
	    pci_resource_len(mem, EDU_MEM_BAR) < min_len) {
		pci_err(pdev, "%s has no usable BAR%d\n", pci_name(mem),
			EDU_MEM_BAR);
		ret = -ENODEV;
		goto put;
	}
	ret = pci_enable_device_mem(mem);
	if (ret)
		goto put;
	ret = pci_request_region(mem, EDU_MEM_BAR, KBUILD_MODNAME);
	if (ret)
		goto disable;
	addr = pci_iomap(mem, EDU_MEM_BAR, 0);
	if (!addr) {
		ret = -ENOMEM;
		goto release;
	}
	*memp = mem;
	return addr;

release:
	pci_release_region(mem, EDU_MEM_BAR);
disable:
	pci_disable_device(mem);
put:
	pci_dev_put(mem);
	return IOMEM_ERR_PTR(ret);
}

/**
 * edu_mem_unmap - undo edu_mem_map()
 * @mem:	function 1 as edu_mem_map() returned it in *@memp
 * @addr:	the mapping
 */
static inline void edu_mem_unmap(struct pci_dev *mem, void __iomem *addr)
{
	pci_iounmap(mem, addr);
	pci_release_region(mem, EDU_MEM_BAR);
	pci_disable_device(mem);
	pci_dev_put(mem);
}

/**
 * edu_dma - copy one 32-bit word with edu's DMA engine and wait for it
 * @edu:	edu's BAR0
 * @src:	source: a bus address, or a buffer address if !@to_bus
 * @dst:	destination: a buffer address, or a bus address if @to_bus
 * @to_bus:	from edu's buffer to the bus (a device write) or back
 *
 * Return: 0; -EBUSY if the engine still runs an earlier transfer;
 * -ETIMEDOUT if this one did not end within %EDU_DMA_TIMEOUT_MS.
 */
static inline int edu_dma(void __iomem *edu, u64 src, u64 dst, bool to_bus)
{
	unsigned long end = jiffies + msecs_to_jiffies(EDU_DMA_TIMEOUT_MS);

	if (readq(edu + EDU_DMA_CMD) & EDU_DMA_RUN)
		return -EBUSY;
	writeq(src, edu + EDU_DMA_SRC);
	writeq(dst, edu + EDU_DMA_DST);
	writeq(sizeof(u32), edu + EDU_DMA_CNT);
	writeq(EDU_DMA_RUN | (to_bus ? EDU_DMA_TO_BUS : 0), edu + EDU_DMA_CMD);
	while (readq(edu + EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
	return 0;
}

/**
 * edu_dma_quiesce - wait for edu's DMA engine to go idle
 * @edu:	edu's BAR0
 * @tries:	how many times to look
 * @ms:		sleep between two looks
 *
 * After a timed out transfer the engine may still own the host buffer.
 *
 * Return: true once idle, false if still busy after @tries looks.
 */
static inline bool edu_dma_quiesce(void __iomem *edu, unsigned int tries,
				   unsigned int ms)
{
	unsigned int i;

	for (i = 0; i < tries; i++) {
		if (!(readq(edu + EDU_DMA_CMD) & EDU_DMA_RUN))
			return true;
		msleep(ms);
	}
	return false;
}

/**
 * struct edu_words - what edu's internal buffer holds
 * @host:	coherent host word staging a data word for the engine
 * @host_dma:	its bus address
 * @val:	data word held in each word of the buffer
 * @valid:	which @val are valid
 * @next:	next buffer word to recycle
 *
 * A device write of a data word is a DMA from the buffer, so each data
 * word is loaded into the buffer once and kept there.
 */
struct edu_words {
	u32		*host;
	dma_addr_t	host_dma;
	u32		val[EDU_BUF_WORDS];
	DECLARE_BITMAP(valid, EDU_BUF_WORDS);
	unsigned int	next;
};

/**
 * edu_words_init - allocate the host word that stages data words for edu
 * @w:		the buffer's bookkeeping, zeroed
 * @dev:	edu's device (the DMA master)
 *
 * Return: 0 or -ENOMEM. Undo with edu_words_release().
 */
static inline int edu_words_init(struct edu_words *w, struct device *dev)
{
	w->host = dma_alloc_coherent(dev, sizeof(*w->host), &w->host_dma,
				     GFP_KERNEL);
	return w->host ? 0 : -ENOMEM;
}

/**
 * edu_words_release - free the staging word
 * @w:		the buffer's bookkeeping
 * @dev:	edu's device
 *
 * Call with edu's DMA engine idle (edu_dma_quiesce()).
 */
static inline void edu_words_release(struct edu_words *w, struct device *dev)
{
	dma_free_coherent(dev, sizeof(*w->host), w->host, w->host_dma);
}

/* Index of a buffer word holding @data, loading it if needed. */
static inline int edu_word(struct edu_words *w, void __iomem *edu, u32 data)
{
	unsigned int k;
	int ret;

	for_each_set_bit(k, w->valid, EDU_BUF_WORDS) {
		if (w->val[k] == data)
			return k;
	}
	k = w->next;
	w->next = (k + 1) % EDU_BUF_WORDS;
	clear_bit(k, w->valid);
	WRITE_ONCE(*w->host, data);
	dma_wmb();
	ret = edu_dma(edu, w->host_dma, EDU_BUF_BASE + 4 * k, false);
	if (ret)
		return ret;
	w->val[k] = data;
	set_bit(k, w->valid);
	return k;
}

/**
 * edu_send - the card writes @data to @addr: one device write, an MSI
 * @w:		the buffer's contents
 * @edu:	edu's BAR0
 * @addr:	bus address
 * @data:	the 32-bit word
 *
 * Return: 0 or the error of edu_dma().
 */
static inline int edu_send(struct edu_words *w, void __iomem *edu, u64 addr,
			   u32 data)
{
	int k = edu_word(w, edu, data);

	if (k < 0)
		return k;
	return edu_dma(edu, EDU_BUF_BASE + 4 * k, addr, true);
}

/**
 * struct edu_msi_msg - the message in edu's PCI MSI capability
 * @addr:	message address
 * @data:	message data
 */
struct edu_msi_msg {
	u64	addr;
	u16	data;
};

/* edu's MSI capability is 64-bit capable and has no per-vector mask. */
static inline void edu_msi_read(struct pci_dev *pdev, struct edu_msi_msg *m)
{
	int pos = pdev->msi_cap;
	u32 lo, hi;

	pci_read_config_dword(pdev, pos + PCI_MSI_ADDRESS_LO, &lo);
	pci_read_config_dword(pdev, pos + PCI_MSI_ADDRESS_HI, &hi);
	pci_read_config_word(pdev, pos + PCI_MSI_DATA_64, &m->data);
	m->addr = (u64)hi << 32 | lo;
}

static inline void edu_msi_write(struct pci_dev *pdev,
				 const struct edu_msi_msg *m)
{
	int pos = pdev->msi_cap;

	pci_write_config_dword(pdev, pos + PCI_MSI_ADDRESS_LO,
			       lower_32_bits(m->addr));
	pci_write_config_dword(pdev, pos + PCI_MSI_ADDRESS_HI,
			       upper_32_bits(m->addr));
	pci_write_config_word(pdev, pos + PCI_MSI_DATA_64, m->data);
}

/*
 * QEMU's DMA writes carry no requester id. x86's remapping units take the
 * id from the device's own address space, but a GICv3 ITS takes it from
 * the write, sees DeviceID 0 and drops the message. Off x86 the card
 * therefore sends its interrupt messages as MSIs of its own
 * (edu_msi_borrow_send()), which carry its requester id as every write of
 * real hardware does.
 */
#define EDU_MSGS_AS_MSI		(!IS_ENABLED(CONFIG_X86))

/* The address of the card's own MSI; call once its driver enabled MSI. */
static inline u64 edu_msi_doorbell(struct pci_dev *pdev)
{
	struct edu_msi_msg own;

	if (!pdev->msi_cap)
		return 0;
	edu_msi_read(pdev, &own);
	return own.addr;
}

/**
 * edu_msi_borrow_send - the card sends @data to @addr as its own MSI
 * @pdev:	function 0 of the card, its MSI enabled by its driver
 * @edu:	edu's BAR0
 * @addr:	message address
 * @data:	message data
 *
 * The message goes into edu's MSI capability for one interrupt raised with
 * %EDU_IRQ_BORROWED, then edu's own message is put back. Unlike a DMA
 * write, an MSI carries the card's requester id, which the interrupt
 * remapping unit checks against the remapping entry's source id. The
 * interrupt is raised synchronously by the register write.
 *
 * Context: any; the caller serializes every user of edu's MSI (its own
 * interrupt included), and edu's own message must not change meanwhile.
 * Return: 0; -EINVAL if @data does not fit a 16-bit MSI data word or edu
 * has no MSI capability; -EIO if MSI is not enabled.
 */
static inline int edu_msi_borrow_send(struct pci_dev *pdev, void __iomem *edu,
				      u64 addr, u32 data)
{
	struct edu_msi_msg own, lent = { .addr = addr, .data = data };
	u16 ctrl;

	if (!pdev->msi_cap || data > U16_MAX)
		return -EINVAL;
	pci_read_config_word(pdev, pdev->msi_cap + PCI_MSI_FLAGS, &ctrl);
	if (!(ctrl & PCI_MSI_FLAGS_ENABLE) || !(ctrl & PCI_MSI_FLAGS_64BIT))
		return -EIO;
	edu_msi_read(pdev, &own);
	edu_msi_write(pdev, &lent);
	writel(EDU_IRQ_BORROWED, edu + EDU_IRQ_RAISE);
	writel(EDU_IRQ_BORROWED, edu + EDU_IRQ_ACK);
	edu_msi_write(pdev, &own);
	return 0;
}

/**
 * struct edu_entry - one interrupt message entry as the device decodes it
 * @addr:	message address
 * @data:	message data
 * @ctrl:	raw control word
 * @masked:	the device must hold the message back
 * @pasid_en:	the entry checks a PASID
 * @pasid:	that PASID
 */
struct edu_entry {
	u64	addr;
	u32	data;
	u32	ctrl;
	bool	masked;
	bool	pasid_en;
	u32	pasid;
};

/**
 * edu_entry_read - decode entry @index of a message table in device memory
 * @l:		entry layout; &ims_array_layout_dsa also decodes a PCI MSI-X
 *		table, whose entries have the same shape (vector control bit 0
 *		masks, no PASID bits set)
 * @table:	mapped start of entry 0
 * @index:	entry to read
 * @e:		filled in
 */
static inline void edu_entry_read(const struct ims_array_layout *l,
				  void __iomem *table, unsigned int index,
				  struct edu_entry *e)
{
	void __iomem *p = table + (size_t)index * l->stride;
	u32 v = readl(p + l->ctrl);

	e->ctrl = v;
	e->masked = !!(v & BIT(l->mask_bit)) != l->mask_active_low;
	e->pasid_en = l->pasid_en_bit >= 0 && (v & BIT(l->pasid_en_bit));
	e->pasid = (v >> l->pasid_shift) & GENMASK(l->pasid_width - 1, 0);
	e->addr = (u64)readl(p + l->addr_hi) << 32 | readl(p + l->addr_lo);
	e->data = readl(p + l->data);
}

/**
 * edu_msi_addr_ok - whether the card may send a message write to @addr
 * @addr:	the message address
 * @doorbell:	the address of the card's own MSI, read from its capability
 *		once its driver enabled MSI (edu_msi_doorbell()); 0 on x86
 *
 * A message write must reach the platform's MSI target and nothing else,
 * or a wrong message would write memory: on x86 the local APIC window
 * (remapped or not), elsewhere the doorbell the card's own MSI writes to,
 * the one of every message of the card (arm64: the GICv3 ITS's
 * GITS_TRANSLATER, or its IOVA behind an SMMU).
 *
 * Return: true if the card may write a message to @addr.
 */
static inline bool edu_msi_addr_ok(u64 addr, u64 doorbell)
{
	if (IS_ENABLED(CONFIG_X86))
		return (addr >> 20) == 0xfee;
	return doorbell && addr == doorbell;
}

/**
 * edu_array_reset - put array storage into the device's reset state
 * @l:		entry layout
 * @table:	mapped start of entry 0
 * @len:	bytes of storage
 *
 * Everything zero, every entry masked: what ims_core expects to find.
 */
static inline void edu_array_reset(const struct ims_array_layout *l,
				   void __iomem *table, size_t len)
{
	u32 masked = l->mask_active_low ? 0 : BIT(l->mask_bit);
	size_t off;

	memset_io(table, 0, len);
	for (off = 0; off + l->stride <= len; off += l->stride)
		writel(masked, table + off + l->ctrl);
}

#endif /* _TESTCARD_EDU_H */
