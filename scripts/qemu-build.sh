#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build qemu-system-x86_64 10.0.2 from Debian's source, in one of two
# flavours:
#
#   kvm  the VMM of the QEMU integration: KVM only, with the kvm-accel
#        series (integrations/qemu/*.patch) and libkvmaccel linked in.
#        Installed as $O/qemu/qemu-system-x86_64.
#   vm   the emulator that runs the test VM: TCG only, with the fixes the
#        test VM needs (integrations/qemu-tcg/*.patch; bookworm-backports'
#        QEMU delivers some interrupts to nested guests twice).
#        Installed as $O/vm-qemu/qemu-system-x86_64.
#
# The source is Debian's (bookworm-backports ships QEMU 10.0.2): apt-get
# source downloads the upstream tarball through a private apt
# configuration, and its SHA-256 is checked against the signed Sources
# index before anything is unpacked.  Nothing of QEMU is kept in this
# repository; only the patches are.
#
# Each build is cached under $KA_CACHE/qemu/build-<key>, where <key> hashes
# the QEMU version, the patches and the configure options, so a rerun with
# unchanged patches only relinks (kvm: against the current libkvmaccel).
#
# Usage: scripts/qemu-build.sh [kvm|vm]   (default kvm; prints the path of
#                                          the binary last)
# Env:   KA_CACHE  cache directory (default ~/.cache/kvm-accel)
#        O         build directory of this repository (default ./build)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
O=${O:-$REPO/build}
FLAVOUR=${1:-kvm}
QEMU_VERSION=10.0.2
DEB_VERSION=1:10.0.2+ds-2+deb13u1~bpo12+1
ORIG=qemu_${QEMU_VERSION}+ds.orig.tar.xz
QROOT=$KA_CACHE/qemu
export DEBIAN_FRONTEND=noninteractive

log() { printf 'qemu-build(%s): %s\n' "$FLAVOUR" "$*" >&2; }
die() { printf 'qemu-build(%s): error: %s\n' "$FLAVOUR" "$*" >&2; exit 1; }

# Everything a minimal x86_64 system emulator needs, plus 9p for the test
# VM's.  meson and pycotap must be the backports versions (QEMU 10 wants
# meson >= 1.5).
APT_PKGS=(ninja-build libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev
	  python3-venv pkg-config bzip2 xz-utils libattr1-dev libcap-ng-dev)
BPO_PKGS=(meson python3-pycotap)

case $FLAVOUR in
kvm)
	CONFIGURE_OPTS=(--target-list=x86_64-softmmu --without-default-features
		--enable-kvm --disable-tcg --enable-fdt=system --disable-docs
		--disable-werror --disable-debug-info --disable-install-blobs
		--enable-trace-backends=log --enable-kvm-accel
		--firmwarepath=/usr/share/qemu:/usr/share/seabios)
	PATCH_DIR=$REPO/integrations/qemu
	OUT=$O/qemu ;;
vm)
	# The test VM shares the host's tree over 9p (scripts/vm-run.sh).
	CONFIGURE_OPTS=(--target-list=x86_64-softmmu --without-default-features
		--enable-tcg --disable-kvm --enable-virtfs --enable-attr
		--enable-cap-ng --enable-fdt=system --disable-docs
		--disable-werror --disable-debug-info --disable-install-blobs
		--firmwarepath=/usr/share/qemu:/usr/share/seabios)
	PATCH_DIR=$REPO/integrations/qemu-tcg
	OUT=$O/vm-qemu ;;
*)
	die "unknown flavour '$FLAVOUR' (kvm or vm)" ;;
esac

