#!/usr/bin/env bash
# Make a newer Debian suite known to apt, pinned at priority 1, so that its
# packages can be fetched with `apt-get download` (or installed only when named
# with an exact version) while nothing on the system is ever upgraded from it.
#
# usage: apt-suite.sh SUITE...
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: $0 SUITE..."

changed=0
for suite in "$@"; do
	src=/etc/apt/sources.list.d/anon-rmap-$suite.sources
	pref=/etc/apt/preferences.d/anon-rmap-$suite.pref
	[ -f "$src" ] && [ -f "$pref" ] && continue
	log "apt: adding Debian $suite, pinned at priority 1"
	as_root tee "$src" >/dev/null <<EOT
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOT
	as_root tee "$pref" >/dev/null <<EOT
# Added by the anon-rmap stack's scripts/apt-suite.sh: never upgrade from here.
Package: *
Pin: release n=$suite
Pin-Priority: 1
EOT
	changed=1
done

if [ $changed = 1 ] || [ "${APT_UPDATE:-0}" = 1 ]; then
	log "apt: updating package lists"
	as_root apt-get update -q >/dev/null
fi
