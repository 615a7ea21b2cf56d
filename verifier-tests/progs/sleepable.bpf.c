// SPDX-License-Identifier: GPL-2.0
/*
 * Programs run inside KVM's SRCU read side on the vCPU thread and must not
 * sleep: the module's check_member() refuses sleepable programs, and the
 * verifier reports it with its generic text.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops.s/sleepy_read")
__description("a sleepable program is refused")
__failure __load_errno(EINVAL)
__msg("attach to unsupported member read of struct kvm_accel_ops")
int BPF_PROG(sleepy_read, struct kvm_accel_ctx *acc)
{
	acc->result = 0;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(sleepable, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)sleepy_read);
