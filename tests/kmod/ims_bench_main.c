// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_bench - IMS against MSI-X on the QEMU test bed.
 *
 * Two devices take part. The test card (edu at function 0, ivshmem at
 * function 1 as its memory) carries the IMS domains, exactly as a client of
 * ims_core would use them. A QEMU "nvme" function with a 2048-entry MSI-X
 * table is the MSI-X contender: its Linux driver is absent, this module
 * binds it and allocates its vectors dynamically (pci_msix_alloc_irq_at(),
 * where the kernel has it) or with the disable/re-enable dance
 * (pci_free_irq_vectors() + pci_alloc_irq_vectors(k)).
 *
 * For the lossless growth test edu's DMA engine fires real messages: the
 * composed message of an IMS slot read from its storage, or the address and
 * data the kernel wrote into the nvme's MSI-X table. A masked entry (or
 * MSI-X disabled) holds the message back, as a device does; a message in
 * flight that reaches a freed remapping entry is dropped by the IOMMU.
 *
 * Control: /sys/kernel/debug/ims_bench/cmd takes one command per write(2)
 * (malformed: -EINVAL), /sys/kernel/debug/ims_bench/result tells the
 * outcome, "ok key=value ..." or "err ERRNO ...". Times are nanoseconds.
 * A batch's time is divided over its members: the times per interrupt of
 * batched and one-by-one allocation compare. Contenders: array, queue
 * (IMS templates), msix (dynamic MSI-X), dance (MSI-X re-enabled), and
 * array-s (the array template with IMS_DOMAIN_SPARES).
 *
 *	caps				what this kernel offers
 *	perop array|queue|msix N R	allocate N one by one, request the
 *					first R, then release and free all;
 *					mean time of each call
 *	bperop array|queue N R		the same, allocated in batches of
 *					IB_BATCH with ims_alloc_irqs()
 *	grow array|dance N CAPMS	grow from 1 to N requested vectors;
 *					stop at CAPMS
 *	lossless array|dance N GAPMS	grow from 1 to N, one step every
 *					GAPMS, while edu fires on the vectors
 *					that exist; sent vs received
 *	sopen array|array-s NSLOTS	array domain for the scale test
 *	salloc TOTAL			allocate until TOTAL are held (or
 *					allocation fails)
 *	bsalloc TOTAL			the same in batches of IB_BATCH
 *	sprobe				cost at the current occupancy: a fresh
 *					domain's allocation and the irq
 *					descriptor allocator alone
 *	bsprobe				the same, the fresh domain allocated
 *					in batches of IB_BATCH
 *	sreq				request held irqs until one fails
 *	sfree				free all, destroy the scale domain
 *	chold array-s|msix K		open the churn contender, hold K
 *	crun CYCLES			churn: CYCLES cycles of alloc +
 *					request + free_irq + free of one
 *					interrupt, then ims_release_spares()
 *	cclose				free the held ones, close
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "ims_bench_common.h"

IMS_IMPORT_NS();

static struct ib_dev ib_the_dev = {
	.lock = __MUTEX_INITIALIZER(ib_the_dev.lock),
};

__printf(2, 3) void ib_result(struct ib_dev *ib, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(ib->result, IB_RESULT_LEN, fmt, args);
	va_end(args);
}

/* Append to the result of the current command. */
__printf(2, 3) void ib_result_add(struct ib_dev *ib, const char *fmt, ...)
{
	size_t len = strlen(ib->result);
	va_list args;

	va_start(args, fmt);
	vscnprintf(ib->result + len, IB_RESULT_LEN - len, fmt, args);
	va_end(args);
}

/* ---- commands ----------------------------------------------------------- */

static void ib_cmd_caps(struct ib_dev *ib)
{
	bool dyn = false;

	/* whether this kernel can allocate MSI-X vectors one by one */
	if (ib->nvme && pci_alloc_irq_vectors(ib->nvme, 1, 1, PCI_IRQ_MSIX) > 0) {
		dyn = ib_msix_dyn(ib->nvme);
		pci_free_irq_vectors(ib->nvme);
	}
	ib_result(ib, "ok edu=%d nvme=%d msix_size=%u msix_dyn=%d cpus=%u batch=%u",
		  !!ib->edu, !!ib->nvme, ib->msix_size, dyn, num_online_cpus(),
		  IB_BATCH);
	ib_result_add(ib, " churn_room=%u", IB_CHURN_ROOM);
}

