// SPDX-License-Identifier: GPL-2.0
/*
 * A loop with a constant trip count (scanning a small table) is fine: the
 * verifier proves it terminates.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u32 pending[16];

SEC("struct_ops/scan_read")
__description("a loop with a constant bound is accepted")
__success
int BPF_PROG(scan_read, struct kvm_accel_ctx *acc)
{
	__u64 mask = 0;
	int i;

	for (i = 0; i < 16; i++)
		if (pending[i])
			mask |= 1ull << i;
	acc->result = mask;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(loop_bounded, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)scan_read);
