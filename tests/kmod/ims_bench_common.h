/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ims_bench - what its files share: the devices, the contenders' interrupt
 * sets, the timing helpers and the commands of each phase.
 *
 *	ims_bench_main.c	control files, PCI probe, caps
 *	ims_bench_set.c		interrupt sets of every contender, timing
 *	ims_bench_growth.c	per-op cost, growth, lossless growth
 *	ims_bench_scale.c	one large domain grown to the maximum
 *	ims_bench_churn.c	one interrupt cycled with K held
 */
#ifndef _IMS_BENCH_COMMON_H
#define _IMS_BENCH_COMMON_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>

#include <ims/ims.h>
#include <testcard/edu.h>

#define IB_NVME_VENDOR		0x1b36		/* QEMU's nvme */
#define IB_NVME_DEVICE		0x0010
#define IB_RESULT_LEN		4096
#define IB_WINDOW		64		/* ops per median window */
#define IB_WINDOW_TAIL		16		/* ops of the tail window */
#define IB_BUCKETS		8
#define IB_PEROP_SLOTS		2048		/* like the MSI-X table */
#define IB_PROBE_SLOTS		IB_WINDOW
#define IB_BATCH		32		/* ims_alloc_irqs() batch */
#define IB_CHURN_CYCLES_MAX	1024
#define IB_CHURN_HOLD_MAX	32768
/* Slots of the churn domain beyond those held: room for a block of spares. */
#define IB_CHURN_ROOM		(2 * IB_BATCH)

/* Storage regions in the card's memory (4 MiB), one per kind of domain. */
#define IB_OFF_ARRAY		0
#define IB_OFF_QUEUE		SZ_64K
#define IB_OFF_PROBE		SZ_512K
#define IB_OFF_SCALE		SZ_1M
#define IB_OFF_CHURN		SZ_2M

enum ib_kind { IB_ARRAY, IB_QUEUE, IB_MSIX, IB_DANCE };

/**
 * struct ib_vec - one interrupt of a contender
 * @virq:	Linux irq, 0 when none
 * @index:	IMS slot or MSI-X table entry
 * @requested:	request_irq() done
 * @sent:	messages edu sent for it (lossless test)
 * @recv:	deliveries to its handler
 */
struct ib_vec {
	unsigned int	virq;
	unsigned int	index;
	bool		requested;
	unsigned int	sent;
	atomic_t	recv;
};

/**
 * struct ib_set - the interrupts of one contender
 * @ib:		the module's devices
 * @kind:	contender
 * @flags:	IMS_DOMAIN_* flags of its IMS domain
 * @ims:	IMS domain (array and queue)
 * @store:	its storage in the card's memory
 * @vec:	the interrupts, @n of @max in use
 * @n:		allocated
 * @max:	capacity of @vec (and slots of the IMS domain)
 */
struct ib_set {
	struct ib_dev		*ib;
	enum ib_kind		kind;
	unsigned int		flags;
	struct ims_domain	*ims;
	void __iomem		*store;
	struct ib_vec		*vec;
	unsigned int		n;
	unsigned int		max;
};

/**
 * struct ib_dev - what the module drives
 * @edu:	the card's function 0: IMS domains, DMA engine
 * @regs:	its BAR0
 * @mem_pdev:	the card's memory function
 * @mem:	its BAR2
 * @words:	edu's buffer
 * @nvme:	the MSI-X contender
 * @msix_tab:	its MSI-X table, mapped for the device-side reads
 * @msix_size:	entries of that table
 * @lock:	serializes commands
 * @scale:	the scale test's domain, kept between its commands
 * @scale_ns:	per-op allocation time of @scale, by op number
 * @churn:	the churn test's contender with its held interrupts, kept
 *		between its commands
 * @dbg:	debugfs directory
 * @result:	outcome of the last command
 */
struct ib_dev {
	struct pci_dev		*edu;
	void __iomem		*regs;
	struct pci_dev		*mem_pdev;
	void __iomem		*mem;
	struct edu_words	words;
	struct pci_dev		*nvme;
	void __iomem		*msix_tab;
	unsigned int		msix_size;
	struct mutex		lock;		/* commands */
	struct ib_set		scale;
	u32			*scale_ns;
	struct ib_set		churn;
	struct dentry		*dbg;
	char			*result;
};

/**
 * struct ib_stats - order statistics of a series of times
 * @min:	smallest
 * @q1:		lower quartile (nearest rank)
 * @med:	median, the mean of the middle two for an even count
 * @q3:		upper quartile (nearest rank)
 * @max:	largest
 * @mean:	mean
 */
struct ib_stats {
	u32	min;
	u32	q1;
	u32	med;
	u32	q3;
	u32	max;
	u32	mean;
};

/* ims_bench_main.c */
__printf(2, 3) void ib_result(struct ib_dev *ib, const char *fmt, ...);
__printf(2, 3) void ib_result_add(struct ib_dev *ib, const char *fmt, ...);

/* ims_bench_set.c: timing */
u32 ib_median(const u32 *v, unsigned int n);
u32 ib_mean(const u32 *v, unsigned int n);
int ib_stats(const u32 *v, unsigned int n, struct ib_stats *s);
u32 ib_since(u64 t0);

/* ims_bench_set.c: contenders */
bool ib_msix_dyn(struct pci_dev *pdev);
int ib_parse_contender(const char *s, enum ib_kind *kind, unsigned int *flags);
const char *ib_name(enum ib_kind kind);
size_t ib_off(enum ib_kind kind);
int ib_set_open(struct ib_dev *ib, struct ib_set *set, enum ib_kind kind,
		unsigned int flags, const char *name, size_t off,
		unsigned int max);
int ib_set_request(struct ib_set *set, unsigned int i);
void ib_set_release(struct ib_set *set, unsigned int i);
int ib_set_alloc(struct ib_set *set, unsigned int nr);
int ib_set_alloc_timed(struct ib_set *set, unsigned int nr, u32 *t);
void ib_set_free_last(struct ib_set *set);
void ib_set_close(struct ib_set *set);
void ib_close_timed(struct ib_dev *ib, struct ib_set *set,
		    void (*close)(struct ib_dev *ib));
size_t ib_slot_bytes(struct ib_set *set);
void ib_set_stats(struct ib_set *set, struct ims_domain_stats *st);

/* ims_bench_growth.c */
void ib_cmd_perop(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
		  unsigned int reqmax, unsigned int batch);
void ib_cmd_grow(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
		 unsigned int cap_ms);
void ib_cmd_lossless(struct ib_dev *ib, enum ib_kind kind, unsigned int n,
		     unsigned int gap_ms);

/* ims_bench_scale.c */
void ib_cmd_sopen(struct ib_dev *ib, enum ib_kind kind, unsigned int flags,
		  unsigned int nslots);
void ib_cmd_salloc(struct ib_dev *ib, unsigned int total, unsigned int batch);
void ib_cmd_sprobe(struct ib_dev *ib, unsigned int batch);
void ib_cmd_sreq(struct ib_dev *ib);
void ib_cmd_sfree(struct ib_dev *ib);
void ib_scale_close(struct ib_dev *ib);

/* ims_bench_churn.c */
void ib_cmd_chold(struct ib_dev *ib, enum ib_kind kind, unsigned int flags,
		  unsigned int k);
void ib_cmd_crun(struct ib_dev *ib, unsigned int cycles);
void ib_cmd_cclose(struct ib_dev *ib);
void ib_churn_close(struct ib_dev *ib);

#endif /* _IMS_BENCH_COMMON_H */
