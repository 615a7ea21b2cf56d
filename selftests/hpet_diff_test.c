// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the equivalence of the HPET's two halves: one guest workload,
 * touching every register with every kind of access, run once with the
 * fast path attached and once on the userspace model alone, logs the same
 * guest-visible results; only the number of exits differs.
 *
 * What depends on time is logged through what the device guarantees
 * about it: reads of the running counter as "did not go back", frozen
 * values as "equal to each other" and "not below the last running value",
 * the counter after re-enabling as "continues from the frozen value",
 * interrupts as how many arrived and which status bits they set.
 */
#include "kselftest_harness.h"
#include "hpet_vm.h"

#define LOG_MAX		1024
#define RUNNING_READS	200
#define VECTOR		0x40
#define GSI_EDGE	21
#define GSI_LEVEL	22
#define DELAY		100000ULL	/* ticks: 1 ms */
#define ONE_SECOND	(1000000000ULL / HPET_TICK_NS)

/* Guest: the log, and how many HPET accesses the guest made. */
static uint64_t log_buf[LOG_MAX];
static uint64_t log_len;
static uint64_t accesses;
static volatile uint64_t irqs;

static void log_val(uint64_t v)
{
	GUEST_ASSERT(log_len < LOG_MAX);
	log_buf[log_len++] = v;
}

static uint64_t rd(uint64_t off, uint32_t len)
{
	accesses++;
	return accel_guest_read(KVM_ACCEL_BUS_MMIO, HPET_MMIO_BASE + off, len);
}

static void wr(uint64_t off, uint32_t len, uint64_t val)
{
	accesses++;
	accel_guest_write(KVM_ACCEL_BUS_MMIO, HPET_MMIO_BASE + off, len, val);
}

/* Log a register read as one 64-bit read and as its two 32-bit halves. */
static void log_reg(uint64_t off)
{
	log_val(rd(off, 8));
	log_val(rd(off, 4));
	log_val(rd(off + 4, 4));
}

static void log_all_regs(void)
{
	uint32_t n;

	log_reg(HPET_GCAP_ID);
	log_reg(HPET_GEN_CONF);
	log_reg(HPET_GINTR_STA);
	for (n = 0; n < HPET_NUM_TIMERS; n++) {
		log_reg(HPET_TN_CONF_REG(n));
		log_reg(HPET_TN_CMP_REG(n));
		log_reg(HPET_TN_FSB_REG(n));
	}
}

/* Narrow and misaligned reads across the first registers and the counter. */
static void log_odd_reads(void)
{
	uint64_t off;
	uint32_t len;

	for (len = 1; len <= 8; len <<= 1)
		for (off = 0; off + len <= 0x28; off += 3)
			log_val(rd(off, len));
	for (len = 1; len <= 8; len <<= 1)
		for (off = HPET_MAIN_CNT - 2; off + len <= HPET_TN_BASE + 4; off += 1)
			log_val(rd(off, len));
}

static void guest_handler(struct ex_regs *regs)
{
	irqs++;
	x2apic_write_reg(APIC_EOI, 0);
}

/*
 * With interrupts enabled, wait until @done() or fail after a second of
 * the counter, which must be running.
 */
static void wait_for(bool (*done)(void))
{
	uint64_t end = rd(HPET_MAIN_CNT, 8) + ONE_SECOND;

	asm volatile("sti");
	while (!done())
		GUEST_ASSERT(rd(HPET_MAIN_CNT, 8) < end);
	asm volatile("cli");
}

static bool one_irq(void)
{
	return irqs >= 1;
}

static bool timer1_status(void)
{
	return rd(HPET_GINTR_STA, 8) & 2;
}

