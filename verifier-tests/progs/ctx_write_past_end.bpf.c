// SPDX-License-Identifier: GPL-2.0
/*
 * A store beyond the end of struct kvm_accel_ctx (into the module's private
 * data that follows it on the stack) must be refused.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_past_end")
__description("a store past the end of the context is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: store beyond struct kvm_accel_ctx, only ctx->result may be written (off 64 size 8)")
int BPF_PROG(write_past_end, struct kvm_accel_ctx *acc)
{
	((__u64 *)acc)[8] = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_past_end, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_past_end);
