// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the HPET ownership contract (devices/hpet/hpet.h) under
 * concurrency: several vCPUs read the counter, a periodic comparator and
 * GEN_CONF through the fast path while they race to start and stop the
 * counter and to flip LegacyReplacement Route (which the slow path
 * handles); meanwhile the slow path's timer thread fires the periodic
 * timer and the VMM reads the counter and clears interrupt status.
 *
 * Checked: no reader, in the guest or the VMM, ever sees the counter go
 * back, even across another vCPU's enable or disable; it never advances
 * faster than the host clock; the comparator only moves by whole periods;
 * the sequence counter ends even and has advanced by exactly two per
 * GEN_CONF write; the module, the VMM and the guest agree on how many
 * accesses there were and which exited.
 */
#include "kselftest_harness.h"
#include "hpet_vm.h"

#define STRESS_VCPUS	4
#define ITERATIONS	2000
#define PERIOD		20000ULL	/* ticks: 200 us */
#define TIMER		2
#define GSI_MASKED	23		/* an IOAPIC input the guest leaves masked */

/* Guest: per vCPU, HPET accesses and GEN_CONF writes. */
static uint64_t accesses[HPET_VM_MAX_VCPUS];
static uint64_t writes[HPET_VM_MAX_VCPUS];
/* Guest: the largest counter value any vCPU has read so far. */
static uint64_t published;

static const uint64_t gen_conf_values[] = {
	0, HPET_ENABLE_CNF, HPET_ENABLE_CNF | HPET_LEG_RT_CNF, HPET_LEG_RT_CNF,
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void guest_setup(void)
{
	hpet_wr64(HPET_TN_CONF_REG(TIMER), HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ENB_CNF |
		  HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
		  (GSI_MASKED << HPET_TN_INT_ROUTE_CNF_SHIFT));
	hpet_wr64(HPET_TN_CMP_REG(TIMER), PERIOD);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	GUEST_SYNC1(1);
}

static void guest_code(uint32_t idx)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (idx + 1);
	uint64_t prev = 0, prev_cmp = PERIOD, seen, c, cmp, conf, r;
	int i;

	if (idx == 0)
		guest_setup();
	for (i = 0; i < ITERATIONS; i++) {
		r = xorshift(&seed);
		if (r % 8 == 0) {
			conf = gen_conf_values[(r >> 8) % 4];
			if (r & 0x10000)
				hpet_wr64(HPET_GEN_CONF, conf);
			else
				hpet_wr32(HPET_GEN_CONF, conf);
			writes[idx]++;
			accesses[idx]++;
		}

		seen = READ_ONCE(published);
		c = hpet_counter();
		__GUEST_ASSERT(c >= prev && c >= seen,
			       "vCPU %u read %lu after %lu (own) / %lu (any)",
			       idx, c, prev, seen);
		prev = c;
		guest_publish_max(&published, c);

		cmp = hpet_rd64(HPET_TN_CMP_REG(TIMER));
		__GUEST_ASSERT(cmp >= prev_cmp && cmp % PERIOD == 0,
			       "vCPU %u: comparator %lu after %lu", idx, cmp, prev_cmp);
		prev_cmp = cmp;

		conf = hpet_rd32(HPET_GEN_CONF);
		__GUEST_ASSERT(!(conf & ~HPET_GEN_CONF_WRITABLE),
			       "vCPU %u: GEN_CONF 0x%lx", idx, conf);
		accesses[idx] += 3;
	}
	GUEST_DONE();
}

/* The VMM's own reader: the slow path's view of the counter, concurrently. */
struct vmm_reader {
	struct hpet_vm *h;
	bool stop;
	uint64_t reads;
	pthread_t thread;
};

static void *vmm_reader_fn(void *arg)
{
	struct vmm_reader *rd = arg;
	uint64_t prev = 0, c, clear = 1ULL << TIMER;
	int ret;

	while (!__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE)) {
		c = hpet_dev_counter(rd->h->dev);
		TEST_ASSERT(c >= prev, "VMM read %lu after %lu", c, prev);
		prev = c;
		if (++rd->reads % 64 == 0) {
			ret = hpet_dev_mmio(rd->h->dev, HPET_GINTR_STA, 8, true, &clear);
			TEST_ASSERT(!ret, "clearing GINTR_STA: %s", strerror(-ret));
		}
	}
	return NULL;
}

