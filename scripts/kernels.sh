# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
#
# The test VM's kernel matrix, sourced by setup.sh, vm-run.sh, kmod-build.sh,
# check.sh and host-checks.sh.  Not a program: `. scripts/kernels.sh`.
#
#   KA_KERNEL    ABI                      from                 modules built in
#   6.12         6.12.95+deb12-amd64 (*)  bookworm-backports   the host (gcc-12)
#   6.12-trixie  6.12.117+deb13-amd64     trixie               $KA_CACHE/trixie-root (gcc-14)
#   7.2          7.2.13+deb14-amd64       sid                  $KA_CACHE/sid-root (gcc-16)
#   7.3          7.3.4+deb13-amd64        trixie-backports     $KA_CACHE/trixie-root (gcc-14)
#   6.1          6.1.0-N-amd64 (*)        bookworm             the host; headers only: not
#                                                              bootable, kept to check that
#                                                              kmod/ refuses it (host-checks.sh)
#   (*) resolved by setup.sh from the archive's metapackage; the others are
#   pinned here: a kernel the archive no longer carries fails setup loudly.
#
# Debian builds each kernel with its release's compiler and its kbuild tools
# (modpost, objtool) against its release's C library: 6.12.117 and 7.3.4
# come from gcc-14 and glibc 2.41 (trixie), 7.2.13 from gcc-16 (its headers
# package depends on gcc-16-for-host and its Makefile names
# x86_64-linux-gnu-gcc-16), which only sid has.  So each of those is built
# in a debootstrapped root of its release, never on the bookworm host.
#
# Cache layout ($KA_CACHE/kernel):
#   <abi>/debs/      the downloaded .debs          <abi>/root/  their contents (dpkg-deb -x)
#   <abi>/headers -> root/usr/src/linux-headers-<abi>   (Makefile include path fixed)
#   <abi>/vmlinuz -> the image (not for 6.1)      <abi>/version  the Debian version
#   <abi>/.done      setup finished               by-name/<KA_KERNEL> -> ../<abi>
#   current          the 6.12 ABI (libbpf, bpftool, selftests library come from it)
#   apt/             the private apt configuration for trixie, trixie-backports, sid
# Build roots ($KA_CACHE/trixie-root, $KA_CACHE/sid-root): debootstrap
# minbase + compiler, stamps .ka-root-done (its package list) and
# .ka-headers-<abi> (that kernel's headers, common tree and kbuild unpacked
# at their own paths); build/kvm-accel/<abi> is where kmod-build.sh
# bind-mounts the build directory, $O/kernels/<abi>/kbuild/{kmod,include},
# while it builds.  Output: $O/kernels/<abi>/kvm_accel.ko and kbuild.log.

KA_KERNELS_ALL="6.12 6.12-trixie 7.2 7.3"

# ka_kernel NAME: sets K_NAME, K_ABI (empty if not resolved yet), K_SUITE,
# K_BROOT (host, trixie or sid), K_BOOT (1 if the test VM can boot it).
ka_kernel() {
	K_NAME=$1 K_BOOT=1
	case $1 in
	6.12|debian)
		K_NAME=6.12 K_SUITE=bookworm-backports K_BROOT=host
		K_ABI=$(cat "$KA_CACHE/kernel/current" 2>/dev/null || true) ;;
	6.12-trixie)
		K_ABI=6.12.117+deb13-amd64 K_SUITE=trixie K_BROOT=trixie ;;
	7.2)
		K_ABI=7.2.13+deb14-amd64 K_SUITE=sid K_BROOT=sid ;;
	7.3)
		K_ABI=7.3.4+deb13-amd64 K_SUITE=trixie-backports K_BROOT=trixie ;;
	6.1)
		K_SUITE=bookworm K_BROOT=host K_BOOT=0
		K_ABI=$(basename "$(readlink "$KA_CACHE/kernel/by-name/6.1" 2>/dev/null)" 2>/dev/null || true) ;;
	*)
		return 1 ;;
	esac
	K_DIR=$KA_CACHE/kernel/$K_ABI
}

# ka_broot_dir host|trixie|sid: the root the modules of K_BROOT are built
# in (/ for the host).
ka_broot_dir() {
	case $1 in
	host) echo / ;;
	*) echo "$KA_CACHE/$1-root" ;;
	esac
}

# Where kmod-build.sh leaves the module for an ABI, or with "bench" its
# benchmark build (kmod-build.sh --bench).  The 6.12 modules are the ones
# `make kmod` and `make kmod-bench` build, $O/kvm_accel.ko and
# $O/bench/kvm_accel.ko.
ka_module_path() {	# ka_module_path NAME [bench]
	ka_kernel "$1" || return 1
	if [ "$K_NAME" = 6.12 ]; then
		echo "$O${2:+/bench}/kvm_accel.ko"
	else
		echo "$O/kernels/$K_ABI${2:+/bench}/kvm_accel.ko"
	fi
}
