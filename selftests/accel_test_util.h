/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The selftests' own fixture, on the reference VMM (vmm/vmm.h): the
 * register-file device on each bus (selftests/progs/regfile.h), its test
 * patterns, a VMM for it that serves its slow path and counts every access
 * that reaches userspace, several vCPUs under load, and the command line.
 *
 * Functions named accel_*() assert on failure; __accel_*() return a
 * negative errno instead.
 */
#ifndef _ACCEL_TEST_UTIL_H
#define _ACCEL_TEST_UTIL_H

#include <pthread.h>
#include <stdbool.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#include <libkvmaccel.h>
#include "guest.h"
#include "vmm.h"
#include "progs/regfile.h"

/* One bus of the register-file device, as the tests attach it. */
struct accel_bus {
	const char *obj;	/* object under $KA_BUILD/bpf/selftests/progs */
	__u32 bus;		/* KVM_ACCEL_BUS_* */
	__u64 base;
	__u64 len;
	__u32 max_width;	/* widest access: 4 for PIO, 8 for MMIO */
};

/* Initialiser of a struct accel_bus: every width the bus has. */
#define ACCEL_BUS_INIT(_obj, _bus, _base, _len) {			\
	.obj = (_obj),							\
	.bus = (_bus),							\
	.base = (_base),						\
	.len = (_len),							\
	.max_width = (_bus) == KVM_ACCEL_BUS_PIO ? 4 : 8,		\
}

extern const struct accel_bus accel_pio;
extern const struct accel_bus accel_mmio;

/* ---- guest side ---------------------------------------------------------- */

/*
 * Byte @off of test pattern @seed.  0x3b is odd, so the REGFILE_SIZE bytes
 * of one pattern are all different, and different seeds differ everywhere.
 */
static inline uint8_t accel_pattern(uint64_t seed, uint64_t off)
{
	return (uint8_t)(seed * 0x9d + off * 0x3b + 0x11);
}

/*
 * What a read of @len bytes at offset @off returns while the register file
 * holds pattern @seed, on a device of @range bytes: the registers inside the
 * range and all ones beyond it, which is what the slow path of
 * accel_vmm_run() returns for an access straddling the end.
 */
static inline uint64_t accel_expected(uint64_t seed, uint64_t range,
				      uint64_t off, uint32_t len)
{
	uint64_t val = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		val |= (uint64_t)(off + i < range ? accel_pattern(seed, off + i) : 0xff)
		       << (8 * i);
	return val;
}

/*
 * Access @i of a test sequence: the widths the bus has in turn, offsets
 * spread over the range, never a straddling access and never a write the
 * fast path declines.
 */
static inline uint32_t accel_seq_width(uint32_t bus, uint64_t i)
{
	return 1U << (i % (bus == KVM_ACCEL_BUS_PIO ? 3 : 4));
}

static inline uint64_t accel_seq_offset(uint64_t range, uint32_t width, uint64_t i)
{
	uint64_t off = (i * 7) % (range - width + 1);

	return off == REGFILE_DECLINE_OFFSET ? off + 1 : off;
}

static inline uint64_t accel_seq_value(uint64_t i)
{
	return (i + 1) * 0x9e3779b97f4a7c15ULL;
}

/* The low @len bytes of @val. */
static inline uint64_t accel_truncate(uint64_t val, uint32_t len)
{
	return len >= 8 ? val : val & ((1ULL << (8 * len)) - 1);
}

/* @n reads of the test sequence, each checked against pattern @seed. */
static inline void accel_guest_read_seq(uint32_t bus, uint64_t base, uint64_t len,
					uint64_t seed, uint64_t n)
{
	uint64_t i, off;
	uint32_t w;

	for (i = 0; i < n; i++) {
		w = accel_seq_width(bus, i);
		off = accel_seq_offset(len, w, i);
		GUEST_ASSERT_EQ(accel_guest_read(bus, base + off, w),
				accel_expected(seed, len, off, w));
	}
}

/* ---- VMM side ------------------------------------------------------------ */

/* One device access that reached userspace. */
struct accel_exit {
	__u32 reason;		/* KVM_EXIT_IO or KVM_EXIT_MMIO */
	__u64 addr;		/* port or guest physical address */
	__u32 len;
	bool is_write;
	__u64 data;		/* written, or returned to the guest */
};

/*
 * The VMM of one vCPU.  Device accesses that exit are served like the fast
 * path would serve them, from @regs, except that writes are recorded but
 * never stored: a test can tell from the register file which path a write
 * took.
 */
struct accel_vmm {
	struct kvm_vcpu *vcpu;
	const struct accel_bus *bus;
	const __u8 *regs;	/* REGFILE_SIZE bytes the slow path reads */
	__u64 exits;		/* device accesses that reached userspace */
	__u64 straddles;	/* of which reached past the end of the range */
	struct accel_exit last;	/* the latest of them */
	/*
	 * Optional, zero by accel_vmm_init().  @store: exiting writes are
	 * also stored there, as the fast path stores them, for tests whose
	 * slow path must complete every access.  @serve: called for every
	 * exit that is not a ucall, instead of the register-file slow path.
	 */
	__u8 *store;
	void (*serve)(struct accel_vmm *vmm);
};

