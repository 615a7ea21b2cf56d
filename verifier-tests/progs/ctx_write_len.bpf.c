// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->len is the width of the access: read-only.  The refusal comes from
 * the module's btf_struct_access() with its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_len")
__description("a store to ctx->len is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->len is read-only, only ctx->result may be written (off 32 size 4)")
int BPF_PROG(write_len, struct kvm_accel_ctx *acc)
{
	acc->len = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_len, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_len);
