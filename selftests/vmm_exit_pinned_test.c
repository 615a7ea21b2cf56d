// SPDX-License-Identifier: GPL-2.0
/*
 * Guards a VM against an attachment that outlives its VMM: a VMM that
 * attaches, pins the link on bpffs and exits frees its VM all the same.
 *
 * The VMM runs in a memory cgroup of its own (where the kernel has the
 * memory controller), so what its VM costs the kernel is measured: the cgroup's kernel memory with the VM
 * (many vCPUs, to make it plain) against without.  After the VMM has exited
 * and while the pin still holds the link:
 *  - the VM's directory in /sys/kernel/debug/kvm/ is gone, KVM's vendor
 *    module has its reference back, and the cgroup has given back the VM's
 *    kernel memory: what it still holds is what it held before the VM, plus
 *    the pinned BPF objects (measured when they were made);
 *  - the attachment is listed as defunct, with its counters readable.
 * Removing the pin then ends the attachment and every module reference.
 */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"

#define NR_READS	1000
#define NR_VCPUS	32
#define CGROUP_ROOT	"/sys/fs/cgroup"
#define DEBUGFS_KVM	"/sys/kernel/debug/kvm"

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < NR_READS; i++)
		GUEST_ASSERT_EQ(accel_guest_read(bus, base + i % len, 1), 0);
	GUEST_DONE();
}

struct report {
	__u32 link_id;
	int vm_fd;
};

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	TEST_ASSERT(fd >= 0, "open %s: %s", path, strerror(errno));
	TEST_ASSERT(write(fd, text, strlen(text)) == (ssize_t)strlen(text),
		    "write '%s' to %s: %s", text, path, strerror(errno));
	close(fd);
}

/* memory.stat's "kernel": what the cgroup's tasks made the kernel allocate. */
static long cgroup_kernel_bytes(const char *cg)
{
	char path[PATH_MAX], key[64];
	long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "re");
	TEST_ASSERT(f, "open %s: %s", path, strerror(errno));
	while (fscanf(f, "%63s %ld", key, &v) == 2)
		if (!strcmp(key, "kernel"))
			val = v;
	fclose(f);
	TEST_ASSERT(val >= 0, "%s has no 'kernel' entry", path);
	return val;
}

/*
 * A memory cgroup for the VMM, with cgroup v2 and debugfs mounted.  Returns
 * false, with @cg empty, on a kernel without the memory controller (the
 * KASAN kernel of make debug-check is one).
 */
static bool make_cgroup(char *cg, size_t size)
{
	char path[PATH_MAX], controllers[256] = "";
	struct stat st;
	FILE *f;

	if (stat(DEBUGFS_KVM, &st))
		TEST_ASSERT(!mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL),
			    "mount debugfs: %s", strerror(errno));
	TEST_ASSERT(!stat(DEBUGFS_KVM, &st), "no %s: %s", DEBUGFS_KVM, strerror(errno));

	*cg = 0;
	snprintf(path, sizeof(path), "%s/cgroup.controllers", CGROUP_ROOT);
	if (stat(path, &st))
		TEST_ASSERT(!mount("cgroup2", CGROUP_ROOT, "cgroup2", 0, NULL),
			    "mount cgroup2 on %s: %s", CGROUP_ROOT, strerror(errno));
	f = fopen(path, "re");
	TEST_ASSERT(f, "open %s: %s", path, strerror(errno));
	if (!fgets(controllers, sizeof(controllers), f))
		controllers[0] = 0;
	fclose(f);
	if (!strstr(controllers, "memory"))
		return false;
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", CGROUP_ROOT);
	write_file(path, "+memory");
	snprintf(cg, size, "%s/ka-vmm-exit-%d", CGROUP_ROOT, getpid());
	TEST_ASSERT(!mkdir(cg, 0755), "mkdir %s: %s", cg, strerror(errno));
	return true;
}

/*
 * The VMM.  Joins @cg, says so ('j'), makes its VM ('v'), attaches, pins
 * the link at @pin, runs the guest and reports; then waits for the word to
 * exit, without detaching or closing anything.
 */
static void __attribute__((noreturn)) child_vmm(const char *cg, const char *pin,
						int cmd_fd, int report_fd)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	char path[PATH_MAX], c;
	struct kvm_accel_dev *dev;
	struct report r = {};
	struct accel_vmm vmm;
	struct kvm_vm *vm;
	int ret;

	if (*cg) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		write_file(path, "0");
	}
	c = 'j';
	TEST_ASSERT_EQ(write(report_fd, &c, 1), 1);
	TEST_ASSERT_EQ(read(cmd_fd, &c, 1), 1);

	vm = vm_create_with_vcpus(NR_VCPUS, guest_code, vcpus);
	vcpu_args_set(vcpus[0], 3, accel_pio.bus, accel_pio.base, accel_pio.len);
	c = 'v';
	TEST_ASSERT_EQ(write(report_fd, &c, 1), 1);
	TEST_ASSERT_EQ(read(cmd_fd, &c, 1), 1);

	dev = accel_attach(vm, &accel_pio);
	ret = kvm_accel_pin(dev, pin);
	TEST_ASSERT(!ret, "pinning at %s: %s", pin, strerror(-ret));
	accel_vmm_init(&vmm, vcpus[0], &accel_pio, accel_regs(dev));
	accel_vmm_done(&vmm);
	TEST_ASSERT_EQ(vmm.exits, 0);

	r.link_id = accel_link_id(dev);
	r.vm_fd = vm->fd;
	TEST_ASSERT_EQ(write(report_fd, &r, sizeof(r)), sizeof(r));
	TEST_ASSERT_EQ(read(cmd_fd, &c, 1), 1);
	exit(0);
}

