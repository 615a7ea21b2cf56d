// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the HPET main counter as the fast path serves it: reads never go
 * back, on one vCPU or across several; the counter advances at the period
 * GCAP_ID advertises, measured against the host's CLOCK_MONOTONIC around
 * the guest's syncs; it freezes while halted and resumes without a jump;
 * writes while halted set it, writes while running are ignored; and none
 * of these accesses leaves the kernel (the VMM's exit count and the
 * module's sysfs counters both say zero).
 */
#include "kselftest_harness.h"
#include "hpet_vm.h"

#define SMP_VCPUS	4
#define SMP_READS	3000
/* How long the host lets pass between two guest reads. */
#define GAP_MS		50
/*
 * Slack between the counter and the host's own reading of the clock: the
 * counter is truncated to whole ticks, and the kernel's fast monotonic
 * clock and clock_gettime() may disagree by a little around an update.
 */
#define TOLERANCE_NS	(2 * HPET_TICK_NS + 1000)

/* Guest: HPET accesses each vCPU made, for the module's handled count. */
static uint64_t accesses[HPET_VM_MAX_VCPUS];
/* Guest: the largest counter value any vCPU has read so far. */
static uint64_t published;

static uint64_t guest_read_counter(uint32_t idx)
{
	accesses[idx]++;
	return hpet_counter();
}

/*
 * vCPU 0 starts the counter; then every vCPU reads it, as one 64-bit read
 * and now and then as two 32-bit halves, and checks that it never goes
 * back, neither from its own last read nor from the largest value any
 * vCPU had published before this read.
 */
static void guest_smp(uint32_t idx, uint64_t reads)
{
	uint64_t prev = 0, seen, c, hi1, hi2, lo, i;

	if (idx == 0) {
		GUEST_ASSERT_EQ(hpet_rd64(HPET_GEN_CONF), 0);
		hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
		accesses[idx] += 2;
		GUEST_SYNC1(1);
	}
	for (i = 0; i < reads; i++) {
		seen = READ_ONCE(published);
		c = guest_read_counter(idx);
		__GUEST_ASSERT(c >= prev && c >= seen,
			       "vCPU %u read %lu after %lu (own) / %lu (any)",
			       idx, c, prev, seen);
		prev = c;
		guest_publish_max(&published, c);
		if (i % 4)
			continue;
		hi1 = hpet_rd32(HPET_MAIN_CNT + 4);
		lo = hpet_rd32(HPET_MAIN_CNT);
		hi2 = hpet_rd32(HPET_MAIN_CNT + 4);
		accesses[idx] += 3;
		if (hi1 != hi2)
			continue;	/* the low half wrapped in between */
		c = hi1 << 32 | lo;
		__GUEST_ASSERT(c >= prev, "vCPU %u: halves %lu after %lu", idx, c, prev);
		prev = c;
	}
	GUEST_DONE();
}

TEST(smp_monotonic)
{
	struct hpet_vm h;
	uint64_t total = 0;
	int i;

	hpet_vm_create(&h, SMP_VCPUS, guest_smp, true);
	for (i = 0; i < SMP_VCPUS; i++)
		vcpu_args_set(h.vcpus[i], 2, i, SMP_READS);

	hpet_vcpu_sync(&h, 0, 1);
	hpet_vm_run_all(&h, 0);

	sync_global_from_guest(h.vm, accesses);
	for (i = 0; i < SMP_VCPUS; i++)
		total += accesses[i];
	TEST_ASSERT_EQ(hpet_vm_exits(&h), 0);
	accel_assert_counters(h.link_id, total, 0, 0);
	ksft_print_msg("%d vCPUs, %lu counter accesses, 0 exits\n", SMP_VCPUS, total);
	hpet_vm_destroy(&h);
}

static void host_sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR)
		;
}

static void guest_rate(void)
{
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	GUEST_SYNC2(0, hpet_rd64(HPET_GCAP_ID) >> HPET_COUNTER_CLK_PERIOD_SHIFT);
	GUEST_SYNC2(1, hpet_counter());
	GUEST_SYNC2(2, hpet_counter());
	GUEST_DONE();
}

/*
 * The guest reads c1 before the host's time t1 (the exit that reports it)
 * and c2 after t2 (the entry that lets it read), with t0 and t3 the entry
 * before c1 and the exit after c2: the counter must have advanced by
 * between t2 - t1 and t3 - t0, in the advertised period.
 */
