// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_fuzz - structure-aware fuzzer of /dev/idxd_ref<N>
 * (ABI: include/uapi/idxd_ref.h).
 *
 *   idxd_ref_fuzz [-d DEV] [-u UID] [-s SEED] [-n OPS] [-t SECONDS]
 *                 [-p PROCS] [-r RCI]
 *
 * PROCS worker processes (default 3) each run at most OPS operations
 * (default 4000) for at most SECONDS (default 40), all from SEED (printed;
 * pass it back with -s to replay the same choices). A worker keeps up to
 * NFILES open files of the device and a model of each: its PASID, its
 * interrupt handles (live, masked, descriptors submitted on each), the
 * handles it freed, and the completion records it expects. Every call
 * mixes valid values with stale, foreign (another file's or process's),
 * out-of-range and bit-flipped ones in every field; the model predicts the
 * errno the ABI documents, and anything else (a wrong errno, or success
 * on bad input) fails the run with the seed, worker, operation and call.
 * A helper thread per worker works on the same files meanwhile (reads,
 * polls, statistics, mappings, bad pointers); forked children use the
 * parent's files; files are closed with work in flight. At most RCI
 * descriptors per worker (default 40) ask for a completion interrupt,
 * because the test card delivers about ten per second.
 *
 * At the end each worker reconciles, per file still open: the driver's
 * per-handle count of descriptors equals the model's; interrupts equal
 * descriptors for handles never masked; what read() returned equals what
 * the file's eventfds counted; no software error was reported.
 *
 * Prints "PASS: ..." and exits 0, or "FAIL: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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

static const char *dev = "/dev/idxd_ref0";
static unsigned long long seed;
static int nprocs = 3;
static long max_ops = 4000;
static int max_secs = 40;
static int rci_budget = 40;

/* Handles of every worker's files, for "foreign" values. */
struct shared {
	_Atomic uint32_t handle[MAXPROCS][NFILES * MAXH];
	_Atomic uint64_t swerrs0;
};

static struct shared *shm;

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

static struct worker *W;

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: seed %llu worker %d op %ld (%s): ", seed,
	       w ? w->id : -1, w ? w->op : 0L, w && w->what ? w->what : "-");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

/* splitmix64: small, seedable, good enough to pick cases */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned int below(uint64_t *s, unsigned int n)
{
	return n ? rnd(s) % n : 0;
}

static int chance(uint64_t *s, unsigned int pct)
{
	return below(s, 100) < pct;
}

/* The call returned r (-1 and errno on error): compare with want (0 = ok). */
static void expect(struct worker *w, long r, int want)
{
	int e = r < 0 ? errno : 0;

	if (e == want) {
		if (e)
			w->stat_err++;
		else
			w->stat_ok++;
		return;
	}
	fail(w, "got %s, expected %s", e ? strerror(e) : "success",
	     want ? strerror(want) : "success");
}

/* ---- pointers ------------------------------------------------------- */

/* A bad user pointer for a structure of size n. */
static void *bad_ptr(struct worker *w, size_t n)
{
	switch (below(&w->rng, 5)) {
	case 0:
		return NULL;
	case 1:
		return w->hole;
	case 2:
		return (void *)0xffffffff81000000ull;	/* kernel text */
	case 3:
		return (void *)0x8000000000000000ull;	/* non-canonical */
	default:
		/* straddles into the PROT_NONE page */
		return w->guard + PG - n / 2;
	}
}

/* ---- model lookups ---------------------------------------------------- */

static struct handle *find_h(struct file *f, uint32_t idx)
{
	int i;

	for (i = 0; i < f->nh; i++)
		if (f->h[i].idx == idx)
			return &f->h[i];
	return NULL;
}

static void publish(struct worker *w, int fi)
{
	struct file *f = &w->f[fi];
	int i;

	for (i = 0; i < MAXH; i++)
		atomic_store(&shm->handle[w->id][fi * MAXH + i],
			     i < f->nh ? f->h[i].idx : UINT32_MAX);
}

/* A handle value of some class: own, stale, foreign, out of range, flipped. */
static uint32_t pick_handle(struct worker *w, struct file *f)
{
	uint32_t v;
	int i;

	switch (below(&w->rng, 8)) {
	case 0:
	case 1:
	case 2:
		if (f->nh)
			return f->h[below(&w->rng, f->nh)].idx;
		break;
	case 3:
		if (f->nstale)
			return f->stale[below(&w->rng, f->nstale)];
		break;
	case 4:
		/* another file's, of this process or another one */
		for (i = 0; i < 8; i++) {
			v = atomic_load(&shm->handle[below(&w->rng, nprocs)]
					[below(&w->rng, NFILES * MAXH)]);
			if (v != UINT32_MAX)
				return v;
		}
		break;
	case 5:
		switch (below(&w->rng, 4)) {
		case 0:
			return w->info.ims_size;
		case 1:
			return w->info.ims_size + below(&w->rng, 100);
		case 2:
			return UINT32_MAX;
		default:
			return 1u << below(&w->rng, 32);
		}
	case 6:
		if (f->nh)
			return f->h[below(&w->rng, f->nh)].idx ^
			       (1u << below(&w->rng, 32));
		break;
	}
	return below(&w->rng, w->info.ims_size);
}

/* An eventfd value: the pool's (ok), -1, closed, not an eventfd, < -1. */
static int pick_efd(struct worker *w, struct file *f, int *want, int *pool)
{
	int fd;

	*want = 0;
	*pool = 0;
	switch (below(&w->rng, 10)) {
	case 0:
		return -1;
	case 1:
		*want = EBADF;
		return -2 - below(&w->rng, 1000);
	case 2:
		*want = EBADF;
		/* a closed descriptor: above anything this process opens */
		fd = 900 + below(&w->rng, 100);
		if (fcntl(fd, F_GETFD) >= 0)
			fail(w, "fd %d unexpectedly open", fd);
		return fd;
	case 3:
		*want = EINVAL;
		return f->fd;	/* the device itself */
	case 4:
		*want = EINVAL;
		return below(&w->rng, 3);	/* stdin/out/err */
	default:
		*pool = 1;
		return f->efd[below(&w->rng, NEFD)];
	}
}

/* ---- files ------------------------------------------------------------ */