TEST(vmm_exits_with_pinned_attachment)
{
	long k_before = 0, k_vm = 0, k_bpf = 0, k_after, vm_cost, bpf_cost, left;
	char cg[128], pin[128], dir[128];
	int cmd[2], rep[2], status, ret;
	struct kvm_accel_info info;
	struct accel_refs before;
	struct report r;
	struct stat st;
	bool memcg;
	pid_t child;
	char c = 'g';

	TEST_REQUIRE(kvm_accel_module_loaded());
	before = accel_refs();
	memcg = make_cgroup(cg, sizeof(cg));
	if (!memcg)
		ksft_print_msg("no memory cgroup controller: the VM's kernel memory is not measured\n");
	snprintf(pin, sizeof(pin), "/sys/fs/bpf/ka-vmm-exit-%d", getpid());

	ASSERT_EQ(pipe(cmd), 0);
	ASSERT_EQ(pipe(rep), 0);
	child = fork();
	ASSERT_GE(child, 0);
	if (!child) {
		close(cmd[1]);
		close(rep[0]);
		child_vmm(cg, pin, cmd[0], rep[1]);
	}
	close(cmd[0]);
	close(rep[1]);

	ASSERT_EQ(read(rep[0], &c, 1), 1);
	if (memcg)
		k_before = cgroup_kernel_bytes(cg);
	ASSERT_EQ(write(cmd[1], &c, 1), 1);
	ASSERT_EQ(read(rep[0], &c, 1), 1);
	if (memcg)
		k_vm = cgroup_kernel_bytes(cg);
	vm_cost = k_vm - k_before;
	ASSERT_EQ(write(cmd[1], &c, 1), 1);
	ASSERT_EQ(read(rep[0], &r, sizeof(r)), sizeof(r)) {
		TH_LOG("the VMM failed before attaching");
	}
	if (memcg)
		k_bpf = cgroup_kernel_bytes(cg);
	bpf_cost = k_bpf - k_vm;
	snprintf(dir, sizeof(dir), "%s/%d-%d", DEBUGFS_KVM, child, r.vm_fd);
	ASSERT_EQ(stat(dir, &st), 0) {
		TH_LOG("the live VM has no %s: %s", dir, strerror(errno));
	}
	accel_assert_counters(r.link_id, NR_READS, 0, 0);

	/* The VMM exits, its link pinned: only the pin holds the attachment. */
	ASSERT_EQ(write(cmd[1], &c, 1), 1);
	ASSERT_EQ(waitpid(child, &status, 0), child);
	ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(cmd[1]);
	close(rep[0]);

	/*
	 * The VMM's files were closed, and the VM destroyed, in its exit
	 * before it could be reaped: nothing to wait for.
	 */
	ASSERT_NE(stat(dir, &st), 0) {
		TH_LOG("%s outlived its VMM", dir);
	}
	ASSERT_EQ(accel_module_refcnt(accel_kvm_vendor_module()), before.kvm);
	ret = kvm_accel_wait_defunct(r.link_id, 0);
	ASSERT_EQ(ret, 0) {
		TH_LOG("attachment %u not defunct after its VM was destroyed: %s",
		       r.link_id, strerror(-ret));
	}
	if (memcg) {
		k_after = cgroup_kernel_bytes(cg);
		left = k_after - k_before - bpf_cost;
		ksft_print_msg("kernel memory: VM %ld bytes (%d vCPUs), BPF objects %ld; after the VMM exited %ld more than before both\n",
			       vm_cost, NR_VCPUS, bpf_cost, left);
		/* A VM too cheap to see would make the next check meaningless. */
		ASSERT_GE(vm_cost, 256 * 1024);
		ASSERT_LT(left, vm_cost / 2);
	}

	ASSERT_EQ(stat(pin, &st), 0);
	ASSERT_TRUE(accel_attached(r.link_id));
	ASSERT_EQ(kvm_accel_read_info(r.link_id, &info), 0);
	ASSERT_EQ(info.state, KVM_ACCEL_STATE_DEFUNCT);
	ASSERT_EQ(info.vm_pid, child);
	accel_assert_counters(r.link_id, NR_READS, 0, 0);

	ASSERT_EQ(unlink(pin), 0);
	ASSERT_TRUE(accel_wait_released(r.link_id, &before)) {
		TH_LOG("attachment %u or a module reference outlived its pin for %d ms",
		       r.link_id, ACCEL_RELEASE_TIMEOUT_MS);
	}
	if (memcg)
		ASSERT_EQ(rmdir(cg), 0);
}

TEST_HARNESS_MAIN
