// SPDX-License-Identifier: GPL-2.0
/*
 * The open-coded number iterator (bpf_iter_num_*, vmlinux's common kfunc
 * set) is harmless in itself, but it is a vmlinux kfunc like the others,
 * and the module refuses them all rather than keep a list of the safe
 * ones: loops go through bpf_loop() or bounded C loops (loop_*.bpf.c).
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct bpf_iter_num {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

SEC("struct_ops/sum_read")
__description("vmlinux kfunc bpf_iter_num_new() is refused")
__failure __load_errno(EACCES)
__msg("attach to unsupported member read of struct kvm_accel_ops")
int BPF_PROG(sum_read, struct kvm_accel_ctx *acc)
{
	struct bpf_iter_num it;
	__u64 sum = 0;
	int *v;

	bpf_iter_num_new(&it, 0, 8);
	while ((v = bpf_iter_num_next(&it)))
		sum += *v;
	bpf_iter_num_destroy(&it);
	acc->result = sum;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_vmlinux_iter_num, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)sum_read);
