#!/usr/bin/env bash
# Boot the KUnit kernel with virtme-ng (vng) under TCG, the host's root as the
# guest's (read-only, 9p).
#
# usage: vng.sh [VNG_OPTION...]
#   no CMD      run the built-in KUnit suites (those matching $KUNIT_GLOB if
#               set) at boot, print a line per suite and "N passed, N failed,
#               N skipped"; fail if any test failed, none ran, or the guest did
#               not finish
#   CMD='...'   run CMD in the guest and exit with its status
# env: VNG_KERNEL (bzImage), VNG_TIMEOUT (seconds, default 300), VNG_MEMORY
#      (default 1G), KUNIT_GLOB, KUNIT_JSON (default build/vng-kunit.json)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

KERNEL=${VNG_KERNEL:-$KUNIT_OUT/arch/x86/boot/bzImage}
VNG_DIR=${VNG_DIR:-$BUILD/vng}
VNG_TIMEOUT=${VNG_TIMEOUT:-300}
VNG_MEMORY=${VNG_MEMORY:-1G}
KUNIT_GLOB=${KUNIT_GLOB:-}
KUNIT_JSON=$(realpath -m "${KUNIT_JSON:-$BUILD/vng-kunit.json}")
CMD=${CMD:-}

[ -f "$KERNEL" ] || die "no kernel at $KERNEL; run \`make kunit\` first"
if [ -z "${VNG_KERNEL:-}" ] &&
   [ "$(cat "$KUNIT_OUT/.anon-rmap-built-from" 2>/dev/null)" != "$("$TOP/scripts/tree-id.sh")" ]; then
	die "$KERNEL was not built from build/linux as it is now; run \`make kunit\` first"
fi
[ -f "$VNG_DIR/.stamp" ] || die "virtme-ng is not unpacked in $VNG_DIR; run scripts/vng-setup.sh first"

# The Debian package's python code, with the system python (which has
# python3-requests), not whatever python3 comes first in PATH.
#
# QEMU opens the guest's stdout and stderr as files on /proc/self/fd/{1,2}, with
# O_TRUNC and each at offset 0: a redirection to a file gets truncated and
# overwritten. Hand it pipes instead. Stdin is /dev/null, since timeout puts
# QEMU in a background process group, where reading a tty would stop it.
vng() {
	{ timeout -k 10 "$VNG_TIMEOUT" \
		env PYTHONPATH="$VNG_DIR/usr/lib/python3/dist-packages" \
		PATH="$VNG_DIR/usr/bin:$PATH" \
		/usr/bin/python3 "$VNG_DIR/usr/bin/vng" \
		--run "$KERNEL" --disable-kvm --memory "$VNG_MEMORY" \
		--append kasan_multi_shot \
		${KUNIT_GLOB:+--append "kunit.filter_glob=$KUNIT_GLOB"} "$@" \
		</dev/null 2>&1 >&3 3>&- | cat >&2; } 3>&1 | cat
}

if [ -n "$CMD" ]; then
	log "vng: booting $KERNEL to run: $CMD"
	rc=0
	vng --exec "$CMD" "$@" || rc=$?
	[ $rc != 124 ] || die "vng: guest timed out after ${VNG_TIMEOUT}s"
	log "vng: guest done in ${SECONDS}s, exit $rc"
	exit $rc
fi

log "vng: booting $KERNEL for KUnit suites '${KUNIT_GLOB:-all built in}'"
raw=${KUNIT_JSON%.json}.log
rc=0
vng --exec dmesg "$@" >"$raw" || rc=$?
[ $rc != 124 ] || die "vng: guest timed out after ${VNG_TIMEOUT}s; see $raw"
[ $rc = 0 ] || die "vng: guest failed (exit $rc); see $raw"
log "vng: guest done in ${SECONDS}s"

# kunit.py's own report goes to stderr; its exit code is ours to compute.
rm -f "$KUNIT_JSON"
/usr/bin/python3 "$LINUX/tools/testing/kunit/kunit.py" parse \
	--json="$KUNIT_JSON" "$raw" >&2 || true
[ -s "$KUNIT_JSON" ] || die "kunit.py parse wrote no $KUNIT_JSON; see $raw"

"$TOP/scripts/ktap-summary.py" "$KUNIT_JSON" vng
