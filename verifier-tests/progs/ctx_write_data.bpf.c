// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->data is the value the guest wrote: read-only (a program answering a
 * read sets ctx->result).  The refusal comes from the module's
 * btf_struct_access() with its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_data")
__description("a store to ctx->data is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->data is read-only, only ctx->result may be written (off 16 size 8)")
int BPF_PROG(write_data, struct kvm_accel_ctx *acc)
{
	acc->data = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_data, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_data);
