// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel_signal_eventfd() finds the attachment from its context
 * argument, so only the context the program was called with may be passed.
 * A look-alike struct kvm_accel_ctx built on the BPF stack must be refused:
 * the kfunc would take the attachment pointer from whatever follows it,
 * here a value the guest wrote.
 *
 * The verifier checks a kfunc's struct pointer argument by type only when
 * the register holds a BTF pointer.  Any other pointer (stack, map value)
 * passes as plain memory if the struct is made of scalars only, which
 * struct kvm_accel_ctx is; so the refusal has to come from the type (a
 * non-scalar member, as hid_bpf_ctx has) or from the kfunc itself.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/forge_write")
__description("kvm_accel_signal_eventfd() on a context forged on the stack is refused")
__failure
/* 6.12 ("arg#0 ..."), 7.2 ("R1 ...") || 7.3 */
__msg("pointer type STRUCT kvm_accel_ctx must point to scalar, or struct with scalar"
      "||R1 is fp expected STRUCT kvm_accel_ctx")
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
