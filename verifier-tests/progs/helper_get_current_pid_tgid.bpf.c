// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel programs get map, time, random-number, spin-lock and bpf_loop
 * helpers only.  bpf_get_current_pid_tgid() describes whichever task runs
 * the vCPU, nothing a device may depend on: not offered.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/use_get_current_pid_tgid")
__description("helper bpf_get_current_pid_tgid() is not available")
__failure
__msg("program of this type cannot use helper bpf_get_current_pid_tgid#14")
int BPF_PROG(use_get_current_pid_tgid, struct kvm_accel_ctx *acc)
{
	acc->result = bpf_get_current_pid_tgid();
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(helper_get_current_pid_tgid, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)use_get_current_pid_tgid);
