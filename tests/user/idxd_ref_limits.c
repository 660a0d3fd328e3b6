// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_limits - takes as many interrupt handles of /dev/idxd_ref<N> as
 * the driver lets one process have, over many open files.
 *
 *   idxd_ref_limits [-d DEV] [-u UID] [-w] FILES
 *
 * Opens up to FILES files one after the other and allocates handles on
 * each until the allocation fails: EDQUOT on a file that holds
 * max_handles (the per-file quota, INFO) opens the next file; any other
 * failure ends the grab. Then, if a limit stopped it, it frees one handle
 * and allocates one again, which must succeed and be refused again with
 * the same errno (the accounting is exact).
 *
 * Prints one line "handles=N files=F errno=NAME" (NAME "none" if FILES
 * files were filled without a limit) and exits 0; with -w it then keeps
 * every file and handle until stdin closes. Prints "FAIL: ..." and exits
 * 1 on anything else (an errno the ABI does not document for the call).
 * -u drops to UID (and its gid) after -d is parsed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <uapi/idxd_ref.h>

#include "test_util.h"

#define MAXFILES	512

static const char *errname(int e)
{
	switch (e) {
	case 0:
		return "none";
	case EDQUOT:
		return "EDQUOT";
	case ENOSPC:
		return "ENOSPC";
	case ENOMEM:
		return "ENOMEM";
	case EBUSY:
		return "EBUSY";
	case ENODEV:
		return "ENODEV";
	}
	return strerror(e);
}

/* 0 and *h, or the errno */
static int alloc_handle(int fd, unsigned int *h)
{
	struct idxd_ref_handle_req r = { .eventfd = -1 };

	if (ioctl(fd, IDXD_REF_IOC_ALLOC_HANDLE, &r))
		return errno;
	*h = r.handle;
	return 0;
}

int main(int argc, char **argv)
{
	static int fds[MAXFILES];
	static unsigned int last[MAXFILES];
	static int held[MAXFILES];
	const char *dev = "/dev/idxd_ref0";
	struct idxd_ref_handle_req r;
	struct idxd_ref_info info;
	int c, i, nfiles, total = 0, files = 0, err = 0, hold = 0, e2;
	unsigned int h;
	char buf[64];

	while ((c = getopt(argc, argv, "d:u:w")) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'u':
			become(atoi(optarg));
			break;
		case 'w':
			hold = 1;
			break;
		default:
			fail("usage: %s [-d DEV] [-u UID] [-w] FILES", argv[0]);
		}
	}
	if (optind != argc - 1)
		fail("usage: %s [-d DEV] [-u UID] [-w] FILES", argv[0]);
	nfiles = atoi(argv[optind]);
	if (nfiles < 1 || nfiles > MAXFILES)
		fail("FILES must be 1..%d", MAXFILES);

	for (i = 0; i < nfiles && !err; i++) {
		fds[i] = open(dev, O_RDWR);
		if (fds[i] < 0)
			fail("open %s (file %d): %s", dev, i + 1,
			     strerror(errno));
		files++;
		if (ioctl(fds[i], IDXD_REF_IOC_INFO, &info))
			fail("INFO: %s", strerror(errno));
		for (;;) {
			err = alloc_handle(fds[i], &h);
			if (err)
				break;
			last[i] = h;
			held[i]++;
			total++;
		}
		/* the per-file quota: on to the next file */
		if (err == EDQUOT && held[i] == (int)info.max_handles)
			err = 0;
		else if (err != EDQUOT && err != ENOSPC)
			fail("ALLOC_HANDLE on file %d after %d handles: %s",
			     i + 1, total, strerror(err));
	}

	if (err) {
		/* the file that hit the limit, or the last one with a handle */
		for (i = files - 1; i > 0 && !held[i]; i--)
			;
		if (!held[i])
			fail("%s before the first handle", errname(err));
		memset(&r, 0, sizeof(r));
		r.handle = last[i];
		if (ioctl(fds[i], IDXD_REF_IOC_FREE_HANDLE, &r))
			fail("FREE_HANDLE %u: %s", last[i], strerror(errno));
		e2 = alloc_handle(fds[i], &h);
		if (e2)
			fail("ALLOC_HANDLE after freeing one at the limit: %s",
			     errname(e2));
		e2 = alloc_handle(fds[i], &h);
		if (e2 != err)
			fail("ALLOC_HANDLE past the limit again: %s, first %s",
			     errname(e2), errname(err));
	}
	printf("handles=%d files=%d errno=%s\n", total, files, errname(err));
	fflush(stdout);
	if (hold)
		while (read(0, buf, sizeof(buf)) > 0)
			;
	for (i = 0; i < files; i++)
		close(fds[i]);
	return 0;
}
