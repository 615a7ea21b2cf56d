// SPDX-License-Identifier: GPL-2.0
/*
 * reg() resolves every eventfd of the table when the link is created; an
 * fd that is not open fails the attach.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an eventfd slot holding no open fd is refused at attach")
__attach_errno(EBADF)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(eventfd_closed_fd, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .nr_eventfds = 1,
	  .eventfds = { -1 });
