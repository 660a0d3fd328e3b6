// SPDX-License-Identifier: GPL-2.0-only
/*
 * The PCI side through libpci: device addresses as lspci -s takes them,
 * and vendor and device names from the ID database (pci.ids, hwdb).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "imsctl.h"
#include "paths.h"

static struct pci_access *pacc;

/* libpci's fatal errors must not return; make them ours (exit 6). */
static void __attribute__((noreturn, format(printf, 1, 2)))
pci_fatal(char *msg, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, msg);
	vsnprintf(buf, sizeof(buf), msg, ap);
	va_end(ap);
	die(EXIT_SYSTEM, "libpci: %s", buf);
}

/* Its warnings (a missing pci.ids) only cost names: stay quiet. */
static void __attribute__((format(printf, 1, 2)))
pci_quiet(char *msg, ...)
{
	(void)msg;
}

void pci_setup(void)
{
	pacc = pci_alloc();
	pacc->error = pci_fatal;
	pacc->warning = pci_quiet;
	pacc->debug = pci_quiet;
	pci_init(pacc);
	pci_scan_bus(pacc);
}

void pci_teardown(void)
{
	if (pacc)
		pci_cleanup(pacc);
	pacc = NULL;
}

static struct pci_dev *pci_find(const struct pci_filter *f)
{
	struct pci_dev *d;

	for (d = pacc->devices; d; d = d->next)
		if (pci_filter_match((struct pci_filter *)f, d))
			return d;
	return NULL;
}

/*
 * "dddd:bb:ss.f" or "bb:ss.f" (domain 0000) to the canonical form, as the
 * kernel names the device; a usage error when it is not a full address,
 * exit 3 when there is no such device.
 */
void bdf_resolve(const char *arg, char out[BDF_LEN])
{
	struct pci_filter f;
	char *copy = xstrdup(arg);
	char *err;

	pci_filter_init(pacc, &f);
	err = pci_filter_parse_slot(&f, copy);
	free(copy);
	if (err || f.bus < 0 || f.slot < 0 || f.func < 0 ||
	    strchr(arg, '*'))
		die(EXIT_USAGE, "bad PCI address '%s' (want [dddd:]bb:ss.f)",
		    arg);
	if (f.domain < 0)
		f.domain = 0;
	snprintf(out, BDF_LEN, "%04x:%02x:%02x.%x", f.domain & 0xffffU,
		 f.bus & 0xffU, f.slot & 0x1fU, f.func & 7U);
	if (!pci_find(&f))
		die(EXIT_NODEV, "no such PCI device: %s", out);
}

static void driver_name(const char *bdf, char *buf, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), PCI_SYSFS_DEVICES "/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	buf[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	str_copy(buf, size, strrchr(link, '/') ? strrchr(link, '/') + 1 : link);
}

/* Fills ids, names and driver of dev->bdf; unknown ids stay -1. */
void pci_describe(struct device *dev)
{
	struct pci_filter f;
	struct pci_dev *d;
	char copy[BDF_LEN];

	dev->vendor_id = -1;
	dev->device_id = -1;
	dev->vendor[0] = '\0';
	dev->device[0] = '\0';
	driver_name(dev->bdf, dev->driver, sizeof(dev->driver));
	pci_filter_init(pacc, &f);
	str_copy(copy, sizeof(copy), dev->bdf);
	if (pci_filter_parse_slot(&f, copy))
		return;
	d = pci_find(&f);
	if (!d)
		return;
	pci_fill_info(d, PCI_FILL_IDENT);
	dev->vendor_id = d->vendor_id;
	dev->device_id = d->device_id;
	pci_lookup_name(pacc, dev->vendor, sizeof(dev->vendor),
			PCI_LOOKUP_VENDOR, d->vendor_id);
	pci_lookup_name(pacc, dev->device, sizeof(dev->device),
			PCI_LOOKUP_DEVICE, d->vendor_id, d->device_id);
}
