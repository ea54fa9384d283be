#!/usr/bin/env bash
# Our shell scripts pass shellcheck at severity warning (sourced files
# followed, so that lib.sh's helpers are known).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v shellcheck >/dev/null || die "shellcheck not found: run 'make deps'"
cd "$TOP"
files=(scripts/*.sh guest/*.sh .ci/run)
if shellcheck -S warning -x -P scripts "${files[@]}"; then
	echo "shellcheck: ${#files[@]} scripts, no warning"
else
	echo "shellcheck: warnings above"
	exit 1
fi
