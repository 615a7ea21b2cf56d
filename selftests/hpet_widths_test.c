// SPDX-License-Identifier: GPL-2.0
/*
 * Guards what the HPET does with accesses of every width and alignment,
 * with the fast path attached and with the userspace model alone: aligned
 * 32- and 64-bit reads return the register or its half and stay in the
 * kernel; reads of 1 or 2 bytes or misaligned ones return the bytes of the
 * registers they cover, and are exactly the reads that exit; writes of
 * 1 or 2 bytes or misaligned ones change nothing, and so do aligned writes
 * to read-only registers.
 */
#include "kselftest_harness.h"
#include "hpet_vm.h"

#define COUNTER_VALUE	0x8877665544332211ULL
#define CMP_VALUE	0xa1b2c3d4e5f60718ULL
#define FSB_VALUE	0xfee0100000000031ULL
#define TN_CONF_VALUE	(HPET_TN_INT_TYPE_CNF | HPET_TN_32MODE_CNF | \
			 (22 << HPET_TN_INT_ROUTE_CNF_SHIFT))
/* The part of the block the narrow and misaligned reads sweep. */
#define SWEEP_END	(HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE + 8)

/* Guest: accesses the fast path handles, and those that must exit. */
static uint64_t fast, slow;
/* Guest: the block, read with aligned 64-bit reads. */
static uint8_t image[HPET_MMIO_LEN];

static bool spec_access(uint64_t off, uint32_t len)
{
	return (len == 4 || len == 8) && !(off % len);
}

static uint64_t guest_read(uint64_t off, uint32_t len)
{
	if (spec_access(off, len))
		fast++;
	else
		slow++;
	return accel_guest_read(KVM_ACCEL_BUS_MMIO, HPET_MMIO_BASE + off, len);
}

/* @fast_path: whether the fast path handles this write. */
static void guest_write(uint64_t off, uint32_t len, uint64_t val, bool fast_path)
{
	if (fast_path)
		fast++;
	else
		slow++;
	accel_guest_write(KVM_ACCEL_BUS_MMIO, HPET_MMIO_BASE + off, len, val);
}

static uint64_t image_bytes(uint64_t off, uint32_t len)
{
	uint64_t v = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		v |= (uint64_t)image[off + i] << (8 * i);
	return v;
}

static void guest_snapshot(void)
{
	uint64_t off, v;
	int i;

	for (off = 0; off < HPET_MMIO_LEN; off += 8) {
		v = guest_read(off, 8);
		for (i = 0; i < 8; i++)
			image[off + i] = v >> (8 * i);
	}
}

/* Every read of the sweep, of every width at every offset, against the image. */
static void guest_check_reads(void)
{
	uint64_t off, got;
	uint32_t len;

	for (len = 1; len <= 8; len <<= 1) {
		for (off = 0; off + len <= SWEEP_END; off++) {
			got = guest_read(off, len);
			__GUEST_ASSERT(got == image_bytes(off, len),
				       "%u-byte read at 0x%lx: 0x%lx, expected 0x%lx",
				       len, off, got, image_bytes(off, len));
		}
	}
}

static void guest_code(void)
{
	uint64_t n;

	/* A state with no time in it: the counter halted at a known value. */
	guest_write(HPET_MAIN_CNT, 8, COUNTER_VALUE, true);
	guest_write(HPET_TN_CONF_REG(0), 4, TN_CONF_VALUE, false);
	guest_write(HPET_TN_CMP_REG(1), 8, CMP_VALUE, false);
	guest_write(HPET_TN_FSB_REG(2), 8, FSB_VALUE, false);
	guest_snapshot();
	GUEST_ASSERT_EQ(image_bytes(HPET_MAIN_CNT, 8), COUNTER_VALUE);
	GUEST_ASSERT_EQ(image_bytes(HPET_TN_CONF_REG(0), 8),
			HPET_TN_CAPS | TN_CONF_VALUE);
	GUEST_ASSERT_EQ(image_bytes(HPET_TN_CMP_REG(1), 8), CMP_VALUE);
	GUEST_ASSERT_EQ(image_bytes(HPET_TN_FSB_REG(2), 8), FSB_VALUE);
	guest_check_reads();

	/* Writes that must not change anything. */
	guest_write(HPET_GEN_CONF, 1, HPET_ENABLE_CNF, false);
	guest_write(HPET_GEN_CONF, 2, HPET_ENABLE_CNF, false);
	guest_write(HPET_GEN_CONF - 2, 4, HPET_ENABLE_CNF << 16, false);
	guest_write(HPET_GEN_CONF + 4, 4, ~0U, false);
	guest_write(HPET_MAIN_CNT, 2, 0, false);
	guest_write(HPET_MAIN_CNT + 2, 4, 0, false);
	guest_write(HPET_MAIN_CNT + 4, 8, 0, false);
	guest_write(HPET_MAIN_CNT + 1, 1, 0, false);
	guest_write(HPET_GCAP_ID, 8, 0, false);
	guest_write(HPET_GCAP_ID + 4, 4, 0, false);
	guest_write(HPET_TN_CONF_REG(0), 2, 0, false);
	guest_write(HPET_TN_CONF_REG(0) + 4, 4, 0, false);
	guest_write(HPET_TN_CMP_REG(1) + 3, 4, 0, false);
	guest_write(HPET_TN_FSB_REG(2) + 6, 2, 0, false);
	guest_write(HPET_TN_BASE + HPET_NUM_TIMERS * HPET_TN_STRIDE, 8, ~0ULL, false);
	guest_write(HPET_MMIO_LEN - 8, 8, ~0ULL, false);
	guest_check_reads();

	/* Still halted: the 1-byte write of ENABLE_CNF did not start it. */
	n = guest_read(HPET_MAIN_CNT, 8);
	GUEST_ASSERT_EQ(n, COUNTER_VALUE);
	GUEST_SYNC2(1, fast);
	GUEST_SYNC2(2, slow);
	GUEST_DONE();
}

FIXTURE(widths) {
	struct hpet_vm h;
};

FIXTURE_VARIANT(widths) {
	bool accel;
};

FIXTURE_VARIANT_ADD(widths, fast_path) {
	.accel = true,
};

FIXTURE_VARIANT_ADD(widths, userspace_model) {
	.accel = false,
};

FIXTURE_SETUP(widths)
{
	hpet_vm_create(&self->h, 1, guest_code, variant->accel);
}

FIXTURE_TEARDOWN(widths)
{
	hpet_vm_destroy(&self->h);
}

TEST_F(widths, sweep)
{
	struct hpet_vm *h = &self->h;
	uint64_t fast, slow;

	fast = hpet_vcpu_sync(h, 0, 1);
	slow = hpet_vcpu_sync(h, 0, 2);
	hpet_vcpu_done(h, 0);
	ksft_print_msg("%lu accesses the fast path serves, %lu it declines; %lu exits\n",
		       fast, slow, hpet_vm_exits(h));
	if (variant->accel) {
		TEST_ASSERT_EQ(hpet_vm_exits(h), slow);
		accel_assert_counters(h->link_id, fast, slow, 0);
	} else {
		TEST_ASSERT_EQ(hpet_vm_exits(h), fast + slow);
	}
}

TEST_HARNESS_MAIN
