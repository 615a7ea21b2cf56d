// SPDX-License-Identifier: GPL-2.0
/*
 * Guards per-VM state: the same device object attached to two VMs is two
 * devices.  Each guest writes its own pattern, and neither register file
 * nor either guest's reads see the other VM's writes, however the two
 * vCPUs interleave.
 */
#include "accel_test_harness.h"

#define SEED_A		9
#define SEED_B		10

/* Each VM gets its own copy through sync_global_to_guest(). */
static uint64_t guest_seed;

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t off, seed = READ_ONCE(guest_seed);

	for (off = 0; off < len; off++)
		if (off != REGFILE_DECLINE_OFFSET)
			accel_guest_write(bus, base + off, 1, accel_pattern(seed, off));
	GUEST_SYNC(1);
	for (off = 0; off < len; off++)
		if (off != REGFILE_DECLINE_OFFSET)
			GUEST_ASSERT_EQ(accel_guest_read(bus, base + off, 1),
					accel_pattern(seed, off));
	GUEST_DONE();
}

static void assert_pattern(const __u8 *regs, __u64 len, uint64_t seed)
{
	__u64 off;

	for (off = 0; off < len; off++)
		TEST_ASSERT(off == REGFILE_DECLINE_OFFSET ||
			    regs[off] == accel_pattern(seed, off),
			    "register %llu is 0x%02x, expected 0x%02x", off,
			    regs[off], accel_pattern(seed, off));
}

ACCEL_TEST_SUITE(two_vms);

ACCEL_TEST(two_vms, separate_state, guest_code)
{
	const __u64 len = f->bus->len;
	struct kvm_accel_dev *dev_b;
	struct accel_vmm vmm_b;
	struct kvm_vcpu *vcpu_b;
	struct kvm_vm *vm_b;
	__u32 link_b;
	__u8 *regs_b;

	vm_b = accel_vm_create(&vcpu_b, f->bus, guest_code);
	dev_b = accel_attach(vm_b, f->bus);
	link_b = accel_link_id(dev_b);
	regs_b = accel_regs(dev_b);
	accel_vmm_init(&vmm_b, vcpu_b, f->bus, regs_b);
	TEST_ASSERT(link_b != f->link_id, "both attachments are link %u", link_b);
	TEST_ASSERT(regs_b != f->regs, "both register files at %p", regs_b);

	guest_seed = SEED_A;
	sync_global_to_guest(f->vm, guest_seed);
	guest_seed = SEED_B;
	sync_global_to_guest(vm_b, guest_seed);

	accel_vmm_sync(&f->vmm, 1);
	accel_vmm_sync(&vmm_b, 1);
	assert_pattern(f->regs, len, SEED_A);
	assert_pattern(regs_b, len, SEED_B);

	accel_vmm_done(&f->vmm);
	accel_vmm_done(&vmm_b);

	TEST_ASSERT_EQ(f->vmm.exits, 0);
	TEST_ASSERT_EQ(vmm_b.exits, 0);
	accel_assert_counters(f->link_id, 2 * (len - 1), 0, 0);
	accel_assert_counters(link_b, 2 * (len - 1), 0, 0);

	kvm_accel_detach(dev_b);
	kvm_vm_free(vm_b);
}

TEST_HARNESS_MAIN
