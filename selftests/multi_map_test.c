// SPDX-License-Identifier: GPL-2.0
/*
 * Guards attaching several kvm_accel_ops maps of one object in one call
 * (kvm_accel_attach_opts.maps, `kvm-accel attach --map A --map B`).
 * multi_map.bpf.o has three maps over one register file; naming two
 * attaches exactly those two, each an attachment of its own with its own
 * counters, and one load: a byte the guest writes through one range reads
 * back through the other and in the VMM's mapping.  Each map may be moved
 * on its own.  The call attaches all or nothing: a map that cannot attach
 * (its range taken) leaves none attached.  kvm_accel_update() replaces the
 * programs of both and keeps the register file; detach ends both.
 */
#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "progs/multi_map.h"

#define MULTI_OBJ	"multi_map.bpf.o"

static void guest_code(uint64_t a, uint64_t b)
{
	uint64_t off;

	for (off = 0; off < MULTI_LEN; off++)
		accel_guest_write(KVM_ACCEL_BUS_PIO, a + off, 1, 0xa0 + off);
	for (off = 0; off < MULTI_LEN; off++)
		GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, b + off, 1), 0xa0 + off);
	GUEST_SYNC(1);
	/* The VMM stored a pattern: both ranges read it. */
	for (off = 0; off < MULTI_LEN; off++) {
		GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, a + off, 1), 0x50 + off);
		GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, b + off, 1), 0x50 + off);
	}
	GUEST_DONE();
}

/* Run until the next ucall; every access must have stayed in the kernel. */
static uint64_t run(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	uint64_t cmd;

	vcpu_run(vcpu);
	cmd = get_ucall(vcpu, uc);
	TEST_ASSERT(cmd != UCALL_NONE, "exit %u (port 0x%x) reached the VMM",
		    vcpu->run->exit_reason, vcpu->run->io.port);
	return cmd;
}

static int attach_maps(struct kvm_vm *vm, struct kvm_accel_map_opts *maps, __u32 nr,
		       struct kvm_accel_dev **devp)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .maps = maps, .nr_maps = nr);

	return kvm_accel_attach(accel_obj_path(MULTI_OBJ), vm->fd, &opts, devp);
}

/* Both ranges of @dev at @a and @b: the guest's round trip and the counters. */
static void check_shared(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
			 struct kvm_accel_dev *dev, __u64 a, __u64 b)
{
	struct regfile *regs;
	struct ucall uc;
	size_t size;
	int i;

	regs = kvm_accel_regfile(dev, ".bss", &size);
	TEST_ASSERT(regs, "mapping the register file: %s", strerror(errno));
	TEST_ASSERT_EQ(size, sizeof(*regs));
	vcpu_args_set(vcpu, 2, a, b);
	TEST_ASSERT_EQ(run(vcpu, &uc), UCALL_SYNC);
	for (i = 0; i < MULTI_LEN; i++) {
		TEST_ASSERT_EQ(regs->regs[i], 0xa0 + i);
		regs->regs[i] = 0x50 + i;
	}
	TEST_ASSERT_EQ(run(vcpu, &uc), UCALL_DONE);
	/* Written through a, read through b; then read through both. */
	accel_assert_counters(accel_link_id(dev), 2 * MULTI_LEN, 0, 0);
	accel_assert_counters(kvm_accel_link_id_at(dev, 1), 2 * MULTI_LEN, 0, 0);
}

