// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_user: the sub-commands but stress (see main.c for the list).
 * Each prints "PASS: ..." and returns 0, or fails the program.
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

#include <sys/wait.h>

#include "test_util.h"

int run_basic(struct ctx *c, int n, int m)
{
	struct idxd_ref_desc *d = calloc(n, sizeof(*d));
	struct idxd_ref_handle_stats s;
	uint64_t per[MAXH] = { 0 }, sum, fileev = 0;
	int i, bad = 0;

	if (!d || m < 1 || m > MAXH || n < 1 || n > 64)
		fail("bad arguments");
	for (i = 0; i < m; i++)
		if (alloc_handle(c, 1) < 0)
			fail("ALLOC_HANDLE %d: %s", i, strerror(errno));
	for (i = 0; i < n; i++) {
		make_desc(c, i, c->h[i % m], 1, &d[i]);
		per[i % m]++;
	}
	if (submit(c, d, n))
		fail("SUBMIT: %s", strerror(errno));
	sum = wait_events(c, n, IRQ_WAIT_MS + n * 1000);
	wait_records(c, d, n, 5000);
	sum = drain_events(c, 500);
	for (i = 0; i < n; i++)
		bad += check_desc(c, &d[i], IDXD_REF_COMP_SUCCESS) != 0;
	for (i = 0; i < m; i++) {
		hstats(c, c->h[i], &s);
		diag("handle %u: eventfd %llu irqs %llu submitted %llu errors %llu pending %u",
		     c->h[i], (unsigned long long)c->got[i],
		     (unsigned long long)s.irqs,
		     (unsigned long long)s.submitted,
		     (unsigned long long)s.errors, s.pending);
		if (c->got[i] != per[i] || s.irqs != per[i] ||
		    s.submitted != per[i] || s.errors || s.pending)
			fail("handle %u: expected %llu interrupts", c->h[i],
			     (unsigned long long)per[i]);
	}
	if (read(c->fd, &fileev, sizeof(fileev)) != sizeof(fileev))
		fail("read: %s", strerror(errno));
	if (sum != (uint64_t)n || fileev != (uint64_t)n || bad)
		fail("%d descriptors: %llu eventfd events, %llu file events, %d bad records",
		     n, (unsigned long long)sum,
		     (unsigned long long)fileev, bad);
	printf("PASS: basic %d descriptors on %d handles: %llu interrupts, all records right\n",
	       n, m, (unsigned long long)sum);
	free(d);
	return 0;
}

int run_mask(struct ctx *c)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };
	struct idxd_ref_handle_stats s;
	struct idxd_ref_desc d[3];
	uint64_t sum;
	int i;

	if (alloc_handle(c, 1) < 0)
		fail("ALLOC_HANDLE: %s", strerror(errno));
	r.handle = c->h[0];
	r.flags = 1;
	if (ioctl(c->fd, IDXD_REF_IOC_MASK_HANDLE, &r))
		fail("MASK: %s", strerror(errno));
	for (i = 0; i < 3; i++)
		make_desc(c, i, c->h[0], 1, &d[i]);
	if (submit(c, d, 3))
		fail("SUBMIT: %s", strerror(errno));
	wait_records(c, d, 3, 10000);
	for (i = 0; i < 3; i++)
		if (check_desc(c, &d[i], IDXD_REF_COMP_SUCCESS))
			fail("descriptor %d not completed while masked", i);
	sum = drain_events(c, 1000);
	hstats(c, c->h[0], &s);
	diag("masked: 3 completions, %llu interrupts, pending %u",
	     (unsigned long long)sum, s.pending);
	if (sum || s.irqs || s.pending != 1)
		fail("masked handle: %llu interrupts, pending %u (expected 0, 1)",
		     (unsigned long long)s.irqs, s.pending);
	r.flags = 0;
	if (ioctl(c->fd, IDXD_REF_IOC_MASK_HANDLE, &r))
		fail("UNMASK: %s", strerror(errno));
	sum = wait_events(c, 1, IRQ_WAIT_MS);
	sum = drain_events(c, 1000);
	hstats(c, c->h[0], &s);
	diag("unmasked: %llu interrupts, pending %u",
	     (unsigned long long)sum, s.pending);
	if (sum != 1 || s.irqs != 1 || s.pending)
		fail("after unmask: %llu interrupts, pending %u (expected 1, 0)",
		     (unsigned long long)s.irqs, s.pending);
	printf("PASS: masked handle held 3 completions as 1 pending message, delivered once on unmask\n");
	return 0;
}

