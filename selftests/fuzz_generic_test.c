// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the dispatch of arbitrary guest accesses, against a reference
 * model.  Four vCPUs make random accesses, on PIO and on MMIO, to offsets
 * below, inside, straddling either edge of and beyond the range of the fuzz
 * test device (selftests/progs/fuzz.h): every width the bus has (1, 2, 4,
 * and 8 on MMIO), at any alignment, reads and writes of random values.
 *
 * The model is plain C with the semantics of fuzz.bpf.c and of the VMM's
 * slow path, run on a shadow of a vCPU's registers.  It predicts each
 * access: handled in the kernel (and the value a read returns), or an exit
 * to userspace with its exact port or address, width, direction and data.
 *  - Each guest checks every value it reads against its own copy of the
 *    model.
 *  - Each vCPU's VMM thread runs the model in step with its guest and
 *    checks every exit against it, and the vCPU's registers against the
 *    shadow at every exit and at the end; an exit the model does not
 *    predict, or a predicted one that never comes, fails the test.
 *  - The program's counters (handled and declined, per vCPU) and the
 *    module's (handled, exits, errors) match the model, and the program
 *    never saw an access the module should not give it (its violation
 *    counter: outside the range, a bad width, wrong address, direction,
 *    vCPU or data).
 * Registers are banked per vCPU (each has its own copy of the whole range),
 * so all vCPUs hit the same offsets of one attachment at once and the model
 * of each stays exact.
 *
 * Reproducible: the seed and the number of accesses on each bus come from
 * KA_FUZZ_SEED and KA_FUZZ_COUNT and are printed (selftests/README.md).
 * Each vCPU's accesses depend only on the seed, the bus and the vCPU.
 */
#include <stdlib.h>

#include "accel_fuzz.h"
#include "accel_test_harness.h"
#include "progs/fuzz.h"

#define FUZZ_NR_VCPUS		FUZZ_MAX_VCPUS
#define FUZZ_MARGIN		8	/* how far below and beyond the range accesses go */
#define FUZZ_DEFAULT_SEED	0x6b766d2d66757a7aULL
#define FUZZ_DEFAULT_COUNT	80000	/* accesses per bus, shared by the vCPUs */

static const struct accel_bus fuzz_pio =
	ACCEL_BUS_INIT("fuzz.bpf.o", KVM_ACCEL_BUS_PIO, FUZZ_PIO_BASE, FUZZ_LEN);
static const struct accel_bus fuzz_mmio =
	ACCEL_BUS_INIT("fuzz.bpf.o", KVM_ACCEL_BUS_MMIO, FUZZ_MMIO_BASE, FUZZ_LEN);

/* ---- the model, run by the guests and the VMM alike ----------------------- */

enum fuzz_path {
	FUZZ_HANDLED,		/* by the program */
	FUZZ_DECLINED,		/* by the program: it exits */
	FUZZ_STRADDLING,	/* an edge of the range: exits, program not called */
	FUZZ_OUTSIDE,		/* exits, program not called */
	FUZZ_NR_PATHS,
};

struct fuzz_access {
	int64_t off;		/* from the base of the range; negative below it */
	uint32_t len;
	bool is_write;
	uint64_t data;		/* the value written; 0 for a read */
};

/* The generator state of vCPU @idx on @bus for @seed. */
static uint64_t fuzz_state(uint64_t seed, uint32_t bus, uint64_t idx)
{
	return accel_fuzz_state(seed, bus * FUZZ_MAX_VCPUS + idx);
}

/* The registers of a vCPU whose generator starts at @state, before any access. */
static void fuzz_fill(uint8_t *bank, uint64_t state)
{
	int i;

	for (i = 0; i < FUZZ_LEN; i++)
		bank[i] = accel_pattern(state, i);
}

/*
 * The next access: one in two inside the range, the others entirely below,
 * straddling the start, straddling the end or entirely beyond it (a 1-byte
 * access cannot straddle: it is below or beyond instead).
 */
