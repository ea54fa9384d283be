#!/usr/bin/env bash
# Install the Debian 12 packages the workflow needs, if any is missing.
# Only packages from the system's own suites are installed; nothing is upgraded.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkgs=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev dwarves ccache
	# workflow and series checks
	git perl python3 rsync xz-utils cpio kmod quilt shellcheck
	# checkpatch: spdxcheck.py
	python3-ply python3-git
	# tools/testing/vma
	liburcu-dev
	# the stack's mm selftests (scripts/selftest.sh): rmap links -lnuma
	libnuma-dev
	# KUnit and guest boots; python3-requests is for virtme-ng
	qemu-system-x86 python3-requests
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	log "deps: all ${#pkgs[@]} packages present"
	exit 0
fi

log "deps: installing ${missing[*]}"
as_root apt-get update -q
# --no-upgrade: install what is missing, never upgrade what is there.
as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -q --no-install-recommends --no-upgrade "${missing[@]}"
