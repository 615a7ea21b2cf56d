/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The MPIC on the reference VMM, as the MPIC tests, demo and benchmarks
 * run it: a VM with several vCPUs, the MPIC
 * window and the xAPIC page mapped, the MPIC device run either with the
 * fast path attached or as the userspace model alone, interrupts delivered
 * through irqfds routed to the local APICs (or plain eventfds the test
 * reads), and one VMM thread per vCPU that serves the MPIC accesses that
 * exit with the slow path and counts them.
 */
#ifndef _VMM_MPIC_VM_H
#define _VMM_MPIC_VM_H

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "apic.h"
#include "mpic/mpic_slowpath.h"
#include "guest.h"
#include "irq.h"
#include "vmm.h"

#define MPIC_TEST_BASE		MPIC_DEFAULT_BASE
#define MPIC_TEST_GSI_BASE	24	/* above the IOAPIC's pins */
#define MPIC_TEST_TIMEOUT_S	120	/* bound on any guest wait */
#define MPIC_TEST_OBJ		"bpf/devices/mpic/mpic.bpf.o"
#define MPIC_NR_VECTORS		256

/* ---- guest side ---------------------------------------------------------- */

/* MPIC accesses the guest made with the two functions below, all vCPUs. */
static uint64_t mpic_guest_accesses;

static inline uint32_t mpic_guest_read(uint64_t off)
{
	__atomic_fetch_add(&mpic_guest_accesses, 1, __ATOMIC_RELAXED);
	return *(volatile uint32_t *)(MPIC_TEST_BASE + off);
}

static inline void mpic_guest_write(uint64_t off, uint32_t val)
{
	__atomic_fetch_add(&mpic_guest_accesses, 1, __ATOMIC_RELAXED);
	*(volatile uint32_t *)(MPIC_TEST_BASE + off) = val;
}

static inline uint32_t mpic_ivpr(uint32_t priority, uint32_t vector)
{
	return priority << MPIC_IVPR_PRIORITY_SHIFT | vector;
}

/* Interrupts each CPU took, by vector; written by the guest's handler. */
static uint32_t mpic_irq_count[MPIC_MAX_CPUS][MPIC_NR_VECTORS];
/* MPIC CPU of each APIC ID, filled in by the host. */
static uint8_t mpic_cpu_of_apic[256];

static inline uint32_t mpic_guest_count(uint32_t cpu, uint32_t vector)
{
	return READ_ONCE(mpic_irq_count[cpu][vector]);
}

static void mpic_guest_irq_handler(struct ex_regs *regs)
{
	uint32_t cpu = mpic_cpu_of_apic[GET_APIC_ID_FIELD(xapic_read_reg(APIC_ID))];

	WRITE_ONCE(mpic_irq_count[cpu][regs->vector],
		   mpic_irq_count[cpu][regs->vector] + 1);
	xapic_write_reg(APIC_EOI, 0);
}

static inline uint64_t mpic_guest_deadline(void)
{
	return rdtsc() + guest_tsc_khz * 1000ULL * MPIC_TEST_TIMEOUT_S;
}

static inline void mpic_guest_sti(void)
{
	asm volatile("sti" ::: "memory");
}

/* Spin until *@flag reaches @want; fail the test after MPIC_TEST_TIMEOUT_S. */
static inline void mpic_guest_wait_flag(uint32_t *flag, uint32_t want)
{
	uint64_t deadline = mpic_guest_deadline();

	while (READ_ONCE(*flag) < want) {
		__GUEST_ASSERT(rdtsc() < deadline, "flag at %u, waited for %u",
			       READ_ONCE(*flag), want);
		cpu_relax();
	}
}

/*
 * Spin, interrupts enabled, until CPU @cpu took @want interrupts on
 * @vector; fail the test after MPIC_TEST_TIMEOUT_S.
 */
