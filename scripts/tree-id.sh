#!/usr/bin/env bash
# Print one word that names the state of build/linux: HEAD plus a hash of any
# uncommitted change, so that a build can be matched to the tree it came from.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

head=$(git -C "$LINUX" rev-parse HEAD)
diff=$(git -C "$LINUX" diff HEAD | sha256sum | cut -c1-12)
echo "$head-$diff"
