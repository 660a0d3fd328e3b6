// SPDX-License-Identifier: GPL-2.0-only
/* Errors, allocation and file reading shared by the commands. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsctl.h"

void die(int code, const char *fmt, ...)
{
	va_list ap;

	/* Whatever was printed so far goes out before the error line. */
	fflush(stdout);
	fputs("imsctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void die_errno(int err, const char *what)
{
	if (err == EACCES || err == EPERM)
		die(EXIT_PERM, "%s: %s (needs root)", what, strerror(err));
	die(EXIT_SYSTEM, "%s: %s", what, strerror(err));
}

void note(const char *fmt, ...)
{
	va_list ap;

	fputs("imsctl: note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die(EXIT_SYSTEM, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die(EXIT_SYSTEM, "out of memory");
	p = realloc(p, n && size ? n * size : 1);
	if (!p)
		die(EXIT_SYSTEM, "out of memory");
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die(EXIT_SYSTEM, "out of memory");
	return p;
}

/*
 * Reads a whole file (sysfs and proc files report no size) into a NUL
 * terminated buffer. Returns 0, or a negative errno with *out NULL.
 */
int read_text(const char *path, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	if (fd < 0)
		return -errno;
	buf = xcalloc(cap, 1);
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - len - 1);

		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			close(fd);
			free(buf);
			return -err;
		}
		if (!n)
			break;
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = xrealloc(buf, cap, 1);
		}
	}
	close(fd);
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* The first line of a file without its newline; 0 or a negative errno. */
int read_line(const char *path, char *buf, size_t size)
{
	char *text;
	int ret = read_text(path, &text);

	if (ret)
		return ret;
	text[strcspn(text, "\n")] = '\0';
	str_copy(buf, size, text);
	free(text);
	return 0;
}

/* Decimal, or hexadecimal with 0x; the whole string, no sign. */
bool parse_ull(const char *s, unsigned long long *out)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!(base == 16 ? isxdigit((unsigned char)*s) :
			   isdigit((unsigned char)*s)))
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return !errno && !*end;
}

/* Copies with truncation: names longer than the buffers are cut. */
void str_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
