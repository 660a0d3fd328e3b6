// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_user - drives /dev/idxd_ref<N> (include/uapi/idxd_ref.h).
 *
 * Options: -d DEV (default /dev/idxd_ref0), -u UID (drop privileges first,
 * after -d if both are given).
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
 *   idxd_ref_user [-d DEV] hold N         submit N, then wait until the device
 *                                         goes away: expect -ENODEV, no hang
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

#define COMP_BASE	(32 * 1024)
#define DATA_LEN	256
#define MAXH		16
#define IRQ_WAIT_MS	(5000)

static const char *dev = "/dev/idxd_ref0";

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

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

static int alloc_handle(struct ctx *c, int with_efd)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };
	int i = c->nh;

	if (i >= MAXH)
		fail("too many handles in the test");
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
		errno = e;
		return -1;
	}
	c->h[i] = r.handle;
	c->got[i] = 0;
	c->nh++;
	return i;
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

static int run_hold(struct ctx *c, int n)
{
	struct idxd_ref_desc d[64];
	struct pollfd p[2];
	long end = now_ms() + 60000;
	uint64_t v;
	int i, ok = 0, aborted = 0;

	if (n < 1 || n > 64)
		fail("bad arguments");
	if (alloc_handle(c, 1) < 0)
		fail("ALLOC_HANDLE: %s", strerror(errno));
	for (i = 0; i < n; i++)
		make_desc(c, i, c->h[0], 1, &d[i]);
	if (submit(c, d, n))
		fail("SUBMIT: %s", strerror(errno));
	printf("# submitted %d, waiting for the device to go away\n", n);
	fflush(stdout);
	/* wait on the eventfd and the file, as an application would */
	for (;;) {
		if (now_ms() > end)
			fail("device still there after 60 s");
		p[0].fd = c->fd;
		p[0].events = POLLIN;
		p[1].fd = c->efd[0];
		p[1].events = POLLIN;
		if (poll(p, 2, 1000) < 0)
			fail("poll: %s", strerror(errno));
		if (p[1].revents & POLLIN)
			read(c->efd[0], &v, sizeof(v));
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

		if (st == IDXD_REF_COMP_SUCCESS)
			ok++;
		else if (st == IDXD_REF_COMP_ABORTED)
			aborted++;
	}
	printf("PASS: device removal seen (ENODEV); of %d descriptors %d completed, %d aborted, %d never reached; buffer still mapped\n",
	       n, ok, aborted, n - ok - aborted);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctx c;
	const char *cmd;
	int a1, a2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "-d")) {
		dev = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 && !strcmp(argv[1], "-u")) {
		/* run as an unprivileged user */
		uid_t uid = atoi(argv[2]);

		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			fail("cannot become uid %u: %s", uid, strerror(errno));
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
		return run_basic(&c, a1, a2);
	if (!strcmp(cmd, "mask"))
		return run_mask(&c);
	if (!strcmp(cmd, "foreign"))
		return run_foreign(&c);
	if (!strcmp(cmd, "pasid"))
		return run_pasid(&c, argc > 2 ? a1 : 2);
	if (!strcmp(cmd, "concurrent"))
		return run_pasid(&c, a1);
	if (!strcmp(cmd, "quota"))
		return run_quota(&c);
	if (!strcmp(cmd, "negative"))
		return run_negative(&c);
	if (!strcmp(cmd, "dynamic"))
		return run_dynamic(&c, a1);
	if (!strcmp(cmd, "hold"))
		return run_hold(&c, a1);
	fail("unknown command %s", cmd);
	return 1;
}
