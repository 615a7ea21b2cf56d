// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the fast path of writes: 10,000 guest writes of every width the
 * bus has land in the register file the VMM maps, byte for byte where the
 * VMM computes them to land, and not one of them exits to userspace.
 */
#include "accel_test_harness.h"

#define NR_WRITES	10000
#define SEED		2

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t i;
	uint32_t w;

	for (i = 0; i < NR_WRITES; i++) {
		w = accel_seq_width(bus, i);
		accel_guest_write(bus, base + accel_seq_offset(len, w, i), w,
				  accel_seq_value(i));
	}
	GUEST_DONE();
}

ACCEL_TEST_SUITE(accel_write);

ACCEL_TEST(accel_write, handled_in_kernel, guest_code)
{
	__u8 expect[REGFILE_SIZE];
	uint64_t i, off, val;
	uint32_t w, b;

	accel_fill(f->regs, SEED);
	accel_fill(expect, SEED);
	for (i = 0; i < NR_WRITES; i++) {
		w = accel_seq_width(f->bus->bus, i);
		off = accel_seq_offset(f->bus->len, w, i);
		val = accel_seq_value(i);
		for (b = 0; b < w; b++)
			expect[off + b] = val >> (8 * b);
	}

	accel_vmm_done(&f->vmm);

	TEST_ASSERT_EQ(f->vmm.exits, 0);
	accel_assert_counters(f->link_id, NR_WRITES, 0, 0);
	for (i = 0; i < REGFILE_SIZE; i++)
		TEST_ASSERT(f->regs[i] == expect[i],
			    "register %lu is 0x%02x, expected 0x%02x", i,
			    f->regs[i], expect[i]);
}

TEST_HARNESS_MAIN
