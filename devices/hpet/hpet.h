/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * HPET (IA-PC High Precision Event Timer, spec 1.0a): the register file
 * shared by the fast path (hpet.bpf.c, in the kernel) and the slow path
 * (hpet_slowpath.c, in the VMM), and the rules both follow while several
 * vCPUs and the VMM's threads touch it at once.
 *
 * The device is QEMU's default HPET as the guest sees it: one block of
 * HPET_NUM_TIMERS timers at 0xfed00000, 1 KiB of 32- and 64-bit registers,
 * a 64-bit main counter with a period of 10 ns (10,000,000 fs), legacy
 * replacement routing, vendor 0x8086.
 *
 * The main counter is not stored while it runs.  It is a function of the
 * host's CLOCK_MONOTONIC (bpf_ktime_get_ns() in the kernel,
 * clock_gettime(CLOCK_MONOTONIC) in the VMM: the same clock):
 *
 *	ENABLE_CNF set:    counter = (now_ns + cnt_sub) / HPET_TICK_NS + cnt_delta
 *	ENABLE_CNF clear:  counter = cnt_frozen
 *
 * Enabling sets cnt_delta = cnt_frozen - now_ns / HPET_TICK_NS and
 * cnt_sub = 0, disabling sets cnt_frozen = (now_ns + cnt_sub) /
 * HPET_TICK_NS + cnt_delta, both at the same now_ns, so the counter
 * neither jumps nor goes back across a transition.  hpet_counter_value(),
 * hpet_enable_delta() and hpet_disable_frozen() in hpet_access.h are that
 * arithmetic, used by both halves and by QEMU's patch.
 *
 * cnt_sub (0 to HPET_TICK_NS - 1) exists for a VMM whose own counter is
 * (host_ns + offset_ns) / HPET_TICK_NS with an offset that is not a whole
 * number of ticks, as QEMU's is: it publishes cnt_delta = offset_ns /
 * HPET_TICK_NS and cnt_sub = offset_ns % HPET_TICK_NS (both rounded
 * towards minus infinity), and both halves then compute exactly the value
 * it would.  Without cnt_sub the fast path could answer one tick less
 * than the VMM at the same instant, and a guest reading the counter once
 * from each would see it go back.  The reference slow path keeps it 0.
 *
 * Ownership contract
 * ------------------
 * (Every load and store below is one 64-bit access, READ_ONCE() and
 * WRITE_ONCE() of kvm_accel_atomics.h; the orderings named are that
 * header's, whose comment gives the memory model of each side.)
 *
 * F = the fast path (any number of vCPUs at once, in the kernel),
 * S = the slow path (the VMM: vCPU threads handling exits, and the timer
 * thread; S serialises its own threads with a mutex of its own).
 *
 * 1. gcap_id and the read-only bits of every Tn_CONF_CAP are written by S
 *    once, in hpet_dev_create(), before the guest runs; nobody changes
 *    them afterwards.
 *
 * 2. The counter block - gen_conf, cnt_delta, cnt_sub, cnt_frozen,
 *    cnt_gen, cnt_set - is
 *    protected by the sequence counter seq, and both F and S write it:
 *     - A writer owns the block while seq is odd.  It takes ownership by a
 *       compare-and-swap of seq from an even value v to v + 1, updates the
 *       block, and releases with an atomic increment to v + 2.  A writer
 *       that takes ownership and then decides not to update the block
 *       (F declining the access to S) releases with an atomic decrement
 *       back to v: the block is unchanged, so readers that saw v before
 *       and after read it consistently.
 *     - Every aligned 32- or 64-bit guest write starting at GEN_CONF
 *       (0x010) or at MAIN_CNT (0x0f0 or 0x0f4) is exactly one write
 *       section, in whichever half completes it, whether or not it
 *       changes anything.  Nothing else writes the block.  So once no
 *       write is in flight seq is even and has advanced by exactly twice
 *       the number of those guest writes.
 *     - A reader loads seq (v, even) with acquire ordering, the fields it
 *       needs and the time, then, after a read barrier, seq again, and
 *       uses what it read only if that is still v.  The writer's
 *       compare-and-swap and increment are fully ordered atomics, so its
 *       stores are seen inside its section or not at all.  Both sides do
 *       all of this with hpet_access.h's functions.
 *       F gives up after HPET_SEQ_TRIES attempts and declines the access
 *       (it then exits and S completes it); S retries until it succeeds.
 *       Writers hold the block for a handful of instructions and never
 *       sleep in between.
 *     - Whenever the counter's value is written (which only happens while
 *       it is halted) cnt_set records the new value and cnt_gen advances:
 *       S's timer thread then recomputes its deadlines, which are counter
 *       values, from cnt_set - the counter has run continuously from
 *       there, however late the thread looks.
 *     - When a write section changes ENABLE_CNF, F signals the eventfd
 *       HPET_EVENTFD_KICK of its attachment while it owns the block, so
 *       that S re-arms its host timers for the new state.  If it cannot
 *       (no eventfd was given), F abandons the section and declines.  F
 *       declines every GEN_CONF write that changes LEG_RT_CNF (routing is
 *       S's business).
 *    gen_conf alone may be read at any time with one 64-bit load.
 *
 * 3. gintr_sta and every timer's config, cmp and fsb are written only by
 *    S, holding its mutex, each with a single 64-bit atomic store (or an
 *    atomic and/or for gintr_sta); F only reads them, each with one 64-bit
 *    load.  A periodic timer's cmp advances by its period each time it
 *    fires, so a guest reading it concurrently sees either value, never a
 *    mixture.
 *
 * 4. Everything after the guest-visible registers (period, deadline,
 *    armed, fires, seen_cnt_gen, lines) is S's private state, kept in the
 *    register file so that the whole device is this one structure.  F
 *    never reads or writes it.
 *
 * Accesses (both halves behave the same; the fast path handles a subset):
 *  - Aligned 32-bit and 64-bit reads return the register, or half of it;
 *    reserved registers and timers beyond NUM_TIM_CAP read as 0.
 *  - Reads of 1 or 2 bytes, or not naturally aligned, return the bytes of
 *    the 64-bit registers they cover, as if the whole block were memory.
 *  - Writes of 1 or 2 bytes, or not naturally aligned, are ignored.
 *  - Writes to read-only registers and bits are ignored.
 *  - MAIN_CNT writes while the counter runs are ignored (the spec leaves
 *    them undefined; QEMU effectively drops them too).
 *  - A timer runs (fires, sets its status bit, advances a periodic
 *    comparator) only while ENABLE_CNF and its Tn_INT_ENB_CNF are both
 *    set, as in QEMU.  It fires when the counter (its low 32 bits in
 *    Tn_32MODE_CNF) reaches the comparator.  Level-triggered timers set
 *    their GINTR_STA bit and hold their line asserted until the guest
 *    writes 1 to the bit; edge-triggered ones pulse the line and leave
 *    GINTR_STA alone.  Halting the counter does not clear GINTR_STA.
 */
#ifndef _DEVICES_HPET_H
#define _DEVICES_HPET_H

#include <linux/types.h>

/* Where the device lives and what it offers. */
#define HPET_MMIO_BASE		0xfed00000ULL
#define HPET_MMIO_LEN		0x400
#define HPET_NUM_TIMERS		3
#define HPET_TICK_NS		10ULL
#define HPET_PERIOD_FS		(HPET_TICK_NS * 1000000ULL)	/* 10,000,000 fs */
#define HPET_VENDOR_ID		0x8086
#define HPET_REV_ID		0x01
/* Tn_INT_ROUTE_CAP: IOAPIC inputs 16..23, which no ISA device uses. */
#define HPET_ROUTE_CAP		0x00ff0000U
/* LegacyReplacement Route: timer 0 to IOAPIC input 2, timer 1 to input 8. */
#define HPET_LEGACY_GSI_T0	2
#define HPET_LEGACY_GSI_T1	8

/* Index of the eventfd, in the attachment's table, that F signals. */
#define HPET_EVENTFD_KICK	0
/* Attempts F makes at a sequence-counter section before declining. */
#define HPET_SEQ_TRIES		16

/* Register offsets (spec section 2.3). */
#define HPET_GCAP_ID		0x000	/* General Capabilities and ID */
#define HPET_GEN_CONF		0x010	/* General Configuration */
#define HPET_GINTR_STA		0x020	/* General Interrupt Status */
#define HPET_MAIN_CNT		0x0f0	/* Main Counter Value */
#define HPET_TN_BASE		0x100
#define HPET_TN_STRIDE		0x20
#define HPET_TN_CONF		0x00	/* Timer N Configuration and Capability */
#define HPET_TN_CMP		0x08	/* Timer N Comparator Value */
#define HPET_TN_FSB		0x10	/* Timer N FSB Interrupt Route */
#define HPET_TN_CONF_REG(n)	(HPET_TN_BASE + HPET_TN_STRIDE * (n) + HPET_TN_CONF)
#define HPET_TN_CMP_REG(n)	(HPET_TN_BASE + HPET_TN_STRIDE * (n) + HPET_TN_CMP)
#define HPET_TN_FSB_REG(n)	(HPET_TN_BASE + HPET_TN_STRIDE * (n) + HPET_TN_FSB)

/* GCAP_ID fields. */
#define HPET_REV_ID_MASK	0xffULL
#define HPET_NUM_TIM_CAP_SHIFT	8
#define HPET_NUM_TIM_CAP_MASK	(0x1fULL << HPET_NUM_TIM_CAP_SHIFT)
#define HPET_COUNT_SIZE_CAP	(1ULL << 13)
#define HPET_LEG_RT_CAP		(1ULL << 15)
#define HPET_VENDOR_ID_SHIFT	16
#define HPET_COUNTER_CLK_PERIOD_SHIFT	32

#define HPET_GCAP_ID_VALUE						\
	((HPET_PERIOD_FS << HPET_COUNTER_CLK_PERIOD_SHIFT) |		\
	 ((__u64)HPET_VENDOR_ID << HPET_VENDOR_ID_SHIFT) |		\
	 HPET_LEG_RT_CAP | HPET_COUNT_SIZE_CAP |			\
	 ((__u64)(HPET_NUM_TIMERS - 1) << HPET_NUM_TIM_CAP_SHIFT) |	\
	 HPET_REV_ID)

/* GEN_CONF bits. */
#define HPET_ENABLE_CNF		(1ULL << 0)
#define HPET_LEG_RT_CNF		(1ULL << 1)
#define HPET_GEN_CONF_WRITABLE	(HPET_ENABLE_CNF | HPET_LEG_RT_CNF)

/* Tn_CONF_CAP bits. */
#define HPET_TN_INT_TYPE_CNF	(1ULL << 1)	/* 1: level, 0: edge */
#define HPET_TN_INT_ENB_CNF	(1ULL << 2)
#define HPET_TN_TYPE_CNF	(1ULL << 3)	/* 1: periodic */
#define HPET_TN_PER_INT_CAP	(1ULL << 4)
#define HPET_TN_SIZE_CAP	(1ULL << 5)	/* 64-bit comparator */
#define HPET_TN_VAL_SET_CNF	(1ULL << 6)
#define HPET_TN_32MODE_CNF	(1ULL << 8)
#define HPET_TN_INT_ROUTE_CNF_SHIFT	9
#define HPET_TN_INT_ROUTE_CNF_MASK	(0x1fULL << HPET_TN_INT_ROUTE_CNF_SHIFT)
#define HPET_TN_FSB_EN_CNF	(1ULL << 14)
#define HPET_TN_FSB_INT_DEL_CAP	(1ULL << 15)
#define HPET_TN_INT_ROUTE_CAP_SHIFT	32

/* The read-only part of every timer's Tn_CONF_CAP. */
#define HPET_TN_CAPS							\
	(((__u64)HPET_ROUTE_CAP << HPET_TN_INT_ROUTE_CAP_SHIFT) |	\
	 HPET_TN_FSB_INT_DEL_CAP | HPET_TN_SIZE_CAP | HPET_TN_PER_INT_CAP)
#define HPET_TN_WRITABLE						\
	(HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ENB_CNF | HPET_TN_TYPE_CNF |	\
	 HPET_TN_VAL_SET_CNF | HPET_TN_32MODE_CNF |			\
	 HPET_TN_INT_ROUTE_CNF_MASK | HPET_TN_FSB_EN_CNF)

struct hpet_timer {
	/* Guest-visible: S writes, F reads (rule 3). */
	__u64 config;		/* Tn_CONF_CAP */
	__u64 cmp;		/* Tn_COMPARATOR */
	__u64 fsb;		/* Tn_FSB_INT_ROUTE: address << 32 | data */
	/* S only (rule 4). */
	__u64 period;		/* periodic mode: the last comparator write */
	__u64 deadline;		/* counter value of the next match, if armed */
	__u64 armed;
	__u64 fires;		/* times the timer fired */
	__u64 reserved;
};

/* The register file: the fast path's .bss, mapped by the VMM. */
struct hpet_regs {
	__u64 gcap_id;		/* rule 1 */
	__u64 gintr_sta;	/* rule 3 */
	/* The counter block (rule 2). */
	__u64 seq;
	__u64 gen_conf;
	__u64 cnt_delta;
	__u64 cnt_sub;
	__u64 cnt_frozen;
	__u64 cnt_gen;
	__u64 cnt_set;
	/* S only (rule 4). */
	__u64 seen_cnt_gen;	/* cnt_gen the timer deadlines belong to */
	__u64 lines;		/* bitmap of the interrupt lines S holds asserted */
	struct hpet_timer timer[HPET_NUM_TIMERS];
	/* Written by S before the guest runs (rule 1). */
	__u64 flags;		/* HPET_F_* */
};

/*
 * @flags, for a VMM whose own model is the reference (QEMU's):
 *  - HPET_F_ABSENT_EXIT: reads of the timers past the last exit, for the
 *    model to answer: QEMU 10.0 compares the timer index with '>', so its
 *    timer 3 of three stores what is written;
 *  - HPET_F_QEMU_CLOCK: the running counter is QEMU's, the guest clock in
 *    ns plus an offset, wrapped at 64 bits, over 10
 *    (hpet_qemu_counter_value()), which leaves the spec's 64-bit counter
 *    for counter values of 2^64 / 10 and more.
 */
#define HPET_F_ABSENT_EXIT	0x1
#define HPET_F_QEMU_CLOCK	0x2
#define HPET_TN_END		(HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE)

#endif /* _DEVICES_HPET_H */
