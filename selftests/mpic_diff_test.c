// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the equivalence of the MPIC's two halves (devices/mpic): one guest
 * workload, run once with the fast path attached and once with the
 * userspace model alone, gives the guest identical results: every value it
 * read (reads of every width at every offset of every register slot, and
 * reads across slots and pages, in the reset state and after writes of
 * every width and alignment), the interrupts each CPU took by vector at
 * every checkpoint, and the register file at the end.  Only the exits
 * differ; both counts are printed, and each must be what the access rules
 * predict: without the fast path every access exits, with it only IPIVPR
 * and SVR writes, reads that cross a register slot, and the odd-sized
 * fragments KVM makes of an access that crosses a page.
 */
#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "mpic_vm.h"

#define NR_VCPUS	2
#define LOG_MAX		8192
#define FENCE_VECTOR	0x30	/* below every MPIC vector: taken last */
#define GUEST_PAGE	4096

/* Per CPU: every value read, then the counts logged at checkpoints. */
static uint64_t glog[NR_VCPUS][LOG_MAX];
static uint32_t glog_n[NR_VCPUS];

/* Per CPU: device fragments the accesses became, and what should exit. */
struct frag_stats {
	uint64_t frags;		/* accesses as the device sees them */
	uint64_t slow;		/* of which the fast path declines */
	uint64_t odd;		/* of which have a length KVM's bus refuses */
};
static struct frag_stats gfrags[NR_VCPUS];

static uint32_t cpu1_apic_id, cpu1_ready, cpu0_done;

static void dlog(uint32_t cpu, uint64_t val)
{
	GUEST_ASSERT(glog_n[cpu] < LOG_MAX);
	glog[cpu][glog_n[cpu]++] = val;
}

/* The fast path's contract (mpic.bpf.c): which accesses exit. */
static bool frag_declined(uint64_t off, uint32_t len, bool write)
{
	if (!write)
		return off % MPIC_SLOT + len > MPIC_SLOT;
	return off % MPIC_SLOT == 0 && len >= MPIC_REG_BYTES &&
	       ((off >= MPIC_IPIVPR(0) && off <= MPIC_IPIVPR(3)) || off == MPIC_SVR);
}

static void note_frag(uint32_t cpu, uint64_t off, uint32_t len, bool write)
{
	gfrags[cpu].frags++;
	if (len != 1 && len != 2 && len != 4 && len != 8)
		gfrags[cpu].odd++;
	else if (frag_declined(off, len, write))
		gfrags[cpu].slow++;
}

/* KVM emulates an access that crosses a page as one access per page. */
static void note_access(uint32_t cpu, uint64_t off, uint32_t len, bool write)
{
	uint64_t page_end = (off | (GUEST_PAGE - 1)) + 1;

	if (off + len > page_end) {
		note_frag(cpu, off, page_end - off, write);
		note_frag(cpu, page_end, off + len - page_end, write);
	} else {
		note_frag(cpu, off, len, write);
	}
}

static uint64_t dread(uint32_t cpu, uint64_t off, uint32_t len)
{
	uint64_t val;

	note_access(cpu, off, len, false);
	val = accel_guest_read(KVM_ACCEL_BUS_MMIO, MPIC_TEST_BASE + off, len);
	dlog(cpu, val);
	return val;
}

static void dwrite(uint32_t cpu, uint64_t off, uint32_t len, uint64_t val)
{
	note_access(cpu, off, len, true);
	accel_guest_write(KVM_ACCEL_BUS_MMIO, MPIC_TEST_BASE + off, len, val);
}

/*
 * A checkpoint: a fixed IPI to each CPU on a vector below all the MPIC's.
 * A local APIC takes pending interrupts highest first, and the MPIC's
 * reach the APIC before its dispatch write completes, so once both CPUs
 * took the fence every IPI dispatched before it was taken too.  Then log
 * the interrupts each CPU took.
 */