static void fuzz_next(uint64_t *state, uint32_t max_width, struct fuzz_access *a)
{
	uint64_t r = accel_fuzz_rand(state), pick = r >> 8;
	uint32_t len = 1U << (r % (max_width == 8 ? 4 : 3));

	switch ((r >> 4) % 8) {
	case 0 ... 3:
		a->off = accel_fuzz_edge_off((r >> 4) % 8, len, FUZZ_LEN, pick, FUZZ_MARGIN);
		break;
	default:
		a->off = pick % (FUZZ_LEN - len + 1);
		break;
	}
	a->len = len;
	a->is_write = (r >> 7) & 1;
	a->data = a->is_write ? accel_truncate(accel_fuzz_rand(state), len) : 0;
}

static enum fuzz_path fuzz_path(const struct fuzz_access *a)
{
	if (a->off + a->len <= 0 || a->off >= FUZZ_LEN)
		return FUZZ_OUTSIDE;
	if (a->off < 0 || a->off + a->len > FUZZ_LEN)
		return FUZZ_STRADDLING;
	if (a->is_write ? FUZZ_WRITE_DECLINED(a->off) : FUZZ_READ_DECLINED(a->off))
		return FUZZ_DECLINED;
	return FUZZ_HANDLED;
}

/*
 * Access @a on @bank as the program does, or as the VMM's slow path does
 * if @slow.  Returns what a read gets.
 */
static uint64_t fuzz_apply(uint8_t *bank, const struct fuzz_access *a, bool slow)
{
	const uint8_t x = slow ? FUZZ_SLOW_XOR : 0;
	uint64_t val = 0;
	uint32_t i;

	for (i = 0; i < a->len; i++) {
		int64_t b = a->off + i;
		bool in = b >= 0 && b < FUZZ_LEN;

		if (a->is_write && in)
			bank[b] = (a->data >> (8 * i)) ^ x;
		else if (!a->is_write)
			val |= (uint64_t)(in ? bank[b] ^ x : 0xff) << (8 * i);
	}
	return val;
}

/* ---- guest side ---------------------------------------------------------- */

static void guest_code(uint32_t bus, uint64_t base, uint64_t idx, uint64_t seed,
		       uint64_t count)
{
	const uint32_t max_width = bus == KVM_ACCEL_BUS_PIO ? 4 : 8;
	uint64_t state = fuzz_state(seed, bus, idx), i, want, got;
	uint8_t shadow[FUZZ_LEN];
	struct fuzz_access a;

	fuzz_fill(shadow, state);
	for (i = 0; i < count; i++) {
		fuzz_next(&state, max_width, &a);
		want = fuzz_apply(shadow, &a, fuzz_path(&a) != FUZZ_HANDLED);
		if (a.is_write) {
			accel_guest_write(bus, base + a.off, a.len, a.data);
			continue;
		}
		got = accel_guest_read(bus, base + a.off, a.len);
		__GUEST_ASSERT(got == want,
			       "vCPU %lu, access %lu: %u-byte read at offset %ld returned 0x%lx, the model 0x%lx",
			       idx, i, a.len, a.off, got, want);
	}
	GUEST_DONE();
}

/* ---- VMM side ------------------------------------------------------------ */

/* The model of one vCPU, in step with its guest. */
struct fuzz_vcpu {
	uint64_t state;
	uint64_t done;		/* accesses the model has gone through */
	uint8_t shadow[FUZZ_LEN];
	uint8_t *bank;		/* the vCPU's registers in the register file */
	uint64_t paths[FUZZ_NR_PATHS];
	uint64_t writes;
};

struct fuzz_run {
	const struct accel_bus *bus;
	uint64_t count;		/* accesses per vCPU */
	struct accel_load load;
	struct fuzz_vcpu vcpus[FUZZ_NR_VCPUS];
};

/*
 * Take vCPU @fv's model through its accesses up to the next one it sends
 * to the VMM, into @a.  False if there is none before the guest's last.
 */
static bool fuzz_model_next(struct fuzz_run *run, struct fuzz_vcpu *fv,
			    struct fuzz_access *a)
{
	enum fuzz_path path;

