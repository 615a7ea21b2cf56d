// SPDX-License-Identifier: GPL-2.0
/*
 * The kfunc's context argument is trusted and never NULL.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/null_write")
__description("kvm_accel_signal_eventfd() on NULL is refused")
__failure
/* the wordings of 6.12 and of 7.x */
__msg("Possibly NULL pointer passed to trusted arg0||Possibly NULL pointer passed to trusted R1")
int BPF_PROG(null_write, struct kvm_accel_ctx *acc)
{
	if (kvm_accel_signal_eventfd((struct kvm_accel_ctx *)0, 0))
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_null_ctx, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)null_write);