int run_foreign(struct ctx *a)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };
	struct idxd_ref_handle_stats s;
	struct idxd_ref_desc d;
	struct ctx b;
	pid_t pid;
	int st;

	if (alloc_handle(a, 1) < 0)
		fail("ALLOC_HANDLE: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fail("fork");
	if (!pid) {
		/* another process, its own file */
		ctx_open(&b);
		r.handle = a->h[0];
		if (ioctl(b.fd, IDXD_REF_IOC_FREE_HANDLE, &r) == 0 ||
		    errno != ENOENT)
			fail("second process freed handle %u (%s)", r.handle,
			     strerror(errno));
		r.flags = 1;
		if (ioctl(b.fd, IDXD_REF_IOC_MASK_HANDLE, &r) == 0 ||
		    errno != ENOENT)
			fail("second process masked handle %u", r.handle);
		r.flags = 0;
		r.eventfd = eventfd(0, 0);
		if (ioctl(b.fd, IDXD_REF_IOC_SET_EVENTFD, &r) == 0 ||
		    errno != ENOENT)
			fail("second process attached an eventfd to handle %u",
			     r.handle);
		s.handle = a->h[0];
		if (ioctl(b.fd, IDXD_REF_IOC_HANDLE_STATS, &s) == 0 ||
		    errno != ENOENT)
			fail("second process read stats of handle %u", r.handle);
		make_desc(&b, 0, a->h[0], 1, &d);
		if (submit(&b, &d, 1) == 0 || errno != ENOENT)
			fail("second process submitted on handle %u (%s)",
			     a->h[0], strerror(errno));
		exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("second process failed");
	drain_events(a, 300);
	hstats(a, a->h[0], &s);
	if (s.irqs || s.submitted || a->got[0])
		fail("handle %u got %llu interrupts", a->h[0],
		     (unsigned long long)s.irqs);
	/* the owner can still use it */
	make_desc(a, 1, a->h[0], 1, &d);
	if (submit(a, &d, 1))
		fail("owner SUBMIT: %s", strerror(errno));
	if (wait_events(a, 1, IRQ_WAIT_MS) != 1)
		fail("owner got no interrupt");
	printf("PASS: a second process cannot free, mask, watch or submit on another file's handle (ENOENT); owner still can\n");
	return 0;
}

/* File a submits descriptors naming file b's handle: the device refuses. */
int run_pasid(struct ctx *a, int n)
{
	struct idxd_ref_dev_stats d0, d1;
	struct idxd_ref_handle_stats s;
	struct idxd_ref_desc *d = calloc(2 * n, sizeof(*d));
	uint64_t sum, bsum;
	struct ctx b;
	int i, bad = 0, good = 0;

	if (!d || n < 1 || n > 32)
		fail("bad arguments");
	ctx_open(&b);
	if (alloc_handle(a, 1) < 0 || alloc_handle(&b, 1) < 0)
		fail("ALLOC_HANDLE: %s", strerror(errno));
	diag("file A pasid %u handle %u, file B pasid %u handle %u",
	     a->info.pasid, a->h[0], b.info.pasid, b.h[0]);
	dstats(a, &d0);
	for (i = 0; i < n; i++) {
		/* good: A on its own handle; bad: A naming B's handle */
		make_desc(a, 2 * i, a->h[0], 1, &d[2 * i]);
		make_desc(a, 2 * i + 1, b.h[0], 1, &d[2 * i + 1]);
	}
	if (submit(a, d, 2 * n))
		fail("SUBMIT: %s (is trust_device_pasid=1?)", strerror(errno));
	sum = wait_events(a, n, IRQ_WAIT_MS + 1000 * n);
	wait_records(a, d, 2 * n, 10000);
	sum = drain_events(a, 800);
	bsum = drain_events(&b, 1);
	dstats(a, &d1);
	for (i = 0; i < 2 * n; i++) {
		if (i % 2)
			bad += check_desc(a, &d[i],
					  IDXD_REF_COMP_INVAL_INT_HANDLE) != 0;
		else
			good += check_desc(a, &d[i],
					   IDXD_REF_COMP_SUCCESS) != 0;
	}
	hstats(&b, b.h[0], &s);
	diag("A: %llu interrupts; B's handle: %llu interrupts, %llu errors; swerrs +%llu, misc irqs +%llu, last code %#x handle %u pasid %#x",
	     (unsigned long long)sum, (unsigned long long)s.irqs,
	     (unsigned long long)s.errors,
	     (unsigned long long)(d1.swerrs - d0.swerrs),
	     (unsigned long long)(d1.misc_irqs - d0.misc_irqs),
	     d1.last_code, d1.last_handle, d1.last_pasid);
	if (good || bad)
		fail("%d good and %d refused descriptors have wrong records",
		     good, bad);
	if (sum != (uint64_t)n || s.irqs || bsum)
		fail("IMS interrupts: A %llu (expected %d), B %llu (expected 0)",
		     (unsigned long long)sum, n, (unsigned long long)s.irqs);
	if (d1.swerrs - d0.swerrs != (uint64_t)n ||
	    d1.misc_irqs - d0.misc_irqs < (uint64_t)n ||
	    s.errors != (uint64_t)n)
		fail("expected %d software errors on the misc interrupt", n);
	if (d1.last_code != 0x19 || d1.last_handle != b.h[0] ||
	    d1.last_pasid != (a->info.pasid | 0x80000000u))
		fail("last error: code %#x handle %u pasid %#x", d1.last_code,
		     d1.last_handle, d1.last_pasid);
	printf("PASS: %d PASID-mismatched descriptors: error 0x19 on the misc interrupt, no IMS interrupt; %d good ones interrupted exactly once\n",
	       n, n);
	ctx_close(&b);
	free(d);
	return 0;
}

int run_quota(struct ctx *c)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };
	unsigned int i;

	for (i = 0; i < c->info.max_handles; i++)
		if (alloc_handle(c, 0) < 0)
			fail("handle %u of %u: %s", i, c->info.max_handles,
			     strerror(errno));
	if (ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, &r) == 0 ||
	    errno != EDQUOT)
		fail("handle over quota: %s", strerror(errno));
	r.handle = c->h[0];
	if (ioctl(c->fd, IDXD_REF_IOC_FREE_HANDLE, &r))
		fail("FREE: %s", strerror(errno));
	r.eventfd = -1;
	if (ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, &r))
		fail("ALLOC after free: %s", strerror(errno));
	printf("PASS: quota %u handles per file, EDQUOT beyond, reusable after free\n",
	       c->info.max_handles);
	return 0;
}

