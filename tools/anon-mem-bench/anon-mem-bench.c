// SPDX-License-Identifier: GPL-2.0
/*
 * anon-mem-bench: how much slab memory does the anonymous rmap cost, and how
 * fast are the paths that create and free it?
 *
 * The workloads of Part 5 of the anon-rmap stack (CONFIG_ANON_VMA_LAZY: an
 * anonymous VMA that never forked gets no anon_vma and no anon_vma_chain).
 * Each slab workload samples the active_objs column of /proc/slabinfo for
 * the caches anon_vma, anon_vma_chain and vm_area_struct before and after
 * (or, for exec, during) the workload, and prints the deltas in objects and
 * in bytes (objects * objsize). Before each sample it writes 1 to
 * /sys/kernel/slab/<cache>/shrink, which flushes the per-CPU slabs: SLUB
 * counts every object of a slab a CPU holds as active, so without that the
 * counts jump by up to a slab's worth of objects per CPU. Even so they move
 * by whole slabs (42 anon_vmas) now and then, which swamps a workload as
 * small as exec: booted with slab_debug=U,<cache>, the kernel tracks each
 * object, and the live objects are counted exactly from
 * /sys/kernel/debug/slab/<cache>/alloc_traces instead (a note says so).
 *
 *   regions   N anonymous private regions of 4 pages, each between two
 *             unmapped pages so that no two VMAs can merge, every page
 *             written once: N VMAs, and on the base kernel N anon_vmas and
 *             N anon_vma_chains.
 *   split     regions, then mprotect(PROT_READ) of page 1 of each region,
 *             which splits it into 3 VMAs (base: 3 chains per region).
 *   forktree  regions, then a tree of processes D levels deep (each process
 *             above depth D forks 2 children); every child writes every page
 *             (CoW). The root samples once all 2^(D+1) - 2 children have
 *             written and are alive (a pipe counts them; a second pipe,
 *             closed by the root, lets them exit).
 *   exec      posix_spawnp() CMD; /proc/slabinfo is sampled every ~10 ms while
 *             it runs and the peak delta of each cache is reported, with
 *             CMD's exit status (not 0 is an error).
 *   census    real programs, alive at once: P python3 processes with 4
 *             threads each (every thread builds a dict of 50,000 strings), P
 *             perl processes with a hash of 300,000 entries and P bash
 *             processes that ran one command substitution. Started with
 *             posix_spawnp() (no fork of this process, see exec), each
 *             reports ready on fd 3 and waits for EOF on its stdin. The
 *             sample is taken when all 3P are ready; the deltas are those
 *             of the programs' whole lives so far (exec, ld.so, libc,
 *             interpreter). Besides the slab caches it reports the delta of
 *             AnonHugePages (/proc/meminfo, kB), of thp_fault_alloc and of
 *             every anon_vma_lazy_* event of /proc/vmstat (the lazy
 *             anon_vma layer's counters: why VMAs are not lazy or stopped
 *             being so), and of the 64 KiB mTHP anon_fault_alloc. The THP
 *             setting is the caller's: the line names it (thp=, mthp64k=).
 *   time      wall-clock time (CLOCK_MONOTONIC), median and min over R runs,
 *             of: fault (map N regions as above and write every page),
 *             forkexit (with them mapped, fork a child that _exit()s at once
 *             and waitpid() it), munmap (one munmap() of the span of the N
 *             regions), and mprotect of one page in the middle of a
 *             populated anonymous mapping of 64 KiB (mprotect_small) and of
 *             1 GiB (mprotect_1g): a split of a VMA whose cost should not
 *             grow with its size. A run's mprotect_small is the median of
 *             SMALL_SPLITS such splits, each of a mapping of its own: one
 *             call of about 20 us under TCG is noise. No slab sampling, no
 *             root needed.
 *   contend   wall-clock time, median over R runs, of the rmap paths that
 *             contend for one lock per mm when its VMAs share a home
 *             anon_vma: fault1 (one thread writes every page of N regions,
 *             mapped beforehand), faultT (T threads of one process each
 *             write every page of N / T regions of their own, all at once,
 *             timed from the start to the last thread's end), and
 *             forkserver (with N regions mapped and written, fork C
 *             children at once, each writes every page, CoW, and exits;
 *             timed from the first fork to the last waitpid()). faultT /
 *             fault1 is how well first faults scale in one mm. No root
 *             needed.
 *
 * Prints one line per run, for example
 *   anon-mem-bench: workload=regions n=10000 anon_vma=10000
 *     anon_vma_bytes=1040000 anon_vma_chain=10000 anon_vma_chain_bytes=640000
 *     vm_area_struct=10000 vm_area_struct_bytes=1920000
 * (one line), and exits 0; or prints what went wrong and exits 1. forktree
 * adds depth= and procs= (processes, the root included), exec adds status=
 * (CMD's exit status, 128 + signal if killed) and samples=, census adds
 * mode= (the -l label), thp=, mthp64k=, procs=, anon_huge_kb=,
 * thp_fault_alloc=, mthp64k_fault_alloc= and one vmstat.<event>= per
 * anon_vma_lazy_* event the kernel has. A cache that is
 * not in /proc/slabinfo (merged into another one: boot with slab_nomerge) is
 * reported as <cache>=-1 <cache>_bytes=-1, with a warning on stderr. The
 * deltas are system-wide: whatever else runs at the same time shows up in
 * them, and they can be negative.
 *
 * Needs root for /proc/slabinfo (all but `time`).
 *
 * usage: anon-mem-bench regions [-n N]
 *        anon-mem-bench split [-n N]
 *        anon-mem-bench forktree [-n N] [-d DEPTH]
 *        anon-mem-bench exec -- CMD [ARG...]
 *        anon-mem-bench census [-n P] [-l LABEL]
 *        anon-mem-bench time [-n N] [-r RUNS]
 *        anon-mem-bench contend [-n N] [-t THREADS] [-c CHILDREN] [-r RUNS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#define TOOL_NAME "anon-mem-bench"
#define TOOL_OWN_DIE	/* a child of the fork tree tells the root first */
#include "../lib/tool.h"

