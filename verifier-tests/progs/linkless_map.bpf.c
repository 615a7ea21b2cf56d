// SPDX-License-Identifier: GPL-2.0
/*
 * A struct_ops map without a link could never be detached and would pin
 * the VM forever: the module's reg() refuses it when the map is updated.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a struct_ops map without a link is refused at attach")
__attach_errno(EOPNOTSUPP)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

SEC(".struct_ops")
struct kvm_accel_ops linkless_map = {
	.read = (void *)read_const,
	.bus = KVM_ACCEL_BUS_PIO,
	.base = 0x1f0,
	.len = 8,
	.name = "linkless_map",
};
