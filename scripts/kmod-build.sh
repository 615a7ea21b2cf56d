#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build kvm_accel.ko for the kernels of the test VM's matrix
# (scripts/kernels.sh).  6.12 is `make kmod` ($O/kvm_accel.ko, host gcc-12).
# Every other kernel is built by its own Debian release's toolchain, in the
# build root that `scripts/setup.sh kernels NAME` debootstrapped into the
# cache.  kbuild writes its objects next to the sources, so it builds in
# $O/kernels/<abi>/kbuild/, a fresh copy of kmod/ and include/ (same
# layout: kmod/Makefile includes ../include); the build root sees that
# directory bind-mounted at /build/kvm-accel/<abi>, in a mount namespace
# of the build's own (nothing of it stays in the cache):
#
#   unshare --mount --pid --fork --mount-proc=<root>/proc \
#     chroot <root> make -C /usr/src/linux-headers-<abi> \
#       M=/build/kvm-accel/<abi>/kmod W=1 modules
#
# and the module is copied to $O/kernels/<abi>/kvm_accel.ko, the log to
# $O/kernels/<abi>/kbuild.log.  As for `make kmod`, warnings are errors.
# 6.1 (headers only) is built on the host with gcc-12; it is expected to
# fail (scripts/host-checks.sh).  A rerun with unchanged sources only
# checks a hash.
#
# --bench builds the benchmark variant instead (CONFIG_KVM_ACCEL_BENCH=y,
# the bench_stage parameter; kmod/kvm_accel_bench.h), the one `make bench`
# loads: $O/kernels/<abi>/bench/kvm_accel.ko, built in
# $O/kernels/<abi>/bench/kbuild; for 6.12 `make kmod-bench`,
# $O/bench/kvm_accel.ko.
#
# Usage: scripts/kmod-build.sh [--bench] NAME...   (6.12 6.12-trixie 7.2 7.3 6.1)
# Env:   KA_CACHE  cache directory (default ~/.cache/kvm-accel)
#        O         build directory (default ./build)
#        KA_KMOD_WERROR=0  accept compiler warnings
#
# Exit status: 0 if every module built; a failure prints the last lines of
# its kbuild log.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
O=${O:-$REPO/build}
# shellcheck source=scripts/kernels.sh disable=SC1091
. "$REPO/scripts/kernels.sh"

log() { printf 'kmod-build: %s\n' "$*" >&2; }
die() { printf 'kmod-build: error: %s\n' "$*" >&2; exit 1; }

# What kbuild needs of this tree; build products are left out.
sources() {
	local f
	for f in "$REPO"/kmod/*.[ch] "$REPO"/kmod/*.sh "$REPO"/kmod/Makefile \
		 "$REPO"/kmod/Kbuild "$REPO"/include/*.h; do
		case $f in *.mod.c) continue ;; esac
		[ -f "$f" ] && echo "${f#"$REPO"/}"
	done
	return 0
}

build_one() {	# build_one NAME
	local name=$1 out log hash root src kb rc=0 f t0=$SECONDS
	ka_kernel "$name" || die "unknown kernel '$name' ($KA_KERNELS_ALL 6.1)"
	if [ "$K_NAME" = 6.12 ]; then
		make -s --no-print-directory -C "$REPO" O="$O" kmod${BENCH:+-bench}
		return
	fi
	if [ -z "$K_ABI" ] || [ ! -f "$K_DIR/.done" ]; then
		die "kernel $K_NAME is not in the cache: run scripts/setup.sh kernels $K_NAME"
	fi
	out=$O/kernels/$K_ABI${BENCH:+/bench}
	log=$out/kbuild.log
	mkdir -p "$out"
	exec 8> "$out/.lock"
	flock 8
	# The sources, the kernel's Debian version and the build root's
	# package list: a change to any of them rebuilds.
	hash=$( { echo "$K_ABI $BENCH"; cat "$K_DIR/version" 2>/dev/null
		  [ "$K_BROOT" = host ] || cat "$(ka_broot_dir "$K_BROOT")/.ka-root-done" 2>/dev/null
		  cd "$REPO" && sources | xargs sha256sum; } | sha256sum | cut -d' ' -f1)
	if [ -f "$out/kvm_accel.ko" ] && [ "$(cat "$out/.hash" 2>/dev/null)" = "$hash" ]; then
		exec 8>&-
		return 0
	fi
	rm -f "$out/kvm_accel.ko" "$out/.hash"
	# A fresh copy each time: nothing of an earlier build is reused.
	kb=$out/kbuild
	rm -rf "$kb" && mkdir -p "$kb/kmod" "$kb/include"
	for f in $(sources); do
		cp "$REPO/$f" "$kb/$f"
	done
	if [ "$K_BROOT" = host ]; then
		log "$K_NAME ($K_ABI): building on the host, $kb"
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
			make -j"$(nproc)" -C "$K_DIR/headers" M="$kb/kmod" W=1 ${BENCH:+"$BENCH"} modules > "$log" 2>&1 || rc=$?
	else
		root=$(ka_broot_dir "$K_BROOT")
		if [ ! -f "$root/.ka-root-done" ] || [ ! -f "$root/.ka-headers-$K_ABI" ]; then
			die "no $K_BROOT build root with the $K_ABI headers: run scripts/setup.sh kernels $K_NAME"
		fi
		src=/build/kvm-accel/$K_ABI${BENCH:+-bench}
		mkdir -p "$root$src"
		log "$K_NAME ($K_ABI): building in $root, $kb at $src"
		# objtool reads /proc: a proc of a private mount namespace, gone
		# with the build, as is the bind mount of the build directory.
		# shellcheck disable=SC2016 # expanded by the inner sh
		unshare --mount --pid --fork --mount-proc="$root/proc" \
		sh -c 'mount --bind "$1" "$2" && shift 2 && exec chroot "$@"' sh "$kb" "$root$src" \
			"$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
			make -j"$(nproc)" -C "/usr/src/linux-headers-$K_ABI" M="$src/kmod" W=1 ${BENCH:+"$BENCH"} modules \
			> "$log" 2>&1 || rc=$?
		# Only the mount point was left there; empty, it goes.
		rmdir "$root$src" 2>/dev/null || true
	fi
	if [ "$rc" = 0 ] && [ "${KA_KMOD_WERROR:-1}" != 0 ] && grep -q 'warning:' "$log"; then
		echo "kmod-build: warnings are errors (KA_KMOD_WERROR=0 accepts them)" >> "$log"
		rc=1
	fi
	if [ "$rc" != 0 ] || [ ! -f "$kb/kmod/kvm_accel.ko" ]; then
		exec 8>&-
		log "$K_NAME ($K_ABI): kvm_accel.ko does not build: $(grep -m1 -E 'error:|ERROR:|\*\*\*' "$log")"
		log "the end of $log:"
		tail -n 15 "$log" | sed 's/^/    /' >&2
		return 1
	fi
	cp "$kb/kmod/kvm_accel.ko" "$out/kvm_accel.ko"
	echo "$hash" > "$out/.hash"
	exec 8>&-
	log "$K_NAME ($K_ABI): $out/kvm_accel.ko ($((SECONDS - t0)) s)"
}

BENCH=
if [ "${1:-}" = --bench ]; then
	BENCH=CONFIG_KVM_ACCEL_BENCH=y
	shift
fi
[ $# -gt 0 ] || die "usage: $0 [--bench] NAME... ($KA_KERNELS_ALL 6.1)"
rc=0
for name in "$@"; do
	build_one "$name" || rc=1
done
exit $rc
