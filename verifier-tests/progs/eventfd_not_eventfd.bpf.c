// SPDX-License-Identifier: GPL-2.0
/*
 * An eventfd slot holding an open fd of another kind (here the runner's
 * standard output) is refused when reg() resolves the table.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/read_const")
__description("an eventfd slot holding a non-eventfd fd is refused at attach")
__attach_errno(EINVAL)
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(eventfd_not_eventfd, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const,
	  .nr_eventfds = 1,
	  .eventfds = { 1 });
