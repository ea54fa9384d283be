#!/usr/bin/env bash
# Build a sparse that knows __typeof_unqual__ (Linux 7.2 needs it; Debian 12's
# 0.6.4 does not) from Debian's own source package in sid, and print the
# path of the sparse binary. The source comes through apt (deb-src of sid,
# verified against the archive's signed index, like any apt download) and
# is built in build/sparse; nothing is installed on the system and no
# package is upgraded. `make matrix` uses it for its sparse row.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=$BUILD/sparse
bin=$out/sparse
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
	echo "$bin"
	exit 0
fi

command -v dpkg-source >/dev/null || die "sparse-build: dpkg-source missing (dpkg-dev): run 'make deps'"

# sid for its source only: a deb-src entry changes nothing that is installed
# (the binary entry of scripts/apt-suite.sh stays pinned at priority 1).
src_list=/etc/apt/sources.list.d/anon-rmap-sid-src.sources
if [ ! -f "$src_list" ]; then
	log "sparse-build: adding Debian sid's deb-src to apt"
	as_root tee "$src_list" >/dev/null <<EOT
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	as_root apt-get update -q >"$BUILD/apt-update.log" 2>&1 ||
		{ tail -n 20 "$BUILD/apt-update.log" >&2; die "sparse-build: apt-get update failed"; }
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
log "sparse-build: fetching Debian sid's sparse source package"
(cd "$out.tmp" && apt-get source -q --download-only -t sid sparse) >"$out.log" 2>&1 ||
	{ tail -n 20 "$out.log" >&2; die "sparse-build: apt-get source sparse failed (log: $out.log)"; }
dsc=$(ls "$out.tmp"/sparse_*.dsc)
(cd "$out.tmp" && dpkg-source -x "$(basename "$dsc")" src) >>"$out.log" 2>&1 ||
	die "sparse-build: dpkg-source -x failed (log: $out.log)"
log "sparse-build: building $(basename "$dsc" .dsc) (~1 min)"
# CC: sid's packaging patches the Makefile to build with sid's gcc-16.
nice -n 10 make -C "$out.tmp/src" -j"$(nproc)" CC=gcc sparse >>"$out.log" 2>&1 ||
	{ tail -n 20 "$out.log" >&2; die "sparse-build: make failed (log: $out.log)"; }
"$out.tmp/src/sparse" --version >/dev/null || die "sparse-build: the built sparse does not run"
rm -rf "$out"
mv "$out.tmp" "$out"
ln -s src/sparse "$bin"
log "sparse-build: $("$bin" --version) in $bin"
echo "$bin"