#define EXPECT_ERR(call, e, what) do {					\
	errno = 0;							\
	if ((call) != -1 || errno != (e))				\
		fail("%s: got %s, expected %s", what, strerror(errno),	\
		     strerror(e));					\
	n++;								\
} while (0)

int run_negative(struct ctx *c)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };
	struct idxd_ref_submit s = { 0 };
	struct idxd_ref_desc d;
	uint64_t v;
	void *p;
	int n = 0;

	EXPECT_ERR(ioctl(c->fd, _IO(IDXD_REF_IOC_MAGIC, 99)), ENOTTY,
		   "unknown ioctl");
	EXPECT_ERR(ioctl(c->fd, _IOR('x', 0, struct idxd_ref_info), 0),
		   ENOTTY, "foreign ioctl");
	EXPECT_ERR(ioctl(c->fd, _IOR(IDXD_REF_IOC_MAGIC, 0, uint64_t), 0),
		   ENOTTY, "INFO with a wrong size");
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_INFO, (void *)8), EFAULT,
		   "INFO bad pointer");
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, (void *)8), EFAULT,
		   "ALLOC bad pointer");
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, (void *)8), EFAULT,
		   "SUBMIT bad pointer");
	s.descs = 8;
	s.count = 1;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EFAULT,
		   "SUBMIT bad descriptor pointer");
	r.eventfd = 0;	/* stdin is not an eventfd */
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, &r), EINVAL,
		   "ALLOC with a non-eventfd");
	r.eventfd = 12345;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, &r), EBADF,
		   "ALLOC with a closed fd");
	r.eventfd = -1;
	r.rsvd = 1;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, &r), EINVAL,
		   "ALLOC rsvd");
	r.rsvd = 0;
	if (alloc_handle(c, 1) < 0)
		fail("ALLOC: %s", strerror(errno));

	make_desc(c, 0, c->h[0], 1, &d);
	s.descs = (uintptr_t)&d;
	s.count = 0;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL, "count 0");
	s.count = IDXD_REF_MAX_SUBMIT + 1;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL, "count 65");
	s.count = 1;
	d.opcode = 0x77;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL,
		   "unknown opcode");
	make_desc(c, 0, c->h[0], 1, &d);
	d.flags |= 0x80;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL,
		   "unknown flag");
	make_desc(c, 0, c->h[0], 1, &d);
	d.size = IDXD_REF_BUF_SIZE + 1;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL, "size");
	make_desc(c, 0, c->h[0], 1, &d);
	d.dst = IDXD_REF_BUF_SIZE - 8;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL,
		   "destination outside the buffer");
	make_desc(c, 0, c->h[0], 1, &d);
	d.completion += 4;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL,
		   "misaligned completion record");
	make_desc(c, 0, c->h[0], 1, &d);
	d.rsvd1 = 1;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), EINVAL,
		   "reserved field");
	make_desc(c, 0, c->info.ims_size + 5, 1, &d);
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), ENOENT,
		   "handle out of range");
	make_desc(c, 0, c->h[0] + 1, 1, &d);
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), ENOENT,
		   "handle not allocated");

	r.handle = c->h[0] + 1;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_FREE_HANDLE, &r), ENOENT,
		   "FREE unknown");
	r.handle = c->h[0];
	r.flags = 2;
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_MASK_HANDLE, &r), EINVAL,
		   "MASK flags");
	r.flags = 0;
	if (ioctl(c->fd, IDXD_REF_IOC_FREE_HANDLE, &r))
		fail("FREE: %s", strerror(errno));
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_FREE_HANDLE, &r), ENOENT,
		   "double FREE");
	make_desc(c, 0, c->h[0], 1, &d);
	EXPECT_ERR(ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s), ENOENT,
		   "SUBMIT on a freed handle");

	EXPECT_ERR(read(c->fd, &v, 4), EINVAL, "short read");
	fcntl(c->fd, F_SETFL, O_NONBLOCK);
	EXPECT_ERR(read(c->fd, &v, 8), EAGAIN, "read without events");
	fcntl(c->fd, F_SETFL, 0);
	EXPECT_ERR((p = mmap(NULL, 2 * IDXD_REF_BUF_SIZE, PROT_READ,
			     MAP_SHARED, c->fd, 0)) == MAP_FAILED ? -1 : 0,
		   EINVAL, "mmap too large");
	EXPECT_ERR((p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, c->fd,
			     4096)) == MAP_FAILED ? -1 : 0,
		   EINVAL, "mmap at an offset");
	printf("PASS: %d invalid requests refused with the right errno\n", n);
	return 0;
}

