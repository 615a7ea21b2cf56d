// SPDX-License-Identifier: GPL-2.0
/*
 * A loop whose trip count the guest chooses (a "repeat count" register)
 * has no bound the verifier can prove: refused once the verifier has
 * walked its instruction budget.  Generic verifier text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/sum_write")
__description("a loop bounded only by guest data is refused")
__failure
__msg("BPF program is too large")
int BPF_PROG(sum_write, struct kvm_accel_ctx *acc)
{
	__u64 i, n = acc->data, sum = acc->offset;

	/*
	 * A long loop body makes the verifier reach its instruction limit in
	 * a few thousand iterations rather than a few hundred thousand: the
	 * test then costs seconds, not minutes, under an emulated CPU.
	 */
	for (i = 0; i < n; i++) {
#pragma unroll
		for (int k = 0; k < 128; k++)
			sum = (sum << 5) - sum + (i ^ k);
	}
	return sum ? KVM_ACCEL_HANDLED : KVM_ACCEL_EXIT;
}

KVM_ACCEL(loop_unbounded, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)sum_write);
