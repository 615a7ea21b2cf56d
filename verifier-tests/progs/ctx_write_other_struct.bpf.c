// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel objects reached through kfuncs (here a task from
 * bpf_task_from_pid()) are never writable by a kvm_accel program.  The
 * module's btf_struct_access() refuses a store to every struct but its
 * context; before the verifier gets there, check_member() refuses the
 * program for calling a vmlinux kfunc at all, and that is what the log
 * shows.  No kfunc offered to kvm_accel programs returns a kernel object.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("struct_ops/write_task")
__description("a store to another kernel struct is refused")
__failure __load_errno(EACCES)
__msg("attach to unsupported member write of struct kvm_accel_ops")
int BPF_PROG(write_task, struct kvm_accel_ctx *acc)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return KVM_ACCEL_EXIT;
	t->pid = 0;
	bpf_task_release(t);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(ctx_write_other_struct, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)write_task);
