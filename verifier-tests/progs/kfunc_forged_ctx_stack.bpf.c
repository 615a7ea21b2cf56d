// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel_signal_eventfd() finds the attachment from its context
 * argument, so only the context the program was called with may be passed.
 * A look-alike struct kvm_accel_ctx built on the BPF stack must be refused:
 * the kfunc would read the attachment pointer from whatever follows it.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/forge_write")
__description("kvm_accel_signal_eventfd() on a context forged on the stack is refused")
__failure
int BPF_PROG(forge_write, struct kvm_accel_ctx *acc)
{
	struct {
		struct kvm_accel_ctx ctx;
		__u64 binding;
	} fake = { .binding = acc->data };

	if (kvm_accel_signal_eventfd(&fake.ctx, 0))
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_forged_ctx_stack, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)forge_write);