#define __noreturn	__attribute__((noreturn))
#define __printf(a, b)	__attribute__((format(printf, a, b)))

#define REGION_PAGES	4	/* pages of one region */
#define STRIDE_PAGES	5	/* a region and the unmapped page before it */
#define MAX_DEPTH	10	/* 2046 children */
#define READY_TIMEOUT_S	600	/* forktree, census: longest wait for one more child */
#define MAX_EVENTS	64	/* census: anon_vma_lazy_* events of /proc/vmstat */
#define BIG_BYTES	(1UL << 30)	/* time: the large VMA of mprotect_1g */
#define SMALL_BYTES	(64UL << 10)	/* time: the small VMA of mprotect_small */
#define SMALL_SPLITS	201		/* time: splits per run of mprotect_small */

enum { ANON_VMA, ANON_VMA_CHAIN, VM_AREA_STRUCT, NR_CACHES };

static const char *const cache_name[NR_CACHES] = {
	[ANON_VMA]		= "anon_vma",
	[ANON_VMA_CHAIN]	= "anon_vma_chain",
	[VM_AREA_STRUCT]	= "vm_area_struct",
};

/* One reading of /proc/slabinfo; -1 for a cache that is not listed. */
struct slab_sample {
	long objs[NR_CACHES];
	long objsize[NR_CACHES];
};

static long page_size;
static int in_child;		/* forktree: we are a child of the tree */
static int ready_fd = -1;	/* forktree: a child reports 'E' here on error */

static void __noreturn fail(void)
{
	if (in_child) {
		/* If this write fails, the root sees the pipe close instead. */
		if (ready_fd >= 0)
			(void)!write(ready_fd, "E", 1);
		_exit(1);
	}
	exit(1);
}

/* tool_vwarn(), with a hint for the likely causes, and fail(). */
static void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	tool_vwarn(err, fmt, ap);
	va_end(ap);
	if (err == ENOMEM)
		fprintf(stderr, " (too many VMAs for vm.max_map_count, or out of memory? lower -n)");
	if (err == EACCES || err == EPERM)
		fprintf(stderr, " (run as root)");
	fprintf(stderr, "\n");
	fail();
}

/* Print "anon-mem-bench: <message>" and exit 1. */
static void __noreturn __printf(1, 2) fatal(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "anon-mem-bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fail();
}

static void __noreturn usage(void)
{
	fprintf(stderr,
		"usage: anon-mem-bench regions [-n N]\n"
		"       anon-mem-bench split [-n N]\n"
		"       anon-mem-bench forktree [-n N] [-d DEPTH]\n"
		"       anon-mem-bench exec -- CMD [ARG...]\n"
		"       anon-mem-bench census [-n P] [-l LABEL]\n"
		"       anon-mem-bench time [-n N] [-r RUNS]\n"
		"       anon-mem-bench contend [-n N] [-t THREADS] [-c CHILDREN] [-r RUNS]\n");
	exit(1);
}

/* A decimal number in [min, max] from option -@opt, or exit 1. */
static long parse_num(int opt, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		fatal("-%c %s: want a number from %ld to %ld", opt, s, min, max);
	return v;
}

static double now_us(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die("clock_gettime");
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Read /proc/slabinfo into @s. */
static void read_slabinfo(struct slab_sample *s)
{
	char line[512], name[128];
	long active, total, objsize;
	FILE *f;
	int i;

	for (i = 0; i < NR_CACHES; i++)
		s->objs[i] = s->objsize[i] = -1;
	f = fopen("/proc/slabinfo", "r");
	if (!f)
		die("/proc/slabinfo");
	errno = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %ld %ld %ld", name, &active, &total, &objsize) != 4)
			continue;	/* the two header lines */
		for (i = 0; i < NR_CACHES; i++) {
			if (!strcmp(name, cache_name[i])) {
				s->objs[i] = active;
				s->objsize[i] = objsize;
			}
		}
	}
	if (ferror(f))
		die("reading /proc/slabinfo");
	if (fclose(f))
		die("closing /proc/slabinfo");
}

/*
 * Write 1 to /sys/kernel/slab/<cache>/shrink of the three caches. SLUB counts
 * every object of a slab that a CPU holds as active: flushing the per-CPU
 * slabs first makes active_objs count the allocated objects only, instead of
 * jumping by up to a slab's worth of objects per CPU. Without the files (no
 * CONFIG_SYSFS) the counts are noisier; say so once.
 */
