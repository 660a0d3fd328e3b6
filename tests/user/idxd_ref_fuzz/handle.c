// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_fuzz: the handle ioctls (ALLOC_HANDLE, FREE_HANDLE,
 * SET_EVENTFD, MASK_HANDLE), the statistics ioctls and unknown ioctls.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "fuzz.h"

/* ---- handle ioctls ---------------------------------------------------- */

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

static void stale_add(struct file *f, uint32_t idx)
{
	if (f->nstale < NSTALE)
		f->stale[f->nstale++] = idx;
	else
		f->stale[idx % NSTALE] = idx;
}

void op_alloc(struct worker *w, int fi)
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
void op_handle(struct worker *w, int fi, unsigned long cmd)
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
void check_hstats(struct worker *w, struct handle *h,
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

void op_stats(struct worker *w, struct file *f)
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
void op_unknown(struct worker *w, struct file *f)
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