static void fence(void)
{
	uint32_t c0 = mpic_guest_count(0, FENCE_VECTOR);
	uint32_t c1 = mpic_guest_count(1, FENCE_VECTOR);
	uint32_t cpu, v;

	xapic_write_reg(APIC_ICR2, 0);
	xapic_write_reg(APIC_ICR, APIC_DEST_SELF | APIC_DM_FIXED | FENCE_VECTOR);
	mpic_guest_wait_count(0, FENCE_VECTOR, c0 + 1);
	xapic_write_reg(APIC_ICR2, SET_APIC_DEST_FIELD(cpu1_apic_id));
	xapic_write_reg(APIC_ICR, APIC_DEST_PHYSICAL | APIC_DM_FIXED | FENCE_VECTOR);
	mpic_guest_wait_count(1, FENCE_VECTOR, c1 + 1);
	for (cpu = 0; cpu < NR_VCPUS; cpu++)
		for (v = 0; v < MPIC_NR_VECTORS; v++)
			if (v != FENCE_VECTOR && mpic_guest_count(cpu, v))
				dlog(0, (uint64_t)cpu << 40 | (uint64_t)v << 32 |
					mpic_guest_count(cpu, v));
}

/* Slots read at every width and offset. */
static const uint64_t all_slots[] = {
	0x0, MPIC_IPIDR(0), MPIC_IPIDR(1), MPIC_IPIDR(2), MPIC_IPIDR(3),
	MPIC_CTPR, MPIC_WHOAMI, MPIC_IACK, MPIC_EOI, 0xc0, 0xff0,
	MPIC_FRR, 0x1010, MPIC_IPIVPR(0), MPIC_IPIVPR(1), MPIC_IPIVPR(2),
	MPIC_IPIVPR(3), MPIC_SVR, 0x10f0, 0x1ff0, 0x2000, 0x10000,
	MPIC_CPU_VIEW(0) + MPIC_CTPR, MPIC_CPU_VIEW(0) + MPIC_WHOAMI,
	MPIC_CPU_VIEW(1) + MPIC_IPIDR(0), MPIC_CPU_VIEW(1) + MPIC_CTPR,
	MPIC_CPU_VIEW(1) + MPIC_WHOAMI, MPIC_CPU_VIEW(1) + MPIC_IACK,
	MPIC_CPU_VIEW(1) + MPIC_EOI, MPIC_CPU_VIEW(1) + 0xff0,
	MPIC_CPU_VIEW(2) + MPIC_CTPR, MPIC_CPU_VIEW(2) + MPIC_WHOAMI,
	MPIC_CPU_VIEW(31) + MPIC_WHOAMI, MPIC_SIZE - MPIC_SLOT,
};

/* The registers, read at every width and offset again after changes. */
static const uint64_t reg_slots[] = {
	MPIC_IPIDR(0), MPIC_CTPR, MPIC_WHOAMI, MPIC_IACK, MPIC_EOI, MPIC_FRR,
	MPIC_IPIVPR(0), MPIC_IPIVPR(1), MPIC_IPIVPR(2), MPIC_IPIVPR(3), MPIC_SVR,
	MPIC_CPU_VIEW(1) + MPIC_CTPR, MPIC_CPU_VIEW(1) + MPIC_WHOAMI,
	MPIC_CPU_VIEW(2) + MPIC_CTPR, MPIC_CPU_VIEW(2) + MPIC_WHOAMI,
};

/* Slots written at every width and at several offsets. */
static const uint64_t write_slots[] = {
	MPIC_CTPR, MPIC_CPU_VIEW(1) + MPIC_CTPR, MPIC_WHOAMI, MPIC_IACK,
	MPIC_EOI, MPIC_FRR, MPIC_SVR, MPIC_IPIVPR(2), 0xc0, 0x1010,
	MPIC_CPU_VIEW(2) + MPIC_CTPR,
};
static const uint32_t write_offsets[] = { 0, 1, 2, 3, 4, 8, 12 };

static void sweep(const uint64_t *slots, uint32_t n)
{
	uint32_t i, w, b;

	for (i = 0; i < n; i++)
		for (w = 1; w <= 8; w *= 2)
			for (b = 0; b < MPIC_SLOT; b++)
				if (slots[i] + b + w <= MPIC_SIZE)
					dread(0, slots[i] + b, w);
}

