// SPDX-License-Identifier: GPL-2.0
/*
 * The bus member must be KVM_ACCEL_BUS_PIO or KVM_ACCEL_BUS_MMIO; the
 * module's validate() refuses anything else when the map is updated.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a bus other than PIO or MMIO is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(bus_invalid, 3, 0x1f0, 8,
	  .read = (void *)read_const);
