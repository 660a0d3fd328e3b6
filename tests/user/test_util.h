/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the user-space test programs share: how they fail and how they
 * drop to an unprivileged user. Header only, static inline: a program may
 * be several files (a directory of tests/user, see mkinitramfs.sh).
 */
#ifndef _IMS_TEST_UTIL_H
#define _IMS_TEST_UTIL_H

#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One "FAIL: ..." line, which the guest case prints, and exit status 1. */
static inline void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
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

/* Run as @uid (its gid too, no supplementary groups) from here on. */
static inline void become(uid_t uid)
{
	if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
		fail("cannot become uid %u: %s", uid, strerror(errno));
}

#endif /* _IMS_TEST_UTIL_H */
