// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the register file as shared memory between the VMM and the fast
 * path: what the VMM stores through its mapping, at any time, is what the
 * guest reads next, and what the guest writes is in the VMM's mapping as
 * soon as the vCPU stops, with no access leaving the kernel.
 */
#include "accel_test_harness.h"

#define SEED_VMM_1	5
#define SEED_VMM_2	6
#define SEED_GUEST	7

/* The pattern the guest expects to read, set by the VMM. */
static uint64_t vmm_seed;

static void guest_check_vmm_seed(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t off, seed = READ_ONCE(vmm_seed);

	for (off = 0; off < len; off++)
		GUEST_ASSERT_EQ(accel_guest_read(bus, base + off, 1),
				accel_pattern(seed, off));
}

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t off;

	guest_check_vmm_seed(bus, base, len);
	GUEST_SYNC(1);
	guest_check_vmm_seed(bus, base, len);
	GUEST_SYNC(2);
	for (off = 0; off < len; off++)
		if (off != REGFILE_DECLINE_OFFSET)
			accel_guest_write(bus, base + off, 1,
					  accel_pattern(SEED_GUEST, off));
	GUEST_DONE();
}

static void vmm_store(struct accel_fixture *f, uint64_t seed)
{
	accel_fill(f->regs, seed);
	vmm_seed = seed;
	sync_global_to_guest(f->vm, vmm_seed);
}

ACCEL_TEST_SUITE(regfile_shared);

ACCEL_TEST(regfile_shared, both_ways, guest_code)
{
	const __u64 len = f->bus->len;
	__u64 off;

	/* VMM to guest, before the guest runs and while it is stopped. */
	vmm_store(f, SEED_VMM_1);
	accel_vmm_sync(&f->vmm, 1);
	vmm_store(f, SEED_VMM_2);
	accel_vmm_sync(&f->vmm, 2);

	/* Guest to VMM. */
	accel_vmm_done(&f->vmm);
	for (off = 0; off < len; off++) {
		__u8 want = off == REGFILE_DECLINE_OFFSET ?
			    accel_pattern(SEED_VMM_2, off) :
			    accel_pattern(SEED_GUEST, off);

		TEST_ASSERT(f->regs[off] == want,
			    "register %llu is 0x%02x, expected 0x%02x", off,
			    f->regs[off], want);
	}

	TEST_ASSERT_EQ(f->vmm.exits, 0);
	accel_assert_counters(f->link_id, 3 * len - 1, 0, 0);
}

TEST_HARNESS_MAIN