install_deps() {
	local missing=() p
	for p in "${APT_PKGS[@]}" "${BPO_PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	if [ ${#missing[@]} = 0 ] &&
	   dpkg --compare-versions "$(dpkg-query -W -f='${Version}' meson)" ge 1.5; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "install as root: ${APT_PKGS[*]} and -t bookworm-backports ${BPO_PKGS[*]}"
	log "installing build dependencies"
	apt-get install -y -qq --no-install-recommends "${APT_PKGS[@]}" >/dev/null
	apt-get install -y -qq --no-install-recommends -t bookworm-backports \
		"${BPO_PKGS[@]}" >/dev/null
}

# The upstream tarball from Debian's archive, checked against the SHA-256
# that the (signature-checked) bookworm-backports Sources index lists.
fetch_source() {
	local apt=$QROOT/apt dl=$QROOT/download want got mirror
	[ -f "$dl/$ORIG.ok" ] && return 0
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$dl"
	mirror=$(grep -rhs -E '^(deb |URIs:)' /etc/apt/sources.list /etc/apt/sources.list.d/ |
		 grep -m1 -o 'http[s]*://[^ ]*debian/*' || true)
	mirror=${mirror:-http://deb.debian.org/debian}
	echo "deb-src ${mirror%/} bookworm-backports main" > "$apt/sources.list"
	local aptopts=(-o "Dir::Etc::SourceList=$apt/sources.list"
		       -o "Dir::Etc::SourceParts=$apt/none"
		       -o "Dir::State::Lists=$apt/lists"
		       -o "Dir::Cache=$apt/cache"
		       -o "APT::Sandbox::User=root")
	log "fetching the bookworm-backports source index"
	apt-get "${aptopts[@]}" update -qq || die "apt-get update (deb-src) failed"
	want=$(apt-cache "${aptopts[@]}" showsrc qemu |
	       awk -v f="$ORIG" -v v="$DEB_VERSION" '
			/^Version:/ { ver = $2 }
			/^Checksums-Sha256:/ { on = 1; next }
			/^[^ ]/ { on = 0 }
			on && ver == v && $3 == f && !done { print $1; done = 1 }')
	[ -n "$want" ] || die "qemu $DEB_VERSION is not in bookworm-backports' Sources"
	log "downloading $ORIG"
	# Only the upstream tarball is used; the Debian packaging files may be
	# missing on a partial mirror, so the exit status is not trusted:
	# the checksum below is.
	(cd "$dl" && apt-get "${aptopts[@]}" source --download-only -qq \
		"qemu=$DEB_VERSION" >/dev/null 2>&1) || true
	[ -f "$dl/$ORIG" ] || die "apt-get source did not fetch $ORIG"
	got=$(sha256sum "$dl/$ORIG" | cut -d' ' -f1)
	[ "$got" = "$want" ] || die "$ORIG: sha256 $got, the index says $want"
	echo "$want" > "$dl/$ORIG.ok"
}

# libkvmaccel as QEMU's meson finds it: a pkg-config file in the cache
# pointing at a copy of the library and headers, so the cached build does
# not depend on where this checkout lives.
stage_libkvmaccel() {
	local st=$1 kabi ktools changed=0 f
	kabi=$(cat "$KA_CACHE/kernel/current")
	ktools=$KA_CACHE/kernel/$kabi/tools
	[ -f "$O/libkvmaccel.a" ] || die "$O/libkvmaccel.a missing: run make first"
	mkdir -p "$st/lib" "$st/include/kvmaccel" "$st/pkgconfig"
	for f in "$O/libkvmaccel.a" "$ktools/libbpf/libbpf.a"; do
		cmp -s "$f" "$st/lib/$(basename "$f")" || { cp "$f" "$st/lib/"; changed=1; }
	done
	cp "$REPO/loader/libkvmaccel.h" "$REPO/include/kvm_accel_abi.h" "$st/include/"
	# The register-file layouts the VMM side of each device shares, the
	# code both halves run (NAME_access.h, which QEMU's HPET and PM timer
	# run too) and the shared-memory vocabulary those are written in.
	cp "$REPO/devices/hpet/hpet.h" "$REPO/devices/hpet/hpet_access.h" \
	   "$REPO/devices/pmtimer/pmtimer.h" "$REPO/devices/pmtimer/pmtimer_access.h" \
	   "$REPO/devices/ide/ide.h" "$REPO/bpf/kvm_accel_atomics.h" \
	   "$st/include/kvmaccel/"
	rm -rf "$st/include/bpf" && cp -r "$ktools/libbpf/include/bpf" "$st/include/"
	cat > "$st/pkgconfig/libkvmaccel.pc" <<PC
prefix=$st
Name: libkvmaccel
Description: kvm-accel device fast paths (staged for the QEMU build)
Version: 0.1.0
Cflags: -I\${prefix}/include
Libs: \${prefix}/lib/libkvmaccel.a \${prefix}/lib/libbpf.a -lelf -lz
PC
	return $((!changed))
}

main() {
	local key dir src bld patches=("$PATCH_DIR"/*.patch) p t0
	[ -e "${patches[0]}" ] || die "no patches in $PATCH_DIR"
	install_deps
	fetch_source
	key=$( { echo "$QEMU_VERSION ${CONFIGURE_OPTS[*]}"; cat "${patches[@]}"; } |
	       sha256sum | cut -c1-16)
	dir=$QROOT/build-$key
	src=$dir/src
	bld=$dir/build
	if [ "$FLAVOUR" = kvm ] && stage_libkvmaccel "$dir/kvmaccel"; then
		rm -f "$bld/qemu-system-x86_64"	# relink against the new library
	fi
	if [ ! -f "$dir/.configured" ]; then
		t0=$(date +%s)
		log "unpacking and patching into $dir"
		rm -rf "$src" "$bld" && mkdir -p "$src" "$bld"
		tar -C "$src" --strip-components=1 -xaf "$QROOT/download/$ORIG"
		for p in "${patches[@]}"; do
			patch -d "$src" -p1 -s --no-backup-if-mismatch < "$p" ||
				die "$(basename "$p") does not apply"
		done
		# The +ds tarball leaves out prebuilt firmware.  meson still
		# declares the x86 EDK2 images (only installed, never used to
		# build); empty ones satisfy it.  Firmware comes from the
		# distribution's packages at run time (--firmwarepath).
		for p in $(sed -n '/fds = \[/,/\]/p' "$src/pc-bios/meson.build" |
			   grep -o "edk2-[a-z0-9_-]*\.fd"); do
			[ -e "$src/pc-bios/$p.bz2" ] || bzip2 -c </dev/null > "$src/pc-bios/$p.bz2"
		done
		(cd "$bld" && PKG_CONFIG_PATH=$dir/kvmaccel/pkgconfig \
			"$src/configure" --python=/usr/bin/python3 "${CONFIGURE_OPTS[@]}" \
			> configure.log 2>&1) || { tail -30 "$bld/configure.log"; die "configure failed"; }
		touch "$dir/.configured"
		echo $(($(date +%s) - t0)) > "$dir/configure-seconds"
	fi
	t0=$(date +%s)
	log "building in $bld (nice, -j2)"
	nice -n 10 ninja -C "$bld" -j2 qemu-system-x86_64 > "$bld/ninja.log" 2>&1 ||
		{ tail -40 "$bld/ninja.log"; die "build failed"; }
	log "built in $(($(date +%s) - t0)) s"
	# A copy, not a link: run from its build tree, QEMU looks for firmware
	# in the tree's qemu-bundle instead of --firmwarepath.
	mkdir -p "$OUT"
	[ ! -L "$OUT/qemu-system-x86_64" ] &&
		cmp -s "$bld/qemu-system-x86_64" "$OUT/qemu-system-x86_64" ||
		cp --remove-destination "$bld/qemu-system-x86_64" "$OUT/qemu-system-x86_64"
	echo "$OUT/qemu-system-x86_64"
}

main "$@"
