// SPDX-License-Identifier: GPL-2.0-only
/*
 * Device memory through /sys/bus/pci/devices/BDF/resourceN: mapped
 * read-only and read with single 32-bit loads, as the device's registers
 * expect (no wider or byte accesses that memcpy() might make).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "imsctl.h"
#include "mem.h"
#include "paths.h"

static void bar_fail(int err, const char *path, const char *bdf,
		     unsigned int bar)
{
	if (err == ENOENT)
		die(EXIT_SYSTEM, "%s has no memory BAR %u (%s)", bdf, bar, path);
	/*
	 * The kernel refuses to map a BAR a driver has claimed when it is
	 * built with CONFIG_IO_STRICT_DEVMEM (Debian's are), unless booted
	 * with iomem=relaxed.
	 */
	if (err == EINVAL)
		die(EXIT_PERM, "%s: mapping refused (a driver holds the region? boot with iomem=relaxed)",
		    path);
	die_errno(err, path);
}

void bar_map(const char *bdf, unsigned int bar, uint64_t offset, size_t size,
	     struct bar_map *m)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), start;
	char path[PATH_MAX];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), PCI_SYSFS_DEVICES "/%s/resource%u", bdf,
		 bar);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		bar_fail(errno, path, bdf, bar);
	if (fstat(fd, &st))
		die_errno(errno, path);
	/* The file's size is the BAR's. */
	if (offset > (uint64_t)st.st_size || size > st.st_size - offset)
		die(EXIT_USAGE, "offset %#llx + %#zx bytes is past the end of BAR %u (%#llx bytes)",
		    (unsigned long long)offset, size, bar,
		    (unsigned long long)st.st_size);
	start = offset & ~(page - 1);
	m->skip = offset - start;
	m->len = (m->skip + size + page - 1) & ~(page - 1);
	m->base = mmap(NULL, m->len, PROT_READ, MAP_SHARED, fd, (off_t)start);
	if (m->base == MAP_FAILED)
		bar_fail(errno, path, bdf, bar);
	close(fd);
}

void bar_unmap(struct bar_map *m)
{
	munmap(m->base, m->len);
	m->base = NULL;
}

static uint32_t bar_read32(const struct bar_map *m, size_t off)
{
	return *(const volatile uint32_t *)((const char *)m->base + m->skip +
					    off);
}

void entry_read(const struct bar_map *m, const struct layout *l,
		unsigned int index, struct entry *e)
{
	size_t at = (size_t)index * l->stride;

	e->addr_lo = bar_read32(m, at + l->addr_lo);
	e->addr_hi = bar_read32(m, at + l->addr_hi);
	e->data = bar_read32(m, at + l->data);
	e->ctrl = bar_read32(m, at + l->ctrl);
	entry_decode(l, e);
}