TEST(rate)
{
	uint64_t period_fs, c1, c2, t0, t1, t2, t3, ns, lo, hi;
	struct hpet_vm h;

	hpet_vm_create(&h, 1, guest_rate, true);
	period_fs = hpet_vcpu_sync(&h, 0, 0);
	TEST_ASSERT(period_fs && period_fs <= 100000000,
		    "COUNTER_CLK_PERIOD %lu fs out of the spec's range", period_fs);

	t0 = vmm_now_ns();
	c1 = hpet_vcpu_sync(&h, 0, 1);
	t1 = vmm_now_ns();
	host_sleep_ms(GAP_MS);
	t2 = vmm_now_ns();
	c2 = hpet_vcpu_sync(&h, 0, 2);
	t3 = vmm_now_ns();
	hpet_vcpu_done(&h, 0);

	TEST_ASSERT(c2 >= c1, "counter went back from %lu to %lu", c1, c2);
	ns = (c2 - c1) * period_fs / 1000000;
	lo = t2 - t1;
	hi = t3 - t0;
	ksft_print_msg("%lu ticks of %lu fs = %lu ns; host: between %lu and %lu ns\n",
		       c2 - c1, period_fs, ns, lo, hi);
	TEST_ASSERT(ns + TOLERANCE_NS >= lo && ns <= hi + TOLERANCE_NS,
		    "counter advanced %lu ns, host saw between %lu and %lu ns",
		    ns, lo, hi);

	TEST_ASSERT_EQ(hpet_vm_exits(&h), 0);
	TEST_ASSERT_EQ(accel_counters(h.link_id).exits, 0);
	hpet_vm_destroy(&h);
}

#define COUNTER_SET	0x0123456789abcdefULL
#define COUNTER_LO	0x11111111U
#define COUNTER_HI	0x22222222U

static void guest_freeze(void)
{
	uint64_t r0, f1, f2, r, v;

	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	r0 = hpet_counter();
	hpet_wr32(HPET_GEN_CONF, 0);
	f1 = hpet_counter();
	f2 = hpet_counter();
	GUEST_ASSERT(f1 >= r0);
	GUEST_ASSERT_EQ(f1, f2);
	GUEST_ASSERT_EQ(hpet_rd32(HPET_MAIN_CNT), (uint32_t)f1);
	GUEST_ASSERT_EQ(hpet_rd32(HPET_MAIN_CNT + 4), f1 >> 32);
	GUEST_SYNC2(1, f1);

	/* The host let GAP_MS pass. */
	GUEST_ASSERT_EQ(hpet_counter(), f1);
	GUEST_SYNC1(2);
	hpet_wr32(HPET_GEN_CONF, HPET_ENABLE_CNF);
	r = hpet_counter();
	GUEST_ASSERT(r >= f1);
	GUEST_SYNC2(3, r);

	/* Writes while halted set the counter, by halves too. */
	hpet_wr64(HPET_GEN_CONF, 0);
	hpet_wr64(HPET_MAIN_CNT, COUNTER_SET);
	GUEST_ASSERT_EQ(hpet_counter(), COUNTER_SET);
	hpet_wr32(HPET_MAIN_CNT, COUNTER_LO);
	v = (COUNTER_SET & ~0xffffffffULL) | COUNTER_LO;
	GUEST_ASSERT_EQ(hpet_counter(), v);
	hpet_wr32(HPET_MAIN_CNT + 4, COUNTER_HI);
	v = (uint64_t)COUNTER_HI << 32 | COUNTER_LO;
	GUEST_ASSERT_EQ(hpet_counter(), v);
	GUEST_SYNC2(4, v);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	r = hpet_counter();
	GUEST_ASSERT(r >= v);
	GUEST_SYNC2(5, r);

	/* Writes while running are ignored. */
	hpet_wr64(HPET_MAIN_CNT, 5);
	GUEST_ASSERT(hpet_counter() >= r);
	GUEST_DONE();
}

/* Run the guest from one sync to the next: the counter may advance by at most that long. */
static void check_resume(struct hpet_vm *h, uint64_t stage, uint64_t frozen)
{
	uint64_t t0, t1, r, bound;

	t0 = vmm_now_ns();
	r = hpet_vcpu_sync(h, 0, stage);
	t1 = vmm_now_ns();
	bound = (t1 - t0 + TOLERANCE_NS) / HPET_TICK_NS;
	ksft_print_msg("resumed at +%lu ticks after the freeze (bound %lu)\n",
		       r - frozen, bound);
	TEST_ASSERT(r >= frozen && r - frozen <= bound,
		    "halted at %lu, first read after enabling %lu (bound +%lu)",
		    frozen, r, bound);
}

TEST(freeze_resume)
{
	struct hpet_vm h;
	uint64_t frozen;

	hpet_vm_create(&h, 1, guest_freeze, true);
	frozen = hpet_vcpu_sync(&h, 0, 1);
	host_sleep_ms(GAP_MS);
	hpet_vcpu_sync(&h, 0, 2);
	check_resume(&h, 3, frozen);
	frozen = hpet_vcpu_sync(&h, 0, 4);
	check_resume(&h, 5, frozen);
	hpet_vcpu_done(&h, 0);

	TEST_ASSERT_EQ(hpet_vm_exits(&h), 0);
	TEST_ASSERT_EQ(accel_counters(h.link_id).exits, 0);
	TEST_ASSERT_EQ(accel_counters(h.link_id).errors, 0);
	hpet_vm_destroy(&h);
}

TEST_HARNESS_MAIN
