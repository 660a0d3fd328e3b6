// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_fuzz - structure-aware fuzzer of /dev/idxd_ref<N>
 * (ABI: include/uapi/idxd_ref.h).
 *
 *   idxd_ref_fuzz [-d DEV] [-u UID] [-s SEED] [-n OPS] [-t SECONDS]
 *                 [-p PROCS] [-r RCI]
 *
 * PROCS worker processes (default 3) each run at most OPS operations
 * (default 4000) for at most SECONDS (default 40), all from SEED (printed;
 * pass it back with -s to replay the same choices). A worker keeps up to
 * NFILES open files of the device and a model of each: its PASID, its
 * interrupt handles (live, masked, descriptors submitted on each), the
 * handles it freed, and the completion records it expects. Every call
 * mixes valid values with stale, foreign (another file's or process's),
 * out-of-range and bit-flipped ones in every field; the model predicts the
 * errno the ABI documents, and anything else (a wrong errno, or success
 * on bad input) fails the run with the seed, worker, operation and call.
 * A helper thread per worker works on the same files meanwhile (reads,
 * polls, statistics, mappings, bad pointers); forked children use the
 * parent's files; files are closed with work in flight. At most RCI
 * descriptors per worker (default 40) ask for a completion interrupt,
 * because the test card delivers about ten per second.
 *
 * At the end each worker reconciles, per file still open: the driver's
 * per-handle count of descriptors equals the model's; interrupts equal
 * descriptors for handles never masked; what read() returned equals what
 * the file's eventfds counted; no software error was reported.
 *
 * Prints "PASS: ..." and exits 0, or "FAIL: ..." and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuzz.h"

const char *dev = "/dev/idxd_ref0";
unsigned long long seed;
int nprocs = 3;
static long max_ops = 4000;
static int max_secs = 40;
static int rci_budget = 40;

struct shared *shm;

static struct worker *W;

/* ---- the helper thread ------------------------------------------------ */

static void *helper(void *arg)
{
	struct worker *w = arg;
	struct worker hw;
	struct idxd_ref_handle_stats s;
	struct pollfd p[NFILES];
	struct file *f;
	uint64_t v;
	int i, n;
	long r;

	/* its own random stream and error context, same files and pages */
	hw = *w;
	hw.id = w->id + 100;
	hw.rng = w->rng ^ 0x5eed;
	hw.hole = mmap(NULL, BUF, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		       0);
	if (hw.hole == MAP_FAILED)
		fail(&hw, "mmap");
	while (!atomic_load(&w->stop)) {
		hw.op++;
		f = &w->f[0];	/* the stable file */
		switch (below(&hw.rng, 6)) {
		case 0:
			hw.what = "thread read";
			r = read(f->fd, &v, 8);
			if (r == 8)
				got_events(&hw, f, v);
			else
				expect(&hw, r, EAGAIN);
			break;
		case 1:
			hw.what = "thread poll";
			for (i = n = 0; i < NFILES; i++)
				if (w->f[i].stable) {
					p[n].fd = w->f[i].fd;
					p[n++].events = POLLIN | POLLOUT;
				}
			r = poll(p, n, 20);
			for (i = 0; i < n; i++)
				if (r < 0 || p[i].revents & ~(POLLIN | POLLRDNORM))
					fail(&hw, "poll revents %#x",
					     p[i].revents);
			break;
		case 2:
			hw.what = "thread HANDLE_STATS";
			s.handle = below(&hw.rng, 2) ?
				   below(&hw.rng, hw.info.ims_size) :
				   atomic_load(&shm->handle[w->id]
					       [below(&hw.rng, MAXH)]);
			r = ioctl(f->fd, IDXD_REF_IOC_HANDLE_STATS, &s);
			if (r)
				expect(&hw, r, ENOENT);
			else if (s.irqs > s.submitted || s.errors ||
				 s.pending > 1)
				fail(&hw, "handle %u: submitted %llu irqs %llu errors %llu pending %u",
				     s.handle,
				     (unsigned long long)s.submitted,
				     (unsigned long long)s.irqs,
				     (unsigned long long)s.errors, s.pending);
			break;
		case 3:
			op_unknown(&hw, f);
			break;
		case 4:
			op_mmap(&hw, f, 0);
			break;
		default:
			hw.what = "thread bad pointers";
			expect(&hw, ioctl(f->fd, IDXD_REF_IOC_DEV_STATS,
					  bad_ptr(&hw, 32)), EFAULT);
			expect(&hw, read(f->fd, &v, below(&hw.rng, 8)), EINVAL);
		}
	}
	w->stat_helper = hw.op;
	return NULL;
}

/* ---- the end ---------------------------------------------------------- */

