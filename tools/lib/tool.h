/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What our userland tools share: an error exit, reads of /proc and sysfs
 * numbers, the count of the caller's VMAs, and the page and THP sizes of
 * the running kernel (never a constant of the build machine).
 *
 * Header-only: each tool is one C file, built by tools/tool.mk, which
 * `make bench-mem` also compiles on its own in a guest.
 *
 * A tool defines TOOL_NAME before it includes this file. A tool that must
 * exit in a way of its own on an error (anon-mem-bench tells the process
 * waiting for it first) also defines TOOL_OWN_DIE and its own die(), built
 * on tool_vwarn().
 */
#ifndef TOOLS_LIB_TOOL_H
#define TOOLS_LIB_TOOL_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TOOL_NAME
#error "define TOOL_NAME before including tool.h"
#endif

static inline void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* Print "TOOL_NAME: <fmt>: <strerror(err)>" on stderr, with no newline. */
static inline void tool_vwarn(int err, const char *fmt, va_list ap)
{
	fputs(TOOL_NAME ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, ": %s", err ? strerror(err) : "failed");
}

#ifndef TOOL_OWN_DIE
/* Print "TOOL_NAME: <fmt>: <strerror(errno)>" on stderr and exit 1. */
static inline void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	tool_vwarn(err, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}
#endif

/*
 * Read the number at the start of the file at @path (a /proc or sysfs file)
 * into @v: 0, or -1 if there is no such file. Dies on any other error.
 */
static inline int try_read_long(const char *path, long *v)
{
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT)
			return -1;
		die("%s", path);
	}
	if (fscanf(f, "%ld", v) != 1) {
		errno = 0;
		die("no number in %s", path);
	}
	fclose(f);
	return 0;
}

/* The number at the start of the file at @path; dies if there is none. */
static inline long read_long(const char *path)
{
	long v;

	if (try_read_long(path, &v))
		die("%s", path);
	return v;
}

/* As read_long(), but @def if there is no such file. */
static inline long read_long_or(const char *path, long def)
{
	long v;

	return try_read_long(path, &v) ? def : v;
}

/* The number of lines of /proc/self/maps: our VMAs (and [vsyscall]). */
static inline long count_vmas(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	long n = 0;
	int c;

	if (!f)
		die("/proc/self/maps");
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	if (ferror(f))
		die("reading /proc/self/maps");
	fclose(f);
	return n;
}

/* The base page size of the running kernel. */
static inline size_t page_size_bytes(void)
{
	long size = sysconf(_SC_PAGESIZE);

	if (size <= 0)
		die("sysconf(_SC_PAGESIZE)");
	return size;
}

/* The PMD-sized THP of the running kernel; 2 MiB if it has no THP. */
static inline size_t thp_size_bytes(void)
{
	return read_long_or("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size",
			    2L << 20);
}

#endif /* TOOLS_LIB_TOOL_H */