static void file_open(struct worker *w, int fi, int stable)
{
	struct file *f = &w->f[fi];
	struct idxd_ref_info info;
	int i;

	memset(f, 0, sizeof(*f));
	w->what = "open";
	f->stable = stable;
	f->exact = 1;
	f->fd = open(dev, O_RDWR | (stable ? O_NONBLOCK : 0));
	if (f->fd < 0)
		fail(w, "open %s: %s", dev, strerror(errno));
	if (ioctl(f->fd, IDXD_REF_IOC_INFO, &info))
		fail(w, "INFO: %s", strerror(errno));
	f->pasid = info.pasid;
	if (info.buf_size != BUF || info.max_handles != w->info.max_handles ||
	    info.max_handles > MAXH || info.rsvd)
		fail(w, "INFO: buf_size %u max_handles %u rsvd %u",
		     info.buf_size, info.max_handles, info.rsvd);
	f->buf = mmap(NULL, BUF, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	if (f->buf == MAP_FAILED)
		fail(w, "mmap: %s", strerror(errno));
	for (i = 0; i < NEFD; i++) {
		f->efd[i] = eventfd(0, EFD_NONBLOCK);
		if (f->efd[i] < 0)
			fail(w, "eventfd: %s", strerror(errno));
	}
	publish(w, fi);
}

static uint64_t drain_efds(struct file *f)
{
	uint64_t v;
	int i;

	for (i = 0; i < NEFD; i++)
		if (read(f->efd[i], &v, sizeof(v)) == sizeof(v))
			f->efd_sum += v;
	return f->efd_sum;
}

static void file_close(struct worker *w, int fi)
{
	struct file *f = &w->f[fi];
	long t0 = now_ms();
	int i;

	w->what = "close";
	munmap(f->buf, BUF);
	/* the driver waits for this file's work in flight */
	if (close(f->fd))
		fail(w, "close: %s", strerror(errno));
	if (now_ms() - t0 > 35000)
		fail(w, "close took %ld ms", now_ms() - t0);
	drain_efds(f);
	if (f->efd_sum > f->rci)
		fail(w, "eventfds counted %llu interrupts for %llu descriptors",
		     (unsigned long long)f->efd_sum,
		     (unsigned long long)f->rci);
	for (i = 0; i < NEFD; i++)
		close(f->efd[i]);
	f->nh = 0;
	publish(w, fi);
	f->fd = -1;
}

/* ---- descriptors ------------------------------------------------------ */

static int range_ok(uint64_t off, uint64_t len)
{
	return off <= BUF && len <= BUF - off;
}

/* The errno the driver must return for descriptor d of file f. */
static int desc_errno(struct file *f, const struct idxd_ref_desc *d)
{
	if (d->rsvd0 || d->rsvd1 ||
	    d->flags & ~(IDXD_REF_F_RCI | IDXD_REF_F_CRAV) || d->size > BUF)
		return EINVAL;
	switch (d->opcode) {
	case IDXD_REF_OP_NOOP:
		break;
	case IDXD_REF_OP_MEMFILL:
		if (!range_ok(d->dst, d->size))
			return EINVAL;
		break;
	case IDXD_REF_OP_COPY:
		if (!range_ok(d->src, d->size) || !range_ok(d->dst, d->size))
			return EINVAL;
		break;
	case IDXD_REF_OP_CRC32:
		if (!range_ok(d->src, d->size))
			return EINVAL;
		break;
	default:
		return EINVAL;
	}
	if (d->flags & IDXD_REF_F_CRAV &&
	    (d->completion % sizeof(struct idxd_ref_completion) ||
	     !range_ok(d->completion, sizeof(struct idxd_ref_completion))))
		return EINVAL;
	if (d->flags & IDXD_REF_F_RCI && !find_h(f, d->handle))
		return ENOENT;
	return 0;
}

static int overlaps(uint64_t off, uint64_t len, uint64_t lo, uint64_t hi)
{
	return len && off < hi && off + len > lo;
}

/* Would the device write into SCRATCH or REC for this (valid) descriptor? */
static int hits_protected(const struct idxd_ref_desc *d)
{
	if ((d->opcode == IDXD_REF_OP_MEMFILL || d->opcode == IDXD_REF_OP_COPY) &&
	    overlaps(d->dst, d->size, SCRATCH, WILD_BASE))
		return 1;
	return d->flags & IDXD_REF_F_CRAV &&
	       overlaps(d->completion, 32, SCRATCH, WILD_BASE);
}

static uint64_t pick_off(struct worker *w, uint32_t size)
{
	switch (below(&w->rng, 7)) {
	case 0:
		return BUF - size;		/* at the bound */
	case 1:
		return BUF - size + 1 + below(&w->rng, 64);	/* across */
	case 2:
		return BUF;
	case 3:
		return UINT64_MAX - below(&w->rng, 64);
	case 4:
		return 1ull << below(&w->rng, 64);
	case 5:
		return (uint64_t)BUF - below(&w->rng, 64);
	default:
		return below(&w->rng, BUF);
	}
}

/* Mutate one field of a valid descriptor. */
static void mutate(struct worker *w, struct file *f, struct idxd_ref_desc *d)
{
	switch (below(&w->rng, 10)) {
	case 0:
		d->opcode = chance(&w->rng, 50) ? 4 + below(&w->rng, 252) :
			    below(&w->rng, 4);
		break;
	case 1:
		d->rsvd0 = 1 + below(&w->rng, 255);
		break;
	case 2:
		d->flags ^= 1u << below(&w->rng, 16);
		break;
	case 3:
		d->flags |= IDXD_REF_F_RCI;
		d->handle = pick_handle(w, f);
		break;
	case 4:
		switch (below(&w->rng, 5)) {
		case 0:
			d->size = 0;
			break;
		case 1:
			d->size = BUF;
			break;
		case 2:
			d->size = BUF + 1;
			break;
		case 3:
			d->size = UINT32_MAX;
			break;
		default:
			d->size ^= 1u << below(&w->rng, 32);
		}
		break;
	case 5:
		d->rsvd1 = 1u << below(&w->rng, 32);
		break;
	case 6:
		d->src = pick_off(w, d->size);
		break;
	case 7:
		d->dst = pick_off(w, d->size);
		break;
	case 8:
		d->flags |= IDXD_REF_F_CRAV;
		switch (below(&w->rng, 4)) {
		case 0:
			d->completion += 1 + below(&w->rng, 31);
			break;
		case 1:
			d->completion = BUF - 32;
			break;
		case 2:
			d->completion = BUF - 16;
			break;
		default:
			d->completion = pick_off(w, 32);
		}
		break;
	default:
		d->pattern = rnd(&w->rng);
		d->tag = rnd(&w->rng);
	}
}

/* Wait for the record of slot s to be written, and check it. */
static void rec_check(struct worker *w, struct file *f, unsigned int s)
{
	volatile struct idxd_ref_completion *cr =
		(void *)(f->buf + REC_BASE + s * 32);
	long end = now_ms() + WAIT_MS;

	if (!f->rec[s].used)
		return;
	while (!cr->status) {
		if (now_ms() > end)
			fail(w, "record of tag %#llx not written in %d ms",
			     (unsigned long long)f->rec[s].tag, WAIT_MS);
		usleep(5000);
	}
	__sync_synchronize();
	if (cr->status != IDXD_REF_COMP_SUCCESS || cr->tag != f->rec[s].tag ||
	    cr->bytes != f->rec[s].bytes || cr->rsvd0[0] || cr->rsvd0[1] ||
	    cr->rsvd0[2] || cr->rsvd1)
		fail(w, "record slot %u: status %#x tag %#llx bytes %u (expected tag %#llx bytes %u)",
		     s, cr->status, (unsigned long long)cr->tag, cr->bytes,
		     (unsigned long long)f->rec[s].tag, f->rec[s].bytes);
	f->rec[s].used = 0;
}

/* Interrupts are slow on the test card: a valid RCI costs budget. */
static void rci_charge(struct worker *w, struct idxd_ref_desc *d)
{
	if (!(d->flags & IDXD_REF_F_RCI))
		return;
	if (w->rci_left > 0)
		w->rci_left--;
	else
		d->flags &= ~IDXD_REF_F_RCI;
}

/*
 * A valid, checked descriptor (data in DATA, record in REC), then maybe
 * mutated. *slot gets its record slot, or -1 if its record is not checked.
 */
static void gen_desc(struct worker *w, struct file *f, struct idxd_ref_desc *d,
		     int *slot, int rci_ok)
{
	uint32_t size = below(&w->rng, CHECK_MAX + 1);
	unsigned int s;

	memset(d, 0, sizeof(*d));
	d->opcode = below(&w->rng, 4);
	d->size = size;
	d->src = below(&w->rng, DATA_END - size + 1);
	d->dst = below(&w->rng, DATA_END - size + 1);
	d->pattern = rnd(&w->rng);
	d->tag = rnd(&w->rng);
	if (rci_ok && f->nh && chance(&w->rng, 30)) {
		d->flags |= IDXD_REF_F_RCI;
		d->handle = f->h[below(&w->rng, f->nh)].idx;
	}
	*slot = -1;
	if (chance(&w->rng, 35)) {
		mutate(w, f, d);
		if (chance(&w->rng, 30))
			mutate(w, f, d);
		if (desc_errno(f, d))
			return;
		rci_charge(w, d);
		/* valid after all: keep its writes out of SCRATCH and REC */
		if (d->flags & IDXD_REF_F_CRAV &&
		    overlaps(d->completion, 32, SCRATCH, WILD_BASE))
			d->completion = BUF - 32;
		if (hits_protected(d))
			d->dst = BUF - d->size;
		if (hits_protected(d))
			d->flags &= ~IDXD_REF_F_CRAV;
		if (hits_protected(d))
			d->rsvd1 = 1;	/* cannot place it: let it be refused */
		return;
	}
	rci_charge(w, d);
	if (chance(&w->rng, 80)) {
		s = f->next_rec++ % REC_SLOTS;
		rec_check(w, f, s);
		d->flags |= IDXD_REF_F_CRAV;
		d->completion = REC_BASE + s * 32;
		memset(f->buf + d->completion, 0, 32);
		*slot = s;
	}
}

/* Descriptors accepted: update the model. */
static void accepted(struct worker *w, struct file *f,
		     const struct idxd_ref_desc *d, const int *slot,
		     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		w->stat_desc++;
		if (d[i].flags & IDXD_REF_F_RCI) {
			find_h(f, d[i].handle)->submitted++;
			f->rci++;
		}
		if (slot[i] >= 0) {
			f->rec[slot[i]].used = 1;
			f->rec[slot[i]].tag = d[i].tag;
			f->rec[slot[i]].bytes = d[i].opcode ? d[i].size : 0;
		}
	}
}

