#!/usr/bin/env bash
# Boot a guest kernel with vng under TCG in the shape every guest run uses:
# GUEST_CPUS vCPUs (default 3) and GUEST_MEMORY (default 4G) split over 2 NUMA
# nodes, the host's root read-only over 9p and OUT_DIR writable, and run CMD.
# The kernel console goes to OUT_DIR/console.log, CMD's output to stdout.
#
# usage: guest-boot.sh BZIMAGE OUT_DIR TIMEOUT_SECONDS CMD
# env: GUEST_CPUS, GUEST_MEMORY (above); GUEST_CMDLINE (default empty): extra
#      kernel command-line parameters, space-separated, appended to vng's
#      (e.g. GUEST_CMDLINE="slab_nomerge anon_vma_lazy=off")
#
# Why 3 vCPUs: the migration selftest wants numa_num_task_cpus() - 2 >= 1
# worker threads and skips otherwise. Why 4G: mremap_test moves 2 GiB regions.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# = 4 ] || die "usage: guest-boot.sh BZIMAGE OUT_DIR TIMEOUT_SECONDS CMD"
kernel=$1 out=$2 timeout_s=$3 cmd=$4
cpus=${GUEST_CPUS:-3}
mem=${GUEST_MEMORY:-4G}
[[ $cpus =~ ^[0-9]+$ ]] && [ "$cpus" -ge 2 ] || die "GUEST_CPUS=$cpus: need 2 or more (one NUMA node each at least)"
[[ $mem =~ ^([0-9]+)G$ ]] && [ $((${mem%G} % 2)) = 0 ] || die "GUEST_MEMORY=$mem: want an even number of GiB, e.g. 4G"
half=$((${mem%G} / 2))G
last=$((cpus - 1))
first1=$((cpus / 2 + cpus % 2))		# node 0 gets the odd CPU out
append=()
read -ra params <<<"${GUEST_CMDLINE:-}"
for p in "${params[@]}"; do
	append+=(--append "$p")
done

# vng 1.35 resolves a relative --rwdir guest path against its own cwd, so
# name the guest path explicitly (GUEST=HOST).
VNG_KERNEL=$kernel VNG_MEMORY=$mem VNG_TIMEOUT=$timeout_s CMD=$cmd \
	"$TOP/scripts/vng.sh" --cpus "$cpus" \
	--numa "$half,cpus=0-$((first1 - 1))" --numa "$half,cpus=$first1-$last" \
	--rwdir "$out=$out" "${append[@]}" --verbose 2>"$out/console.log"
