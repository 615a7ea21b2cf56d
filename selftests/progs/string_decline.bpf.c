// SPDX-License-Identifier: GPL-2.0
/* A device that declines from its STR_DECLINE_AFTER-th access on (strings.h). */
#include "kvm_accel.h"
#include "strings.h"

char LICENSE[] SEC("license") = "GPL";

struct str_decline_regs regs;

SEC("struct_ops/str_decline_read")
int BPF_PROG(str_decline_read, struct kvm_accel_ctx *acc)
{
	__u64 i = fetch_add(&regs.reads, 1);

	if (i >= STR_DECLINE_AFTER)
		return KVM_ACCEL_EXIT;
	acc->result = STR_FAST_BYTE + i;
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/str_decline_write")
int BPF_PROG(str_decline_write, struct kvm_accel_ctx *acc)
{
	__u64 i = fetch_add(&regs.writes, 1);

	if (i >= STR_DECLINE_AFTER)
		return KVM_ACCEL_EXIT;
	regs.wlog[i & (STR_LOG - 1)] = acc->data;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(str_decline, KVM_ACCEL_BUS_PIO, STR_DECLINE_PORT, STR_PORTS,
	  .read = (void *)str_decline_read,
	  .write = (void *)str_decline_write);