TEST(contract)
{
	uint64_t seq0, seq, c0, c1, c2, t0, t1, total_writes = 0, total = 0;
	struct vmm_reader rd = {};
	struct kvm_accel_counters k;
	struct hpet_timer *timer;
	struct hpet_stats st;
	struct hpet_vm h;
	int i;

	hpet_vm_create(&h, STRESS_VCPUS, guest_code, true);
	for (i = 0; i < STRESS_VCPUS; i++)
		vcpu_args_set(h.vcpus[i], 1, i);

	hpet_vcpu_sync(&h, 0, 1);
	seq0 = __atomic_load_n(&h.regs->seq, __ATOMIC_ACQUIRE);
	TEST_ASSERT(!(seq0 & 1), "sequence counter odd (%lu) with no writer", seq0);

	t0 = vmm_now_ns();
	c0 = hpet_dev_counter(h.dev);
	rd.h = &h;
	TEST_ASSERT(!pthread_create(&rd.thread, NULL, vmm_reader_fn, &rd),
		    "pthread_create");
	hpet_vm_run_all(&h, 0);
	__atomic_store_n(&rd.stop, true, __ATOMIC_RELEASE);
	pthread_join(rd.thread, NULL);
	c1 = hpet_dev_counter(h.dev);
	t1 = vmm_now_ns();

	sync_global_from_guest(h.vm, accesses);
	sync_global_from_guest(h.vm, writes);
	for (i = 0; i < STRESS_VCPUS; i++) {
		total += accesses[i];
		total_writes += writes[i];
	}
	/* vCPU 0's setup: three accesses before the sync, one a GEN_CONF write. */
	total += 3;

	seq = __atomic_load_n(&h.regs->seq, __ATOMIC_ACQUIRE);
	ksft_print_msg("%lu accesses, %lu GEN_CONF writes, %lu VMM reads; seq %lu -> %lu\n",
		       total, total_writes, rd.reads, seq0, seq);
	TEST_ASSERT(!(seq & 1), "sequence counter odd (%lu) with no writer", seq);
	TEST_ASSERT_EQ((seq - seq0) / 2, total_writes);

	/* Running time bounds the counter: halted stretches add nothing. */
	ksft_print_msg("counter advanced %lu ticks in %lu ns\n", c1 - c0, t1 - t0);
	TEST_ASSERT(c1 >= c0 && c1 - c0 <= (t1 - t0) / HPET_TICK_NS + 1,
		    "counter advanced %lu ticks in %lu ns", c1 - c0, t1 - t0);

	/* Halted means frozen; running means moving. */
	c1 = hpet_dev_counter(h.dev);
	t0 = vmm_now_ns();
	while (vmm_now_ns() - t0 < 100 * HPET_TICK_NS)
		;
	c2 = hpet_dev_counter(h.dev);
	if (h.regs->gen_conf & HPET_ENABLE_CNF)
		TEST_ASSERT(c2 > c1, "enabled, but %lu then %lu", c1, c2);
	else
		TEST_ASSERT_EQ(c2, c1);

	timer = &h.regs->timer[TIMER];
	ksft_print_msg("periodic timer: %llu expiries, comparator %llu\n",
		       timer->fires, timer->cmp);
	TEST_ASSERT(timer->cmp % PERIOD == 0 &&
		    timer->cmp >= PERIOD * (1 + timer->fires),
		    "comparator %llu after %llu expiries of period %llu",
		    timer->cmp, timer->fires, PERIOD);

	hpet_dev_stats(h.dev, &st);
	TEST_ASSERT_EQ(st.irq_errors, 0);
	k = accel_counters(h.link_id);
	ksft_print_msg("module: %llu handled, %llu exits; VMM: %lu exits; %llu kicks\n",
		       k.handled, k.exits, hpet_vm_exits(&h), st.kicks);
	TEST_ASSERT_EQ(k.errors, 0);
	TEST_ASSERT_EQ(k.exits, hpet_vm_exits(&h));
	TEST_ASSERT_EQ(k.handled + k.exits, total);
	hpet_vm_destroy(&h);
}

TEST_HARNESS_MAIN
