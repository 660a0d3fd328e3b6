// SPDX-License-Identifier: GPL-2.0-only
/*
 * ims_vendor_sample - the smallest vendor driver built against an installed
 * ims package (DKMS), not against this source tree.
 *
 * It binds only through driver_override, creates a queue template IMS
 * domain whose per-queue contexts live in host memory, allocates
 * SAMPLE_IRQS interrupts and requests them. The packaging test checks the
 * domain and the interrupts it shows, then unbinds.
 */

#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <ims/ims.h>

#define SAMPLE_IRQS	4

/* What the device would read for one queue: the message and its state. */
struct sample_queue_ctx {
	u32	address_lo;
	u32	address_hi;
	u32	data;
	u32	ctrl;
};

struct sample_dev {
	struct ims_domain	*ims;
	struct sample_queue_ctx	ctx[SAMPLE_IRQS];
	struct ims_map		map[SAMPLE_IRQS];
	unsigned int		requested;
};

static int sample_sync(void *drvdata, unsigned int index, void *ctx,
		       const struct ims_queue_msg *msg)
{
	struct sample_queue_ctx *q = ctx;

	WRITE_ONCE(q->address_lo, msg->address_lo);
	WRITE_ONCE(q->address_hi, msg->address_hi);
	WRITE_ONCE(q->data, msg->data);
	WRITE_ONCE(q->ctrl, msg->masked);
	return 0;
}

static const struct ims_queue_ops sample_queue_ops = {
	.sync = sample_sync,
};

static irqreturn_t sample_irq(int irq, void *data)
{
	return IRQ_HANDLED;
}

static void sample_release(struct sample_dev *sd)
{
	while (sd->requested) {
		unsigned int i = --sd->requested;

		free_irq(sd->map[i].virq, &sd->ctx[i]);
	}
	ims_free_all_irqs(sd->ims);
}

static int sample_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct ims_domain_info info = {
		.type = IMS_TEMPLATE_QUEUE,
		.name = "sample",
		.nr_slots = 2 * SAMPLE_IRQS,
		.queue = { .ops = &sample_queue_ops },
	};
	struct sample_dev *sd;
	unsigned int i;
	int ret;

	sd = devm_kzalloc(&pdev->dev, sizeof(*sd), GFP_KERNEL);
	if (!sd)
		return -ENOMEM;
	info.queue.drvdata = sd;
	sd->ims = devm_ims_create_domain(pdev, &info);
	if (IS_ERR(sd->ims))
		return PTR_ERR(sd->ims);

	for (i = 0; i < SAMPLE_IRQS; i++) {
		union ims_instance_cookie cookie = { .ptr = &sd->ctx[i] };

		sd->map[i] = ims_alloc_irq(sd->ims, IMS_INDEX_ANY, &cookie, NULL);
		ret = sd->map[i].virq;
		if (ret < 0)
			goto release;
		ret = request_irq(sd->map[i].virq, sample_irq, 0,
				  "ims-vendor-sample", &sd->ctx[i]);
		if (ret) {
			ims_free_irq(sd->ims, sd->map[i]);
			goto release;
		}
		sd->requested++;
	}
	pci_set_drvdata(pdev, sd);
	pci_info(pdev, "ims_vendor_sample: %u IMS interrupts\n", SAMPLE_IRQS);
	return 0;

release:
	sample_release(sd);
	return ret;
}

static void sample_remove(struct pci_dev *pdev)
{
	sample_release(pci_get_drvdata(pdev));
}

/* No ID table: a vendor test binds the sample explicitly. */
static struct pci_driver sample_driver = {
	.name		= "ims_vendor_sample",
	.probe		= sample_probe,
	.remove		= sample_remove,
};
module_pci_driver(sample_driver);

IMS_IMPORT_NS();
MODULE_DESCRIPTION("Vendor sample built against an installed ims package");
MODULE_LICENSE("GPL");
