// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the MPIC register file's ownership contract (devices/mpic/mpic.h,
 * rules R1-R7) under concurrency: four vCPUs hammer the fast path with IPI
 * dispatches to random masks, CTPR writes to their own and each other's
 * CPUs and register reads, while a VMM thread runs the slow path at the
 * same time, re-programming the IPIVPRs (mask, priority, usable and
 * unusable vectors) and SVR.  Interrupts go to plain eventfds the test
 * reads, so every delivery is counted exactly.
 *
 * While it runs, the VMM thread checks what must always hold (R2-R4, R6:
 * stored words in range, no stray pending bits, raised >= delivered +
 * coalesced).  Once everything stopped: no pending IPI is deliverable
 * (R5), raised == delivered + coalesced + pending for every CPU and IPI,
 * raised equals what the guests dispatched, and delivered equals the
 * signals each eventfd received (R6).  Then the VMM sets IPIs up to be held
 * (masked, priority 0, unusable vector, target CTPR 15) and every guest
 * raises every IPI once more: exactly those are held, and unblocking
 * everything from the slow path delivers exactly the IPIs still pending,
 * so none was lost.  No guest access exits and no signal fails (R7).
 */
#include <sched.h>

#include "kselftest_harness.h"
#include "mpic_vm.h"

#define NR_VCPUS	4
#define ITERATIONS	4000
#define FLUSH_VECTOR	0x40

/* sent[s][t][i]: IPIs CPU s raised on CPU t with IPI i (own row only). */
static uint64_t sent[NR_VCPUS][NR_VCPUS][MPIC_NR_IPIS];

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/* The per-CPU registers of @cpu: its private view, or the current one. */
static uint64_t view_of(uint32_t me, uint32_t cpu, uint32_t r)
{
	return cpu == me && (r & 1) ? 0 : MPIC_CPU_VIEW(cpu);
}

static void guest_code(uint32_t me, uint32_t nr, uint32_t iterations)
{
	const uint32_t all = (1U << nr) - 1;
	uint32_t state = 0x9e3779b9 * (me + 1), k, r, t, n, i, mask, val;

	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_WHOAMI), me);
	for (k = 0; k < iterations; k++) {
		r = xorshift32(&state);
		t = (r >> 8) % nr;
		i = (r >> 12) % MPIC_NR_IPIS;
		switch (r % 8) {
		case 0:
		case 1:
		case 2:
			/* Bits of CPUs that do not exist are ignored. */
			mask = r >> 16;
			mpic_guest_write(view_of(me, t, r >> 4) + MPIC_IPIDR(i), mask);
			for (n = 0; n < nr; n++)
				if (mask & all & (1U << n))
					sent[me][n][i]++;
			break;
		case 3:
		case 4:
			mpic_guest_write(view_of(me, t, r >> 4) + MPIC_CTPR, r >> 16);
			break;
		case 5:
			val = mpic_guest_read(view_of(me, t, r >> 4) + MPIC_CTPR);
			__GUEST_ASSERT(val <= MPIC_CTPR_MASK, "CTPR of %u is 0x%x", t, val);
			break;
		case 6:
			val = mpic_guest_read(MPIC_IPIVPR(i));
			__GUEST_ASSERT(!(val & ~(MPIC_IVPR_WRITABLE | MPIC_IVPR_A)),
				       "IPIVPR%u reads 0x%x", i, val);
			break;
		case 7:
			GUEST_ASSERT_EQ(mpic_guest_read(MPIC_WHOAMI), me);
			GUEST_ASSERT_EQ(mpic_guest_read(MPIC_CPU_VIEW(t) + MPIC_WHOAMI), t);
			GUEST_ASSERT_EQ(mpic_guest_read(MPIC_FRR),
					(nr - 1) << MPIC_FRR_NCPU_SHIFT | MPIC_FRR_VID);
			break;
		}
	}

	/* The VMM stopped its slow path and set IPIs up to be held. */
	GUEST_SYNC(1);
	for (i = 0; i < MPIC_NR_IPIS; i++) {
		mpic_guest_write(MPIC_IPIDR(i), all);
		for (n = 0; n < nr; n++)
			sent[me][n][i]++;
	}
	GUEST_DONE();
}

struct slow_path {
	struct mpic_vm *mv;
	bool stop;
	uint64_t writes, samples;
};

static void slow_write(struct mpic_vm *mv, uint64_t off, uint32_t val)
{
	int ret = mpic_mmio(mv->mpic, 0, MPIC_TEST_BASE + off, 4, true, &val);

	TEST_ASSERT(!ret, "slow path write of 0x%x at 0x%lx: %s", val, off,
		    strerror(-ret));
}

/* The VMM's slow path, busy while the vCPUs run. */
static void *slow_path_fn(void *arg)
{
	static const uint32_t vectors[] = { 0x05, 0x40, 0x41, 0x7f, 0xff };
	struct slow_path *sp = arg;
	uint32_t state = 12345, r;

	while (!__atomic_load_n(&sp->stop, __ATOMIC_ACQUIRE)) {
		r = xorshift32(&state);
		if (r % 16)
			slow_write(sp->mv, MPIC_IPIVPR(r % MPIC_NR_IPIS),
				   ((r >> 4) & 1 ? MPIC_IVPR_MSK : 0) |
				   mpic_ivpr((r >> 8) & 0xf, vectors[(r >> 12) % ARRAY_SIZE(vectors)]));
		else
			slow_write(sp->mv, MPIC_SVR, r >> 8);
		sp->writes++;
		mpic_check_live(sp->mv->regs, sp->mv->nr_vcpus);
		sp->samples++;
		sched_yield();
	}
	return NULL;
}

