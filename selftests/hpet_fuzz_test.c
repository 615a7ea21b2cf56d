// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the HPET (devices/hpet) against random guest accesses: every
 * width, any alignment, random values, at any offset in and around its
 * MMIO range, including accesses that straddle either edge (KVM splits one
 * that crosses into the HPET's page into two fragments) or lie beyond it.
 *
 * Phase 1, differential: one vCPU makes the same seeded sequence in two
 * VMs, one with the fast path attached and one with the userspace model
 * alone, run in lockstep.  Every value read must be identical, and so must
 * the whole register file at the end (guest-visible registers, the
 * sequence counter and the VMM's private timer state) and the interrupts
 * the device raised.  The main counter depends on time while it runs, so
 * this phase keeps it halted: the generator clears ENABLE_CNF from every
 * write that would set it (aligned 32- and 64-bit writes at GEN_CONF).
 * Halted, the counter is a function of the accesses alone, and everything
 * else the fast path serves in the kernel (counter writes, GEN_CONF
 * writes, every register read) is compared exactly.  No timer can fire
 * while the counter is halted, so both sides must raise no interrupt at
 * all; what the guest configured for delivery is compared through the
 * register file.  (That a running counter is exact against the host clock
 * is hpet_counter_test's business.)
 *
 * Phase 2, contract: several vCPUs fuzz one attached HPET at once, the
 * counter enabled and disabled at random, timers armed at random and
 * firing on the slow path's thread meanwhile.  Each guest checks every
 * byte it reads that cannot change (capabilities, reserved registers,
 * reserved bits, all ones outside the device); at the end the sequence
 * counter is even and has advanced by exactly two per GEN_CONF and
 * MAIN_CNT write (hpet.h, rule 2), read-only bits are intact, and the
 * interrupt lines the device holds are the ones its registers call for.
 *
 * In both phases the module's counters must show that the program saw
 * exactly the accesses the guests sent inside the range (odd-sized
 * fragments refused before it), never one outside, and the VMM exactly
 * the rest.  Interrupts go to a recorder, not into the guests.
 *
 * Reproducible: KA_HPET_FUZZ_SEED and KA_HPET_FUZZ_COUNT (accesses per
 * phase) are printed first; each vCPU's accesses depend only on the seed
 * and the vCPU (selftests/README.md).
 */
#include "kselftest_harness.h"
#include "hpet_vm.h"
#include "device_fuzz.h"

#define HF_NR_VCPUS		4
#define HF_DEFAULT_SEED		0x687065742d667a31ULL
#define HF_DEFAULT_COUNT	30000
#define HF_PHASE_DIFF		1
#define HF_PHASE_CONTRACT	2
/* Stream of the generator for phase 1, after those of the phase 2 vCPUs. */
#define HF_DIFF_STREAM		HF_NR_VCPUS

/* ---- the sequence, generated alike by the guests and the VMM -------------- */

/* Registers the generator aims at: globals, then the timers (one absent). */
static uint64_t hf_hot(uint64_t pick)
{
	static const uint64_t global[] = {
		HPET_GCAP_ID, HPET_GCAP_ID + 4, 0x008, HPET_GEN_CONF, HPET_GEN_CONF + 4,
		HPET_GINTR_STA, HPET_GINTR_STA + 4, HPET_MAIN_CNT, HPET_MAIN_CNT + 4,
		0x0f8, HPET_MMIO_LEN - 8,
	};

	if (pick & 1)
		return global[(pick >> 1) % ARRAY_SIZE(global)];
	return HPET_TN_BASE + ((pick >> 1) % (HPET_NUM_TIMERS + 1)) * HPET_TN_STRIDE +
	       ((pick >> 4) % (HPET_TN_STRIDE / 4)) * 4;
}

static const struct dfuzz_dev hf_dev = {
	.base = HPET_MMIO_BASE,
	.size = HPET_MMIO_LEN,
	.hot = hf_hot,
};

/*
 * The next access of phase @phase.  Phase 1 never starts the counter.
 * Phase 2 starts it with three GEN_CONF writes in four, enables the
 * interrupt of half the timer configurations written, and writes small
 * counter and comparator values half the time, so that timers armed while
 * the counter is halted fire soon after it starts.
 */
static void hf_next(uint64_t *state, uint64_t phase, struct dfuzz_access *a)
{
	uint64_t reg, r;

	uint32_t k;

	dfuzz_next(state, &hf_dev, a);
	if (!a->is_write || (a->len != 4 && a->len != 8))
		return;
	if (phase == HF_PHASE_DIFF) {
		for (k = 0; k < a->count; k++)
			if (a->off + (int64_t)k * a->len == HPET_GEN_CONF)
				a->data &= ~HPET_ENABLE_CNF;
		return;
	}
	r = accel_fuzz_rand(state);
	reg = a->off & ~7LL;
	if (a->off == HPET_GEN_CONF && (r & 3))
		a->data |= HPET_ENABLE_CNF;
	if (reg < HPET_TN_BASE || reg >= HPET_TN_CONF_REG(HPET_NUM_TIMERS)) {
		if (reg == HPET_MAIN_CNT && (r & 4))
			a->data &= 0xffff;
	} else if (reg % HPET_TN_STRIDE == HPET_TN_CONF && (r & 4)) {
		a->data |= HPET_TN_INT_ENB_CNF;
	} else if (reg % HPET_TN_STRIDE == HPET_TN_CMP && (r & 4)) {
		a->data &= 0x3ffff;
	}
}

/* Whether fragment @f is a write section of the counter block (hpet.h, rule 2). */
static bool hf_seq_write(const struct dfuzz_frag *f)
{
	return (f->len == 4 || f->len == 8) &&
	       (f->off == HPET_GEN_CONF || f->off == HPET_MAIN_CNT ||
		(f->off == HPET_MAIN_CNT + 4 && f->len == 4));
}

/*
 * Byte @b (from the base) when no access can change it: *@v and true;
 * false for a byte that may change.
 */
static bool hf_const_byte(int64_t b, uint8_t *v)
{
	uint64_t reg = b & ~7LL, shift = 8 * (b & 7);

	*v = 0;
	if (b < 0 || b >= HPET_MMIO_LEN) {
		*v = DFUZZ_OUTSIDE_BYTE;
		return true;
	}
	switch (reg) {
	case HPET_GCAP_ID:
		*v = HPET_GCAP_ID_VALUE >> shift;
		return true;
	case HPET_GEN_CONF:
	case HPET_GINTR_STA:
		return shift;		/* only bits of byte 0 are defined */
	case HPET_MAIN_CNT:
		return false;
	}
	if (reg < HPET_TN_BASE || reg >= HPET_TN_CONF_REG(HPET_NUM_TIMERS))
		return true;
	switch (reg % HPET_TN_STRIDE) {
	case HPET_TN_CONF:
		/* Bytes 0-1: writable bits; 2-3 reserved; 4-7 Tn_INT_ROUTE_CAP. */
		*v = HPET_TN_CAPS >> shift;
		return shift >= 16;
	case HPET_TN_CMP:
	case HPET_TN_FSB:
		return false;
	}
	return true;
}

/* ---- guest ----------------------------------------------------------------- */

static void guest_code(uint64_t phase, uint64_t stream, uint64_t seed, uint64_t count)
{
	uint64_t state = accel_fuzz_state(seed, stream), i, val;
	uint64_t vals[DFUZZ_MAX_COUNT];
	struct dfuzz_access a, e;
	uint32_t k, el;
	uint8_t want;

	for (i = 0; i < count; i++) {
		hf_next(&state, phase, &a);
		dfuzz_guest_do(HPET_MMIO_BASE, &a, vals);
		for (el = 0; el < a.count && !a.is_write; el++) {
			e = dfuzz_elem(&a, el);
			val = vals[el];
			if (phase == HF_PHASE_DIFF) {
				dfuzz_guest_log(i, &e, val);
				continue;
			}
			for (k = 0; k < e.len; k++)
				__GUEST_ASSERT(!hf_const_byte(e.off + k, &want) ||
					       (uint8_t)(val >> (8 * k)) == want,
					       "vCPU %lu, access %lu: %u-byte read at offset %ld returned 0x%lx; byte %u must be 0x%02x",
					       stream, i, e.len, e.off, val, k, want);
		}
	}
	dfuzz_guest_flush();
	GUEST_DONE();
}

/* ---- VMM ------------------------------------------------------------------- */

/* Interrupts the device raised, instead of KVM's irqchip. */
struct hf_irqs {
	uint64_t levels;	/* lines asserted now */
	uint64_t raises, lowers, msis, bad;
};

static int hf_set_irq(void *opaque, __u32 gsi, int level)
{
	struct hf_irqs *irq = opaque;

	if (gsi >= 64) {
		irq->bad++;
		return -EINVAL;
	}
	if (level) {
		irq->levels |= 1ULL << gsi;
		irq->raises++;
	} else {
		irq->levels &= ~(1ULL << gsi);
		irq->lowers++;
	}
	return 0;
}

static int hf_send_msi(void *opaque, __u64 addr, __u32 data)
{
	((struct hf_irqs *)opaque)->msis++;
	return 0;
}

static const struct hpet_irq_ops hf_irq_ops = {
	.set_irq = hf_set_irq,
	.send_msi = hf_send_msi,
};

static int hf_mmio(void *opaque, __u32 vcpu_id, uint64_t off, uint32_t len,
		   bool is_write, void *data)
{
	return hpet_dev_mmio(opaque, off, len, is_write, data);
}

/* An HPET VM of the fuzz test. */
struct hf_vm {
	struct hpet_vm h;
	struct hf_irqs irqs;
	struct dfuzz_target t;
};

static void hf_vm_create(struct hf_vm *v, int nr_vcpus, bool accel)
{
	memset(v, 0, sizeof(*v));
	hpet_vm_create_irq(&v->h, nr_vcpus, guest_code, accel, &hf_irq_ops, &v->irqs);
	/* Accesses below the HPET land in the page before it. */
	virt_map(v->h.vm, HPET_MMIO_BASE - DFUZZ_PAGE, HPET_MMIO_BASE - DFUZZ_PAGE, 1);
	v->t = (struct dfuzz_target){
		.dev = &hf_dev,
		.vcpus = v->h.vcpus,
		.mmio = hf_mmio,
		.opaque = v->h.dev,
	};
}

/* The sequence of @stream replayed: where its fragments go, its seq sections. */
static void hf_replay(uint64_t phase, uint64_t stream, uint64_t seed, uint64_t count,
		      struct dfuzz_tally *t, uint64_t *seq_writes)
{
	uint64_t state = accel_fuzz_state(seed, stream), i;
	struct dfuzz_access a, e;
	struct dfuzz_frag f[2];
	uint32_t el;
	int k, n;

	for (i = 0; i < count; i++) {
		hf_next(&state, phase, &a);
		for (el = 0; el < a.count; el++) {
			e = dfuzz_elem(&a, el);
			dfuzz_tally(t, &hf_dev, &e);
			n = dfuzz_fragments(&hf_dev, &e, f);
			for (k = 0; k < n; k++)
				*seq_writes += e.is_write &&
					       dfuzz_route(&hf_dev, &f[k]) == DFUZZ_PROG &&
					       hf_seq_write(&f[k]);
		}
	}
}

/* ---- the tests ------------------------------------------------------------ */

FIXTURE(hpet_fuzz) {
	uint64_t seed;
	uint64_t count;
};

FIXTURE_SETUP(hpet_fuzz)
{
	TEST_REQUIRE(kvm_accel_module_loaded());
	dfuzz_config("KA_HPET_FUZZ_SEED", HF_DEFAULT_SEED, "KA_HPET_FUZZ_COUNT",
		     HF_DEFAULT_COUNT, &self->seed, &self->count);
}

FIXTURE_TEARDOWN(hpet_fuzz)
{
}

/* Long runs (KA_HPET_FUZZ_COUNT) must end before the test VM's own limit. */
TEST_F_TIMEOUT(hpet_fuzz, fast_path_vs_model, 900)
{
	struct dfuzz_tally t = {};
	struct hf_vm *fast, *model;
	uint64_t reads, seq_writes = 0;

	fast = calloc(1, sizeof(*fast));
	model = calloc(1, sizeof(*model));
	TEST_ASSERT(fast && model, "out of memory");
	hf_vm_create(fast, 1, true);
	hf_vm_create(model, 1, false);
	vcpu_args_set(fast->h.vcpus[0], 4, HF_PHASE_DIFF, HF_DIFF_STREAM, self->seed,
		      self->count);
	vcpu_args_set(model->h.vcpus[0], 4, HF_PHASE_DIFF, HF_DIFF_STREAM, self->seed,
		      self->count);
	reads = dfuzz_lockstep(&fast->t, fast->h.vm, &model->t, model->h.vm);

	hf_replay(HF_PHASE_DIFF, HF_DIFF_STREAM, self->seed, self->count, &t, &seq_writes);
	dfuzz_print_tally("phase 1", &t);
	ksft_print_msg("phase 1: %lu reads identical; exits: %lu with the fast path, %lu with the model alone\n",
		       reads, dfuzz_exits(&fast->t), dfuzz_exits(&model->t));

	/* The counter stayed halted: no timer ran, no thread touches the files. */
	dfuzz_compare_regs(fast->h.regs, model->h.regs, sizeof(struct hpet_regs));
	TEST_ASSERT(!(fast->h.regs->gen_conf & HPET_ENABLE_CNF), "the counter runs");
	TEST_ASSERT_EQ(fast->h.regs->seq, 2 * seq_writes);
	TEST_ASSERT(!memcmp(&fast->irqs, &model->irqs, sizeof(fast->irqs)),
		    "interrupts: %lu raised, %lu lowered, %lu MSIs with the fast path; %lu, %lu, %lu with the model",
		    fast->irqs.raises, fast->irqs.lowers, fast->irqs.msis,
		    model->irqs.raises, model->irqs.lowers, model->irqs.msis);
	TEST_ASSERT_EQ(fast->irqs.raises + fast->irqs.msis, 0);

	dfuzz_check_counters(fast->h.link_id, &t, dfuzz_exits(&fast->t));
	TEST_ASSERT_EQ(dfuzz_exits(&model->t), t.frags);
	TEST_ASSERT(dfuzz_exits(&fast->t) < dfuzz_exits(&model->t), "the fast path handled nothing");

	hpet_vm_destroy(&model->h);
	hpet_vm_destroy(&fast->h);
	free(model);
	free(fast);
}

TEST_F_TIMEOUT(hpet_fuzz, smp_contract, 900)
{
	const uint64_t per_vcpu = DIV_ROUND_UP(self->count, HF_NR_VCPUS);
	uint64_t seq_writes = 0, want_lines = 0, conf, sta, off;
	struct dfuzz_tally t = {}, one;
	struct hpet_regs *r;
	struct hf_vm *v;
	__u64 halt;
	int i, n;

	v = calloc(1, sizeof(*v));
	TEST_ASSERT(v, "out of memory");
	hf_vm_create(v, HF_NR_VCPUS, true);
	r = v->h.regs;
	for (i = 0; i < HF_NR_VCPUS; i++)
		vcpu_args_set(v->h.vcpus[i], 4, HF_PHASE_CONTRACT, i, self->seed, per_vcpu);
	dfuzz_run_all(&v->t, HF_NR_VCPUS);

	for (i = 0; i < HF_NR_VCPUS; i++) {
		one = (struct dfuzz_tally){};
		hf_replay(HF_PHASE_CONTRACT, i, self->seed, per_vcpu, &one, &seq_writes);
		dfuzz_tally_add(&t, &one);
	}
	dfuzz_print_tally("phase 2", &t);
	dfuzz_check_counters(v->h.link_id, &t, dfuzz_exits(&v->t));

	/*
	 * Halt the counter from the VMM (one more write section), so that no
	 * timer fires while the rest is checked.
	 */
	halt = r->gen_conf & HPET_LEG_RT_CNF;
	TEST_ASSERT_EQ(hpet_dev_mmio(v->h.dev, HPET_GEN_CONF, 8, true, &halt), 0);
	ksft_print_msg("phase 2: %lu exits; %lu counter-block writes; interrupts: %lu raised, %lu MSIs; timer expiries %llu, %llu, %llu\n",
		       dfuzz_exits(&v->t), seq_writes, v->irqs.raises, v->irqs.msis,
		       r->timer[0].fires, r->timer[1].fires, r->timer[2].fires);

	TEST_ASSERT(r->seq == 2 * (seq_writes + 1),
		    "sequence counter %llu after %lu write sections", r->seq, seq_writes + 1);
	TEST_ASSERT_EQ(r->gcap_id, HPET_GCAP_ID_VALUE);
	TEST_ASSERT(!(r->gen_conf & ~HPET_GEN_CONF_WRITABLE), "GEN_CONF 0x%llx", r->gen_conf);
	TEST_ASSERT(!(r->gintr_sta >> HPET_NUM_TIMERS), "GINTR_STA 0x%llx", r->gintr_sta);
	sta = r->gintr_sta;
	for (n = 0; n < HPET_NUM_TIMERS; n++) {
		conf = r->timer[n].config;
		TEST_ASSERT((conf & ~HPET_TN_WRITABLE) == HPET_TN_CAPS,
			    "timer %d: Tn_CONF_CAP 0x%lx", n, conf);
		if (conf & HPET_TN_32MODE_CNF)
			TEST_ASSERT(!(r->timer[n].cmp >> 32), "timer %d: 32-bit comparator 0x%llx",
				    n, r->timer[n].cmp);
		/* hpet.h: a level line is up while status and enable are set. */
		if ((conf & HPET_TN_INT_TYPE_CNF) && (conf & HPET_TN_INT_ENB_CNF) &&
		    (sta & (1ULL << n)) &&
		    ((r->gen_conf & HPET_LEG_RT_CNF && n < 2) || !(conf & HPET_TN_FSB_EN_CNF))) {
			off = r->gen_conf & HPET_LEG_RT_CNF && n < 2 ?
			      (n ? HPET_LEGACY_GSI_T1 : HPET_LEGACY_GSI_T0) :
			      (conf & HPET_TN_INT_ROUTE_CNF_MASK) >> HPET_TN_INT_ROUTE_CNF_SHIFT;
			want_lines |= 1ULL << off;
		}
	}
	TEST_ASSERT(r->lines == want_lines && v->irqs.levels == want_lines,
		    "lines 0x%llx held, 0x%lx asserted, 0x%lx called for",
		    r->lines, v->irqs.levels, want_lines);
	TEST_ASSERT_EQ(v->irqs.bad, 0);

	hpet_vm_destroy(&v->h);
	free(v);
}

TEST_HARNESS_MAIN
