// SPDX-License-Identifier: GPL-2.0
/*
 * The usual register file shape: check the offset against the file, exit
 * to the VMM for anything outside it, index with the checked value.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 regs[8];

SEC("struct_ops/regs_read")
__description("register file reads and writes behind a bounds check are accepted")
__success
int BPF_PROG(regs_read, struct kvm_accel_ctx *acc)
{
	__u64 idx = acc->offset;

	if (idx >= 8)
		return KVM_ACCEL_EXIT;
	acc->result = regs[idx];
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/regs_write")
int BPF_PROG(regs_write, struct kvm_accel_ctx *acc)
{
	__u64 idx = acc->offset;

	if (idx >= 8)
		return KVM_ACCEL_EXIT;
	regs[idx] = acc->data;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(regfile_index_bounded, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)regs_read,
	  .write = (void *)regs_write);
