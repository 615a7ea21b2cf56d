// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->offset is the offset of the access inside the attached range:
 * read-only.  The refusal comes from the module's btf_struct_access() with
 * its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_offset")
__description("a store to ctx->offset is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->offset is read-only, only ctx->result may be written (off 8 size 8)")
int BPF_PROG(write_offset, struct kvm_accel_ctx *acc)
{
	acc->offset = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_offset, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_offset);
