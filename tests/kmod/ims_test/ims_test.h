/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ims_test internals shared by its parts:
 *   main.c	the PCI driver, the debugfs control files, command dispatch
 *   device.c	the device side: storage as the device reads it, firing
 *		(edu's DMA engine or edu's MSI), the handlers, the queue
 *		context the sync callback writes
 *   domain.c	domain commands: create, destroy, stats, lookups
 *   slot.c	slot and irq commands: alloc, free, request, mask, PASID
 *   storm.c	the storm: continuous firing against PASID pushes and
 *		affinity changes
 */
#ifndef _IMS_TEST_H
#define _IMS_TEST_H

#include <linux/atomic.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <ims/ims.h>
#include <testcard/edu.h>

#define IT_MAX_DOMAINS		16
#define IT_MAX_BATCH		256
#define IT_MAX_FIRE		200
#define IT_IRQ_WAIT_MS		1000
#define IT_REGION_ALIGN		SZ_4K
#define IT_RESULT_LEN		4096
#define IT_SLOT_MAGIC		0x1b5e55edU
#define IT_MAX_ARGS		8
#define IT_CMD_LEN		128

/* queue context as the device reads it */
#define IT_Q_STRIDE		32
#define IT_Q_ADDR_LO		0
#define IT_Q_ADDR_HI		4
#define IT_Q_DATA		8
#define IT_Q_FLAGS		12
#define IT_Q_F_MASKED		BIT(0)
#define IT_Q_F_PASID		BIT(1)
#define IT_Q_PASID		16
#define IT_Q_SEQ		20

struct it_dev;
struct it_domain;

/**
 * struct it_slot - one allocated IMS interrupt of the test client
 * @magic:	%IT_SLOT_MAGIC; lets the sync callback check its context
 * @dom:	owning domain
 * @index:	hardware slot index
 * @virq:	Linux interrupt number
 * @requested:	request_irq() done
 * @disabled:	disable_irq() depth
 * @pending:	messages the device held back while the slot was masked
 * @latched:	messages sent while the irq was disabled: the kernel latches
 *		the first and resends it at enable_irq()
 * @pasid_err:	fire requests refused by the device's PASID check
 * @last_cpu:	CPU of the last delivery, -1 before the first one
 * @total:	deliveries
 * @cpu:	deliveries per CPU, nr_cpu_ids entries
 * @syncs:	successful queue sync callbacks with this slot as context
 * @sync_index:	index the last sync callback was called with, -1 if none
 * @self_disabled: disable_irq_nosync() calls of the "nosync" handler that
 *		enable_irq() has not matched yet
 * @name:	irq action name
 */
struct it_slot {
	u32			magic;
	struct it_domain	*dom;
	unsigned int		index;
	int			virq;
	bool			requested;
	unsigned int		disabled;
	unsigned int		pending;
	unsigned int		latched;
	unsigned int		pasid_err;
	int			last_cpu;
	atomic_t		total;
	atomic_t		*cpu;
	atomic_t		syncs;
	int			sync_index;
	atomic_t		self_disabled;
	char			name[32];
};

/**
 * struct it_domain - one IMS domain created by the test client
 * @itd:	the device
 * @id:		command id
 * @type:	template
 * @nr_slots:	slots asked for
 * @uname:	the name given in the create command, empty if none
 * @off:	start of the storage region in the memory BAR
 * @len:	length of the storage region
 * @mem:	mapped start of the storage region
 * @ims:	the ims_core domain
 * @slots:	allocated slots by index
 * @devm:	created with devm_ims_create_domain()
 * @pdev:	the device the domain is created for: edu, or with "peer" the
 *		memory function, whose requester id the IRTEs then name
 * @layout:	array template: the entry layout
 * @retired:	ims_destroy_domain() was called while interrupts were still
 *		requested: @ims is gone, only free_irq() is left to do
 * @scratch:	"scratch": the memory that held the layout or callbacks given
 *		to ims_core, reused for something else after creation
 * @sync_alloc:	queue template: "syncalloc": the array domain on which every
 *		sync callback allocates and frees one interrupt
 * @sync_allocs: such allocations that succeeded
 * @sync_fail:	queue template: make sync fail
 * @sync_calls:	queue template: sync callbacks
 * @sync_errors: queue template: syncs failed on purpose
 * @sync_bad:	queue template: syncs with a wrong index or context
 */
struct it_domain {
	struct it_dev		*itd;
	unsigned int		id;
	enum ims_template_type	type;
	unsigned int		nr_slots;
	char			uname[64];
	size_t			off;
	size_t			len;
	void __iomem		*mem;
	struct ims_domain	*ims;
	struct xarray		slots;
	bool			devm;
	struct pci_dev		*pdev;
	const struct ims_array_layout *layout;
	bool			retired;
	void			*scratch;
	struct it_domain	*sync_alloc;
	atomic_t		sync_allocs;
	bool			sync_fail;
	atomic_t		sync_calls;
	atomic_t		sync_errors;
	atomic_t		sync_bad;
};

/**
 * struct it_dev - the test card
 * @pdev:	edu, function 0
 * @mem_pdev:	ivshmem, function 1
 * @regs:	edu BAR0
 * @mem:	ivshmem BAR2, the device memory
 * @mem_len:	its length
 * @lock:	serializes commands and protects @doms
 * @dma_lock:	serializes use of the edu DMA engine
 * @msi_lock:	serializes use of edu's MSI: its own interrupt and messages
 *		lent to its MSI capability for one write
 * @words:	edu's internal buffer, its host staging word included
 * @edu_virq:	edu's own MSI
 * @doorbell:	the address of edu's own MSI (edu_msi_addr_ok())
 * @edu_irqs:	deliveries of edu's own MSI
 * @edu_other:	messages on edu's own MSI vector that edu did not raise as
 *		its own interrupt
 * @wq:		woken by every delivery
 * @doms:	domains by id
 * @dbg:	debugfs directory
 * @result:	result of the last command
 */