/* ---- control files ------------------------------------------------------ */

#define IB_MAX_ARGS	4

/* These verbs without their leading "b" allocate one by one. */
static const char * const ib_batched_verbs[] = {
	"bperop", "bsalloc", "bsprobe",
};

/* Commands without a contender: VERB [NUMBER]. */
static int ib_exec_plain(struct ib_dev *ib, int argc, char **argv,
			 unsigned int batch)
{
	const char *verb = argv[0];
	unsigned int v = 0;

	if (argc == 2 && kstrtouint(argv[1], 0, &v))
		return -EINVAL;
	if (argc == 1 && !strcmp(verb, "caps"))
		ib_cmd_caps(ib);
	else if (argc == 2 && !strcmp(verb, "salloc"))
		ib_cmd_salloc(ib, v, batch);
	else if (argc == 1 && !strcmp(verb, "sprobe"))
		ib_cmd_sprobe(ib, batch);
	else if (argc == 1 && !strcmp(verb, "sreq"))
		ib_cmd_sreq(ib);
	else if (argc == 1 && !strcmp(verb, "sfree"))
		ib_cmd_sfree(ib);
	else if (argc == 2 && !strcmp(verb, "crun"))
		ib_cmd_crun(ib, v);
	else if (argc == 1 && !strcmp(verb, "cclose"))
		ib_cmd_cclose(ib);
	else
		return -EINVAL;
	return 0;
}

static int ib_exec(struct ib_dev *ib, int argc, char **argv)
{
	unsigned int v[2] = { }, batch = 1, flags;
	enum ib_kind kind;
	int i;

	if (match_string(ib_batched_verbs, ARRAY_SIZE(ib_batched_verbs),
			 argv[0]) >= 0) {
		batch = IB_BATCH;
		argv[0]++;
	}
	if (argc <= 2 && strcmp(argv[0], "sopen") && strcmp(argv[0], "chold"))
		return ib_exec_plain(ib, argc, argv, batch);

	/* VERB CONTENDER NUMBER [NUMBER] */
	if (argc < 3 || ib_parse_contender(argv[1], &kind, &flags))
		return -EINVAL;
	for (i = 2; i < argc; i++) {
		if (kstrtouint(argv[i], 0, &v[i - 2]))
			return -EINVAL;
	}
	if (argc == 3 && !strcmp(argv[0], "sopen"))
		ib_cmd_sopen(ib, kind, flags, v[0]);
	else if (argc == 3 && !strcmp(argv[0], "chold"))
		ib_cmd_chold(ib, kind, flags, v[0]);
	else if (argc != 4 || flags)
		return -EINVAL;
	else if (!strcmp(argv[0], "perop"))
		ib_cmd_perop(ib, kind, v[0], v[1], batch);
	else if (!strcmp(argv[0], "grow"))
		ib_cmd_grow(ib, kind, v[0], v[1]);
	else if (!strcmp(argv[0], "lossless"))
		ib_cmd_lossless(ib, kind, v[0], v[1]);
	else
		return -EINVAL;
	return 0;
}

static ssize_t ib_cmd_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct ib_dev *ib = file->private_data;
	char *argv[IB_MAX_ARGS], *buf, *p, *tok;
	int argc = 0, ret;

	buf = memdup_user_nul(ubuf, min_t(size_t, len, 128));
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	p = strim(buf);
	while ((tok = strsep(&p, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == IB_MAX_ARGS) {
			kfree(buf);
			return -EINVAL;
		}
		argv[argc++] = tok;
	}
	ret = -EINVAL;
	if (argc) {
		mutex_lock(&ib->lock);
		if (!ib->edu || !ib->mem)
			ret = -ENODEV;
		else
			ret = ib_exec(ib, argc, argv);
		mutex_unlock(&ib->lock);
	}
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations ib_cmd_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= ib_cmd_write,
	.llseek	= noop_llseek,
};

