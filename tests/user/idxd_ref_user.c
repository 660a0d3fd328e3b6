// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_user - drives /dev/idxd_ref<N> (include/uapi/idxd_ref.h).
 *
 * Options: -d DEV (default /dev/idxd_ref0), -u UID (drop privileges first,
 * after -d if both are given), -w (after a passing sub-command, keep the
 * file and its handles until stdin closes: the caller reads their counts).
 *
 *   idxd_ref_user [-d DEV] basic N M      N descriptors on M handles, eventfds
 *   idxd_ref_user [-d DEV] mask           masked handle: pending, then 1 irq
 *   idxd_ref_user [-d DEV] foreign        another file's handle: -ENOENT
 *   idxd_ref_user [-d DEV] pasid          (trust_device_pasid=1) device
 *                                         refuses: error 0x19, no IMS irq
 *   idxd_ref_user [-d DEV] concurrent N   N good + N PASID-mismatch, interleaved
 *   idxd_ref_user [-d DEV] quota          per-file handle quota
 *   idxd_ref_user [-d DEV] negative       argument validation
 *   idxd_ref_user [-d DEV] dynamic N      N completions while a second process
 *                                         allocates and frees handles
 *   idxd_ref_user [-d DEV] hold N [M]     submit N on M handles, then wait
 *                                         until the device goes away: expect
 *                                         -ENODEV, no hang, exact eventfd counts
 *   idxd_ref_user [-d DEV] burst N M      submit N on M handles and close at
 *                                         once (release drains the work)
 *   idxd_ref_user [-d DEV] stress T M     for T seconds allocate, free, mask,
 *                                         unmask and submit at random on up
 *                                         to M handles; every count exact
 *
 * Prints "PASS: ..." and exits 0, or "FAIL: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/idxd_ref.h>

#include "test_util.h"

#define COMP_BASE	(32 * 1024)
#define DATA_LEN	256
#define MAXH		16
#define IRQ_WAIT_MS	(5000)

static const char *dev = "/dev/idxd_ref0";

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct ctx {
	int fd;
	uint8_t *buf;
	struct idxd_ref_info info;
	int nh;
	uint32_t h[MAXH];
	int efd[MAXH];
	uint64_t got[MAXH];	/* eventfd counts read */
};

static void ctx_open(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = open(dev, O_RDWR);
	if (c->fd < 0)
		fail("open %s: %s", dev, strerror(errno));
	if (ioctl(c->fd, IDXD_REF_IOC_INFO, &c->info))
		fail("INFO: %s", strerror(errno));
	c->buf = mmap(NULL, IDXD_REF_BUF_SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED, c->fd, 0);
	if (c->buf == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
}

static void ctx_close(struct ctx *c)
{
	int i;

	munmap(c->buf, IDXD_REF_BUF_SIZE);
	for (i = 0; i < c->nh; i++)
		close(c->efd[i]);
	close(c->fd);
}

/* Allocate a handle into slot i, with an eventfd if asked; -1 and errno. */
static int alloc_handle_at(struct ctx *c, int i, int with_efd)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };

	c->efd[i] = -1;
	if (with_efd) {
		c->efd[i] = eventfd(0, EFD_NONBLOCK);
		if (c->efd[i] < 0)
			fail("eventfd: %s", strerror(errno));
		r.eventfd = c->efd[i];
	}
	if (ioctl(c->fd, IDXD_REF_IOC_ALLOC_HANDLE, &r)) {
		int e = errno;

		if (c->efd[i] >= 0)
			close(c->efd[i]);
		c->efd[i] = -1;
		errno = e;
		return -1;
	}
	c->h[i] = r.handle;
	c->got[i] = 0;
	return i;
}

static int alloc_handle(struct ctx *c, int with_efd)
{
	if (c->nh >= MAXH)
		fail("too many handles in the test");
	if (alloc_handle_at(c, c->nh, with_efd) < 0)
		return -1;
	return c->nh++;
}

