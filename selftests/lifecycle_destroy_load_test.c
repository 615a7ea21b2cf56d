// SPDX-License-Identifier: GPL-2.0
/*
 * Guards teardown under load, racing attempts to unload the module.  For
 * KA_LIFECYCLE_SECONDS per test (NR_ROUNDS at least, alternating buses),
 * while four vCPUs hammer an attachment:
 *  - vm_closed: the VMM closes its VM fd; the guests are still handled in
 *    the kernel; it stops them and closes the vCPU fds, which destroys the
 *    VM: the attachment does not hold it, and is left defunct with its
 *    counters; closing the link then ends it;
 *  - vmm_killed: the VMM process is killed with SIGKILL, and its
 *    attachment, its VM and their references go with it.
 * All the while a thread tries to unload kvm_accel (delete_module with
 * O_NONBLOCK).  Something is always attached (the fixture keeps an
 * attachment of its own until the end), so every attempt must fail with
 * EWOULDBLOCK or EBUSY.  Once the link's close (or the VMM's death, which
 * closes it) has returned, the attachment and its VM are gone, with
 * nothing to wait for: KVM's vendor module has the references it had
 * before.  At the end kvm_accel's count is back too (after the grace
 * periods of the struct_ops maps) and /sys/kernel/kvm_accel has no entry
 * left.  The module is not unloaded here: module_unload_test does that,
 * last.
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "lifecycle_test_util.h"

#define NR_ROUNDS	3	/* VMs destroyed per test at least */
#define MAX_ROUNDS	1000

FIXTURE(destroy) {
	struct accel_refs before;	/* when the test began */
	struct accel_refs anchored;	/* with the fixture's attachment */
	int entries;			/* in /sys/kernel/kvm_accel at first */
	struct kvm_vm *anchor_vm;
	struct kvm_accel_dev *anchor;
	struct lifecycle_unloader unloader;
};

FIXTURE_SETUP(destroy)
{
	TEST_REQUIRE(kvm_accel_module_loaded());
	self->before = accel_refs();
	self->entries = accel_dir_entries(KVM_ACCEL_SYSFS_DIR);
	self->anchor_vm = vm_create(1);
	self->anchor = accel_attach(self->anchor_vm, &lifecycle_pio);
	self->anchored = accel_refs();
	lifecycle_unloader_start(&self->unloader);
}

FIXTURE_TEARDOWN(destroy)
{
	int entries;

	lifecycle_unloader_stop(&self->unloader);
	kvm_accel_detach(self->anchor);
	kvm_vm_free(self->anchor_vm);
	TEST_ASSERT(accel_wait_released(0, &self->before),
		    "after %d ms kvm_accel has %ld references and %s %ld, %ld and %ld before; %d attachments listed",
		    ACCEL_RELEASE_TIMEOUT_MS, accel_module_refcnt("kvm_accel"),
		    accel_kvm_vendor_module(),
		    accel_module_refcnt(accel_kvm_vendor_module()),
		    self->before.accel, self->before.kvm,
		    accel_dir_entries(KVM_ACCEL_SYSFS_DIR));
	entries = accel_dir_entries(KVM_ACCEL_SYSFS_DIR);
	TEST_ASSERT(entries == self->entries, "%s has %d entries, had %d",
		    KVM_ACCEL_SYSFS_DIR, entries, self->entries);
}

static const struct accel_bus *round_bus(int round)
{
	return round % 2 ? &lifecycle_mmio : &lifecycle_pio;
}

