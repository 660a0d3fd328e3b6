// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_fuzz: read, write and poll; mappings of the buffer; files
 * opened read-only or write-only; a forked child using the parent's file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

/* ---- read, write, poll ------------------------------------------------ */

void got_events(struct worker *w, struct file *f, uint64_t v)
{
	uint64_t sum = atomic_fetch_add(&f->events, v) + v;
	uint64_t bound = atomic_load(&f->rci_bound);

	if (!v || sum > bound)
		fail(w, "read %llu events, %llu in all, for at most %llu RCI descriptors",
		     (unsigned long long)v, (unsigned long long)sum,
		     (unsigned long long)bound);
}

void op_read(struct worker *w, struct file *f)
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
void op_mmap(struct worker *w, struct file *f, int scratch_ok)
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
void op_modes(struct worker *w)
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
void op_fork(struct worker *w, struct file *f)
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
