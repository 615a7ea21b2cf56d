// SPDX-License-Identifier: GPL-2.0
/*
 * A kvm_accel_ops whose members are not in bpf/kvm_accel.h's order: len
 * comes before base.  libbpf matches struct_ops members by name, so this
 * would load; but libkvmaccel fills the members through its shadow type,
 * laid out as bpf/kvm_accel.h declares them, and must refuse the object
 * (-EINVAL, naming the member) rather than write the range into the wrong
 * members.  ops_layout_test and loader/tests/test-cli-errors.sh load it.
 * It declares the type itself, so it does not include kvm_accel.h.
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
	__u64 len;
	__u64 base;
	__u32 flags;
	__u32 nr_eventfds;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS];
	char name[KVM_ACCEL_NAME_LEN];
};

SEC("struct_ops/reordered_read")
int BPF_PROG(reordered_read, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

SEC(".struct_ops.link") struct kvm_accel_ops ops_reordered = {
	.read = (void *)reordered_read,
	.bus = KVM_ACCEL_BUS_PIO,
	.base = 0x5400,
	.len = 8,
	.name = "ops_reordered",
};