static void guest_counter(void)
{
	uint64_t v, prev, c, f1, f2, r;
	int i;

	/* Halted: writes set it, 64 bits or a half at a time. */
	wr(HPET_MAIN_CNT, 8, 0x1122334455667788ULL);
	log_reg(HPET_MAIN_CNT);
	wr(HPET_MAIN_CNT, 4, 0xcafef00d);
	log_reg(HPET_MAIN_CNT);
	wr(HPET_MAIN_CNT + 4, 4, 0x00000010);
	log_reg(HPET_MAIN_CNT);
	log_odd_reads();
	v = rd(HPET_MAIN_CNT, 8);

	/* Running: never back, never below where it was halted. */
	wr(HPET_GEN_CONF, 8, HPET_ENABLE_CNF);
	prev = v;
	for (i = 0; i < RUNNING_READS; i++) {
		c = rd(HPET_MAIN_CNT, i % 2 ? 8 : 4);
		if (i % 2 == 0)
			c |= (uint64_t)rd(HPET_MAIN_CNT + 4, 4) << 32;
		log_val(c >= prev);
		prev = c;
	}
	wr(HPET_MAIN_CNT, 8, 0);		/* ignored while running */
	log_val(rd(HPET_MAIN_CNT, 8) >= prev);

	/* Halted again: frozen, and then continuing from there. */
	wr(HPET_GEN_CONF, 4, 0);
	f1 = rd(HPET_MAIN_CNT, 8);
	f2 = rd(HPET_MAIN_CNT, 8);
	log_val(f1 == f2);
	log_val(f1 >= prev);
	log_val(rd(HPET_MAIN_CNT + 4, 4) == f1 >> 32);
	wr(HPET_GEN_CONF, 4, HPET_ENABLE_CNF);
	r = rd(HPET_MAIN_CNT, 8);
	log_val(r >= f1);
	log_val(r - f1 < ONE_SECOND);
	wr(HPET_GEN_CONF, 8, 0);
}

static void guest_config(void)
{
	/* Every writable bit, a route the timer cannot take (31): kept at 0. */
	wr(HPET_TN_CONF_REG(0), 4, ~0U & ~HPET_TN_INT_ENB_CNF);
	log_reg(HPET_TN_CONF_REG(0));
	wr(HPET_TN_CONF_REG(0), 8, 20 << HPET_TN_INT_ROUTE_CNF_SHIFT);
	log_reg(HPET_TN_CONF_REG(0));
	wr(HPET_TN_CONF_REG(0) + 4, 4, 0);	/* capabilities: read-only */
	log_reg(HPET_TN_CONF_REG(0));

	/* 32-bit mode truncates the comparator and ignores its high half. */
	wr(HPET_TN_CMP_REG(1), 8, 0x123456789abcdef0ULL);
	log_reg(HPET_TN_CMP_REG(1));
	wr(HPET_TN_CONF_REG(1), 4, HPET_TN_32MODE_CNF);
	log_reg(HPET_TN_CMP_REG(1));
	wr(HPET_TN_CMP_REG(1) + 4, 4, 0xffffffff);
	log_reg(HPET_TN_CMP_REG(1));

	/* Periodic: Tn_VAL_SET_CNF sets the comparator, then writes set the period. */
	wr(HPET_TN_CONF_REG(2), 4, HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF);
	log_reg(HPET_TN_CONF_REG(2));
	wr(HPET_TN_CMP_REG(2), 8, 5000);
	log_reg(HPET_TN_CONF_REG(2));
	log_reg(HPET_TN_CMP_REG(2));
	wr(HPET_TN_CMP_REG(2), 8, 7000);
	log_reg(HPET_TN_CMP_REG(2));

	wr(HPET_TN_FSB_REG(2), 8, 0xfee0000000000041ULL);
	wr(HPET_TN_FSB_REG(2) + 4, 4, 0xfee01000);
	log_reg(HPET_TN_FSB_REG(2));

	/* GEN_CONF: LegacyReplacement Route on and off, reserved half. */
	wr(HPET_GEN_CONF, 4, HPET_LEG_RT_CNF);
	log_reg(HPET_GEN_CONF);
	wr(HPET_GEN_CONF + 4, 4, ~0U);
	log_reg(HPET_GEN_CONF);
	wr(HPET_GEN_CONF, 8, 0);
	log_reg(HPET_GEN_CONF);
	wr(HPET_GCAP_ID, 8, 0);
	log_reg(HPET_GCAP_ID);

	/* Narrow and misaligned writes change nothing. */
	wr(HPET_GEN_CONF, 1, HPET_ENABLE_CNF);
	wr(HPET_TN_CONF_REG(0) + 1, 4, ~0U);
	log_all_regs();

	/* Back to a quiet state for the interrupts. */
	wr(HPET_TN_CONF_REG(0), 4, 0);
	wr(HPET_TN_CONF_REG(1), 4, 0);
	wr(HPET_TN_CONF_REG(2), 4, 0);
}

