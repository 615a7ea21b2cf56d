// SPDX-License-Identifier: GPL-2.0
/*
 * Guards how the IDE object's two port ranges attach.  ide.bpf.o holds two
 * kvm_accel_ops maps, ide_cmd (0x1f0-0x1f7) and ide_ctl (0x3f6), over one
 * register file.  Attached one after the other with share_maps_with, a
 * store through the VMM's mapping of one is seen through the other and by
 * the programs of both ranges (a guest reads the alternate status through
 * ide_ctl and a taskfile register through ide_cmd).  Without a map name the
 * object is refused as ambiguous (-ENOTUNIQ); sharing with a device that is
 * not attached is refused (-EINVAL) with nothing attached; without sharing
 * the second attachment has a register file of its own.
 */
#include "kselftest_harness.h"
#include "ide_vm.h"

static void guest_code(void)
{
	GUEST_SYNC_ARGS(0, ide_inb(IDE_ALT_PORT), ide_reg_in(ATA_REG_LBAL), 0, 0);
	GUEST_DONE();
}

static struct kvm_accel_dev *attach(struct kvm_vm *vm, const char *map,
				    const struct kvm_accel_dev *share)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .map_name = map, .share_maps_with = share);
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
	struct kvm_accel_dev *cmd, *ctl;
	struct ide_regfile *r, *rc;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	cmd = attach(vm, IDE_CMD_MAP, NULL);
	ctl = attach(vm, IDE_CTL_MAP, cmd);
	r = regfile(cmd);
	rc = regfile(ctl);
	TEST_ASSERT(r != rc, "one mapping for two devices");

	r->drives = 1;
	r->status[0] = ATA_DRDY | ATA_DSC | ATA_ERR;
	r->tf[ATA_REG_LBAL] = 0x5a;
	TEST_ASSERT_EQ(rc->status[0], ATA_DRDY | ATA_DSC | ATA_ERR);
	rc->tf[ATA_REG_LBAL] = 0xa5;
	TEST_ASSERT_EQ(r->tf[ATA_REG_LBAL], 0xa5);

	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[2], ATA_DRDY | ATA_DSC | ATA_ERR);
	TEST_ASSERT_EQ(uc.args[3], 0xa5);
	accel_assert_counters(accel_link_id(cmd), 1, 0, 0);
	accel_assert_counters(accel_link_id(ctl), 1, 0, 0);
	vcpu_run(vcpu);
	TEST_ASSERT_EQ(get_ucall(vcpu, &uc), UCALL_DONE);

	TEST_ASSERT_EQ(kvm_accel_detach(ctl), 0);
	TEST_ASSERT_EQ(kvm_accel_detach(cmd), 0);
	kvm_vm_free(vm);
}

TEST(refused)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .map_name = IDE_CMD_MAP);
	struct kvm_accel_dev *opened, *dev, *cmd, *ctl;
	int before, ret;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	before = kvm_accel_list(NULL, 0);
	TEST_ASSERT(before >= 0, "kvm_accel_list: %s", strerror(-before));

	ret = kvm_accel_attach(accel_build_path(IDE_OBJ), vm->fd, NULL, &dev);
	TEST_ASSERT_EQ(ret, -ENOTUNIQ);

	ret = kvm_accel_open(accel_build_path(IDE_OBJ), &opts, &opened);
	TEST_ASSERT(!ret, "kvm_accel_open: %s", strerror(-ret));
	opts.map_name = IDE_CTL_MAP;
	opts.share_maps_with = opened;
	ret = kvm_accel_attach(accel_build_path(IDE_OBJ), vm->fd, &opts, &dev);
	TEST_ASSERT_EQ(ret, -EINVAL);
	TEST_ASSERT_EQ(kvm_accel_list(NULL, 0), before);
	kvm_accel_detach(opened);

	/* Not shared: two register files. */
	cmd = attach(vm, IDE_CMD_MAP, NULL);
	ctl = attach(vm, IDE_CTL_MAP, NULL);
	regfile(cmd)->status[0] = ATA_DRDY;
	TEST_ASSERT_EQ(regfile(ctl)->status[0], 0);
	TEST_ASSERT_EQ(kvm_accel_list(NULL, 0), before + 2);
	kvm_accel_detach(ctl);
	kvm_accel_detach(cmd);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
