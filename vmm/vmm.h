/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reference VMM of kvm-accel: what the selftests, the demos, the
 * benchmarks and the devices' slow paths build on.  It runs KVM guests
 * through the KVM selftests library (kvm_util.h) and has:
 *
 *  - one device registration, for port I/O and MMIO alike, with one access
 *    signature (struct vmm_device, vmm_register());
 *  - the run loop that serves a vCPU's exits from the registered devices
 *    until the guest makes a ucall (vmm_run());
 *  - fast-path attachment through libkvmaccel and the module's counters;
 *  - vmm/irq.h: eventfds, irqfds and MSI routes;
 *  - vmm/guest.h: the guest's accessors.
 *
 * Functions assert (TEST_ASSERT) on failure unless their comment says what
 * they return instead; functions named __*() return a negative errno.
 */
#ifndef _VMM_VMM_H
#define _VMM_VMM_H

#include <pthread.h>
#include <stdbool.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#include <libkvmaccel.h>

/* ---- devices ------------------------------------------------------------- */

/*
 * One guest access that exited to the VMM: @len bytes (1 to 8; an MMIO
 * access KVM split at a page boundary gives fragments of any length) at
 * port or guest physical address @addr, by @vcpu.  @data holds the bytes
 * written, little endian, or receives the bytes read.  Port I/O with a
 * repeat count (ins/outs) arrives as one call per element, in order, as
 * the guest's CPU performs it.  @addr lies inside the range registered
 * for @ptr; @addr + @len may reach past its end, and the device decides
 * what those bytes read (all ones, on real buses).
 *
 * Returns 0, or a negative errno, which fails the test: the device model
 * found the access malformed, which the reference VMM never lets pass.
 */
typedef int (*vmm_access_fn)(struct kvm_vcpu *vcpu, __u64 addr, void *data,
			     __u32 len, bool is_write, void *ptr);

#define VMM_MAX_DEVICES		16

struct vmm_device {
	const char *name;
	__u32 bus;		/* KVM_ACCEL_BUS_PIO or KVM_ACCEL_BUS_MMIO */
	__u64 base;
	__u64 len;
	vmm_access_fn access;
	void *ptr;
	/* Counted atomically: the vCPUs of a VM may run on threads of their own. */
	__u64 exits;		/* accesses served (an ins/outs counts once) */
	__u64 straddles;	/* of which reached past the end of the range */
};

/* The devices of one VM.  Zero it, then register; no removal. */
struct vmm {
	int nr_devices;
	struct vmm_device devices[VMM_MAX_DEVICES];
};

/*
 * Serve [@base, @base + @len) on @bus with @access(..., @ptr).  Ranges of
 * one bus must not overlap.  Returns the device, for its counters.
 */
struct vmm_device *vmm_register(struct vmm *vmm, const char *name, __u32 bus,
				__u64 base, __u64 len, vmm_access_fn access,
				void *ptr);

/* The device whose range holds @addr on @bus, or NULL. */
struct vmm_device *vmm_find(struct vmm *vmm, __u32 bus, __u64 addr);

/*
 * Serve the exit @vcpu is in: a KVM_EXIT_IO or KVM_EXIT_MMIO at a
 * registered range.  Anything else fails the test, after dumping the vCPU.
 * Returns the device that served it.
 */
struct vmm_device *vmm_emulate(struct vmm *vmm, struct kvm_vcpu *vcpu);

/* Exits of @dev so far (another thread may be counting). */
static inline __u64 vmm_device_exits(const struct vmm_device *dev)
{
	return __atomic_load_n(&dev->exits, __ATOMIC_RELAXED);
}

static inline __u64 vmm_device_straddles(const struct vmm_device *dev)
{
	return __atomic_load_n(&dev->straddles, __ATOMIC_RELAXED);
}

/* ---- running ------------------------------------------------------------- */

/*
 * The loop every VMM here runs: KVM_RUN @vcpu until its guest makes a
 * ucall and return the command; a guest assertion fails the test, and
 * every other exit goes to @serve(@vcpu, @arg).
 */
uint64_t vmm_run_to_ucall(struct kvm_vcpu *vcpu, struct ucall *uc,
			  void (*serve)(struct kvm_vcpu *vcpu, void *arg), void *arg);

/* vmm_run_to_ucall() with every exit served by vmm_emulate(). */
uint64_t vmm_run(struct vmm *vmm, struct kvm_vcpu *vcpu, struct ucall *uc);

/*
 * Call @fn(@arg, i) for every i in [@first, @last), each on a thread of
 * its own, all at once; return when every call has returned.
 */
void vmm_run_threads(int first, int last, void (*fn)(void *arg, int idx), void *arg);

/* CLOCK_MONOTONIC in ns. */
uint64_t vmm_now_ns(void);

/* ---- fast paths ---------------------------------------------------------- */

/*
 * $KA_BUILD/@rel, where KA_BUILD defaults to the build directory this
 * binary is in ($(O)/<dir>/<binary>).  The path is valid until the next
 * call.
 */
const char *accel_build_path(const char *rel);

/*
 * Attach the struct_ops map of object $KA_BUILD/@obj with @opts to @vm,
 * and map its register file (".bss") into *@regs if @regs is not NULL,
 * checking it has at least @min_size bytes.
 */
struct kvm_accel_dev *accel_attach_obj(struct kvm_vm *vm, const char *obj,
				       const struct kvm_accel_attach_opts *opts,
				       void **regs, size_t min_size);

__u32 accel_link_id(struct kvm_accel_dev *dev);

/* The module's counters for attachment @link_id. */
struct kvm_accel_counters accel_counters(__u32 link_id);
void accel_assert_counters(__u32 link_id, __u64 handled, __u64 exits, __u64 errors);
/* Whether the module lists attachment @link_id. */
bool accel_attached(__u32 link_id);

/* Module reference counts of kvm_accel and of KVM's vendor module. */
struct accel_refs {
	long accel;
	long kvm;
};
/* "kvm_amd" or "kvm_intel", whichever is loaded. */
const char *accel_kvm_vendor_module(void);
long accel_module_refcnt(const char *module);
struct accel_refs accel_refs(void);

/*
 * Bound on waiting for an asynchronous release (see accel_wait_released()).
 * Generous: a struct_ops map is freed only after an RCU and an RCU-tasks
 * grace period, which took over 5 s in the test VM on a loaded host.
 */
#define ACCEL_RELEASE_TIMEOUT_MS	60000

/*
 * Wait until attachment @link_id (if not 0) is gone and the reference counts
 * are back to @before, for at most ACCEL_RELEASE_TIMEOUT_MS.  Only for what
 * the kernel releases asynchronously: a link closed by a dying process, and
 * struct_ops maps, which are freed after an RCU grace period and hold a
 * reference on the module until then.  Returns whether it happened.
 */
bool accel_wait_released(__u32 link_id, const struct accel_refs *before);

#endif /* _VMM_VMM_H */
