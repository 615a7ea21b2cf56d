// SPDX-License-Identifier: GPL-2.0
/*
 * Guards HPET interrupt delivery by the slow path's timer thread, with the
 * fast path attached: a periodic level-triggered timer routed to an IOAPIC
 * input interrupts the guest once per period, never before its comparator
 * matches, with its GINTR_STA bit set until the handler writes 1 to it,
 * and stops when its interrupt is disabled; a level interrupt whose status
 * is not cleared is delivered again after EOI; a one-shot edge-triggered
 * timer fires exactly once and leaves GINTR_STA alone, also when the
 * counter was set and started in the kernel just before its match; a timer
 * with FSB delivery interrupts through an MSI.  That no interrupt comes
 * after the last one expected is checked on the device's state, not only
 * by waiting, so that a loaded host cannot hide an extra one.
 */
#include "kselftest_harness.h"
#include "hpet_vm.h"

#define VECTOR		0x40
#define GSI_LEVEL	20
#define GSI_EDGE	21
#define PERIOD		100000ULL	/* ticks: 1 ms */
#define NR_PERIODIC	20
/* How long the guest waits for an interrupt before failing, in ticks. */
#define IRQ_TIMEOUT	(10 * 1000 * 1000 * 1000ULL / HPET_TICK_NS)
#define SYNC_DISABLED	2	/* the guest's timer is disabled */

/* Guest: handler entries, and what the handler found wrong. */
static volatile uint64_t irqs;
static volatile uint64_t early;		/* entered before the comparator matched */
static volatile uint64_t no_status;	/* level interrupt without its GINTR_STA bit */
static volatile uint64_t irq_counter;	/* the counter at the last entry */
/* Guest: the timer the handler serves, and how many entries clear its status. */
static uint32_t irq_timer;
static uint64_t clear_from;

static void guest_irqs_on(void)
{
	asm volatile("sti");
}

static void guest_irqs_off(void)
{
	asm volatile("cli");
}

/* Wait with interrupts enabled until @n handler entries, or fail. */
static void guest_wait_irqs(uint64_t n)
{
	uint64_t deadline = hpet_counter() + IRQ_TIMEOUT;

	guest_irqs_on();
	while (irqs < n)
		__GUEST_ASSERT(hpet_counter() < deadline,
			       "%lu interrupts after 10 s, expected %lu", irqs, n);
	guest_irqs_off();
}

/*
 * Take the interrupt the slow path may have raised before it completed
 * the last write: it is in the local APIC by then.
 */
static void guest_drain_irqs(void)
{
	asm volatile("sti; nop; cli");
}

/* Let @ticks pass with interrupts enabled. */
static void guest_wait_ticks(uint64_t ticks)
{
	uint64_t end = hpet_counter() + ticks;

	guest_irqs_on();
	while (hpet_counter() < end)
		;
	guest_irqs_off();
}

/*
 * An edge-triggered one-shot timer: one interrupt, not early, and no
 * other in the @ticks that follow; edge timers leave GINTR_STA alone.
 */
static void guest_expect_one_irq(uint64_t ticks)
{
	guest_wait_irqs(1);
	guest_wait_ticks(ticks);
	GUEST_ASSERT_EQ(irqs, 1);
	GUEST_ASSERT_EQ(early, 0);
	GUEST_ASSERT_EQ(hpet_rd64(HPET_GINTR_STA), 0);
	GUEST_SYNC2(1, irqs);
	GUEST_DONE();
}

/*
 * Periodic and one-shot handler: a timer interrupts once the counter has
 * reached the comparator value that fired, which for a periodic timer is
 * the (already advanced) comparator minus one period.  The comparator is
 * read before the counter: if the timer fires again in between, both move
 * on and the check still holds.  Level-triggered status is cleared from
 * entry clear_from on.
 */
