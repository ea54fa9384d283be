#!/usr/bin/env bash
# Bad inputs to the workflow: each must fail with a one-line error and a
# non-zero exit, and leave the cached pristine base untouched.
#   1. KERNEL_SRC pointing at a tree that is not Linux 7.2
#   2. a download whose checksum is wrong
#   3. a patch that does not apply
# and one good input: fetch.sh prints exactly one line on stdout, the
# base's directory, whether it downloads (apt-get chatting on stdout), reuses
# its cache or takes KERNEL_SRC: apply.sh captures that line as a path.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

base=$("$TOP/scripts/fetch.sh" 2>/dev/null)
fingerprint() { (cd "$base" && find . -printf '%p %s %T@\n' | sort | sha256sum); }
before=$(fingerprint)

tmp=$(mktemp -d "$BUILD/.workflow.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# expect NAME PATTERN CMD...: CMD must fail, with PATTERN on its last stderr line.
expect() {
	local name=$1 pattern=$2 rc=0 err
	shift 2
	"$@" >/dev/null 2>"$tmp/err" || rc=$?
	err=$(grep -v '^==> ' "$tmp/err" || true)
	if [ $rc != 0 ] && [ "$(wc -l <<<"$err")" = 1 ] && grep -qE "$pattern" <<<"$err" &&
	   [ "$(fingerprint)" = "$before" ]; then
		echo "ok   $name: exit $rc: $err"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit $rc, pristine $([ "$(fingerprint)" = "$before" ] && echo untouched || echo CHANGED), stderr:"
		sed 's/^/       /' "$tmp/err"
		failed=$((failed + 1))
	fi
}

# 1. Not a 7.2 tree, and not a kernel tree at all.
mkdir -p "$tmp/linux-6.12"
printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 0\n' >"$tmp/linux-6.12/Makefile"
expect "KERNEL_SRC is Linux 6.12" "is Linux 6\.12, the stack needs Linux 7\.2" \
	env KERNEL_SRC="$tmp/linux-6.12" "$TOP/scripts/fetch.sh"
expect "KERNEL_SRC is no kernel tree" "not a kernel tree" \
	env KERNEL_SRC="$tmp" "$TOP/scripts/fetch.sh"

# 2. A wrong checksum: the pinned .deb, re-used from the download cache, checked
#    against a different SHA256, with an empty base cache of its own.
read -r version suite _ tar_sha < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$BASE_CONF" | head -n1)
deb=$(ls "$DL_DIR"/linux-source-7.2_"${version}"_all.deb)
mkdir -p "$tmp/dl"
ln "$deb" "$tmp/dl/" 2>/dev/null || cp "$deb" "$tmp/dl/"
echo "$version $suite $(printf '0%.0s' {1..64}) $tar_sha" >"$tmp/base.conf"
expect "download with a wrong checksum" "checksum mismatch for linux-source-7\.2_" \
	env BASE_CONF="$tmp/base.conf" DL_DIR="$tmp/dl" BASE_DIR="$tmp/base" "$TOP/scripts/fetch.sh"

# 3. A patch that does not apply: the series with one context line of one hunk
#    changed, applied to a scratch clone of build/linux.
mkdir -p "$tmp/patches"
cp "$PATCHES"/*.patch "$PATCHES/series" "$tmp/patches/"
victim=$(series_patches | sed -n 3p)
[ -n "$victim" ] || victim=$(series_patches | head -n1)
awk '!done && /^ [^ ].*[a-z]/ && seen { sub(/^ /, " BROKEN "); done = 1 } /^@@ /{ seen = 1 } { print }' \
	"$PATCHES/$victim" >"$tmp/patches/$victim"
git clone -q --shared --no-checkout "$LINUX" "$tmp/linux"
# Check out only the directories the series touches: git am needs no more.
dirs=$(cat "$PATCHES"/[0-9]*.patch | sed -n 's|^+++ b/||p' | xargs -n1 dirname | sort -u)
# shellcheck disable=SC2086
git -C "$tmp/linux" sparse-checkout set --cone $dirs
git -C "$tmp/linux" checkout -q -B stack "$(git -C "$LINUX" rev-parse anon-rmap-base)"
git -C "$tmp/linux" tag -f anon-rmap-base >/dev/null
cp "$LINUX/.git/anon-rmap-stamp" "$tmp/linux/.git/anon-rmap-stamp" 2>/dev/null || true
read -r base_id _ _ <"$tmp/linux/.git/anon-rmap-stamp" 2>/dev/null || base_id=x
echo "$base_id none $(git -C "$tmp/linux" rev-parse HEAD)" >"$tmp/linux/.git/anon-rmap-stamp"
expect "a patch that does not apply" "^error: $victim does not apply: hunk @@ .* at [^ ]+:[0-9]+$" \
	env PATCHES="$tmp/patches" LINUX="$tmp/linux" "$TOP/scripts/apply.sh"

# 4. fetch.sh's stdout: one line, a directory. The download goes through
#    a fake apt-get first in PATH that prints what the real one prints on
#    stdout ("Get:1 ...") and copies the cached .deb, so no network is needed.
mkdir -p "$tmp/bin" "$tmp/dl-fresh"
cat >"$tmp/bin/apt-get" <<EOT
#!/bin/sh
[ "\$1" = download ] || exec /usr/bin/apt-get "\$@"
echo "Get:1 http://deb.debian.org/debian $suite/main amd64 linux-source-7.2 all $version [164 MB]"
echo "Fetched 164 MB in 1s (164 MB/s)"
cp "$deb" .
EOT
chmod +x "$tmp/bin/apt-get"
# one_dir NAME WANT CMD...: CMD succeeds and prints exactly the line WANT.
one_dir() {
	local name=$1 want=$2 rc=0 out
	shift 2
	out=$("$@" 2>"$tmp/err") || rc=$?
	if [ $rc = 0 ] && [ "$out" = "$want" ] && [ -d "$out" ]; then
		echo "ok   $name: stdout is the one line $out"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit $rc, stdout (want only $want):"
		printf '%s\n' "$out" | sed 's/^/       /'
		failed=$((failed + 1))
	fi
}
fresh=(env PATH="$tmp/bin:$PATH" DL_DIR="$tmp/dl-fresh" BASE_DIR="$tmp/base-fresh" BASE_VERSION="$version")
log "workflow: fetch.sh through a fresh download (about 30 s)"
one_dir "fetch.sh, downloading" "$tmp/base-fresh/linux-source-$version" \
	"${fresh[@]}" "$TOP/scripts/fetch.sh"
one_dir "fetch.sh, cached" "$tmp/base-fresh/linux-source-$version" \
	"${fresh[@]}" "$TOP/scripts/fetch.sh"
one_dir "fetch.sh, KERNEL_SRC" "$base" env KERNEL_SRC="$base" "$TOP/scripts/fetch.sh"

echo "workflow: $passed passed, $failed failed"
[ "$failed" = 0 ]
