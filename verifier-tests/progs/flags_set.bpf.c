// SPDX-License-Identifier: GPL-2.0
/*
 * Only the defined flags (KVM_ACCEL_F_ALL) may be set: any other bit is
 * refused, so it can be given a meaning later without old loaders silently
 * setting it.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("unknown flags are refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(flags_set, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .flags = 1U << 31);
