/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fast path of the register-file test device (layout in regfile.h).  Each
 * object that includes this declares one kvm_accel_ops map with KVM_ACCEL()
 * naming regfile_read and regfile_write.
 *
 * Reads are all handled: the value is the registers the access covers.
 * Writes are stored and handled, except those starting at
 * REGFILE_DECLINE_OFFSET, which are left to the VMM untouched.  An access
 * reaching past the register file (possible only if the loader attached a
 * range longer than REGFILE_SIZE) is declined as well.
 */
#ifndef _SELFTESTS_REGFILE_OPS_BPF_H
#define _SELFTESTS_REGFILE_OPS_BPF_H

#include "kvm_accel.h"
#include "regfile.h"

char LICENSE[] SEC("license") = "GPL";

/* The only variable in .bss, so it starts at offset 0 of the mapping. */
struct regfile regfile;

static __always_inline int regfile_covers(const struct kvm_accel_ctx *acc)
{
	return acc->len <= 8 && acc->offset <= REGFILE_SIZE - acc->len;
}

SEC("struct_ops/regfile_read")
int BPF_PROG(regfile_read, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset, val = 0;
	__u32 len = acc->len;
	int i;

	if (!regfile_covers(acc))
		return KVM_ACCEL_EXIT;
	for (i = 0; i < 8 && i < len; i++)
		val |= (__u64)regfile.regs[(off + i) & (REGFILE_SIZE - 1)] << (8 * i);
	acc->result = val;
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/regfile_write")
int BPF_PROG(regfile_write, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset, val = acc->data;
	__u32 len = acc->len;
	int i;

	if (!regfile_covers(acc) || off == REGFILE_DECLINE_OFFSET)
		return KVM_ACCEL_EXIT;
	for (i = 0; i < 8 && i < len; i++)
		regfile.regs[(off + i) & (REGFILE_SIZE - 1)] = val >> (8 * i);
	return KVM_ACCEL_HANDLED;
}

#endif /* _SELFTESTS_REGFILE_OPS_BPF_H */