static void op_submit(struct worker *w, struct file *f)
{
	static const unsigned int counts[] = { 1, 1, 2, 3, 5, 8, 16,
		IDXD_REF_MAX_SUBMIT, 0, IDXD_REF_MAX_SUBMIT + 1, UINT32_MAX };
	struct idxd_ref_desc d[IDXD_REF_MAX_SUBMIT];
	int slot[IDXD_REF_MAX_SUBMIT];
	struct idxd_ref_submit sub, *subp = &sub;
	unsigned int count = counts[below(&w->rng, 11)], n, i, nrci = 0;
	int want = 0, e, kind = below(&w->rng, 20);
	long r;

	n = count <= IDXD_REF_MAX_SUBMIT ? count : 1;
	for (i = 0; i < n; i++) {
		gen_desc(w, f, &d[i], &slot[i], 1);
		e = desc_errno(f, &d[i]);
		if (e && !want)
			want = e;
		nrci += !e && d[i].flags & IDXD_REF_F_RCI;
	}
	memset(&sub, 0, sizeof(sub));
	sub.descs = (uintptr_t)d;
	sub.count = count;
	sub.submitted = rnd(&w->rng);	/* out only */
	if (kind == 0) {
		w->what = "SUBMIT bad argument pointer";
		subp = bad_ptr(w, sizeof(sub));
		want = EFAULT;
	} else if (kind == 1) {
		/*
		 * Readable but not writable: refused before anything is
		 * accepted (the caller could not learn how many were).
		 */
		w->what = "SUBMIT read-only argument";
		mprotect(w->ro, PG, PROT_READ | PROT_WRITE);
		memcpy(w->ro, &sub, sizeof(sub));
		mprotect(w->ro, PG, PROT_READ);
		subp = (void *)w->ro;
		want = EFAULT;
	} else if (!count || count > IDXD_REF_MAX_SUBMIT) {
		w->what = "SUBMIT bad count";
		want = EINVAL;
	} else if (kind == 2) {
		/* the array runs into the PROT_NONE page */
		w->what = "SUBMIT bad descriptor pointer";
		sub.descs = (uintptr_t)bad_ptr(w, n * sizeof(d[0]));
		want = EFAULT;
	} else {
		w->what = "SUBMIT";
	}
	/* interrupts may come before this thread updates the model */
	atomic_store(&f->rci_bound, f->rci + nrci);
	r = ioctl(f->fd, IDXD_REF_IOC_SUBMIT, subp);
	if (!want && r < 0 && errno == EAGAIN) {
		w->stat_err++;	/* the shared ring is full */
		atomic_store(&f->rci_bound, f->rci);
		return;
	}
	expect(w, r, want);
	if (!r) {
		if (sub.submitted < 1 || sub.submitted > count)
			fail(w, "submitted %u of %u", sub.submitted, count);
		accepted(w, f, d, slot, sub.submitted);
	}
	atomic_store(&f->rci_bound, f->rci);
}

