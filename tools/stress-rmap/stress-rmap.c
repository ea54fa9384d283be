// SPDX-License-Identifier: GPL-2.0
/*
 * stress-rmap: churn the paths the anon-rmap stack touches, with every page
 * checksummed, and verify every page at the end.
 *
 * Each worker process owns a region of anonymous memory (THP-aligned, with
 * MADV_HUGEPAGE and MADV_MERGEABLE). Every page holds words generated from a
 * 64-bit key and, last, a checksum word; the worker remembers each page's key.
 * Half of the keys come from a small set, so that KSM finds identical
 * pages to merge. In a loop, until the time is up, a worker picks one of:
 *
 *   write     give a page a new key and rewrite it
 *   verify    check a random page
 *   mprotect  make a random range read-only (VMA split), check it, make it
 *             writable again (VMA merge)
 *   mremap    move the whole region (MREMAP_MAYMOVE), or with
 *             MREMAP_DONTUNMAP (the old range must then read as zeroes), or
 *             move a sub-range away and back again (split, then merge)
 *   pageout   MADV_PAGEOUT a random range (reclaim: try_to_unmap)
 *   ksm       MADV_UNMERGEABLE then MADV_MERGEABLE a random range
 *   migrate   move_pages() random pages to another NUMA node
 *   thpsplit  split the region's THPs through debugfs split_huge_pages,
 *             or by an mprotect of a range that is not 2 MiB aligned
 *   fork      fork a child: it verifies its CoW copy, churns it (and may fork
 *             again, to a depth of 3), verifies again and exits non-zero on a
 *             mismatch; the parent keeps writing meanwhile
 *
 * At the end every page of every worker is verified. Output ends with
 * "stress-rmap: N ops, N pages verified, N mismatches"; the exit status is 0
 * only with zero mismatches (children's included) and no unexpected error.
 *
 * usage: stress-rmap [-t SECONDS] [-w WORKERS] [-m MIB_PER_WORKER] [-s SEED]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/mempolicy.h>
#include <linux/mman.h>

#define TOOL_NAME "stress-rmap"
#include "../lib/tool.h"

static size_t page;		/* the base page size */
static size_t thp;		/* the PMD-sized THP */
#define WORDS (page / 8)

enum { OP_WRITE, OP_VERIFY, OP_MPROTECT, OP_MREMAP, OP_PAGEOUT, OP_KSM,
	OP_MIGRATE, OP_THPSPLIT, OP_FORK, NR_OPS };
static const char *op_name[NR_OPS] = { "write", "verify", "mprotect", "mremap",
	"pageout", "ksm", "migrate", "thpsplit", "fork" };
/* Relative frequencies of the operations. */
static const int op_weight[NR_OPS] = { 40, 20, 8, 8, 5, 4, 5, 3, 2 };

static uint64_t rng_state;
static char *region;		/* current address of this worker's region */
static size_t npages;
static uint64_t *keys;		/* expected key of each page */
static unsigned long ops[NR_OPS], mismatches, verified, errors;
static unsigned long unmerged;	/* whole-region mremaps refused: > 1 VMA */
static int depth;
static time_t deadline;
static const char *who = "worker";

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t rnd(void)
{
	return rng_state = splitmix(rng_state);
}

static size_t rnd_below(size_t n)
{
	return n ? rnd() % n : 0;
}

static void fill(uint64_t *w, uint64_t key)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < WORDS - 1; i++) {
		w[i] = splitmix(key * WORDS + i);
		sum = splitmix(sum ^ w[i]);
	}
	w[WORDS - 1] = sum;
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "stress-rmap[%s %d]: ", who, getpid());
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Check page i against its key: content, then the page's own checksum. */
static int check_page(size_t i)
{
	const uint64_t *w = (const uint64_t *)(region + i * page);
	uint64_t sum = 0;

	verified++;
	for (size_t j = 0; j < WORDS - 1; j++) {
		if (w[j] != splitmix(keys[i] * WORDS + j)) {
			if (mismatches++ < 10)
				note("MISMATCH page %zu word %zu: %#" PRIx64 ", want %#" PRIx64
				     " (key %#" PRIx64 ")", i, j, w[j],
				     splitmix(keys[i] * WORDS + j), keys[i]);
			return 1;
		}
		sum = splitmix(sum ^ w[j]);
	}
	if (w[WORDS - 1] != sum) {
		if (mismatches++ < 10)
			note("MISMATCH page %zu: checksum %#" PRIx64 ", want %#" PRIx64,
			     i, w[WORDS - 1], sum);
		return 1;
	}
	return 0;
}

static void check_range(size_t first, size_t n)
{
	for (size_t i = first; i < first + n && i < npages; i++)
		check_page(i);
}

static void write_page(size_t i)
{
	/* Even pages: one of 4 keys, so that KSM can merge them. */
	keys[i] = (i % 2 == 0) ? 1 + rnd_below(4) : (rnd() | (1ULL << 63));
	fill((uint64_t *)(region + i * page), keys[i]);
}

