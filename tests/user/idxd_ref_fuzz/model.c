// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_fuzz: how it fails, checks answers and picks values; bad
 * pointers; the model's lookups; opening and closing the device's files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fail(struct worker *w, const char *fmt, ...)
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
uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

unsigned int below(uint64_t *s, unsigned int n)
{
	return n ? rnd(s) % n : 0;
}

int chance(uint64_t *s, unsigned int pct)
{
	return below(s, 100) < pct;
}

/* The call returned r (-1 and errno on error): compare with want (0 = ok). */
void expect(struct worker *w, long r, int want)
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
void *bad_ptr(struct worker *w, size_t n)
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

struct handle *find_h(struct file *f, uint32_t idx)
{
	int i;

	for (i = 0; i < f->nh; i++)
		if (f->h[i].idx == idx)
			return &f->h[i];
	return NULL;
}

void publish(struct worker *w, int fi)
{
	struct file *f = &w->f[fi];
	int i;

	for (i = 0; i < MAXH; i++)
		atomic_store(&shm->handle[w->id][fi * MAXH + i],
			     i < f->nh ? f->h[i].idx : UINT32_MAX);
}

/* A handle value of some class: own, stale, foreign, out of range, flipped. */
uint32_t pick_handle(struct worker *w, struct file *f)
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

/* ---- files ------------------------------------------------------------ */

void file_open(struct worker *w, int fi, int stable)
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

uint64_t drain_efds(struct file *f)
{
	uint64_t v;
	int i;

	for (i = 0; i < NEFD; i++)
		if (read(f->efd[i], &v, sizeof(v)) == sizeof(v))
			f->efd_sum += v;
	return f->efd_sum;
}

void file_close(struct worker *w, int fi)
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