/* ---- handle ioctls ---------------------------------------------------- */

static void stale_add(struct file *f, uint32_t idx)
{
	if (f->nstale < NSTALE)
		f->stale[f->nstale++] = idx;
	else
		f->stale[idx % NSTALE] = idx;
}

static void op_alloc(struct worker *w, int fi)
{
	struct file *f = &w->f[fi];
	struct idxd_ref_handle_req req, *rp = &req;
	int want, pool, ro = 0;
	long r;

	memset(&req, 0, sizeof(req));
	req.handle = rnd(&w->rng);	/* out only */
	req.eventfd = pick_efd(w, f, &want, &pool);
	if (chance(&w->rng, 10)) {
		req.flags = 1u << below(&w->rng, 32);
		want = EINVAL;
	}
	if (chance(&w->rng, 10)) {
		req.rsvd = 1u << below(&w->rng, 32);
		want = EINVAL;
	}
	if (req.rsvd)
		want = EINVAL;
	else if (!req.flags && f->nh >= (int)w->info.max_handles)
		want = EDQUOT;
	w->what = "ALLOC_HANDLE";
	switch (below(&w->rng, 12)) {
	case 0:
		w->what = "ALLOC_HANDLE bad pointer";
		rp = bad_ptr(w, sizeof(req));
		want = EFAULT;
		break;
	case 1:
		/* the handle is allocated, cannot be returned: undone */
		w->what = "ALLOC_HANDLE read-only argument";
		mprotect(w->ro, PG, PROT_READ | PROT_WRITE);
		memcpy(w->ro, &req, sizeof(req));
		mprotect(w->ro, PG, PROT_READ);
		rp = (void *)w->ro;
		ro = 1;
		break;
	}
	r = ioctl(f->fd, IDXD_REF_IOC_ALLOC_HANDLE, rp);
	expect(w, r, ro && !want ? EFAULT : want);
	if (r < 0)
		return;
	if (req.handle >= w->info.ims_size || find_h(f, req.handle))
		fail(w, "new handle %u", req.handle);
	memset(&f->h[f->nh], 0, sizeof(f->h[0]));
	f->h[f->nh++].idx = req.handle;
	if (!pool)
		f->exact = 0;
	publish(w, fi);
}

/* FREE, SET_EVENTFD, MASK */
static void op_handle(struct worker *w, int fi, unsigned long cmd)
{
	struct file *f = &w->f[fi];
	struct idxd_ref_handle_req req;
	struct handle *h;
	int want = 0, pool = 0, efd_want = 0;
	long r;

	memset(&req, 0, sizeof(req));
	req.handle = pick_handle(w, f);
	h = find_h(f, req.handle);
	req.eventfd = rnd(&w->rng);	/* only SET_EVENTFD reads it */
	if (cmd == IDXD_REF_IOC_SET_EVENTFD)
		req.eventfd = pick_efd(w, f, &efd_want, &pool);
	if (cmd == IDXD_REF_IOC_MASK_HANDLE)
		req.flags = chance(&w->rng, 90) ? below(&w->rng, 2) :
			    2 + below(&w->rng, 1000);
	else if (chance(&w->rng, 10))
		req.flags = 1u << below(&w->rng, 32);
	if (chance(&w->rng, 8))
		req.rsvd = 1 + below(&w->rng, 1000);
	if (req.rsvd)
		want = EINVAL;
	else if (!h)
		want = ENOENT;
	else if (req.flags > (cmd == IDXD_REF_IOC_MASK_HANDLE))
		want = EINVAL;
	else
		want = efd_want;
	w->what = cmd == IDXD_REF_IOC_FREE_HANDLE ? "FREE_HANDLE" :
		  cmd == IDXD_REF_IOC_SET_EVENTFD ? "SET_EVENTFD" :
		  "MASK_HANDLE";
	if (chance(&w->rng, 5)) {
		r = ioctl(f->fd, cmd, bad_ptr(w, sizeof(req)));
		expect(w, r, EFAULT);
		return;
	}
	r = ioctl(f->fd, cmd, &req);
	expect(w, r, want);
	if (r < 0)
		return;
	if (cmd == IDXD_REF_IOC_FREE_HANDLE) {
		stale_add(f, h->idx);
		*h = f->h[--f->nh];
		publish(w, fi);
	} else if (cmd == IDXD_REF_IOC_SET_EVENTFD) {
		if (!pool)
			f->exact = 0;
	} else {
		h->masked = req.flags;
		h->ever_masked |= req.flags;
	}
}

/* HANDLE_STATS of own handles must match the model exactly. */
static void check_hstats(struct worker *w, struct handle *h,
			 struct idxd_ref_handle_stats *s)
{
	if (s->submitted != h->submitted || s->irqs > s->submitted ||
	    s->errors || s->pending > 1 || (s->pending && !h->ever_masked))
		fail(w, "handle %u: submitted %llu (model %llu) irqs %llu errors %llu pending %u (ever masked %d)",
		     h->idx, (unsigned long long)s->submitted,
		     (unsigned long long)h->submitted,
		     (unsigned long long)s->irqs,
		     (unsigned long long)s->errors, s->pending,
		     h->ever_masked);
}