static void shrink_caches(void)
{
	static int warned;
	char path[128];
	int i, fd;

	for (i = 0; i < NR_CACHES; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", cache_name[i]);
		fd = open(path, O_WRONLY);
		if (fd < 0 && errno == ENOENT) {
			if (!warned++)
				fprintf(stderr, "anon-mem-bench: warning: no %s: the counts include the free objects of per-CPU slabs\n",
					path);
			continue;
		}
		if (fd < 0)
			die("%s", path);
		if (write(fd, "1", 1) != 1)
			die("write to %s", path);
		if (close(fd))
			die("close %s", path);
	}
}

/* Flush the per-CPU slabs, then read /proc/slabinfo into @s. */
/*
 * The live objects of cache @name, exactly: the sum of the counts of
 * /sys/kernel/debug/slab/<name>/alloc_traces, which the kernel keeps for a
 * cache booted with slab_debug=U,<name> (SLUB_DEBUG). -1 without it.
 */
static long read_alloc_traces(const char *name)
{
	char path[PATH_MAX], line[512];
	long n = 0, count;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/slab/%s/alloc_traces", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%ld", &count) == 1)
			n += count;
	}
	if (ferror(f))
		die("reading %s", path);
	fclose(f);
	return n;
}

/*
 * active_objs of /proc/slabinfo counts whole slabs, and objects that the
 * per-CPU caches hold, as in use: a small workload moves it by a slab at a
 * time. Where the kernel tracks each object (slab_debug=U), count them.
 */
static void sample_slabs(struct slab_sample *s)
{
	static int noted;
	long exact;
	int i;

	shrink_caches();
	read_slabinfo(s);
	for (i = 0; i < NR_CACHES; i++) {
		if (s->objs[i] < 0)
			continue;
		exact = read_alloc_traces(cache_name[i]);
		if (exact < 0)
			continue;
		s->objs[i] = exact;
		if (!noted++)
			fprintf(stderr, "anon-mem-bench: note: exact object counts from /sys/kernel/debug/slab/*/alloc_traces\n");
	}
}

/* Warn once about every cache that /proc/slabinfo does not list. */
static void warn_missing(const struct slab_sample *s)
{
	static int warned[NR_CACHES];
	int i;

	for (i = 0; i < NR_CACHES; i++) {
		if (s->objs[i] >= 0 || warned[i])
			continue;
		warned[i] = 1;
		fprintf(stderr, "anon-mem-bench: warning: no cache %s in /proc/slabinfo (merged into another cache?); boot the guest with slab_nomerge\n",
			cache_name[i]);
	}
}

/* @delta := @after - @before, -1 where either misses the cache. */
static void slab_delta(const struct slab_sample *before, const struct slab_sample *after,
		       struct slab_sample *delta)
{
	int i;

	for (i = 0; i < NR_CACHES; i++) {
		if (before->objs[i] < 0 || after->objs[i] < 0) {
			delta->objs[i] = delta->objsize[i] = -1;
			continue;
		}
		delta->objs[i] = after->objs[i] - before->objs[i];
		delta->objsize[i] = after->objsize[i];
	}
}

/* Print the result line: "anon-mem-bench: workload=<head> <cache>=..." */
static void print_result(const char *head, const struct slab_sample *delta)
{
	int i;

	warn_missing(delta);
	printf("anon-mem-bench: workload=%s", head);
	for (i = 0; i < NR_CACHES; i++) {
		if (delta->objs[i] == -1 && delta->objsize[i] == -1)
			printf(" %s=-1 %s_bytes=-1", cache_name[i], cache_name[i]);
		else
			printf(" %s=%ld %s_bytes=%ld", cache_name[i], delta->objs[i],
			       cache_name[i], delta->objs[i] * delta->objsize[i]);
	}
	printf("\n");
	if (fflush(stdout))
		die("writing the result");
}

static size_t span_bytes(long n)
{
	return ((size_t)n * STRIDE_PAGES + 1) * page_size;
}

static char *region_addr(char *base, long i)
{
	return base + ((size_t)i * STRIDE_PAGES + 1) * page_size;
}

/*
 * Map @n regions of REGION_PAGES anonymous private pages, each with an
 * unmapped page before it and the last one with one after it, so that no
 * two regions and no neighbouring mapping can merge with one. The span is
 * first reserved PROT_NONE (so that nothing else lands in it), each region
 * mapped over the reservation with MAP_FIXED, and each gap page unmapped as
 * soon as its region is in place (the VMA count stays near @n). Returns the
 * start of the span; unmap_regions() unmaps it.
 */
