// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->result is the one field a program may write: the value a handled
 * read returns to the guest.  The basic shape of every read fast path.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a read program that stores ctx->result is accepted")
__success
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0x5a;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_result_ok, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const);
