/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the MPIC's two halves both do to the register file of mpic.h: the
 * decode of an offset, every read, and the per-CPU operations (dispatch,
 * CTPR, the claims of pending IPIs).  The fast path (mpic.bpf.c) and the
 * slow path (mpic_slowpath.c) run exactly these functions, so a guest sees
 * one device whichever half answers an access.
 *
 * Shared words are loaded with READ_ONCE() (R1-R4) and changed only with
 * the fully ordered read-modify-writes of kvm_accel_atomics.h (xchg(),
 * fetch_or(), fetch_and(), fetch_add()): R5 needs their full ordering, so
 * that of two racing sides at least one sees the other's change.  No
 * function waits or loops unboundedly, so they are valid BPF.
 */
#ifndef _DEVICES_MPIC_ACCESS_H
#define _DEVICES_MPIC_ACCESS_H

#include "kvm_accel_atomics.h"
#include "mpic.h"

/*
 * @x & @mask, kept even where the compiler can prove it changes nothing:
 * the verifier must see every index into the register file bounded.
 */
static __always_inline __u32 mpic_mask(__u64 x, __u32 mask)
{
	barrier_var(x);
	return x & mask;
}

#define MPIC_CPU(n)	mpic_mask((n), MPIC_MAX_CPUS - 1)
#define MPIC_IPI(i)	mpic_mask((i), MPIC_NR_IPIS - 1)

/* What an offset in the window names. */
enum mpic_loc {
	MPIC_LOC_RESERVED,
	MPIC_LOC_CPU,		/* a per-CPU register of an existing CPU */
	MPIC_LOC_NOCPU,		/* a per-CPU register of a CPU that does not exist */
	MPIC_LOC_GLOBAL,	/* a slot of the global block */
};

/*
 * Decode offset @off, accessed by vCPU @vcpu_id: the register's slot
 * offset (in its view for per-CPU registers) in *@reg and, for
 * MPIC_LOC_CPU, the CPU in *@cpu, always < MPIC_MAX_CPUS.
 */
static __always_inline enum mpic_loc mpic_decode(__u64 off, __u32 vcpu_id, __u64 nr_cpus,
				      __u32 *cpu, __u32 *reg)
{
	__u64 n;

	if (off < MPIC_CPU_VIEW_SIZE) {
		n = vcpu_id;
	} else if (off >= MPIC_GLOBAL_BASE && off < MPIC_GLOBAL_END) {
		*reg = off & ~(__u64)(MPIC_SLOT - 1);
		return MPIC_LOC_GLOBAL;
	} else if (off >= MPIC_CPU_VIEW_BASE && off < MPIC_SIZE) {
		n = (off - MPIC_CPU_VIEW_BASE) / MPIC_CPU_VIEW_SIZE;
	} else {
		return MPIC_LOC_RESERVED;
	}
	*reg = off & (MPIC_CPU_VIEW_SIZE - MPIC_SLOT);
	if (*reg < MPIC_IPIDR(0) || *reg > MPIC_EOI)
		return MPIC_LOC_RESERVED;
	if (n >= nr_cpus || n >= MPIC_MAX_CPUS)
		return MPIC_LOC_NOCPU;
	*cpu = MPIC_CPU(n);
	return MPIC_LOC_CPU;
}

static __always_inline int mpic_deliverable(__u64 ivpr, __u64 ctpr)
{
	return !(ivpr & MPIC_IVPR_MSK) &&
	       (ivpr & MPIC_IVPR_VECTOR_MASK) >= MPIC_VECTOR_MIN &&
	       ((ivpr & MPIC_IVPR_PRIORITY_MASK) >> MPIC_IVPR_PRIORITY_SHIFT) > ctpr;
}

