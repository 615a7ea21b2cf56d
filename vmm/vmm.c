// SPDX-License-Identifier: GPL-2.0
/*
 * The reference VMM: devices, the run loop, fast-path attachment (vmm.h).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

/* ---- devices ------------------------------------------------------------- */

static const char *vmm_bus_name(__u32 bus)
{
	return bus == KVM_ACCEL_BUS_PIO ? "port" : "MMIO";
}

struct vmm_device *vmm_register(struct vmm *vmm, const char *name, __u32 bus,
				__u64 base, __u64 len, vmm_access_fn access,
				void *ptr)
{
	struct vmm_device *dev;
	int i;

	TEST_ASSERT(bus == KVM_ACCEL_BUS_PIO || bus == KVM_ACCEL_BUS_MMIO,
		    "%s: bus %u", name, bus);
	TEST_ASSERT(len && base + len > base && access, "%s: range 0x%llx+0x%llx",
		    name, base, len);
	TEST_ASSERT(vmm->nr_devices < VMM_MAX_DEVICES, "%s: more than %d devices",
		    name, VMM_MAX_DEVICES);
	for (i = 0; i < vmm->nr_devices; i++) {
		dev = &vmm->devices[i];
		TEST_ASSERT(dev->bus != bus || base + len <= dev->base ||
			    dev->base + dev->len <= base,
			    "%s at %s 0x%llx+0x%llx overlaps %s", name,
			    vmm_bus_name(bus), base, len, dev->name);
	}
	dev = &vmm->devices[vmm->nr_devices++];
	*dev = (struct vmm_device) {
		.name = name,
		.bus = bus,
		.base = base,
		.len = len,
		.access = access,
		.ptr = ptr,
	};
	return dev;
}

struct vmm_device *vmm_find(struct vmm *vmm, __u32 bus, __u64 addr)
{
	int i;

	for (i = 0; i < vmm->nr_devices; i++) {
		struct vmm_device *dev = &vmm->devices[i];

		if (dev->bus == bus && addr >= dev->base && addr - dev->base < dev->len)
			return dev;
	}
	return NULL;
}

static void vmm_access(struct vmm_device *dev, struct kvm_vcpu *vcpu, __u64 addr,
		       void *data, __u32 len, bool is_write)
{
	int ret = dev->access(vcpu, addr, data, len, is_write, dev->ptr);

	TEST_ASSERT(!ret, "vCPU %u: %u-byte %s of %s at 0x%llx: %s", vcpu->id, len,
		    is_write ? "write" : "read", dev->name, addr, strerror(-ret));
}

struct vmm_device *vmm_emulate(struct vmm *vmm, struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct vmm_device *dev = NULL;
	__u64 addr = 0;
	__u32 len = 0, i;
	bool is_write;
	__u8 *data;

	if (run->exit_reason == KVM_EXIT_IO) {
		addr = run->io.port;
		len = run->io.size;
		is_write = run->io.direction == KVM_EXIT_IO_OUT;
		dev = vmm_find(vmm, KVM_ACCEL_BUS_PIO, addr);
		data = (__u8 *)run + run->io.data_offset;
		for (i = 0; dev && i < run->io.count; i++)
			vmm_access(dev, vcpu, addr, data + i * len, len, is_write);
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		addr = run->mmio.phys_addr;
		len = run->mmio.len;
		is_write = run->mmio.is_write;
		dev = vmm_find(vmm, KVM_ACCEL_BUS_MMIO, addr);
		if (dev)
			vmm_access(dev, vcpu, addr, run->mmio.data, len, is_write);
	}
	if (!dev) {
		vcpu_dump(stderr, vcpu, 2);
		TEST_FAIL("vCPU %u: exit %u (%s) at 0x%llx, %u bytes: no device there",
			  vcpu->id, run->exit_reason, exit_reason_str(run->exit_reason),
			  addr, len);
	}
	__atomic_fetch_add(&dev->exits, 1, __ATOMIC_RELAXED);
	if (addr - dev->base + len > dev->len)
		__atomic_fetch_add(&dev->straddles, 1, __ATOMIC_RELAXED);
	return dev;
}

/* ---- running ------------------------------------------------------------- */

uint64_t vmm_run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc,
			  void (*serve)(struct kvm_vcpu *vcpu, void *arg), void *arg)
{
	uint64_t cmd;

	for (;;) {
		vcpu_run(vcpu);
		cmd = get_ucall(vcpu, uc);
		if (cmd == UCALL_ABORT)
			REPORT_GUEST_ASSERT(*uc);
		if (cmd != UCALL_NONE)
			return cmd;
		serve(vcpu, arg);
	}
}

static void vmm_serve(struct kvm_vcpu *vcpu, void *arg)
{
	vmm_emulate(arg, vcpu);
}

uint64_t vmm_run(struct vmm *vmm, struct kvm_vcpu *vcpu, struct ucall *uc)
{
	return vmm_run_to_ucall(vcpu, uc, vmm_serve, vmm);
}

struct vmm_thread {
	void (*fn)(void *arg, int idx);
	void *arg;
	int idx;
	pthread_t thread;
};

static void *vmm_thread_fn(void *p)
{
	struct vmm_thread *t = p;

	t->fn(t->arg, t->idx);
	return NULL;
}

