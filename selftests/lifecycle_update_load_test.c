// SPDX-License-Identifier: GPL-2.0
/*
 * Guards replacing the programs of a live attachment under load: while four
 * vCPUs write and read back their registers as fast as they can, the test
 * swaps version 1 and version 2 of the device (lifecycle.h) through the
 * link for KA_LIFECYCLE_SECONDS: first with kvm_accel_update(), which loads
 * version 2 on the same register file, then back and forth between the two
 * loaded versions with BPF_LINK_UPDATE, the step kvm_accel_update() ends
 * with (loading an object takes the test VM a second or two).
 *  - No access is missed or handled twice, access by access: each write
 *    carries its index in the vCPU's sequence of accesses, and whichever
 *    version handles it finds exactly that many accesses handled before
 *    it, by either version (lifecycle.h).  In total, per vCPU, version 1's
 *    and version 2's counts add up to the accesses the guest made, and none
 *    exits to userspace.
 *  - The swap is atomic and final: each vCPU reads tag 1, then 2, then 1
 *    ... exactly once per swap, never the old version once the update has
 *    returned, and never back.
 *  - The register file and its mapping stay across every swap, and values
 *    are what the vCPU wrote.
 *  - All the while, unloading kvm_accel is refused.
 */
#include <fcntl.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "accel_test_harness.h"
#include "lifecycle_test_util.h"

/* Updates to run: a few at least, more while time is left. */
#define MIN_UPDATES	20
#define MAX_UPDATES	1000000

/* A descriptor of the struct_ops map @dev has now, kept by the test. */
static int ops_map_hold(struct kvm_accel_dev *dev)
{
	struct bpf_map *map;
	int fd;

	map = bpf_object__find_map_by_name(kvm_accel_object(dev), "lifecycle_dev");
	TEST_ASSERT(map, "no lifecycle_dev map");
	fd = fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 0);
	TEST_ASSERT(fd >= 0, "dup: %s", strerror(errno));
	return fd;
}

ACCEL_BUS_SUITE(update_load, &lifecycle_pio, &lifecycle_mmio);

TEST_F_TIMEOUT(update_load, swaps, 600)
{
	const struct accel_bus *bus = variant->bus;
	struct lifecycle_vm lifecycle_vm, *lv = &lifecycle_vm;
	__u64 accesses = 0, by[2] = {};
	struct lifecycle_unloader unloader;
	struct lifecycle_regs *regs;
	struct lifecycle_race race;
	struct kvm_accel_dev *dev;
	struct accel_refs before;
	__u32 link_id;
	int i, ret, ops[2];

	before = accel_refs();
	/* Phases: even version 1 (reads tagged 1), odd version 2 (2). */
	lifecycle_vm_create(lv, bus, 1, 2);
	dev = accel_attach(lv->vm, bus);
	link_id = accel_link_id(dev);
	regs = (struct lifecycle_regs *)accel_regs(dev);
	lifecycle_vm_start(lv, regs);
	lifecycle_unloader_start(&unloader);

	lifecycle_race_init(&race, MIN_UPDATES, MAX_UPDATES);
	ops[0] = ops_map_hold(dev);
	TEST_ASSERT(lifecycle_race_more(&race), "no update to run");
	lifecycle_phase_begin(lv);
	ret = kvm_accel_update(dev, accel_obj_path(LIFECYCLE_V2));
	TEST_ASSERT(!ret, "kvm_accel_update: %s", strerror(-ret));
	lifecycle_phase_end(lv);
	ops[1] = ops_map_hold(dev);

	/* Phase i runs version i % 2 + 1, from map ops[i % 2]. */
	for (i = 2; lifecycle_race_more(&race); i++) {
		lifecycle_phase_begin(lv);
		ret = bpf_link_update(kvm_accel_link_fd(dev), ops[i % 2], NULL);
		TEST_ASSERT(!ret, "update %d: %s", i, strerror(errno));
		lifecycle_phase_end(lv);
	}
	lifecycle_vm_stop(lv);
	lifecycle_unloader_stop(&unloader);

	TEST_ASSERT(accel_regs(dev) == (__u8 *)regs,
		    "the register file moved across updates");
	TEST_ASSERT_EQ(accel_link_id(dev), link_id);
	for (i = 0; i < LIFECYCLE_NR_VCPUS; i++) {
		lifecycle_check_vcpu(lv, regs, i);
		TEST_ASSERT(!lv->load.vcpus[i].vmm.exits, "vCPU %d: %llu exits",
			    i, lv->load.vcpus[i].vmm.exits);
		accesses += lv->stats[i].accesses;
		by[0] += regs->handled[0][0][i] + regs->handled[0][1][i];
		by[1] += regs->handled[1][0][i] + regs->handled[1][1][i];
	}
	accel_assert_counters(link_id, accesses, 0, 0);
	ksft_print_msg("%s: %u updates under load, %d vCPUs, %llu accesses: %llu by version 1, %llu by version 2\n",
		       bus->bus == KVM_ACCEL_BUS_PIO ? "pio" : "mmio", race.rounds,
		       LIFECYCLE_NR_VCPUS, accesses, by[0], by[1]);

	kvm_accel_detach(dev);
	close(ops[0]);
	close(ops[1]);
	kvm_vm_free(lv->vm);
	TEST_ASSERT(accel_wait_released(link_id, &before),
		    "attachment %u or a reference outlived the test", link_id);
}

TEST_HARNESS_MAIN