int run_dynamic(struct ctx *c, int n)
{
	struct idxd_ref_desc *d = calloc(n, sizeof(*d));
	struct idxd_ref_handle_stats s;
	int pfd[2], st, i, cycles = 0;
	uint64_t sum;
	pid_t pid;

	if (!d || n < 1 || n > 64 || pipe(pfd))
		fail("setup");
	if (alloc_handle(c, 1) < 0 || alloc_handle(c, 1) < 0)
		fail("ALLOC_HANDLE: %s", strerror(errno));
	pid = fork();
	if (!pid) {
		struct ctx b;
		struct idxd_ref_handle_req r;
		char x;

		close(pfd[1]);
		fcntl(pfd[0], F_SETFL, O_NONBLOCK);
		ctx_open(&b);
		while (read(pfd[0], &x, 1) < 0 && errno == EAGAIN) {
			int k, got = 0;

			for (k = 0; k < 4; k++) {
				memset(&r, 0, sizeof(r));
				r.eventfd = -1;
				if (ioctl(b.fd, IDXD_REF_IOC_ALLOC_HANDLE, &r))
					fail("child ALLOC: %s", strerror(errno));
				b.h[k] = r.handle;
				got++;
			}
			for (k = 0; k < got; k++) {
				r.handle = b.h[k];
				if (ioctl(b.fd, IDXD_REF_IOC_FREE_HANDLE, &r))
					fail("child FREE: %s", strerror(errno));
			}
			cycles++;
		}
		printf("# child: %d cycles of 4 allocations and frees\n",
		       cycles);
		exit(cycles ? 0 : 1);
	}
	close(pfd[0]);
	for (i = 0; i < n; i++)
		make_desc(c, i, c->h[i % 2], 1, &d[i]);
	/* one at a time, so that allocations interleave with interrupts */
	for (i = 0; i < n; i++) {
		if (submit(c, &d[i], 1))
			fail("SUBMIT: %s", strerror(errno));
		usleep(50000);
	}
	sum = wait_events(c, n, IRQ_WAIT_MS + 1000 * n);
	write(pfd[1], "x", 1);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("allocating process failed");
	wait_records(c, d, n, 5000);
	sum = drain_events(c, 500);
	for (i = 0; i < n; i++)
		if (check_desc(c, &d[i], IDXD_REF_COMP_SUCCESS))
			fail("descriptor %d bad", i);
	for (i = 0; i < 2; i++) {
		hstats(c, c->h[i], &s);
		if (s.irqs != (uint64_t)(n / 2 + (i < n % 2)))
			fail("handle %u: %llu interrupts", c->h[i],
			     (unsigned long long)s.irqs);
	}
	if (sum != (uint64_t)n)
		fail("%llu interrupts for %d descriptors",
		     (unsigned long long)sum, n);
	printf("PASS: %d interrupts, none lost, while another process allocated and freed handles\n",
	       n);
	return 0;
}

