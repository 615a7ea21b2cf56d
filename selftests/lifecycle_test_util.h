/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lifecycle tests share: a VM whose vCPUs hammer the lifecycle
 * test device (selftests/progs/lifecycle.h), one VMM thread each, while the
 * test attaches, replaces, detaches or destroys things under them.
 *
 * The test moves through numbered phases (attached, detached, version 1,
 * version 2, ...), each with the tag reads return in it.  Guests check
 * every read against the phases: it must return what the guest wrote,
 * tagged by a phase that the host had started by the time the read
 * completed, no earlier than the phase the host had completed before the
 * read began, and never earlier than a phase this vCPU saw before.  Each
 * write carries the index of its access (lifecycle.h), and the program and
 * the slow path below check it: every access is handled exactly once.
 *
 * Races run as many rounds as fit in KA_LIFECYCLE_SECONDS (default
 * LIFECYCLE_SECONDS) per test, but at least a minimum, and print the counts;
 * a thread meanwhile tries to unload kvm_accel, which must fail while
 * anything is attached (lifecycle_unloader_*()).
 */
#ifndef _SELFTESTS_LIFECYCLE_TEST_UTIL_H
#define _SELFTESTS_LIFECYCLE_TEST_UTIL_H

#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>

#include "accel_test_util.h"
#include "progs/lifecycle.h"

#define LIFECYCLE_NR_VCPUS	4
#define LIFECYCLE_SYNC_EVERY	64	/* guest iterations between GUEST_SYNCs */
#define LIFECYCLE_V1		"lifecycle_v1.bpf.o"
#define LIFECYCLE_V2		"lifecycle_v2.bpf.o"
#define LIFECYCLE_SECONDS	10	/* default time a race runs for */

static const struct accel_bus lifecycle_pio =
	ACCEL_BUS_INIT(LIFECYCLE_V1, KVM_ACCEL_BUS_PIO, LIFECYCLE_PIO_BASE, LIFECYCLE_LEN);
static const struct accel_bus lifecycle_mmio =
	ACCEL_BUS_INIT(LIFECYCLE_V1, KVM_ACCEL_BUS_MMIO, LIFECYCLE_MMIO_BASE, LIFECYCLE_LEN);

/* ---- guest side ---------------------------------------------------------- */

/* Written by the host while the guests run. */
struct lifecycle_ctl {
	uint64_t stop;		/* finish at the next iteration */
	uint64_t started;	/* the phase the host is moving to */
	uint64_t published;	/* the phase the host has completed */
	uint8_t tag[2];		/* what reads carry in even and odd phases */
};

/* What each vCPU saw, for the host once the guests are done. */
struct lifecycle_stats {
	uint64_t accesses;	/* device accesses made */
	uint64_t reads[3];	/* reads that came back with tag 0, 1, 2 */
	uint64_t changes;	/* times the tag changed from one read to the next */
	uint64_t phase;		/* the phase of the latest read */
};

static struct lifecycle_ctl lifecycle_ctl;
static struct lifecycle_stats lifecycle_stats[LIFECYCLE_MAX_VCPUS];

static inline uint8_t lifecycle_tag(uint64_t phase)
{
	return lifecycle_ctl.tag[phase & 1];
}

/*
 * vCPU @idx writes a new value to its register and reads it back, until
 * told to stop.  @phase is the earliest phase consistent with every read
 * so far: tags of consecutive phases differ, so a read whose tag is not
 * that of @phase belongs to a later one.  GUEST_SYNC() reports it.
 */
