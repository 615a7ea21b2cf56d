/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the HPET's two halves both do to the register file of hpet.h: the
 * counter arithmetic, the register decode, and the sequence counter that
 * guards the counter block (hpet.h, rule 2), readers and writers.  The fast
 * path (hpet.bpf.c) and the slow path (hpet_slowpath.c) run these
 * functions, and so does QEMU's patch (integrations/qemu, 0005), whose
 * model publishes the counter block through the same writer.
 *
 * Nothing here takes the time or waits: a reader calls hpet_read_begin(),
 * hpet_block_load(), takes the host's CLOCK_MONOTONIC its own way
 * (bpf_ktime_get_ns() or clock_gettime()) and keeps what it read only if
 * hpet_read_valid(); a writer retries hpet_seq_try_begin() as its side
 * may (the fast path HPET_SEQ_TRIES times, then it declines; the VMM until
 * it succeeds), changes the block with hpet_block_*() and leaves with
 * hpet_seq_end() (or hpet_seq_abandon(), having changed nothing).  So the
 * functions are valid BPF and plain C alike; the orderings they rely on
 * are those of kvm_accel_atomics.h.
 */
#ifndef _DEVICES_HPET_ACCESS_H
#define _DEVICES_HPET_ACCESS_H

#include "kvm_accel_atomics.h"
#include "hpet.h"

/* ---- the counter's arithmetic (hpet.h) ------------------------------------ */

static __always_inline __u64 hpet_ticks(__u64 now_ns)
{
	return now_ns / HPET_TICK_NS;
}

/* The main counter at host time @now_ns, given a consistent counter block. */
static __always_inline __u64 hpet_counter_value(__u64 gen_conf, __u64 delta, __u64 sub,
				       __u64 frozen, __u64 now_ns)
{
	return gen_conf & HPET_ENABLE_CNF ? hpet_ticks(now_ns + sub) + delta : frozen;
}

/*
 * The same for QEMU's model, where the counter is (clock + offset) / 10 in
 * 64-bit arithmetic that wraps: cnt_delta * 10 + cnt_sub is the offset.
 * Equal to hpet_counter_value() until the sum wraps.
 */
static __always_inline __u64 hpet_qemu_counter_value(__u64 gen_conf, __u64 delta, __u64 sub,
					    __u64 frozen, __u64 now_ns)
{
	return gen_conf & HPET_ENABLE_CNF ?
	       hpet_ticks(now_ns + sub + delta * HPET_TICK_NS) : frozen;
}

/* cnt_delta when enabling at @now_ns with the counter at @frozen (cnt_sub 0). */
static __always_inline __u64 hpet_enable_delta(__u64 frozen, __u64 now_ns)
{
	return frozen - hpet_ticks(now_ns);
}

/* cnt_frozen when disabling at @now_ns. */
static __always_inline __u64 hpet_disable_frozen(__u64 delta, __u64 sub, __u64 now_ns)
{
	return hpet_ticks(now_ns + sub) + delta;
}

/*
 * An aligned 32- or 64-bit access at byte @off (0 or 4) of a 64-bit
 * register: the part of @reg it reads, and @reg after it writes @val.
 */
static __always_inline __u64 hpet_reg_extract(__u64 reg, __u32 off, __u32 len)
{
	if (len == 8)
		return reg;
	return off ? reg >> 32 : reg & 0xffffffffULL;
}

static __always_inline __u64 hpet_reg_deposit(__u64 reg, __u64 val, __u32 off, __u32 len)
{
	if (len == 8)
		return val;
	if (off)
		return (reg & 0xffffffffULL) | (val << 32);
	return (reg & ~0xffffffffULL) | (val & 0xffffffffULL);
}

/*
 * The 64-bit register at @reg (8-byte aligned, below HPET_MMIO_LEN), each
 * with one 64-bit load (rules 1 to 3).  Returns 1 and leaves *@val alone
 * for MAIN_CNT, which needs the counter block read under its sequence
 * counter; else 0.  Reserved registers and absent timers read as 0.
 */