/* Unmask, wait for the device, then compare the model with the driver. */
static void reconcile(struct worker *w, struct file *f)
{
	struct idxd_ref_handle_req req;
	struct idxd_ref_handle_stats s;
	long end = now_ms() + WAIT_MS;
	uint64_t v, irqs;
	int i, busy;
	unsigned int k;

	w->what = "reconcile";
	for (i = 0; i < f->nh; i++) {
		if (!f->h[i].masked)
			continue;
		memset(&req, 0, sizeof(req));
		req.handle = f->h[i].idx;
		if (ioctl(f->fd, IDXD_REF_IOC_MASK_HANDLE, &req))
			fail(w, "unmask %u: %s", req.handle, strerror(errno));
		f->h[i].masked = 0;
	}
	for (k = 0; k < REC_SLOTS; k++)
		rec_check(w, f, k);
	do {
		busy = 0;
		irqs = 0;
		for (i = 0; i < f->nh; i++) {
			memset(&s, 0, sizeof(s));
			s.handle = f->h[i].idx;
			if (ioctl(f->fd, IDXD_REF_IOC_HANDLE_STATS, &s))
				fail(w, "stats %u: %s", s.handle,
				     strerror(errno));
			check_hstats(w, &f->h[i], &s);
			if (s.pending || (!f->h[i].ever_masked &&
					  s.irqs != s.submitted))
				busy = 1;
			irqs += s.irqs;
		}
		if (busy)
			usleep(50000);
	} while (busy && now_ms() < end);
	if (busy)
		fail(w, "interrupts missing %d ms after the end", WAIT_MS);
	/* a late interrupt would show up here */
	usleep(300000);
	fcntl(f->fd, F_SETFL, O_NONBLOCK);
	while (read(f->fd, &v, 8) == 8)
		got_events(w, f, v);
	drain_efds(f);
	if (f->exact && f->efd_sum != atomic_load(&f->events))
		fail(w, "file: read() counted %llu interrupts, its eventfds %llu",
		     (unsigned long long)atomic_load(&f->events),
		     (unsigned long long)f->efd_sum);
}

static void worker_run(struct worker *w)
{
	long end = now_ms() + max_secs * 1000L;
	pthread_t th;
	sigset_t set;
	int i, fi;

	w->guard = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->hole = mmap(NULL, BUF, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	if (w->guard == MAP_FAILED || w->hole == MAP_FAILED)
		fail(w, "mmap");
	mprotect(w->guard + PG, PG, PROT_NONE);
	w->ro = w->guard + 2 * PG;
	mprotect(w->ro, PG, PROT_READ);
	w->rci_left = rci_budget;
	for (i = 0; i < NFILES; i++)
		file_open(w, i, i == 0);

	/* SIGALRM (blocking reads) belongs to this thread */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&th, NULL, helper, w))
		fail(w, "pthread_create");
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	for (w->op = 0; w->op < max_ops && now_ms() < end; w->op++) {
		fi = below(&w->rng, NFILES);
		switch (below(&w->rng, 24)) {
		case 0 ... 6:
			op_submit(w, &w->f[fi]);
			break;
		case 7 ... 9:
			op_alloc(w, fi);
			break;
		case 10 ... 11:
			op_handle(w, fi, IDXD_REF_IOC_FREE_HANDLE);
			break;
		case 12:
			op_handle(w, fi, IDXD_REF_IOC_SET_EVENTFD);
			break;
		case 13:
			op_handle(w, fi, IDXD_REF_IOC_MASK_HANDLE);
			break;
		case 14 ... 15:
			op_stats(w, &w->f[fi]);
			break;
		case 16:
			op_unknown(w, &w->f[fi]);
			break;
		case 17 ... 18:
			op_read(w, &w->f[fi]);
			break;
		case 19:
			op_mmap(w, &w->f[fi], 1);
			break;
		case 20:
			op_fork(w, &w->f[fi]);
			break;
		case 21:
			if (chance(&w->rng, 20))
				op_modes(w);
			break;
		default:
			/* close with work in flight, open a new one */
			if (w->f[fi].stable || !chance(&w->rng, 25))
				break;
			file_close(w, fi);
			file_open(w, fi, 0);
		}
	}
	atomic_store(&w->stop, 1);
	pthread_join(th, NULL);
	for (i = 0; i < NFILES; i++)
		reconcile(w, &w->f[i]);
	for (i = 0; i < NFILES; i++)
		file_close(w, i);
	printf("# worker %d: %ld ops (%ld ok, %ld refused as expected), %ld descriptors accepted, %d RCI, helper thread %ld ops\n",
	       w->id, w->op, w->stat_ok, w->stat_err, w->stat_desc,
	       rci_budget - w->rci_left, w->stat_helper);
	fflush(stdout);
}

