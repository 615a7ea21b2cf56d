// SPDX-License-Identifier: GPL-2.0
/*
 * Port numbers stop at 0xffff: a PIO range must end at or below
 * KVM_ACCEL_PIO_LIMIT.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a port range crossing 0x10000 is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(pio_range_overflow, KVM_ACCEL_BUS_PIO, 0xfff8, 16,
	  .read = (void *)read_const);
