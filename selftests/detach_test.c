// SPDX-License-Identifier: GPL-2.0
/*
 * Guards detaching: once kvm_accel_detach() returns, the attachment is gone
 * from the module and the very same guest loop that was handled in the
 * kernel exits to the VMM on every access, which keeps serving it from its
 * own copy of the registers: a VMM that stops accelerating keeps working.
 * Prints the cost of one access on either path (wall clock, informative).
 */
#include <time.h>

#include "accel_test_harness.h"

#define NR_READS	2000
#define SEED		8

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t round;

	for (round = 1; round <= 2; round++) {
		accel_guest_read_seq(bus, base, len, SEED, NR_READS);
		GUEST_SYNC(round);
	}
	GUEST_DONE();
}

static __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

ACCEL_TEST_SUITE(detach);

ACCEL_TEST(detach, restores_exits, guest_code)
{
	__u8 copy[REGFILE_SIZE];
	__u64 t0, t1, t2, attached_exits;
	int ret;

	accel_fill(f->regs, SEED);

	t0 = now_ns();
	accel_vmm_sync(&f->vmm, 1);
	t1 = now_ns();
	attached_exits = f->vmm.exits;
	TEST_ASSERT_EQ(attached_exits, 0);
	accel_assert_counters(f->link_id, NR_READS, 0, 0);

	memcpy(copy, f->regs, sizeof(copy));
	ret = kvm_accel_detach(f->dev);
	f->dev = NULL;
	TEST_ASSERT(!ret, "kvm_accel_detach: %s", strerror(-ret));
	TEST_ASSERT(!accel_attached(f->link_id),
		    "attachment %u still listed after detach", f->link_id);

	f->vmm.regs = copy;
	accel_vmm_sync(&f->vmm, 2);
	t2 = now_ns();
	TEST_ASSERT_EQ(f->vmm.exits, NR_READS);
	TEST_ASSERT_EQ(f->vmm.straddles, 0);
	accel_vmm_done(&f->vmm);

	ksft_print_msg("%s: %d reads: attached %llu exits, %llu ns/read; detached %llu exits, %llu ns/read\n",
		       f->bus->bus == KVM_ACCEL_BUS_PIO ? "pio" : "mmio",
		       NR_READS, attached_exits, (t1 - t0) / NR_READS, f->vmm.exits,
		       (t2 - t1) / NR_READS);
}

TEST_HARNESS_MAIN
