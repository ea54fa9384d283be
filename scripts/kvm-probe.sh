#!/usr/bin/env bash
# Print "kvm" if KVM boots the given kernel on this machine, "tcg" otherwise.
# /dev/kvm can exist and still hang guests (nested kvm-pvm), so boot for real:
# KVM counts as working only if the kernel gets as far as printing its banner
# within the time limit. The answer is cached per machine in build/.
#
# usage: kvm-probe.sh BZIMAGE
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: kvm-probe.sh BZIMAGE}
cache=$BUILD/kvm-probe.$(hostname)

if [ -n "${QEMU_ACCEL:-}" ]; then
	echo "$QEMU_ACCEL"
	exit 0
fi
if [ -f "$cache" ]; then
	cat "$cache"
	exit 0
fi

accel=tcg
if [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
	log "kvm-probe: /dev/kvm exists, checking that it boots a guest (up to 30 s)"
	out=$(timeout -s KILL 30 /usr/bin/qemu-system-x86_64 -accel kvm -cpu kvm64 \
		-m 256 -nodefaults -nographic -no-reboot -serial stdio \
		-kernel "$kernel" -append "console=ttyS0 panic=-1" 2>&1 </dev/null || true)
	if grep -q "Linux version" <<<"$out"; then
		accel=kvm
	else
		log "kvm-probe: KVM did not boot the guest; using TCG"
	fi
else
	log "kvm-probe: no usable /dev/kvm; using TCG"
fi
echo "$accel" >"$cache"
echo "$accel"
