// SPDX-License-Identifier: GPL-2.0
/*
 * One object may carry several accelerators (a device with a PIO and an
 * MMIO face); each map attaches on its own and the programs may be shared.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 reg;

SEC("struct_ops/reg_read")
__description("an object with two accelerators sharing a program is accepted")
__success
int BPF_PROG(reg_read, struct kvm_accel_ctx *acc)
{
	acc->result = reg;
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/reg_write")
int BPF_PROG(reg_write, struct kvm_accel_ctx *acc)
{
	reg = acc->data;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(two_accel_pio, KVM_ACCEL_BUS_PIO, 0x510, 2,
	  .read = (void *)reg_read,
	  .write = (void *)reg_write);

KVM_ACCEL(two_accel_mmio, KVM_ACCEL_BUS_MMIO, 0xfebe0000, 8,
	  .read = (void *)reg_read);
