// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel programs get map, time, random-number, spin-lock and bpf_loop
 * helpers only.  bpf_probe_read_kernel() reads arbitrary kernel memory
 * (here at an address the guest wrote): not offered.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/use_probe_read_kernel")
__description("helper bpf_probe_read_kernel() is not available")
__failure
__msg("program of this type cannot use helper bpf_probe_read_kernel#113")
int BPF_PROG(use_probe_read_kernel, struct kvm_accel_ctx *acc)
{
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), (void *)acc->data);
	acc->result = v;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(helper_probe_read_kernel, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)use_probe_read_kernel);
