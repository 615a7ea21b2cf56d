#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the same 6.12 kernel as the test VM runs, from the Debian source in
# the cache, with the checkers a module like kvm_accel must survive: KASAN,
# lockdep (PROVE_LOCKING, which brings PROVE_RCU), atomic-sleep debugging,
# list debugging, and soft-lockup / hung-task detection.  The config starts
# from x86_64_defconfig plus what the test VM needs (KVM as modules, BPF with
# BTF, 9p and virtio built in), so it builds in well under an hour on two
# cores.  Output: $KA_CACHE/kernel/<abi>/debug/{bzImage,root/lib/modules}.
#
# Usage: scripts/debug-kernel.sh        (then: KA_KERNEL=debug make check)
set -euo pipefail

KA_CACHE=${KA_CACHE:-$HOME/.cache/kvm-accel}
ABI=$(cat "$KA_CACHE/kernel/current")
KROOT=$KA_CACHE/kernel/$ABI
OUT=$KROOT/debug
SRC=$KROOT/src
mkdir -p "$OUT/build"

[ -f "$OUT/.done" ] && { echo "debug-kernel: already built in $OUT"; exit 0; }

make -s -C "$SRC" O="$OUT/build" x86_64_defconfig
cfg() { "$SRC/scripts/config" --file "$OUT/build/.config" "$@"; }
cfg -e MODULES -e MODULE_UNLOAD -d MODULE_SIG -d MODVERSIONS \
    -e VIRTUALIZATION -m KVM -m KVM_AMD -d KVM_INTEL -e KVM_SMM \
    -e BPF_SYSCALL -e BPF_JIT -e BPF_JIT_ALWAYS_ON \
    -e DEBUG_INFO -e DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT -d DEBUG_INFO_REDUCED \
    -d DEBUG_INFO_SPLIT -e DEBUG_INFO_BTF -e DEBUG_INFO_BTF_MODULES \
    -e NET_9P -e NET_9P_VIRTIO -e 9P_FS -e 9P_FS_POSIX_ACL \
    -e VIRTIO -e VIRTIO_PCI -e VIRTIO_CONSOLE \
    -e DEVTMPFS -e DEVTMPFS_MOUNT -e TMPFS -e EVENTFD \
    -e DEBUG_KERNEL -e KASAN -e KASAN_GENERIC -e KASAN_INLINE \
    -e PROVE_LOCKING -e DEBUG_ATOMIC_SLEEP -e DEBUG_LIST \
    -e SOFTLOCKUP_DETECTOR -e DETECT_HUNG_TASK \
    -e X86_KERNEL_IBT -e FTRACE -e FUNCTION_TRACER
make -s -C "$SRC" O="$OUT/build" olddefconfig
# The vermagic must be the one the module is built against: this tree's own.
nice make -s -C "$SRC" O="$OUT/build" -j"$(nproc)" bzImage modules
rm -rf "$OUT/root"
make -s -C "$SRC" O="$OUT/build" INSTALL_MOD_PATH="$OUT/root" modules_install
cp "$OUT/build/arch/x86/boot/bzImage" "$OUT/bzImage"
make -s -C "$SRC" O="$OUT/build" kernelrelease > "$OUT/release"
touch "$OUT/.done"
echo "debug-kernel: $(cat "$OUT/release") in $OUT"