	while (fv->done < run->count) {
		fuzz_next(&fv->state, run->bus->max_width, a);
		fv->done++;
		fv->writes += a->is_write;
		path = fuzz_path(a);
		fv->paths[path]++;
		if (path != FUZZ_HANDLED)
			return true;
		fuzz_apply(fv->shadow, a, false);
	}
	return false;
}

static void fuzz_assert_bank(const struct fuzz_vcpu *fv, uint32_t id)
{
	int i;

	for (i = 0; i < FUZZ_LEN; i++)
		TEST_ASSERT(fv->bank[i] == fv->shadow[i],
			    "vCPU %u after access %lu: register %d is 0x%02x, the model 0x%02x",
			    id, fv->done, i, fv->bank[i], fv->shadow[i]);
}

/* An exit of the vCPU: it must be the model's next, and is served like it. */
static void fuzz_serve(struct accel_vmm *vmm)
{
	struct accel_load_vcpu *lv = container_of(vmm, struct accel_load_vcpu, vmm);
	struct fuzz_run *run = container_of(lv->load, struct fuzz_run, load);
	struct fuzz_vcpu *fv = &run->vcpus[lv - lv->load->vcpus];
	struct kvm_run *kr = vmm->vcpu->run;
	struct fuzz_access want, got = {};
	uint32_t id = vmm->vcpu->id;
	uint64_t addr, val;
	uint8_t *data;

	if (kr->exit_reason == KVM_EXIT_IO && run->bus->bus == KVM_ACCEL_BUS_PIO) {
		TEST_ASSERT(kr->io.count == 1, "vCPU %u: string I/O at port 0x%x",
			    id, kr->io.port);
		addr = kr->io.port;
		got.len = kr->io.size;
		got.is_write = kr->io.direction == KVM_EXIT_IO_OUT;
		data = (uint8_t *)kr + kr->io.data_offset;
	} else if (kr->exit_reason == KVM_EXIT_MMIO &&
		   run->bus->bus == KVM_ACCEL_BUS_MMIO) {
		addr = kr->mmio.phys_addr;
		got.len = kr->mmio.len;
		got.is_write = kr->mmio.is_write;
		data = kr->mmio.data;
	} else {
		TEST_FAIL("vCPU %u: unexpected exit %u (%s)", id, kr->exit_reason,
			  exit_reason_str(kr->exit_reason));
	}
	got.off = addr - run->bus->base;
	TEST_ASSERT(got.len >= 1 && got.len <= 8, "vCPU %u: %u-byte exit", id, got.len);
	if (got.is_write)
		memcpy(&got.data, data, got.len);

	TEST_ASSERT(fuzz_model_next(run, fv, &want),
		    "vCPU %u: %u-byte %s at offset %ld exited, after its last access",
		    id, got.len, got.is_write ? "write" : "read", got.off);
	TEST_ASSERT(want.off == got.off && want.len == got.len &&
		    want.is_write == got.is_write && want.data == got.data,
		    "vCPU %u, access %lu: %u-byte %s at offset %ld (data 0x%lx) should exit, but %u-byte %s at offset %ld (data 0x%lx) did",
		    id, fv->done - 1, want.len, want.is_write ? "write" : "read",
		    want.off, want.data, got.len, got.is_write ? "write" : "read",
		    got.off, got.data);
	fuzz_assert_bank(fv, id);

	/* The slow path, on the real registers; the model follows. */
	val = fuzz_apply(fv->bank, &got, true);
	fuzz_apply(fv->shadow, &want, true);
	if (!got.is_write)
		memcpy(data, &val, got.len);
	vmm->exits++;
}

ACCEL_BUS_SUITE(fuzz, &fuzz_pio, &fuzz_mmio);

