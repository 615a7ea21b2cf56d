// SPDX-License-Identifier: GPL-2.0
/* A read program that takes as long as the VMM says (budget.h). */
#include "kvm_accel.h"
#include "budget.h"

char LICENSE[] SEC("license") = "GPL";

struct budget_regs regs;

struct spin {
	__u64 until;
};

static long spin_cb(__u64 i, void *ctx)
{
	struct spin *s = ctx;

	return bpf_ktime_get_ns() >= s->until;
}

SEC("struct_ops/budget_read")
int BPF_PROG(budget_read, struct kvm_accel_ctx *acc)
{
	__u64 t0 = bpf_ktime_get_ns(), spin = regs.spin_ns, spun;
	struct spin s = { .until = t0 + spin };

	fetch_add(&regs.calls, 1);
	if (spin)
		bpf_loop(1 << 23, spin_cb, &s, 0);
	spun = bpf_ktime_get_ns() - t0;
	if (spun > regs.spun_ns)
		regs.spun_ns = spun;
	acc->result = BUDGET_FAST_VALUE;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(budget, KVM_ACCEL_BUS_PIO, BUDGET_PORT, 1,
	  .read = (void *)budget_read);
