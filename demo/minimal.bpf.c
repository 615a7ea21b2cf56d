// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest useful accelerator: eight 64-bit registers in the program's
 * global data.  Every read and write of the range is completed in the
 * kernel; nothing exits.  Used by the demo and the cost measurements as the
 * "accelerated" path, so it is kept as short as a real fast path can be.
 */
#include "kvm_accel.h"

char LICENSE[] SEC("license") = "GPL";

__u64 regs[8];

SEC("struct_ops/minimal_read")
int BPF_PROG(minimal_read, struct kvm_accel_ctx *acc)
{
	acc->result = regs[(acc->offset >> 3) & 7];
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/minimal_write")
int BPF_PROG(minimal_write, struct kvm_accel_ctx *acc)
{
	regs[(acc->offset >> 3) & 7] = acc->data;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(minimal, KVM_ACCEL_BUS_PIO, 0x3f0, 8,
	  .read = (void *)minimal_read,
	  .write = (void *)minimal_write);
