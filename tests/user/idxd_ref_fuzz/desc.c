// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_fuzz: descriptors, valid or mutated in one field, the errno
 * the driver must return for each, their completion records, and SUBMIT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

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
void rec_check(struct worker *w, struct file *f, unsigned int s)
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

void op_submit(struct worker *w, struct file *f)
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
