// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the VM's lifetime against its attachment: an attachment does not
 * keep its VM alive.  A VMM that closes its VM (and vCPU) fds while attached
 * destroys the VM then and there (KVM's vendor module reference is given
 * back), and the attachment turns defunct: still listed, its counters
 * readable, its link open.  Closing the link then ends it and gives every
 * module reference back, with no kernel warning.
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

	TEST_ASSERT_EQ(info.state, KVM_ACCEL_STATE_LIVE);
	TEST_ASSERT(accel_module_refcnt(accel_kvm_vendor_module()) > before.kvm,
		    "the live VM holds no reference on %s", accel_kvm_vendor_module());

	/*
	 * Closes the vCPU, VM and /dev/kvm fds.  The last one destroys the VM
	 * before close() returns (KVM's release runs as task work on the way
	 * back to userspace), so the attachment is already defunct.
	 */
	kvm_vm_free(vm);
	ret = kvm_accel_wait_defunct(link_id, 0);
	TEST_ASSERT(!ret, "attachment %u not defunct after its VM was closed: %s",
		    link_id, strerror(-ret));
	TEST_ASSERT_EQ(accel_module_refcnt(accel_kvm_vendor_module()), before.kvm);
	TEST_ASSERT(accel_attached(link_id),
		    "attachment %u ended with the VM fd", link_id);
	ret = kvm_accel_read_info(link_id, &info);
	TEST_ASSERT(!ret, "kvm_accel_read_info of a defunct attachment: %s",
		    strerror(-ret));
	TEST_ASSERT_EQ(info.state, KVM_ACCEL_STATE_DEFUNCT);
	TEST_ASSERT_EQ(info.vm_pid, getpid());
	accel_assert_counters(link_id, NR_READS, 0, 0);

	/* Closing the only link fd ends the attachment. */
	kvm_accel_release(dev);
	TEST_ASSERT(accel_wait_released(link_id, &before),
		    "attachment %u or the VM outlived its link for %d ms",
		    link_id, ACCEL_RELEASE_TIMEOUT_MS);
}

TEST_HARNESS_MAIN