/* IPIVPR @ipi as the guest reads it: the stored word plus A (R2). */
static __always_inline __u32 mpic_ivpr_value(const struct mpic_regs *r, __u32 ipi)
{
	__u64 nr = READ_ONCE(r->nr_cpus), bit = 1ULL << MPIC_IPI(ipi);
	__u32 n, val = READ_ONCE(r->ivpr[MPIC_IPI(ipi)]) & MPIC_IVPR_WRITABLE;

	for (n = 0; n < MPIC_MAX_CPUS; n++)
		if (n < nr && (READ_ONCE(r->cpu[n].pending) & bit))
			val |= MPIC_IVPR_A;
	return val;
}

/* The 32-bit register in the slot of offset @off, as vCPU @vcpu_id reads it. */
static __always_inline __u32 mpic_reg_value(const struct mpic_regs *r, __u64 off, __u32 vcpu_id)
{
	__u32 cpu = 0, reg = 0;

	switch (mpic_decode(off, vcpu_id, READ_ONCE(r->nr_cpus), &cpu, &reg)) {
	case MPIC_LOC_CPU:
		if (reg == MPIC_CTPR)
			return READ_ONCE(r->cpu[cpu].ctpr);
		if (reg == MPIC_WHOAMI)
			return cpu;
		if (reg == MPIC_IACK)	/* nothing is ever in service here */
			return READ_ONCE(r->svr);
		return 0;		/* IPIDR0-3 and EOI are write-only */
	case MPIC_LOC_NOCPU:
		return MPIC_NOCPU_VALUE;
	case MPIC_LOC_GLOBAL:
		if (reg == MPIC_FRR)
			return READ_ONCE(r->frr);
		if (reg >= MPIC_IPIVPR(0) && reg <= MPIC_IPIVPR(3))
			return mpic_ivpr_value(r, (reg - MPIC_IPIVPR(0)) / MPIC_SLOT);
		if (reg == MPIC_SVR)
			return READ_ONCE(r->svr);
		return 0;
	case MPIC_LOC_RESERVED:
		break;
	}
	return 0;
}

/* Whether @len bytes at @off stay inside one slot. */
static __always_inline int mpic_in_slot(__u64 off, __u32 len)
{
	return (off & (MPIC_SLOT - 1)) + len <= MPIC_SLOT;
}

/* A read of @len (1, 2, 4 or 8) bytes at @off, inside one slot. */
static __always_inline __u64 mpic_read_slot(const struct mpic_regs *r, __u64 off, __u32 len,
				 __u32 vcpu_id)
{
	__u32 byte = off & (MPIC_SLOT - 1);
	__u64 val;

	if (byte >= MPIC_REG_BYTES)
		return 0;
	val = mpic_reg_value(r, off, vcpu_id) >> (8 * byte);
	return len >= 8 ? val : val & ((1ULL << (8 * len)) - 1);
}

/* What a write does. */
enum mpic_op {
	MPIC_OP_IGNORE,		/* read-only, reserved, no-op or partial */
	MPIC_OP_DISPATCH,	/* IPIDR: *idx is the IPI */
	MPIC_OP_CTPR,		/* CTPR: *cpu is the CPU */
	MPIC_OP_IVPR,		/* IPIVPR: *idx is the IPI (slow path only) */
	MPIC_OP_SVR,		/* SVR (slow path only) */
};

static __always_inline enum mpic_op mpic_write_op(const struct mpic_regs *r, __u64 off,
				       __u32 len, __u32 vcpu_id, __u32 *cpu,
				       __u32 *idx)
{
	__u32 reg = 0;

	if ((off & (MPIC_SLOT - 1)) || len < MPIC_REG_BYTES)
		return MPIC_OP_IGNORE;
	switch (mpic_decode(off, vcpu_id, READ_ONCE(r->nr_cpus), cpu, &reg)) {
	case MPIC_LOC_CPU:
		if (reg <= MPIC_IPIDR(3)) {
			*idx = (reg - MPIC_IPIDR(0)) / MPIC_SLOT;
			return MPIC_OP_DISPATCH;
		}
		if (reg == MPIC_CTPR)
			return MPIC_OP_CTPR;
		return MPIC_OP_IGNORE;	/* WHOAMI, IACK read-only; EOI no-op */
	case MPIC_LOC_GLOBAL:
		if (reg >= MPIC_IPIVPR(0) && reg <= MPIC_IPIVPR(3)) {
			*idx = (reg - MPIC_IPIVPR(0)) / MPIC_SLOT;
			return MPIC_OP_IVPR;
		}
		if (reg == MPIC_SVR)
			return MPIC_OP_SVR;
		return MPIC_OP_IGNORE;	/* FRR read-only, reserved */
	default:
		return MPIC_OP_IGNORE;
	}
}