/* Write @slot at every width and offset with values of @seq; log it each time. */
static uint64_t write_every_way(uint64_t slot, uint64_t seq, bool checkpoint)
{
	uint32_t w, b;

	for (w = 1; w <= 8; w *= 2) {
		for (b = 0; b < ARRAY_SIZE(write_offsets); b++) {
			dwrite(0, slot + write_offsets[b], w, accel_seq_value(seq++));
			if (checkpoint)
				fence();
			dread(0, slot, 4);
		}
	}
	return seq;
}

static void guest_cpu0(void)
{
	uint64_t seq = 0;
	uint32_t i;

	mpic_guest_wait_flag(&cpu1_ready, 1);

	/* The reset state, everywhere. */
	sweep(all_slots, ARRAY_SIZE(all_slots));

	/* Configuration, with reserved and read-only bits set. */
	dwrite(0, MPIC_IPIVPR(0), 4, 0x7ff0ff00 | mpic_ivpr(9, 0x41));
	dwrite(0, MPIC_IPIVPR(1), 4, MPIC_IVPR_MSK | mpic_ivpr(3, 0x42));
	dwrite(0, MPIC_IPIVPR(2), 4, mpic_ivpr(0, 0x43));
	dwrite(0, MPIC_IPIVPR(3), 8, 0xdead000000000000ULL | mpic_ivpr(15, 0x05));
	dwrite(0, MPIC_SVR, 4, 0xffffff3f);
	dwrite(0, MPIC_CTPR, 4, 0xfffffff3);
	dwrite(0, MPIC_CPU_VIEW(1) + MPIC_CTPR, 4, MPIC_CTPR_MASK);
	dwrite(0, MPIC_FRR, 4, 0);
	dwrite(0, MPIC_WHOAMI, 4, 5);
	sweep(reg_slots, ARRAY_SIZE(reg_slots));

	/* Writes of every width and alignment, then the configuration again. */
	for (i = 0; i < ARRAY_SIZE(write_slots); i++)
		seq = write_every_way(write_slots[i], seq, false);
	dwrite(0, MPIC_CTPR, 4, 3);
	dwrite(0, MPIC_CPU_VIEW(1) + MPIC_CTPR, 4, MPIC_CTPR_MASK);
	dwrite(0, MPIC_IPIVPR(2), 4, mpic_ivpr(0, 0x43));
	dwrite(0, MPIC_SVR, 4, 0x3f);

	/*
	 * Dispatch writes of every width and alignment: to the masked IPI 1,
	 * then to IPI 0, which CPU 0 takes and CPU 1 (CTPR 15) holds.
	 */
	seq = write_every_way(MPIC_IPIDR(1), seq, false);
	dread(0, MPIC_IPIVPR(1), 4);
	seq = write_every_way(MPIC_IPIDR(0), seq, true);
	dwrite(0, MPIC_CPU_VIEW(1) + MPIC_IPIDR(0), 4, 0x3);
	fence();
	dread(0, MPIC_IPIVPR(0), 4);

	/* Unblocking by CTPR and IPIVPR writes; priority 0; bad vectors. */
	dwrite(0, MPIC_CPU_VIEW(1) + MPIC_CTPR, 4, 0);
	fence();
	dread(0, MPIC_IPIVPR(0), 4);
	dwrite(0, MPIC_IPIVPR(1), 4, mpic_ivpr(3, 0x42));
	fence();
	dread(0, MPIC_IPIVPR(1), 4);
	dwrite(0, MPIC_CTPR, 4, 2);
	fence();
	dread(0, MPIC_IPIVPR(1), 4);
	dwrite(0, MPIC_IPIDR(2), 4, 0x3);
	fence();
	dread(0, MPIC_IPIVPR(2), 4);
	dwrite(0, MPIC_IPIDR(3), 4, 0x3);
	fence();
	dread(0, MPIC_IPIVPR(3), 4);
	dwrite(0, MPIC_IPIVPR(3), 4, mpic_ivpr(15, 0x44));
	fence();
	dread(0, MPIC_IPIVPR(3), 4);
	dwrite(0, MPIC_IPIVPR(0), 4, mpic_ivpr(9, 0x45));
	dwrite(0, MPIC_IPIDR(0), 4, 0x3);
	fence();
	dwrite(0, MPIC_IPIVPR(1), 4, MPIC_IVPR_MSK | mpic_ivpr(3, 0x42));
	dwrite(0, MPIC_IPIDR(1), 4, 0x3);
	dwrite(0, MPIC_IPIDR(1), 4, 0x3);
	dwrite(0, MPIC_CTPR, 4, MPIC_CTPR_MASK);
	dwrite(0, MPIC_IPIVPR(1), 4, mpic_ivpr(3, 0x42));
	fence();
	dwrite(0, MPIC_EOI, 4, 0);
	sweep(reg_slots, ARRAY_SIZE(reg_slots));

	WRITE_ONCE(cpu0_done, 1);
	GUEST_DONE();
}

