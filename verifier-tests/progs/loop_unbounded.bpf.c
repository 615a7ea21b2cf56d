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
__failure __load_errno(E2BIG)
__msg("BPF program is too large")
int BPF_PROG(sum_write, struct kvm_accel_ctx *acc)
{
	__u64 i, n = acc->data, sum = 0;

	for (i = 0; i < n; i++)
		sum += i ^ acc->offset;
	return sum ? KVM_ACCEL_HANDLED : KVM_ACCEL_EXIT;
}

KVM_ACCEL(loop_unbounded, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)sum_write);
