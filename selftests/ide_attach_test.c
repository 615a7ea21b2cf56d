// SPDX-License-Identifier: GPL-2.0
/*
 * Guards how the IDE object's two port ranges attach.  ide.bpf.o holds two
 * kvm_accel_ops maps, ide_cmd (0x1f0-0x1f7) and ide_ctl (0x3f6), over one
 * register file.  Attached in one call (kvm_accel_attach_opts.maps), a
 * store through the VMM's mapping is seen by the programs of both ranges
 * (a guest reads the alternate status through ide_ctl and a taskfile
 * register through ide_cmd), and each range counts as an attachment of its
 * own.  Without a map name the object is refused as ambiguous
 * (-ENOTUNIQ); attached in two calls, one map each, the second attachment
 * has a register file of its own.
 */
#include "kselftest_harness.h"
#include "ide_vm.h"

static void guest_code(void)
{
	GUEST_SYNC_ARGS(0, ide_inb(IDE_ALT_PORT), ide_reg_in(ATA_REG_LBAL), 0, 0);
	GUEST_DONE();
}

static struct kvm_accel_dev *attach(struct kvm_vm *vm, const char *map)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .map_name = map);
	struct kvm_accel_dev *dev;
	int ret;

	ret = kvm_accel_attach(accel_build_path(IDE_OBJ), vm->fd, &opts, &dev);
	TEST_ASSERT(!ret, "attaching %s: %s", map, strerror(-ret));
	return dev;
}

static struct ide_regfile *regfile(struct kvm_accel_dev *dev)
{
	struct ide_regfile *r;
	size_t size;

	r = kvm_accel_regfile(dev, ".bss", &size);
	TEST_ASSERT(r, "mapping the register file: %s", strerror(errno));
	TEST_ASSERT_EQ(size, sizeof(*r));
	return r;
}

TEST(two_ranges_one_register_file)
{
	struct kvm_accel_map_opts maps[] = { { .name = IDE_CMD_MAP }, { .name = IDE_CTL_MAP } };
	KVM_ACCEL_ATTACH_OPTS(opts, .maps = maps, .nr_maps = 2);
	struct kvm_accel_info cmd, ctl;
	struct kvm_accel_dev *dev;
	struct ide_regfile *r;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ret = kvm_accel_attach(accel_build_path(IDE_OBJ), vm->fd, &opts, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attaching: %s", strerror(-ret));
	ASSERT_EQ(kvm_accel_read_info(kvm_accel_link_id_at(dev, 0), &cmd), 0);
	ASSERT_EQ(kvm_accel_read_info(kvm_accel_link_id_at(dev, 1), &ctl), 0);
	EXPECT_EQ(cmd.base, IDE_CMD_BASE);
	EXPECT_EQ(ctl.base, IDE_CTL_BASE);
	r = regfile(dev);

	r->drives = 1;
	r->status[0] = ATA_DRDY | ATA_DSC | ATA_ERR;
	r->tf[ATA_REG_LBAL] = 0xa5;

	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[2], ATA_DRDY | ATA_DSC | ATA_ERR);
	TEST_ASSERT_EQ(uc.args[3], 0xa5);
	accel_assert_counters(cmd.link_id, 1, 0, 0);
	accel_assert_counters(ctl.link_id, 1, 0, 0);
	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_DONE);

	TEST_ASSERT_EQ(kvm_accel_detach(dev), 0);
	EXPECT_FALSE(accel_attached(cmd.link_id));
	EXPECT_FALSE(accel_attached(ctl.link_id));
	kvm_vm_free(vm);
}

TEST(refused)
{
	struct kvm_accel_dev *dev, *cmd, *ctl;
	int before, ret;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	before = kvm_accel_list(NULL, 0);
	TEST_ASSERT(before >= 0, "kvm_accel_list: %s", strerror(-before));

	ret = kvm_accel_attach(accel_build_path(IDE_OBJ), vm->fd, NULL, &dev);
	TEST_ASSERT_EQ(ret, -ENOTUNIQ);
	TEST_ASSERT_EQ(kvm_accel_list(NULL, 0), before);

	/* In two calls: two loads, two register files. */
	cmd = attach(vm, IDE_CMD_MAP);
	ctl = attach(vm, IDE_CTL_MAP);
	regfile(cmd)->status[0] = ATA_DRDY;
	TEST_ASSERT_EQ(regfile(ctl)->status[0], 0);
	TEST_ASSERT_EQ(kvm_accel_list(NULL, 0), before + 2);
	kvm_accel_detach(ctl);
	kvm_accel_detach(cmd);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
