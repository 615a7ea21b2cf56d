// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->offset is guest-controlled as far as the program can tell: the
 * verifier knows nothing of the attached range's length.  Indexing the
 * register file with it unchecked must be refused.  Generic verifier text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 regs[8];

SEC("struct_ops/regs_read")
__description("register file indexed by unchecked ctx->offset is refused")
__failure
__msg("math between map_value pointer and register with unbounded min value is not allowed")
int BPF_PROG(regs_read, struct kvm_accel_ctx *acc)
{
	acc->result = regs[acc->offset];
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(regfile_index_unchecked, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)regs_read);