static __always_inline int hpet_reg_load(const struct hpet_regs *r, __u64 reg, __u64 *val)
{
	__u64 n;

	switch (reg) {
	case HPET_GCAP_ID:
		*val = READ_ONCE(r->gcap_id);
		return 0;
	case HPET_GEN_CONF:
		*val = READ_ONCE(r->gen_conf);
		return 0;
	case HPET_GINTR_STA:
		*val = READ_ONCE(r->gintr_sta);
		return 0;
	case HPET_MAIN_CNT:
		return 1;
	}

	*val = 0;
	if (reg < HPET_TN_BASE)
		return 0;
	n = (reg - HPET_TN_BASE) / HPET_TN_STRIDE;
	if (n >= HPET_NUM_TIMERS)
		return 0;
	switch (reg & (HPET_TN_STRIDE - 1)) {
	case HPET_TN_CONF:
		*val = READ_ONCE(r->timer[n].config);
		break;
	case HPET_TN_CMP:
		*val = READ_ONCE(r->timer[n].cmp);
		break;
	case HPET_TN_FSB:
		*val = READ_ONCE(r->timer[n].fsb);
		break;
	}
	return 0;
}

/* Whether an access of @len bytes at @off is one the spec defines. */
static __always_inline int hpet_access_aligned(__u64 off, __u32 len)
{
	return (len == 4 || len == 8) && !(off & (len - 1));
}

/*
 * QEMU's counter offset against the host clock, in ns, as cnt_delta and
 * cnt_sub: whole ticks and the nanoseconds left over, both rounded towards
 * minus infinity, so that (host_ns + cnt_sub) / 10 + cnt_delta is exactly
 * (host_ns + offset_ns) / 10.
 */
static __always_inline void hpet_split_offset(__s64 offset_ns, __u64 *delta, __u64 *sub)
{
	__s64 q = offset_ns / (__s64)HPET_TICK_NS;

	if (offset_ns % (__s64)HPET_TICK_NS < 0)
		q--;
	*delta = q;
	*sub = offset_ns - q * (__s64)HPET_TICK_NS;
}

/* ---- the sequence counter: readers (hpet.h, rule 2) ----------------------- */

/* A copy of the counter block. */
struct hpet_block {
	__u64 gen_conf;
	__u64 delta;
	__u64 sub;
	__u64 frozen;
	__u64 cnt_gen;
	__u64 cnt_set;
};

/*
 * Start reading the block: the sequence count, loaded with acquire
 * ordering so that the fields are loaded after it.  (Odd: a writer holds
 * the block, and hpet_read_valid() will say no.)
 */
static __always_inline __u64 hpet_read_begin(const struct hpet_regs *r)
{
	return smp_load_acquire(&r->seq);
}

/* The block's fields, between hpet_read_begin() and hpet_read_valid(). */
static __always_inline void hpet_block_load(const struct hpet_regs *r,
					    struct hpet_block *b)
{
	b->gen_conf = READ_ONCE(r->gen_conf);
	b->delta = READ_ONCE(r->cnt_delta);
	b->sub = READ_ONCE(r->cnt_sub);
	b->frozen = READ_ONCE(r->cnt_frozen);
	b->cnt_gen = READ_ONCE(r->cnt_gen);
	b->cnt_set = READ_ONCE(r->cnt_set);
}

/*
 * Whether what was loaded since hpet_read_begin() returned @seq (the block
 * and the time) is consistent: no writer held the block then, and none has
 * taken it since.  The read barrier keeps the loads before the second load
 * of seq.
 */
static __always_inline int hpet_read_valid(const struct hpet_regs *r, __u64 seq)
{
	smp_rmb();
	return !(seq & 1) && READ_ONCE(r->seq) == seq;
}

/* The main counter at host time @now_ns, from a consistent copy @b. */
static __always_inline __u64 hpet_block_counter(const struct hpet_regs *r,
						const struct hpet_block *b,
						__u64 now_ns)
{
	if (READ_ONCE(r->flags) & HPET_F_QEMU_CLOCK)
		return hpet_qemu_counter_value(b->gen_conf, b->delta, b->sub,
					       b->frozen, now_ns);
	return hpet_counter_value(b->gen_conf, b->delta, b->sub, b->frozen, now_ns);
}

