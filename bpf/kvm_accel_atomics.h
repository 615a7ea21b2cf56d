/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one vocabulary for memory shared between a fast path and its VMM.
 *
 * A device's register file is read and written at once by BPF programs on
 * any number of vCPUs (in the kernel) and by the VMM's threads (the slow
 * path, or QEMU).  The logic both halves run is written once, in the
 * device's NAME_access.h, which is compiled into the BPF program and into
 * the VMM: it uses only the names below, and this header gives each of them
 * the implementation of the side it is compiled for.
 *
 *	READ_ONCE(x), WRITE_ONCE(x, v)	one load or store of a shared word,
 *					never torn, merged, cached or invented
 *	smp_load_acquire(p)		a load that later accesses do not pass
 *	smp_store_release(p, v)		a store that earlier accesses do not pass
 *	barrier()			compiler barrier
 *	barrier_var(x)			makes @x opaque to the compiler
 *	smp_rmb(), smp_wmb()		load-load, store-store ordering
 *	smp_mb()			full barrier (VMM side only, see below)
 *	xchg(p, v)			atomic exchange, returns the old value
 *	cmpxchg(p, old, new)		compare-and-swap, returns the old value
 *	fetch_add(p, v), fetch_sub(p, v),
 *	fetch_or(p, v), fetch_and(p, v)	atomic read-modify-write, returns
 *					the old value
 *
 * Every read-modify-write is fully ordered, like the kernel's xchg(),
 * cmpxchg() and atomic_fetch_*(): nothing before it is seen after it,
 * nothing after it before it.  Devices rely on that (the Dekker handover of
 * ide.h, mpic.h's R5), so there are no relaxed variants.  The operands are
 * naturally aligned words of the register file, 64 bits wide.
 *
 * The memory models
 * -----------------
 * BPF side.  Programs follow the kernel's BPF memory model: BPF_ATOMIC
 * instructions with BPF_FETCH (and BPF_XCHG, BPF_CMPXCHG) are fully
 * ordered; plain loads and stores (BPF_LDX/BPF_STX) carry no ordering of
 * their own.  Load-acquire and store-release instructions exist only from
 * Linux 6.15 and clang 21 on, and this project runs on 6.12, so here
 * smp_load_acquire() and smp_store_release() are a plain load or store
 * fenced by compiler barriers, and smp_rmb()/smp_wmb() compiler barriers
 * alone.  That is exact on x86-64, the only architecture kvm-accel runs
 * on: the JIT turns BPF loads and stores into plain MOVs and x86 is TSO
 * (loads are not reordered with older loads, stores not with older loads
 * or stores), so every load is an acquire and every store a release.  A
 * port to a weakly ordered JIT (arm64) must map these to the ISA's
 * acquire/release instructions first.  There is no fence instruction in
 * BPF: smp_mb() is not offered; a store that must be ordered before a later
 * load is a fully ordered read-modify-write instead (xchg(), fetch_add()).
 *
 * VMM side.  C11 atomics (the GCC/clang __atomic builtins) on x86-TSO: the
 * read-modify-writes are __ATOMIC_SEQ_CST (one LOCK-prefixed instruction),
 * smp_load_acquire()/smp_store_release() are __ATOMIC_ACQUIRE/RELEASE
 * (plain MOVs on x86), smp_rmb()/smp_wmb() the acquire and release fences
 * (compiler barriers on x86) and smp_mb() a sequentially consistent fence.
 * READ_ONCE()/WRITE_ONCE() are volatile accesses, as in the kernel.
 *
 * Names already defined are left alone, so this header coexists with the
 * kernel's tools headers (tools/include/linux/compiler.h and asm/barrier.h,
 * which the reference VMM's build puts on the include path for the KVM
 * selftests library), with libbpf's bpf_helpers.h and with QEMU's
 * qemu/atomic.h, in either include order: where those headers are on the
 * include path they are included first, and their definitions (the same
 * operations, for x86) are the ones used.
 */
#ifndef _KVM_ACCEL_ATOMICS_H
#define _KVM_ACCEL_ATOMICS_H

#if defined(__bpf__)

#include <bpf/bpf_helpers.h>	/* barrier(), barrier_var() */

#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile typeof(x) *)&(x))
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v)	(*(volatile typeof(x) *)&(x) = (v))
#endif

/* TSO: a plain load is an acquire, a plain store a release (see above). */
#ifndef smp_load_acquire
#define smp_load_acquire(p)					\
({								\
	typeof(*(p)) ___v = READ_ONCE(*(p));			\
	barrier();						\
	___v;							\
})
#endif
#ifndef smp_store_release
#define smp_store_release(p, v)					\
do {								\
	barrier();						\
	WRITE_ONCE(*(p), v);					\
} while (0)
#endif
#ifndef smp_rmb
#define smp_rmb()		barrier()
#endif
#ifndef smp_wmb
#define smp_wmb()		barrier()
#endif

/* BPF_XCHG, BPF_CMPXCHG, BPF_ATOMIC | BPF_FETCH: fully ordered. */
#ifndef xchg
#define xchg(p, v)		__sync_lock_test_and_set((p), (v))
#endif
#ifndef cmpxchg
#define cmpxchg(p, old, new)	__sync_val_compare_and_swap((p), (old), (new))
#endif
#define fetch_add(p, v)		__sync_fetch_and_add((p), (v))
#define fetch_sub(p, v)		__sync_fetch_and_sub((p), (v))
#define fetch_or(p, v)		__sync_fetch_and_or((p), (v))
#define fetch_and(p, v)		__sync_fetch_and_and((p), (v))

#else /* the VMM */

/*
 * The kernel's tools headers first, when they are on the include path (no
 * other header set has a <linux/compiler.h>): READ_ONCE(), WRITE_ONCE(),
 * barrier(), the smp_*() barriers and, through <asm/atomic.h>, cmpxchg().
 */
#if defined(__has_include)
#if __has_include(<linux/compiler.h>) && __has_include(<asm/barrier.h>) && \
	__has_include(<asm/atomic.h>)
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/atomic.h>
#endif
#endif

#ifndef __always_inline
#define __always_inline		inline __attribute__((always_inline))
#endif
#ifndef barrier
#define barrier()		__asm__ __volatile__("" ::: "memory")
#endif
#ifndef barrier_var
#define barrier_var(x)		__asm__ __volatile__("" : "+r"(x))
#endif
#ifndef READ_ONCE
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#endif
#ifndef WRITE_ONCE
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))
#endif
#ifndef smp_load_acquire
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#endif
#ifndef smp_store_release
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#endif
#ifndef smp_rmb
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef smp_wmb
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#ifndef smp_mb
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xchg
#define xchg(p, v)		__atomic_exchange_n((p), (v), __ATOMIC_SEQ_CST)
#endif
#ifndef cmpxchg
#define cmpxchg(p, old, new)						\
({									\
	__typeof__(*(p)) ___old = (old);				\
	__atomic_compare_exchange_n((p), &___old, (new), 0,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);	\
	___old;								\
})
#endif
#define fetch_add(p, v)		__atomic_fetch_add((p), (v), __ATOMIC_SEQ_CST)
#define fetch_sub(p, v)		__atomic_fetch_sub((p), (v), __ATOMIC_SEQ_CST)
#define fetch_or(p, v)		__atomic_fetch_or((p), (v), __ATOMIC_SEQ_CST)
#define fetch_and(p, v)		__atomic_fetch_and((p), (v), __ATOMIC_SEQ_CST)

#endif /* __bpf__ */

#endif /* _KVM_ACCEL_ATOMICS_H */