static void guest_handler(struct ex_regs *regs)
{
	uint64_t conf = hpet_rd64(HPET_TN_CONF_REG(irq_timer));
	uint64_t match = hpet_rd64(HPET_TN_CMP_REG(irq_timer));
	uint64_t now = hpet_counter();

	if (conf & HPET_TN_TYPE_CNF)
		match -= PERIOD;
	if (now < match)
		early++;
	if ((conf & HPET_TN_INT_TYPE_CNF) &&
	    !(hpet_rd64(HPET_GINTR_STA) & (1ULL << irq_timer)))
		no_status++;
	irq_counter = now;
	irqs++;
	if ((conf & HPET_TN_INT_TYPE_CNF) && irqs >= clear_from)
		hpet_wr64(HPET_GINTR_STA, 1ULL << irq_timer);
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_periodic_level(void)
{
	uint32_t n = 0;
	uint64_t n_after;

	irq_timer = n;
	clear_from = 1;
	x2apic_enable();
	ioapic_route(GSI_LEVEL, VECTOR, true, 0);
	hpet_wr64(HPET_TN_CONF_REG(n), HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ENB_CNF |
		  HPET_TN_TYPE_CNF | HPET_TN_VAL_SET_CNF |
		  (GSI_LEVEL << HPET_TN_INT_ROUTE_CNF_SHIFT));
	/* With Tn_VAL_SET_CNF: comparator and period at once. */
	hpet_wr64(HPET_TN_CMP_REG(n), PERIOD);
	GUEST_ASSERT_EQ(hpet_rd64(HPET_TN_CMP_REG(n)), PERIOD);
	GUEST_ASSERT(!(hpet_rd64(HPET_TN_CONF_REG(n)) & HPET_TN_VAL_SET_CNF));
	GUEST_ASSERT_EQ(hpet_counter(), 0);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);

	guest_wait_irqs(NR_PERIODIC);
	/* The NR_PERIODIC-th match is at NR_PERIODIC periods. */
	GUEST_ASSERT(irq_counter >= NR_PERIODIC * PERIOD);
	GUEST_ASSERT_EQ(early, 0);
	GUEST_ASSERT_EQ(no_status, 0);

	/* No interrupt once Tn_INT_ENB_CNF is clear. */
	hpet_wr64(HPET_TN_CONF_REG(n), HPET_TN_INT_TYPE_CNF | HPET_TN_TYPE_CNF |
		  (GSI_LEVEL << HPET_TN_INT_ROUTE_CNF_SHIFT));
	GUEST_SYNC1(SYNC_DISABLED);
	guest_drain_irqs();
	n_after = irqs;
	guest_wait_ticks(5 * PERIOD);
	GUEST_ASSERT_EQ(irqs, n_after);
	GUEST_SYNC2(1, irqs);
	GUEST_DONE();
}

/*
 * Run @guest_code to GUEST_SYNC2(1, interrupts it took) and GUEST_DONE().
 *
 * The guests' quiet windows ("no interrupt in the next N ticks") can only
 * show an interrupt that comes within them, and a host under load may
 * delay the timer thread past any window.  So the VMM also checks the
 * device's own state, which does not depend on timing: once the guest is
 * done no timer is armed, so none can ever fire again; a guest's one-shot
 * timer fired exactly @want_fires times (if not 0); and nothing fired
 * after the guest's GUEST_SYNC1(SYNC_DISABLED), made right after the write
 * that disabled its timer had completed.
 */
static void run_irq_guest(void *guest_code, uint64_t *irqs_seen, uint64_t want_fires)
{
	uint64_t fires_disabled = ~0ULL;
	struct hpet_stats st;
	struct hpet_vm h;
	struct ucall uc;
	int n;

	hpet_vm_create(&h, 1, guest_code, true);
	vm_install_exception_handler(h.vm, VECTOR, guest_handler);
	for (;;) {
		if (hpet_vcpu_run(&h, 0, &uc) == UCALL_DONE)
			break;
		TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
		if (uc.args[0] == SYNC_DISABLED) {
			hpet_dev_stats(h.dev, &st);
			fires_disabled = st.fires;
		} else {
			TEST_ASSERT_EQ(uc.args[0], 1);
			*irqs_seen = uc.args[1];
		}
	}
	hpet_dev_stats(h.dev, &st);
	ksft_print_msg("%lu interrupts seen, %llu timer expiries, %lu exits\n",
		       *irqs_seen, st.fires, hpet_vm_exits(&h));
	TEST_ASSERT_EQ(st.irq_errors, 0);
	TEST_ASSERT(st.fires >= 1, "no timer expiry");
	if (want_fires)
		TEST_ASSERT_EQ(st.fires, want_fires);
	if (fires_disabled != ~0ULL)
		TEST_ASSERT(st.fires == fires_disabled,
			    "%llu expiries after the timer was disabled", st.fires - fires_disabled);
	for (n = 0; n < HPET_NUM_TIMERS; n++)
		TEST_ASSERT(!__atomic_load_n(&h.regs->timer[n].armed, __ATOMIC_RELAXED),
			    "timer %d is still armed", n);
	TEST_ASSERT_EQ(accel_counters(h.link_id).errors, 0);
	hpet_vm_destroy(&h);
}

