// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_user stress: random operations on up to M handles, every
 * interrupt count exact.
 */
#include "idxd_ref_user.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "test_util.h"

#define STRESS_INFLIGHT	2	/* queued descriptors per handle */

/*
 * A handle of the stress run (its handle, eventfd and eventfd count are
 * the ctx slot of the same number). The device owes one interrupt per
 * descriptor that fires while unmasked, one for all that fired while
 * masked once unmasked, none for those pending when the handle is freed.
 */
struct sslot {
	int live, masked, masked_fired, nq;
	uint64_t expected, submitted;
	struct idxd_ref_desc q[STRESS_INFLIGHT];
};

/*
 * Wait until the device is done with the slot's descriptors (records
 * right) and the interrupts owed are in, then check the driver's view:
 * counts exact, pending only while masked with a message held back.
 */
static void stress_settle(struct ctx *c, struct sslot *ss, int i)
{
	struct idxd_ref_handle_stats s;
	uint32_t pend = ss->masked && ss->masked_fired;
	int k;

	wait_records(c, ss->q, ss->nq, 10000);
	for (k = 0; k < ss->nq; k++)
		if (check_desc(c, &ss->q[k], IDXD_REF_COMP_SUCCESS))
			fail("handle %u: descriptor %d of %d", c->h[i], k,
			     ss->nq);
	ss->nq = 0;
	if (wait_handle(c, i, ss->expected, IRQ_WAIT_MS))
		fail("handle %u: %llu interrupts, expected %llu", c->h[i],
		     (unsigned long long)c->got[i],
		     (unsigned long long)ss->expected);
	/* the record is written just before the pending bit is set */
	for (k = 0; k < 100; k++) {
		hstats(c, c->h[i], &s);
		if (s.pending == pend)
			break;
		usleep(10000);
	}
	efd_collect(c, i);
	if (s.irqs != ss->expected || c->got[i] != ss->expected ||
	    s.submitted != ss->submitted || s.pending != pend || s.errors)
		fail("handle %u: irqs %llu eventfd %llu submitted %llu pending %u errors %llu; expected %llu %llu %llu %u 0",
		     c->h[i], (unsigned long long)s.irqs,
		     (unsigned long long)c->got[i],
		     (unsigned long long)s.submitted, s.pending,
		     (unsigned long long)s.errors,
		     (unsigned long long)ss->expected,
		     (unsigned long long)ss->expected,
		     (unsigned long long)ss->submitted, pend);
}

static void stress_mask(struct ctx *c, struct sslot *ss, int i, int mask)
{
	handle_op(c, IDXD_REF_IOC_MASK_HANDLE, c->h[i], mask);
	if (!mask && ss->masked_fired)
		ss->expected++;
	ss->masked_fired = 0;
	ss->masked = mask;
}

/* Free a settled slot; adds its counts to the totals. */
static void stress_free(struct ctx *c, struct sslot *ss, int i,
			uint64_t *irqs, uint64_t *subm)
{
	handle_op(c, IDXD_REF_IOC_FREE_HANDLE, c->h[i], 0);
	efd_collect(c, i);
	if (c->got[i] != ss->expected)
		fail("handle %u: %llu interrupts after free, expected %llu",
		     c->h[i], (unsigned long long)c->got[i],
		     (unsigned long long)ss->expected);
	*irqs += c->got[i];
	*subm += ss->submitted;
	close(c->efd[i]);
	c->efd[i] = -1;
	memset(ss, 0, sizeof(*ss));
}

int run_stress(struct ctx *c, int secs, int m)
{
	struct sslot ss[MAXH];
	uint64_t n[6] = { 0 }, irqs = 0, subm = 0, fileev = 0;
	enum { ALLOC, FREE, MASK, UNMASK, SUBMIT, FULL };
	unsigned int seed = getpid();
	long end = now_ms() + secs * 1000L;
	int i, descno = 0;

	if (secs < 1 || secs > 120 || m < 1 || m > MAXH ||
	    m > (int)c->info.max_handles)
		fail("bad arguments");
	memset(ss, 0, sizeof(ss));
	c->nh = m;
	for (i = 0; i < m; i++)
		c->efd[i] = -1;
	diag("stress %d s on up to %d handles, seed %u", secs, m, seed);
	while (now_ms() < end) {
		unsigned int r = rand_r(&seed);
		struct idxd_ref_submit sub = { .count = 1 };
		struct sslot *sl = &ss[r % m];
		unsigned int op = (r / m) % 8;

		i = sl - ss;
		if (!sl->live) {
			if (alloc_handle_at(c, i, 1) < 0)
				fail("ALLOC_HANDLE: %s", strerror(errno));
			sl->live = 1;
			n[ALLOC]++;
			continue;
		}
		if (op < 5 && sl->nq < STRESS_INFLIGHT) {
			make_desc(c, descno++, c->h[i], 1, &sl->q[sl->nq]);
			sub.descs = (uintptr_t)&sl->q[sl->nq];
			if (ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &sub)) {
				if (errno != EAGAIN)
					fail("SUBMIT: %s", strerror(errno));
				n[FULL]++;	/* ring full: others' work */
				usleep(20000);
				continue;
			}
			sl->nq++;
			sl->submitted++;
			n[SUBMIT]++;
			if (sl->masked)
				sl->masked_fired++;
			else
				sl->expected++;
			continue;
		}
		stress_settle(c, sl, i);
		if (op == 7) {
			stress_free(c, sl, i, &irqs, &subm);
			n[FREE]++;
		} else if (op >= 5) {
			stress_mask(c, sl, i, !sl->masked);
			n[sl->masked ? MASK : UNMASK]++;
		}
	}
	for (i = 0; i < m; i++) {
		if (!ss[i].live)
			continue;
		stress_settle(c, &ss[i], i);
		if (ss[i].masked) {
			stress_mask(c, &ss[i], i, 0);
			n[UNMASK]++;
			stress_settle(c, &ss[i], i);
		}
		stress_free(c, &ss[i], i, &irqs, &subm);
		n[FREE]++;
	}
	/* the file counts every interrupt of its handles, freed ones too */
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	if (read(c->fd, &fileev, sizeof(fileev)) != sizeof(fileev) &&
	    errno != EAGAIN)
		fail("read: %s", strerror(errno));
	if (fileev != irqs)
		fail("file counted %llu interrupts, handles %llu",
		     (unsigned long long)fileev, (unsigned long long)irqs);
	printf("# totals submitted=%llu irqs=%llu\n",
	       (unsigned long long)subm, (unsigned long long)irqs);
	printf("PASS: stress %d s: alloc %llu free %llu mask %llu unmask %llu submit %llu ring-full %llu; %llu interrupts, all exact\n",
	       secs, (unsigned long long)n[ALLOC],
	       (unsigned long long)n[FREE], (unsigned long long)n[MASK],
	       (unsigned long long)n[UNMASK], (unsigned long long)n[SUBMIT],
	       (unsigned long long)n[FULL], (unsigned long long)irqs);
	return 0;
}
