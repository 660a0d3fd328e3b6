// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_stall - one client waiting for the device must not stall the
 * others.
 *
 *   idxd_ref_stall [-d DEV] UID_A UID_B free|close
 *
 * Client A (a process running as UID_A) fills the shared WQ's ring with
 * descriptors that each ask for a completion interrupt on its one handle
 * (the device sends each one as a DMA write, about 100 ms apiece), then
 * frees that handle (free) or closes its file (close): both wait until the
 * device has finished A's descriptors. While A waits, client B (UID_B),
 * which opened its file and took a handle before, allocates a handle,
 * masks and unmasks its first one, reads its statistics and frees both.
 *
 * Passes if A really waited (at least MIN_STALL_MS) and B was done while
 * A still waited, with no call of B slower than MAX_OP_MS. Prints
 * "PASS: ..." and exits 0, or "FAIL: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <uapi/idxd_ref.h>

#include "test_util.h"

#define MIN_STALL_MS	1000
#define MAX_OP_MS	1000

static const char *dev = "/dev/idxd_ref0";

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int open_dev(void)
{
	int fd = open(dev, O_RDWR);

	if (fd < 0)
		fail("open %s: %s", dev, strerror(errno));
	return fd;
}

static unsigned int alloc_handle(int fd)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };

	if (ioctl(fd, IDXD_REF_IOC_ALLOC_HANDLE, &r))
		fail("ALLOC_HANDLE: %s", strerror(errno));
	return r.handle;
}

static void handle_ioctl(int fd, unsigned long cmd, unsigned int h,
			 unsigned int flags, const char *what)
{
	struct idxd_ref_handle_req r = { .handle = h, .flags = flags };

	if (ioctl(fd, cmd, &r))
		fail("%s %u: %s", what, h, strerror(errno));
}

/* One message between processes: a line of text over a pipe. */
static void say(int fd, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (write(fd, buf, n + 1) != n + 1)
		exit(1);
}

static void hear(int fd, char *buf, size_t len, const char *who)
{
	size_t n = 0;

	while (n < len - 1) {
		if (read(fd, buf + n, 1) != 1)
			fail("%s died (see its FAIL line above)", who);
		if (!buf[n])
			return;
		n++;
	}
	buf[n] = 0;
}

/* Fill the shared WQ with RCI descriptors on @h; returns how many. */
static int fill_ring(int fd, unsigned int h)
{
	struct idxd_ref_desc d[IDXD_REF_MAX_SUBMIT];
	struct idxd_ref_submit s;
	int i, n = 0;

	memset(d, 0, sizeof(d));
	for (i = 0; i < IDXD_REF_MAX_SUBMIT; i++) {
		d[i].opcode = IDXD_REF_OP_NOOP;
		d[i].flags = IDXD_REF_F_RCI;
		d[i].handle = h;
		d[i].tag = i;
	}
	for (;;) {
		memset(&s, 0, sizeof(s));
		s.descs = (uintptr_t)d;
		s.count = IDXD_REF_MAX_SUBMIT;
		if (ioctl(fd, IDXD_REF_IOC_SUBMIT, &s)) {
			if (errno == EAGAIN)
				return n;
			fail("SUBMIT: %s", strerror(errno));
		}
		n += s.submitted;
		if (s.submitted < s.count)
			return n;
	}
}

static void client_a(uid_t uid, int close_file, int in, int out)
{
	unsigned int h;
	char buf[64];
	long t0, t1;
	int fd, n;

	become(uid);
	fd = open_dev();
	h = alloc_handle(fd);
	n = fill_ring(fd, h);
	say(out, "%d", n);
	hear(in, buf, sizeof(buf), "the parent");
	t0 = now_ms();
	say(out, "%ld", t0);
	if (close_file)
		close(fd);
	else
		handle_ioctl(fd, IDXD_REF_IOC_FREE_HANDLE, h, 0, "FREE_HANDLE");
	t1 = now_ms();
	say(out, "%ld", t1);
	exit(0);
}

