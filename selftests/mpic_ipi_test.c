// SPDX-License-Identifier: GPL-2.0
/*
 * Guards IPI delivery by the MPIC fast path (devices/mpic):
 *
 * all_to_all: four vCPUs each send IPIs to all the others by mask through
 * their IPIDR; every target's interrupt handler counts exactly the IPIs
 * sent to it, and no dispatch write, CTPR or WHOAMI access leaves the
 * kernel: the only exits are the four IPIVPR set-up writes.  Each vCPU
 * sends on its own IPI (so its own vector) and waits until every target
 * took the previous one before sending the next, so no two IPIs can
 * coalesce in the MPIC or in a local APIC's IRR and the counts are exact.
 *
 * held_until_unblocked: an IPI that is masked, whose priority does not
 * exceed the target's CTPR, or whose vector is unusable is not delivered:
 * it is held (IPIVPR.A reads 1, nothing reaches the local APIC) and
 * delivered once, raised twice or not, as soon as an IPIVPR or CTPR write
 * (including one through another CPU's private view) unblocks it; a new
 * vector applies to the next IPI.
 */
#include "kselftest_harness.h"
#include "mpic_vm.h"

#define ALL_VCPUS	4
#define ROUNDS		25
#define IPI_PRIORITY	8
#define SEND_VECTOR(i)	(0x40 + (i))	/* all_to_all: vector of IPI i */

/* all_to_all: CPU 0 finished the set-up; vCPUs past the start barrier. */
static uint32_t setup_done, arrived;

static void guest_all_to_all(uint32_t cpu, uint32_t nr)
{
	uint32_t others = ((1U << nr) - 1) & ~(1U << cpu);
	uint32_t i, r, t;

	xapic_enable();
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_WHOAMI), cpu);
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_CPU_VIEW(cpu) + MPIC_WHOAMI), cpu);
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_CTPR), MPIC_CTPR_RESET);
	mpic_guest_write(MPIC_CTPR, 0);
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_CPU_VIEW(cpu) + MPIC_CTPR), 0);

	if (cpu == 0) {
		for (i = 0; i < MPIC_NR_IPIS; i++) {
			mpic_guest_write(MPIC_IPIVPR(i),
					 mpic_ivpr(IPI_PRIORITY, SEND_VECTOR(i)));
			GUEST_ASSERT_EQ(mpic_guest_read(MPIC_IPIVPR(i)),
					mpic_ivpr(IPI_PRIORITY, SEND_VECTOR(i)));
		}
		WRITE_ONCE(setup_done, 1);
	}
	mpic_guest_wait_flag(&setup_done, 1);
	__atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
	mpic_guest_wait_flag(&arrived, nr);
	mpic_guest_sti();

	for (r = 1; r <= ROUNDS; r++) {
		mpic_guest_write(MPIC_IPIDR(cpu), others);
		for (t = 0; t < nr; t++)
			if (t != cpu)
				mpic_guest_wait_count(t, SEND_VECTOR(cpu), r);
	}
	for (t = 0; t < nr; t++)
		if (t != cpu)
			mpic_guest_wait_count(cpu, SEND_VECTOR(t), ROUNDS);
	GUEST_DONE();
}