static char *map_regions(long n)
{
	char *base, *r;
	long i;

	base = mmap(NULL, span_bytes(n), PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		die("mmap of a %zu byte PROT_NONE reservation", span_bytes(n));
	for (i = 0; i < n; i++) {
		r = mmap(region_addr(base, i), REGION_PAGES * page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r == MAP_FAILED)
			die("mmap of region %ld", i);
		if (r != region_addr(base, i))
			fatal("mmap of region %ld: got %p, not %p", i, (void *)r,
			      (void *)region_addr(base, i));
		if (munmap(region_addr(base, i) - page_size, page_size))
			die("munmap of the gap before region %ld", i);
	}
	if (munmap(base + span_bytes(n) - page_size, page_size))
		die("munmap of the gap after the last region");
	return base;
}

/*
 * Unmap the @n regions at @base and the gaps between them, in one munmap().
 * Not the gap pages at either end: once unmapped, they are free for the next
 * mapping next to them (a thread's stack, say) to take.
 */
static void unmap_regions(char *base, long n)
{
	if (munmap(base + page_size, span_bytes(n) - 2 * page_size))
		die("munmap of %ld regions", n);
}

/* Write one byte to every page of the @n regions at @base. */
static void touch_regions(char *base, long n, char val)
{
	long i, p;

	for (i = 0; i < n; i++)
		for (p = 0; p < REGION_PAGES; p++)
			region_addr(base, i)[p * page_size] = val;
}

/* Check that the @n regions added @per_region VMAs each. */
static void check_vmas(long before, long n, long per_region)
{
	long got = count_vmas() - before;

	if (got != n * per_region)
		fatal("the %ld regions are %ld VMAs, not %ld (merged or split by something else?)",
		      n, got, n * per_region);
}

static void bench_regions(long n, int split)
{
	struct slab_sample before, after, delta;
	long vmas_before, i;
	char head[64];
	char *base;

	vmas_before = count_vmas();
	sample_slabs(&before);
	base = map_regions(n);
	touch_regions(base, n, 1);
	if (split)
		for (i = 0; i < n; i++)
			if (mprotect(region_addr(base, i) + page_size, page_size, PROT_READ))
				die("mprotect of region %ld", i);
	sample_slabs(&after);
	slab_delta(&before, &after, &delta);
	check_vmas(vmas_before, n, split ? 3 : 1);
	snprintf(head, sizeof(head), "%s n=%ld", split ? "split" : "regions", n);
	print_result(head, &delta);
	unmap_regions(base, n);
}

/* MemAvailable from /proc/meminfo in bytes, or -1 if it is not there. */
static long long mem_available(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb < 0 ? -1 : kb * 1024;
}

/*
 * Read one byte per process from @fd, the read end of a pipe whose write
 * ends only the processes hold, until @want of them reported 'R'. Returns
 * 0, or 1 after saying on stderr what went wrong: a timeout, all writers
 * gone, or an 'E'. @what names the workload, @who the processes.
 */
static int wait_ready(int fd, long want, const char *what, const char *who)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long got = 0;
	ssize_t r;
	int pr;
	char c;

	while (got < want) {
		pr = poll(&pfd, 1, READY_TIMEOUT_S * 1000);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			die("poll on the ready pipe");
		if (!pr) {
			fprintf(stderr, "anon-mem-bench: %s: only %ld of %ld %s ready after %d s\n",
				what, got, want, who, READY_TIMEOUT_S);
			return 1;
		}
		r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			die("read from the ready pipe");
		if (r == 0) {
			fprintf(stderr, "anon-mem-bench: %s: the %s exited with %ld of %ld ready\n",
				what, who, got, want);
			return 1;
		}
		if (c != 'R') {
			fprintf(stderr, "anon-mem-bench: %s: one of the %s failed (%ld of %ld ready)\n",
				what, who, got, want);
			return 1;
		}
		got++;
	}
	return 0;
}

/*
 * A process of the fork tree at @depth (the root's children are at 1): write
 * every page, fork 2 children if @depth < @max_depth, report 'R' on @ready_wr,
 * wait until @go_rd closes, then wait for the children. Never returns.
 */
static void __noreturn tree_child(char *base, long n, int depth, int max_depth,
				  int ready_wr, int go_rd)
{
	pid_t kids[2];
	int k, status, ret = 0;
	char c;

	touch_regions(base, n, (char)depth);
	for (k = 0; k < 2 && depth < max_depth; k++) {
		kids[k] = fork();
		if (kids[k] < 0)
			die("fork at depth %d", depth);
		if (!kids[k])
			tree_child(base, n, depth + 1, max_depth, ready_wr, go_rd);
	}
	if (write(ready_wr, "R", 1) != 1)
		die("write to the ready pipe");
	while (read(go_rd, &c, 1) < 0)
		if (errno != EINTR)
			die("read from the go pipe");
	for (k = 0; k < 2 && depth < max_depth; k++) {
		if (waitpid(kids[k], &status, 0) != kids[k])
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			ret = 1;
	}
	_exit(ret);
}

static void bench_forktree(long n, int depth)
{
	struct slab_sample before, after, delta;
	long children = (2L << depth) - 2, vmas_before;
	long long need, avail;
	int ready[2], go[2], k, status, failed = 0;
	pid_t kids[2];
	char head[96];
	char *base;

	/* Every process ends up with its own copy of every page. */
	need = (children + 1) * (long long)n * REGION_PAGES * page_size;
	avail = mem_available();
	if (avail >= 0 && need > avail / 10 * 9)
		fatal("forktree -n %ld -d %d needs %lld MiB for %ld processes' pages, MemAvailable is %lld MiB: lower -n or -d",
		      n, depth, need >> 20, children + 1, avail >> 20);

	vmas_before = count_vmas();
	sample_slabs(&before);
	base = map_regions(n);
	touch_regions(base, n, 1);
	check_vmas(vmas_before, n, 1);
	if (pipe(ready) || pipe(go))
		die("pipe");
	if (fflush(NULL))
		die("fflush");

	for (k = 0; k < 2 && depth > 0; k++) {
		kids[k] = fork();
		if (kids[k] < 0)
			die("fork at depth 0");
		if (!kids[k]) {
			in_child = 1;
			ready_fd = ready[1];
			if (close(ready[0]) || close(go[1]))
				die("close");
			tree_child(base, n, 1, depth, ready[1], go[0]);
		}
	}
	/* Now only the children hold the write end: all gone means EOF. */
	if (close(ready[1]) || close(go[0]))
		die("close");

	failed = wait_ready(ready[0], children, "forktree", "children");
	if (!failed)
		sample_slabs(&after);

	/* Let the tree go, whatever happened, and reap our two children. */
	if (close(go[1]))
		die("close");
	for (k = 0; k < 2 && depth > 0; k++) {
		if (waitpid(kids[k], &status, 0) != kids[k])
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "anon-mem-bench: forktree: child %d (pid %d) %s %d\n", k,
				(int)kids[k], WIFEXITED(status) ? "exited with status" : "killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			failed = 1;
		}
	}
	close(ready[0]);
	if (failed)
		fatal("forktree failed");

	slab_delta(&before, &after, &delta);
	snprintf(head, sizeof(head), "forktree n=%ld depth=%d procs=%ld", n, depth, children + 1);
	print_result(head, &delta);
	unmap_regions(base, n);
}