/* MASK_HANDLE or FREE_HANDLE on handle h. */
static void handle_op(struct ctx *c, unsigned long cmd, uint32_t h,
		      uint32_t flags)
{
	struct idxd_ref_handle_req r = {
		.handle = h, .eventfd = -1, .flags = flags,
	};

	if (ioctl(c->fd, cmd, &r))
		fail("handle %u: ioctl %#lx(%u): %s", h, cmd, flags,
		     strerror(errno));
}

/* Add what slot i's eventfd counted since it was last read. */
static void efd_collect(struct ctx *c, int i)
{
	uint64_t v;

	if (c->efd[i] >= 0 && read(c->efd[i], &v, sizeof(v)) == sizeof(v))
		c->got[i] += v;
}

/* Wait until slot i's eventfd counted want; 0, or -1 on timeout. */
static int wait_handle(struct ctx *c, int i, uint64_t want, int timeout_ms)
{
	struct pollfd p = { .fd = c->efd[i], .events = POLLIN };
	long end = now_ms() + timeout_ms;

	efd_collect(c, i);
	while (c->got[i] < want) {
		long left = end - now_ms();

		if (left <= 0)
			return -1;
		if (poll(&p, 1, left) < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		efd_collect(c, i);
	}
	return 0;
}

static void hstats(struct ctx *c, uint32_t h, struct idxd_ref_handle_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->handle = h;
	if (ioctl(c->fd, IDXD_REF_IOC_HANDLE_STATS, s))
		fail("HANDLE_STATS %u: %s", h, strerror(errno));
}

static void dstats(struct ctx *c, struct idxd_ref_dev_stats *s)
{
	if (ioctl(c->fd, IDXD_REF_IOC_DEV_STATS, s))
		fail("DEV_STATS: %s", strerror(errno));
}

/* Descriptor number i: varied operations on the file's buffer. */
static void make_desc(struct ctx *c, int i, uint32_t handle, int rci,
		      struct idxd_ref_desc *d)
{
	uint8_t *data = c->buf + (i % 64) * 2 * DATA_LEN;
	int j;

	memset(d, 0, sizeof(*d));
	d->opcode = IDXD_REF_OP_MEMFILL + i % 3;
	d->flags = IDXD_REF_F_CRAV | (rci ? IDXD_REF_F_RCI : 0);
	d->handle = handle;
	d->size = DATA_LEN;
	d->completion = COMP_BASE + (i % 1024) * 32;
	d->tag = 0xab000000u + i;
	memset(c->buf + d->completion, 0, 32);
	switch (d->opcode) {
	case IDXD_REF_OP_MEMFILL:
		d->dst = data - c->buf;
		d->pattern = 0x1122334455667788ull ^ i;
		memset(data, 0, DATA_LEN);
		break;
	case IDXD_REF_OP_COPY:
		for (j = 0; j < DATA_LEN; j++)
			data[j] = i + j * 3;
		d->src = data - c->buf;
		d->dst = d->src + DATA_LEN;
		memset(data + DATA_LEN, 0, DATA_LEN);
		break;
	case IDXD_REF_OP_CRC32:
		for (j = 0; j < DATA_LEN; j++)
			data[j] = i * 5 + j;
		d->src = data - c->buf;
		break;
	}
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;
	int k;

	while (n--) {
		crc ^= *p++;
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Check the result of descriptor i; returns 0 if right. */
static int check_desc(struct ctx *c, const struct idxd_ref_desc *d,
		      uint8_t want_status)
{
	volatile struct idxd_ref_completion *cr =
		(void *)(c->buf + d->completion);
	uint8_t *dst = c->buf + d->dst, *src = c->buf + d->src;
	int j;

	if (cr->status != want_status) {
		diag("desc tag %#llx: status %#x, expected %#x",
		     (unsigned long long)d->tag, cr->status, want_status);
		return -1;
	}
	if (want_status != IDXD_REF_COMP_SUCCESS)
		return 0;
	__sync_synchronize();
	if (cr->tag != d->tag || cr->bytes != d->size) {
		diag("desc tag %#llx: record tag %#llx bytes %u",
		     (unsigned long long)d->tag, (unsigned long long)cr->tag,
		     cr->bytes);
		return -1;
	}
	switch (d->opcode) {
	case IDXD_REF_OP_MEMFILL:
		for (j = 0; j < (int)d->size; j++)
			if (dst[j] != (uint8_t)(d->pattern >> (8 * (j % 8))))
				return diag("memfill mismatch at %d", j), -1;
		break;
	case IDXD_REF_OP_COPY:
		if (memcmp(dst, src, d->size))
			return diag("copy mismatch"), -1;
		break;
	case IDXD_REF_OP_CRC32:
		if (cr->result != crc32_ieee(src, d->size))
			return diag("crc %#llx, expected %#x",
				    (unsigned long long)cr->result,
				    crc32_ieee(src, d->size)), -1;
		break;
	}
	return 0;
}

static int submit(struct ctx *c, struct idxd_ref_desc *d, unsigned int n)
{
	struct idxd_ref_submit s = { .descs = (uintptr_t)d, .count = n };
	unsigned int done = 0;
	long end = now_ms() + 30000;

	while (done < n) {
		s.descs = (uintptr_t)(d + done);
		s.count = n - done;
		if (ioctl(c->fd, IDXD_REF_IOC_SUBMIT, &s)) {
			if (errno == EAGAIN && now_ms() < end) {
				usleep(20000);
				continue;
			}
			return -1;
		}
		done += s.submitted;
	}
	return 0;
}

/* Read all eventfds until their counts sum to want or timeout. */
static uint64_t wait_events(struct ctx *c, uint64_t want, int timeout_ms)
{
	struct pollfd p[MAXH];
	long end = now_ms() + timeout_ms;
	uint64_t sum = 0, v;
	int i, n = 0;

	for (i = 0; i < c->nh; i++)
		sum += c->got[i];
	while (sum < want) {
		long left = end - now_ms();

		if (left <= 0)
			break;
		n = 0;
		for (i = 0; i < c->nh; i++) {
			p[i].fd = c->efd[i];
			p[i].events = POLLIN;
			p[i].revents = 0;
			n++;
		}
		if (poll(p, n, left) < 0 && errno != EINTR)
			fail("poll: %s", strerror(errno));
		for (i = 0; i < c->nh; i++) {
			if (c->efd[i] < 0 || !(p[i].revents & POLLIN))
				continue;
			if (read(c->efd[i], &v, sizeof(v)) == sizeof(v)) {
				c->got[i] += v;
				sum += v;
			}
		}
	}
	return sum;
}

/* Collect late extra events for a while. */
static uint64_t drain_events(struct ctx *c, int ms)
{
	uint64_t sum = 0;
	int i;

	usleep(ms * 1000);
	for (i = 0; i < c->nh; i++)
		sum += c->got[i];
	return wait_events(c, sum + 1, 1);
}

static void wait_records(struct ctx *c, struct idxd_ref_desc *d, int n,
			 int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	int i;

	for (i = 0; i < n; i++) {
		volatile uint8_t *st = c->buf + d[i].completion;

		while (!*st && now_ms() < end)
			usleep(10000);
	}
}

/* ---- sub-commands ---------------------------------------------------- */

static int run_basic(struct ctx *c, int n, int m)
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

static int run_mask(struct ctx *c)
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

static int run_foreign(struct ctx *a)
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
static int run_pasid(struct ctx *a, int n)
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

static int run_quota(struct ctx *c)
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

static int run_negative(struct ctx *c)
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

static int run_dynamic(struct ctx *c, int n)
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

static int run_hold(struct ctx *c, int n, int m)
{
	struct idxd_ref_desc d[64];
	struct pollfd p[MAXH + 1];
	long end = now_ms() + 60000;
	int per_ok[MAXH] = { 0 };
	int i, ok = 0, aborted = 0;
	uint64_t v;

	if (n < 1 || n > 64 || m < 1 || m > MAXH)
		fail("bad arguments");
	for (i = 0; i < m; i++)
		if (alloc_handle(c, 1) < 0)
			fail("ALLOC_HANDLE %d: %s", i, strerror(errno));
	for (i = 0; i < n; i++)
		make_desc(c, i, c->h[i % m], 1, &d[i]);
	if (submit(c, d, n))
		fail("SUBMIT: %s", strerror(errno));
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

static int run_burst(struct ctx *c, int n, int m)
{
	struct idxd_ref_desc d[64];
	int i;

	if (n < 1 || n > 64 || m < 1 || m > MAXH)
		fail("bad arguments");
	for (i = 0; i < m; i++)
		if (alloc_handle(c, 0) < 0)
			fail("ALLOC_HANDLE %d: %s", i, strerror(errno));
	for (i = 0; i < n; i++)
		make_desc(c, i, c->h[i % m], 1, &d[i]);
	if (submit(c, d, n))
		fail("SUBMIT: %s", strerror(errno));
	printf("PASS: %d descriptors on %d handles submitted; closing with work in flight\n",
	       n, m);
	return 0;
}

/* ---- stress: random operations, exact accounting --------------------- */

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

static int run_stress(struct ctx *c, int secs, int m)
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

int main(int argc, char **argv)
{
	struct ctx c;
	const char *cmd;
	int a1, a2, ret, keep = 0;
	char b[64];

	setvbuf(stdout, NULL, _IOLBF, 0);
	while (argc > 1 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-w")) {
			keep = 1;
			argc--;
			argv++;
			continue;
		}
		if (argc < 3)
			break;
		if (!strcmp(argv[1], "-d")) {
			dev = argv[2];
		} else if (!strcmp(argv[1], "-u")) {
			/* run as an unprivileged user */
			become(atoi(argv[2]));
		} else {
			break;
		}
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		fail("usage: see the top of idxd_ref_user.c");
	cmd = argv[1];
	a1 = argc > 2 ? atoi(argv[2]) : 8;
	a2 = argc > 3 ? atoi(argv[3]) : 2;
	signal(SIGPIPE, SIG_IGN);
	ctx_open(&c);
	diag("%s: pasid %u, %u IMS entries, quota %u, ring %u", dev,
	     c.info.pasid, c.info.ims_size, c.info.max_handles,
	     c.info.ring_size);
	if (!strcmp(cmd, "basic"))
		ret = run_basic(&c, a1, a2);
	else if (!strcmp(cmd, "mask"))
		ret = run_mask(&c);
	else if (!strcmp(cmd, "foreign"))
		ret = run_foreign(&c);
	else if (!strcmp(cmd, "pasid"))
		ret = run_pasid(&c, argc > 2 ? a1 : 2);
	else if (!strcmp(cmd, "concurrent"))
		ret = run_pasid(&c, a1);
	else if (!strcmp(cmd, "quota"))
		ret = run_quota(&c);
	else if (!strcmp(cmd, "negative"))
		ret = run_negative(&c);
	else if (!strcmp(cmd, "dynamic"))
		ret = run_dynamic(&c, a1);
	else if (!strcmp(cmd, "hold"))
		ret = run_hold(&c, a1, argc > 3 ? a2 : 1);
	else if (!strcmp(cmd, "burst"))
		ret = run_burst(&c, a1, a2);
	else if (!strcmp(cmd, "stress"))
		ret = run_stress(&c, a1, a2);
	else
		fail("unknown command %s", cmd);
	/* the caller reads the live handles' counts before they go */
	while (keep && read(0, b, sizeof(b)) > 0)
		;
	return ret;
}