void accel_vmm_init(struct accel_vmm *vmm, struct kvm_vcpu *vcpu,
		    const struct accel_bus *bus, const __u8 *regs);
/*
 * Serve the device access the vCPU exited with from the register file, as
 * accel_vmm_run() does without @serve; a @serve hook may call it to add to
 * the register-file slow path.  Sets @last and counts the exit.
 */
void accel_vmm_serve(struct accel_vmm *vmm);
/*
 * Run the vCPU until the guest makes a ucall and return its command, serving
 * device exits on the way.  A guest assertion fails the test, and so does
 * any other exit or an access outside the device's range.
 */
uint64_t accel_vmm_run(struct accel_vmm *vmm, struct ucall *uc);
/* accel_vmm_run() and assert that the guest reached GUEST_SYNC(@stage). */
void accel_vmm_sync(struct accel_vmm *vmm, uint64_t stage);
/* accel_vmm_run() and assert that the guest reached GUEST_DONE(). */
void accel_vmm_done(struct accel_vmm *vmm);

/*
 * A VM with one vCPU running @guest_code(bus, base, len) for the device on
 * @bus, with the MMIO range identity mapped in the guest.
 */
struct kvm_vm *accel_vm_create(struct kvm_vcpu **vcpu, const struct accel_bus *bus,
			       void *guest_code);

/* Store pattern @seed into the REGFILE_SIZE registers at @regs. */
void accel_fill(__u8 *regs, uint64_t seed);

/* The test object @name under $KA_BUILD/bpf/selftests/progs. */
const char *accel_obj_path(const char *name);

int __accel_attach(int vm_fd, const char *obj, __u32 bus, __u64 base,
		   __u64 len, struct kvm_accel_dev **devp);
/* Attach @bus's device at its range to @vm. */
struct kvm_accel_dev *accel_attach(struct kvm_vm *vm, const struct accel_bus *bus);
/* The device's register file, mapped. */
__u8 *accel_regs(struct kvm_accel_dev *dev);
/*
 * A harness fixture: one VM with one vCPU, the register-file device
 * attached on the variant's bus, its register file mapped.
 */
struct accel_fixture {
	const struct accel_bus *bus;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_accel_dev *dev;
	__u32 link_id;
	__u8 *regs;
	struct accel_vmm vmm;
};

void accel_fixture_setup(struct accel_fixture *f, const struct accel_bus *bus);
void accel_fixture_teardown(struct accel_fixture *f);

/* ---- several vCPUs under load --------------------------------------------- */

#define ACCEL_LOAD_MAX_VCPUS	8
/* Bound on waiting for guests to make progress (see accel_load_wait()). */
#define ACCEL_LOAD_TIMEOUT_MS	60000

struct accel_load;

/*
 * One vCPU of a VM under load, run by its own VMM thread: accel_vmm_run()
 * until the guest reaches GUEST_DONE(), recording each GUEST_SYNC(arg).
 */
struct accel_load_vcpu {
	struct accel_vmm vmm;
	struct accel_load *load;
	pthread_t thread;
	pid_t tid;		/* for diagnostics: set by the thread */
	/* Under load->lock: */
	uint64_t syncs;		/* GUEST_SYNCs so far */
	uint64_t arg;		/* the argument of the latest */
	bool done;		/* the guest reached GUEST_DONE() */
};

struct accel_load {
	int nr_vcpus;
	struct accel_load_vcpu vcpus[ACCEL_LOAD_MAX_VCPUS];
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

/*
 * Prepare a VMM for each of @vcpus with accel_vmm_init(); a test may then
 * set the optional accel_vmm fields before accel_load_start() runs them.
 */
void accel_load_init(struct accel_load *load, struct kvm_vcpu **vcpus,
		     int nr_vcpus, const struct accel_bus *bus, const __u8 *regs);
void accel_load_start(struct accel_load *load);
/*
 * Wait until every vCPU has made @syncs more GUEST_SYNCs than when called,
 * the latest with an argument of at least @min_arg.  Fails the test if a
 * guest finishes first or the wait exceeds ACCEL_LOAD_TIMEOUT_MS.
 */
void accel_load_wait(struct accel_load *load, uint64_t syncs, uint64_t min_arg);
/* Wait until every guest has reached GUEST_DONE() and join the threads. */
void accel_load_join(struct accel_load *load);

/* ---- command line and directories ---------------------------------------- */

/*
 * Run $KA_BUILD/kvm-accel with @fmt as arguments (split by the shell) and
 * return its exit status; its stdout and stderr land in @out and @err,
 * NUL-terminated and cut to fit.  Both are echoed as TAP diagnostics.
 */
int accel_cli(char *out, size_t out_size, char *err, size_t err_size,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Entries of directory @path, without "." and ".."; 0 if it does not exist. */
int accel_dir_entries(const char *path);

#endif /* _ACCEL_TEST_UTIL_H */