static void bench_exec(char **cmd)
{
	struct slab_sample before, s, peak;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	long samples = 0;
	int status, i, rc;
	char head[64];
	pid_t pid, w;

	sample_slabs(&before);
	for (i = 0; i < NR_CACHES; i++) {
		peak.objs[i] = before.objs[i] < 0 ? -1 : 0;
		peak.objsize[i] = before.objsize[i];
	}
	if (fflush(NULL))
		die("fflush");
	/*
	 * Not fork(): it would copy this process's mm, and on a kernel with
	 * lazy anon_vmas first give each of our own faulted VMAs the anon_vma
	 * that the base kernel gave it before the first sample. glibc's
	 * posix_spawnp() shares the mm until the exec (CLONE_VFORK), so the
	 * deltas are those of CMD's processes.
	 */
	rc = posix_spawnp(&pid, cmd[0], NULL, NULL, cmd, environ);
	if (rc) {
		errno = rc;
		die("posix_spawnp %s", cmd[0]);
	}
	for (;;) {
		sample_slabs(&s);
		samples++;
		for (i = 0; i < NR_CACHES; i++) {
			if (before.objs[i] < 0 || s.objs[i] < 0) {
				peak.objs[i] = peak.objsize[i] = -1;
				continue;
			}
			if (s.objs[i] - before.objs[i] > peak.objs[i])
				peak.objs[i] = s.objs[i] - before.objs[i];
			peak.objsize[i] = s.objsize[i];
		}
		w = waitpid(pid, &status, WNOHANG);
		if (w < 0 && errno != EINTR)
			die("waitpid");
		if (w == pid)
			break;
		if (nanosleep(&tick, NULL) && errno != EINTR)
			die("nanosleep");
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	snprintf(head, sizeof(head), "exec status=%d samples=%ld", rc, samples);
	print_result(head, &peak);
	if (rc)
		fatal("exec: %s %s %d", cmd[0],
		      WIFEXITED(status) ? "exited with status" : "was killed by signal",
		      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

/* census: the programs, each started P times (see the header). */
static const char census_python[] =
	"import os, sys, threading\n"
	"ready = threading.Barrier(5)\n"
	"go = threading.Event()\n"
	"def work():\n"
	"    d = {i: str(i) * 4 for i in range(50000)}\n"
	"    ready.wait()\n"
	"    go.wait()\n"
	"    return len(d)\n"
	"ts = [threading.Thread(target=work) for _ in range(4)]\n"
	"for t in ts:\n"
	"    t.start()\n"
	"ready.wait()\n"
	"os.write(3, b'R')\n"
	"sys.stdin.read()\n"
	"go.set()\n"
	"for t in ts:\n"
	"    t.join()\n";
static const char census_perl[] =
	"my %h; $h{$_} = \"v$_\" for 1 .. 300000;"
	" open(my $r, '>&=', 3) or die; syswrite($r, 'R') == 1 or die;"
	" 1 while <STDIN>; exit(keys(%h) == 300000 ? 0 : 1);";
static const char census_bash[] =
	"x=$(echo census); [ \"$x\" = census ] || exit 1; printf R >&3;"
	" while read -r _; do :; done";

static char *const *const census_argv[] = {
	(char *const[]){ "python3", "-c", (char *)census_python, NULL },
	(char *const[]){ "perl", "-e", (char *)census_perl, NULL },
	(char *const[]){ "bash", "-c", (char *)census_bash, NULL },
};
#define NR_CENSUS_PROGS	(sizeof(census_argv) / sizeof(census_argv[0]))

/* The counters of /proc/vmstat and friends that census reports. */
struct census_sample {
	long long anon_huge_kb;		/* /proc/meminfo AnonHugePages */
	long long thp_fault_alloc;	/* /proc/vmstat, -1 without THP */
	long long mthp64k_fault_alloc;	/* -1 without the 64 KiB mTHP size */
	int nr_events;
	char event[MAX_EVENTS][128];	/* anon_vma_lazy_* of /proc/vmstat */
	long long count[MAX_EVENTS];
};

/* The selected value of a sysfs "a [b] c" setting, or "none". */
static void read_setting(const char *path, char *buf, size_t len)
{
	char line[256], *open, *close;
	FILE *f = fopen(path, "r");

	snprintf(buf, len, "none");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f)) {
		open = strchr(line, '[');
		close = open ? strchr(open, ']') : NULL;
		if (open && close)
			snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
	}
	fclose(f);
}

#define MTHP64K	"/sys/kernel/mm/transparent_hugepage/hugepages-64kB"

static void sample_census(struct census_sample *s)
{
	char line[256], name[128];
	long long v;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->anon_huge_kb = -1;
	s->thp_fault_alloc = -1;
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lld kB", &v) == 1)
			s->anon_huge_kb = v;
	fclose(f);
	f = fopen("/proc/vmstat", "r");
	if (!f)
		die("/proc/vmstat");
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lld", name, &v) != 2)
			continue;
		if (!strcmp(name, "thp_fault_alloc"))
			s->thp_fault_alloc = v;
		if (strncmp(name, "anon_vma_lazy_", 14))
			continue;
		if (s->nr_events == MAX_EVENTS)
			fatal("more than %d anon_vma_lazy_* events in /proc/vmstat", MAX_EVENTS);
		snprintf(s->event[s->nr_events], sizeof(s->event[0]), "%s", name);
		s->count[s->nr_events++] = v;
	}
	fclose(f);
	s->mthp64k_fault_alloc = read_long_or(MTHP64K "/stats/anon_fault_alloc", -1);
}

