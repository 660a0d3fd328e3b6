// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_test - test client of ims_core on QEMU's edu device.
 *
 * The test card sits at one PCI slot: function 0 is QEMU's "edu" device
 * (1234:11e8), the device that raises the interrupts; function 1 is an
 * ivshmem-plain device whose BAR2 plays the device memory that holds the IMS
 * storage. All IMS domains are created on the edu device, because the edu
 * device emits the interrupt writes and its requester id is the one the
 * interrupt remapping unit checks.
 *
 * "The device fires slot i" means: read slot i's message from the storage
 * the way the device would (the 16-byte DSA entry of an array domain, or the
 * queue context the sync callback wrote for a queue domain); if the slot is
 * masked, remember a pending message and send nothing; if the slot checks a
 * PASID and the firing request carries another one (or none), send nothing
 * and count a PASID error; otherwise the edu DMA engine copies the 32-bit
 * data word from its internal buffer to the message address. The interrupt
 * thus always comes from a real device write. Pending messages are sent
 * once when the slot is unmasked through the "unmask" command.
 *
 * "fire_msi" sends the same message as an MSI of edu's instead: the message
 * is lent to edu's PCI MSI capability for one interrupt raised through
 * edu's raise-irq register, then edu's own message is put back, under a
 * lock that edu's own MSI takes too. Unlike the DMA write, that write
 * carries edu's requester id (00:14.0), which the remapping unit checks
 * against the source id of the remapping entry.
 *
 * Queue context of a queue domain slot, 32 bytes at BAR2 + region + 32 * index:
 *	0 addr_lo, 4 addr_hi, 8 data, 12 flags (bit 0 masked, bit 1 PASID
 *	check), 16 PASID, 20 number of successful syncs
 *
 * Control interface: /sys/kernel/debug/ims_test/
 *	cmd	write one command per write(2); a malformed command fails the
 *		write with -EINVAL, anything else succeeds and reports in result
 *	result	outcome of the last command: "ok key=value ..." or "err ERRNO"
 *	counts	one line per allocated slot, see the header line
 *
 * Commands (ID = domain id, IDX = slot index, P = PASID number or "none"):
 *	create array|array-alt|array-nopasid|queue NSLOTS [NAME [FLAG...]]
 *					new domain -> id, domain name. FLAGs:
 *					"devm": devm_ims_create_domain(),
 *					destroyed by devres at unbind; "peer":
 *					for function 1 (the memory function,
 *					00:14.1) instead of edu, so its IRTEs
 *					name 00:14.1; "scratch": the layout or
 *					callbacks given to ims_core are in
 *					memory reused right after creation;
 *					"syncalloc=ID" (queue): each sync
 *					allocates and frees an interrupt of the
 *					array domain ID first; "spares":
 *					IMS_DOMAIN_SPARES
 *	destroy ID			release, free and destroy everything
 *					(not for devm domains: -EPERM)
 *	alloc ID any|at IDX|range FIRST LAST [pasid P] [cpu C|managed C]
 *	batch ID N [pasid P] [cpu C|managed C]
 *					ims_alloc_irqs() of N slots (cpu C: an
 *					affinity descriptor; managed C: a
 *					managed one)
 *	free ID IDX			release (if requested) and free a slot
 *	freeall ID			release all, ims_free_all_irqs()
 *	request ID IDX [lazy] [noautoen] [nosync]
 *					request_irq(); "lazy": array only,
 *					disable_irq() masks at the next
 *					interrupt; "noautoen": IRQF_NO_AUTOEN
 *					(unmask enables it); "nosync": the
 *					handler calls disable_irq_nosync() on
 *					its irq (unmask enables it again)
 *	release ID IDX			free_irq()
 *	fire ID IDX [N] [pasid P]	the device fires the slot N times
 *	fire_msi ID IDX [N] [pasid P]	the same, each message as an MSI of edu
 *	mask ID IDX / unmask ID IDX	disable_irq() / enable_irq(); unmask
 *					sends a pending message
 *	pasid ID IDX P			ims_set_pasid()
 *	dump ID IDX			raw storage of a slot as the device sees it
 *	stats ID			ims_domain_get_stats() and sync counters
 *	release_spares ID		ims_release_spares()
 *	virq ID IDX / index ID VIRQ	ims_index_virq() / ims_irq_index()
 *	queue_fail ID 0|1		make the queue sync callback fail (-EIO)
 *	misuse ID IDX free|destroy	driver bug on purpose: ims_free_irq() or
 *					ims_destroy_domain() while IDX is still
 *					requested. After destroy the domain is
 *					retired: only release and destroy
 *					(which releases) work on it
 *	lookups ID IDX MS		for MS ms, allocate and free slot IDX
 *					while a thread looks it up with
 *					ims_index_virq() and ims_irq_index()
 *	edu_msi				raise edu's own PCI MSI and wait for it
 *	storm ID IDX MS [HOLD_US]	queue slot IDX, allocated and not
 *					requested: for MS ms the device fires
 *					it continuously (as MSIs) while a thread
 *					pushes PASID changes and moves it
 *					between CPUs; the handler holds its CPU
 *					HOLD_US (default 10000); then the device
 *					fires it 10 more times (see storm.c)
 */

