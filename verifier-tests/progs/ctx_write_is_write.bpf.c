// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->is_write is the direction of the access: read-only.  The refusal
 * comes from the module's btf_struct_access() with its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_is_write")
__description("a store to ctx->is_write is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->is_write is read-only, only ctx->result may be written (off 40 size 4)")
int BPF_PROG(write_is_write, struct kvm_accel_ctx *acc)
{
	acc->is_write = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_is_write, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_is_write);