/* A close-on-exec duplicate of @fd at @min or above; @fd is closed. */
static int move_fd_above(int fd, int min)
{
	int new = fcntl(fd, F_DUPFD_CLOEXEC, min);

	if (new < 0)
		die("fcntl F_DUPFD_CLOEXEC");
	if (close(fd))
		die("close");
	return new;
}

/* -1 if either is -1, else @after - @before. */
static long long delta_or_missing(long long before, long long after)
{
	return before < 0 || after < 0 ? -1 : after - before;
}

/*
 * Start the census programs @p times each, wait until all are ready, sample,
 * then let them go and check that each exited with 0.
 */
static void bench_census(long p, const char *label)
{
	long nprocs = p * NR_CENSUS_PROGS, i;
	struct census_sample cb, ca;
	struct slab_sample before, after, delta;
	posix_spawn_file_actions_t fa;
	char head[MAX_EVENTS * 80 + 256], thp[32], mthp[32];
	size_t len;
	int ready[2], go[2], rc, status, failed = 0;
	pid_t *pids;

	pids = calloc(nprocs, sizeof(*pids));
	if (!pids)
		die("calloc");
	read_setting("/sys/kernel/mm/transparent_hugepage/enabled", thp, sizeof(thp));
	read_setting(MTHP64K "/enabled", mthp, sizeof(mthp));
	if (pipe2(ready, O_CLOEXEC) || pipe2(go, O_CLOEXEC))
		die("pipe2");
	/* Out of the way of the 0 and 3 that the programs get. */
	for (i = 0; i < 2; i++) {
		ready[i] = move_fd_above(ready[i], 10);
		go[i] = move_fd_above(go[i], 10);
	}
	if (posix_spawn_file_actions_init(&fa) ||
	    posix_spawn_file_actions_adddup2(&fa, go[0], 0) ||
	    posix_spawn_file_actions_adddup2(&fa, ready[1], 3) ||
	    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0))
		die("posix_spawn_file_actions");
	if (fflush(NULL))
		die("fflush");

	sample_slabs(&before);
	sample_census(&cb);
	for (i = 0; i < nprocs; i++) {
		/* Interleaved, as a real system's processes would be. */
		char *const *argv = census_argv[i % NR_CENSUS_PROGS];

		rc = posix_spawnp(&pids[i], argv[0], &fa, NULL, argv, environ);
		if (rc) {
			errno = rc;
			die("posix_spawnp %s", argv[0]);
		}
	}
	/* Now only the programs hold the write end: all gone means EOF. */
	close(ready[1]);
	close(go[0]);
	failed = wait_ready(ready[0], nprocs, "census", "programs");
	if (!failed) {
		sample_slabs(&after);
		sample_census(&ca);
	}
	close(go[1]);
	for (i = 0; i < nprocs; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i])
			die("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "anon-mem-bench: census: %s (pid %d) %s %d\n",
				census_argv[i % NR_CENSUS_PROGS][0], (int)pids[i],
				WIFEXITED(status) ? "exited with status" : "was killed by signal",
				WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			failed = 1;
		}
	}
	close(ready[0]);
	posix_spawn_file_actions_destroy(&fa);
	free(pids);
	if (failed)
		fatal("census failed");

	slab_delta(&before, &after, &delta);
	snprintf(head, sizeof(head),
		 "census mode=%s thp=%s mthp64k=%s procs=%ld anon_huge_kb=%lld thp_fault_alloc=%lld mthp64k_fault_alloc=%lld",
		 label, thp, mthp, nprocs, delta_or_missing(cb.anon_huge_kb, ca.anon_huge_kb),
		 delta_or_missing(cb.thp_fault_alloc, ca.thp_fault_alloc),
		 delta_or_missing(cb.mthp64k_fault_alloc, ca.mthp64k_fault_alloc));
	for (i = 0; i < ca.nr_events; i++) {
		if (i >= cb.nr_events || strcmp(cb.event[i], ca.event[i]))
			fatal("census: /proc/vmstat changed its events");
		len = strlen(head);
		snprintf(head + len, sizeof(head) - len, " vmstat.%s=%lld", ca.event[i],
			 ca.count[i] - cb.count[i]);
	}
	print_result(head, &delta);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Map @bytes of anonymous private memory, populated (MAP_POPULATE of a
 * writable private mapping write-faults every page), and return the time of
 * mprotect(PROT_READ) of its middle page, which splits the VMA in three.
 */
