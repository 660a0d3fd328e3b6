// SPDX-License-Identifier: GPL-2.0-only
/*
 * idxd_ref_user - drives /dev/idxd_ref<N> (include/uapi/idxd_ref.h). This
 * file is its command line; the sub-commands are in cases.c and stress.c.
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
#include "idxd_ref_user.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_util.h"

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
		fail("usage: see the top of idxd_ref_user/main.c");
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
