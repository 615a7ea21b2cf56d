// SPDX-License-Identifier: GPL-2.0
/*
 * Guards what libkvmaccel.h promises of kvm_accel_update(): the VM, the
 * range and the eventfds stay those of the attachment, and the module
 * refuses a change.  The library passes the attach-time descriptor numbers
 * again; if one of them now names another eventfd, the update must fail
 * with EINVAL and leave the old programs attached.  The same eventfd under
 * the same number updates.
 */
#include <sys/eventfd.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "progs/lifecycle.h"

TEST(update_keeps_eventfds)
{
	int efd[2], keep, other, ret;
	KVM_ACCEL_ATTACH_OPTS(opts, .bus = KVM_ACCEL_BUS_PIO,
			      .base = LIFECYCLE_PIO_BASE, .len = LIFECYCLE_LEN,
			      .eventfds = efd, .nr_eventfds = 2);
	struct kvm_accel_dev *dev;
	struct kvm_vm *vm;
	__u32 link_id;

	vm = vm_create_barebones();
	efd[0] = eventfd(0, EFD_CLOEXEC);
	efd[1] = eventfd(0, EFD_CLOEXEC);
	ASSERT_TRUE(efd[0] >= 0 && efd[1] >= 0);
	ret = kvm_accel_attach(accel_obj_path("lifecycle_v1.bpf.o"), vm->fd, &opts, &dev);
	ASSERT_EQ(ret, 0);
	link_id = accel_link_id(dev);

	/* Descriptor efd[1] now names another eventfd. */
	keep = dup(efd[1]);
	other = eventfd(0, EFD_CLOEXEC);
	ASSERT_TRUE(keep >= 0 && other >= 0);
	ASSERT_EQ(dup2(other, efd[1]), efd[1]);
	ret = kvm_accel_update(dev, accel_obj_path("lifecycle_v2.bpf.o"));
	EXPECT_EQ(ret, -EINVAL);
	EXPECT_EQ(accel_link_id(dev), link_id);

	/* Back to the attachment's own: the update goes through. */
	ASSERT_EQ(dup2(keep, efd[1]), efd[1]);
	ret = kvm_accel_update(dev, accel_obj_path("lifecycle_v2.bpf.o"));
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(accel_link_id(dev), link_id);

	EXPECT_EQ(kvm_accel_detach(dev), 0);
	close(keep);
	close(other);
	close(efd[0]);
	close(efd[1]);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
