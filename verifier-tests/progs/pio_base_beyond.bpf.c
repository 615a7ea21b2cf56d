// SPDX-License-Identifier: GPL-2.0
/*
 * A PIO range that starts past the last port is refused even when short.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a port range starting at 0x10000 is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(pio_base_beyond, KVM_ACCEL_BUS_PIO, 0x10000, 1,
	  .read = (void *)read_const);
