// SPDX-License-Identifier: GPL-2.0
/*
 * base + len must not wrap around the guest physical address space.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an MMIO range wrapping past 2^64 is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(mmio_range_wrap, KVM_ACCEL_BUS_MMIO, 0xfffffffffffffff0ull, 0x20,
	  .read = (void *)read_const);