TEST(two_maps_one_register_file)
{
	struct kvm_accel_map_opts maps[] = { { .name = "multi_a" }, { .name = "multi_b" } };
	struct kvm_accel_info ia, ib;
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int before, ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	before = kvm_accel_list(NULL, 0);
	ASSERT_GE(before, 0);
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ret = attach_maps(vm, maps, 2, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));

	/* Two attachments, the named maps only, in the order given. */
	ASSERT_EQ(kvm_accel_nr_maps(dev), 2);
	EXPECT_STREQ(kvm_accel_map_name(dev, 0), "multi_a");
	EXPECT_STREQ(kvm_accel_map_name(dev, 1), "multi_b");
	EXPECT_EQ(kvm_accel_map_name(dev, 2), NULL);
	EXPECT_EQ(kvm_accel_link_id_at(dev, 2), -EINVAL);
	ASSERT_EQ(kvm_accel_list(NULL, 0), before + 2);
	ASSERT_EQ(kvm_accel_read_info(kvm_accel_link_id_at(dev, 0), &ia), 0);
	ASSERT_EQ(kvm_accel_read_info(kvm_accel_link_id_at(dev, 1), &ib), 0);
	EXPECT_STREQ(ia.name, "multi_a");
	EXPECT_EQ(ia.base, MULTI_A_BASE);
	EXPECT_STREQ(ib.name, "multi_b");
	EXPECT_EQ(ib.base, MULTI_B_BASE);
	EXPECT_NE(ia.link_id, ib.link_id);

	check_shared(vm, vcpu, dev, MULTI_A_BASE, MULTI_B_BASE);

	ASSERT_EQ(kvm_accel_detach(dev), 0);
	EXPECT_EQ(kvm_accel_list(NULL, 0), before);
	kvm_vm_free(vm);
}

TEST(each_map_moved)
{
	struct kvm_accel_map_opts maps[] = {
		{ .name = "multi_b", .base = 0x6100 },
		{ .name = "multi_a", .base = 0x6000, .len = MULTI_LEN },
	};
	struct kvm_accel_info info;
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	ret = attach_maps(vm, maps, 2, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));
	ASSERT_EQ(kvm_accel_read_info(kvm_accel_link_id_at(dev, 0), &info), 0);
	EXPECT_STREQ(info.name, "multi_b");
	EXPECT_EQ(info.base, 0x6100);
	ASSERT_EQ(kvm_accel_read_info(kvm_accel_link_id_at(dev, 1), &info), 0);
	EXPECT_STREQ(info.name, "multi_a");
	EXPECT_EQ(info.base, 0x6000);
	/* Map 0 is multi_b here: the guest writes through b, reads through a. */
	check_shared(vm, vcpu, dev, 0x6100, 0x6000);
	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

TEST(all_or_nothing)
{
	/* multi_b moved onto multi_a's range: the second link cannot attach. */
	struct kvm_accel_map_opts maps[] = {
		{ .name = "multi_a" },
		{ .name = "multi_b", .base = MULTI_A_BASE },
	};
	struct kvm_accel_dev *dev = NULL;
	struct kvm_vm *vm;
	int before, ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	before = kvm_accel_list(NULL, 0);
	ASSERT_GE(before, 0);
	ret = attach_maps(vm, maps, 2, &dev);
	EXPECT_EQ(ret, -EEXIST);
	EXPECT_EQ(dev, NULL);
	EXPECT_EQ(kvm_accel_list(NULL, 0), before);
	/* And the range is free again. */
	ret = attach_maps(vm, maps, 1, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));
	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

TEST(refused_options)
{
	struct kvm_accel_map_opts twice[] = { { .name = "multi_a" }, { .name = "multi_a" } };
	struct kvm_accel_map_opts nameless[] = { { .name = "multi_a" }, { .name = NULL } };
	struct kvm_accel_map_opts missing[] = { { .name = "multi_a" }, { .name = "nope" } };
	struct kvm_accel_map_opts reserved[] = { { .name = "multi_a", .reserved = { 1 } } };
	struct kvm_accel_map_opts two[] = { { .name = "multi_a" }, { .name = "multi_b" } };
	struct kvm_accel_map_opts many[KVM_ACCEL_MAX_MAPS + 1] = { };
	const char *obj = accel_obj_path(MULTI_OBJ);
	struct kvm_accel_dev *dev;
	int i;

	for (i = 0; i <= KVM_ACCEL_MAX_MAPS; i++)
		many[i].name = "multi_a";
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = twice, .nr_maps = 2 },
		&dev), -EINVAL);
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = nameless, .nr_maps = 2 },
		&dev), -EINVAL);
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = missing, .nr_maps = 2 },
		&dev), -ENOMSG);
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = reserved, .nr_maps = 1 },
		&dev), -EINVAL);
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = many,
		.nr_maps = KVM_ACCEL_MAX_MAPS + 1 }, &dev), -EINVAL);
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = two, .nr_maps = 0 },
		&dev), -EINVAL);
	/* The single-map fields say nothing when each map says its own. */
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = two, .nr_maps = 2,
		.map_name = "multi_a" }, &dev), -EINVAL);
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = two, .nr_maps = 2,
		.base = 0x6000 }, &dev), -EINVAL);
	/* One pin path cannot hold two links. */
	EXPECT_EQ(kvm_accel_open(obj, &(struct kvm_accel_attach_opts){
		.sz = sizeof(struct kvm_accel_attach_opts), .maps = two, .nr_maps = 2,
		.pin_path = "/sys/fs/bpf/x" }, &dev), -EINVAL);
	/* Without names the object is ambiguous, as before. */
	EXPECT_EQ(kvm_accel_open(obj, NULL, &dev), -ENOTUNIQ);
}

