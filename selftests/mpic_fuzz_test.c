// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the MPIC (devices/mpic) against random guest accesses: every
 * width, any alignment, random values, at any offset in and around its
 * 256 KiB window, aimed mostly at the per-CPU registers (current view and
 * every CPU's view, one CPU beyond the last), the global ones and the page
 * boundaries inside the window, which KVM splits accesses at; a quarter lie
 * below, across either edge of, or beyond the window.
 *
 * Phase 1, differential: vCPU 0 of a 4-CPU MPIC makes the same seeded
 * sequence in two VMs, one with the fast path attached and one with the
 * userspace model alone, run in lockstep.  Every value read must be
 * identical, and so must the whole register file at the end (registers,
 * pending IPIs, statistics) and the IPIs delivered to each (CPU, IPI)
 * eventfd.  Nothing in the MPIC depends on time, so everything is compared.
 *
 * Phase 2, contract: four vCPUs fuzz one attached MPIC at once, each in
 * its own sequence; IPIVPR and SVR writes exit and run on the slow path
 * concurrently with dispatches and CTPR writes in the kernel.  Each guest
 * checks every byte it reads that cannot change (FRR, WHOAMI in every
 * view, write-only and reserved registers, CPUs that do not exist, all
 * ones outside the window); at the end, with every vCPU stopped, the rules
 * of mpic.h hold (mpic_check_quiescent(): nothing deliverable is left
 * pending, raised = delivered + coalesced + pending, raised equals what the
 * guests' sequences dispatched, every delivery signalled its eventfd once).
 *
 * In both phases the module's counters must show that the program saw
 * exactly the accesses the guests sent inside the window (odd-sized
 * fragments refused before it), never one outside, and the VMM exactly
 * the rest.  IPIs go to plain eventfds the test reads, not into the guests.
 *
 * Reproducible: KA_MPIC_FUZZ_SEED and KA_MPIC_FUZZ_COUNT (accesses per
 * phase) are printed first; each vCPU's accesses depend only on the seed
 * and the vCPU (selftests/README.md).
 */
#include "kselftest_harness.h"
#include "mpic_vm.h"
#include "device_fuzz.h"

#define MF_NR_CPUS		4
#define MF_DEFAULT_SEED		0x6d7069632d667a31ULL
#define MF_DEFAULT_COUNT	30000
#define MF_PHASE_DIFF		1
#define MF_PHASE_CONTRACT	2
/* Stream of the generator for phase 1, after those of the phase 2 vCPUs. */
#define MF_DIFF_STREAM		MF_NR_CPUS
#define MF_FRR			((MF_NR_CPUS - 1) << MPIC_FRR_NCPU_SHIFT | MPIC_FRR_VID)

/* ---- the sequence, generated alike by the guests and the VMM -------------- */

/*
 * A register slot: of a per-CPU block (the current view, or the view of
 * CPU 0 .. MF_NR_CPUS, the last one absent), or of the global block.
 */
static uint64_t mf_hot(uint64_t pick)
{
	uint64_t reg = MPIC_IPIDR(0) + (pick % 8) * MPIC_SLOT;
	uint64_t view = (pick >> 3) % (MF_NR_CPUS + 3);

	if (!view)
		return reg;
	if (view <= MF_NR_CPUS + 1)
		return MPIC_CPU_VIEW(view - 1) + reg;
	return MPIC_GLOBAL_BASE + ((pick >> 6) % 16) * MPIC_SLOT;
}

static const struct dfuzz_dev mf_dev = {
	.base = MPIC_TEST_BASE,
	.size = MPIC_SIZE,
	.hot = mf_hot,
};

/*
 * Byte @b (from the base) as vCPU @vcpu reads it when no access can change
 * it: *@v and true; false for a byte that may change.
 */
static bool mf_const_byte(int64_t b, uint32_t vcpu, uint8_t *v)
{
	uint64_t byte = b & (MPIC_SLOT - 1), reg, n;

	*v = 0;
	if (b < 0 || b >= MPIC_SIZE) {
		*v = DFUZZ_OUTSIDE_BYTE;
		return true;
	}
	if (byte >= MPIC_REG_BYTES)
		return true;
	if (b >= MPIC_GLOBAL_BASE && b < MPIC_GLOBAL_END) {
		reg = b & ~(uint64_t)(MPIC_SLOT - 1);
		if (reg == MPIC_FRR)
			*v = MF_FRR >> (8 * byte);
		return reg < MPIC_IPIVPR(0) || reg > MPIC_SVR;
	}
	if (b < MPIC_CPU_VIEW_SIZE)
		n = vcpu;
	else if (b >= MPIC_CPU_VIEW_BASE)
		n = (b - MPIC_CPU_VIEW_BASE) / MPIC_CPU_VIEW_SIZE;
	else
		return true;
	reg = b & (MPIC_CPU_VIEW_SIZE - MPIC_SLOT);
	if (reg < MPIC_IPIDR(0) || reg > MPIC_EOI)
		return true;
	if (n >= MF_NR_CPUS) {
		*v = MPIC_NOCPU_VALUE >> (8 * byte);
		return true;
	}
	if (reg == MPIC_WHOAMI)
		*v = n >> (8 * byte);
	return reg != MPIC_CTPR && reg != MPIC_IACK;
}

/* ---- guest ----------------------------------------------------------------- */

static void guest_code(uint64_t phase, uint64_t stream, uint64_t vcpu, uint64_t seed,
		       uint64_t count)
{
	uint64_t state = accel_fuzz_state(seed, stream), i, val;
	uint64_t vals[DFUZZ_MAX_COUNT];
	struct dfuzz_access a, e;
	uint32_t k, el;
	uint8_t want;

	for (i = 0; i < count; i++) {
		dfuzz_next(&state, &mf_dev, &a);
		dfuzz_guest_do(MPIC_TEST_BASE, &a, vals);
		for (el = 0; el < a.count && !a.is_write; el++) {
			e = dfuzz_elem(&a, el);
			val = vals[el];
			if (phase == MF_PHASE_DIFF) {
				dfuzz_guest_log(i, &e, val);
				continue;
			}
			for (k = 0; k < e.len; k++)
				__GUEST_ASSERT(!mf_const_byte(e.off + k, vcpu, &want) ||
					       (uint8_t)(val >> (8 * k)) == want,
					       "vCPU %lu, access %lu: %u-byte read at offset 0x%lx returned 0x%lx; byte %u must be 0x%02x",
					       vcpu, i, e.len, e.off, val, k, want);
		}
	}
	dfuzz_guest_flush();
	GUEST_DONE();
}

/* ---- VMM ------------------------------------------------------------------- */

static int mf_mmio(void *opaque, __u32 vcpu_id, uint64_t off, uint32_t len,
		   bool is_write, void *data)
{
	return mpic_mmio(opaque, vcpu_id, MPIC_TEST_BASE + off, len, is_write, data);
}

struct mf_vm {
	struct mpic_vm mv;
	struct dfuzz_target t;
};

/* IPIs to plain eventfds: nothing reaches the guests. */
static void mf_vm_create(struct mf_vm *v, bool fast)
{
	memset(v, 0, sizeof(*v));
	mpic_vm_create(&v->mv, MF_NR_CPUS, guest_code, fast, false);
	/* Accesses below and beyond the window land in the pages around it. */
	virt_map(v->mv.vm, MPIC_TEST_BASE - DFUZZ_PAGE, MPIC_TEST_BASE - DFUZZ_PAGE, 1);
	virt_map(v->mv.vm, MPIC_TEST_BASE + MPIC_SIZE, MPIC_TEST_BASE + MPIC_SIZE, 1);
	v->t = (struct dfuzz_target){
		.dev = &mf_dev,
		.vcpus = v->mv.vcpus,
		.mmio = mf_mmio,
		.opaque = v->mv.mpic,
	};
}

/*
 * The sequence of @stream, made by vCPU @vcpu, replayed: where its
 * fragments go, and the IPIs its dispatches raise (@raised[cpu][ipi]).
 */
static void mf_replay(uint64_t stream, uint32_t vcpu, uint64_t seed, uint64_t count,
		      struct dfuzz_tally *t, uint64_t raised[][MPIC_NR_IPIS])
{
	uint64_t state = accel_fuzz_state(seed, stream), i;
	struct mpic_regs decode = { .nr_cpus = MF_NR_CPUS };
	struct dfuzz_access a, e;
	struct dfuzz_frag f[2];
	__u32 cpu, idx, n, el;
	int k, nr;

	for (i = 0; i < count; i++) {
		dfuzz_next(&state, &mf_dev, &a);
		for (el = 0; el < a.count; el++) {
			e = dfuzz_elem(&a, el);
			dfuzz_tally(t, &mf_dev, &e);
			if (!e.is_write)
				continue;
			nr = dfuzz_fragments(&mf_dev, &e, f);
			for (k = 0; k < nr; k++) {
				if (dfuzz_route(&mf_dev, &f[k]) == DFUZZ_OUTSIDE ||
				    mpic_write_op(&decode, f[k].off, f[k].len, vcpu, &cpu,
						  &idx) != MPIC_OP_DISPATCH)
					continue;
				for (n = 0; n < MF_NR_CPUS; n++)
					raised[n][idx] += ((__u32)f[k].data >> n) & 1;
			}
		}
	}
}

static uint64_t mf_ipis(uint64_t c[][MPIC_NR_IPIS])
{
	uint64_t sum = 0;
	int n, i;

	for (n = 0; n < MF_NR_CPUS; n++)
		for (i = 0; i < MPIC_NR_IPIS; i++)
			sum += c[n][i];
	return sum;
}

/* ---- the tests ------------------------------------------------------------ */

FIXTURE(mpic_fuzz) {
	uint64_t seed;
	uint64_t count;
};

FIXTURE_SETUP(mpic_fuzz)
{
	TEST_REQUIRE(kvm_accel_module_loaded());
	dfuzz_config("KA_MPIC_FUZZ_SEED", MF_DEFAULT_SEED, "KA_MPIC_FUZZ_COUNT",
		     MF_DEFAULT_COUNT, &self->seed, &self->count);
}

FIXTURE_TEARDOWN(mpic_fuzz)
{
}

/* Long runs (KA_MPIC_FUZZ_COUNT) must end before the test VM's own limit. */
TEST_F_TIMEOUT(mpic_fuzz, fast_path_vs_model, 900)
{
	uint64_t raised[MPIC_MAX_CPUS][MPIC_NR_IPIS] = {};
	uint64_t got_f[MPIC_MAX_CPUS][MPIC_NR_IPIS] = {};
	uint64_t got_m[MPIC_MAX_CPUS][MPIC_NR_IPIS] = {};
	uint64_t reads;
	struct dfuzz_tally t = {};
	struct mf_vm *fast, *model;
	int n;

	fast = calloc(1, sizeof(*fast));
	model = calloc(1, sizeof(*model));
	TEST_ASSERT(fast && model, "out of memory");
	mf_vm_create(fast, true);
	mf_vm_create(model, false);
	vcpu_args_set(fast->mv.vcpus[0], 5, MF_PHASE_DIFF, MF_DIFF_STREAM, 0, self->seed,
		      self->count);
	vcpu_args_set(model->mv.vcpus[0], 5, MF_PHASE_DIFF, MF_DIFF_STREAM, 0, self->seed,
		      self->count);

	reads = dfuzz_lockstep(&fast->t, fast->mv.vm, &model->t, model->mv.vm);

	mf_replay(MF_DIFF_STREAM, 0, self->seed, self->count, &t, raised);
	dfuzz_print_tally("phase 1", &t);

	dfuzz_compare_regs(fast->mv.regs, model->mv.regs, sizeof(struct mpic_regs));
	mpic_check_quiescent(&fast->mv, raised, got_f);
	mpic_check_quiescent(&model->mv, raised, got_m);
	for (n = 0; n < MF_NR_CPUS * MPIC_NR_IPIS; n++)
		TEST_ASSERT(got_f[n / MPIC_NR_IPIS][n % MPIC_NR_IPIS] ==
			    got_m[n / MPIC_NR_IPIS][n % MPIC_NR_IPIS],
			    "eventfd %d: %lu signals with the fast path, %lu with the model", n,
			    got_f[n / MPIC_NR_IPIS][n % MPIC_NR_IPIS],
			    got_m[n / MPIC_NR_IPIS][n % MPIC_NR_IPIS]);
	ksft_print_msg("phase 1: %lu reads identical; %lu IPIs raised, %lu delivered; exits: %lu with the fast path, %lu with the model alone\n",
		       reads, mf_ipis(raised), mf_ipis(got_f), dfuzz_exits(&fast->t), dfuzz_exits(&model->t));

	dfuzz_check_counters(fast->mv.link_id, &t, dfuzz_exits(&fast->t));
	TEST_ASSERT_EQ(dfuzz_exits(&model->t), t.frags);
	TEST_ASSERT(dfuzz_exits(&fast->t) < dfuzz_exits(&model->t), "the fast path handled nothing");

	mpic_vm_destroy(&model->mv);
	mpic_vm_destroy(&fast->mv);
	free(model);
	free(fast);
}

TEST_F_TIMEOUT(mpic_fuzz, smp_contract, 900)
{
	const uint64_t per_vcpu = DIV_ROUND_UP(self->count, MF_NR_CPUS);
	uint64_t raised[MPIC_MAX_CPUS][MPIC_NR_IPIS] = {};
	uint64_t got[MPIC_MAX_CPUS][MPIC_NR_IPIS] = {};
	struct dfuzz_tally t = {}, one;
	uint64_t held;
	struct mf_vm *v;
	int i;

	v = calloc(1, sizeof(*v));
	TEST_ASSERT(v, "out of memory");
	mf_vm_create(v, true);
	for (i = 0; i < MF_NR_CPUS; i++)
		vcpu_args_set(v->mv.vcpus[i], 5, MF_PHASE_CONTRACT, i, i, self->seed, per_vcpu);
	dfuzz_run_all(&v->t, MF_NR_CPUS);

	for (i = 0; i < MF_NR_CPUS; i++) {
		one = (struct dfuzz_tally){};
		mf_replay(i, i, self->seed, per_vcpu, &one, raised);
		dfuzz_tally_add(&t, &one);
	}
	dfuzz_print_tally("phase 2", &t);
	held = mpic_check_quiescent(&v->mv, raised, got);
	ksft_print_msg("phase 2: %lu IPIs raised, %lu delivered, %lu held at the end; %lu exits\n",
		       mf_ipis(raised), mf_ipis(got), held, dfuzz_exits(&v->t));
	dfuzz_check_counters(v->mv.link_id, &t, dfuzz_exits(&v->t));

	mpic_vm_destroy(&v->mv);
	free(v);
}

TEST_HARNESS_MAIN