TEST_F_TIMEOUT(destroy, vm_closed, 600)
{
	struct lifecycle_regs *regs;
	struct lifecycle_race race;
	struct kvm_accel_dev *dev;
	struct lifecycle_vm lv;
	__u64 handled, accesses = 0;
	int round, i, devnull;
	__u32 link_id;

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	TEST_ASSERT(devnull >= 0, "/dev/null: %s", strerror(errno));

	lifecycle_race_init(&race, NR_ROUNDS, MAX_ROUNDS);
	for (round = 0; lifecycle_race_more(&race); round++) {
		/* One phase: reads are all the program's (tag 1). */
		lifecycle_vm_create(&lv, round_bus(round), 1, 1);
		dev = accel_attach(lv.vm, lv.bus);
		link_id = accel_link_id(dev);
		regs = (struct lifecycle_regs *)accel_regs(dev);
		lifecycle_vm_start(&lv, regs);

		/*
		 * Close the VM fd under the running vCPUs.  /dev/null takes
		 * its number, so the library closes that one later.
		 */
		TEST_ASSERT(dup3(devnull, lv.vm->fd, O_CLOEXEC) == lv.vm->fd,
			    "dup3: %s", strerror(errno));
		handled = lifecycle_handled_total(regs);
		accel_load_wait(&lv.load, 2, 0);
		TEST_ASSERT(lifecycle_handled_total(regs) > handled,
			    "no access handled after the VM fd was closed");

		/*
		 * Stop the guests, close the vCPU and /dev/kvm fds: the last
		 * close destroys the VM before it returns.
		 */
		lifecycle_vm_stop(&lv);
		kvm_vm_release(lv.vm);
		TEST_ASSERT(accel_attached(link_id),
			    "attachment %u ended with the VM's fds", link_id);
		TEST_ASSERT(!kvm_accel_wait_defunct(link_id, 0),
			    "attachment %u is not defunct without its VM", link_id);
		TEST_ASSERT(accel_module_refcnt(accel_kvm_vendor_module()) ==
			    self->anchored.kvm, "the attachment kept its VM alive");
		for (i = 0; i < LIFECYCLE_NR_VCPUS; i++) {
			lifecycle_check_vcpu(&lv, regs, i);
			TEST_ASSERT_EQ(lv.load.vcpus[i].vmm.exits, 0);
			accesses += lv.stats[i].accesses;
		}
		accel_assert_counters(link_id, lifecycle_handled_total(regs), 0, 0);

		/* The defunct attachment goes with the link, in close(). */
		kvm_accel_release(dev);
		lifecycle_assert_released(link_id, self->anchored.kvm);
		/*
		 * kvm_vm_release() closed the fds; the guest memory stays
		 * mapped until the test exits (KVM's memslots hold no VM).
		 */
	}
	close(devnull);
	ksft_print_msg("%u VMs closed under load, %d vCPUs each, %llu accesses handled\n",
		       race.rounds, LIFECYCLE_NR_VCPUS, accesses);
}

/* The VMM: attach, report the link id once every vCPU runs, run until killed. */
static void __attribute__((noreturn)) child_vmm(const struct accel_bus *bus, int report_fd)
{
	struct kvm_accel_dev *dev;
	struct lifecycle_vm lv;
	__u32 link_id;

	lifecycle_vm_create(&lv, bus, 1, 1);
	dev = accel_attach(lv.vm, bus);
	link_id = accel_link_id(dev);
	lifecycle_vm_start(&lv, (struct lifecycle_regs *)accel_regs(dev));
	TEST_ASSERT_EQ(write(report_fd, &link_id, sizeof(link_id)), sizeof(link_id));
	for (;;)
		pause();
}

TEST_F_TIMEOUT(destroy, vmm_killed, 600)
{
	struct kvm_accel_counters c;
	int round, pipefd[2], status;
	struct lifecycle_race race;
	__u64 handled = 0;
	__u32 link_id;
	pid_t child;

	lifecycle_race_init(&race, NR_ROUNDS, MAX_ROUNDS);
	for (round = 0; lifecycle_race_more(&race); round++) {
		ASSERT_EQ(pipe(pipefd), 0);
		child = fork();
		ASSERT_GE(child, 0);
		if (!child) {
			close(pipefd[0]);
			child_vmm(round_bus(round), pipefd[1]);
		}
		close(pipefd[1]);
		ASSERT_EQ(read(pipefd[0], &link_id, sizeof(link_id)), sizeof(link_id)) {
			TH_LOG("the child VMM failed before running");
		}
		close(pipefd[0]);

		c = accel_counters(link_id);
		ASSERT_GT(c.handled, 0);
		ASSERT_EQ(c.exits, 0);
		ASSERT_EQ(c.errors, 0);

		ASSERT_EQ(kill(child, SIGKILL), 0);
		ASSERT_EQ(waitpid(child, &status, 0), child);
		ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
		/* The dying VMM closed its fds before it could be reaped. */
		lifecycle_assert_released(link_id, self->anchored.kvm);
		handled += c.handled;
	}
	ksft_print_msg("%u VMMs killed under load, %d vCPUs each, at least %llu accesses handled\n",
		       race.rounds, LIFECYCLE_NR_VCPUS, handled);
}

TEST_HARNESS_MAIN
