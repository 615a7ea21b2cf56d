// SPDX-License-Identifier: GPL-2.0
/*
 * The minimal program (demo/minimal.bpf.c) with a run of N extra ALU
 * instructions in front of its body, N = 64 and 256: one struct_ops map per
 * N (pad64, pad256), attached by name.  The slope of the cost against N is
 * what one instruction of a program costs once JIT-compiled, so a device
 * author can price a fast path from its instruction count.
 *
 * The padding is inline assembly so that the compiler cannot fold it away;
 * each instruction is "r1 += 1" on a scratch register.
 */
#include "kvm_accel.h"

char LICENSE[] SEC("license") = "GPL";

__u64 regs[8];

#define PAD(n)	asm volatile("r1 = 0\n\t.rept " #n "\n\tr1 += 1\n\t.endr" ::: "r1")

#define PAD_PROGS(n)							\
SEC("struct_ops/pad" #n "_read")					\
int BPF_PROG(pad##n##_read, struct kvm_accel_ctx *acc)			\
{									\
	PAD(n);								\
	acc->result = regs[(acc->offset >> 3) & 7];			\
	return KVM_ACCEL_HANDLED;					\
}									\
									\
SEC("struct_ops/pad" #n "_write")					\
int BPF_PROG(pad##n##_write, struct kvm_accel_ctx *acc)			\
{									\
	PAD(n);								\
	regs[(acc->offset >> 3) & 7] = acc->data;			\
	return KVM_ACCEL_HANDLED;					\
}									\
									\
KVM_ACCEL(pad##n, KVM_ACCEL_BUS_PIO, 0x3f0, 8,				\
	  .read = (void *)pad##n##_read,				\
	  .write = (void *)pad##n##_write)

PAD_PROGS(64);
PAD_PROGS(256);
