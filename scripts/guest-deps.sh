#!/usr/bin/env bash
# Install the Debian 12 packages that the guest runs and the build matrix need
# on top of scripts/deps.sh (kept apart so that `make check` does not pay for
# them). Only the system's own suites; nothing is upgraded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	# mm selftests: ksm_tests, migration, rmap link -lnuma; cow uses liburing
	libnuma-dev liburing-dev numactl
	# make stress: generic churn next to tools/stress-rmap
	stress-ng
	# make matrix: C=1
	sparse
	# make matrix: LLVM=-19 (7.2 needs clang >= 17.0.1; Debian 12 ships 19)
	clang-19 lld-19 llvm-19
	# make matrix: arm64 4K/64K and riscv !MMU, cross-compiled
	gcc-aarch64-linux-gnu gcc-riscv64-linux-gnu
	# make kunit-arm64: the arm64 KUnit kernel boots in qemu-system-aarch64
	qemu-system-arm
	# make bench-profile: perf record in the guest, perf script on the host
	linux-perf
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

log "guest-deps: installing ${missing[*]}"
as_root apt-get update -q >/dev/null
as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends --no-upgrade "${missing[@]}"
