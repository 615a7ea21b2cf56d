// SPDX-License-Identifier: GPL-2.0
/*
 * Stores narrower than ctx->result but inside it are allowed: a program
 * answering a 1- or 2-byte port read may store just the bytes it has.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_bytes")
__description("1-, 2- and 4-byte stores inside ctx->result are accepted")
__success
int BPF_PROG(read_bytes, struct kvm_accel_ctx *acc)
{
	__u8 *res = (__u8 *)&acc->result;

	*(__u32 *)res = 0x11223344;
	*(__u16 *)(res + 4) = 0x5566;
	res[7] = 0x77;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_result_narrow, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_bytes);