static void __attribute__((unused))
lifecycle_guest(uint32_t bus, uint64_t base, uint64_t idx)
{
	const uint32_t w = bus == KVM_ACCEL_BUS_PIO ? 4 : 8, shift = 8 * (w - 1);
	struct lifecycle_stats *s = &lifecycle_stats[idx];
	uint64_t addr = base + idx * LIFECYCLE_SLOT;
	uint64_t i, val, got, published, started, phase = 0;
	uint8_t tag, last = lifecycle_tag(0);

	for (i = 1; !READ_ONCE(lifecycle_ctl.stop); i++) {
		/* This is access number s->accesses of this vCPU: say so. */
		val = accel_truncate(accel_seq_value(i * LIFECYCLE_MAX_VCPUS + idx), w);
		val = (val & ~LIFECYCLE_SEQ_MASK) | (s->accesses & LIFECYCLE_SEQ_MASK);
		accel_guest_write(bus, addr, w, val);
		published = READ_ONCE(lifecycle_ctl.published);
		barrier();
		got = accel_guest_read(bus, addr, w);
		barrier();
		started = READ_ONCE(lifecycle_ctl.started);

		tag = (got ^ val) >> shift;
		__GUEST_ASSERT(got == (val ^ (uint64_t)tag << shift) &&
			       (tag == lifecycle_tag(0) || tag == lifecycle_tag(1)),
			       "vCPU %lu: read 0x%lx after writing 0x%lx", idx,
			       got, val);
		if (phase < published)
			phase = published;
		if (tag != lifecycle_tag(phase))
			phase++;
		__GUEST_ASSERT(phase <= started,
			       "vCPU %lu: a read tagged %u, so of phase %lu or later, when the host had completed phase %lu and started %lu",
			       idx, tag, phase, published, started);
		s->changes += tag != last;
		last = tag;
		s->reads[tag]++;
		s->accesses += 2;
		s->phase = phase;
		if (!(i % LIFECYCLE_SYNC_EVERY))
			GUEST_SYNC(phase);
	}
	GUEST_DONE();
}

/* ---- VMM side ------------------------------------------------------------ */

struct lifecycle_vm {
	const struct accel_bus *bus;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[LIFECYCLE_NR_VCPUS];
	struct accel_load load;
	struct lifecycle_ctl *ctl;	/* the guests' copies */
	struct lifecycle_stats *stats;
	uint64_t phase;
};

/* A VM running lifecycle_guest() on @bus; phase 0 reads carry @tag0. */
static void __attribute__((unused))
lifecycle_vm_create(struct lifecycle_vm *lv, const struct accel_bus *bus,
		    uint8_t tag0, uint8_t tag1)
{
	int i;

	memset(lv, 0, sizeof(*lv));
	lv->bus = bus;
	lv->vm = vm_create_with_vcpus(LIFECYCLE_NR_VCPUS, lifecycle_guest, lv->vcpus);
	if (bus->bus == KVM_ACCEL_BUS_MMIO)
		virt_map(lv->vm, bus->base, bus->base,
			 DIV_ROUND_UP(bus->len, lv->vm->page_size));
	for (i = 0; i < LIFECYCLE_NR_VCPUS; i++) {
		TEST_ASSERT_EQ(lv->vcpus[i]->id, i);
		vcpu_args_set(lv->vcpus[i], 3, bus->bus, bus->base, i);
	}
	lifecycle_ctl = (struct lifecycle_ctl) { .tag = { tag0, tag1 } };
	sync_global_to_guest(lv->vm, lifecycle_ctl);
	lv->ctl = addr_gva2hva(lv->vm, (vm_vaddr_t)&lifecycle_ctl);
	lv->stats = addr_gva2hva(lv->vm, (vm_vaddr_t)lifecycle_stats);
}

/*
 * The slow path: the register-file one, storing writes, and the same
 * per-access accounting as the program's, in the same register file.  A
 * vCPU's accesses are handled by its own thread or in the kernel on that
 * thread, never both at once, so plain updates are exact.
 */
static void lifecycle_vmm_serve(struct accel_vmm *vmm)
{
	struct lifecycle_regs *regs = (struct lifecycle_regs *)vmm->store;

	accel_vmm_serve(vmm);
	lifecycle_account(regs, vmm->vcpu->id, vmm->last.is_write, vmm->last.data);
}

/*
 * Start the vCPUs, their slow path serving and completing every access
 * from @regs, and wait until each has run a while.
 */
static void __attribute__((unused))
lifecycle_vm_start(struct lifecycle_vm *lv, struct lifecycle_regs *regs)
{
	int i;

	accel_load_init(&lv->load, lv->vcpus, LIFECYCLE_NR_VCPUS, lv->bus,
			(__u8 *)regs->regs);
	for (i = 0; i < LIFECYCLE_NR_VCPUS; i++) {
		lv->load.vcpus[i].vmm.store = (__u8 *)regs->regs;
		lv->load.vcpus[i].vmm.serve = lifecycle_vmm_serve;
	}
	accel_load_start(&lv->load);
	accel_load_wait(&lv->load, 2, 0);
}

