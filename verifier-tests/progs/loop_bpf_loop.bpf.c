// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_loop() is the allowed way to loop a guest-chosen number of times:
 * the kernel caps the count, the callback is verified once.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 fifo[32];

struct fill_state {
	__u64 value;
};

static int fill_one(__u32 i, void *data)
{
	struct fill_state *st = data;

	fifo[i & 31] = st->value;
	return 0;
}

SEC("struct_ops/fill_write")
__description("bpf_loop() with a guest-chosen count is accepted")
__success
int BPF_PROG(fill_write, struct kvm_accel_ctx *acc)
{
	struct fill_state st = { .value = acc->offset };

	bpf_loop(acc->data, fill_one, &st, 0);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(loop_bpf_loop, KVM_ACCEL_BUS_PIO, 0x1f0, 32,
	  .write = (void *)fill_write);
