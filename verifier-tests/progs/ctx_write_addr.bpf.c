// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->addr is the guest's port or physical address: read-only.  The
 * refusal comes from the module's btf_struct_access() with its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_addr")
__description("a store to ctx->addr is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->addr is read-only, only ctx->result may be written (off 0 size 8)")
int BPF_PROG(write_addr, struct kvm_accel_ctx *acc)
{
	acc->addr = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_addr, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_addr);