#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>

#include "ims_test.h"

IMS_IMPORT_NS();

static struct it_dev *it_the_dev;

__printf(2, 3) void it_result(struct it_dev *itd, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	vscnprintf(itd->result, IT_RESULT_LEN, fmt, args);
	va_end(args);
}

int it_uint(const char *s, unsigned int *v)
{
	return s ? kstrtouint(s, 0, v) : -EINVAL;
}

int it_pasid(const char *s, u32 *pasid)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*pasid = IMS_PASID_NONE;
		return 0;
	}
	return kstrtou32(s, 0, pasid);
}

/* Parse "[pasid P] [cpu C]" from argv[@i] on; "cpu" only if @cpu_ok. */
int it_parse_opts(struct it_args *a, int i, bool cpu_ok)
{
	struct it_opts *o = &a->opts;
	unsigned int cpu;

	o->pasid = IMS_PASID_NONE;
	o->cpu = -1;
	o->managed = false;
	for (; i < a->argc; i += 2) {
		if (i + 1 >= a->argc)
			return -EINVAL;
		if (!strcmp(a->argv[i], "pasid")) {
			if (it_pasid(a->argv[i + 1], &o->pasid))
				return -EINVAL;
		} else if (cpu_ok && (!strcmp(a->argv[i], "cpu") ||
				      !strcmp(a->argv[i], "managed"))) {
			if (it_uint(a->argv[i + 1], &cpu) || cpu >= nr_cpu_ids)
				return -EINVAL;
			o->cpu = cpu;
			o->managed = !strcmp(a->argv[i], "managed");
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Look up the domain named by argv[1] and, if @slot is not NULL, the slot
 * named by argv[2]. Returns -EINVAL for a malformed number, and 1 after
 * writing "err -ENOENT" to the result for an unknown domain or slot.
 */
static int it_lookup(struct it_dev *itd, struct it_args *a,
		     struct it_domain **dom, struct it_slot **slot)
{
	unsigned int id, idx;

	if (it_uint(a->argv[1], &id))
		return -EINVAL;
	if (id >= IT_MAX_DOMAINS || !itd->doms[id]) {
		it_result(itd, "err %d no domain %u", -ENOENT, id);
		return 1;
	}
	*dom = itd->doms[id];
	if (!slot)
		return 0;
	if (it_uint(a->argv[2], &idx))
		return -EINVAL;
	*slot = xa_load(&(*dom)->slots, idx);
	if (!*slot) {
		it_result(itd, "err %d no slot %u", -ENOENT, idx);
		return 1;
	}
	return 0;
}

static const struct it_cmd *const it_cmd_tables[] = {
	it_domain_cmds,
	it_slot_cmds,
	it_device_cmds,
	it_storm_cmds,
};

static const struct it_cmd *it_cmd_find(const char *name)
{
	const struct it_cmd *c;
	unsigned int t;

	for (t = 0; t < ARRAY_SIZE(it_cmd_tables); t++) {
		for (c = it_cmd_tables[t]; c->name; c++) {
			if (!strcmp(name, c->name))
				return c;
		}
	}
	return NULL;
}

static int it_exec(struct it_dev *itd, struct it_args *a)
{
	const struct it_cmd *c = it_cmd_find(a->argv[0]);
	struct it_domain *dom = NULL;
	struct it_slot *s = NULL;
	int ret;

	if (!c || a->argc < c->min_argc || a->argc > c->max_argc)
		return -EINVAL;
	if (c->parse) {
		ret = c->parse(a);
		if (ret)
			return ret;
	}
	if (c->target != IT_NOTHING) {
		ret = it_lookup(itd, a, &dom, c->target == IT_SLOT ? &s : NULL);
		if (ret)
			return ret < 0 ? ret : 0;
		if (c->needs_ims && dom->retired) {
			it_result(itd, "err %d domain %u is retired", -ESTALE,
				  dom->id);
			return 0;
		}
	}
	return c->run(itd, a, dom, s);
}

static int it_parse(char *buf, struct it_args *a)
{
	char *p = strim(buf), *tok;

	while ((tok = strsep(&p, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (a->argc == IT_MAX_ARGS)
			return -EINVAL;
		a->argv[a->argc++] = tok;
	}
	return a->argc ? 0 : -EINVAL;
}

static ssize_t it_cmd_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct it_dev *itd = file->private_data;
	struct it_args a = { };
	bool too_long = count >= IT_CMD_LEN;
	size_t n = too_long ? 0 : count;
	char buf[IT_CMD_LEN];
	int ret;

	if (copy_from_user(buf, ubuf, n))
		return -EFAULT;
	buf[n] = '\0';

	mutex_lock(&itd->lock);
	ret = too_long ? -EINVAL : it_parse(buf, &a);
	if (!ret)
		ret = it_exec(itd, &a);
	if (ret)
		it_result(itd, "err %d bad command", ret);
	mutex_unlock(&itd->lock);
	return ret ? ret : count;
}

static const struct file_operations it_cmd_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= it_cmd_write,
	.llseek	= noop_llseek,
};

static int it_result_show(struct seq_file *m, void *unused)
{
	struct it_dev *itd = m->private;

	mutex_lock(&itd->lock);
	seq_printf(m, "%s\n", itd->result);
	mutex_unlock(&itd->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(it_result);

static int it_counts_show(struct seq_file *m, void *unused)
{
	struct it_dev *itd = m->private;
	struct it_domain *dom;
	struct it_slot *s;
	unsigned long idx;
	unsigned int cpu;
	struct it_msg msg;
	int i;

	seq_puts(m, "# id index virq total pending pasid_err requested disabled masked last_cpu");
	for (cpu = 0; cpu < nr_cpu_ids; cpu++)
		seq_printf(m, " cpu%u", cpu);
	seq_putc(m, '\n');

	mutex_lock(&itd->lock);
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		dom = itd->doms[i];
		if (!dom)
			continue;
		xa_for_each(&dom->slots, idx, s) {
			it_read_storage(dom, s->index, &msg);
			seq_printf(m, "%u %u %d %d %u %u %d %u %d %d", dom->id,
				   s->index, s->virq, atomic_read(&s->total),
				   s->pending, s->pasid_err, s->requested,
				   s->disabled, msg.masked,
				   READ_ONCE(s->last_cpu));
			for (cpu = 0; cpu < nr_cpu_ids; cpu++)
				seq_printf(m, " %d", atomic_read(&s->cpu[cpu]));
			seq_putc(m, '\n');
		}
	}
	seq_printf(m, "# edu_other count=%d\n", atomic_read(&itd->edu_other));
	seq_printf(m, "# edu_msi virq=%d count=%d\n", itd->edu_virq,
		   atomic_read(&itd->edu_irqs));
	mutex_unlock(&itd->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(it_counts);

/* ---- PCI driver -------------------------------------------------------- */

static int it_mem_setup(struct it_dev *itd)
{
	void __iomem *mem = edu_mem_map(itd->pdev, SZ_64K, &itd->mem_pdev);

	if (IS_ERR(mem))
		return PTR_ERR(mem);
	itd->mem = mem;
	itd->mem_len = pci_resource_len(itd->mem_pdev, EDU_MEM_BAR);
	return 0;
}

static void it_mem_teardown(struct it_dev *itd)
{
	edu_mem_unmap(itd->mem_pdev, itd->mem);
}

/*
 * On a GICv3 ITS the first prepare of the device's DeviceID sizes its
 * table for good, and the MSI enabled at probe would size it for edu's one
 * vector. As the README tells drivers whose IMS domains come later, an
 * IMS domain with room for all of them comes first: created and destroyed
 * at probe, it leaves the table behind for the domains of the tests.
 */
static unsigned int its_slots = IS_ENABLED(CONFIG_X86) ? 0 : 2047;
module_param(its_slots, uint, 0444);
MODULE_PARM_DESC(its_slots,
		 "IMS slots to size the device's GICv3 ITS table for, before edu's MSI (default: 2047 off x86, 0: none)");

static int it_prepare_its(struct pci_dev *pdev)
{
	/* no slot is ever allocated: the sync callback is never called */
	struct ims_domain_info info = {
		.type		= IMS_TEMPLATE_QUEUE,
		.nr_slots	= its_slots,
		.name		= "its-prepare",
		.queue.ops	= &it_queue_ops,
	};
	struct ims_domain *ims;

	if (!its_slots)
		return 0;
	ims = ims_create_domain(pdev, &info);
	if (IS_ERR(ims))
		return PTR_ERR(ims);
	ims_destroy_domain(ims);
	return 0;
}

static int it_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct it_dev *itd;
	int ret;

	if (it_the_dev)
		return -EBUSY;
	itd = kzalloc(sizeof(*itd), GFP_KERNEL);
	if (!itd)
		return -ENOMEM;
	itd->pdev = pdev;
	mutex_init(&itd->lock);
	mutex_init(&itd->dma_lock);
	spin_lock_init(&itd->msi_lock);
	init_waitqueue_head(&itd->wq);
	itd->result = kzalloc(IT_RESULT_LEN, GFP_KERNEL);
	if (!itd->result) {
		ret = -ENOMEM;
		goto free;
	}
	strscpy(itd->result, "ok idle", IT_RESULT_LEN);

	itd->regs = edu_regs_map(pdev);
	if (IS_ERR(itd->regs)) {
		ret = PTR_ERR(itd->regs);
		goto free;
	}
	ret = it_mem_setup(itd);
	if (ret)
		goto unmap;

	ret = edu_words_init(&itd->words, &pdev->dev);
	if (ret)
		goto mem;

	ret = it_prepare_its(pdev);
	if (ret)
		goto dma;
	/* edu's own interrupt: one PCI MSI, next to the IMS interrupts */
	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSI);
	if (ret < 0)
		goto dma;
	itd->edu_virq = pci_irq_vector(pdev, 0);
	itd->doorbell = edu_msi_doorbell(pdev);
	ret = request_irq(itd->edu_virq, it_edu_handler, 0, "ims_test-edu",
			  itd);
	if (ret)
		goto vectors;

	pci_set_drvdata(pdev, itd);
	itd->dbg = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("cmd", 0200, itd->dbg, itd, &it_cmd_fops);
	debugfs_create_file("result", 0444, itd->dbg, itd, &it_result_fops);
	debugfs_create_file("counts", 0444, itd->dbg, itd, &it_counts_fops);
	it_the_dev = itd;

	dev_info(&pdev->dev, "edu id %#x, memory %s BAR%d %zu KiB, MSI virq %d\n",
		 readl(itd->regs + EDU_ID), pci_name(itd->mem_pdev), EDU_MEM_BAR,
		 itd->mem_len / SZ_1K, itd->edu_virq);
	return 0;

vectors:
	pci_free_irq_vectors(pdev);
dma:
	edu_words_release(&itd->words, &pdev->dev);
mem:
	it_mem_teardown(itd);
unmap:
	edu_regs_unmap(pdev, itd->regs);
free:
	kfree(itd->result);
	kfree(itd);
	return ret;
}

static void it_remove(struct pci_dev *pdev)
{
	struct it_dev *itd = pci_get_drvdata(pdev);
	int i;

	/* no command can run once the files are gone */
	debugfs_remove_recursive(itd->dbg);

	/*
	 * The device recovers from the failures a test asked for, so that
	 * every slot can be freed; domains whose sync allocates on another
	 * domain go before that one.
	 */
	mutex_lock(&itd->lock);
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		if (itd->doms[i])
			WRITE_ONCE(itd->doms[i]->sync_fail, false);
	}
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		if (itd->doms[i] && itd->doms[i]->sync_alloc)
			it_domain_destroy(itd->doms[i]);
	}
	for (i = 0; i < IT_MAX_DOMAINS; i++) {
		if (itd->doms[i])
			it_domain_destroy(itd->doms[i]);
	}
	mutex_unlock(&itd->lock);

	free_irq(itd->edu_virq, itd);
	pci_free_irq_vectors(pdev);
	/* after a timed out transfer the engine may still own the buffer */
	if (!edu_dma_quiesce(itd->regs, 100, 50))
		dev_warn(&pdev->dev, "DMA engine still busy at removal\n");
	edu_words_release(&itd->words, &pdev->dev);
	it_mem_teardown(itd);
	edu_regs_unmap(pdev, itd->regs);
	it_the_dev = NULL;
	kfree(itd->result);
	kfree(itd);
}

static const struct pci_device_id it_ids[] = {
	{ PCI_DEVICE(EDU_VENDOR, EDU_DEVICE) },
	{ }
};
MODULE_DEVICE_TABLE(pci, it_ids);

static struct pci_driver it_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= it_ids,
	.probe		= it_probe,
	.remove		= it_remove,
};
module_pci_driver(it_driver);

MODULE_DESCRIPTION("IMS test client on QEMU's edu device");
MODULE_LICENSE("GPL");
