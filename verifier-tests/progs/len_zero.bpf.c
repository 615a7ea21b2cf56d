// SPDX-License-Identifier: GPL-2.0
/*
 * A range of length zero covers nothing: refused by validate().
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an empty range is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(len_zero, KVM_ACCEL_BUS_PIO, 0x1f0, 0,
	  .read = (void *)read_const);