/* Around a change of phase: what the guests check reads against. */
static void __attribute__((unused)) lifecycle_phase_begin(struct lifecycle_vm *lv)
{
	__atomic_store_n(&lv->ctl->started, ++lv->phase, __ATOMIC_SEQ_CST);
}

/* The change is complete: wait until every vCPU has seen the new phase. */
static void __attribute__((unused)) lifecycle_phase_end(struct lifecycle_vm *lv)
{
	__atomic_store_n(&lv->ctl->published, lv->phase, __ATOMIC_SEQ_CST);
	accel_load_wait(&lv->load, 1, lv->phase);
}

/* Stop the guests and join their threads. */
static void __attribute__((unused)) lifecycle_vm_stop(struct lifecycle_vm *lv)
{
	__atomic_store_n(&lv->ctl->stop, 1, __ATOMIC_SEQ_CST);
	accel_load_join(&lv->load);
}

/* Accesses vCPU @i had handled by either version, reads and writes. */
static uint64_t __attribute__((unused))
lifecycle_handled(const struct lifecycle_regs *regs, int i)
{
	return regs->handled[0][0][i] + regs->handled[0][1][i] +
	       regs->handled[1][0][i] + regs->handled[1][1][i];
}

/* Accesses the program handled, all vCPUs and versions. */
static __u64 __attribute__((unused))
lifecycle_handled_total(const struct lifecycle_regs *regs)
{
	__u64 sum = 0;
	int i;

	for (i = 0; i < LIFECYCLE_NR_VCPUS; i++)
		sum += lifecycle_handled(regs, i);
	return sum;
}

/*
 * Once the guests are done: vCPU @i saw every phase up to the current one
 * in order, and each of its accesses was handled exactly once, in the
 * kernel or by its VMM thread: in total, and access by access (no write
 * carried an index other than the count of accesses handled before it).
 */
static void __attribute__((unused))
lifecycle_check_vcpu(struct lifecycle_vm *lv, const struct lifecycle_regs *regs, int i)
{
	const struct lifecycle_stats *s = &lv->stats[i];
	uint64_t exits = lv->load.vcpus[i].vmm.exits;

	TEST_ASSERT(s->phase == lv->phase && s->changes == lv->phase,
		    "vCPU %d ended in phase %lu after %lu changes, the host in phase %lu",
		    i, s->phase, s->changes, lv->phase);
	TEST_ASSERT(lifecycle_handled(regs, i) + exits == s->accesses,
		    "vCPU %d made %lu accesses: %lu handled in the kernel, %lu by the VMM",
		    i, s->accesses, lifecycle_handled(regs, i), exits);
	TEST_ASSERT(regs->handled[0][0][i] == s->reads[1] &&
		    regs->handled[1][0][i] == s->reads[2],
		    "vCPU %d: versions 1, 2 handled %llu, %llu reads, the guest saw %lu, %lu",
		    i, regs->handled[0][0][i], regs->handled[1][0][i], s->reads[1],
		    s->reads[2]);
	TEST_ASSERT(!regs->mismatches[i],
		    "vCPU %d: %llu writes out of sequence, the first carrying index %llu after %llu accesses were handled",
		    i, regs->mismatches[i], regs->first_index[i], regs->first_seq[i]);
	TEST_ASSERT(regs->seq[i] == s->accesses,
		    "vCPU %d made %lu accesses, %llu were handled", i,
		    s->accesses, regs->seq[i]);
}

/* ---- bounded races -------------------------------------------------------- */

struct lifecycle_race {
	struct timespec end;
	unsigned int min, max;
	unsigned int rounds;		/* run so far */
};

static double lifecycle_seconds(void)
{
	const char *env = getenv("KA_LIFECYCLE_SECONDS");
	double s = env && *env ? strtod(env, NULL) : LIFECYCLE_SECONDS;

	TEST_ASSERT(s >= 0 && s <= 3600, "KA_LIFECYCLE_SECONDS=%s", env);
	return s;
}