static void client_b(uid_t uid, int in, int out)
{
	static const char * const what[] = {
		"ALLOC_HANDLE", "MASK_HANDLE", "UNMASK_HANDLE", "HANDLE_STATS",
		"FREE_HANDLE (new)", "FREE_HANDLE (first)", "close",
	};
	struct idxd_ref_handle_stats st;
	unsigned int h1, h2 = 0;
	long t, dt, worst = 0;
	int fd, i, slowest = 0;
	char buf[64];

	become(uid);
	fd = open_dev();
	h1 = alloc_handle(fd);
	say(out, "ready");
	hear(in, buf, sizeof(buf), "the parent");
	for (i = 0; i < 7; i++) {
		t = now_ms();
		switch (i) {
		case 0:
			h2 = alloc_handle(fd);
			break;
		case 1:
			handle_ioctl(fd, IDXD_REF_IOC_MASK_HANDLE, h1, 1, what[i]);
			break;
		case 2:
			handle_ioctl(fd, IDXD_REF_IOC_MASK_HANDLE, h1, 0, what[i]);
			break;
		case 3:
			memset(&st, 0, sizeof(st));
			st.handle = h1;
			if (ioctl(fd, IDXD_REF_IOC_HANDLE_STATS, &st))
				fail("HANDLE_STATS: %s", strerror(errno));
			break;
		case 4:
			handle_ioctl(fd, IDXD_REF_IOC_FREE_HANDLE, h2, 0, what[i]);
			break;
		case 5:
			handle_ioctl(fd, IDXD_REF_IOC_FREE_HANDLE, h1, 0, what[i]);
			break;
		case 6:
			if (close(fd))
				fail("close: %s", strerror(errno));
			break;
		}
		dt = now_ms() - t;
		if (dt > worst) {
			worst = dt;
			slowest = i;
		}
	}
	say(out, "%ld %ld %s", now_ms(), worst, what[slowest]);
	exit(0);
}

int main(int argc, char **argv)
{
	int a_in[2], a_out[2], b_in[2], b_out[2], close_file, n, st, bad = 0;
	long a_start, a_end, b_end, worst;
	char buf[128], slowest[64];
	pid_t a, b;

	if (argc > 2 && !strcmp(argv[1], "-d")) {
		dev = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc != 4 || (strcmp(argv[3], "free") && strcmp(argv[3], "close")))
		fail("usage: idxd_ref_stall [-d DEV] UID_A UID_B free|close");
	close_file = !strcmp(argv[3], "close");
	if (pipe(a_in) || pipe(a_out) || pipe(b_in) || pipe(b_out))
		fail("pipe: %s", strerror(errno));
	fflush(stdout);

	b = fork();
	if (b < 0)
		fail("fork: %s", strerror(errno));
	if (!b)
		client_b(atoi(argv[2]), b_in[0], b_out[1]);
	hear(b_out[0], buf, sizeof(buf), "client B");

	a = fork();
	if (a < 0)
		fail("fork: %s", strerror(errno));
	if (!a)
		client_a(atoi(argv[1]), close_file, a_in[0], a_out[1]);
	hear(a_out[0], buf, sizeof(buf), "client A");
	n = atoi(buf);
	if (n < 2)
		fail("client A queued only %d descriptors", n);

	say(a_in[1], "go");
	hear(a_out[0], buf, sizeof(buf), "client A");
	a_start = atol(buf);
	/* let A get into its wait before B starts */
	usleep(300 * 1000);
	say(b_in[1], "go");
	hear(b_out[0], buf, sizeof(buf), "client B");
	if (sscanf(buf, "%ld %ld %63[^\n]", &b_end, &worst, slowest) != 3)
		fail("client B said '%s'", buf);
	hear(a_out[0], buf, sizeof(buf), "client A");
	a_end = atol(buf);

	waitpid(a, &st, 0);
	bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	waitpid(b, &st, 0);
	bad |= !WIFEXITED(st) || WEXITSTATUS(st);
	if (bad)
		fail("a client failed");

	printf("# A: %d descriptors queued, %s waited %ld ms\n", n,
	       close_file ? "close" : "FREE_HANDLE", a_end - a_start);
	printf("# B: done %ld ms after A started waiting, slowest call %s: %ld ms\n",
	       b_end - a_start, slowest, worst);
	if (a_end - a_start < MIN_STALL_MS)
		fail("A's %s returned after %ld ms: no stall to test",
		     close_file ? "close" : "FREE_HANDLE", a_end - a_start);
	if (b_end > a_end || worst > MAX_OP_MS)
		fail("B's %s took %ld ms, B done %ld ms after A's %s returned: B waited for A",
		     slowest, worst, b_end - a_end,
		     close_file ? "close" : "FREE_HANDLE");
	printf("PASS: B done in %ld ms while A's %s waited %ld ms for the device\n",
	       b_end - a_start, close_file ? "close" : "FREE_HANDLE",
	       a_end - a_start);
	return 0;
}
