// SPDX-License-Identifier: GPL-2.0
/*
 * KVM's bus takes an int length: longer ranges are refused by validate().
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an MMIO range longer than INT_MAX is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(mmio_len_too_big, KVM_ACCEL_BUS_MMIO, 0x100000000ull, 0x80000000ull,
	  .read = (void *)read_const);
