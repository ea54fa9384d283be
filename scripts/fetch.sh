#!/usr/bin/env bash
# Fetch and verify the base kernel tree; print its path on stdout.
#
# Default: Debian's linux-source-7.2 at the first version of scripts/base.conf
# that apt still offers, .deb and tarball checked against their SHA256, and
# extracted once under build/base/ (reused on later runs).
# KERNEL_SRC=/path: use that tree instead; it must be Linux 7.2.
# BASE_VERSION=v: use that version of base.conf only.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# stdout carries exactly one line, the tree's directory: callers capture it.
# Everything else (apt-get's "Get:1 ...", progress, errors) goes to stderr.
exec 3>&1 1>&2
result() {
	echo "$1" >&3
	exit 0
}

want=7.2

if [ -n "${KERNEL_SRC:-}" ]; then
	[ -d "$KERNEL_SRC" ] || die "KERNEL_SRC=$KERNEL_SRC: no such directory"
	ver=$(tree_version "$KERNEL_SRC") ||
		die "KERNEL_SRC=$KERNEL_SRC: not a kernel tree (no VERSION/PATCHLEVEL in Makefile)"
	[ "$ver" = "$want" ] ||
		die "KERNEL_SRC=$KERNEL_SRC is Linux $ver, the stack needs Linux $want"
	result "$(cd "$KERNEL_SRC" && pwd)"
fi

# Fields of base.conf: version suite deb_sha256 tar_sha256
mapfile -t bases < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$BASE_CONF")
[ ${#bases[@]} -gt 0 ] || die "$BASE_CONF lists no base version"
if [ -n "${BASE_VERSION:-}" ]; then
	mapfile -t bases < <(printf '%s\n' "${bases[@]}" | awk -v v="$BASE_VERSION" '$1 == v')
	[ ${#bases[@]} -gt 0 ] || die "BASE_VERSION=$BASE_VERSION is not in $BASE_CONF"
fi

sha_of() { sha256sum "$1" | awk '{print $1}'; }

# Download the .deb of one version into $DL_DIR; fail if apt does not offer it.
download() {
	local version=$1 suite=$2 deb=$3
	[ -f "$DL_DIR/$deb" ] && return 0
	"$TOP/scripts/apt-suite.sh" "$suite"
	mkdir -p "$DL_DIR"
	log "fetch: downloading linux-source-$want=$version (~165 MB)"
	if ! (cd "$DL_DIR" && apt-get download -q "linux-source-$want=$version"); then
		# The lists may be stale: refresh them once and retry.
		APT_UPDATE=1 "$TOP/scripts/apt-suite.sh" "$suite"
		(cd "$DL_DIR" && apt-get download -q "linux-source-$want=$version") || return 1
	fi
	[ -f "$DL_DIR/$deb" ]
}

for line in "${bases[@]}"; do
	read -r version suite deb_sha tar_sha <<<"$line"
	tree=$BASE_DIR/linux-source-$version
	if [ -f "$tree/.anon-rmap-base" ] &&
	   [ "$(cat "$tree/.anon-rmap-base")" = "$version $tar_sha" ]; then
		log "fetch: using cached base $tree"
		result "$tree"
	fi

	deb="linux-source-${want}_${version/:/%3a}_all.deb"
	if ! download "$version" "$suite" "$deb"; then
		log "fetch: apt no longer offers linux-source-$want=$version, trying the next pinned version"
		continue
	fi

	got=$(sha_of "$DL_DIR/$deb")
	if [ "$got" != "$deb_sha" ]; then
		mv -f "$DL_DIR/$deb" "$DL_DIR/$deb.bad"
		die "checksum mismatch for $deb: expected $deb_sha, got $got (moved to $DL_DIR/$deb.bad)"
	fi

	mkdir -p "$BASE_DIR"
	tmp=$(mktemp -d "$BASE_DIR/.tmp.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	log "fetch: unpacking the tarball from $deb"
	dpkg-deb --fsys-tarfile "$DL_DIR/$deb" |
		tar -x -C "$tmp" ./usr/src/linux-source-$want.tar.xz
	tarball=$tmp/usr/src/linux-source-$want.tar.xz
	got=$(sha_of "$tarball")
	[ "$got" = "$tar_sha" ] ||
		die "checksum mismatch for linux-source-$want.tar.xz in $deb: expected $tar_sha, got $got"

	log "fetch: extracting linux-source-$want.tar.xz (about 15 s)"
	mkdir -p "$tmp/tree"
	tar -xJf "$tarball" -C "$tmp/tree" --strip-components=1
	ver=$(tree_version "$tmp/tree") || die "$deb holds no kernel tree"
	[ "$ver" = "$want" ] || die "$deb holds Linux $ver, not $want"
	echo "$version $tar_sha" >"$tmp/tree/.anon-rmap-base"

	rm -rf "$tree"
	mv "$tmp/tree" "$tree"
	log "fetch: base ready at $tree"
	result "$tree"
done

die "none of the pinned linux-source-$want versions ($(printf '%s\n' "${bases[@]}" | awk '{printf "%s ", $1}')) can be downloaded; set KERNEL_SRC=/path/to/a/7.2/tree"
