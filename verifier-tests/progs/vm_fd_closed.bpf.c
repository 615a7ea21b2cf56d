// SPDX-License-Identifier: GPL-2.0
/*
 * The VM is named by an fd of the attaching process; one that is not open
 * fails the attach when reg() looks it up.  The runner leaves vm_fd as the
 * object sets it (__no_vm).
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a vm_fd that is not open is refused at attach")
__attach_errno(EBADF) __no_vm
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(vm_fd_closed, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .vm_fd = -1);
