// SPDX-License-Identifier: GPL-2.0
/*
 * Guards how libkvmaccel fills kvm_accel_ops: through a shadow type laid
 * out as bpf/kvm_accel.h declares the struct, after checking the object's
 * BTF against it.  An object whose members are in another order
 * (ops_reordered.bpf.o: len before base) is refused with -EINVAL and a
 * message naming the member, before anything is loaded; libbpf alone
 * would have loaded it, matching members by name.  An object built with
 * an older header, whose members are a prefix of today's
 * (ops_prefix.bpf.o: no budget members), attaches, and only a budget it
 * has no member for is refused.
 */
#include "kselftest_harness.h"
#include "accel_test_util.h"

static char last_msg[512];

static void keep_msg(const char *msg)
{
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
	ksft_print_msg("libkvmaccel: %s\n", msg);
}

TEST(reordered_members_refused)
{
	struct kvm_accel_dev *dev = NULL;
	struct kvm_vm *vm;
	int before;

	kvm_accel_set_print(keep_msg);
	last_msg[0] = '\0';
	/* Refused at open: no module, no VM needed. */
	EXPECT_EQ(kvm_accel_open(accel_obj_path("ops_reordered.bpf.o"), NULL, &dev), -EINVAL);
	EXPECT_EQ(dev, NULL);
	EXPECT_NE(strstr(last_msg, "map ops_reordered: kvm_accel_ops member 4 is 'len' at offset 24"),
		  NULL) TH_LOG("message: %s", last_msg);
	EXPECT_NE(strstr(last_msg, "expects 'base' at offset 24"), NULL);

	if (!kvm_accel_module_loaded()) {
		kvm_accel_set_print(NULL);
		SKIP(return, "kvm_accel not loaded: attach not tried");
	}
	vm = vm_create_barebones();
	before = kvm_accel_list(NULL, 0);
	EXPECT_EQ(kvm_accel_attach(accel_obj_path("ops_reordered.bpf.o"), vm->fd, NULL, &dev),
		  -EINVAL);
	EXPECT_EQ(kvm_accel_list(NULL, 0), before);
	kvm_vm_free(vm);
	kvm_accel_set_print(NULL);
}

TEST(silent_without_a_print_function)
{
	struct kvm_accel_dev *dev;

	last_msg[0] = '\0';
	kvm_accel_set_print(keep_msg);
	EXPECT_TRUE(kvm_accel_set_print(NULL) == keep_msg);
	EXPECT_EQ(kvm_accel_open(accel_obj_path("ops_reordered.bpf.o"), NULL, &dev), -EINVAL);
	EXPECT_STREQ(last_msg, "");
}

static void guest_code(void)
{
	GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, 0x5400, 1), 0x5a);
	GUEST_DONE();
}

TEST(older_header_prefix)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .budget_ns = 1000000);
	struct kvm_accel_budget_state b;
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);

	kvm_accel_set_print(keep_msg);
	last_msg[0] = '\0';
	EXPECT_EQ(kvm_accel_attach(accel_obj_path("ops_prefix.bpf.o"), vm->fd, &opts, &dev),
		  -EINVAL);
	EXPECT_NE(strstr(last_msg, "has no member budget_ns"), NULL) TH_LOG("message: %s", last_msg);
	kvm_accel_set_print(NULL);

	ret = kvm_accel_attach(accel_obj_path("ops_prefix.bpf.o"), vm->fd, NULL, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));
	vcpu_run(vcpu);
	ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_DONE);
	accel_assert_counters(accel_link_id(dev), 1, 0, 0);
	/* The module's default budget. */
	ASSERT_EQ(kvm_accel_read_budget(accel_link_id(dev), &b), 0);
	if (b.budget_ns)
		EXPECT_EQ(b.budget_ns, KVM_ACCEL_BUDGET_NS_DEFAULT);
	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
