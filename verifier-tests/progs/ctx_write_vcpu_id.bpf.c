// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->vcpu_id is the id of the accessing vCPU: read-only.  The refusal
 * comes from the module's btf_struct_access() with its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_vcpu_id")
__description("a store to ctx->vcpu_id is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->vcpu_id is read-only, only ctx->result may be written (off 36 size 4)")
int BPF_PROG(write_vcpu_id, struct kvm_accel_ctx *acc)
{
	acc->vcpu_id = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_vcpu_id, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_vcpu_id);