static double time_mprotect_split(size_t bytes)
{
	size_t mid = bytes / 2 / page_size * page_size;
	double t0, t1;
	char *p;

	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		die("mmap of %zu populated bytes", bytes);
	t0 = now_us();
	if (mprotect(p + mid, page_size, PROT_READ))
		die("mprotect of the middle page of %zu bytes", bytes);
	t1 = now_us();
	if (munmap(p, bytes))
		die("munmap");
	return t1 - t0;
}

/* The median of SMALL_SPLITS times of time_mprotect_split(@bytes). */
static double time_mprotect_split_median(size_t bytes)
{
	double us[SMALL_SPLITS];
	int i;

	for (i = 0; i < SMALL_SPLITS; i++)
		us[i] = time_mprotect_split(bytes);
	qsort(us, SMALL_SPLITS, sizeof(double), cmp_double);
	return us[SMALL_SPLITS / 2];
}

static void bench_time(long n, long runs)
{
	double *fault_us, *fork_us, *munmap_us, *small_us, *big_us, t0, t1, t2, t3;
	int status;
	long i;
	char *base;
	pid_t pid;

	fault_us = calloc(runs, sizeof(*fault_us));
	fork_us = calloc(runs, sizeof(*fork_us));
	munmap_us = calloc(runs, sizeof(*munmap_us));
	small_us = calloc(runs, sizeof(*small_us));
	big_us = calloc(runs, sizeof(*big_us));
	if (!fault_us || !fork_us || !munmap_us || !small_us || !big_us)
		die("calloc");
	if (fflush(NULL))
		die("fflush");

	for (i = 0; i < runs; i++) {
		t0 = now_us();
		base = map_regions(n);
		touch_regions(base, n, 1);
		t1 = now_us();
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid)
			_exit(0);
		if (waitpid(pid, &status, 0) != pid)
			die("waitpid");
		t2 = now_us();
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fatal("time: the forked child did not exit with 0 (status 0x%x)", status);
		unmap_regions(base, n);
		t3 = now_us();
		fault_us[i] = t1 - t0;
		fork_us[i] = t2 - t1;
		munmap_us[i] = t3 - t2;
		small_us[i] = time_mprotect_split_median(SMALL_BYTES);
		big_us[i] = time_mprotect_split(BIG_BYTES);
	}
	qsort(fault_us, runs, sizeof(double), cmp_double);
	qsort(fork_us, runs, sizeof(double), cmp_double);
	qsort(munmap_us, runs, sizeof(double), cmp_double);
	qsort(small_us, runs, sizeof(double), cmp_double);
	qsort(big_us, runs, sizeof(double), cmp_double);
	printf("anon-mem-bench: workload=time n=%ld runs=%ld fault_median_us=%.1f fault_min_us=%.1f forkexit_median_us=%.1f forkexit_min_us=%.1f munmap_median_us=%.1f munmap_min_us=%.1f mprotect_small_median_us=%.1f mprotect_small_min_us=%.1f mprotect_1g_median_us=%.1f mprotect_1g_min_us=%.1f\n",
	       n, runs, fault_us[runs / 2], fault_us[0], fork_us[runs / 2], fork_us[0],
	       munmap_us[runs / 2], munmap_us[0], small_us[runs / 2], small_us[0],
	       big_us[runs / 2], big_us[0]);
	if (fflush(stdout))
		die("writing the result");
	free(fault_us);
	free(fork_us);
	free(munmap_us);
	free(small_us);
	free(big_us);
}

/* contend: one faulting thread's share of the regions. */
struct fault_share {
	pthread_barrier_t *start;
	char *base;		/* its own span of regions, mapped */
	long n;
	double end_us;		/* when it wrote its last page */
};

static void *fault_thread(void *arg)
{
	struct fault_share *share = arg;
	int ret = pthread_barrier_wait(share->start);

	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		fatal("contend: pthread_barrier_wait: %s", strerror(ret));
	touch_regions(share->base, share->n, 1);
	share->end_us = now_us();
	return NULL;
}

/*
 * Map @n regions in @threads spans, one per thread, then let the threads
 * write every page of their span at once; return the time from the start
 * to the last thread's end. The mapping is not timed: mmap() takes the mmap
 * lock for write, which any two threads contend for on every kernel.
 */
static double time_faults(long n, long threads)
{
	struct fault_share *share;
	pthread_barrier_t start;
	pthread_t *tid;
	double t0, end = 0;
	long i, per = n / threads;
	int ret;

	share = calloc(threads, sizeof(*share));
	tid = calloc(threads, sizeof(*tid));
	if (!share || !tid)
		die("calloc");
	ret = pthread_barrier_init(&start, NULL, threads + 1);
	if (ret)
		fatal("contend: pthread_barrier_init: %s", strerror(ret));
	for (i = 0; i < threads; i++) {
		share[i].start = &start;
		share[i].n = i == threads - 1 ? n - per * (threads - 1) : per;
		share[i].base = map_regions(share[i].n);
		ret = pthread_create(&tid[i], NULL, fault_thread, &share[i]);
		if (ret)
			fatal("contend: pthread_create: %s", strerror(ret));
	}
	t0 = now_us();
	ret = pthread_barrier_wait(&start);
	if (ret && ret != PTHREAD_BARRIER_SERIAL_THREAD)
		fatal("contend: pthread_barrier_wait: %s", strerror(ret));
	for (i = 0; i < threads; i++) {
		ret = pthread_join(tid[i], NULL);
		if (ret)
			fatal("contend: pthread_join: %s", strerror(ret));
		if (share[i].end_us > end)
			end = share[i].end_us;
	}
	for (i = 0; i < threads; i++)
		unmap_regions(share[i].base, share[i].n);
	pthread_barrier_destroy(&start);
	free(share);
	free(tid);
	return end - t0;
}

