#!/usr/bin/env bash
# `make kunit-arm64`: scripts/kunit.sh for arm64, cross-built with Debian's
# aarch64-linux-gnu-gcc and booted in qemu-system-aarch64 (TCG); 4 KiB pages,
# or 64 KiB with PAGES=64K. Not part of `make check`: a cold build takes
# ~25 min on 2 cores.
set -euo pipefail
KUNIT_ARCH=arm64 exec "$(dirname "$0")/kunit.sh"