/*
 * mpic_check_quiescent() with what the guests dispatched (sent[][][]),
 * @got counting the signals so far.  Returns the IPIs pending.
 */
static uint64_t check_quiescent(struct mpic_vm *mv, uint64_t got[][MPIC_NR_IPIS])
{
	uint64_t want[MPIC_MAX_CPUS][MPIC_NR_IPIS] = {};
	uint32_t n, i, s;

	sync_global_from_guest(mv->vm, sent);
	for (n = 0; n < NR_VCPUS; n++)
		for (i = 0; i < MPIC_NR_IPIS; i++)
			for (s = 0; s < NR_VCPUS; s++)
				want[n][i] += sent[s][n][i];
	return mpic_check_quiescent(mv, want, got);
}

TEST(contract_holds)
{
	uint64_t got[NR_VCPUS][MPIC_NR_IPIS] = {}, raised = 0, delivered = 0, coalesced = 0;
	struct slow_path sp = {};
	struct mpic_vcpu_stats exits;
	struct kvm_accel_counters c;
	struct mpic_regs *r;
	struct mpic_vm mv;
	pthread_t thread;
	uint64_t held;
	uint32_t n, i;

	mpic_vm_create(&mv, NR_VCPUS, guest_code, true, false);
	r = mv.regs;
	for (n = 0; n < NR_VCPUS; n++)
		vcpu_args_set(mv.vcpus[n], 3, n, NR_VCPUS, ITERATIONS);
	sp.mv = &mv;
	mv.syncs = true;
	mpic_vm_start(&mv);
	TEST_ASSERT(!pthread_create(&thread, NULL, slow_path_fn, &sp), "pthread_create");

	/* The vCPUs are parked: stop the slow path, check, set up holding. */
	mpic_vm_sync_begin(&mv);
	__atomic_store_n(&sp.stop, true, __ATOMIC_RELEASE);
	pthread_join(thread, NULL);
	check_quiescent(&mv, got);
	/*
	 * IPI 0 masked, IPI 1 of priority 0, IPI 2 with an unusable vector:
	 * held everywhere.  IPI 3 deliverable, except on CPU 0 (CTPR 15).
	 */
	for (n = 0; n < NR_VCPUS; n++)
		slow_write(&mv, MPIC_CPU_VIEW(n) + MPIC_CTPR, n ? 0 : MPIC_CTPR_MASK);
	slow_write(&mv, MPIC_IPIVPR(0), MPIC_IVPR_MSK | mpic_ivpr(MPIC_CTPR_MASK, FLUSH_VECTOR));
	slow_write(&mv, MPIC_IPIVPR(1), mpic_ivpr(0, FLUSH_VECTOR));
	slow_write(&mv, MPIC_IPIVPR(2), mpic_ivpr(MPIC_CTPR_MASK, MPIC_VECTOR_MIN - 1));
	slow_write(&mv, MPIC_IPIVPR(3), mpic_ivpr(MPIC_CTPR_MASK, FLUSH_VECTOR));
	mpic_vm_sync_end(&mv);

	/* Every guest raised every IPI on every CPU once more. */
	exits = mpic_vm_join(&mv);
	mpic_vm_read_counts(&mv);
	held = check_quiescent(&mv, got);
	for (n = 0; n < NR_VCPUS; n++)
		TEST_ASSERT(r->cpu[n].pending == (n ? 0x7 : 0xf),
			    "CPU %u holds 0x%llx", n, r->cpu[n].pending);

	/* Unblock everything from the slow path: what was held is delivered. */
	for (i = 0; i < MPIC_NR_IPIS; i++)
		slow_write(&mv, MPIC_IPIVPR(i), mpic_ivpr(MPIC_CTPR_MASK, FLUSH_VECTOR));
	for (n = 0; n < NR_VCPUS; n++)
		slow_write(&mv, MPIC_CPU_VIEW(n) + MPIC_CTPR, 0);
	TEST_ASSERT_EQ(check_quiescent(&mv, got), 0);
	for (n = 0; n < NR_VCPUS; n++) {
		for (i = 0; i < MPIC_NR_IPIS; i++) {
			raised += r->cpu[n].raised[i];
			delivered += r->cpu[n].delivered[i];
			coalesced += r->cpu[n].coalesced[i];
		}
	}

	c = accel_counters(mv.link_id);
	ksft_print_msg("%u vCPUs x %u operations: %lu IPIs raised, %lu delivered, %lu merged, %lu held then flushed\n",
		       NR_VCPUS, ITERATIONS, raised, delivered, coalesced, held);
	ksft_print_msg("slow path: %lu register writes and invariant checks during the run; %llu accesses in the kernel, %lu exits\n",
		       sp.writes, c.handled, exits.exits);
	TEST_ASSERT(delivered && sp.samples, "nothing happened");
	TEST_ASSERT_EQ(exits.exits, 0);
	TEST_ASSERT(!c.exits && !c.errors && c.handled == mpic_guest_accesses,
		    "module: handled %llu exits %llu errors %llu; the guests made %lu accesses",
		    c.handled, c.exits, c.errors, mpic_guest_accesses);

	mpic_vm_destroy(&mv);
}

TEST_HARNESS_MAIN
