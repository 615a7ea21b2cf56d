// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzes the ACPI PM timer (devices/pmtimer) against its slow path alone.
 *
 * One vCPU makes a seeded sequence of port accesses in and around PM_TMR
 * (half of them starting in its 4 ports at 0x608, the others anywhere in
 * 0x600-0x613): widths 1, 2 and 4, reads and
 * writes, single and, one in four, as rep ins / rep outs of 2 to 8
 * elements.  It runs twice, with the fast path attached and with the slow
 * path alone (pmtimer_slowpath.c answering every exit), and logs every
 * element it reads.
 *
 * The register is a clock, so the two logs cannot be equal bit for bit;
 * what must hold in both, element for element:
 *  - the same elements, with the same bytes outside the register (all ones,
 *    the VMM's answer);
 *  - the bytes inside are those bytes of the counter: wherever they reach
 *    its top byte, the counter never went back against any earlier read,
 *    and lies between its values when the run started and ended;
 *  - with the fast path, the module's counters show every single access
 *    and every string write element inside the register handled, every
 *    string read inside it exited whole (the program has no
 *    KVM_ACCEL_F_STRINGS), and nothing else reached it; the VMM saw exactly
 *    the rest.
 */
#include "kselftest_harness.h"
#include "accel_fuzz.h"
#include "accel_test_util.h"
#include "pmtimer/pmtimer_slowpath.h"

#define PF_LOW		0x600	/* the lowest port the sequence touches */
#define PF_SPAN		20	/* ports PF_LOW .. PF_LOW + PF_SPAN - 1 */
#define PF_MAX_COUNT	8
#define PF_LOG		512
#define PF_SYNC_LOG	1

struct pf_access {
	int64_t off;		/* from PMTIMER_PIO_BASE */
	uint32_t len;
	bool is_write;
	uint32_t count;		/* elements: 1 single, else a string */
	uint32_t data;
};

struct pf_read {
	uint64_t i;		/* the access in the sequence */
	int64_t off;
	uint64_t len;
	uint64_t val;
};

static void pf_next(uint64_t *state, struct pf_access *a)
{
	uint64_t r = accel_fuzz_rand(state);

	a->len = 1U << (r % 3);
	/* Half of them start inside the register, half anywhere around it. */
	if (r >> 63)
		a->off = (r >> 2) % PMTIMER_PIO_LEN;
	else
		a->off = (int64_t)(PF_LOW + (r >> 2) % PF_SPAN) - PMTIMER_PIO_BASE;
	a->is_write = !((r >> 8) & 3);
	a->count = ((r >> 10) & 3) ? 1 : 2 + (r >> 12) % (PF_MAX_COUNT - 1);
	a->data = r >> 32;
}

/* Whether an element lies entirely inside the register. */
static bool pf_inside(const struct pf_access *a)
{
	return a->off >= 0 && a->off + a->len <= PMTIMER_PIO_LEN;
}

/* ---- guest ----------------------------------------------------------------- */

static struct pf_read pf_log[PF_LOG];
static uint64_t pf_logged;

static void pf_guest_log(uint64_t i, const struct pf_access *a, uint64_t val)
{
	pf_log[pf_logged++] = (struct pf_read){ i, a->off, a->len, val };
	if (pf_logged == PF_LOG) {
		GUEST_SYNC2(PF_SYNC_LOG, pf_logged);
		pf_logged = 0;
	}
}

static void pf_guest_string(uint16_t port, const struct pf_access *a, uint8_t *buf)
{
	uint64_t n = a->count;
	void *p = buf;

	if (a->is_write) {
		switch (a->len) {
		case 1:
			asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(port) : "memory");
			break;
		case 2:
			asm volatile("rep outsw" : "+S"(p), "+c"(n) : "d"(port) : "memory");
			break;
		default:
			asm volatile("rep outsl" : "+S"(p), "+c"(n) : "d"(port) : "memory");
			break;
		}
		return;
	}
	switch (a->len) {
	case 1:
		asm volatile("rep insb" : "+D"(p), "+c"(n) : "d"(port) : "memory");
		break;
	case 2:
		asm volatile("rep insw" : "+D"(p), "+c"(n) : "d"(port) : "memory");
		break;
	default:
		asm volatile("rep insl" : "+D"(p), "+c"(n) : "d"(port) : "memory");
		break;
	}
}

