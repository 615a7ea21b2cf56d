// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers a device may use: map update/lookup/delete, the two clocks
 * (a timer device's counter) and the random-number helper.
 */
#include <linux/bpf.h>
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64);
	__type(value, __u64);
} last_write SEC(".maps");

SEC("struct_ops/timer_read")
__description("map, clock and random-number helpers are available")
__success
int BPF_PROG(timer_read, struct kvm_accel_ctx *acc)
{
	__u64 key = acc->offset, now = bpf_ktime_get_ns();

	if (acc->offset == 0)
		acc->result = now;
	else if (acc->offset == 8)
		acc->result = bpf_ktime_get_boot_ns();
	else
		acc->result = bpf_get_prandom_u32();
	bpf_map_update_elem(&last_write, &key, &now, BPF_ANY);
	if (bpf_map_lookup_elem(&last_write, &key))
		bpf_map_delete_elem(&last_write, &key);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(helper_allowed, KVM_ACCEL_BUS_MMIO, 0xfed00000, 0x400,
	  .read = (void *)timer_read);