int run_hold(struct ctx *c, int n, int m)
{
	struct idxd_ref_desc d[64];
	struct pollfd p[MAXH + 1];
	long end = now_ms() + 60000;
	int per_ok[MAXH] = { 0 };
	int i, ok = 0, aborted = 0;
	uint64_t v;

	submit_spread(c, d, n, m, 1);
	printf("# submitted %d on %d handles, waiting for the device to go away\n",
	       n, m);
	fflush(stdout);
	/* wait on the eventfds and the file, as an application would */
	p[0].fd = c->fd;
	p[0].events = POLLIN;
	for (i = 0; i < m; i++) {
		p[i + 1].fd = c->efd[i];
		p[i + 1].events = POLLIN;
	}
	for (;;) {
		if (now_ms() > end)
			fail("device still there after 60 s");
		if (poll(p, m + 1, 1000) < 0)
			fail("poll: %s", strerror(errno));
		for (i = 0; i < m; i++)
			if (p[i + 1].revents & POLLIN)
				efd_collect(c, i);
		if (p[0].revents & (POLLERR | POLLHUP))
			break;
		if (p[0].revents & POLLIN) {
			if (read(c->fd, &v, sizeof(v)) < 0) {
				if (errno == ENODEV)
					break;
				fail("read: %s", strerror(errno));
			}
		}
	}
	if (read(c->fd, &v, sizeof(v)) != -1 || errno != ENODEV)
		fail("read after removal: %s", strerror(errno));
	if (ioctl(c->fd, IDXD_REF_IOC_INFO, &c->info) != -1 || errno != ENODEV)
		fail("ioctl after removal: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		uint8_t st = c->buf[d[i].completion];

		if (st == IDXD_REF_COMP_SUCCESS) {
			ok++;
			per_ok[i % m]++;
		} else if (st == IDXD_REF_COMP_ABORTED) {
			aborted++;
		}
	}
	if (ok + aborted != n)
		fail("%d of %d descriptors neither completed nor aborted",
		     n - ok - aborted, n);
	/* one interrupt per completion, plus the wake-up of the removal */
	for (i = 0; i < m; i++) {
		efd_collect(c, i);
		if (c->got[i] != (uint64_t)per_ok[i] + 1)
			fail("handle %u: %llu eventfd events for %d completions (expected one more: the removal's)",
			     c->h[i], (unsigned long long)c->got[i], per_ok[i]);
	}
	printf("PASS: device removal seen (ENODEV); of %d descriptors on %d handles %d completed (one interrupt each), %d aborted; buffer still mapped\n",
	       n, m, ok, aborted);
	return 0;
}

int run_burst(struct ctx *c, int n, int m)
{
	struct idxd_ref_desc d[64];

	submit_spread(c, d, n, m, 0);
	printf("PASS: %d descriptors on %d handles submitted; closing with work in flight\n",
	       n, m);
	return 0;
}
