// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_user: the device file, its handles and eventfds, descriptors and
 * their checks, and the waits every sub-command uses.
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

const char *dev = "/dev/idxd_ref0";

void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ctx_open(struct ctx *c)
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

void ctx_close(struct ctx *c)
{
	int i;

	munmap(c->buf, IDXD_REF_BUF_SIZE);
	for (i = 0; i < c->nh; i++)
		close(c->efd[i]);
	close(c->fd);
}

/* Allocate a handle into slot i, with an eventfd if asked; -1 and errno. */
int alloc_handle_at(struct ctx *c, int i, int with_efd)
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

int alloc_handle(struct ctx *c, int with_efd)
{
	if (c->nh >= MAXH)
		fail("too many handles in the test");
	if (alloc_handle_at(c, c->nh, with_efd) < 0)
		return -1;
	return c->nh++;
}

/* MASK_HANDLE or FREE_HANDLE on handle h. */
void handle_op(struct ctx *c, unsigned long cmd, uint32_t h,
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
void efd_collect(struct ctx *c, int i)
{
	uint64_t v;

	if (c->efd[i] >= 0 && read(c->efd[i], &v, sizeof(v)) == sizeof(v))
		c->got[i] += v;
}

/* Wait until slot i's eventfd counted want; 0, or -1 on timeout. */
int wait_handle(struct ctx *c, int i, uint64_t want, int timeout_ms)
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

void hstats(struct ctx *c, uint32_t h, struct idxd_ref_handle_stats *s)
{
	memset(s, 0, sizeof(*s));
	s->handle = h;
	if (ioctl(c->fd, IDXD_REF_IOC_HANDLE_STATS, s))
		fail("HANDLE_STATS %u: %s", h, strerror(errno));
}

void dstats(struct ctx *c, struct idxd_ref_dev_stats *s)
{
	if (ioctl(c->fd, IDXD_REF_IOC_DEV_STATS, s))
		fail("DEV_STATS: %s", strerror(errno));
}

/* Descriptor number i: varied operations on the file's buffer. */
void make_desc(struct ctx *c, int i, uint32_t handle, int rci,
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
int check_desc(struct ctx *c, const struct idxd_ref_desc *d,
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

int submit(struct ctx *c, struct idxd_ref_desc *d, unsigned int n)
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

/*
 * Take m handles (with eventfds if asked) and submit n descriptors spread
 * over them, at most 64 on up to MAXH handles: the work that hold and
 * burst leave in flight.
 */
void submit_spread(struct ctx *c, struct idxd_ref_desc *d, int n, int m,
		   int with_efd)
{
	int i;

	if (n < 1 || n > 64 || m < 1 || m > MAXH)
		fail("bad arguments");
	for (i = 0; i < m; i++)
		if (alloc_handle(c, with_efd) < 0)
			fail("ALLOC_HANDLE %d: %s", i, strerror(errno));
	for (i = 0; i < n; i++)
		make_desc(c, i, c->h[i % m], 1, &d[i]);
	if (submit(c, d, n))
		fail("SUBMIT: %s", strerror(errno));
}

/* Read all eventfds until their counts sum to want or timeout. */
uint64_t wait_events(struct ctx *c, uint64_t want, int timeout_ms)
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
uint64_t drain_events(struct ctx *c, int ms)
{
	uint64_t sum = 0;
	int i;

	usleep(ms * 1000);
	for (i = 0; i < c->nh; i++)
		sum += c->got[i];
	return wait_events(c, sum + 1, 1);
}

void wait_records(struct ctx *c, struct idxd_ref_desc *d, int n,
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
