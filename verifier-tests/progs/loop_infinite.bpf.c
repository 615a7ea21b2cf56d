// SPDX-License-Identifier: GPL-2.0
/*
 * Spinning until something changes (polling a status bit the program
 * itself never updates) is an infinite loop in a program that must finish
 * before the vCPU can re-enter the guest.  Generic verifier text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u32 status;

SEC("struct_ops/poll_read")
__description("a program that spins on a register is refused")
__failure
__msg("infinite loop detected")
int BPF_PROG(poll_read, struct kvm_accel_ctx *acc)
{
	while (!READ_ONCE(status))
		;
	acc->result = status;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(loop_infinite, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)poll_read);