struct it_dev {
	struct pci_dev		*pdev;
	struct pci_dev		*mem_pdev;
	void __iomem		*regs;
	void __iomem		*mem;
	size_t			mem_len;
	struct mutex		lock;		/* commands, @doms */
	struct mutex		dma_lock;	/* the edu DMA engine */
	spinlock_t		msi_lock;	/* edu's MSI capability */
	struct edu_words	words;
	int			edu_virq;
	u64			doorbell;
	atomic_t		edu_irqs;
	atomic_t		edu_other;
	wait_queue_head_t	wq;
	struct it_domain	*doms[IT_MAX_DOMAINS];
	struct dentry		*dbg;
	char			*result;
};

/* message of a slot as the device reads it from the storage */
struct it_msg {
	u64	addr;
	u32	data;
	bool	masked;
	bool	pasid_en;
	u32	pasid;
	u32	raw;
};

/* outcome of fire requests */
struct it_fire {
	unsigned int	sent;
	unsigned int	delivered;
	unsigned int	held;
	unsigned int	pasid_err;
	unsigned int	bad_addr;
};

/* options after the fixed arguments of alloc, batch and fire */
struct it_opts {
	u32	pasid;		/* "pasid P" */
	int	cpu;		/* "cpu C" or "managed C": affinity, -1 if none */
	bool	managed;	/* "managed C": a managed affinity descriptor */
};

/**
 * struct it_args - a command: its words and what its parse step read
 * @argc:	number of words
 * @argv:	the words
 * @opts:	options of alloc, batch and fire
 * @idx:	slot index of fire and dump, first index of alloc
 * @last:	last index of "alloc ID range"
 * @n:		count of batch and fire
 * @val:	number of virq, index and queue_fail
 * @pasid:	PASID of pasid
 * @flag:	alloc: a range
 * @bits:	flag words of create and request (IT_F_*)
 */
struct it_args {
	int		argc;
	char		*argv[IT_MAX_ARGS];
	struct it_opts	opts;
	unsigned int	idx;
	unsigned int	last;
	unsigned int	n;
	unsigned int	val;
	u32		pasid;
	bool		flag;
	unsigned int	bits;
};

/* flag words of create ... NAME FLAG... and request ID IDX FLAG... */
#define IT_F_DEVM	BIT(0)	/* create: devm_ims_create_domain() */
#define IT_F_PEER	BIT(1)	/* create: for the memory function */
#define IT_F_SCRATCH	BIT(2)	/* create: description memory reused after */
#define IT_F_LAZY	BIT(3)	/* request: keep disable_irq() lazy (array) */
#define IT_F_NOAUTOEN	BIT(4)	/* request: IRQF_NO_AUTOEN */
#define IT_F_NOSYNC	BIT(5)	/* request: handler calls disable_irq_nosync() */
#define IT_F_SPARES	BIT(6)	/* create: IMS_DOMAIN_SPARES */
/* what words 1 and 2 of a command name */
enum it_target {
	IT_NOTHING,
	IT_DOMAIN,	/* word 1: domain id */
	IT_SLOT,	/* word 1: domain id, word 2: slot index */
};

/**
 * struct it_cmd - a command of the cmd file
 * @name:	word 0
 * @min_argc:	fewest words
 * @max_argc:	most words
 * @target:	what the command works on, looked up after @parse
 * @parse:	reads the other words into &struct it_args, or NULL;
 *		-EINVAL for a malformed command
 * @run:	carries the command out on its target (NULL if it has
 *		none) and reports in the result; returns -EINVAL for a
 *		malformed command, else 0
 * @needs_ims:	uses the domain's ims_core handle: refused with -ESTALE on a
 *		retired domain
 */
struct it_cmd {
	const char	*name;
	int		min_argc;
	int		max_argc;
	enum it_target	target;
	int		(*parse)(struct it_args *a);
	int		(*run)(struct it_dev *itd, struct it_args *a,
			       struct it_domain *dom, struct it_slot *s);
	bool		needs_ims;
};

/* a NULL-named entry ends a table */
extern const struct it_cmd it_device_cmds[];
extern const struct it_cmd it_domain_cmds[];
extern const struct it_cmd it_slot_cmds[];
extern const struct it_cmd it_storm_cmds[];

extern const struct ims_array_layout it_alt_layout;
extern const struct ims_queue_ops it_queue_ops;

/* main.c */
__printf(2, 3) void it_result(struct it_dev *itd, const char *fmt, ...);
int it_uint(const char *s, unsigned int *v);
int it_pasid(const char *s, u32 *pasid);
int it_parse_opts(struct it_args *a, int i, bool cpu_ok);

/* device.c */
void it_read_storage(struct it_domain *dom, unsigned int index,
		     struct it_msg *m);
int it_msi_send(struct it_dev *itd, u64 addr, u32 data);
int it_fire_pending(struct it_slot *s, struct it_fire *f);
void it_fire_result(struct it_dev *itd, int ret, struct it_fire *f);
irqreturn_t it_ims_handler(int irq, void *data);
irqreturn_t it_edu_handler(int irq, void *data);

/* domain.c */
void it_domain_destroy(struct it_domain *dom);

/* slot.c */
struct it_slot *it_slot_new(struct it_domain *dom);
void it_slot_free(struct it_slot *s);
void it_slot_release(struct it_slot *s);
void it_slot_forget(struct it_domain *dom, struct it_slot *s);
int it_slot_destroy(struct it_domain *dom, struct it_slot *s);

#endif /* _IMS_TEST_H */
