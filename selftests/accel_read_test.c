// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the fast path of reads: with the register-file device attached,
 * 10,000 guest reads of every width the bus has (inb/inw/inl on PIO, 1 to 8
 * byte loads on MMIO) all return the registers the VMM stored, and not one
 * of them exits to userspace.  The module counts each of them as handled.
 */
#include "accel_test_harness.h"

#define NR_READS	10000
#define SEED		1

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	accel_guest_read_seq(bus, base, len, SEED, NR_READS);
	GUEST_DONE();
}

ACCEL_TEST_SUITE(accel_read);

ACCEL_TEST(accel_read, handled_in_kernel, guest_code)
{
	accel_fill(f->regs, SEED);
	accel_vmm_done(&f->vmm);

	TEST_ASSERT_EQ(f->vmm.exits, 0);
	accel_assert_counters(f->link_id, NR_READS, 0, 0);
}

TEST_HARNESS_MAIN
