/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fast path of the lifecycle test device (layout in lifecycle.h), version
 * LIFECYCLE_VERSION, which the including object defines.  Both versions
 * have the same maps, so one replaces the other with kvm_accel_update()
 * and keeps the register file and its counters.
 *
 * Each vCPU increments only its own counters, so plain increments are
 * exact.
 */
#ifndef _SELFTESTS_LIFECYCLE_OPS_BPF_H
#define _SELFTESTS_LIFECYCLE_OPS_BPF_H

#include "kvm_accel.h"
#include "lifecycle.h"

char LICENSE[] SEC("license") = "GPL";

/* The only variable in .bss, so it starts at offset 0 of the mapping. */
struct lifecycle_regs lifecycle;

/* The register @acc lies in, or NULL if it spans two or leaves the range. */
static __always_inline __u64 *lifecycle_reg(const struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset;

	if (acc->len > 8 || off >= LIFECYCLE_LEN ||
	    off % LIFECYCLE_SLOT + acc->len > LIFECYCLE_SLOT)
		return NULL;
	return &lifecycle.regs[(off / LIFECYCLE_SLOT) & (LIFECYCLE_MAX_VCPUS - 1)];
}

static __always_inline __u64 lifecycle_mask(__u32 len)
{
	return len >= 8 ? ~0ULL : (1ULL << (8 * len)) - 1;
}

static __always_inline void lifecycle_count(const struct kvm_accel_ctx *acc)
{
	__u32 v = acc->vcpu_id & (LIFECYCLE_MAX_VCPUS - 1);

	lifecycle.handled[LIFECYCLE_VERSION - 1][acc->is_write & 1][v]++;
	lifecycle_account(&lifecycle, v, acc->is_write, acc->data);
}

SEC("struct_ops/lifecycle_read")
int BPF_PROG(lifecycle_read, struct kvm_accel_ctx *acc)
{
	__u32 shift = 8 * (acc->offset % LIFECYCLE_SLOT), len = acc->len;
	__u64 *reg = lifecycle_reg(acc);

	if (!reg)
		return KVM_ACCEL_EXIT;
	acc->result = (*reg >> shift & lifecycle_mask(len)) ^
		      (__u64)LIFECYCLE_VERSION << (8 * (len - 1));
	lifecycle_count(acc);
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/lifecycle_write")
int BPF_PROG(lifecycle_write, struct kvm_accel_ctx *acc)
{
	__u32 shift = 8 * (acc->offset % LIFECYCLE_SLOT);
	__u64 *reg = lifecycle_reg(acc), mask = lifecycle_mask(acc->len);

	if (!reg)
		return KVM_ACCEL_EXIT;
	*reg = (*reg & ~(mask << shift)) | (acc->data & mask) << shift;
	lifecycle_count(acc);
	return KVM_ACCEL_HANDLED;
}

/*
 * The lifecycle tests count every access the program does not handle as
 * lost, under four busy vCPUs and a loaded host.  A budget charges the time
 * between the TSC reads around a call, and a test VM's vCPU that the host
 * does not run in between is charged for it: one was charged 92 ms for
 * this write.  Budgets are budget_test's subject; here the longest one.
 */
KVM_ACCEL(lifecycle_dev, KVM_ACCEL_BUS_PIO, LIFECYCLE_PIO_BASE, LIFECYCLE_LEN,
	  .budget_ns = KVM_ACCEL_BUDGET_NS_MAX,
	  .read = (void *)lifecycle_read,
	  .write = (void *)lifecycle_write);

#endif /* _SELFTESTS_LIFECYCLE_OPS_BPF_H */