/* ---- the sequence counter: writers ---------------------------------------- */

/*
 * One attempt to take the block: seq from an even value v to v + 1 with a
 * fully ordered compare-and-swap, so that no store of the section is seen
 * before seq is odd.  1 if the caller now owns the block.
 */
static __always_inline int hpet_seq_try_begin(struct hpet_regs *r)
{
	__u64 seq = READ_ONCE(r->seq);

	return !(seq & 1) && cmpxchg(&r->seq, seq, seq + 1) == seq;
}

/* Give the block back changed: seq to v + 2, after every store of the section. */
static __always_inline void hpet_seq_end(struct hpet_regs *r)
{
	fetch_add(&r->seq, 1);
}

/* Give the block back unchanged: seq returns to v. */
static __always_inline void hpet_seq_abandon(struct hpet_regs *r)
{
	fetch_sub(&r->seq, 1);
}

/*
 * In a write section: GEN_CONF becomes @conf (HPET_GEN_CONF_WRITABLE
 * bits), starting or stopping the counter at host time @now_ns so that it
 * neither jumps nor goes back.
 */
static __always_inline void hpet_block_set_conf(struct hpet_regs *r, __u64 conf,
						__u64 now_ns)
{
	__u64 old = READ_ONCE(r->gen_conf);

	if ((old ^ conf) & HPET_ENABLE_CNF) {
		if (conf & HPET_ENABLE_CNF) {
			WRITE_ONCE(r->cnt_delta,
				   hpet_enable_delta(READ_ONCE(r->cnt_frozen), now_ns));
			WRITE_ONCE(r->cnt_sub, 0);
		} else {
			WRITE_ONCE(r->cnt_frozen,
				   hpet_disable_frozen(READ_ONCE(r->cnt_delta),
						       READ_ONCE(r->cnt_sub), now_ns));
		}
	}
	WRITE_ONCE(r->gen_conf, conf);
}

/*
 * In a write section: an aligned guest write of @val, @len bytes at byte
 * @off (0 or 4) of MAIN_CNT.  A running counter ignores it; a halted one
 * takes it, and cnt_set and cnt_gen tell the VMM's timers.
 */
static __always_inline void hpet_block_set_counter(struct hpet_regs *r, __u32 off,
						   __u32 len, __u64 val)
{
	if (READ_ONCE(r->gen_conf) & HPET_ENABLE_CNF)
		return;
	val = hpet_reg_deposit(READ_ONCE(r->cnt_frozen), val, off, len);
	WRITE_ONCE(r->cnt_frozen, val);
	WRITE_ONCE(r->cnt_set, val);
	WRITE_ONCE(r->cnt_gen, READ_ONCE(r->cnt_gen) + 1);
}

/*
 * In a write section: the block as a VMM whose own model is the reference
 * publishes it (QEMU: its GEN_CONF, its offset split by
 * hpet_split_offset(), its counter while halted).
 */
static __always_inline void hpet_block_publish(struct hpet_regs *r, __u64 conf,
					       __u64 delta, __u64 sub, __u64 frozen)
{
	WRITE_ONCE(r->gen_conf, conf);
	WRITE_ONCE(r->cnt_delta, delta);
	WRITE_ONCE(r->cnt_sub, sub);
	WRITE_ONCE(r->cnt_frozen, frozen);
}

/*
 * Whether the block holds what hpet_block_publish() would store, read
 * consistently: a publisher then leaves it alone, and readers are not
 * made to retry.
 */
static __always_inline int hpet_block_holds(const struct hpet_regs *r, __u64 conf,
					    __u64 delta, __u64 sub, __u64 frozen)
{
	struct hpet_block b;
	__u64 seq = hpet_read_begin(r);

	hpet_block_load(r, &b);
	return hpet_read_valid(r, seq) && b.gen_conf == conf && b.delta == delta &&
	       b.sub == sub && b.frozen == frozen;
}

#endif /* _DEVICES_HPET_ACCESS_H */
