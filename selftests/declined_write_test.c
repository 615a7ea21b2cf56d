// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the slow path: a write the program declines (the register-file
 * device declines writes at REGFILE_DECLINE_OFFSET) reaches the VMM as an
 * ordinary KVM_EXIT_IO / KVM_EXIT_MMIO with the guest's address, width,
 * direction and data, once per access, and leaves the register file as it
 * was.  The module counts it as an exit, not as handled or as an error.
 */
#include "accel_test_harness.h"

#define SEED		3

static uint64_t declined_value(uint32_t width)
{
	return 0x8877665544332211ULL + width;
}

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint32_t w;

	for (w = 1; w <= (bus == KVM_ACCEL_BUS_PIO ? 4 : 8); w *= 2) {
		accel_guest_write(bus, base + REGFILE_DECLINE_OFFSET, w,
				  declined_value(w));
		GUEST_SYNC(w);
	}
	GUEST_DONE();
}

ACCEL_TEST_SUITE(declined_write);

ACCEL_TEST(declined_write, exits_to_vmm, guest_code)
{
	const __u32 reason = f->bus->bus == KVM_ACCEL_BUS_PIO ? KVM_EXIT_IO :
							       KVM_EXIT_MMIO;
	__u8 before[REGFILE_SIZE];
	struct accel_exit *e = &f->vmm.last;
	__u64 n = 0;
	uint32_t w;

	accel_fill(f->regs, SEED);
	memcpy(before, f->regs, sizeof(before));

	for (w = 1; w <= f->bus->max_width; w *= 2) {
		accel_vmm_sync(&f->vmm, w);
		n++;
		TEST_ASSERT_EQ(f->vmm.exits, n);
		TEST_ASSERT_EQ(e->reason, reason);
		TEST_ASSERT_EQ(e->addr, f->bus->base + REGFILE_DECLINE_OFFSET);
		TEST_ASSERT_EQ(e->len, w);
		TEST_ASSERT_EQ(e->is_write, true);
		TEST_ASSERT_EQ(e->data, accel_truncate(declined_value(w), w));
		TEST_ASSERT(!memcmp(f->regs, before, sizeof(before)),
			    "a declined %u-byte write changed the register file", w);
		accel_assert_counters(f->link_id, 0, n, 0);
	}
	accel_vmm_done(&f->vmm);
	TEST_ASSERT_EQ(f->vmm.straddles, 0);
}

TEST_HARNESS_MAIN
