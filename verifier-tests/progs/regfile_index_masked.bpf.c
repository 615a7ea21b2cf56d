// SPDX-License-Identifier: GPL-2.0
/*
 * Masking the offset to the size of a power-of-two register file bounds it
 * as well as a compare does, without a branch.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u32 regs[16];

SEC("struct_ops/regs_read")
__description("register file indexed by a masked ctx->offset is accepted")
__success
int BPF_PROG(regs_read, struct kvm_accel_ctx *acc)
{
	acc->result = regs[(acc->offset >> 2) & 15];
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(regfile_index_masked, KVM_ACCEL_BUS_MMIO, 0xfed00000, 64,
	  .read = (void *)regs_read);
