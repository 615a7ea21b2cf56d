// SPDX-License-Identifier: GPL-2.0
/*
 * An 8-byte store that starts inside ctx->result but ends inside ctx->len
 * must be refused as a store to len: only the bytes of result are writable.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_straddle")
__description("a store from ctx->result into ctx->len is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->len is read-only, only ctx->result may be written (off 28 size 8)")
int BPF_PROG(read_straddle, struct kvm_accel_ctx *acc)
{
	*(__u64 *)((__u8 *)&acc->result + 4) = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_result_straddle, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_straddle);