TEST(periodic_level)
{
	uint64_t n;

	run_irq_guest(guest_periodic_level, &n, 0);
	TEST_ASSERT(n >= NR_PERIODIC, "%lu interrupts", n);
}

/* One-shot, level: the line stays asserted, so EOI alone brings it back. */
static void guest_level_redelivery(void)
{
	uint32_t n = 1;

	irq_timer = n;
	clear_from = 3;
	x2apic_enable();
	ioapic_route(GSI_LEVEL, VECTOR, true, 0);
	hpet_wr64(HPET_TN_CMP_REG(n), PERIOD);
	hpet_wr64(HPET_TN_CONF_REG(n), HPET_TN_INT_TYPE_CNF | HPET_TN_INT_ENB_CNF |
		  (GSI_LEVEL << HPET_TN_INT_ROUTE_CNF_SHIFT));
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	guest_wait_irqs(clear_from);
	guest_wait_ticks(3 * PERIOD);
	GUEST_ASSERT_EQ(irqs, clear_from);
	GUEST_ASSERT_EQ(no_status, 0);
	GUEST_ASSERT_EQ(early, 0);
	GUEST_ASSERT_EQ(hpet_rd64(HPET_GINTR_STA), 0);
	GUEST_SYNC2(1, irqs);
	GUEST_DONE();
}

TEST(level_redelivery)
{
	uint64_t n;

	run_irq_guest(guest_level_redelivery, &n, 1);
	TEST_ASSERT_EQ(n, 3);
}

static void guest_oneshot_edge(void)
{
	uint32_t n = 2;

	irq_timer = n;
	x2apic_enable();
	ioapic_route(GSI_EDGE, VECTOR, false, 0);
	hpet_wr64(HPET_TN_CONF_REG(n), HPET_TN_INT_ENB_CNF |
		  (GSI_EDGE << HPET_TN_INT_ROUTE_CNF_SHIFT));
	hpet_wr64(HPET_TN_CMP_REG(n), 2 * PERIOD);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	guest_expect_one_irq(6 * PERIOD);
}

TEST(oneshot_edge)
{
	uint64_t n;

	run_irq_guest(guest_oneshot_edge, &n, 1);
	TEST_ASSERT_EQ(n, 1);
}

/*
 * The counter set while halted, 1 us before the comparator, then started:
 * both in the kernel, so the timer thread learns of them only afterwards,
 * when the counter has long passed the comparator.  The match still fires.
 */
static void guest_counter_write(void)
{
	const uint64_t start = 0x123400000000ULL;
	uint32_t n = 1;

	irq_timer = n;
	x2apic_enable();
	ioapic_route(GSI_EDGE, VECTOR, false, 0);
	hpet_wr64(HPET_TN_CONF_REG(n), HPET_TN_INT_ENB_CNF |
		  (GSI_EDGE << HPET_TN_INT_ROUTE_CNF_SHIFT));
	hpet_wr64(HPET_TN_CMP_REG(n), start + 100);
	hpet_wr64(HPET_MAIN_CNT, start);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	guest_expect_one_irq(3 * PERIOD);
}

TEST(counter_write)
{
	uint64_t n;

	run_irq_guest(guest_counter_write, &n, 1);
	TEST_ASSERT_EQ(n, 1);
}

#define MSI_ADDR	0xfee00000ULL	/* destination APIC id 0, physical */

static void guest_fsb_msi(void)
{
	uint32_t n = 2;

	irq_timer = n;
	x2apic_enable();
	hpet_wr64(HPET_TN_FSB_REG(n), MSI_ADDR << 32 | VECTOR);
	GUEST_ASSERT_EQ(hpet_rd64(HPET_TN_FSB_REG(n)), MSI_ADDR << 32 | VECTOR);
	hpet_wr64(HPET_TN_CONF_REG(n), HPET_TN_INT_ENB_CNF | HPET_TN_FSB_EN_CNF);
	hpet_wr64(HPET_TN_CMP_REG(n), PERIOD);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	guest_expect_one_irq(3 * PERIOD);
}

TEST(fsb_msi)
{
	uint64_t n;

	run_irq_guest(guest_fsb_msi, &n, 1);
	TEST_ASSERT_EQ(n, 1);
}

TEST_HARNESS_MAIN
