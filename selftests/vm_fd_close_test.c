// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the VM's lifetime against its attachment: a VMM that closes its VM
 * (and vCPU) fds while attached does not free the VM under the device, the
 * attachment holds it; closing the link then ends the attachment, destroys
 * the VM and gives every module reference back, with no kernel warning.
 */
#include "kselftest_harness.h"
#include "accel_test_util.h"

#define NR_READS	1000

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < NR_READS; i++)
		GUEST_ASSERT_EQ(accel_guest_read(bus, base, 4), 0);
	GUEST_DONE();
}

TEST(vm_fd_closed_while_attached)
{
	const struct accel_bus *bus = &accel_pio;
	struct kvm_accel_info info;
	struct accel_refs before;
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct accel_vmm vmm;
	struct kvm_vm *vm;
	__u32 link_id;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	before = accel_refs();

	vm = accel_vm_create(&vcpu, bus, guest_code);
	dev = accel_attach(vm, bus);
	link_id = accel_link_id(dev);
	accel_vmm_init(&vmm, vcpu, bus, accel_regs(dev));
	accel_vmm_done(&vmm);
	TEST_ASSERT_EQ(vmm.exits, 0);
	accel_assert_counters(link_id, NR_READS, 0, 0);

	ret = kvm_accel_read_info(link_id, &info);
	TEST_ASSERT(!ret, "kvm_accel_read_info: %s", strerror(-ret));
	TEST_ASSERT_EQ(info.vm_pid, getpid());

	/* Closes the vCPU, VM and /dev/kvm fds: only the attachment is left. */
	kvm_vm_free(vm);
	TEST_ASSERT(accel_attached(link_id),
		    "attachment %u ended with the VM fd", link_id);
	TEST_ASSERT(accel_module_refcnt(accel_kvm_vendor_module()) > before.kvm,
		    "the VM was destroyed while still attached");
	accel_assert_counters(link_id, NR_READS, 0, 0);

	/* Closing the only link fd ends the attachment and frees the VM. */
	kvm_accel_release(dev);
	TEST_ASSERT(accel_wait_released(link_id, &before),
		    "attachment %u or the VM outlived its link for %d ms",
		    link_id, ACCEL_RELEASE_TIMEOUT_MS);
}

TEST_HARNESS_MAIN
