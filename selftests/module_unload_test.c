// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the module's reference counting: kvm_accel cannot be unloaded
 * while a device is attached (the attachment's struct_ops map holds a
 * module reference, and its link holds the map) and the device keeps
 * working through the attempt; once detached, and once the struct_ops map
 * is freed, unloading succeeds.
 *
 * It needs the module idle, and arranges that itself rather than by
 * running last: it waits until no reference is left from earlier tests
 * (a struct_ops map holds one until its deferred free, seconds after the
 * test that used it ended), and it loads $KA_ACCEL_KO (the module built for
 * the booted kernel) again before it ends, so later tests find the module
 * as the runner loaded it.
 */
#include <fcntl.h>
#include <limits.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"

#define NR_READS	1000

static void guest_code(uint32_t bus, uint64_t base, uint64_t len)
{
	uint64_t i;

	for (i = 0; i < NR_READS; i++)
		accel_guest_read(bus, base + i % len, 1);
	GUEST_DONE();
}

static int delete_module(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

static int load_module(const char *path)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, "", 0) ? -errno : 0;
	close(fd);
	return ret;
}

/*
 * Wait until kvm_accel holds no reference, for at most
 * ACCEL_RELEASE_TIMEOUT_MS; returns the count left.
 */
static long wait_module_idle(void)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	long refs = accel_module_refcnt("kvm_accel");
	int waited;

	for (waited = 0; refs && waited < ACCEL_RELEASE_TIMEOUT_MS; waited += 10) {
		nanosleep(&tick, NULL);
		refs = accel_module_refcnt("kvm_accel");
	}
	return refs;
}

TEST(unload_refused_while_attached)
{
	const struct accel_bus *bus = &accel_pio;
	char ko[PATH_MAX];
	struct accel_refs before;
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct accel_vmm vmm;
	struct kvm_vm *vm;
	__u32 link_id;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	/* The runner names the module built for the booted kernel. */
	snprintf(ko, sizeof(ko), "%s", getenv("KA_ACCEL_KO") ?:
		 accel_build_path("kvm_accel.ko"));
	/*
	 * A reference that outlives the wait is a leak of whatever ran
	 * before (or an attachment pinned in bpffs): fail, naming it.
	 */
	ret = wait_module_idle();
	ASSERT_EQ(ret, 0) {
		TH_LOG("kvm_accel still holds %d references %d ms after the earlier tests",
		       ret, ACCEL_RELEASE_TIMEOUT_MS);
	}
	before = accel_refs();

	vm = accel_vm_create(&vcpu, bus, guest_code);
	dev = accel_attach(vm, bus);
	link_id = accel_link_id(dev);
	ASSERT_GT(accel_module_refcnt("kvm_accel"), before.accel);

	ret = delete_module("kvm_accel");
	ASSERT_TRUE(ret == -EWOULDBLOCK || ret == -EBUSY) {
		TH_LOG("delete_module while attached returned %d (%s)", ret,
		       strerror(-ret));
	}
	ASSERT_TRUE(kvm_accel_module_loaded());

	/* Still attached and working. */
	accel_vmm_init(&vmm, vcpu, bus, accel_regs(dev));
	accel_vmm_done(&vmm);
	ASSERT_EQ(vmm.exits, 0);
	accel_assert_counters(link_id, NR_READS, 0, 0);

	ASSERT_EQ(kvm_accel_detach(dev), 0);
	kvm_vm_free(vm);
	ASSERT_TRUE(accel_wait_released(link_id, &before)) {
		TH_LOG("kvm_accel still has %ld references, had %ld",
		       accel_module_refcnt("kvm_accel"), before.accel);
	}

	ret = delete_module("kvm_accel");
	ASSERT_EQ(ret, 0) {
		TH_LOG("delete_module after detach: %s", strerror(-ret));
	}
	ASSERT_FALSE(kvm_accel_module_loaded());

	ret = load_module(ko);
	ASSERT_EQ(ret, 0) {
		TH_LOG("loading %s again: %s", ko, strerror(-ret));
	}
	ASSERT_TRUE(kvm_accel_module_loaded());
}

TEST_HARNESS_MAIN
