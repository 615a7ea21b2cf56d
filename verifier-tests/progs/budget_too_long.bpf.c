// SPDX-License-Identifier: GPL-2.0
/*
 * A budget per call beyond KVM_ACCEL_BUDGET_NS_MAX is refused: a call that
 * long would hold KVM's SRCU readers for seconds.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a budget over KVM_ACCEL_BUDGET_NS_MAX is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(budget_too_long, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .budget_ns = KVM_ACCEL_BUDGET_NS_MAX + 1);
