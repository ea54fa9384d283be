# The anon-rmap patch stack: the workflow, one target a step; `make X` runs
# scripts/X.sh.
#
#   make            fetch 7.2, apply the stack, build the x86_64 KUnit kernel,
#                   boot it under QEMU and summarise the results (the main job)
#   make check      every test that fits CI, with a summary table
#
# Steps, in the order the main job runs them:
#   make deps       install the Debian packages the workflow needs
#   make fetch      fetch and verify the base (or KERNEL_SRC=/path/to/7.2)
#   make apply      build/linux := base + one git commit per patch (git am)
#   make kunit      build the KUnit kernel and boot it under QEMU
#
# Edit loop (see README.md):
#   make apply -> edit, commit --fixup, rebase in build/linux -> make export -> make check
#   make export     rewrite patches/ from the commits in build/linux
#
# Single checks (all part of `make check`):
#   make shellcheck our shell scripts pass shellcheck (severity warning)
#   make kernel-doc kernel-doc -none -Wall of every file the series touches:
#                   no warning the base does not have
#   make series     series/files agree, git am, quilt push, checkpatch --strict
#   make bisect     tools/testing/vma at every prefix that touches it
#   make harness    tools/testing/vma on the full stack
#   make vng        boot the KUnit kernel with virtme-ng (CMD="..." runs a command)
#   make selftest   the mm selftests the stack adds (and hmm-tests' eviction),
#                   in the KASAN KUnit kernel (vng); a kernel splat fails
#   make workflow   bad inputs give one-line errors and leave the base untouched
#   make mutation   inject known bugs: the tests must fail (KUNIT=1: KUnit too)
#   make layout     pahole: struct sizes on x86_64 equal the base's (192 for a VMA)
#
# Guest validation and build matrix (too slow for `make check`; see README.md):
#   make guest-test boot the base and the patched kernel under QEMU/TCG, run the
#                   upstream mm selftests in each (run_vmtests.sh, category by
#                   category, hmm included), table base vs patched
#                   (DEBUG=1: KASAN/lockdep/DEBUG_VM kernels, splats fail)
#   make stress     checksummed stress run in the patched debug guest
#                   (STRESS_TIME=seconds, default 300)
#   make bench-ksm  KSM page migration time, base vs patched guest, with
#                   20,000 VMAs sharing its anon_vma (BENCH_VMAS=...)
#   make bench-mem  anon_vma/anon_vma_chain/VMA slab usage (a census of real
#                   programs under THP never/madvise/always/always+64K mTHP,
#                   with the lazy layer's /proc/vmstat events; synthetic
#                   regions, splits, fork tree, a compile) and fault, fork,
#                   munmap, mprotect-split times over BENCH_BOOTS boots
#                   each, base vs patched guest
#   make bench-profile perf profile of the timed workload: samples in each
#                   kernel path and rmap function, base vs patched guest
#   make kunit-arm64 the mm KUnit suites on arm64 (cross-built, booted in
#                   qemu-system-aarch64; PAGES=64K for 64 KiB pages)
#   make layout-report struct vm_area_struct and anon_vma in the configs
#                   kernels ship (ours, NUMA_BALANCING + ANON_VMA_NAME,
#                   Debian's amd64 config, arm64 Android-like): base vs series
#   make matrix     W=1 x86_64, i386, !KSM, !PER_VMA_LOCK, !THP, LLVM=-19,
#                   arm64 4K and 64K, riscv !MMU, sparse and every prefix of
#                   the series: no new warning vs the base
#
#   make help       this list
#   make clean      remove build/ except the downloads and ccache
#   make distclean  remove build/

SHELL := /bin/bash
S := scripts

.PHONY: all main deps fetch apply export kunit check shellcheck kernel-doc series bisect harness \
	vng selftest workflow mutation layout guest-test stress bench-ksm bench-mem bench-profile kunit-arm64 layout-report matrix help clean distclean

all: main

main: deps apply
	$(S)/kunit.sh

deps:
	$(S)/deps.sh

fetch: deps
	$(S)/fetch.sh >/dev/null

apply: deps
	$(S)/apply.sh

export:
	$(S)/export.sh

kunit: apply
	$(S)/kunit.sh

check:
	$(S)/check.sh

shellcheck: deps
	$(S)/shellcheck.sh

kernel-doc: apply
	$(S)/kernel-doc.sh

series: apply
	$(S)/series.sh

bisect: apply
	$(S)/bisect.sh

harness: apply
	$(S)/harness.sh

vng: kunit
	$(S)/vng-setup.sh >/dev/null
	$(S)/vng.sh

selftest: kunit
	$(S)/vng-setup.sh >/dev/null
	$(S)/selftest.sh

workflow: apply
	$(S)/workflow.sh

mutation: apply
	$(S)/mutation.sh

layout: apply
	$(S)/layout.sh

# These need build/linux (made by `make apply` if absent) but never apply to
# it: they build patches/ as committed in worktrees of their own.
guest-test: deps
	$(S)/guest-test.sh

stress: deps
	$(S)/stress.sh

bench-ksm: deps
	$(S)/bench-ksm.sh

bench-mem: deps
	$(S)/bench-mem.sh

bench-profile: deps
	$(S)/bench-profile.sh

kunit-arm64: apply
	$(S)/kunit-arm64.sh

layout-report: deps
	$(S)/layout-report.sh

matrix: deps
	$(S)/matrix.sh

# The comment block at the top of this file.
help:
	@sed -n -e '/^[^#]/q' -e 's/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

clean:
	@[ ! -d build/linux ] || git -C build/linux worktree prune
	rm -rf build/linux build/linux.tmp build/check-tree build/kunit-x86_64* build/kunit-arm64-* build/kunit-mutation* build/mutation* build/base build/check build/vng \
		build/guest-* build/stress-* build/matrix* build/layout-x86_64* build/layout-report \
		build/selftest* build/bench-ksm build/bench-mem*

distclean:
	rm -rf build