/* Long runs (KA_FUZZ_COUNT) must end before the test VM's own limit. */
TEST_F_TIMEOUT(fuzz, generic, 900)
{
	const uint64_t seed = accel_fuzz_env("KA_FUZZ_SEED", FUZZ_DEFAULT_SEED);
	const struct accel_bus *bus = variant->bus;
	struct kvm_vcpu *vcpus[FUZZ_NR_VCPUS];
	struct fuzz_run fuzz_run = {}, *run = &fuzz_run;
	uint64_t total[FUZZ_NR_PATHS] = {}, writes = 0;
	struct kvm_accel_dev *dev;
	struct fuzz_regs *regs;
	struct kvm_vm *vm;
	__u32 link_id;
	int i, p;

	run->bus = bus;
	run->count = DIV_ROUND_UP(accel_fuzz_env("KA_FUZZ_COUNT", FUZZ_DEFAULT_COUNT),
				  FUZZ_NR_VCPUS);
	ksft_print_msg("seed 0x%lx count %lu (KA_FUZZ_SEED, KA_FUZZ_COUNT)\n", seed,
		       FUZZ_NR_VCPUS * run->count);

	vm = vm_create_with_vcpus(FUZZ_NR_VCPUS, guest_code, vcpus);
	if (bus->bus == KVM_ACCEL_BUS_MMIO)
		virt_map(vm, bus->base & ~(vm->page_size - 1ULL),
			 bus->base & ~(vm->page_size - 1ULL), 1);
	dev = accel_attach(vm, bus);
	link_id = accel_link_id(dev);
	regs = kvm_accel_regfile(dev, ".bss", NULL);
	TEST_ASSERT(regs, "mapping the register file: %s", strerror(errno));

	accel_load_init(&run->load, vcpus, FUZZ_NR_VCPUS, bus, NULL);
	for (i = 0; i < FUZZ_NR_VCPUS; i++) {
		struct fuzz_vcpu *fv = &run->vcpus[i];

		TEST_ASSERT_EQ(vcpus[i]->id, i);
		vcpu_args_set(vcpus[i], 5, bus->bus, bus->base, i, seed, run->count);
		fv->state = fuzz_state(seed, bus->bus, i);
		fv->bank = regs->bank[i];
		fuzz_fill(fv->bank, fv->state);
		fuzz_fill(fv->shadow, fv->state);
		run->load.vcpus[i].vmm.serve = fuzz_serve;
	}
	accel_load_start(&run->load);
	accel_load_join(&run->load);

	for (i = 0; i < FUZZ_NR_VCPUS; i++) {
		struct fuzz_vcpu *fv = &run->vcpus[i];
		struct fuzz_access a = {};

		TEST_ASSERT(!fuzz_model_next(run, fv, &a),
			    "vCPU %d, access %lu: %u-byte %s at offset %ld should have exited",
			    i, fv->done - 1, a.len, a.is_write ? "write" : "read", a.off);
		fuzz_assert_bank(fv, i);
		TEST_ASSERT(regs->handled[i] == fv->paths[FUZZ_HANDLED] &&
			    regs->declined[i] == fv->paths[FUZZ_DECLINED],
			    "vCPU %d: the program handled %llu and declined %llu accesses, the model %lu and %lu",
			    i, regs->handled[i], regs->declined[i],
			    fv->paths[FUZZ_HANDLED], fv->paths[FUZZ_DECLINED]);
		TEST_ASSERT_EQ(run->load.vcpus[i].vmm.exits,
			       fv->done - fv->paths[FUZZ_HANDLED]);
		for (p = 0; p < FUZZ_NR_PATHS; p++)
			total[p] += fv->paths[p];
		writes += fv->writes;
	}
	TEST_ASSERT(!regs->violations, "the program was given %llu accesses it should not have been",
		    regs->violations);
	accel_assert_counters(link_id, total[FUZZ_HANDLED], total[FUZZ_DECLINED], 0);

	ksft_print_msg("%s: %d vCPUs, %lu accesses (%lu writes): %lu handled, %lu declined, %lu straddling, %lu outside\n",
		       bus->bus == KVM_ACCEL_BUS_PIO ? "pio" : "mmio", FUZZ_NR_VCPUS,
		       FUZZ_NR_VCPUS * run->count, writes, total[FUZZ_HANDLED],
		       total[FUZZ_DECLINED], total[FUZZ_STRADDLING], total[FUZZ_OUTSIDE]);

	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