static void fail_errno(const char *what)
{
	errors++;
	if (errors < 10)
		note("%s failed: %s", what, strerror(errno));
}

static void pick_range(size_t *first, size_t *n, size_t max)
{
	*n = 1 + rnd_below(max < npages ? max : npages);
	*first = rnd_below(npages - *n + 1);
}

static void do_mprotect(int thp_unaligned)
{
	size_t first, n;

	pick_range(&first, &n, 1024);
	if (thp_unaligned) {	/* starts a page or more into a THP */
		size_t per_thp = thp / page;

		first = (rnd_below(npages / per_thp) * per_thp + 1 +
			 rnd_below(per_thp - 2)) % npages;
		n = n > npages - first ? npages - first : n;
	}
	if (mprotect(region + first * page, n * page, PROT_READ))
		return fail_errno("mprotect(PROT_READ)");
	check_range(first, n);
	if (mprotect(region + first * page, n * page, PROT_READ | PROT_WRITE))
		fail_errno("mprotect(PROT_READ|PROT_WRITE)");
}

static void do_mremap(void)
{
	size_t len = npages * page;
	void *p;

	switch (rnd_below(3)) {
	case 0:		/* move the whole region */
		p = mremap(region, len, len, MREMAP_MAYMOVE);
		if (p == MAP_FAILED && errno == EFAULT) {
			unmerged++;	/* the region is more than one VMA now */
			return;
		}
		if (p == MAP_FAILED)
			return fail_errno("mremap(MAYMOVE)");
		region = p;
		break;
	case 1: {	/* MREMAP_DONTUNMAP: the old range stays, empty */
		char *old = region;

		p = mremap(region, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
		if (p == MAP_FAILED) {
			if (errno == EFAULT)
				unmerged++;
			else if (errno != EINVAL)
				fail_errno("mremap(DONTUNMAP)");
			return;
		}
		region = p;
		for (size_t i = 0; i < npages; i += 1 + rnd_below(512)) {
			if (*(volatile uint64_t *)(old + i * page) != 0) {
				if (mismatches++ < 10)
					note("MISMATCH: page %zu of the range left by MREMAP_DONTUNMAP is not empty", i);
				break;
			}
		}
		munmap(old, len);
		break;
	}
	default: {	/* a sub-range away and back: split, then merge */
		size_t first, n;
		char *tmp;

		pick_range(&first, &n, 1024);
		tmp = mmap(NULL, n * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tmp == MAP_FAILED)
			return fail_errno("mmap(scratch)");
		p = mremap(region + first * page, n * page, n * page,
			   MREMAP_MAYMOVE | MREMAP_FIXED, tmp);
		if (p == MAP_FAILED) {
			munmap(tmp, n * page);
			return fail_errno("mremap(away)");
		}
		/* While away: check and write the moved pages where they are. */
		{
			char *home = region;

			region = (char *)p - first * page;
			check_range(first, n);
			write_page(first + rnd_below(n));
			region = home;
		}
		p = mremap(p, n * page, n * page, MREMAP_MAYMOVE | MREMAP_FIXED,
			   region + first * page);
		if (p == MAP_FAILED) {
			/* The hole is still there; we cannot go on sanely. */
			fail_errno("mremap(back)");
			note("fatal: region has a hole");
			exit(2);
		}
		break;
	}
	}
}

static void do_pageout(void)
{
	size_t first, n;

	pick_range(&first, &n, 2048);
	if (madvise(region + first * page, n * page, MADV_PAGEOUT) && errno != EINVAL)
		fail_errno("madvise(PAGEOUT)");
}

static void do_ksm(void)
{
	size_t first, n;

	pick_range(&first, &n, 2048);
	if (madvise(region + first * page, n * page, MADV_UNMERGEABLE) && errno != EINVAL)
		fail_errno("madvise(UNMERGEABLE)");
	if (rnd_below(4))
		check_range(first, n < 64 ? n : 64);
	if (madvise(region + first * page, n * page, MADV_MERGEABLE) && errno != EINVAL)
		fail_errno("madvise(MERGEABLE)");
}

static void do_migrate(void)
{
	enum { N = 64 };
	void *pages[N];
	int nodes[N], status[N];
	size_t first, n;
	int node = rnd_below(2);

	pick_range(&first, &n, N);
	for (size_t i = 0; i < n; i++) {
		pages[i] = region + (first + i) * page;
		nodes[i] = node;
	}
	/* ENODEV/EINVAL: a single-node machine; nothing to migrate to. */
	if (syscall(SYS_move_pages, 0, n, pages, nodes, status, MPOL_MF_MOVE) < 0 &&
	    errno != ENODEV && errno != EINVAL && errno != ENOENT)
		fail_errno("move_pages");
}

static void do_thpsplit(void)
{
	char buf[128];
	int fd, len;

	if (rnd_below(2))
		return do_mprotect(1);
	fd = open("/sys/kernel/debug/split_huge_pages", O_WRONLY);
	if (fd < 0)
		return do_mprotect(1);
	len = snprintf(buf, sizeof(buf), "%d,%#lx,%#lx", getpid(),
		       (unsigned long)region, (unsigned long)(region + npages * page));
	if (write(fd, buf, len) < 0 && errno != EINVAL)
		fail_errno("write(split_huge_pages)");
	close(fd);
}

static int run(time_t until, int max_children);

static unsigned long children_failed;

static void reap(int block)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, block ? 0 : WNOHANG)) > 0) {
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			children_failed++;
			note("child %d failed (status %#x)", pid, st);
		}
	}
}