void vmm_run_threads(int first, int last, void (*fn)(void *arg, int idx), void *arg)
{
	struct vmm_thread *t;
	int i, ret;

	TEST_ASSERT(first < last, "no threads to run (%d .. %d)", first, last);
	t = calloc(last - first, sizeof(*t));
	TEST_ASSERT(t, "out of memory");
	for (i = 0; i < last - first; i++) {
		t[i] = (struct vmm_thread){ .fn = fn, .arg = arg, .idx = first + i };
		ret = pthread_create(&t[i].thread, NULL, vmm_thread_fn, &t[i]);
		TEST_ASSERT(!ret, "pthread_create: %s", strerror(ret));
	}
	for (i = 0; i < last - first; i++)
		pthread_join(t[i].thread, NULL);
	free(t);
}

uint64_t vmm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- fast paths ---------------------------------------------------------- */

const char *accel_build_path(const char *rel)
{
	static char path[PATH_MAX];
	const char *build = getenv("KA_BUILD");
	char exe[PATH_MAX];
	ssize_t n;

	/* Run by hand: this binary is $(O)/<dir>/<name>. */
	if (!build || !*build) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		TEST_ASSERT(n > 0, "readlink(/proc/self/exe) failed");
		exe[n] = '\0';
		build = dirname(dirname(exe));
	}
	TEST_ASSERT(snprintf(path, sizeof(path), "%s/%s", build, rel) <
		    (int)sizeof(path), "path of %s too long", rel);
	TEST_ASSERT(!access(path, R_OK), "%s: %s (not built?)", path,
		    strerror(errno));
	return path;
}

struct kvm_accel_dev *accel_attach_obj(struct kvm_vm *vm, const char *obj,
				       const struct kvm_accel_attach_opts *opts,
				       void **regs, size_t min_size)
{
	struct kvm_accel_dev *dev;
	size_t size;
	int ret;

	ret = kvm_accel_attach(accel_build_path(obj), vm->fd, opts, &dev);
	TEST_ASSERT(!ret, "attaching %s: %s", obj, strerror(-ret));
	if (regs) {
		*regs = kvm_accel_regfile(dev, ".bss", &size);
		TEST_ASSERT(*regs, "mapping the register file of %s: %s", obj,
			    strerror(errno));
		TEST_ASSERT(size >= min_size, "%s: register file of %zu bytes, not %zu",
			    obj, size, min_size);
	}
	return dev;
}

__u32 accel_link_id(struct kvm_accel_dev *dev)
{
	int id = kvm_accel_link_id(dev);

	TEST_ASSERT(id > 0, "kvm_accel_link_id: %s", strerror(-id));
	return id;
}

struct kvm_accel_counters accel_counters(__u32 link_id)
{
	struct kvm_accel_counters c;
	int ret;

	ret = kvm_accel_read_counters(link_id, &c);
	TEST_ASSERT(!ret, "counters of attachment %u: %s", link_id,
		    strerror(-ret));
	return c;
}

void accel_assert_counters(__u32 link_id, __u64 handled, __u64 exits, __u64 errors)
{
	struct kvm_accel_counters c = accel_counters(link_id);

	TEST_ASSERT(c.handled == handled && c.exits == exits && c.errors == errors,
		    "attachment %u: handled %llu exits %llu errors %llu, expected %llu %llu %llu",
		    link_id, c.handled, c.exits, c.errors, handled, exits, errors);
}

bool accel_attached(__u32 link_id)
{
	struct kvm_accel_counters c;
	int ret;

	ret = kvm_accel_read_counters(link_id, &c);
	TEST_ASSERT(!ret || ret == -ENOENT, "counters of attachment %u: %s",
		    link_id, strerror(-ret));
	return !ret;
}

long accel_module_refcnt(const char *module)
{
	char path[128];
	long refcnt;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", module);
	f = fopen(path, "r");
	TEST_ASSERT(f, "%s: %s", path, strerror(errno));
	TEST_ASSERT(fscanf(f, "%ld", &refcnt) == 1, "%s: no number", path);
	fclose(f);
	return refcnt;
}

const char *accel_kvm_vendor_module(void)
{
	if (!access("/sys/module/kvm_amd", F_OK))
		return "kvm_amd";
	TEST_ASSERT(!access("/sys/module/kvm_intel", F_OK),
		    "neither kvm_amd nor kvm_intel is loaded");
	return "kvm_intel";
}

struct accel_refs accel_refs(void)
{
	return (struct accel_refs) {
		.accel = accel_module_refcnt("kvm_accel"),
		.kvm = accel_module_refcnt(accel_kvm_vendor_module()),
	};
}

static bool accel_released(__u32 link_id, const struct accel_refs *before)
{
	struct accel_refs now = accel_refs();

	/*
	 * Not equal but at most: the baseline may include references held by
	 * an earlier test's objects whose freeing the kernel defers (a
	 * struct_ops map drops its module reference from a work item), which
	 * may go meanwhile.  A reference this test leaks still shows as a
	 * count above the baseline.
	 */
	return (!link_id || !accel_attached(link_id)) &&
	       now.accel <= before->accel && now.kvm <= before->kvm;
}

bool accel_wait_released(__u32 link_id, const struct accel_refs *before)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int waited;

	for (waited = 0; waited < ACCEL_RELEASE_TIMEOUT_MS; waited += 10) {
		if (accel_released(link_id, before))
			return true;
		nanosleep(&tick, NULL);
	}
	return accel_released(link_id, before);
}
