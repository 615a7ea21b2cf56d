// SPDX-License-Identifier: GPL-2.0
/*
 * ctx->bus is the bus (PIO or MMIO) of the access: read-only.  The refusal
 * comes from the module's btf_struct_access() with its own text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/write_bus")
__description("a store to ctx->bus is refused")
__failure __load_errno(EACCES)
__msg("kvm_accel: ctx->bus is read-only, only ctx->result may be written (off 44 size 4)")
int BPF_PROG(write_bus, struct kvm_accel_ctx *acc)
{
	acc->bus = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_bus, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_bus);