static inline void mpic_guest_wait_count(uint32_t cpu, uint32_t vector, uint32_t want)
{
	uint64_t deadline = mpic_guest_deadline();

	while (mpic_guest_count(cpu, vector) < want) {
		__GUEST_ASSERT(rdtsc() < deadline,
			       "CPU %u took %u interrupts on vector 0x%x, expected %u",
			       cpu, mpic_guest_count(cpu, vector), vector, want);
		cpu_relax();
	}
}

/* ---- VMM side ------------------------------------------------------------ */

struct mpic_vcpu_stats {
	uint64_t exits;		/* MPIC accesses that reached the VMM */
	uint64_t write_exits;
	uint64_t dispatch_exits;	/* IPIDR writes among them */
	uint64_t ctpr_exits;		/* CTPR writes among them */
};

struct mpic_vm;

struct mpic_vcpu_thread {
	struct mpic_vm *mv;
	struct kvm_vcpu *vcpu;
	struct mpic_vcpu_stats stats;
	pthread_t thread;
};

struct mpic_vm {
	struct kvm_vm *vm;
	uint32_t nr_vcpus;
	struct kvm_vcpu *vcpus[MPIC_MAX_CPUS];
	uint32_t apic_ids[MPIC_MAX_CPUS];
	bool fast;			/* fast path attached */
	struct mpic_irq *irq;		/* irqfd delivery, or NULL: */
	int plain_efds[MPIC_MAX_EVENTFDS];	/* eventfds the test reads */
	const int *eventfds;
	__u32 nr_eventfds;
	struct kvm_accel_dev *dev;
	__u32 link_id;
	struct mpic *mpic;
	struct mpic_regs *regs;
	struct vmm vmm;			/* the MPIC, through mpic_vm_access() */
	struct mpic_vcpu_thread threads[MPIC_MAX_CPUS];
	/*
	 * Set before mpic_vm_start(): each GUEST_SYNC() parks the vCPU until
	 * every vCPU made it and the main thread went through
	 * mpic_vm_sync_begin() and mpic_vm_sync_end().  Every guest must
	 * make the same number of GUEST_SYNC() calls.
	 */
	bool syncs;
	pthread_barrier_t barrier;
};

static inline uint32_t mpic_vcpu_apic_id(struct kvm_vcpu *vcpu)
{
	struct kvm_lapic_state lapic;

	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &lapic);
	return GET_APIC_ID_FIELD(*(uint32_t *)&lapic.regs[APIC_ID]);
}

/*
 * The MPIC's slow path as the VM registers it: mpic_access(), with the
 * exits counted per vCPU by kind.
 */
static int mpic_vm_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
			  bool is_write, void *ptr)
{
	struct mpic_vm *mv = ptr;
	struct mpic_vcpu_stats *stats = &mv->threads[vcpu->id].stats;
	__u32 cpu = 0, idx = 0;

	stats->exits++;
	if (is_write) {
		stats->write_exits++;
		switch (mpic_write_op(mv->regs, addr - MPIC_TEST_BASE, len, vcpu->id,
				      &cpu, &idx)) {
		case MPIC_OP_DISPATCH:
			stats->dispatch_exits++;
			break;
		case MPIC_OP_CTPR:
			stats->ctpr_exits++;
			break;
		default:
			break;
		}
	}
	return mpic_access(vcpu, addr, data, len, is_write, mv->mpic);
}

/*
 * A VM of @nr_vcpus vCPUs running @guest_code, with the MPIC at
 * MPIC_TEST_BASE: fast path attached if @fast, else the userspace model
 * alone.  Interrupts go to the local APICs through irqfds if @irqfds, else
 * to plain eventfds (mpic_vm_eventfd_count()).
 */
