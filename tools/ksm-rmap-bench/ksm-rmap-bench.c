// SPDX-License-Identifier: GPL-2.0
/*
 * ksm-rmap-bench: how long does migrating one KSM page take when its anon_vma
 * is shared by many VMAs?
 *
 * The reproducer of Part 3 of the anon-rmap stack (KSM pgoff tracking). One
 * region of VMAS pages gets an anon_vma from its first fault, then mprotect()
 * gives every other page another protection, which splits the region into
 * VMAS VMAs that all share that anon_vma (no fork involved). MAPPINGS pages
 * spread over the region get the same contents, ksmd merges them into one KSM
 * page, and ksmd is stopped again (ksm/run=0 keeps merged pages). Then the
 * KSM page is migrated back and forth between NUMA nodes 0 and 1 with
 * move_pages(), RUNS times, and each migration is timed.
 *
 * Each migration walks the KSM page's rmap twice (try_to_migrate() and
 * remove_migration_ptes()). Without the stack's Part 3, each walk visits
 * every VMA of the anon_vma for every mapping of the page; with it, only the
 * VMAs that cover the page's offset.
 *
 * Prints one line: "ksm-rmap-bench: vmas=... mappings=... runs=...
 * min_us=... median_us=... max_us=..." and exits 0, or prints what went
 * wrong and exits 1. Needs root (KSM sysfs, MPOL_MF_MOVE_ALL), KSM and two
 * NUMA nodes with memory.
 *
 * usage: ksm-rmap-bench [-n VMAS] [-m MAPPINGS] [-r RUNS]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/mempolicy.h>

#define TOOL_NAME "ksm-rmap-bench"
#include "../lib/tool.h"

static long page_size;

static void write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(s, f) < 0 || fclose(f))
		die("%s", path);
}

/* The node that @addr's page is on, or the negative errno move_pages() gave. */
static int page_node(void *addr)
{
	int status = -1;

	if (syscall(SYS_move_pages, 0, 1UL, &addr, NULL, &status, 0))
		die("move_pages (query)");
	return status;
}

/* Migrate @addr's page to @node; return the time it took in microseconds. */
static double migrate_page(void *addr, int node)
{
	struct timespec t0, t1;
	int status = -1;
	long ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = syscall(SYS_move_pages, 0, 1UL, &addr, &node, &status, MPOL_MF_MOVE_ALL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0)
		die("move_pages");
	if (ret > 0 || status != node) {
		fprintf(stderr, "ksm-rmap-bench: move_pages to node %d: %ld page(s) not migrated, status %d\n",
			node, ret, status);
		exit(1);
	}
	return (t1.tv_sec - t0.tv_sec) * 1e6 + (t1.tv_nsec - t0.tv_nsec) / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	long vmas = 20000, mappings = 2, runs = 21, i, merged;
	long vmas_before, even;
	double *us;
	char *region;
	int opt, node;

	while ((opt = getopt(argc, argv, "n:m:r:")) != -1) {
		switch (opt) {
		case 'n': vmas = atol(optarg); break;
		case 'm': mappings = atol(optarg); break;
		case 'r': runs = atol(optarg); break;
		default:
			fprintf(stderr, "usage: ksm-rmap-bench [-n VMAS] [-m MAPPINGS] [-r RUNS]\n");
			return 1;
		}
	}
	even = (vmas + 1) / 2;		/* the pages that stay writable */
	if (vmas < 3 || mappings < 2 || mappings > even || runs < 1) {
		fprintf(stderr, "ksm-rmap-bench: want VMAS >= 3, 2 <= MAPPINGS <= (VMAS + 1) / 2, RUNS >= 1\n");
		return 1;
	}
	page_size = page_size_bytes();
	us = calloc(runs, sizeof(*us));
	if (!us)
		die("calloc");

	/* ksm/run=2 unmerges whatever an earlier run left. */
	write_str("/sys/kernel/mm/ksm/run", "2");
	write_str("/sys/kernel/mm/ksm/sleep_millisecs", "0");
	write_str("/sys/kernel/mm/ksm/pages_to_scan", "10000");

	region = mmap(NULL, vmas * page_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED)
		die("mmap");
	if (madvise(region, vmas * page_size, MADV_NOHUGEPAGE) ||
	    madvise(region, vmas * page_size, MADV_MERGEABLE))
		die("madvise");

	/* The first fault gives the region its anon_vma; splits share it. */
	region[0] = 1;
	vmas_before = count_vmas();
	for (i = 1; i < vmas; i += 2)
		if (mprotect(region + i * page_size, page_size, PROT_READ))
			die("mprotect");
	if (count_vmas() - vmas_before != vmas - 1) {
		fprintf(stderr, "ksm-rmap-bench: the region is %ld VMAs, not %ld\n",
			count_vmas() - vmas_before + 1, vmas);
		return 1;
	}

	/*
	 * MAPPINGS pages with the same contents, spread over the writable
	 * (even) pages of the region. The other pages stay unpopulated.
	 */
	for (i = 0; i < mappings; i++)
		memset(region + 2 * (i * (even - 1) / (mappings - 1)) * page_size,
		       0x5a, page_size);

	/* Let ksmd merge them, then keep it out of the measurement. */
	write_str("/sys/kernel/mm/ksm/run", "1");
	for (i = 0; i < 6000; i++) {
		merged = read_long("/proc/self/ksm_merging_pages");
		if (merged == mappings)
			break;
		usleep(10000);
	}
	write_str("/sys/kernel/mm/ksm/run", "0");
	if (merged != mappings) {
		fprintf(stderr, "ksm-rmap-bench: ksmd merged %ld of %ld pages in 60 s\n",
			merged, mappings);
		return 1;
	}

	node = page_node(region);
	if (node < 0) {
		fprintf(stderr, "ksm-rmap-bench: the KSM page is on no node (%d)\n", node);
		return 1;
	}
	for (i = 0; i < runs; i++) {
		node = !node;
		us[i] = migrate_page(region, node);
	}
	if (read_long("/proc/self/ksm_merging_pages") != mappings) {
		fprintf(stderr, "ksm-rmap-bench: migration unmerged the KSM page\n");
		return 1;
	}

	qsort(us, runs, sizeof(*us), cmp_double);
	printf("ksm-rmap-bench: vmas=%ld mappings=%ld runs=%ld min_us=%.1f median_us=%.1f max_us=%.1f\n",
	       vmas, mappings, runs, us[0], us[runs / 2], us[runs - 1]);

	write_str("/sys/kernel/mm/ksm/run", "2");
	return 0;
}
