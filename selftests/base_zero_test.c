// SPDX-License-Identifier: GPL-2.0
/*
 * Guards base 0: an attachment may start at port 0 (or address 0), asked
 * for with KVM_ACCEL_BASE_GIVEN (kvm_accel_attach_opts.flags) or `kvm-accel
 * attach --base 0`.  Without the flag a base of 0 still means "the
 * object's", so callers that leave it zero are unchanged.
 */
#include "kselftest_harness.h"
#include "accel_test_util.h"

static void guest_code(uint64_t base)
{
	uint64_t off;

	for (off = 0; off < REGFILE_PIO_LEN; off++)
		accel_guest_write(KVM_ACCEL_BUS_PIO, base + off, 1, 0x80 + off);
	for (off = 0; off < REGFILE_PIO_LEN; off++)
		GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, base + off, 1),
				off == REGFILE_DECLINE_OFFSET ? 0 : 0x80 + off);
	GUEST_DONE();
}

static __u64 base_of(struct kvm_accel_dev *dev)
{
	struct kvm_accel_info info;

	TEST_ASSERT_EQ(kvm_accel_read_info(accel_link_id(dev), &info), 0);
	return info.base;
}

TEST(port_0)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .base = 0, .flags = KVM_ACCEL_BASE_GIVEN);
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ret = kvm_accel_attach(accel_obj_path(accel_pio.obj), vm->fd, &opts, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach at 0: %s", strerror(-ret));
	EXPECT_EQ(base_of(dev), 0);

	vcpu_args_set(vcpu, 1, 0);
	/* The declined write (REGFILE_DECLINE_OFFSET) is the one exit. */
	vcpu_run(vcpu);
	ASSERT_EQ(vcpu->run->exit_reason, KVM_EXIT_IO);
	ASSERT_EQ(vcpu->run->io.port, REGFILE_DECLINE_OFFSET);
	vcpu_run(vcpu);
	ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_DONE);
	accel_assert_counters(accel_link_id(dev), 2 * REGFILE_PIO_LEN - 1, 1, 0);
	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

TEST(zero_without_the_flag_is_the_objects)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .base = 0);
	struct kvm_accel_dev *dev;
	struct kvm_vm *vm;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	ret = kvm_accel_attach(accel_obj_path(accel_pio.obj), vm->fd, &opts, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));
	EXPECT_EQ(base_of(dev), REGFILE_PIO_BASE);
	kvm_accel_detach(dev);

	/* A non-zero base needs no flag, as always. */
	opts.base = 0x5800;
	ret = kvm_accel_attach(accel_obj_path(accel_pio.obj), vm->fd, &opts, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));
	EXPECT_EQ(base_of(dev), 0x5800);
	kvm_accel_detach(dev);

	/* Unknown flags are refused. */
	opts.flags = 2;
	EXPECT_EQ(kvm_accel_attach(accel_obj_path(accel_pio.obj), vm->fd, &opts, &dev),
		  -EINVAL);
	kvm_vm_free(vm);
}

TEST(cli_base_0)
{
	char out[4096], err[4096], obj[PATH_MAX];
	struct kvm_accel_info info;
	struct kvm_vm *vm;
	unsigned int id;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	/* accel_cli() builds its own path in the same static buffer. */
	snprintf(obj, sizeof(obj), "%s", accel_obj_path(accel_pio.obj));
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err),
			    "-j attach %s --pid %d --fd %d --base 0 --pin",
			    obj, getpid(), vm->fd), 0);
	ASSERT_EQ(sscanf(out, "{\"id\":%u,", &id), 1);
	EXPECT_NE(strstr(out, "\"bus\":\"pio\",\"base\":0,\"length\":16,"), NULL);
	ASSERT_EQ(kvm_accel_read_info(id, &info), 0);
	EXPECT_EQ(info.base, 0);
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", id), 0);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