/*
 * Claim IPI @ipi pending on CPU @cpu if it is deliverable (R4, R5).
 * Returns the bit of its eventfd, which the caller must signal, or 0.
 */
static __always_inline __u64 mpic_claim(struct mpic_regs *r, __u32 cpu, __u32 ipi)
{
	struct mpic_cpu *c;
	__u64 bit;

	cpu = MPIC_CPU(cpu);
	ipi = MPIC_IPI(ipi);
	c = &r->cpu[cpu];
	bit = 1ULL << ipi;
	if (!(READ_ONCE(c->pending) & bit))
		return 0;
	if (!mpic_deliverable(READ_ONCE(r->ivpr[ipi]), READ_ONCE(c->ctpr)))
		return 0;
	if (!(fetch_and(&c->pending, ~bit) & bit))
		return 0;		/* another side claimed it */
	fetch_add(&c->delivered[ipi], 1);
	return 1ULL << MPIC_EVENTFD(cpu, ipi);
}

/* Claim what is deliverable on CPU @cpu (after a CTPR write). */
static __always_inline __u64 mpic_claim_cpu(struct mpic_regs *r, __u32 cpu)
{
	__u64 claimed = 0;
	__u32 i;

	for (i = 0; i < MPIC_NR_IPIS; i++)
		claimed |= mpic_claim(r, cpu, i);
	return claimed;
}

/* Claim IPI @ipi wherever it is deliverable (after an IPIVPR write). */
static __always_inline __u64 mpic_claim_ipi(struct mpic_regs *r, __u32 ipi)
{
	__u64 nr = READ_ONCE(r->nr_cpus), claimed = 0;
	__u32 n;

	for (n = 0; n < MPIC_MAX_CPUS; n++)
		if (n < nr)
			claimed |= mpic_claim(r, n, ipi);
	return claimed;
}

/*
 * IPIDR @ipi written with @mask: raise the IPI on every existing CPU in the
 * mask.  Returns the eventfds to signal.
 */
static __always_inline __u64 mpic_dispatch(struct mpic_regs *r, __u32 ipi, __u64 mask)
{
	__u64 nr = READ_ONCE(r->nr_cpus), bit, claimed = 0;
	struct mpic_cpu *c;
	__u32 n;

	ipi = MPIC_IPI(ipi);
	bit = 1ULL << ipi;
	for (n = 0; n < MPIC_MAX_CPUS; n++) {
		if (n >= nr || !(mask & (1ULL << n)))
			continue;
		c = &r->cpu[n];
		fetch_add(&c->raised[ipi], 1);
		if (fetch_or(&c->pending, bit) & bit) {
			fetch_add(&c->coalesced[ipi], 1);
			continue;
		}
		claimed |= mpic_claim(r, n, ipi);
	}
	return claimed;
}

/* CTPR of CPU @cpu written with @val.  Returns the eventfds to signal. */
static __always_inline __u64 mpic_set_ctpr(struct mpic_regs *r, __u32 cpu, __u64 val)
{
	xchg(&r->cpu[MPIC_CPU(cpu)].ctpr, val & MPIC_CTPR_MASK);
	return mpic_claim_cpu(r, cpu);
}

/* Whether the fast path may deliver: initialised, with every eventfd (R1). */
static __always_inline int mpic_can_signal(const struct mpic_regs *r)
{
	__u64 nr = READ_ONCE(r->nr_cpus);

	return nr && READ_ONCE(r->nr_eventfds) >= nr * MPIC_NR_IPIS;
}

#endif /* _DEVICES_MPIC_ACCESS_H */
