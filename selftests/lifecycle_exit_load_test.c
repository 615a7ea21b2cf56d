// SPDX-License-Identifier: GPL-2.0
/*
 * The lifecycle tests' load with nothing attached: four vCPUs write and read
 * back their registers as fast as they can for KA_LIFECYCLE_SECONDS, and
 * every access exits to the VMM, which serves it from a plain register file
 * in anonymous memory.  No kvm_accel is involved, so this runs with the
 * module unloaded too: it is the control of the lifecycle soak
 * (scripts/lifecycle-soak.sh, ka.soak_control=1), the same vCPU threads and
 * exits as the load tests minus the module, to tell the emulator's faults
 * from the module's.  In the suite it checks the slow path those tests lean
 * on: each access handled exactly once, in order, per vCPU (lifecycle.h),
 * every read returning what the vCPU wrote, untagged.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "lifecycle_test_util.h"

FIXTURE(exit_load) {};
FIXTURE_VARIANT(exit_load) {
	const struct accel_bus *bus;
};
FIXTURE_VARIANT_ADD(exit_load, pio) {
	.bus = &lifecycle_pio,
};
FIXTURE_VARIANT_ADD(exit_load, mmio) {
	.bus = &lifecycle_mmio,
};
FIXTURE_SETUP(exit_load) {}
FIXTURE_TEARDOWN(exit_load) {}

TEST_F_TIMEOUT(exit_load, served, 600)
{
	struct lifecycle_vm lifecycle_vm, *lv = &lifecycle_vm;
	struct lifecycle_regs *regs;
	struct lifecycle_race race;
	__u64 accesses = 0;
	unsigned int waits;
	int i;

	regs = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(regs != MAP_FAILED, "mmap: %s", strerror(errno));
	/* One phase, 0, whose reads the VMM answers: tag 0. */
	lifecycle_vm_create(lv, variant->bus, 0, 1);
	lifecycle_vm_start(lv, regs);

	lifecycle_race_init(&race, 1, 1000000);
	for (waits = 0; lifecycle_race_more(&race); waits++)
		accel_load_wait(&lv->load, 1, 0);
	lifecycle_vm_stop(lv);

	for (i = 0; i < LIFECYCLE_NR_VCPUS; i++) {
		lifecycle_check_vcpu(lv, regs, i);
		TEST_ASSERT_EQ(lv->stats[i].reads[1] + lv->stats[i].reads[2], 0);
		accesses += lv->stats[i].accesses;
	}
	TEST_ASSERT_EQ(lifecycle_handled_total(regs), 0);
	ksft_print_msg("%s: %d vCPUs, %llu accesses, all served by the VMM, in %u waits\n",
		       variant->bus->bus == KVM_ACCEL_BUS_PIO ? "pio" : "mmio",
		       LIFECYCLE_NR_VCPUS, accesses, waits);
	kvm_vm_free(lv->vm);
	munmap(regs, getpagesize());
}

TEST_HARNESS_MAIN