static void guest_cpu1(void)
{
	dread(1, MPIC_WHOAMI, 4);
	dread(1, MPIC_CTPR, 4);
	dread(1, MPIC_IACK, 4);
	dread(1, MPIC_CPU_VIEW(0) + MPIC_WHOAMI, 4);
	dread(1, MPIC_WHOAMI + 1, 2);
	WRITE_ONCE(cpu1_ready, 1);
	mpic_guest_wait_flag(&cpu0_done, 1);
	GUEST_DONE();
}

static void guest_code(uint32_t cpu)
{
	xapic_enable();
	mpic_guest_sti();
	if (cpu)
		guest_cpu1();
	guest_cpu0();
}

struct run_result {
	uint64_t log[NR_VCPUS][LOG_MAX];
	uint32_t log_n[NR_VCPUS];
	uint32_t counts[NR_VCPUS][MPIC_NR_VECTORS];
	struct mpic_regs regs;
	struct frag_stats frags[NR_VCPUS];
	struct mpic_vcpu_stats exits;
	struct kvm_accel_counters accel;
};

static struct run_result fast, model;

static void run_workload(bool with_fast_path, struct run_result *res)
{
	struct mpic_vm mv;
	uint32_t i;

	mpic_vm_create(&mv, NR_VCPUS, guest_code, with_fast_path, true);
	cpu1_apic_id = mv.apic_ids[1];
	sync_global_to_guest(mv.vm, cpu1_apic_id);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_args_set(mv.vcpus[i], 1, i);
	mpic_vm_start(&mv);
	res->exits = mpic_vm_join(&mv);

	mpic_vm_read_counts(&mv);
	sync_global_from_guest(mv.vm, glog);
	sync_global_from_guest(mv.vm, glog_n);
	sync_global_from_guest(mv.vm, gfrags);
	memcpy(res->log, glog, sizeof(glog));
	memcpy(res->log_n, glog_n, sizeof(glog_n));
	memcpy(res->counts, mpic_irq_count, sizeof(res->counts));
	memcpy(res->frags, gfrags, sizeof(gfrags));
	res->regs = *mv.regs;
	if (with_fast_path)
		res->accel = accel_counters(mv.link_id);
	for (i = 0; i < MPIC_NR_VECTORS; i++)
		mpic_vm_assert_irr_clear(&mv, i);
	mpic_vm_destroy(&mv);
}

static void compare_logs(void)
{
	uint32_t cpu, i;

	for (cpu = 0; cpu < NR_VCPUS; cpu++) {
		TEST_ASSERT(fast.log_n[cpu] == model.log_n[cpu],
			    "CPU %u logged %u values with the fast path, %u without",
			    cpu, fast.log_n[cpu], model.log_n[cpu]);
		for (i = 0; i < fast.log_n[cpu]; i++)
			TEST_ASSERT(fast.log[cpu][i] == model.log[cpu][i],
				    "CPU %u, value %u: 0x%lx with the fast path, 0x%lx without",
				    cpu, i, fast.log[cpu][i], model.log[cpu][i]);
	}
	for (cpu = 0; cpu < NR_VCPUS; cpu++)
		for (i = 0; i < MPIC_NR_VECTORS; i++)
			TEST_ASSERT(fast.counts[cpu][i] == model.counts[cpu][i],
				    "CPU %u took %u interrupts on vector 0x%x with the fast path, %u without",
				    cpu, fast.counts[cpu][i], i, model.counts[cpu][i]);
}