static int ib_result_show(struct seq_file *m, void *unused)
{
	struct ib_dev *ib = m->private;

	mutex_lock(&ib->lock);
	seq_printf(m, "%s\n", ib->result);
	mutex_unlock(&ib->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ib_result);

/* ---- PCI driver: the card's edu function and the nvme function --------- */

static int ib_nvme_probe(struct ib_dev *ib, struct pci_dev *pdev)
{
	u32 table;
	int ret;

	if (!pdev->msix_cap)
		return -ENODEV;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
	ib->msix_size = pci_msix_vec_count(pdev);
	/* the device side reads the table; the kernel maps it separately */
	ib->msix_tab = pci_iomap_range(pdev, table & PCI_MSIX_TABLE_BIR,
				       table & PCI_MSIX_TABLE_OFFSET,
				       (size_t)ib->msix_size * PCI_MSIX_ENTRY_SIZE);
	if (!ib->msix_tab) {
		pci_disable_device(pdev);
		return -ENOMEM;
	}
	ib->nvme = pdev;
	return 0;
}

static int ib_edu_probe(struct ib_dev *ib, struct pci_dev *pdev)
{
	void __iomem *regs, *mem;
	int ret;

	regs = edu_regs_map(pdev);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	mem = edu_mem_map(pdev, SZ_4M, &ib->mem_pdev);
	if (IS_ERR(mem)) {
		ret = PTR_ERR(mem);
		goto unmap;
	}
	ret = edu_words_init(&ib->words, &pdev->dev);
	if (ret)
		goto mem;
	ib->regs = regs;
	ib->mem = mem;
	ib->edu = pdev;
	return 0;

mem:
	edu_mem_unmap(ib->mem_pdev, mem);
unmap:
	edu_regs_unmap(pdev, regs);
	return ret;
}

static int ib_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ib_dev *ib = &ib_the_dev;
	int ret;

	mutex_lock(&ib->lock);
	if (pdev->vendor == EDU_VENDOR)
		ret = ib->edu ? -EBUSY : ib_edu_probe(ib, pdev);
	else
		ret = ib->nvme ? -EBUSY : ib_nvme_probe(ib, pdev);
	mutex_unlock(&ib->lock);
	return ret;
}

static void ib_remove(struct pci_dev *pdev)
{
	struct ib_dev *ib = &ib_the_dev;

	mutex_lock(&ib->lock);
	if (pdev == ib->nvme) {
		pci_iounmap(pdev, ib->msix_tab);
		pci_disable_device(pdev);
		ib->nvme = NULL;
	} else if (pdev == ib->edu) {
		if (ib->scale.vec)
			ib_scale_close(ib);
		ib_churn_close(ib);
		if (!edu_dma_quiesce(ib->regs, 100, 50))
			dev_warn(&pdev->dev, "DMA engine still busy at removal\n");
		edu_words_release(&ib->words, &pdev->dev);
		edu_mem_unmap(ib->mem_pdev, ib->mem);
		edu_regs_unmap(pdev, ib->regs);
		ib->mem = NULL;
		ib->edu = NULL;
	}
	mutex_unlock(&ib->lock);
}

static const struct pci_device_id ib_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ PCI_DEVICE(IB_NVME_VENDOR, IB_NVME_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, ib_ids);

static struct pci_driver ib_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= ib_ids,
	.probe		= ib_probe,
	.remove		= ib_remove,
};

static int __init ib_init(void)
{
	struct ib_dev *ib = &ib_the_dev;
	int ret;

	ib->result = kzalloc(IB_RESULT_LEN, GFP_KERNEL);
	if (!ib->result)
		return -ENOMEM;
	strscpy(ib->result, "ok idle", IB_RESULT_LEN);
	ret = pci_register_driver(&ib_driver);
	if (ret) {
		kfree(ib->result);
		return ret;
	}
	ib->dbg = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("cmd", 0200, ib->dbg, ib, &ib_cmd_fops);
	debugfs_create_file("result", 0444, ib->dbg, ib, &ib_result_fops);
	return 0;
}

static void __exit ib_exit(void)
{
	debugfs_remove_recursive(ib_the_dev.dbg);
	pci_unregister_driver(&ib_driver);
	kfree(ib_the_dev.result);
}

module_init(ib_init);
module_exit(ib_exit);

MODULE_DESCRIPTION("IMS against MSI-X benchmark on the QEMU test bed");
MODULE_LICENSE("GPL");
