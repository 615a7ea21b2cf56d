#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bring a Debian 12 (bookworm) host to the point where kvm-accel builds and its
# test VM boots.  Everything comes from bookworm and bookworm-backports.  The
# Debian 6.12 kernel packages are downloaded and unpacked into the cache
# directory, never installed: the host keeps its own kernel.  Reruns are cheap:
# every step leaves a stamp in the cache.
#
# Usage: scripts/setup.sh [apt|kernel|tools|all]   (default: all)
# Env:   KA_CACHE  cache directory (default ~/.cache/kvm-accel)
set -euo pipefail

KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
STEP=${1:-all}
export DEBIAN_FRONTEND=noninteractive

log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

APT_PKGS=(build-essential bc bison flex kmod cpio xz-utils zstd busybox-static
	  libelf-dev zlib1g-dev libcap-dev pkg-config python3 dwarves
	  clang-16 llvm-16 rsync gnuplot-nox)
BPO_PKGS=(qemu-system-x86 qemu-utils)

need_root() { [ "$(id -u)" = 0 ] || die "apt step must run as root (or install: ${APT_PKGS[*]} ${BPO_PKGS[*]})"; }

step_apt() {
	local missing=() p
	for p in "${APT_PKGS[@]}" "${BPO_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} = 0 ] && qemu-system-x86_64 --version | grep -q 'version \(9\|10\)'; then
		return 0
	fi
	need_root
	if ! grep -rqs '^[^#]*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		# Same mirror as the bookworm entry, so a local mirror keeps working.
		local mirror
		mirror=$(grep -rhs -E '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/ |
			 grep -m1 -o 'http[s]*://[^ ]*debian/*' || true)
		mirror=${mirror:-http://deb.debian.org/debian}
		echo "deb ${mirror%/} bookworm-backports main" > /etc/apt/sources.list.d/kvm-accel-backports.list
		log "added bookworm-backports (${mirror%/})"
	fi
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" >/dev/null
	apt-get install -y -qq --no-install-recommends -t bookworm-backports "${BPO_PKGS[@]}" >/dev/null
}

# The backports kernel ABI name, e.g. 6.12.95+deb12-amd64, from the metapackage.
kernel_abi() {
	apt-cache depends -t bookworm-backports linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(6\.12\.[^ ]*-amd64\)$/\1/p' | head -1
}

step_kernel() {
	local abi ver kdir
	if [ -f "$KA_CACHE/kernel/current" ]; then
		abi=$(cat "$KA_CACHE/kernel/current")
		[ -f "$KA_CACHE/kernel/$abi/.done" ] && return 0
	fi
	abi=$(kernel_abi)
	if [ -z "$abi" ]; then
		apt-get update -qq || true
		abi=$(kernel_abi)
	fi
	[ -n "$abi" ] || die "cannot resolve the bookworm-backports 6.12 kernel (is bookworm-backports in apt sources?)"
	kdir=$KA_CACHE/kernel/$abi
	ver=$(apt-cache show -o APT::Default-Release=bookworm-backports "linux-image-$abi-unsigned" |
	      sed -n 's/^Version: //p' | grep bpo | head -1)
	[ -n "$ver" ] || die "no bookworm-backports version of linux-image-$abi-unsigned"
	local kb=${abi%-amd64}
	mkdir -p "$kdir/debs" "$kdir/root"
	(cd "$kdir/debs" &&
	 apt-get download -o APT::Sandbox::User=root -qq "linux-image-$abi-unsigned=$ver" "linux-headers-$abi=$ver" \
		"linux-headers-$kb-common=$ver" "linux-kbuild-$kb=$ver" \
		"linux-source-6.12=$ver") || die "apt-get download failed"
	local d
	for d in "$kdir"/debs/*.deb; do
		log "unpacking $(basename "$d")"
		dpkg-deb -x "$d" "$kdir/root"
	done
	log "unpacking linux-source"
	mkdir -p "$kdir/src"
	tar -C "$kdir/src" --strip-components=1 -xaf "$kdir"/root/usr/src/linux-source-6.12.tar.xz
	rm -f "$kdir"/root/usr/src/linux-source-6.12.tar.xz
	# The headers Makefile includes the common tree by absolute path.
	sed -i "s|^include /usr/src/|include $kdir/root/usr/src/|" \
		"$kdir/root/usr/src/linux-headers-$abi/Makefile"
	# modules.dep is made by the package's postinst, which we never run.
	depmod -b "$kdir/root" "$abi"
	ln -sfn "root/usr/src/linux-headers-$abi" "$kdir/headers"
	ln -sfn "root/boot/vmlinuz-$abi" "$kdir/vmlinuz"
	echo "$ver" > "$kdir/version"
	touch "$kdir/.done"
	echo "$abi" > "$KA_CACHE/kernel/current"
	log "kernel $abi ($ver) in $kdir"
}

# libbpf and bpftool from the same kernel tree, so skeletons and library match.
step_tools() {
	local abi kdir out
	abi=$(cat "$KA_CACHE/kernel/current")
	kdir=$KA_CACHE/kernel/$abi
	out=$kdir/tools
	[ -f "$out/.done" ] && return 0
	mkdir -p "$out/libbpf" "$out/bpftool"
	log "building libbpf"
	make -s -C "$kdir/src/tools/lib/bpf" -j"$(nproc)" OUTPUT="$out/libbpf/" \
		DESTDIR="$out/libbpf" prefix= install_headers >/dev/null
	make -s -C "$kdir/src/tools/lib/bpf" -j"$(nproc)" OUTPUT="$out/libbpf/" \
		BUILD_STATIC_ONLY=1 EXTRA_CFLAGS=-fPIC "$out/libbpf/libbpf.a" >/dev/null
	log "installing UAPI headers"
	# Out of tree (O=), so the source stays clean for scripts/debug-kernel.sh.
	make -s -C "$kdir/src" O="$out/uapi-build" ARCH=x86 \
		INSTALL_HDR_PATH="$out/uapi" headers_install >/dev/null
	log "building bpftool"
	make -s -C "$kdir/src/tools/bpf/bpftool" -j"$(nproc)" OUTPUT="$out/bpftool/" \
		CLANG=clang-16 LLVM_STRIP=llvm-strip-16 >/dev/null
	touch "$out/.done"
}

case $STEP in
apt) step_apt ;;
kernel) step_kernel ;;
tools) step_tools ;;
all) step_apt; step_kernel; step_tools ;;
*) die "unknown step '$STEP' (apt|kernel|tools|all)" ;;
esac
