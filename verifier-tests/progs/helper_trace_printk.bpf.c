// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel programs get map, time, random-number, spin-lock and bpf_loop
 * helpers only.  bpf_trace_printk() would print from the vCPU's hot path:
 * not offered.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/use_trace_printk")
__description("helper bpf_trace_printk() is not available")
__failure
__msg("program of this type cannot use helper bpf_trace_printk#6")
int BPF_PROG(use_trace_printk, struct kvm_accel_ctx *acc)
{
	static const char fmt[] = "offset %llu\n";

	bpf_trace_printk(fmt, sizeof(fmt), acc->offset);
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(helper_trace_printk, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)use_trace_printk);
