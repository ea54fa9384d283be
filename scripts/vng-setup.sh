#!/usr/bin/env bash
# Unpack virtme-ng (vng) under build/vng without installing it, and patch its
# guest init for hosts without udev. Idempotent. Prints the vng launcher path.
#
# usage: vng-setup.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VNG_VERSION=1.35-1
VNG_SHA256=e7b9d2f28e34766446db5c40b7fdd9a09ed561af21e4aa580a660ff9a0a86f5a
VNG_DIR=${VNG_DIR:-$BUILD/vng}
deb=$DL_DIR/virtme-ng_${VNG_VERSION}_all.deb
init_rel=usr/lib/python3/dist-packages/virtme/guest/virtme-init
# Bump the suffix when the patch below changes, to force a fresh unpack.
stamp_want="$VNG_SHA256 udev-less-1"

if [ "$(cat "$VNG_DIR/.stamp" 2>/dev/null)" = "$stamp_want" ]; then
	echo "$VNG_DIR/usr/bin/vng"
	exit 0
fi

if [ ! -f "$deb" ]; then
	"$TOP/scripts/apt-suite.sh" trixie
	log "vng: downloading virtme-ng $VNG_VERSION"
	mkdir -p "$DL_DIR"
	out=$(cd "$DL_DIR" && apt-get download -q -t trixie "virtme-ng=$VNG_VERSION" 2>&1) ||
		die "apt-get download virtme-ng=$VNG_VERSION failed: $(echo "$out" | grep '^E:' | head -n1)"
fi
sum=$(sha256sum "$deb" | cut -d' ' -f1)
[ "$sum" = "$VNG_SHA256" ] ||
	die "$deb: SHA256 $sum, expected $VNG_SHA256 (delete it to fetch again)"

log "vng: unpacking into $VNG_DIR"
tmp=$VNG_DIR.tmp
rm -rf "$tmp" "$VNG_DIR"
mkdir -p "$tmp"
dpkg -x "$deb" "$tmp"

# No udev on the host means nobody creates /dev/virtio-ports/NAME, and --exec
# fails with "cannot find script I/O ports". Create the links from sysfs just
# before the init script's /dev/fd setup, which runs after udev would have.
init=$tmp/$init_rel
anchor='# Install /proc/self/fd symlinks into /dev if not already present'
[ "$(grep -cxF "$anchor" "$init")" = 1 ] ||
	die "$init: anchor line not found, cannot patch for udev-less hosts"
block=$(mktemp)
trap 'rm -f "$block"' EXIT
cat >"$block" <<'EOT'
# anon-rmap stack: no udev here, so link /dev/virtio-ports/NAME ourselves.
for p in /sys/class/virtio-ports/*; do
    [[ -r $p/name ]] || continue
    n=$(cat "$p/name")
    [[ -n $n && ! -e /dev/virtio-ports/$n ]] || continue
    mkdir -p /dev/virtio-ports
    ln -s "../${p##*/}" "/dev/virtio-ports/$n"
done

EOT
awk -v anchor="$anchor" -v block="$block" '
	$0 == anchor { while ((getline l < block) > 0) print l }
	{ print }
' "$init" >"$init.new"
chmod --reference="$init" "$init.new"
mv "$init.new" "$init"
grep -q 'link /dev/virtio-ports/NAME ourselves' "$init" ||
	die "$init: patch did not apply"

echo "$stamp_want" >"$tmp/.stamp"
mv "$tmp" "$VNG_DIR"
echo "$VNG_DIR/usr/bin/vng"
