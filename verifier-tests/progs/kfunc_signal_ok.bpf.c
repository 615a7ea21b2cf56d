// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel_signal_eventfd() with the program's own context: how a fast
 * path raises an interrupt (an irqfd) without exiting.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/ipi_write")
__description("kvm_accel_signal_eventfd() on the context is accepted")
__success
int BPF_PROG(ipi_write, struct kvm_accel_ctx *acc)
{
	if (kvm_accel_signal_eventfd(acc, acc->data & 15))
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_signal_ok, KVM_ACCEL_BUS_MMIO, 0xfee00000, 0x1000,
	  .write = (void *)ipi_write);
