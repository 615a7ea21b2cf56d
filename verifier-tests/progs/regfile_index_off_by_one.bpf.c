// SPDX-License-Identifier: GPL-2.0
/*
 * A bounds check that lets the index reach the array's length (> instead
 * of >=) leaves one 8-byte slot past the register file reachable: refused.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 regs[8];

SEC("struct_ops/regs_write")
__description("register file write with an off-by-one bound is refused")
__failure
__msg("invalid access to map value, value_size=64 off=64 size=8")
int BPF_PROG(regs_write, struct kvm_accel_ctx *acc)
{
	__u64 idx = acc->offset;

	if (idx > 8)
		return KVM_ACCEL_EXIT;
	regs[idx] = acc->data;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(regfile_index_off_by_one, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)regs_write);