static void __maybe_unused
mpic_vm_create(struct mpic_vm *mv, uint32_t nr_vcpus, void *guest_code,
	       bool fast, bool irqfds)
{
	struct mpic_config cfg;
	uint32_t i;
	int ret;

	if (fast)
		TEST_REQUIRE(kvm_accel_module_loaded());
	TEST_ASSERT(nr_vcpus && nr_vcpus <= MPIC_MAX_CPUS, "%u vCPUs", nr_vcpus);

	memset(mv, 0, sizeof(*mv));
	mv->nr_vcpus = nr_vcpus;
	mv->fast = fast;
	mv->vm = vm_create_with_vcpus(nr_vcpus, guest_code, mv->vcpus);
	virt_map(mv->vm, MPIC_TEST_BASE, MPIC_TEST_BASE, MPIC_SIZE / mv->vm->page_size);
	virt_pg_map(mv->vm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);

	for (i = 0; i < nr_vcpus; i++) {
		TEST_ASSERT_EQ(mv->vcpus[i]->id, i);
		mv->apic_ids[i] = mpic_vcpu_apic_id(mv->vcpus[i]);
		mpic_cpu_of_apic[mv->apic_ids[i]] = i;
	}
	sync_global_to_guest(mv->vm, mpic_cpu_of_apic);

	if (irqfds) {
		ret = mpic_irq_create(mv->vm->fd, mv->apic_ids, nr_vcpus,
				      MPIC_TEST_GSI_BASE, NULL, 0, &mv->irq);
		TEST_ASSERT(!ret, "mpic_irq_create: %s", strerror(-ret));
		mv->eventfds = mpic_irq_eventfds(mv->irq, &mv->nr_eventfds);
	} else {
		mv->nr_eventfds = nr_vcpus * MPIC_NR_IPIS;
		for (i = 0; i < mv->nr_eventfds; i++) {
			mv->plain_efds[i] = vmm_eventfd(EFD_NONBLOCK);
			TEST_ASSERT(mv->plain_efds[i] >= 0, "eventfd: %s",
				    strerror(-mv->plain_efds[i]));
		}
		mv->eventfds = mv->plain_efds;
	}

	if (fast) {
		KVM_ACCEL_ATTACH_OPTS(opts, .eventfds = mv->eventfds,
				      .nr_eventfds = mv->nr_eventfds);

		mv->dev = accel_attach_obj(mv->vm, MPIC_TEST_OBJ, &opts,
					   (void **)&mv->regs, sizeof(*mv->regs));
		mv->link_id = accel_link_id(mv->dev);
	}

	cfg = (struct mpic_config) {
		.base = MPIC_TEST_BASE,
		.nr_cpus = nr_vcpus,
		.eventfds = mv->eventfds,
		.set_vector = mv->irq ? mpic_irq_set_vector : NULL,
		.opaque = mv->irq,
	};
	ret = mpic_create(&cfg, mv->regs, &mv->mpic);
	TEST_ASSERT(!ret, "mpic_create: %s", strerror(-ret));
	mv->regs = mpic_regfile(mv->mpic);
	mpic_vmm_register(&mv->vmm, mv->mpic, mpic_vm_access, mv);

	for (i = 0; i < MPIC_NR_VECTORS; i++)
		if (i >= MPIC_VECTOR_MIN)
			vm_install_exception_handler(mv->vm, i, mpic_guest_irq_handler);
}

/* Run one vCPU until its guest is done, serving MPIC exits. */
static void *mpic_vcpu_thread_fn(void *arg)
{
	struct mpic_vcpu_thread *t = arg;
	struct ucall uc;

	for (;;) {
		vcpu_run(t->vcpu);
		switch (get_ucall(t->vcpu, &uc)) {
		case UCALL_DONE:
			return NULL;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			return NULL;
		case UCALL_NONE:
			vmm_emulate(&t->mv->vmm, t->vcpu);
			break;
		case UCALL_SYNC:
			TEST_ASSERT(t->mv->syncs, "vCPU %u: GUEST_SYNC without syncs",
				    t->vcpu->id);
			pthread_barrier_wait(&t->mv->barrier);
			pthread_barrier_wait(&t->mv->barrier);
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected ucall %lu", t->vcpu->id, uc.cmd);
		}
	}
}