static void guest_code(uint64_t seed, uint64_t count)
{
	uint64_t state = accel_fuzz_state(seed, 0), i, val;
	uint8_t buf[PF_MAX_COUNT * 4];
	uint16_t port;
	struct pf_access a;
	uint32_t k;

	for (i = 0; i < count; i++) {
		pf_next(&state, &a);
		port = PMTIMER_PIO_BASE + a.off;
		if (a.count == 1) {
			if (a.is_write) {
				accel_guest_write(KVM_ACCEL_BUS_PIO, port, a.len, a.data);
			} else {
				val = accel_guest_read(KVM_ACCEL_BUS_PIO, port, a.len);
				pf_guest_log(i, &a, val);
			}
			continue;
		}
		for (k = 0; k < sizeof(buf); k++)
			buf[k] = a.data + k;
		pf_guest_string(port, &a, buf);
		for (k = 0; k < a.count && !a.is_write; k++) {
			val = 0;
			memcpy(&val, buf + k * a.len, a.len);
			pf_guest_log(i, &a, val);
		}
	}
	if (pf_logged)
		GUEST_SYNC2(PF_SYNC_LOG, pf_logged);
	GUEST_DONE();
}

/* ---- VMM ------------------------------------------------------------------- */

struct pf_run {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct pmtimer_regs *regs;
	struct pmtimer_regs own;	/* the slow path's alone */
	struct kvm_accel_dev *dev;
	uint64_t exits;
	struct pf_read *log;
	uint64_t nr_log, max_log;
	__u32 start, end;		/* the counter when the run began and ended */
};

/* Each element: the bytes inside the register one device access, the rest all ones. */
static void pf_serve(struct kvm_vcpu *vcpu, void *arg)
{
	struct pf_run *r = arg;
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	int64_t off = (int64_t)run->io.port - PMTIMER_PIO_BASE, lo, hi;
	uint32_t size = run->io.size, k;
	uint64_t val;

	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO, "exit %u (%s)", run->exit_reason,
		    exit_reason_str(run->exit_reason));
	TEST_ASSERT(run->io.port >= PF_LOW && run->io.port + size <= PF_LOW + PF_SPAN + 4,
		    "PIO exit at port 0x%x", run->io.port);
	r->exits++;
	if (run->io.direction == KVM_EXIT_IO_OUT)
		return;
	lo = off < 0 ? 0 : off;
	hi = off + size > PMTIMER_PIO_LEN ? PMTIMER_PIO_LEN : off + size;
	for (k = 0; k < run->io.count; k++) {
		memset(data + k * size, 0xff, size);
		if (lo >= hi)
			continue;
		val = pmtimer_read(r->regs, lo, hi - lo);
		memcpy(data + k * size + (lo - off), &val, hi - lo);
	}
}

static void pf_run(struct pf_run *r, bool accel, uint64_t seed, uint64_t count)
{
	struct pf_read *g;
	struct ucall uc;
	uint64_t cmd, n;
	size_t size;

	r->vm = vm_create_with_one_vcpu(&r->vcpu, guest_code);
	vcpu_args_set(r->vcpu, 2, seed, count);
	r->regs = &r->own;
	if (accel) {
		TEST_ASSERT(!__accel_attach(r->vm->fd,
					    accel_build_path("bpf/devices/pmtimer/pmtimer.bpf.o"),
					    KVM_ACCEL_BUS_PIO, PMTIMER_PIO_BASE, PMTIMER_PIO_LEN,
					    &r->dev), "attaching pmtimer.bpf.o");
		r->regs = kvm_accel_regfile(r->dev, ".bss", &size);
		TEST_ASSERT(r->regs && size >= sizeof(*r->regs), "mapping the register file");
	}
	pmtimer_publish(r->regs, 1000000000LL, true);
	r->max_log = count * PF_MAX_COUNT;
	r->log = calloc(r->max_log, sizeof(*r->log));
	TEST_ASSERT(r->log, "malloc");
	r->start = pmtimer_value(r->regs->clock_offset, r->regs->flags, pmtimer_host_ns());
	for (;;) {
		cmd = vmm_run_to_ucall(r->vcpu, &uc, pf_serve, r);
		if (cmd == UCALL_DONE)
			break;
		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[0] == PF_SYNC_LOG, "ucall %lu", cmd);
		n = uc.args[1];
		TEST_ASSERT(n <= PF_LOG && r->nr_log + n <= r->max_log, "log of %lu", n);
		g = addr_gva2hva(r->vm, (vm_vaddr_t)pf_log);
		memcpy(r->log + r->nr_log, g, n * sizeof(*g));
		r->nr_log += n;
	}
	r->end = pmtimer_value(r->regs->clock_offset, r->regs->flags, pmtimer_host_ns());
}

/*
 * The checks of one run's log (see the top of the file); @lower is the
 * highest counter value its reads proved so far.
 */
