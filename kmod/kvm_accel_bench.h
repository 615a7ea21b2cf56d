/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Benchmark stages: where the dispatch of an access may stop early, so
 * that scripts/bench.sh can measure what each stage costs by difference
 * (bench/access_bench.c, the "breakdown" rows).
 *
 * A stage answers accesses without the programs, so it must never be
 * reachable in a release module: the stages exist only in the benchmark
 * build (`make kmod-bench`, CONFIG_KVM_ACCEL_BENCH, kvm_accel_bench.c).
 * Without it kvm_accel_bench() is the constant false and the dispatch
 * compiles to the same code as if the stages had never been written.
 */
#ifndef _KVM_ACCEL_BENCH_H
#define _KVM_ACCEL_BENCH_H

#include <linux/compiler.h>
#include <linux/jump_label.h>
#include <linux/types.h>

/* The values of the bench_stage module parameter. */
enum kvm_accel_bench_stage {
	KVM_ACCEL_BENCH_OFF,
	/* The io device answers at once: KVM's exit, decode and bus lookup only. */
	KVM_ACCEL_BENCH_IODEV,
	/*
	 * Everything but the call into the program (checks, binding,
	 * context, counters); the access is taken as handled, result 0.
	 */
	KVM_ACCEL_BENCH_DISPATCH,
	KVM_ACCEL_BENCH_MAX = KVM_ACCEL_BENCH_DISPATCH,
};

#ifdef CONFIG_KVM_ACCEL_BENCH
DECLARE_STATIC_KEY_FALSE(kvm_accel_bench_key);
extern int kvm_accel_bench_stage;

/* Whether the dispatch stops at @stage.  Off, a patched-out jump. */
static __always_inline bool kvm_accel_bench(enum kvm_accel_bench_stage stage)
{
	return static_branch_unlikely(&kvm_accel_bench_key) &&
	       READ_ONCE(kvm_accel_bench_stage) == stage;
}
#else
static __always_inline bool kvm_accel_bench(enum kvm_accel_bench_stage stage)
{
	return false;
}
#endif

#endif /* _KVM_ACCEL_BENCH_H */