/* A race of at least @min rounds, then more while time is left, at most @max. */
static void __attribute__((unused))
lifecycle_race_init(struct lifecycle_race *r, unsigned int min, unsigned int max)
{
	double s = lifecycle_seconds();

	*r = (struct lifecycle_race) { .min = min, .max = max };
	clock_gettime(CLOCK_MONOTONIC, &r->end);
	r->end.tv_sec += (time_t)s;
	r->end.tv_nsec += (long)((s - (time_t)s) * 1e9);
	if (r->end.tv_nsec >= 1000000000L) {
		r->end.tv_sec++;
		r->end.tv_nsec -= 1000000000L;
	}
}

/* Whether to run another round; counts it if so. */
static bool __attribute__((unused)) lifecycle_race_more(struct lifecycle_race *r)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (r->rounds >= r->max ||
	    (r->rounds >= r->min &&
	     (now.tv_sec > r->end.tv_sec ||
	      (now.tv_sec == r->end.tv_sec && now.tv_nsec >= r->end.tv_nsec))))
		return false;
	r->rounds++;
	return true;
}

/* ---- unloading the module under it all ------------------------------------ */

/*
 * A thread that tries to unload kvm_accel again and again (delete_module
 * with O_NONBLOCK) while a test runs.  The test keeps something attached
 * all along, so every attempt must be refused with EWOULDBLOCK or EBUSY.
 */
struct lifecycle_unloader {
	pthread_t thread;
	bool stop;
	__u64 attempts;		/* refused as they should be */
	bool failed;
	int ret;		/* the first unexpected result, 0 for success */
};

static void *lifecycle_unloader_thread(void *arg)
{
	/* Paces the attempts, so the test's own work gets the CPU too. */
	const struct timespec pause = { .tv_nsec = 200 * 1000 };
	struct lifecycle_unloader *u = arg;
	int ret;

	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
		ret = syscall(__NR_delete_module, "kvm_accel", O_NONBLOCK) ? -errno : 0;
		if (ret != -EWOULDBLOCK && ret != -EBUSY) {
			u->ret = ret;
			u->failed = true;
			break;
		}
		u->attempts++;
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void __attribute__((unused))
lifecycle_unloader_start(struct lifecycle_unloader *u)
{
	int ret;

	memset(u, 0, sizeof(*u));
	ret = pthread_create(&u->thread, NULL, lifecycle_unloader_thread, u);
	TEST_ASSERT(!ret, "pthread_create: %s", strerror(ret));
}

/* Stop the thread: every attempt was refused, and there were some. */
static void __attribute__((unused))
lifecycle_unloader_stop(struct lifecycle_unloader *u)
{
	__atomic_store_n(&u->stop, true, __ATOMIC_RELEASE);
	pthread_join(u->thread, NULL);
	TEST_ASSERT(!u->failed, "delete_module(kvm_accel) returned %d (%s) after %llu refusals",
		    u->ret, strerror(-u->ret), u->attempts);
	TEST_ASSERT(u->attempts > 0, "no attempt to unload kvm_accel was made");
	ksft_print_msg("%llu attempts to unload kvm_accel refused\n", u->attempts);
}

/* ---- release ------------------------------------------------------------- */

/*
 * Right after the last reference to attachment @link_id went (its link fd
 * closed, or the VMM holding it reaped): the attachment is gone and so is
 * its VM, whose references on KVM's vendor module are back to @vendor_refs.
 * Both happen synchronously in the close, so there is nothing to wait for;
 * only kvm_accel's own count waits for the struct_ops map's grace periods
 * (accel_wait_released()).
 */
static void __attribute__((unused))
lifecycle_assert_released(__u32 link_id, long vendor_refs)
{
	const char *vendor = accel_kvm_vendor_module();

	TEST_ASSERT(!accel_attached(link_id), "attachment %u outlived its link",
		    link_id);
	TEST_ASSERT(accel_module_refcnt(vendor) == vendor_refs,
		    "%s has %ld references, %ld expected: the VM outlived attachment %u",
		    vendor, accel_module_refcnt(vendor), vendor_refs, link_id);
}

#endif /* _SELFTESTS_LIFECYCLE_TEST_UTIL_H */