static void compare_regs(void)
{
	const struct mpic_regs *f = &fast.regs, *m = &model.regs;
	uint32_t n, i;

	TEST_ASSERT(f->nr_cpus == m->nr_cpus && f->frr == m->frr && f->svr == m->svr &&
		    !f->signal_errors && !m->signal_errors,
		    "global words differ: nr_cpus %llu/%llu frr 0x%llx/0x%llx svr 0x%llx/0x%llx signal errors %llu/%llu",
		    f->nr_cpus, m->nr_cpus, f->frr, m->frr, f->svr, m->svr,
		    f->signal_errors, m->signal_errors);
	for (i = 0; i < MPIC_NR_IPIS; i++)
		TEST_ASSERT(f->ivpr[i] == m->ivpr[i], "IPIVPR%u: 0x%llx with the fast path, 0x%llx without",
			    i, f->ivpr[i], m->ivpr[i]);
	for (n = 0; n < MPIC_MAX_CPUS; n++)
		TEST_ASSERT(!memcmp(&f->cpu[n], &m->cpu[n], sizeof(f->cpu[n])),
			    "CPU %u: ctpr %llu/%llu pending 0x%llx/0x%llx raised %llu/%llu delivered %llu/%llu",
			    n, f->cpu[n].ctpr, m->cpu[n].ctpr, f->cpu[n].pending,
			    m->cpu[n].pending, f->cpu[n].raised[0], m->cpu[n].raised[0],
			    f->cpu[n].delivered[0], m->cpu[n].delivered[0]);
}

TEST(fast_path_matches_model)
{
	uint64_t frags, slow, odd, raised = 0;
	uint32_t n, i;

	run_workload(true, &fast);
	run_workload(false, &model);

	compare_logs();
	compare_regs();

	/* The workload did what it is meant to: IPIs raised, some held. */
	for (n = 0; n < NR_VCPUS; n++)
		for (i = 0; i < MPIC_NR_IPIS; i++)
			raised += fast.regs.cpu[n].raised[i];
	TEST_ASSERT(raised && fast.regs.cpu[0].pending && fast.counts[0][0x41],
		    "the workload raised %lu IPIs, pending 0x%llx, took %u on 0x41",
		    raised, fast.regs.cpu[0].pending, fast.counts[0][0x41]);

	frags = fast.frags[0].frags + fast.frags[1].frags;
	slow = fast.frags[0].slow + fast.frags[1].slow;
	odd = fast.frags[0].odd + fast.frags[1].odd;
	ksft_print_msg("fast path: %lu accesses, %lu exits (%lu declined, %lu odd-sized page fragments)\n",
		       frags, fast.exits.exits, slow, odd);
	ksft_print_msg("userspace model alone: %lu accesses, %lu exits\n",
		       model.frags[0].frags + model.frags[1].frags, model.exits.exits);

	TEST_ASSERT_EQ(model.frags[0].frags + model.frags[1].frags, frags);
	TEST_ASSERT_EQ(model.exits.exits, frags);
	TEST_ASSERT_EQ(fast.exits.exits, slow + odd);
	TEST_ASSERT(fast.accel.handled == frags - slow - odd && fast.accel.exits == slow &&
		    fast.accel.errors == odd,
		    "module: handled %llu exits %llu errors %llu; expected %lu %lu %lu",
		    fast.accel.handled, fast.accel.exits, fast.accel.errors,
		    frags - slow - odd, slow, odd);
	TEST_ASSERT_EQ(fast.exits.dispatch_exits, 0);
	TEST_ASSERT_EQ(fast.exits.ctpr_exits, 0);
	TEST_ASSERT(fast.exits.exits < model.exits.exits, "no exit saved");
}

TEST_HARNESS_MAIN