static void op_stats(struct worker *w, struct file *f)
{
	struct idxd_ref_handle_stats s;
	struct idxd_ref_dev_stats ds;
	struct idxd_ref_info info;
	struct handle *h;
	long r;

	switch (below(&w->rng, 4)) {
	case 0:
		memset(&s, 0xa5, sizeof(s));
		s.handle = pick_handle(w, f);
		h = find_h(f, s.handle);
		w->what = "HANDLE_STATS";
		r = ioctl(f->fd, IDXD_REF_IOC_HANDLE_STATS, &s);
		expect(w, r, h ? 0 : ENOENT);
		if (!r)
			check_hstats(w, h, &s);
		break;
	case 1:
		w->what = "DEV_STATS";
		memset(&ds, 0xa5, sizeof(ds));
		r = ioctl(f->fd, IDXD_REF_IOC_DEV_STATS, &ds);
		expect(w, r, 0);
		if (ds.swerrs != atomic_load(&shm->swerrs0) || ds.rsvd)
			fail(w, "%llu software errors (%llu at start), rsvd %u",
			     (unsigned long long)ds.swerrs,
			     (unsigned long long)atomic_load(&shm->swerrs0),
			     ds.rsvd);
		break;
	case 2:
		w->what = "INFO";
		memset(&info, 0xa5, sizeof(info));
		r = ioctl(f->fd, IDXD_REF_IOC_INFO, &info);
		expect(w, r, 0);
		if (info.pasid != f->pasid || info.rsvd)
			fail(w, "INFO pasid %u (was %u) rsvd %u", info.pasid,
			     f->pasid, info.rsvd);
		break;
	default:
		w->what = "stats ioctl bad pointer";
		r = ioctl(f->fd, chance(&w->rng, 50) ? IDXD_REF_IOC_INFO :
			  below(&w->rng, 2) ? IDXD_REF_IOC_DEV_STATS :
			  IDXD_REF_IOC_HANDLE_STATS, bad_ptr(w, 32));
		expect(w, r, EFAULT);
		/* output into a read-only page */
		r = ioctl(f->fd, IDXD_REF_IOC_INFO, w->ro);
		expect(w, r, EFAULT);
	}
}

/* An ioctl number the driver does not know, valid ones with wrong sizes. */
static void op_unknown(struct worker *w, struct file *f)
{
	static const unsigned int magics[] = { IDXD_REF_IOC_MAGIC,
		IDXD_REF_IOC_MAGIC - 1, IDXD_REF_IOC_MAGIC + 1, 'x', 0xaa };
	static const unsigned long valid[] = { IDXD_REF_IOC_INFO,
		IDXD_REF_IOC_ALLOC_HANDLE, IDXD_REF_IOC_FREE_HANDLE,
		IDXD_REF_IOC_SET_EVENTFD, IDXD_REF_IOC_MASK_HANDLE,
		IDXD_REF_IOC_SUBMIT, IDXD_REF_IOC_HANDLE_STATS,
		IDXD_REF_IOC_DEV_STATS };
	unsigned long cmd;
	unsigned int i;
	uint8_t arg[64];

	do {
		cmd = _IOC(below(&w->rng, 4), magics[below(&w->rng, 5)],
			   chance(&w->rng, 70) ? below(&w->rng, 8) :
			   below(&w->rng, 256),
			   chance(&w->rng, 50) ? below(&w->rng, 64) :
			   below(&w->rng, 1u << 14));
		if (chance(&w->rng, 10))
			cmd = rnd(&w->rng) & 0xffffffffu;
		/* stay clear of the VFS's own ioctls ('T', 'f', 'X', 0x94, 0) */
		i = _IOC_TYPE(cmd);
		if (i == 'T' || i == 'f' || i == 'X' || i == 0x94 || i == 0 ||
		    i == 0x15 || i == 0x12)
			cmd = _IOC(0, IDXD_REF_IOC_MAGIC, 200, 0);
		for (i = 0; i < 8; i++)
			if (cmd == valid[i])
				break;
	} while (i < 8);
	memset(arg, 0, sizeof(arg));
	w->what = "unknown ioctl";
	expect(w, ioctl(f->fd, cmd, arg), ENOTTY);
}

/* ---- read, write, poll ------------------------------------------------ */

static void on_alarm(int sig)
{
	(void)sig;
}

static void got_events(struct worker *w, struct file *f, uint64_t v)
{
	uint64_t sum = atomic_fetch_add(&f->events, v) + v;
	uint64_t bound = atomic_load(&f->rci_bound);

	if (!v || sum > bound)
		fail(w, "read %llu events, %llu in all, for at most %llu RCI descriptors",
		     (unsigned long long)v, (unsigned long long)sum,
		     (unsigned long long)bound);
}

static void op_read(struct worker *w, struct file *f)
{
	struct itimerval it = { .it_value = { 0, 300000 } };
	struct pollfd p = { .fd = f->fd, .events = POLLIN };
	uint64_t v;
	long r;

	switch (below(&w->rng, 6)) {
	case 0:
		w->what = "short read";
		expect(w, read(f->fd, &v, below(&w->rng, sizeof(v))), EINVAL);
		break;
	case 1:
		/* EFAULT keeps the events for the next read */
		w->what = "non-blocking read into a bad pointer";
		if (!f->stable)
			fcntl(f->fd, F_SETFL, O_NONBLOCK);
		r = read(f->fd, bad_ptr(w, 8), 8);
		if (!f->stable)
			fcntl(f->fd, F_SETFL, 0);
		expect(w, r, r < 0 && errno == EAGAIN ? EAGAIN : EFAULT);
		break;
	case 2:
		w->what = "write";
		expect(w, write(f->fd, &v, 8), EINVAL);
		break;
	case 3:
		w->what = "poll";
		r = poll(&p, 1, below(&w->rng, 3) * 50);
		if (r < 0 || (p.revents & ~(POLLIN | POLLRDNORM)))
			fail(w, "poll %ld revents %#x", r, p.revents);
		w->stat_ok++;
		break;
	case 4:
		if (f->stable)
			break;
		/* blocking, interrupted after 300 ms if nothing comes */
		w->what = "blocking read";
		setitimer(ITIMER_REAL, &it, NULL);
		r = read(f->fd, &v, 8 + below(&w->rng, 100));
		memset(&it, 0, sizeof(it));
		setitimer(ITIMER_REAL, &it, NULL);
		if (r == 8)
			got_events(w, f, v);
		else
			expect(w, r, EINTR);
		w->stat_ok++;
		break;
	default:
		w->what = "non-blocking read";
		if (!f->stable)
			fcntl(f->fd, F_SETFL, O_NONBLOCK);
		r = read(f->fd, &v, 8);
		if (!f->stable)
			fcntl(f->fd, F_SETFL, 0);
		if (r == 8)
			got_events(w, f, v);
		else
			expect(w, r, EAGAIN);
	}
}

