// SPDX-License-Identifier: GPL-2.0
/*
 * Zero is deliberately not a bus, so a loader that forgets to set one gets
 * an error instead of a PIO attachment.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an unset bus is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(bus_unset, 0, 0x1f0, 8,
	  .read = (void *)read_const);
