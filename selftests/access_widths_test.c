// SPDX-License-Identifier: GPL-2.0
/*
 * Guards width and alignment handling: every width the bus has (1, 2, 4 on
 * PIO, also 8 on MMIO) at every offset of the range.  Accesses inside the
 * range are handled in the kernel, reads returning exactly the registers
 * they cover and writes changing exactly those.  An access that starts
 * inside the range and straddles its end is not the device's: it exits to
 * the VMM whole, and the module counts it neither as handled nor as an
 * error.
 */
#include "accel_test_harness.h"

#define SEED		4

static uint64_t width_value(uint64_t off, uint32_t width)
{
	return accel_seq_value(off * 8 + width);
}

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint32_t w, max = bus == KVM_ACCEL_BUS_PIO ? 4 : 8;
	uint64_t off;

	for (w = 1; w <= max; w *= 2)
		for (off = 0; off < len; off++)
			GUEST_ASSERT_EQ(accel_guest_read(bus, base + off, w),
					accel_expected(SEED, len, off, w));
	GUEST_SYNC(1);

	for (w = 1; w <= max; w *= 2) {
		for (off = 0; off < len; off++) {
			accel_guest_write(bus, base + off, w, width_value(off, w));
			if (off + w > len || off == REGFILE_DECLINE_OFFSET)
				continue;
			GUEST_ASSERT_EQ(accel_guest_read(bus, base + off, w),
					accel_truncate(width_value(off, w), w));
		}
	}
	GUEST_DONE();
}

ACCEL_TEST_SUITE(access_widths);

ACCEL_TEST(access_widths, every_offset, guest_code)
{
	__u64 inside = 0, straddling = 0, widths = 0;
	uint32_t w;

	for (w = 1; w <= f->bus->max_width; w *= 2) {
		inside += f->bus->len - w + 1;
		straddling += w - 1;
		widths++;
	}
	accel_fill(f->regs, SEED);

	/* Reads: the straddling ones exit, the others are handled. */
	accel_vmm_sync(&f->vmm, 1);
	TEST_ASSERT_EQ(f->vmm.exits, straddling);
	TEST_ASSERT_EQ(f->vmm.straddles, straddling);
	accel_assert_counters(f->link_id, inside, 0, 0);

	/*
	 * Writes: the straddling ones exit, and so does one per width at the
	 * declined offset; each handled write is read back.
	 */
	accel_vmm_done(&f->vmm);
	TEST_ASSERT_EQ(f->vmm.exits, 2 * straddling + widths);
	TEST_ASSERT_EQ(f->vmm.straddles, 2 * straddling);
	accel_assert_counters(f->link_id, inside + 2 * (inside - widths), widths, 0);
}

TEST_HARNESS_MAIN
