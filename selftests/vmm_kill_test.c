// SPDX-License-Identifier: GPL-2.0
/*
 * Guards cleanup after a VMM dies: a VMM killed with SIGKILL while its
 * guest is hammering an accelerated port leaves nothing behind.  Its
 * attachment leaves /sys/kernel/kvm_accel/, its VM is destroyed and every
 * module reference is given back, with no kernel warning.
 */
#include <signal.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"

#define NR_READS	1000

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t i, round;

	for (round = 1;; round++) {
		for (i = 0; i < NR_READS; i++)
			accel_guest_read(bus, base + i % len, 1);
		GUEST_SYNC(round);
	}
}

/* The VMM: attach, report the link id once the guest runs, run forever. */
static void __attribute__((noreturn)) child_vmm(int report_fd)
{
	const struct accel_bus *bus = &accel_pio;
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct accel_vmm vmm;
	struct kvm_vm *vm;
	uint64_t round;
	__u32 link_id;

	vm = accel_vm_create(&vcpu, bus, guest_code);
	dev = accel_attach(vm, bus);
	link_id = accel_link_id(dev);
	accel_vmm_init(&vmm, vcpu, bus, accel_regs(dev));
	accel_vmm_sync(&vmm, 1);
	TEST_ASSERT_EQ(vmm.exits, 0);
	TEST_ASSERT_EQ(write(report_fd, &link_id, sizeof(link_id)), sizeof(link_id));
	for (round = 2;; round++)
		accel_vmm_sync(&vmm, round);
}

TEST(vmm_killed_while_running)
{
	struct kvm_accel_counters c;
	struct accel_refs before;
	int pipefd[2], status;
	__u32 link_id;
	pid_t child;

	TEST_REQUIRE(kvm_accel_module_loaded());
	before = accel_refs();

	ASSERT_EQ(pipe(pipefd), 0);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		close(pipefd[0]);
		child_vmm(pipefd[1]);
	}
	close(pipefd[1]);
	ASSERT_EQ(read(pipefd[0], &link_id, sizeof(link_id)), sizeof(link_id)) {
		TH_LOG("the child VMM failed before attaching");
	}
	close(pipefd[0]);

	c = accel_counters(link_id);
	ASSERT_GE(c.handled, NR_READS);
	ASSERT_EQ(c.exits, 0);
	ASSERT_EQ(c.errors, 0);

	ASSERT_EQ(kill(child, SIGKILL), 0);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

	ASSERT_TRUE(accel_wait_released(link_id, &before)) {
		TH_LOG("attachment %u, its VM or a module reference outlived the VMM for %d ms",
		       link_id, ACCEL_RELEASE_TIMEOUT_MS);
	}
}

TEST_HARNESS_MAIN
