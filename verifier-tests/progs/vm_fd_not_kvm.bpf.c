// SPDX-License-Identifier: GPL-2.0
/*
 * vm_fd must be a KVM VM fd (file_is_kvm()): an open fd of another kind,
 * here the runner's standard output, is refused when reg() looks it up.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("a vm_fd that is not a VM is refused at attach")
__attach_errno(EBADF) __no_vm
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(vm_fd_not_kvm, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .vm_fd = 1);