static void do_fork(int max_children)
{
	static int live;
	pid_t pid;

	reap(0);
	if (depth >= 3 || max_children <= 0)
		return;
	pid = fork();
	if (pid < 0)
		return fail_errno("fork");
	if (pid == 0) {
		/* A CoW snapshot of region and keys: verify, churn, verify. */
		time_t until = time(NULL) + 2 + rnd_below(5);

		who = "child";
		depth++;
		children_failed = 0;
		memset(ops, 0, sizeof(ops));
		mismatches = verified = errors = 0;
		rng_state ^= (uint64_t)getpid() << 20;
		check_range(0, npages);
		run(until < deadline ? until : deadline, 1);
		check_range(0, npages);
		reap(1);
		_exit(mismatches || errors || children_failed ? 1 : 0);
	}
	live++;
	(void)live;
}

static int run(time_t until, int max_children)
{
	int total = 0;

	for (int i = 0; i < NR_OPS; i++)
		total += op_weight[i];
	while (time(NULL) < until) {
		for (int k = 0; k < 64; k++) {
			int r = rnd_below(total), op = 0;

			while (r >= op_weight[op])
				r -= op_weight[op++];
			ops[op]++;
			switch (op) {
			case OP_WRITE:    write_page(rnd_below(npages)); break;
			case OP_VERIFY:   check_page(rnd_below(npages)); break;
			case OP_MPROTECT: do_mprotect(0); break;
			case OP_MREMAP:   do_mremap(); break;
			case OP_PAGEOUT:  do_pageout(); break;
			case OP_KSM:      do_ksm(); break;
			case OP_MIGRATE:  do_migrate(); break;
			case OP_THPSPLIT: do_thpsplit(); break;
			case OP_FORK:     do_fork(max_children); break;
			}
		}
	}
	return 0;
}

static int worker(int id, size_t mib, uint64_t seed)
{
	size_t len = mib << 20;
	char *raw;
	unsigned long nops = 0;
	char line[512];
	int off = 0;

	rng_state = splitmix(seed + id);
	npages = len / page;
	keys = calloc(npages, sizeof(*keys));
	raw = mmap(NULL, len + thp, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!keys || raw == MAP_FAILED) {
		note("out of memory");
		return 2;
	}
	/* THP-aligned, so that the region starts with huge pages. */
	region = (char *)(((unsigned long)raw + thp - 1) & ~(thp - 1));
	if (region != raw)
		munmap(raw, region - raw);
	munmap(region + len, raw + thp - region);
	madvise(region, len, MADV_HUGEPAGE);
	madvise(region, len, MADV_MERGEABLE);
	for (size_t i = 0; i < npages; i++)
		write_page(i);

	run(deadline, 2);
	reap(1);
	check_range(0, npages);

	for (int i = 0; i < NR_OPS; i++) {
		nops += ops[i];
		off += snprintf(line + off, sizeof(line) - off, " %s=%lu", op_name[i], ops[i]);
	}
	printf("stress-rmap: worker %d: %lu ops (%s), %lu pages verified, %lu mismatches, "
	       "%lu errors, %lu children failed, %lu mremaps of a split region\n",
	       id, nops, line + 1, verified, mismatches, errors, children_failed, unmerged);
	fflush(stdout);
	return mismatches || errors || children_failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	int seconds = 60, workers = 2, opt, failed = 0;
	size_t mib = 32;
	uint64_t seed = time(NULL);

	while ((opt = getopt(argc, argv, "t:w:m:s:")) != -1) {
		switch (opt) {
		case 't': seconds = atoi(optarg); break;
		case 'w': workers = atoi(optarg); break;
		case 'm': mib = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-t SECONDS] [-w WORKERS] [-m MIB_PER_WORKER] [-s SEED]\n", argv[0]);
			return 2;
		}
	}
	if (seconds <= 0 || workers <= 0 || mib < 4 || mib % 2) {
		fprintf(stderr, "stress-rmap: bad arguments (MIB must be even and >= 4)\n");
		return 2;
	}
	page = page_size_bytes();
	thp = thp_size_bytes();
	printf("stress-rmap: %d workers x %zu MiB for %d s, seed %" PRIu64 "\n",
	       workers, mib, seconds, seed);
	fflush(stdout);
	deadline = time(NULL) + seconds;
	for (int i = 0; i < workers; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 2;
		}
		if (pid == 0)
			_exit(worker(i, mib, seed));
	}
	for (int i = 0; i < workers; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	printf("stress-rmap: %s (%d of %d workers failed)\n",
	       failed ? "FAIL" : "PASS", failed, workers);
	return failed ? 1 : 0;
}