TEST(all_to_all)
{
	struct kvm_accel_counters c;
	struct mpic_vcpu_stats exits;
	struct mpic_vm mv;
	uint32_t s, t;

	mpic_vm_create(&mv, ALL_VCPUS, guest_all_to_all, true, true);
	for (t = 0; t < ALL_VCPUS; t++)
		vcpu_args_set(mv.vcpus[t], 2, t, ALL_VCPUS);
	mpic_vm_start(&mv);
	exits = mpic_vm_join(&mv);
	mpic_vm_read_counts(&mv);

	for (t = 0; t < ALL_VCPUS; t++) {
		for (s = 0; s < ALL_VCPUS; s++) {
			struct mpic_cpu *cpu = &mv.regs->cpu[t];
			uint32_t want = s == t ? 0 : ROUNDS;

			TEST_ASSERT(mpic_irq_count[t][SEND_VECTOR(s)] == want,
				    "CPU %u took %u IPIs from CPU %u, sent %u", t,
				    mpic_irq_count[t][SEND_VECTOR(s)], s, want);
			TEST_ASSERT(cpu->raised[s] == want && cpu->delivered[s] == want &&
				    !cpu->coalesced[s],
				    "CPU %u IPI %u: raised %llu delivered %llu coalesced %llu, sent %u",
				    t, s, cpu->raised[s], cpu->delivered[s],
				    cpu->coalesced[s], want);
			mpic_vm_assert_irr_clear(&mv, SEND_VECTOR(s));
		}
		TEST_ASSERT_EQ(mv.regs->cpu[t].pending, 0);
	}
	TEST_ASSERT_EQ(mv.regs->signal_errors, 0);

	/* Only CPU 0's IPIVPR writes may exit. */
	c = accel_counters(mv.link_id);
	ksft_print_msg("all_to_all: %u vCPUs, %u IPIs, %llu accesses in the kernel, %lu exits\n",
		       ALL_VCPUS, ALL_VCPUS * (ALL_VCPUS - 1) * ROUNDS, c.handled,
		       exits.exits);
	TEST_ASSERT_EQ(exits.dispatch_exits, 0);
	TEST_ASSERT_EQ(exits.ctpr_exits, 0);
	TEST_ASSERT_EQ(exits.exits, MPIC_NR_IPIS);
	TEST_ASSERT(c.exits == exits.exits && !c.errors &&
		    c.handled + c.exits == mpic_guest_accesses,
		    "module: %llu handled, %llu exits, %llu errors; the VMM saw %lu exits of %lu accesses",
		    c.handled, c.exits, c.errors, exits.exits, mpic_guest_accesses);

	mpic_vm_destroy(&mv);
}

#define HELD_VCPUS	2
#define HELD_PRIORITY	5
#define VEC		0x50
#define VEC2		0x60
#define BAD_VEC		0x05	/* below MPIC_VECTOR_MIN */

/* held_until_unblocked: CPU 1 takes interrupts; CPU 0 is finished. */
static uint32_t cpu1_ready, cpu0_done;

static void guest_assert_not_in_irr(uint32_t vector)
{
	uint32_t irr = xapic_read_reg(APIC_IRR + (vector / 32) * 0x10);

	__GUEST_ASSERT(!(irr & (1U << (vector % 32))),
		       "vector 0x%x reached the local APIC", vector);
}

/* IPI 0 is held (A set) and CPU @cpu took only @taken on @vector. */
static void guest_assert_held(uint32_t ivpr, uint32_t cpu, uint32_t vector,
			      uint32_t taken)
{
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_IPIVPR(0)), ivpr | MPIC_IVPR_A);
	GUEST_ASSERT_EQ(mpic_guest_count(cpu, vector), taken);
	if (cpu == 0)
		guest_assert_not_in_irr(vector);
}

