#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bring a Debian 12 (bookworm) host to the point where kvm-accel builds and its
# test VM boots.  Everything comes from bookworm and bookworm-backports.  The
# Debian 6.12 kernel packages are downloaded and unpacked into the cache
# directory, never installed: the host keeps its own kernel.  Reruns are cheap:
# every step leaves a stamp in the cache.
#
# The other kernels of the test VM's matrix (scripts/kernels.sh: 6.12.117
# from trixie, 7.2 from sid, 7.3 from trixie-backports) come through a
# private apt configuration in the cache, also downloaded and unpacked only,
# and their modules are built in debootstrapped trixie / sid roots in the
# cache.  The 'kernels' step fetches only the kernels asked for, so that
# `make demo` never downloads a 7.x kernel.
#
# Usage: scripts/setup.sh [apt|kernel|tools|all]   (default: all)
#        scripts/setup.sh kernels [NAME...]   the kernels NAME... (names of
#                   scripts/kernels.sh: 6.12 6.12-trixie 7.2 7.3, and 6.1,
#                   whose headers only are fetched), their build roots, and
#                   their headers inside those roots
# Env:   KA_CACHE  cache directory (default ~/.cache/kvm-accel)
#        KA_SETUP_KERNELS  the kernels 'all' and an argument-less 'kernels'
#                   fetch (make check and make check-kernels set it);
#                   default: $KA_KERNEL if that names one, else none
#                   beyond 6.12
#        KA_APT_KEYRING  the keyring tried first for the trixie,
#                   trixie-backports and sid indexes (default: the host's
#                   /usr/share/keyrings/debian-archive-keyring.gpg; if it
#                   cannot verify them, trixie's debian-archive-keyring is
#                   fetched, verified through the host's keyring)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
STEP=${1:-all}
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=scripts/kernels.sh disable=SC1091
. "$REPO/scripts/kernels.sh"

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
	local t0=$SECONDS
	(cd "$kdir/debs" &&
	 apt-get download -o APT::Sandbox::User=root -qq "linux-image-$abi-unsigned=$ver" "linux-headers-$abi=$ver" \
		"linux-headers-$kb-common=$ver" "linux-kbuild-$kb=$ver" \
		"linux-source-6.12=$ver") || die "apt-get download failed"
	log "download of $abi: $((SECONDS - t0)) s"
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

# --- the kernel matrix -------------------------------------------------------

