// SPDX-License-Identifier: GPL-2.0
/*
 * The name member is shown in sysfs and must be a NUL-terminated string
 * within KVM_ACCEL_NAME_LEN bytes; 32 characters leave no room for the
 * NUL and are refused by validate().
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a name without a terminating NUL is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

SEC(".struct_ops.link")
struct kvm_accel_ops name_unterminated = {
	.read = (void *)read_const,
	.bus = KVM_ACCEL_BUS_PIO,
	.base = 0x1f0,
	.len = 8,
	.name = "0123456789abcdef0123456789abcdef",
};