/*
 * With @n regions mapped and written, fork @children children at once; each
 * writes every page (CoW) and exits. Return the time from the first fork to
 * the last waitpid().
 */
static double time_forkserver(long n, long children)
{
	char *base = map_regions(n);
	double t0, t1;
	int status;
	long i;
	pid_t pid;

	touch_regions(base, n, 1);
	if (fflush(NULL))
		die("fflush");
	t0 = now_us();
	for (i = 0; i < children; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (!pid) {
			touch_regions(base, n, 2);
			_exit(0);
		}
	}
	for (i = 0; i < children; i++) {
		pid = wait(&status);
		if (pid < 0)
			die("wait");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			fatal("contend: child %d did not exit with 0 (status 0x%x)", (int)pid, status);
	}
	t1 = now_us();
	unmap_regions(base, n);
	return t1 - t0;
}

static void bench_contend(long n, long threads, long children, long runs)
{
	double *one_us, *many_us, *fork_us;
	long i;

	if (n < threads)
		fatal("contend: -n %ld is fewer regions than -t %ld threads", n, threads);
	one_us = calloc(runs, sizeof(*one_us));
	many_us = calloc(runs, sizeof(*many_us));
	fork_us = calloc(runs, sizeof(*fork_us));
	if (!one_us || !many_us || !fork_us)
		die("calloc");
	for (i = 0; i < runs; i++) {
		one_us[i] = time_faults(n, 1);
		many_us[i] = time_faults(n, threads);
		fork_us[i] = time_forkserver(n, children);
	}
	qsort(one_us, runs, sizeof(double), cmp_double);
	qsort(many_us, runs, sizeof(double), cmp_double);
	qsort(fork_us, runs, sizeof(double), cmp_double);
	printf("anon-mem-bench: workload=contend n=%ld threads=%ld children=%ld runs=%ld fault1_median_us=%.1f fault1_min_us=%.1f faultT_median_us=%.1f faultT_min_us=%.1f forkserver_median_us=%.1f forkserver_min_us=%.1f\n",
	       n, threads, children, runs, one_us[runs / 2], one_us[0],
	       many_us[runs / 2], many_us[0], fork_us[runs / 2], fork_us[0]);
	if (fflush(stdout))
		die("writing the result");
	free(one_us);
	free(many_us);
	free(fork_us);
}

int main(int argc, char **argv)
{
	long n = 10000, runs = 11, depth = 3, procs = 10, threads = 2, children = 4;
	const char *opts, *what, *label = "default";
	int opt;

	if (argc < 2)
		usage();
	what = argv[1];
	if (!strcmp(what, "regions") || !strcmp(what, "split"))
		opts = "+n:";
	else if (!strcmp(what, "forktree"))
		opts = "+n:d:";
	else if (!strcmp(what, "exec"))
		opts = "+";
	else if (!strcmp(what, "census"))
		opts = "+n:l:";
	else if (!strcmp(what, "time"))
		opts = "+n:r:";
	else if (!strcmp(what, "contend"))
		opts = "+n:r:t:c:";
	else
		usage();

	/* Parse the options after the subcommand. */
	argc--;
	argv++;
	opterr = 0;
	while ((opt = getopt(argc, argv, opts)) != -1) {
		switch (opt) {
		case 'n':
			if (!strcmp(what, "census"))
				procs = parse_num(opt, optarg, 1, 1000);
			else
				n = parse_num(opt, optarg, 1, 10L * 1000 * 1000);
			break;
		case 'l':
			label = optarg;
			break;
		case 'd':
			depth = parse_num(opt, optarg, 0, MAX_DEPTH);
			break;
		case 'r':
			runs = parse_num(opt, optarg, 1, 100000);
			break;
		case 't':
			threads = parse_num(opt, optarg, 1, 256);
			break;
		case 'c':
			children = parse_num(opt, optarg, 1, 256);
			break;
		default:
			fprintf(stderr, "anon-mem-bench: %s: unknown option -%c or no value given\n",
				what, optopt);
			usage();
		}
	}
	if (strcmp(what, "exec") ? optind != argc : optind >= argc)
		usage();

	page_size = page_size_bytes();

	if (!strcmp(what, "regions"))
		bench_regions(n, 0);
	else if (!strcmp(what, "split"))
		bench_regions(n, 1);
	else if (!strcmp(what, "forktree"))
		bench_forktree(n, depth);
	else if (!strcmp(what, "exec"))
		bench_exec(argv + optind);
	else if (!strcmp(what, "census"))
		bench_census(procs, label);
	else if (!strcmp(what, "contend"))
		bench_contend(n, threads, children, runs);
	else
		bench_time(n, runs);
	return 0;
}