# The mirror of the host's bookworm entry, so a local mirror keeps working.
host_mirror() {
	local m
	m=$(grep -rhs -E '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/ |
	    grep -m1 -o 'http[s]*://[^ ]*debian/*' || true)
	m=${m:-http://deb.debian.org/debian}
	echo "${m%/}"
}

# The private apt configuration for trixie, trixie-backports and sid: its
# own sources list, state and cache, no /etc/apt/sources.list.d.  The host's
# sources stay bookworm: nothing from these suites is ever installed here.
NAPT_DIR=$KA_CACHE/kernel/apt
NAPT=(-o "Dir::Etc::SourceList=$NAPT_DIR/sources.list"
      -o "Dir::Etc::SourceParts=$NAPT_DIR/none"
      -o "Dir::State::Lists=$NAPT_DIR/lists"
      -o "Dir::Cache=$NAPT_DIR/cache"
      -o "APT::Sandbox::User=root"
      -o "Acquire::PDiffs=false"
      -o "Acquire::Languages=none")
HOST_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
FIRST_KEYRING=${KA_APT_KEYRING:-$HOST_KEYRING}

napt_sources() {	# napt_sources KEYRING SUITE...
	local keyring=$1 s
	shift
	: > "$NAPT_DIR/sources.list"
	for s in "$@"; do
		echo "deb [signed-by=$keyring] $(host_mirror) $s main" >> "$NAPT_DIR/sources.list"
	done
}

napt_try_update() {	# succeeds only if every index was fetched and verified
	local out
	out=$(apt-get "${NAPT[@]}" update 2>&1) || { echo "$out" > "$NAPT_DIR/update.log"; return 1; }
	echo "$out" > "$NAPT_DIR/update.log"
	! grep -qE '^(W|E|Err):' "$NAPT_DIR/update.log"
}

# Signatures.  The trixie, trixie-backports and sid Release files are signed
# with the archive's automatic signing keys of 12/bookworm and 13/trixie
# (checked 2026-12-01 with gpgv), and the host's own debian-archive-keyring
# (bookworm's 2023.3+deb12u2) carries both: the private sources use
# signed-by that keyring.  Once the archive signs with a key newer than the
# host's package (forky's), apt reports NO_PUBKEY for sid; then the keyring
# of trixie's debian-archive-keyring package is used instead: its .deb is
# fetched through the trixie index, which the host's keyring still verifies,
# and apt checks the .deb against that index's hash.  [trusted=yes] is never
# used.
napt_update() {	# napt_update [force]
	local keyring=$FIRST_KEYRING t0=$SECONDS
	[ -f "$NAPT_DIR/.updated" ] && [ "${1:-}" != force ] && return 0
	mkdir -p "$NAPT_DIR/lists/partial" "$NAPT_DIR/cache/archives/partial" "$NAPT_DIR/none"
	[ -f "$NAPT_DIR/keyring.gpg" ] && keyring=$NAPT_DIR/keyring.gpg
	napt_sources "$keyring" trixie trixie-backports sid
	log "updating the private apt indexes (trixie, trixie-backports, sid; $(host_mirror))"
	if ! napt_try_update; then
		if [ "$keyring" != "$FIRST_KEYRING" ] ||
		   ! grep -qE 'NO_PUBKEY|EXPKEYSIG|KEYEXPIRED|is not signed' "$NAPT_DIR/update.log"; then
			sed 's/^/    /' "$NAPT_DIR/update.log" >&2
			die "apt-get update (private trixie/sid configuration) failed"
		fi
		log "$keyring cannot verify every suite; taking trixie's debian-archive-keyring"
		napt_sources "$HOST_KEYRING" trixie
		napt_try_update || { sed 's/^/    /' "$NAPT_DIR/update.log" >&2; die "cannot verify trixie's index with $HOST_KEYRING"; }
		rm -rf "$NAPT_DIR/keyring" && mkdir -p "$NAPT_DIR/keyring"
		(cd "$NAPT_DIR/keyring" && apt-get "${NAPT[@]}" download -qq debian-archive-keyring) ||
			die "cannot download trixie's debian-archive-keyring"
		dpkg-deb -x "$NAPT_DIR"/keyring/debian-archive-keyring_*.deb "$NAPT_DIR/keyring/root"
		cp "$NAPT_DIR/keyring/root/usr/share/keyrings/debian-archive-keyring.gpg" "$NAPT_DIR/keyring.gpg"
		napt_sources "$NAPT_DIR/keyring.gpg" trixie trixie-backports sid
		napt_try_update || { sed 's/^/    /' "$NAPT_DIR/update.log" >&2; die "apt-get update failed with trixie's keyring too"; }
	fi
	touch "$NAPT_DIR/.updated"
	log "private apt update: $((SECONDS - t0)) s"
}

napt_keyring() {
	if [ -f "$NAPT_DIR/keyring.gpg" ]; then echo "$NAPT_DIR/keyring.gpg"; else echo "$FIRST_KEYRING"; fi
}

link_name() {	# link_name NAME ABI
	mkdir -p "$KA_CACHE/kernel/by-name"
	ln -sfn "../$2" "$KA_CACHE/kernel/by-name/$1"
}

# The headers Makefile names the common tree (and, since 7.x, itself as
# KBUILD_OUTPUT) by absolute path: make that path the cache's.
fix_headers() {	# fix_headers KDIR ABI
	sed -i -e "s|^include /usr/src/|include $1/root/usr/src/|" \
	       -e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$1/root/usr/src/|" \
		"$1/root/usr/src/linux-headers-$2/Makefile"
}

# A kernel of trixie, trixie-backports or sid: image, modules, headers.
fetch_newer_kernel() {	# fetch_newer_kernel NAME
	local abi=$K_ABI kdir=$K_DIR kb=${K_ABI%-amd64} ver pkgs=() p d t0
	[ -f "$kdir/.done" ] && { link_name "$K_NAME" "$abi"; return 0; }
	napt_update
	ver=$(apt-cache "${NAPT[@]}" show "linux-headers-$abi" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
	if [ -z "$ver" ]; then
		napt_update force
		ver=$(apt-cache "${NAPT[@]}" show "linux-headers-$abi" 2>/dev/null | sed -n 's/^Version: //p' | head -1)
	fi
	[ -n "$ver" ] || die "linux-headers-$abi is not in $K_SUITE any more: update the table in scripts/kernels.sh"
	# The image: the -unsigned package where one exists (6.12), else the
	# signed one, which since 7.x is split into binary, modules and base.
	if apt-cache "${NAPT[@]}" show "linux-image-$abi-unsigned=$ver" >/dev/null 2>&1; then
		pkgs+=("linux-image-$abi-unsigned")
	else
		pkgs+=("linux-image-$abi")
		mapfile -t -O ${#pkgs[@]} pkgs < <(apt-cache "${NAPT[@]}" depends "linux-image-$abi=$ver" |
			sed -n "s/^ *Depends: \\(linux-\\(binary\\|modules\\|base\\)-$abi\\)\$/\\1/p")
	fi
	pkgs+=("linux-headers-$abi")
	mapfile -t -O ${#pkgs[@]} pkgs < <(apt-cache "${NAPT[@]}" depends "linux-headers-$abi=$ver" |
		sed -n 's/^ *Depends: \(linux-\(headers-.*-common\|kbuild-.*\)\)$/\1/p')
	log "kernel $K_NAME: $abi $ver from $K_SUITE: ${pkgs[*]}"
	rm -rf "$kdir/debs" "$kdir/root"
	mkdir -p "$kdir/debs" "$kdir/root"
	t0=$SECONDS
	# A stale index may name files the mirror no longer has: refresh once.
	if ! (cd "$kdir/debs" && apt-get "${NAPT[@]}" download -qq "${pkgs[@]/%/=$ver}"); then
		napt_update force
		(cd "$kdir/debs" && apt-get "${NAPT[@]}" download -qq "${pkgs[@]/%/=$ver}") ||
			die "apt-get download of $abi $ver failed"
	fi
	log "download of $abi ($(du -sm "$kdir/debs" | cut -f1) MB): $((SECONDS - t0)) s"
	t0=$SECONDS
	for d in "$kdir"/debs/*.deb; do
		dpkg-deb -x "$d" "$kdir/root"
	done
	# merged-/usr packages: modprobe -d and depmod -b look in ROOT/lib/modules.
	if [ -d "$kdir/root/usr/lib/modules" ] && [ ! -e "$kdir/root/lib" ]; then
		ln -s usr/lib "$kdir/root/lib"
	fi
	[ -d "$kdir/root/lib/modules/$abi/kernel" ] || die "no modules in the $abi packages"
	fix_headers "$kdir" "$abi"
	depmod -b "$kdir/root" "$abi"
	p=
	for d in "boot/vmlinuz-$abi" "usr/lib/modules/$abi/vmlinuz"; do
		[ -f "$kdir/root/$d" ] && { p=$d; break; }
	done
	[ -n "$p" ] || die "no kernel image in the $abi packages"
	ln -sfn "root/usr/src/linux-headers-$abi" "$kdir/headers"
	ln -sfn "root/$p" "$kdir/vmlinuz"
	echo "$ver" > "$kdir/version"
	log "unpack of $abi: $((SECONDS - t0)) s"
	touch "$kdir/.done"
	link_name "$K_NAME" "$abi"
}

# A trixie or sid root to build modules in, made once by debootstrap: the
# compiler Debian built that release's kernels with, and the C library its
# kbuild tools were linked against.
# perl: kbuild's W=1 runs scripts/kernel-doc, a perl program up to 6.12.
# The stamp holds the package list: a root made with another is made again.
ensure_broot() {	# ensure_broot trixie|sid
	local rel=$1 r gcc pkgs t0=$SECONDS n
	r=$(ka_broot_dir "$rel")
	case $rel in
	trixie) gcc="gcc-14" ;;
	sid) gcc="gcc-16" ;;
	*) die "no build root for $rel" ;;
	esac
	pkgs="$gcc,make,libc6-dev,dwarves,libelf1t64,kmod,bc,gawk,perl"
	[ "$(cat "$r/.ka-root-done" 2>/dev/null)" = "$pkgs" ] && return 0
	if ! command -v debootstrap >/dev/null; then
		need_root
		apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
	fi
	# What an interrupted run left (nothing is ever mounted in there).
	rm -rf "$r"
	log "debootstrap $rel into $r"
	debootstrap --variant=minbase --keyring="$(napt_keyring)" \
		--include="$pkgs" \
		"$rel" "$r" "$(host_mirror)" > "$r.debootstrap.log" 2>&1 ||
		{ tail -20 "$r.debootstrap.log" >&2; die "debootstrap $rel failed (log: $r.debootstrap.log)"; }
	# kbuild redirects to /dev/null; debootstrap makes the nodes, but check.
	for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
		IFS=: read -r n ma mi <<<"$n"
		[ -c "$r/dev/$n" ] || { rm -f "$r/dev/$n"; mknod -m 666 "$r/dev/$n" c "$ma" "$mi"; }
	done
	echo "$pkgs" > "$r/.ka-root-done"
	log "debootstrap $rel: $((SECONDS - t0)) s"
}

# The kernel's headers, common tree and kbuild inside its build root, at
# their own paths, so its Makefile works there unchanged.
broot_headers() {	# broot_headers (for K_*)
	local r d
	r=$(ka_broot_dir "$K_BROOT")
	[ -f "$r/.ka-headers-$K_ABI" ] && return 0
	for d in "$K_DIR"/debs/linux-headers-*.deb "$K_DIR"/debs/linux-kbuild-*.deb; do
		dpkg-deb -x "$d" "$r"
	done
	[ -f "$r/usr/src/linux-headers-$K_ABI/Makefile" ] || die "no headers for $K_ABI in $r"
	touch "$r/.ka-headers-$K_ABI"
}

# bookworm's own 6.1 headers (not installed; kmod/ must refuse them).
fetch_old_headers() {
	local ver abi kdir pkgs=() hver d t0
	ver=$(apt-cache madison linux-headers-amd64 | awk '$3 ~ /^6\.1\./ { print $3; exit }')
	[ -n "$ver" ] || die "no 6.1 linux-headers-amd64 in the host's apt sources (bookworm)"
	abi=$(apt-cache depends "linux-headers-amd64=$ver" |
	      sed -n 's/^ *Depends: linux-headers-\(6\.1\.[^ ]*-amd64\)$/\1/p' | head -1)
	[ -n "$abi" ] || die "cannot resolve bookworm's 6.1 headers package"
	kdir=$KA_CACHE/kernel/$abi
	[ -f "$kdir/.done" ] && { link_name 6.1 "$abi"; return 0; }
	hver=$(apt-cache show "linux-headers-$abi" | sed -n 's/^Version: //p' | head -1)
	pkgs=("linux-headers-$abi")
	mapfile -t -O 1 pkgs < <(apt-cache depends "linux-headers-$abi=$hver" |
		sed -n 's/^ *Depends: \(linux-\(headers-.*-common\|kbuild-.*\)\)$/\1/p')
	log "kernel 6.1 (headers only): $abi $hver: ${pkgs[*]}"
	rm -rf "$kdir" && mkdir -p "$kdir/debs" "$kdir/root"
	t0=$SECONDS
	(cd "$kdir/debs" && apt-get download -o APT::Sandbox::User=root -qq "${pkgs[@]/%/=$hver}") ||
		die "apt-get download failed"
	for d in "$kdir"/debs/*.deb; do
		dpkg-deb -x "$d" "$kdir/root"
	done
	fix_headers "$kdir" "$abi"
	ln -sfn "root/usr/src/linux-headers-$abi" "$kdir/headers"
	echo "$hver" > "$kdir/version"
	touch "$kdir/.done"
	link_name 6.1 "$abi"
	log "download and unpack of $abi: $((SECONDS - t0)) s"
}

# The kernels the current command needs.
setup_kernel_list() {
	if [ -n "${KA_SETUP_KERNELS+set}" ]; then
		echo "$KA_SETUP_KERNELS"
	elif [ -n "${KA_KERNEL:-}" ] && ka_kernel "$KA_KERNEL" 2>/dev/null; then
		echo "$KA_KERNEL"
	fi
}

step_kernels() {	# step_kernels NAME...
	local name
	for name in "$@"; do
		ka_kernel "$name" || die "unknown kernel '$name' (scripts/kernels.sh: $KA_KERNELS_ALL 6.1)"
		case $K_NAME in
		6.12)
			step_kernel
			ka_kernel 6.12
			link_name 6.12 "$K_ABI" ;;
		6.1)
			fetch_old_headers ;;
		*)
			fetch_newer_kernel "$K_NAME"
			ensure_broot "$K_BROOT"
			broot_headers ;;
		esac
	done
}

case $STEP in
apt) step_apt ;;
kernel) step_kernel ;;
kernels)
	shift
	if [ $# = 0 ]; then read -ra names <<<"$(setup_kernel_list)"; set -- "${names[@]}"; fi
	step_kernels "$@" ;;
tools) step_tools ;;
all)
	read -ra names <<<"$(setup_kernel_list)"
	step_apt; step_kernel; step_kernels "${names[@]}"; step_tools ;;
*) die "unknown step '$STEP' (apt|kernel|kernels|tools|all)" ;;
esac
