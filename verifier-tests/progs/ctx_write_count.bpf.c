// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->count is how many elements a string read has: read-only, as every
 * field but ctx->result.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_count")
__description("a store to ctx->count is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->count is read-only, only ctx->result may be written (off 56 size 4)")
int BPF_PROG(write_count, struct kvm_accel_ctx *acc)
{
	acc->count = 1;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_count, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)write_count);
