// SPDX-License-Identifier: GPL-2.0
/*
 * The context is exactly struct kvm_accel_ctx: what follows it (the
 * module's private data) must not be readable.  Generic verifier text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_past_end")
__description("a load past the end of the context is refused")
__failure
__msg("access beyond struct kvm_accel_ctx at off 64 size 8")
int BPF_PROG(read_past_end, struct kvm_accel_ctx *acc)
{
	acc->result = ((__u64 *)acc)[8];
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_read_past_end, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_past_end);