/* Start every vCPU on a thread of its own. */
static void __maybe_unused mpic_vm_start(struct mpic_vm *mv)
{
	struct mpic_vcpu_thread *t;
	uint32_t i;
	int ret;

	if (mv->syncs)
		pthread_barrier_init(&mv->barrier, NULL, mv->nr_vcpus + 1);
	for (i = 0; i < mv->nr_vcpus; i++) {
		t = &mv->threads[i];
		*t = (struct mpic_vcpu_thread) { .mv = mv, .vcpu = mv->vcpus[i] };
		ret = pthread_create(&t->thread, NULL, mpic_vcpu_thread_fn, t);
		TEST_ASSERT(!ret, "pthread_create: %s", strerror(ret));
	}
}

/* Wait until every vCPU is parked at its GUEST_SYNC(). */
static void __maybe_unused mpic_vm_sync_begin(struct mpic_vm *mv)
{
	pthread_barrier_wait(&mv->barrier);
}

/* Let the parked vCPUs go on. */
static void __maybe_unused mpic_vm_sync_end(struct mpic_vm *mv)
{
	pthread_barrier_wait(&mv->barrier);
}

/* Wait for every guest to be done; returns the exits of all vCPUs. */
static struct mpic_vcpu_stats __maybe_unused mpic_vm_join(struct mpic_vm *mv)
{
	struct mpic_vcpu_stats sum = {};
	uint32_t i;

	for (i = 0; i < mv->nr_vcpus; i++) {
		pthread_join(mv->threads[i].thread, NULL);
		sum.exits += mv->threads[i].stats.exits;
		sum.write_exits += mv->threads[i].stats.write_exits;
		sum.dispatch_exits += mv->threads[i].stats.dispatch_exits;
		sum.ctpr_exits += mv->threads[i].stats.ctpr_exits;
	}
	return sum;
}

/* Signals eventfd @idx received since last asked (plain eventfds only). */
static uint64_t __maybe_unused mpic_vm_eventfd_count(struct mpic_vm *mv, uint32_t idx)
{
	uint64_t val;

	TEST_ASSERT(!mv->irq, "the eventfds are KVM's irqfds");
	if (read(mv->plain_efds[idx], &val, sizeof(val)) == sizeof(val))
		return val;
	TEST_ASSERT(errno == EAGAIN, "reading eventfd %u: %s", idx, strerror(errno));
	return 0;
}

/* What must hold at any time, whatever runs (R2-R4, R6), for @nr CPUs. */
static void __maybe_unused mpic_check_live(const struct mpic_regs *r, uint32_t nr)
{
	uint64_t delivered, coalesced, raised, v;
	uint32_t n, i;

	for (i = 0; i < MPIC_NR_IPIS; i++) {
		v = READ_ONCE(r->ivpr[i]);
		TEST_ASSERT(!(v & ~(__u64)MPIC_IVPR_WRITABLE), "IPIVPR%u stored as 0x%lx", i, v);
	}
	for (n = 0; n < nr; n++) {
		const struct mpic_cpu *c = &r->cpu[n];

		v = READ_ONCE(c->ctpr);
		TEST_ASSERT(v <= MPIC_CTPR_MASK, "CTPR of CPU %u is %lu", n, v);
		v = READ_ONCE(c->pending);
		TEST_ASSERT(!(v >> MPIC_NR_IPIS), "CPU %u pending 0x%lx", n, v);
		for (i = 0; i < MPIC_NR_IPIS; i++) {
			delivered = READ_ONCE(c->delivered[i]);
			coalesced = READ_ONCE(c->coalesced[i]);
			smp_rmb();	/* delivered and coalesced before raised (R6) */
			raised = READ_ONCE(c->raised[i]);
			TEST_ASSERT(raised >= delivered + coalesced,
				    "CPU %u IPI %u: raised %lu < delivered %lu + coalesced %lu",
				    n, i, raised, delivered, coalesced);
		}
	}
}

