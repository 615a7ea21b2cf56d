// SPDX-License-Identifier: GPL-2.0
/*
 * As kfunc_forged_ctx_stack, with the look-alike context in a map value
 * (program memory the VMM can also write): must be refused.
 */
#include <linux/bpf.h>
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct fake_ctx {
	struct kvm_accel_ctx ctx;
	__u64 binding;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct fake_ctx);
} fakes SEC(".maps");

SEC("struct_ops/forge_write")
__description("kvm_accel_signal_eventfd() on a context forged in a map is refused")
__failure
/* 6.12 ("arg#0 ..."), 7.2 ("R1 ...") || 7.3 */
__msg("pointer type STRUCT kvm_accel_ctx must point to scalar, or struct with scalar"
      "||R1 is map_value expected STRUCT kvm_accel_ctx")
int BPF_PROG(forge_write, struct kvm_accel_ctx *acc)
{
	struct fake_ctx *f;
	__u32 zero = 0;

	f = bpf_map_lookup_elem(&fakes, &zero);
	if (!f)
		return KVM_ACCEL_EXIT;
	if (kvm_accel_signal_eventfd(&f->ctx, 0))
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_forged_ctx_map, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)forge_write);
