/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * idxd_ref_fuzz: what its files share (the usage is at the top of main.c).
 *
 * Each worker process (struct worker) keeps NFILES open files of the
 * device and a model of each (struct file) that the driver must agree
 * with: its PASID, its interrupt handles (struct handle: live, masked,
 * descriptors submitted on each), the handles it freed, the completion
 * records it expects (struct pend) and the interrupts its eventfds and
 * read() counted. From the model each call's errno is predicted; any other
 * answer fails the run. Memory shared by all workers (struct shared) holds
 * every file's handles, for "foreign" values, and the device's count of
 * software errors at the start.
 *
 *   model.c   utilities, bad pointers, model lookups, opening and closing
 *             files
 *   desc.c    descriptors: generated, mutated, their expected errno, SUBMIT
 *   handle.c  handle ioctls, statistics, unknown ioctls
 *   io.c      read, write, poll, mappings, open modes, forked children
 *   main.c    the helper thread, the reconciliation at the end, the
 *             workers, main
 */
#ifndef _IDXD_REF_FUZZ_H
#define _IDXD_REF_FUZZ_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/idxd_ref.h>

#define BUF		IDXD_REF_BUF_SIZE
#define PG		4096
/*
 * Layout of each file's buffer: checked descriptors work in DATA and
 * write their records in REC; SCRATCH is only written by the CPU (mapping
 * checks); WILD takes what mutated-but-valid descriptors write.
 */
#define DATA_END	(24 * 1024)
#define SCRATCH		(24 * 1024)
#define REC_BASE	(32 * 1024)
#define REC_SLOTS	512
#define WILD_BASE	(48 * 1024)
#define CHECK_MAX	(8 * 1024)

#define NFILES		4
#define NEFD		3
#define MAXH		64
#define MAXPROCS	8
#define NSTALE		16
#define WAIT_MS		20000

/* Handles of every worker's files, for "foreign" values. */
struct shared {
	_Atomic uint32_t handle[MAXPROCS][NFILES * MAXH];
	_Atomic uint64_t swerrs0;
};

/* Set in main.c: options, and the memory shared by all workers */
extern const char *dev;
extern unsigned long long seed;
extern int nprocs;
extern struct shared *shm;

struct pend {
	int used;
	uint64_t tag;
	uint32_t bytes;
};

struct handle {
	uint32_t idx;
	int masked;
	int ever_masked;
	uint64_t submitted;
};

struct file {
	int fd;
	int stable;		/* never closed; the helper thread uses it */
	uint8_t *buf;
	uint32_t pasid;
	int nh;
	struct handle h[MAXH];
	int efd[NEFD];
	uint64_t efd_sum;	/* counted by the pool's eventfds */
	int exact;		/* every handle always had a pool eventfd */
	_Atomic uint64_t events;	/* returned by read() */
	uint64_t rci;		/* RCI descriptors accepted */
	_Atomic uint64_t rci_bound;	/* rci, plus those being submitted */
	uint32_t stale[NSTALE];	/* handles it freed */
	int nstale;
	struct pend rec[REC_SLOTS];
	unsigned int next_rec;
};

struct worker {
	int id;
	uint64_t rng;
	long op;
	const char *what;	/* the call being made, for failures */
	struct idxd_ref_info info;
	struct file f[NFILES];
	int rci_left;
	uint8_t *guard;		/* two pages, the second PROT_NONE */
	uint8_t *ro;		/* a read-only page */
	void *hole;		/* BUF bytes of PROT_NONE */
	_Atomic int stop;
	long stat_ok, stat_err, stat_desc, stat_helper;
};

/* model.c */
long now_ms(void);
void __attribute__((noreturn, format(printf, 2, 3)))
fail(struct worker *w, const char *fmt, ...);
uint64_t rnd(uint64_t *s);
unsigned int below(uint64_t *s, unsigned int n);
int chance(uint64_t *s, unsigned int pct);
void expect(struct worker *w, long r, int want);
void *bad_ptr(struct worker *w, size_t n);
struct handle *find_h(struct file *f, uint32_t idx);
void publish(struct worker *w, int fi);
uint32_t pick_handle(struct worker *w, struct file *f);
void file_open(struct worker *w, int fi, int stable);
uint64_t drain_efds(struct file *f);
void file_close(struct worker *w, int fi);

/* desc.c */
void rec_check(struct worker *w, struct file *f, unsigned int s);
void op_submit(struct worker *w, struct file *f);

/* handle.c */
void op_alloc(struct worker *w, int fi);
void op_handle(struct worker *w, int fi, unsigned long cmd);
void check_hstats(struct worker *w, struct handle *h,
		  struct idxd_ref_handle_stats *s);
void op_stats(struct worker *w, struct file *f);
void op_unknown(struct worker *w, struct file *f);

/* io.c */
void got_events(struct worker *w, struct file *f, uint64_t v);
void op_read(struct worker *w, struct file *f);
void op_mmap(struct worker *w, struct file *f, int scratch_ok);
void op_modes(struct worker *w);
void op_fork(struct worker *w, struct file *f);

#endif /* _IDXD_REF_FUZZ_H */
