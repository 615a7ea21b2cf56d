// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_map_lookup_elem() may return NULL (here: for a key the guest
 * chooses); using the result without a check must be refused.
 */
#include <linux/bpf.h>
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} regs SEC(".maps");

SEC("struct_ops/regs_read")
__description("map lookup result used without a NULL check is refused")
__failure
__msg("invalid mem access 'map_value_or_null'")
int BPF_PROG(regs_read, struct kvm_accel_ctx *acc)
{
	__u32 key = acc->offset;
	__u64 *val = bpf_map_lookup_elem(&regs, &key);

	acc->result = *val;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(map_lookup_null_deref, KVM_ACCEL_BUS_PIO, 0x1f0, 4,
	  .read = (void *)regs_read);