/* ---- mappings --------------------------------------------------------- */

static void *map(struct file *f, size_t len, int prot, int flags, off_t off)
{
	return mmap(NULL, len, prot, flags, f->fd, off);
}

/* Mapping checks that need no model: safe in the helper thread too. */
static void op_mmap(struct worker *w, struct file *f, int scratch_ok)
{
	static const size_t lens[] = { 1, PG - 1, PG, 2 * PG, BUF - 1, BUF };
	uint8_t *m, *m2, x = rnd(&w->rng);
	size_t len;
	long r;

	switch (below(&w->rng, 6)) {
	case 0:
		w->what = "mmap at most the buffer";
		len = lens[below(&w->rng, 6)];
		m = map(f, len, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		expect(w, m == MAP_FAILED ? -1 : 0, 0);
		if (scratch_ok && len > SCRATCH + 4) {
			m[SCRATCH + 4] = x;
			if (((volatile uint8_t *)f->buf)[SCRATCH + 4] != x)
				fail(w, "write through a second mapping lost");
		}
		munmap(m, len);
		break;
	case 1:
		w->what = "mmap beyond the buffer";
		len = chance(&w->rng, 50) ? BUF + 1 : BUF + PG * (1 +
			below(&w->rng, 16));
		m = map(f, len, PROT_READ, MAP_SHARED, 0);
		expect(w, m == MAP_FAILED ? -1 : 0, EINVAL);
		break;
	case 2:
		w->what = "mmap at an offset";
		m = map(f, PG, PROT_READ, MAP_SHARED,
			chance(&w->rng, 50) ? PG * (1 + below(&w->rng, 16)) :
			1 + below(&w->rng, PG - 1));
		expect(w, m == MAP_FAILED ? -1 : 0, EINVAL);
		break;
	case 3:
		/* unmap the middle: the rest still shows the buffer */
		w->what = "partial munmap";
		m = map(f, BUF, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		expect(w, m == MAP_FAILED ? -1 : 0, 0);
		r = munmap(m + PG * (1 + below(&w->rng, 4)), PG);
		expect(w, r, 0);
		if (scratch_ok) {
			m[SCRATCH] = x;
			if (((volatile uint8_t *)f->buf)[SCRATCH] != x)
				fail(w, "write through a split mapping lost");
		}
		munmap(m, BUF);
		break;
	case 4:
		/* shrink, grow back (refused: not expandable), move */
		w->what = "mremap";
		m = map(f, BUF, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
		expect(w, m == MAP_FAILED ? -1 : 0, 0);
		m2 = mremap(m, BUF, SCRATCH + PG, 0);
		expect(w, m2 == MAP_FAILED ? -1 : 0, 0);
		w->what = "mremap grow";
		m = mremap(m2, SCRATCH + PG, BUF, 0);
		expect(w, m == MAP_FAILED ? -1 : 0, EFAULT);
		w->what = "mremap move";
		m = mremap(m2, SCRATCH + PG, SCRATCH + PG, MREMAP_MAYMOVE |
			   MREMAP_FIXED, w->hole);
		expect(w, m == MAP_FAILED ? -1 : 0, 0);
		if (scratch_ok) {
			m[SCRATCH + 1] = x;
			if (((volatile uint8_t *)f->buf)[SCRATCH + 1] != x)
				fail(w, "write through a moved mapping lost");
		}
		/* the hole again, in one step: nothing else can land there */
		if (mmap(w->hole, BUF, PROT_NONE, MAP_FIXED | MAP_PRIVATE |
			 MAP_ANONYMOUS, -1, 0) != w->hole)
			fail(w, "cannot restore the hole: %s", strerror(errno));
		break;
	default:
		/* a private mapping: writes stay private */
		w->what = "private mmap";
		m = map(f, BUF, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
		if (m == MAP_FAILED) {
			expect(w, -1, EINVAL);
			break;
		}
		if (scratch_ok) {
			f->buf[SCRATCH + 2] = x;
			m[SCRATCH + 2] = x + 1;
			if (((volatile uint8_t *)f->buf)[SCRATCH + 2] != x)
				fail(w, "private write reached the buffer");
		}
		munmap(m, BUF);
		w->stat_ok++;
	}
}

/* Opened read-only or write-only: what each mode allows. */
static void op_modes(struct worker *w)
{
	struct file g = { 0 };
	uint64_t v;
	void *m;

	w->what = "O_RDONLY file";
	g.fd = open(dev, O_RDONLY | O_NONBLOCK);
	if (g.fd < 0)
		fail(w, "open O_RDONLY: %s", strerror(errno));
	expect(w, write(g.fd, &v, 8), EBADF);
	m = map(&g, BUF, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	expect(w, m == MAP_FAILED ? -1 : 0, EACCES);
	m = map(&g, BUF, PROT_READ, MAP_SHARED, 0);
	expect(w, m == MAP_FAILED ? -1 : 0, 0);
	munmap(m, BUF);
	expect(w, read(g.fd, &v, 8), EAGAIN);
	close(g.fd);
	w->what = "O_WRONLY file";
	g.fd = open(dev, O_WRONLY);
	if (g.fd < 0)
		fail(w, "open O_WRONLY: %s", strerror(errno));
	expect(w, read(g.fd, &v, 8), EBADF);
	m = map(&g, BUF, PROT_READ, MAP_SHARED, 0);
	expect(w, m == MAP_FAILED ? -1 : 0, EACCES);
	close(g.fd);
}

/* ---- other processes -------------------------------------------------- */

/*
 * A child uses the parent's open file: submits on one of its handles,
 * writes through the inherited mapping, and reports what was accepted.
 */
static void op_fork(struct worker *w, struct file *f)
{
	struct idxd_ref_desc d[4];
	struct idxd_ref_submit sub;
	struct handle *h = NULL;
	int n = 0, st, i;
	uint8_t x = rnd(&w->rng) | 1;
	pid_t pid;

	w->what = "fork";
	if (f->nh && w->rci_left >= 4) {
		h = &f->h[below(&w->rng, f->nh)];
		n = 1 + below(&w->rng, 4);
		w->rci_left -= n;
	}
	for (i = 0; i < n; i++) {
		memset(&d[i], 0, sizeof(d[i]));	/* a NOOP naming h */
		d[i].flags = IDXD_REF_F_RCI;
		d[i].handle = h->idx;
	}
	atomic_store(&f->rci_bound, f->rci + n);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		fail(w, "fork: %s", strerror(errno));
	if (!pid) {
		f->buf[SCRATCH + 3] = x;
		memset(&sub, 0, sizeof(sub));
		sub.descs = (uintptr_t)d;
		sub.count = n;
		if (n && ioctl(f->fd, IDXD_REF_IOC_SUBMIT, &sub))
			_exit(errno == EAGAIN ? 0 : 100);
		_exit(n ? sub.submitted : 0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) > n)
		fail(w, "child: status %#x", st);
	if (((volatile uint8_t *)f->buf)[SCRATCH + 3] != x)
		fail(w, "child's write through the shared mapping not seen");
	for (i = 0; i < WEXITSTATUS(st); i++) {
		h->submitted++;
		f->rci++;
	}
	atomic_store(&f->rci_bound, f->rci);
}

/* ---- the helper thread ------------------------------------------------ */

static void *helper(void *arg)
{
	struct worker *w = arg;
	struct worker hw;
	struct idxd_ref_handle_stats s;
	struct pollfd p[NFILES];
	struct file *f;
	uint64_t v;
	int i, n;
	long r;

	/* its own random stream and error context, same files and pages */
	hw = *w;
	hw.id = w->id + 100;
	hw.rng = w->rng ^ 0x5eed;
	hw.hole = mmap(NULL, BUF, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (hw.hole == MAP_FAILED)
		fail(&hw, "mmap");
	while (!atomic_load(&w->stop)) {
		hw.op++;
		f = &w->f[0];	/* the stable file */
		switch (below(&hw.rng, 6)) {
		case 0:
			hw.what = "thread read";
			r = read(f->fd, &v, 8);
			if (r == 8)
				got_events(&hw, f, v);
			else
				expect(&hw, r, EAGAIN);
			break;
		case 1:
			hw.what = "thread poll";
			for (i = n = 0; i < NFILES; i++)
				if (w->f[i].stable) {
					p[n].fd = w->f[i].fd;
					p[n++].events = POLLIN | POLLOUT;
				}
			r = poll(p, n, 20);
			for (i = 0; i < n; i++)
				if (r < 0 || p[i].revents & ~(POLLIN | POLLRDNORM))
					fail(&hw, "poll revents %#x",
					     p[i].revents);
			break;
		case 2:
			hw.what = "thread HANDLE_STATS";
			s.handle = below(&hw.rng, 2) ?
				   below(&hw.rng, hw.info.ims_size) :
				   atomic_load(&shm->handle[w->id]
					       [below(&hw.rng, MAXH)]);
			r = ioctl(f->fd, IDXD_REF_IOC_HANDLE_STATS, &s);
			if (r)
				expect(&hw, r, ENOENT);
			else if (s.irqs > s.submitted || s.errors ||
				 s.pending > 1)
				fail(&hw, "handle %u: submitted %llu irqs %llu errors %llu pending %u",
				     s.handle,
				     (unsigned long long)s.submitted,
				     (unsigned long long)s.irqs,
				     (unsigned long long)s.errors, s.pending);
			break;
		case 3:
			op_unknown(&hw, f);
			break;
		case 4:
			op_mmap(&hw, f, 0);
			break;
		default:
			hw.what = "thread bad pointers";
			expect(&hw, ioctl(f->fd, IDXD_REF_IOC_DEV_STATS,
					  bad_ptr(&hw, 32)), EFAULT);
			expect(&hw, read(f->fd, &v, below(&hw.rng, 8)), EINVAL);
		}
	}
	w->stat_helper = hw.op;
	return NULL;
}

/* ---- the end ---------------------------------------------------------- */

/* Unmask, wait for the device, then compare the model with the driver. */
static void reconcile(struct worker *w, struct file *f)
{
	struct idxd_ref_handle_req req;
	struct idxd_ref_handle_stats s;
	long end = now_ms() + WAIT_MS;
	uint64_t v, irqs;
	int i, busy;
	unsigned int k;

	w->what = "reconcile";
	for (i = 0; i < f->nh; i++) {
		if (!f->h[i].masked)
			continue;
		memset(&req, 0, sizeof(req));
		req.handle = f->h[i].idx;
		if (ioctl(f->fd, IDXD_REF_IOC_MASK_HANDLE, &req))
			fail(w, "unmask %u: %s", req.handle, strerror(errno));
		f->h[i].masked = 0;
	}
	for (k = 0; k < REC_SLOTS; k++)
		rec_check(w, f, k);
	do {
		busy = 0;
		irqs = 0;
		for (i = 0; i < f->nh; i++) {
			memset(&s, 0, sizeof(s));
			s.handle = f->h[i].idx;
			if (ioctl(f->fd, IDXD_REF_IOC_HANDLE_STATS, &s))
				fail(w, "stats %u: %s", s.handle,
				     strerror(errno));
			check_hstats(w, &f->h[i], &s);
			if (s.pending || (!f->h[i].ever_masked &&
					  s.irqs != s.submitted))
				busy = 1;
			irqs += s.irqs;
		}
		if (busy)
			usleep(50000);
	} while (busy && now_ms() < end);
	if (busy)
		fail(w, "interrupts missing %d ms after the end", WAIT_MS);
	/* a late interrupt would show up here */
	usleep(300000);
	fcntl(f->fd, F_SETFL, O_NONBLOCK);
	while (read(f->fd, &v, 8) == 8)
		got_events(w, f, v);
	drain_efds(f);
	if (f->exact && f->efd_sum != atomic_load(&f->events))
		fail(w, "file: read() counted %llu interrupts, its eventfds %llu",
		     (unsigned long long)atomic_load(&f->events),
		     (unsigned long long)f->efd_sum);
}

static void worker_run(struct worker *w)
{
	long end = now_ms() + max_secs * 1000L;
	pthread_t th;
	sigset_t set;
	int i, fi;

	w->guard = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->hole = mmap(NULL, BUF, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (w->guard == MAP_FAILED || w->hole == MAP_FAILED)
		fail(w, "mmap");
	mprotect(w->guard + PG, PG, PROT_NONE);
	w->ro = w->guard + 2 * PG;
	mprotect(w->ro, PG, PROT_READ);
	w->rci_left = rci_budget;
	for (i = 0; i < NFILES; i++)
		file_open(w, i, i == 0);

	/* SIGALRM (blocking reads) belongs to this thread */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, helper, w))
		fail(w, "pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	for (w->op = 0; w->op < max_ops && now_ms() < end; w->op++) {
		fi = below(&w->rng, NFILES);
		switch (below(&w->rng, 24)) {
		case 0 ... 6:
			op_submit(w, &w->f[fi]);
			break;
		case 7 ... 9:
			op_alloc(w, fi);
			break;
		case 10 ... 11:
			op_handle(w, fi, IDXD_REF_IOC_FREE_HANDLE);
			break;
		case 12:
			op_handle(w, fi, IDXD_REF_IOC_SET_EVENTFD);
			break;
		case 13:
			op_handle(w, fi, IDXD_REF_IOC_MASK_HANDLE);
			break;
		case 14 ... 15:
			op_stats(w, &w->f[fi]);
			break;
		case 16:
			op_unknown(w, &w->f[fi]);
			break;
		case 17 ... 18:
			op_read(w, &w->f[fi]);
			break;
		case 19:
			op_mmap(w, &w->f[fi], 1);
			break;
		case 20:
			op_fork(w, &w->f[fi]);
			break;
		case 21:
			if (chance(&w->rng, 20))
				op_modes(w);
			break;
		default:
			/* close with work in flight, open a new one */
			if (w->f[fi].stable || !chance(&w->rng, 25))
				break;
			file_close(w, fi);
			file_open(w, fi, 0);
		}
	}
	atomic_store(&w->stop, 1);
	pthread_join(th, NULL);
	for (i = 0; i < NFILES; i++)
		reconcile(w, &w->f[i]);
	for (i = 0; i < NFILES; i++)
		file_close(w, i);
	printf("# worker %d: %ld ops (%ld ok, %ld refused as expected), %ld descriptors accepted, %d RCI, helper thread %ld ops\n",
	       w->id, w->op, w->stat_ok, w->stat_err, w->stat_desc,
	       rci_budget - w->rci_left, w->stat_helper);
	fflush(stdout);
}

/*
 * Bugs the fuzzing found, replayed deterministically first: a SUBMIT
 * argument that cannot be written back used to fail with -EFAULT after
 * the descriptors were queued.
 */
static void regressions(void)
{
	struct worker *w = W;
	struct idxd_ref_handle_req req = { .eventfd = -1 };
	struct idxd_ref_handle_stats s = { 0 };
	struct idxd_ref_desc d = { .flags = IDXD_REF_F_RCI };
	struct idxd_ref_submit *sub;
	int fd = open(dev, O_RDWR);

	w->what = "regression: SUBMIT read-only argument";
	sub = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || sub == MAP_FAILED ||
	    ioctl(fd, IDXD_REF_IOC_ALLOC_HANDLE, &req))
		fail(w, "setup: %s", strerror(errno));
	d.handle = req.handle;
	sub->descs = (uintptr_t)&d;
	sub->count = 1;
	mprotect(sub, PG, PROT_READ);
	expect(w, ioctl(fd, IDXD_REF_IOC_SUBMIT, sub), EFAULT);
	s.handle = req.handle;
	if (ioctl(fd, IDXD_REF_IOC_HANDLE_STATS, &s) || s.submitted)
		fail(w, "the refused descriptor was queued (%llu submitted)",
		     (unsigned long long)s.submitted);
	munmap(sub, PG);
	close(fd);
	printf("# regression: read-only SUBMIT argument refused, nothing queued\n");
}

int main(int argc, char **argv)
{
	struct idxd_ref_dev_stats ds;
	int opt, i, st, fd, bad = 0;
	pid_t pids[MAXPROCS];
	struct sigaction sa;
	uid_t uid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	while ((opt = getopt(argc, argv, "d:u:s:n:t:p:r:")) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'u':
			uid = atoi(optarg);
			if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
				fail(NULL, "cannot become uid %u: %s", uid,
				     strerror(errno));
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			max_ops = atol(optarg);
			break;
		case 't':
			max_secs = atoi(optarg);
			break;
		case 'p':
			nprocs = atoi(optarg);
			break;
		case 'r':
			rci_budget = atoi(optarg);
			break;
		default:
			fail(NULL, "usage: see the top of idxd_ref_fuzz.c");
		}
	}
	if (nprocs < 1 || nprocs > MAXPROCS)
		fail(NULL, "1 to %d processes", MAXPROCS);
	printf("# seed %llu (replay with -s %llu), uid %u, %d processes, %ld ops, %d s, %d RCI each\n",
	       seed, seed, getuid(), nprocs, max_ops, max_secs, rci_budget);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: reads see EINTR */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	W = calloc(1, sizeof(*W));
	if (shm == MAP_FAILED || !W)
		fail(NULL, "out of memory");
	memset(shm->handle, 0xff, sizeof(shm->handle));
	fd = open(dev, O_RDONLY);
	if (fd < 0 || ioctl(fd, IDXD_REF_IOC_DEV_STATS, &ds) ||
	    ioctl(fd, IDXD_REF_IOC_INFO, &W->info))
		fail(NULL, "%s: %s", dev, strerror(errno));
	atomic_store(&shm->swerrs0, ds.swerrs);
	regressions();

	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail(NULL, "fork: %s", strerror(errno));
		if (!pids[i]) {
			W->id = i;
			W->rng = seed + 0x1000193ull * (i + 1);
			worker_run(W);
			exit(0);
		}
	}
	for (i = 0; i < nprocs; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			printf("# worker %d: status %#x\n", i, st);
			bad++;
		}
	}
	if (ioctl(fd, IDXD_REF_IOC_DEV_STATS, &ds))
		fail(NULL, "DEV_STATS: %s", strerror(errno));
	if (ds.swerrs != atomic_load(&shm->swerrs0))
		fail(NULL, "%llu software errors during the run",
		     (unsigned long long)(ds.swerrs - shm->swerrs0));
	close(fd);
	if (bad)
		fail(NULL, "%d of %d workers failed (seed %llu)", bad, nprocs,
		     seed);
	printf("PASS: seed %llu: %d workers, every call answered as the ABI says, counters reconciled\n",
	       seed, nprocs);
	return 0;
}
