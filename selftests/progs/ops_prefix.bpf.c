// SPDX-License-Identifier: GPL-2.0
/*
 * A kvm_accel_ops as an older bpf/kvm_accel.h declared it: the members up
 * to name, without the runtime budget.  Its layout is a prefix of the
 * current one, so libkvmaccel attaches it with the module's default
 * budget and refuses (-EINVAL) only to set a budget it has no member for.
 * ops_layout_test loads it.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#include "../../include/kvm_accel_abi.h"
#pragma clang attribute pop

char LICENSE[] SEC("license") = "GPL";

struct kvm_accel_ops {
	int (*read)(struct kvm_accel_ctx *ctx);
	int (*write)(struct kvm_accel_ctx *ctx);
	int vm_fd;
	__u32 bus;
	__u64 base;
	__u64 len;
	__u32 flags;
	__u32 nr_eventfds;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS];
	char name[KVM_ACCEL_NAME_LEN];
};

SEC("struct_ops/prefix_read")
int BPF_PROG(prefix_read, struct kvm_accel_ctx *acc)
{
	acc->result = 0x5a;
	return KVM_ACCEL_HANDLED;
}

SEC(".struct_ops.link") struct kvm_accel_ops ops_prefix = {
	.read = (void *)prefix_read,
	.bus = KVM_ACCEL_BUS_PIO,
	.base = 0x5400,
	.len = 8,
	.name = "ops_prefix",
};
