#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Feature probes of the kernel kvm_accel.ko is built against, run by the
# kbuild file (kmod/Makefile) for every build, DKMS builds included:
#
#   kvm_accel_probe.sh SRCTREE OBJTREE
#
# SRCTREE holds the kernel's include/ (the -common headers package on
# Debian), OBJTREE its Module.symvers.  Prints the compiler flags that select
# the variants of kvm_accel_compat.h, or one line starting with "ERROR" that
# names why this kernel cannot be supported; kbuild stops with that line.
#
# The probes look for the features themselves, not for version numbers:
# distribution kernels backport, and a version says nothing about them.
SRC=$1
OBJ=$2
flags=

fail() {
	echo "ERROR kvm_accel: $*"
	exit 0
}

# The body of struct NAME in FILE, one line per member.
struct_body() {
	sed -n "/^struct $1 {/,/^};/p" "$2"
}

[ -f "$SRC/include/linux/bpf.h" ] ||
	fail "no include/linux/bpf.h under $SRC: not a kernel header tree"

# struct_ops types registered by modules (6.9), whose reg() and unreg() get
# the link (6.10): the module refuses link-less maps in reg().
grep -q 'define register_bpf_struct_ops' "$SRC/include/linux/bpf.h" ||
	fail "needs Linux 6.10 or later: this kernel cannot register struct_ops types from modules"
grep -Eq 'int \(\*reg\)\(void \*kdata, struct bpf_link \*link\)' "$SRC/include/linux/bpf.h" ||
	fail "needs Linux 6.10 or later: this kernel's struct_ops reg() is not given the bpf_link"

[ -f "$SRC/include/linux/kvm_host.h" ] ||
	fail "no include/linux/kvm_host.h under $SRC"
struct_body kvm_io_bus "$SRC/include/linux/kvm_host.h" | grep -q 'range\[\]' ||
	fail "struct kvm_io_bus in $SRC/include/linux/kvm_host.h has no range[] array: unknown KVM io bus"

# 6.18: struct kvm_io_bus gained an rcu_head (old buses freed with call_srcu()).
if struct_body kvm_io_bus "$SRC/include/linux/kvm_host.h" | grep -q 'struct rcu_head'; then
	flags="$flags -DKVM_ACCEL_IO_BUS_RCU"
fi

# Newer kernels dropped KF_TRUSTED_ARGS: every kfunc argument is trusted.
if grep -q 'define KF_TRUSTED_ARGS' "$SRC/include/linux/btf.h"; then
	flags="$flags -DKVM_ACCEL_HAVE_KF_TRUSTED_ARGS"
fi

# 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>.
if [ -f "$SRC/include/linux/unaligned.h" ]; then
	flags="$flags -DKVM_ACCEL_HAVE_LINUX_UNALIGNED"
fi

# The VM references the module takes must be exported to every module:
# since 6.18 KVM exports much of its API to kvm-amd and kvm-intel only
# (EXPORT_SYMBOL_FOR_MODULES, namespace "module:..."), and modpost would
# refuse the module with a less helpful message.  Module.symvers columns:
# CRC, symbol, module, export type, namespace.
if [ -f "$OBJ/Module.symvers" ]; then
	for sym in kvm_get_kvm_safe kvm_put_kvm; do
		ns=$(awk -F'\t' -v s="$sym" '$2 == s { print ($5 == "" ? "-" : $5); exit }' \
			"$OBJ/Module.symvers")
		[ -n "$ns" ] || fail "this kernel's KVM does not export $sym (is CONFIG_KVM off?)"
		[ "$ns" = "-" ] ||
			fail "this kernel exports $sym only to namespace '$ns', not to every module"
	done
fi

# KVM's instruction emulator, whose context tells how many elements a PIO
# string read has (kvm_accel_string.c), is private to KVM: no header of the
# kernel shows its layout, so here alone the series number decides which
# mirror applies.  The module also checks the context against the mirror at
# every string read, and lets the read exit where they disagree.
ver=$(awk '$1 == "VERSION" { v = $3 } $1 == "PATCHLEVEL" { p = $3 } END { print v "." p }' \
	"$SRC/Makefile" 2>/dev/null)
case $ver in
6.12) flags="$flags -DKVM_ACCEL_EMUL_6_12" ;;
7.2 | 7.3) flags="$flags -DKVM_ACCEL_EMUL_7_2" ;;
esac

echo "$flags"