/*
 * With every vCPU stopped and plain eventfds: R5, R6, raised equal to what
 * the guests dispatched (@want[cpu][ipi]), and each eventfd signalled once
 * per delivery (@got counts the signals so far and is brought up to
 * date).  Returns the IPIs pending.
 */
static uint64_t __maybe_unused
mpic_check_quiescent(struct mpic_vm *mv, const uint64_t want[][MPIC_NR_IPIS],
		     uint64_t got[][MPIC_NR_IPIS])
{
	const struct mpic_regs *r = mv->regs;
	uint64_t bit, held = 0;
	uint32_t n, i;

	mpic_check_live(r, mv->nr_vcpus);
	for (n = 0; n < mv->nr_vcpus; n++) {
		const struct mpic_cpu *cpu = &r->cpu[n];

		for (i = 0; i < MPIC_NR_IPIS; i++) {
			bit = (cpu->pending >> i) & 1;
			got[n][i] += mpic_vm_eventfd_count(mv, MPIC_EVENTFD(n, i));
			TEST_ASSERT(cpu->raised[i] == want[n][i],
				    "CPU %u IPI %u: raised %llu, the guests dispatched %lu",
				    n, i, cpu->raised[i], want[n][i]);
			TEST_ASSERT(cpu->raised[i] == cpu->delivered[i] + cpu->coalesced[i] + bit,
				    "CPU %u IPI %u: raised %llu != delivered %llu + coalesced %llu + pending %lu",
				    n, i, cpu->raised[i], cpu->delivered[i],
				    cpu->coalesced[i], bit);
			TEST_ASSERT(got[n][i] == cpu->delivered[i],
				    "CPU %u IPI %u: %lu signals, %llu delivered",
				    n, i, got[n][i], cpu->delivered[i]);
			TEST_ASSERT(!bit || !mpic_deliverable(r->ivpr[i], cpu->ctpr),
				    "CPU %u IPI %u pending but deliverable (IPIVPR 0x%llx, CTPR %llu)",
				    n, i, r->ivpr[i], cpu->ctpr);
			held += bit;
		}
	}
	TEST_ASSERT_EQ(r->signal_errors, 0);
	return held;
}

/* Fail if vector @vector is pending in the local APIC of any vCPU. */
static void __maybe_unused mpic_vm_assert_irr_clear(struct mpic_vm *mv, uint32_t vector)
{
	struct kvm_lapic_state lapic;
	uint32_t i, irr;

	for (i = 0; i < mv->nr_vcpus; i++) {
		vcpu_ioctl(mv->vcpus[i], KVM_GET_LAPIC, &lapic);
		irr = *(uint32_t *)&lapic.regs[APIC_IRR + (vector / 32) * 0x10];
		TEST_ASSERT(!(irr & (1U << (vector % 32))),
			    "vector 0x%x still pending in the local APIC of CPU %u",
			    vector, i);
	}
}

/* Interrupt and access counts of the guest, copied out of the guest. */
static void __maybe_unused mpic_vm_read_counts(struct mpic_vm *mv)
{
	sync_global_from_guest(mv->vm, mpic_irq_count);
	sync_global_from_guest(mv->vm, mpic_guest_accesses);
}

static void __maybe_unused mpic_vm_destroy(struct mpic_vm *mv)
{
	uint32_t i;

	/* The irqfds and routes go while the VM fd is still open. */
	if (mv->syncs)
		pthread_barrier_destroy(&mv->barrier);
	mpic_destroy(mv->mpic);
	kvm_accel_detach(mv->dev);
	mpic_irq_destroy(mv->irq);
	kvm_vm_free(mv->vm);
	if (!mv->irq)
		for (i = 0; i < mv->nr_eventfds; i++)
			close(mv->plain_efds[i]);
}

#endif /* _VMM_MPIC_VM_H */
