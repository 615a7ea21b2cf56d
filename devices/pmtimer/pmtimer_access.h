/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the PM timer's two halves both do with the register file of
 * pmtimer.h: the counter's arithmetic, what a read returns, and the
 * ordered publication of the clock offset.  The fast path (pmtimer.bpf.c)
 * and the VMM (pmtimer_slowpath.c) compute every value with these
 * functions, so both give the same value for the same instant; neither
 * takes the time here: each passes its own reading of CLOCK_MONOTONIC.
 */
#ifndef _DEVICES_PMTIMER_ACCESS_H
#define _DEVICES_PMTIMER_ACCESS_H

#include "kvm_accel_atomics.h"
#include "pmtimer.h"

/*
 * floor(@ns * 3579545 / 10^9), exactly: split @ns at whole seconds so that
 * no product exceeds 64 bits (the remainder part is below 3.6 * 10^15).
 */
static __always_inline __u64 pmtimer_ticks(__u64 ns)
{
	return ns / PMTIMER_NS_PER_SEC * PMTIMER_FREQ_HZ +
	       ns % PMTIMER_NS_PER_SEC * PMTIMER_FREQ_HZ / PMTIMER_NS_PER_SEC;
}

/* Whether F answers a read of @len bytes at byte @off of the register. */
static __always_inline int pmtimer_answers(__u64 off, __u32 len, __u64 flags)
{
	return !(flags & PMTIMER_F_QEMU_NARROW) || !(off & (len - 1));
}

/* The register's value at host time @now_ns. */
static __always_inline __u32 pmtimer_value(__s64 clock_offset, __u64 flags, __u64 now_ns)
{
	__u64 t = pmtimer_ticks(now_ns + clock_offset);

	return flags & PMTIMER_F_32BIT ? (__u32)t : t & 0xffffff;
}

/* What a read of @len bytes at byte @off of the register returns. */
static __always_inline __u64 pmtimer_extract(__u32 val, __u64 off, __u32 len, __u64 flags)
{
	__u64 v = flags & PMTIMER_F_QEMU_NARROW ? val : (__u64)val >> (8 * (off & 3));

	return len >= 4 ? v : v & ((1ULL << (8 * len)) - 1);
}

/*
 * @flags, loaded first and with acquire ordering: if PMTIMER_F_ENABLED is
 * set, the @clock_offset stored before it is the one loaded after.
 */
static __always_inline __u64 pmtimer_flags(const struct pmtimer_regs *r)
{
	return smp_load_acquire(&r->flags);
}

/* What a read of @len bytes at byte @off returns at host time @now_ns. */
static __always_inline __u64 pmtimer_read_at(const struct pmtimer_regs *r, __u64 flags,
					     __u64 off, __u32 len, __u64 now_ns)
{
	__s64 offset = READ_ONCE(r->clock_offset);

	return pmtimer_extract(pmtimer_value(offset, flags, now_ns), off, len, flags);
}

/* S: publish @clock_offset, then enable the fast path with @flags. */
static __always_inline void pmtimer_set_enabled(struct pmtimer_regs *r, __s64 clock_offset,
					   __u64 flags)
{
	WRITE_ONCE(r->clock_offset, clock_offset);
	smp_store_release(&r->flags, flags | PMTIMER_F_ENABLED);
}

/* S: make the fast path decline (it exits until pmtimer_set_enabled()). */
static __always_inline void pmtimer_set_disabled(struct pmtimer_regs *r)
{
	smp_store_release(&r->flags, READ_ONCE(r->flags) & ~(__u64)PMTIMER_F_ENABLED);
}

#endif /* _DEVICES_PMTIMER_ACCESS_H */
