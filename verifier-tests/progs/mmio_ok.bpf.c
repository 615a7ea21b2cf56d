// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO counterpart of ctx_write_result_ok: a 4 KiB page of device
 * registers.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an MMIO range is accepted")
__success
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(mmio_ok, KVM_ACCEL_BUS_MMIO, 0xfebf0000, 0x1000,
	  .read = (void *)read_const);
