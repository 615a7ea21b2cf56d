// SPDX-License-Identifier: GPL-2.0
/*
 * The eventfd table has KVM_ACCEL_MAX_EVENTFDS slots; a larger count is
 * refused by validate() before any fd is looked at.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("more than KVM_ACCEL_MAX_EVENTFDS eventfds are refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(eventfds_too_many, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .nr_eventfds = KVM_ACCEL_MAX_EVENTFDS + 1);