/*
 * A one-shot edge-triggered timer interrupts once; a one-shot level
 * timer, on an IOAPIC input left masked, only sets its status bit, which
 * stays until written with 1.
 */
static void guest_interrupts(void)
{
	x2apic_enable();
	ioapic_route(GSI_EDGE, VECTOR, false, 0);

	wr(HPET_MAIN_CNT, 8, 0);
	wr(HPET_TN_CMP_REG(0), 8, DELAY);
	wr(HPET_TN_CONF_REG(0), 4, HPET_TN_INT_ENB_CNF |
	   (GSI_EDGE << HPET_TN_INT_ROUTE_CNF_SHIFT));
	wr(HPET_TN_CMP_REG(1), 8, 2 * DELAY);
	wr(HPET_TN_CONF_REG(1), 4, HPET_TN_INT_ENB_CNF | HPET_TN_INT_TYPE_CNF |
	   (GSI_LEVEL << HPET_TN_INT_ROUTE_CNF_SHIFT));
	wr(HPET_GEN_CONF, 8, HPET_ENABLE_CNF);
	wait_for(one_irq);
	wait_for(timer1_status);
	log_val(rd(HPET_GINTR_STA, 8));
	wr(HPET_GINTR_STA, 8, 1);		/* timer 0 is edge-triggered: no bit */
	log_val(rd(HPET_GINTR_STA, 8));
	wr(HPET_GINTR_STA, 4, 2);
	log_val(rd(HPET_GINTR_STA, 8));
	wr(HPET_GEN_CONF, 8, 0);
	log_val(irqs);
}

static void guest_code(void)
{
	log_all_regs();
	guest_counter();
	guest_config();
	guest_interrupts();
	GUEST_SYNC2(1, log_len);
	GUEST_SYNC2(2, accesses);
	GUEST_DONE();
}

struct diff_run {
	uint64_t log[LOG_MAX];
	uint64_t len;
	uint64_t accesses;
	uint64_t exits;
	struct kvm_accel_counters counters;
};

static void run(struct diff_run *r, bool accel)
{
	struct hpet_vm h;

	hpet_vm_create(&h, 1, guest_code, accel);
	vm_install_exception_handler(h.vm, VECTOR, guest_handler);
	r->len = hpet_vcpu_sync(&h, 0, 1);
	r->accesses = hpet_vcpu_sync(&h, 0, 2);
	hpet_vcpu_done(&h, 0);
	sync_global_from_guest(h.vm, log_buf);
	memcpy(r->log, log_buf, sizeof(r->log));
	r->exits = hpet_vm_exits(&h);
	if (accel)
		r->counters = accel_counters(h.link_id);
	hpet_vm_destroy(&h);
}

TEST(fast_path_vs_model)
{
	static struct diff_run fast, model;
	uint64_t i;

	run(&fast, true);
	run(&model, false);
	ksft_print_msg("%lu values logged; %lu accesses with the fast path, %lu without\n",
		       fast.len, fast.accesses, model.accesses);
	ksft_print_msg("exits with the fast path: %lu (module: %llu handled, %llu exits)\n",
		       fast.exits, fast.counters.handled, fast.counters.exits);
	ksft_print_msg("exits with the userspace model alone: %lu\n", model.exits);

	/* The access counts differ by how long the guest polled for interrupts. */
	TEST_ASSERT_EQ(fast.len, model.len);
	for (i = 0; i < fast.len; i++)
		TEST_ASSERT(fast.log[i] == model.log[i],
			    "log entry %lu: 0x%lx with the fast path, 0x%lx without",
			    i, fast.log[i], model.log[i]);

	/* Without the fast path every access exits; with it, far fewer. */
	TEST_ASSERT_EQ(model.exits, model.accesses);
	TEST_ASSERT_EQ(fast.counters.exits, fast.exits);
	TEST_ASSERT_EQ(fast.counters.handled + fast.counters.exits, fast.accesses);
	TEST_ASSERT_EQ(fast.counters.errors, 0);
	TEST_ASSERT(fast.exits < model.exits / 2, "%lu exits with the fast path, %lu without",
		    fast.exits, model.exits);
}

TEST_HARNESS_MAIN
