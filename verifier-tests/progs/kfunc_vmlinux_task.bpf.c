// SPDX-License-Identifier: GPL-2.0
/*
 * vmlinux registers its generic kfunc set for every struct_ops program.
 * bpf_task_from_pid() would hand a fast path any task of the host; the
 * module's check_member() refuses every vmlinux kfunc before the verifier
 * checks the call, so the verifier reports its generic text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct task_struct;
extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("struct_ops/task_read")
__description("vmlinux kfunc bpf_task_from_pid() is refused")
__failure __load_errno(EACCES)
__msg("attach to unsupported member read of struct kvm_accel_ops")
int BPF_PROG(task_read, struct kvm_accel_ctx *acc)
{
	struct task_struct *p = bpf_task_from_pid(acc->data & 0xffff);

	acc->result = !!p;
	if (p)
		bpf_task_release(p);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_vmlinux_task, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)task_read);
