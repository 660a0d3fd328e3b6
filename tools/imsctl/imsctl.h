/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * imsctl: shared types. The model is filled from sysfs (always readable)
 * and, when root, from debugfs; what could not be read stays "unknown"
 * (negative or false) and is printed as "-" or JSON null.
 */
#ifndef IMSCTL_H
#define IMSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

enum imsctl_exit {
	EXIT_OK		= 0,
	EXIT_MISMATCH	= 1,
	EXIT_USAGE	= 2,
	EXIT_NODEV	= 3,
	EXIT_NOIMS	= 4,
	EXIT_PERM	= 5,
	EXIT_SYSTEM	= 6,
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define BDF_LEN		16	/* "dddd:bb:ss.f" and the NUL */
#define NAME_LEN	256

/* Command-line options shared by the commands. */
struct opts {
	bool		json;
	const char	*bdf;		/* first operand */
	const char	*domain;	/* second operand */
	const char	*mem;		/* --mem */
	long long	bar;		/* --bar, -1 when not given */
	long long	offset;		/* --offset, -1 when not given */
	long long	count;		/* --count, -1 when not given */
	double		interval;	/* --interval */
	const char	*layout;	/* --layout */
};

/* What ims_core's debugfs says about one slot (root only). */
struct dbg_slot {
	unsigned int	index;
	unsigned int	virq;
	long long	pasid;		/* -1: none */
	int		masked;
	int		cpu;
	uint32_t	addr_hi, addr_lo, data;
	bool		has_ctrl;	/* array: control word read back */
	uint32_t	ctrl;
	bool		has_queue;	/* queue: push state */
	int		dirty;
	long long	sync_errors;
	long long	last_error;
};

/* An interrupt the driver holds, from sysfs irqs/ and /proc. */
struct slot {
	unsigned int	index;
	unsigned int	irq;
	char		*affinity;	/* effective CPU list, NULL unknown */
	char		*owner;		/* action names, NULL unknown/none */
	bool		counted;	/* found in /proc/interrupts */
	unsigned long long total;
	unsigned long long *counts;	/* one per column of irq_table */
	const struct dbg_slot *dbg;	/* NULL unless root */
};

struct domain {
	char		name[NAME_LEN];
	char		bdf[BDF_LEN];
	char		template[16];	/* "array", "queue", "" unknown */
	char		mode[16];
	char		**chain;	/* NULL-terminated, root last */
	long long	nr_slots, used, held, spare;	/* -1 unknown */
	struct slot	*slots;
	size_t		nr;
	/* debugfs */
	bool		has_dbg;
	struct dbg_slot	*dbg;
	size_t		nr_dbg;
	bool		has_layout;
	struct layout	layout;
};

struct device {
	char		bdf[BDF_LEN];
	int		vendor_id, device_id;	/* -1 unknown */
	char		vendor[NAME_LEN];
	char		device[NAME_LEN];
	char		driver[NAME_LEN];	/* "" unbound */
	struct domain	*domains;
	size_t		nr;
};

/* /proc/interrupts: the CPU of each count column, and the numbered lines. */
struct irq_line {
	unsigned int	irq;
	const char	*counts;	/* after "N:", inside irq_table.text */
};

struct irq_table {
	int		*cpus;
	size_t		ncpu;
	struct irq_line	*lines;		/* sorted by irq */
	size_t		nlines;
	char		*text;		/* the whole file */
};

/* util.c */
void die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void die_errno(int err, const char *what) __attribute__((noreturn));
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
int read_text(const char *path, char **out);
int read_line(const char *path, char *buf, size_t size);
bool parse_ull(const char *s, unsigned long long *out);
void str_copy(char *dst, size_t size, const char *src);
int cmp_str(const void *a, const void *b);

/* pci.c */
void pci_setup(void);
void pci_teardown(void);
void bdf_resolve(const char *arg, char out[BDF_LEN]);
void pci_describe(struct device *dev);

/* sysfs.c */
struct device *ims_devices(const char *bdf, size_t *nr);
void ims_devices_free(struct device *devs, size_t nr);
struct domain *domain_select(struct device *dev, const char *arg);
void irq_table_read(struct irq_table *t);
void irq_table_free(struct irq_table *t);
void slots_count(struct domain *d, const struct irq_table *t);
void slots_describe(struct domain *d);

/* debugfs.c */
int debugfs_read(struct domain *d);
void debugfs_note(int err);

/* commands */
int cmd_list(const struct opts *o);
int cmd_show(const struct opts *o);
int cmd_watch(const struct opts *o);
int cmd_dump(const struct opts *o);
int cmd_check(const struct opts *o);

#endif