/*
 * Bugs the fuzzing found, replayed deterministically first: a SUBMIT
 * argument that cannot be written back used to fail with -EFAULT after
 * the descriptors were queued.
 */
static void regressions(void)
{
	struct worker *w = W;
	struct idxd_ref_handle_req req = { .eventfd = -1 };
	struct idxd_ref_handle_stats s = { 0 };
	struct idxd_ref_desc d = { .flags = IDXD_REF_F_RCI };
	struct idxd_ref_submit *sub;
	int fd = open(dev, O_RDWR);

	w->what = "regression: SUBMIT read-only argument";
	sub = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fd < 0 || sub == MAP_FAILED ||
	    ioctl(fd, IDXD_REF_IOC_ALLOC_HANDLE, &req))
		fail(w, "setup: %s", strerror(errno));
	d.handle = req.handle;
	sub->descs = (uintptr_t)&d;
	sub->count = 1;
	mprotect(sub, PG, PROT_READ);
	expect(w, ioctl(fd, IDXD_REF_IOC_SUBMIT, sub), EFAULT);
	s.handle = req.handle;
	if (ioctl(fd, IDXD_REF_IOC_HANDLE_STATS, &s) || s.submitted)
		fail(w, "the refused descriptor was queued (%llu submitted)",
		     (unsigned long long)s.submitted);
	munmap(sub, PG);
	close(fd);
	printf("# regression: read-only SUBMIT argument refused, nothing queued\n");
}

/* SIGALRM only interrupts op_read()'s blocking read (io.c). */
static void on_alarm(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct idxd_ref_dev_stats ds;
	int opt, i, st, fd, bad = 0;
	pid_t pids[MAXPROCS];
	struct sigaction sa;
	uid_t uid;

	setvbuf(stdout, NULL, _IOLBF, 0);
	seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
	while ((opt = getopt(argc, argv, "d:u:s:n:t:p:r:")) != -1) {
		switch (opt) {
		case 'd':
			dev = optarg;
			break;
		case 'u':
			uid = atoi(optarg);
			if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
				fail(NULL, "cannot become uid %u: %s", uid,
				     strerror(errno));
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			max_ops = atol(optarg);
			break;
		case 't':
			max_secs = atoi(optarg);
			break;
		case 'p':
			nprocs = atoi(optarg);
			break;
		case 'r':
			rci_budget = atoi(optarg);
			break;
		default:
			fail(NULL, "usage: see the top of idxd_ref_fuzz/main.c");
		}
	}
	if (nprocs < 1 || nprocs > MAXPROCS)
		fail(NULL, "1 to %d processes", MAXPROCS);
	printf("# seed %llu (replay with -s %llu), uid %u, %d processes, %ld ops, %d s, %d RCI each\n",
	       seed, seed, getuid(), nprocs, max_ops, max_secs, rci_budget);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: reads see EINTR */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	W = calloc(1, sizeof(*W));
	if (shm == MAP_FAILED || !W)
		fail(NULL, "out of memory");
	memset(shm->handle, 0xff, sizeof(shm->handle));
	fd = open(dev, O_RDONLY);
	if (fd < 0 || ioctl(fd, IDXD_REF_IOC_DEV_STATS, &ds) ||
	    ioctl(fd, IDXD_REF_IOC_INFO, &W->info))
		fail(NULL, "%s: %s", dev, strerror(errno));
	atomic_store(&shm->swerrs0, ds.swerrs);
	regressions();

	for (i = 0; i < nprocs; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			fail(NULL, "fork: %s", strerror(errno));
		if (!pids[i]) {
			W->id = i;
			W->rng = seed + 0x1000193ull * (i + 1);
			worker_run(W);
			exit(0);
		}
	}
	for (i = 0; i < nprocs; i++) {
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) ||
		    WEXITSTATUS(st)) {
			printf("# worker %d: status %#x\n", i, st);
			bad++;
		}
	}
	if (ioctl(fd, IDXD_REF_IOC_DEV_STATS, &ds))
		fail(NULL, "DEV_STATS: %s", strerror(errno));
	if (ds.swerrs != atomic_load(&shm->swerrs0))
		fail(NULL, "%llu software errors during the run",
		     (unsigned long long)(ds.swerrs - shm->swerrs0));
	close(fd);
	if (bad)
		fail(NULL, "%d of %d workers failed (seed %llu)", bad, nprocs,
		     seed);
	printf("PASS: seed %llu: %d workers, every call answered as the ABI says, counters reconciled\n",
	       seed, nprocs);
	return 0;
}