TEST(update_both)
{
	struct kvm_accel_map_opts maps[] = { { .name = "multi_a" }, { .name = "multi_b" } };
	struct kvm_accel_dev *dev;
	struct regfile *regs, *again;
	struct kvm_vm *vm;
	__u32 ida, idb;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	ret = attach_maps(vm, maps, 2, &dev);
	ASSERT_EQ(ret, 0) TH_LOG("attach: %s", strerror(-ret));
	ida = kvm_accel_link_id_at(dev, 0);
	idb = kvm_accel_link_id_at(dev, 1);
	regs = kvm_accel_regfile(dev, ".bss", NULL);
	ASSERT_NE(regs, NULL);
	regs->regs[3] = 0x33;
	ret = kvm_accel_update(dev, accel_obj_path(MULTI_OBJ));
	ASSERT_EQ(ret, 0) TH_LOG("update: %s", strerror(-ret));
	EXPECT_EQ(kvm_accel_link_id_at(dev, 0), (int)ida);
	EXPECT_EQ(kvm_accel_link_id_at(dev, 1), (int)idb);
	again = kvm_accel_regfile(dev, ".bss", NULL);
	EXPECT_EQ(again, regs);
	EXPECT_EQ(again->regs[3], 0x33);
	EXPECT_EQ(kvm_accel_reenable(dev), 0);
	ASSERT_EQ(kvm_accel_detach(dev), 0);
	EXPECT_FALSE(accel_attached(ida));
	EXPECT_FALSE(accel_attached(idb));
	kvm_vm_free(vm);
}

/* The id of the JSON object on line @line of @out, 0 if none. */
static __u32 json_id(const char *out, int line)
{
	const char *p = out;
	unsigned int id;

	while (line-- > 0 && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (!p || sscanf(p, "{\"id\":%u,", &id) != 1)
		return 0;
	return id;
}

TEST(cli_several_maps)
{
	char out[4096], err[4096], obj[PATH_MAX];
	struct kvm_accel_info info;
	struct kvm_vm *vm;
	__u32 ida, idb;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_barebones();
	/* accel_cli() builds its own path in the same static buffer. */
	snprintf(obj, sizeof(obj), "%s", accel_obj_path(MULTI_OBJ));
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err),
			    "-j attach %s --pid %d --fd %d --map multi_a --base 0x6200 --map multi_b --pin",
			    obj, getpid(), vm->fd), 0);
	/* One JSON object per attachment, one a line. */
	ida = json_id(out, 0);
	idb = json_id(out, 1);
	ASSERT_NE(ida, 0);
	ASSERT_NE(idb, 0);
	EXPECT_EQ(json_id(out, 2), 0);
	EXPECT_NE(strstr(out, "\"name\":\"multi_a\",\"bus\":\"pio\",\"base\":25088,"), NULL);
	EXPECT_NE(strstr(out, "\"name\":\"multi_b\",\"bus\":\"pio\",\"base\":21248,"), NULL);
	ASSERT_EQ(kvm_accel_read_info(ida, &info), 0);
	EXPECT_EQ(info.base, 0x6200);
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", ida), 0);
	ASSERT_EQ(accel_cli(out, sizeof(out), err, sizeof(err), "detach %u", idb), 0);
	EXPECT_FALSE(accel_attached(ida));
	EXPECT_FALSE(accel_attached(idb));
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