static void guest_held(uint32_t cpu)
{
	const uint32_t ivpr = mpic_ivpr(HELD_PRIORITY, VEC);

	xapic_enable();
	mpic_guest_sti();
	if (cpu == 1) {
		WRITE_ONCE(cpu1_ready, 1);
		mpic_guest_wait_flag(&cpu0_done, 1);
		GUEST_DONE();
	}
	mpic_guest_wait_flag(&cpu1_ready, 1);
	mpic_guest_write(MPIC_CTPR, 0);

	/* Masked: held, and raised twice it is still one interrupt. */
	mpic_guest_write(MPIC_IPIVPR(0), MPIC_IVPR_MSK | ivpr);
	mpic_guest_write(MPIC_IPIDR(0), 1 << 0);
	mpic_guest_write(MPIC_IPIDR(0), 1 << 0);
	guest_assert_held(MPIC_IVPR_MSK | ivpr, 0, VEC, 0);
	mpic_guest_write(MPIC_IPIVPR(0), ivpr);
	mpic_guest_wait_count(0, VEC, 1);
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_IPIVPR(0)), ivpr);

	/* Priority not above CTPR: held until CTPR drops below it. */
	mpic_guest_write(MPIC_CTPR, HELD_PRIORITY);
	mpic_guest_write(MPIC_IPIDR(0), 1 << 0);
	guest_assert_held(ivpr, 0, VEC, 1);
	mpic_guest_write(MPIC_CTPR, HELD_PRIORITY - 1);
	mpic_guest_wait_count(0, VEC, 2);
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_IPIVPR(0)), ivpr);

	/* The same for CPU 1, its CTPR written through its private view. */
	mpic_guest_write(MPIC_CPU_VIEW(1) + MPIC_CTPR, MPIC_CTPR_MASK);
	GUEST_ASSERT_EQ(mpic_guest_read(MPIC_CPU_VIEW(1) + MPIC_CTPR), MPIC_CTPR_MASK);
	mpic_guest_write(MPIC_IPIDR(0), 1 << 1);
	guest_assert_held(ivpr, 1, VEC, 0);
	mpic_guest_write(MPIC_CPU_VIEW(1) + MPIC_CTPR, 0);
	mpic_guest_wait_count(1, VEC, 1);

	/* A new vector applies to the next IPI. */
	mpic_guest_write(MPIC_IPIVPR(0), mpic_ivpr(HELD_PRIORITY, VEC2));
	mpic_guest_write(MPIC_IPIDR(0), 1 << 0);
	mpic_guest_wait_count(0, VEC2, 1);

	/* An unusable vector holds the IPI until a usable one is set. */
	mpic_guest_write(MPIC_IPIVPR(0), mpic_ivpr(HELD_PRIORITY, BAD_VEC));
	mpic_guest_write(MPIC_IPIDR(0), 1 << 0);
	guest_assert_held(mpic_ivpr(HELD_PRIORITY, BAD_VEC), 0, VEC, 2);
	mpic_guest_write(MPIC_IPIVPR(0), ivpr);
	mpic_guest_wait_count(0, VEC, 3);

	WRITE_ONCE(cpu0_done, 1);
	GUEST_DONE();
}

TEST(held_until_unblocked)
{
	struct mpic_vcpu_stats exits;
	struct mpic_cpu *cpu0, *cpu1;
	struct mpic_vm mv;
	uint32_t i;

	mpic_vm_create(&mv, HELD_VCPUS, guest_held, true, true);
	for (i = 0; i < HELD_VCPUS; i++)
		vcpu_args_set(mv.vcpus[i], 1, i);
	mpic_vm_start(&mv);
	exits = mpic_vm_join(&mv);
	mpic_vm_read_counts(&mv);

	/* Exactly the interrupts the guest waited for, nothing in flight. */
	TEST_ASSERT_EQ(mpic_irq_count[0][VEC], 3);
	TEST_ASSERT_EQ(mpic_irq_count[0][VEC2], 1);
	TEST_ASSERT_EQ(mpic_irq_count[1][VEC], 1);
	TEST_ASSERT_EQ(mpic_irq_count[0][BAD_VEC], 0);
	mpic_vm_assert_irr_clear(&mv, VEC);
	mpic_vm_assert_irr_clear(&mv, VEC2);

	/* Five raises on CPU 0, one merged into a held one; one on CPU 1. */
	cpu0 = &mv.regs->cpu[0];
	cpu1 = &mv.regs->cpu[1];
	TEST_ASSERT(cpu0->raised[0] == 5 && cpu0->coalesced[0] == 1 &&
		    cpu0->delivered[0] == 4 && !cpu0->pending,
		    "CPU 0: raised %llu coalesced %llu delivered %llu pending 0x%llx",
		    cpu0->raised[0], cpu0->coalesced[0], cpu0->delivered[0],
		    cpu0->pending);
	TEST_ASSERT(cpu1->raised[0] == 1 && cpu1->delivered[0] == 1 && !cpu1->pending,
		    "CPU 1: raised %llu delivered %llu pending 0x%llx",
		    cpu1->raised[0], cpu1->delivered[0], cpu1->pending);

	/* Five IPIVPR writes exit; dispatches and CTPR writes never do. */
	ksft_print_msg("held_until_unblocked: %lu exits\n", exits.exits);
	TEST_ASSERT_EQ(exits.dispatch_exits, 0);
	TEST_ASSERT_EQ(exits.ctpr_exits, 0);
	TEST_ASSERT_EQ(exits.exits, 5);

	mpic_vm_destroy(&mv);
}

TEST_HARNESS_MAIN
