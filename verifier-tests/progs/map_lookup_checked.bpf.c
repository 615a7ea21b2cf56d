// SPDX-License-Identifier: GPL-2.0
/*
 * The same lookup as map_lookup_null_deref, with the NULL check: a key the
 * map does not have makes the access exit to the VMM.
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
__description("map lookup result used after a NULL check is accepted")
__success
int BPF_PROG(regs_read, struct kvm_accel_ctx *acc)
{
	__u32 key = acc->offset;
	__u64 *val = bpf_map_lookup_elem(&regs, &key);

	if (!val)
		return KVM_ACCEL_EXIT;
	acc->result = *val;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(map_lookup_checked, KVM_ACCEL_BUS_PIO, 0x1f0, 4,
	  .read = (void *)regs_read);
