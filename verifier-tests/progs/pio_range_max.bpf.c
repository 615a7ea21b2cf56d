// SPDX-License-Identifier: GPL-2.0
/*
 * The boundary case of pio_range_overflow: the last 16 ports are a valid
 * range.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a port range ending exactly at 0x10000 is accepted")
__success
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(pio_range_max, KVM_ACCEL_BUS_PIO, 0xfff0, 16,
	  .read = (void *)read_const);