static void pf_check_read(const char *what, const struct pf_run *r, const struct pf_read *e)
{
	static __u32 lower;
	int64_t lo = e->off < 0 ? 0 : e->off;
	int64_t hi = e->off + (int64_t)e->len > PMTIMER_PIO_LEN ? PMTIMER_PIO_LEN :
		     e->off + (int64_t)e->len;
	uint64_t part;
	uint32_t b;

	if (e == r->log)
		lower = r->start;
	for (b = 0; b < e->len; b++) {
		int64_t at = e->off + b;

		if (at >= 0 && at < PMTIMER_PIO_LEN)
			continue;
		TEST_ASSERT(((e->val >> (8 * b)) & 0xff) == 0xff,
			    "%s: access %lu, %lu-byte read at offset %ld: 0x%lx, byte %u outside the register is not 0xff",
			    what, e->i, e->len, e->off, e->val, b);
	}
	if (lo >= hi || hi != PMTIMER_PIO_LEN)
		return;
	part = (e->val >> (8 * (lo - e->off))) & ((1ULL << (8 * (hi - lo))) - 1);
	TEST_ASSERT(part >= (lower >> (8 * lo)) && part <= (r->end >> (8 * lo)),
		    "%s: access %lu, %lu-byte read at offset %ld: bytes %ld-3 of the counter are 0x%lx, after 0x%x, before the end 0x%x",
		    what, e->i, e->len, e->off, lo, part, lower, r->end);
	if (part << (8 * lo) > lower)
		lower = part << (8 * lo);
}

/* The kselftest default of 30 s is far too short on the KASAN build. */
FIXTURE(pmtimer_fuzz) {};
FIXTURE_SETUP(pmtimer_fuzz) {}
FIXTURE_TEARDOWN(pmtimer_fuzz) {}

TEST_F_TIMEOUT(pmtimer_fuzz, fast_path_vs_slow_path, 900)
{
	uint64_t seed, count, i, state, handled = 0, exits = 0, vmm = 0, vmm_model = 0;
	struct pf_run fast = {}, model = {};
	struct kvm_accel_counters c;
	struct pf_access a;

	TEST_REQUIRE(kvm_accel_module_loaded());
	seed = accel_fuzz_env("KA_PMTIMER_FUZZ_SEED", 0x706d746d72);
	count = accel_fuzz_env("KA_PMTIMER_FUZZ_COUNT", 20000);
	TEST_ASSERT(count, "KA_PMTIMER_FUZZ_COUNT must be at least 1");
	ksft_print_msg("seed 0x%lx count %lu (KA_PMTIMER_FUZZ_SEED, KA_PMTIMER_FUZZ_COUNT)\n",
		       seed, count);

	pf_run(&fast, true, seed, count);
	pf_run(&model, false, seed, count);

	TEST_ASSERT(fast.nr_log == model.nr_log, "%lu elements read with the fast path, %lu alone",
		    fast.nr_log, model.nr_log);
	for (i = 0; i < fast.nr_log; i++) {
		TEST_ASSERT(fast.log[i].i == model.log[i].i && fast.log[i].off == model.log[i].off &&
			    fast.log[i].len == model.log[i].len,
			    "read %lu: access %lu with the fast path, %lu alone", i,
			    fast.log[i].i, model.log[i].i);
		pf_check_read("fast path", &fast, &fast.log[i]);
	}
	for (i = 0; i < model.nr_log; i++)
		pf_check_read("slow path alone", &model, &model.log[i]);

	/* Where each element went, replayed from the seed. */
	state = accel_fuzz_state(seed, 0);
	for (i = 0; i < count; i++) {
		pf_next(&state, &a);
		if (a.count > 1 && !a.is_write) {
			exits += pf_inside(&a);
			vmm++;
			vmm_model++;
			continue;
		}
		handled += pf_inside(&a) * a.count;
		vmm += !pf_inside(&a) * a.count;
		vmm_model += a.count;
	}
	c = accel_counters(kvm_accel_link_id(fast.dev));
	TEST_ASSERT(c.handled == handled && c.exits == exits && !c.errors,
		    "the module counted %llu handled, %llu exits, %llu errors; the sequence has %lu, %lu, 0",
		    c.handled, c.exits, c.errors, handled, exits);
	TEST_ASSERT(fast.exits == vmm, "the VMM saw %lu exits with the fast path, expected %lu",
		    fast.exits, vmm);
	TEST_ASSERT(model.exits == vmm_model, "the VMM saw %lu exits alone, expected %lu",
		    model.exits, vmm_model);
	ksft_print_msg("%lu accesses, %lu elements read and checked in each run; fast path: %lu handled, %lu string reads exited whole, %lu exits; alone: %lu exits\n",
		       count, fast.nr_log, handled, exits, fast.exits, model.exits);

	kvm_accel_detach(fast.dev);
	kvm_vm_free(fast.vm);
	kvm_vm_free(model.vm);
	free(fast.log);
	free(model.log);
}

TEST_HARNESS_MAIN
