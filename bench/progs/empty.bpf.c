// SPDX-License-Identifier: GPL-2.0
/*
 * The cheapest program an attachment can have: it completes every access
 * without looking at it (reads return 0).  Against demo/minimal.bpf.c it
 * separates the cost of calling a program (the struct_ops trampoline) from
 * the cost of a program's body in scripts/bench.sh's dispatch breakdown.
 */
#include "kvm_accel.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/empty_read")
int BPF_PROG(empty_read, struct kvm_accel_ctx *acc)
{
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/empty_write")
int BPF_PROG(empty_write, struct kvm_accel_ctx *acc)
{
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(empty, KVM_ACCEL_BUS_PIO, 0x3f0, 8,
	  .read = (void *)empty_read,
	  .write = (void *)empty_write);
