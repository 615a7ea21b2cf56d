// SPDX-License-Identifier: GPL-2.0
/*
 * The kfunc's context argument is checked against its BTF type, so a
 * trusted pointer to another kernel struct (a task) would be refused
 * there; the vmlinux kfunc that hands out the task (bpf_task_from_pid())
 * already gets the program refused by check_member(), and that is what
 * the log shows.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

extern struct task_struct *bpf_task_from_pid(__s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

SEC("struct_ops/task_write")
__description("kvm_accel_signal_eventfd() on a pointer to another struct is refused")
__failure __load_errno(EACCES)
__msg("attach to unsupported member write of struct kvm_accel_ops")
int BPF_PROG(task_write, struct kvm_accel_ctx *acc)
{
	struct task_struct *t = bpf_task_from_pid(1);

	if (!t)
		return KVM_ACCEL_EXIT;
	kvm_accel_signal_eventfd((struct kvm_accel_ctx *)t, 0);
	bpf_task_release(t);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_wrong_type, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .write = (void *)task_write);
