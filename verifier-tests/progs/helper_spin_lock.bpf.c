// SPDX-License-Identifier: GPL-2.0
/*
 * Several vCPUs run the same program at once: a register updated with a
 * read-modify-write takes a bpf_spin_lock in the map value.
 */
#include <linux/bpf.h>
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct shared_regs {
	struct bpf_spin_lock lock;
	__u64 isr;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct shared_regs);
} regs SEC(".maps");

SEC("struct_ops/ack_write")
__description("bpf_spin_lock()/bpf_spin_unlock() are available")
__success
int BPF_PROG(ack_write, struct kvm_accel_ctx *acc)
{
	struct shared_regs *r;
	__u32 zero = 0;

	r = bpf_map_lookup_elem(&regs, &zero);
	if (!r)
		return KVM_ACCEL_EXIT;
	bpf_spin_lock(&r->lock);
	r->isr &= ~acc->data;
	bpf_spin_unlock(&r->lock);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(helper_spin_lock, KVM_ACCEL_BUS_PIO, 0x20, 2,
	  .write = (void *)ack_write);
