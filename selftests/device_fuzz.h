/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the device fuzz tests (hpet_fuzz_test, mpic_fuzz_test) share: the
 * random access generator, run alike by the guests and by the VMM that
 * replays their sequences; the model of where KVM sends each access (the
 * device's program, the module's refusal, or straight to the VMM); the
 * VMM's handling of MMIO exits in and around a device; and the log through
 * which a guest hands the values it read to the VMM, so that two runs of
 * one sequence can be compared read by read.
 *
 * One access in eight is a string of up to DFUZZ_MAX_COUNT elements (rep
 * movs from the device, rep stos into it), which KVM emulates element by
 * element: each element is counted, logged and checked as an access.
 *
 * Each test runs two phases.  Phase 1 is differential: one vCPU makes the
 * same seeded sequence in two VMs, one with the device's fast path
 * attached, one with the userspace model alone, in lockstep; every value
 * read, the final register file and the interrupts must be identical.
 * Phase 2 has several vCPUs fuzz one attached device at once and checks
 * the invariants of the device's ownership contract.  In both, what the
 * program was given is counted against what the guest sent inside the
 * range, through the module's counters.
 */
#ifndef _SELFTESTS_DEVICE_FUZZ_H
#define _SELFTESTS_DEVICE_FUZZ_H

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "accel_fuzz.h"
#include "accel_test_util.h"

#define DFUZZ_PAGE		4096ULL
#define DFUZZ_MARGIN		16	/* how far below and beyond the range accesses go */
#define DFUZZ_LOG		512	/* reads a guest logs between two syncs */
#define DFUZZ_SYNC_LOG		1	/* GUEST_SYNC2(DFUZZ_SYNC_LOG, reads logged) */
#define DFUZZ_OUTSIDE_BYTE	0xff	/* what the VMM returns outside the device */

struct dfuzz_access {
	int64_t off;		/* from the device's base; negative below it */
	uint32_t len;		/* 1, 2, 4 or 8 */
	bool is_write;
	uint64_t data;		/* the value written; 0 for a read */
	/*
	 * Elements: 1, or a string of @count elements of @len bytes at
	 * @off, @off + @len, ...: rep movs from the device into memory, or
	 * rep stos of @data into it.
	 */
	uint32_t count;
};

#define DFUZZ_MAX_COUNT		8	/* elements of a string */

/* A device as the generator sees it. */
struct dfuzz_dev {
	uint64_t base;		/* page aligned */
	uint64_t size;
	/* The offset of a register (or a slot near one) chosen by @pick. */
	uint64_t (*hot)(uint64_t pick);
};

/*
 * The next access: every width, reads and writes alike.  One in four lies
 * entirely below the range, straddles its start or its end, or lies
 * entirely beyond it (a 1-byte access cannot straddle: it is below or
 * beyond instead); one in eight crosses a page boundary inside a range of
 * several pages; about a third start at or just after a register; the rest
 * anywhere inside.  A quarter of the values written are small, so that
 * counters, comparators and priorities take values that matter.
 */
static inline void dfuzz_next(uint64_t *state, const struct dfuzz_dev *dev,
			      struct dfuzz_access *a)
{
	uint64_t r = accel_fuzz_rand(state), pick = accel_fuzz_rand(state), v;
	int64_t size = dev->size;
	uint32_t len = 1U << (r & 3);

	switch ((r >> 2) % 16) {
	case 0 ... 3:
		a->off = accel_fuzz_edge_off((r >> 2) % 16, len, size, pick, DFUZZ_MARGIN);
		break;
	case 4:
	case 5:
		if (size > (int64_t)DFUZZ_PAGE && len > 1) {
			a->off = ((pick >> 8) % (size / DFUZZ_PAGE - 1) + 1) * DFUZZ_PAGE -
				 1 - (int64_t)(pick % (len - 1));
			break;
		}
		/* fall through */
	case 6:
	case 7:
	case 8:
	case 9:
	case 10:
		a->off = dev->hot(pick >> 5);
		/* Misaligned one time in four. */
		if (!(pick & 3))
			a->off += (pick >> 2) & 7;
		if (a->off > size - len)
			a->off = size - len;
		break;
	default:
		a->off = pick % (size - len + 1);
		break;
	}
	a->len = len;
	a->is_write = (r >> 6) & 1;
	a->data = 0;
	if (a->is_write) {
		v = accel_fuzz_rand(state);
		if (!((r >> 7) & 3))
			v &= 0xfffff;
		a->data = accel_truncate(v, len);
	}
	/* One in eight is a string, whose last element stays near the range. */
	a->count = 1;
	v = accel_fuzz_rand(state);
	if (!(v & 7)) {
		a->count = 2 + (v >> 3) % (DFUZZ_MAX_COUNT - 1);
		while (a->count > 1 &&
		       a->off + (int64_t)(a->count * len) > size + DFUZZ_MARGIN)
			a->count--;
	}
}

/* Element @k of @a, as a single access. */
static inline struct dfuzz_access dfuzz_elem(const struct dfuzz_access *a, uint32_t k)
{
	struct dfuzz_access e = *a;

	e.off = a->off + (int64_t)k * a->len;
	e.count = 1;
	return e;
}

#define DFUZZ_STOS(sfx)							\
	asm volatile("rep stos" sfx : "+D"(dst), "+c"(n) : "a"(data) : "memory")
#define DFUZZ_MOVS(sfx)							\
	asm volatile("rep movs" sfx : "+S"(src), "+D"(dst), "+c"(n) : : "memory")

/*
 * Access @a at @base + @a->off, identity mapped: any width, any alignment.
 * A read's elements land in @vals[0 .. @a->count - 1].  A string is one
 * instruction, which KVM emulates element by element.
 */
static inline void dfuzz_guest_do(uint64_t base, const struct dfuzz_access *a,
				  uint64_t *vals)
{
	uint64_t addr = base + a->off, n = a->count, data = a->data;
	uint8_t buf[DFUZZ_MAX_COUNT * 8];
	void *src = (void *)addr, *dst = buf;
	uint32_t k;

	if (n == 1) {
		if (a->is_write)
			accel_guest_write(KVM_ACCEL_BUS_MMIO, addr, a->len, a->data);
		else
			vals[0] = accel_guest_read(KVM_ACCEL_BUS_MMIO, addr, a->len);
		return;
	}
	if (a->is_write) {
		dst = src;
		switch (a->len) {
		case 1:
			DFUZZ_STOS("b");
			break;
		case 2:
			DFUZZ_STOS("w");
			break;
		case 4:
			DFUZZ_STOS("l");
			break;
		default:
			DFUZZ_STOS("q");
			break;
		}
		return;
	}
	switch (a->len) {
	case 1:
		DFUZZ_MOVS("b");
		break;
	case 2:
		DFUZZ_MOVS("w");
		break;
	case 4:
		DFUZZ_MOVS("l");
		break;
	default:
		DFUZZ_MOVS("q");
		break;
	}
	for (k = 0; k < a->count; k++) {
		vals[k] = 0;
		memcpy(&vals[k], buf + k * a->len, a->len);
	}
}

/* ---- where an access goes ------------------------------------------------- */

/*
 * KVM's emulator splits an access that crosses a page boundary into one
 * fragment per page, and gives each to the io bus, or to the VMM, on its
 * own.  @f gets the fragments of @a on @dev (offsets from the base, the
 * data each writes); returns their number, 1 or 2.
 */
struct dfuzz_frag {
	int64_t off;
	uint32_t len;
	uint64_t data;
};

static inline int dfuzz_fragments(const struct dfuzz_dev *dev,
				  const struct dfuzz_access *a, struct dfuzz_frag *f)
{
	uint64_t addr = dev->base + a->off, next = (addr | (DFUZZ_PAGE - 1)) + 1;
	uint32_t now = next - addr;

	if (addr + a->len <= next) {
		f[0] = (struct dfuzz_frag){ a->off, a->len, a->data };
		return 1;
	}
	f[0] = (struct dfuzz_frag){ a->off, now, accel_truncate(a->data, now) };
	f[1] = (struct dfuzz_frag){ a->off + now, a->len - now, a->data >> (8 * now) };
	return 2;
}

enum dfuzz_route {
	DFUZZ_PROG,		/* inside the range, 1, 2, 4 or 8 bytes: the program */
	DFUZZ_ODD,		/* inside, another length: the module refuses it (errors) */
	DFUZZ_OUTSIDE,		/* not entirely inside: KVM gives it to the VMM */
};

static inline enum dfuzz_route dfuzz_route(const struct dfuzz_dev *dev,
					   const struct dfuzz_frag *f)
{
	if (f->off < 0 || f->off + f->len > (int64_t)dev->size)
		return DFUZZ_OUTSIDE;
	if (f->len == 1 || f->len == 2 || f->len == 4 || f->len == 8)
		return DFUZZ_PROG;
	return DFUZZ_ODD;
}

/* Fragments of a sequence, by route. */
struct dfuzz_tally {
	uint64_t accesses, writes, frags;
	uint64_t route[3];
};

/* Count single access (or element) @a. */
static inline void dfuzz_tally(struct dfuzz_tally *t, const struct dfuzz_dev *dev,
			       const struct dfuzz_access *a)
{
	struct dfuzz_frag f[2];
	int i, n = dfuzz_fragments(dev, a, f);

	t->accesses++;
	t->writes += a->is_write;
	t->frags += n;
	for (i = 0; i < n; i++)
		t->route[dfuzz_route(dev, &f[i])]++;
}

static inline void dfuzz_tally_add(struct dfuzz_tally *sum, const struct dfuzz_tally *t)
{
	int i;

	sum->accesses += t->accesses;
	sum->writes += t->writes;
	sum->frags += t->frags;
	for (i = 0; i < 3; i++)
		sum->route[i] += t->route[i];
}

/*
 * The module's counters against what the guests sent: every fragment
 * inside the range of a valid width reached the program exactly once
 * (handled + exits), every other one inside was refused (errors), none
 * outside reached it; and the VMM saw exactly the fragments the program
 * declined, the refused ones and those outside (@vmm_exits).
 */
static inline void dfuzz_check_counters(__u32 link_id, const struct dfuzz_tally *t,
					uint64_t vmm_exits)
{
	struct kvm_accel_counters c = accel_counters(link_id);

	TEST_ASSERT(c.handled + c.exits == t->route[DFUZZ_PROG],
		    "the program saw %llu accesses (%llu handled, %llu declined), the guests sent %lu inside the range",
		    c.handled + c.exits, c.handled, c.exits, t->route[DFUZZ_PROG]);
	TEST_ASSERT(c.errors == t->route[DFUZZ_ODD],
		    "the module refused %llu accesses, the guests sent %lu fragments of odd length",
		    c.errors, t->route[DFUZZ_ODD]);
	TEST_ASSERT(vmm_exits == c.exits + c.errors + t->route[DFUZZ_OUTSIDE],
		    "the VMM saw %lu exits, expected %llu declined + %llu refused + %lu outside",
		    vmm_exits, c.exits, c.errors, t->route[DFUZZ_OUTSIDE]);
}

/* ---- the VMM -------------------------------------------------------------- */

/* A device access at @off (inside it) of @len bytes; 0 or a negative errno. */
typedef int (*dfuzz_mmio_fn)(void *opaque, __u32 vcpu_id, uint64_t off, uint32_t len,
			     bool is_write, void *data);

/*
 * Serve an MMIO exit of @vcpu in and around @dev: the bytes inside the
 * device are one access of the device, those outside read as
 * DFUZZ_OUTSIDE_BYTE and are dropped on write.  Any other exit fails.
 */
static inline void dfuzz_serve(struct kvm_vcpu *vcpu, const struct dfuzz_dev *dev,
			       dfuzz_mmio_fn mmio, void *opaque)
{
	struct kvm_run *run = vcpu->run;
	uint64_t addr = run->mmio.phys_addr;
	int64_t off = addr - dev->base, lo, hi;
	uint32_t len = run->mmio.len;
	int ret;

	if (run->exit_reason != KVM_EXIT_MMIO)
		TEST_FAIL("vCPU %u: unexpected exit %u (%s)", vcpu->id, run->exit_reason,
			  exit_reason_str(run->exit_reason));
	TEST_ASSERT(len >= 1 && len <= 8 && off >= -(int64_t)DFUZZ_PAGE &&
		    off < (int64_t)(dev->size + DFUZZ_PAGE),
		    "vCPU %u: %u-byte MMIO at 0x%lx, nowhere near the device",
		    vcpu->id, len, addr);

	lo = off < 0 ? 0 : off;
	hi = off + len > (int64_t)dev->size ? (int64_t)dev->size : off + len;
	if (!run->mmio.is_write)
		memset(run->mmio.data, DFUZZ_OUTSIDE_BYTE, len);
	if (lo >= hi)
		return;
	ret = mmio(opaque, vcpu->id, lo, hi - lo, run->mmio.is_write,
		   run->mmio.data + (lo - off));
	TEST_ASSERT(!ret, "vCPU %u: %lu-byte %s at offset 0x%lx: %s", vcpu->id, hi - lo,
		    run->mmio.is_write ? "write" : "read", lo, strerror(-ret));
}

#define DFUZZ_MAX_VCPUS		8

/* The vCPUs of one fuzzed VM and how their exits are served. */
struct dfuzz_target {
	const struct dfuzz_dev *dev;
	struct kvm_vcpu **vcpus;
	dfuzz_mmio_fn mmio;
	void *opaque;
	uint64_t exits[DFUZZ_MAX_VCPUS];	/* MMIO exits served, per vCPU */
};

struct dfuzz_vcpu_ref {
	struct dfuzz_target *t;
	int idx;
};

static inline void dfuzz_serve_exit(struct kvm_vcpu *vcpu, void *arg)
{
	struct dfuzz_vcpu_ref *ref = arg;

	dfuzz_serve(vcpu, ref->t->dev, ref->t->mmio, ref->t->opaque);
	ref->t->exits[ref->idx]++;
}

/* Run vCPU @idx of @t until its guest makes a ucall; return the command. */
static inline uint64_t dfuzz_run(struct dfuzz_target *t, int idx, struct ucall *uc)
{
	struct dfuzz_vcpu_ref ref = { .t = t, .idx = idx };

	return vmm_run_to_ucall(t->vcpus[idx], uc, dfuzz_serve_exit, &ref);
}

static inline uint64_t dfuzz_exits(const struct dfuzz_target *t)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < DFUZZ_MAX_VCPUS; i++)
		n += t->exits[i];
	return n;
}

static inline void dfuzz_vcpu_done(void *t, int idx)
{
	struct ucall uc;

	TEST_ASSERT_EQ(dfuzz_run(t, idx, &uc), UCALL_DONE);
}

/* Run vCPUs 0 .. @nr - 1 of @t at once, one thread each, to GUEST_DONE(). */
static inline void dfuzz_run_all(struct dfuzz_target *t, int nr)
{
	TEST_ASSERT(nr > 0 && nr <= DFUZZ_MAX_VCPUS, "%d vCPUs", nr);
	vmm_run_threads(0, nr, dfuzz_vcpu_done, t);
}

static inline void dfuzz_print_tally(const char *what, const struct dfuzz_tally *t)
{
	ksft_print_msg("%s: %lu accesses (%lu writes), %lu fragments: %lu to the device, %lu of odd length, %lu outside it\n",
		       what, t->accesses, t->writes, t->frags, t->route[DFUZZ_PROG],
		       t->route[DFUZZ_ODD], t->route[DFUZZ_OUTSIDE]);
}

/* Fail at the first 64-bit word where two register files of @size bytes differ. */
static inline void dfuzz_compare_regs(const void *fast, const void *model, size_t size)
{
	const __u64 *a = fast, *b = model;
	size_t w;

	for (w = 0; w < size / sizeof(__u64); w++)
		TEST_ASSERT(a[w] == b[w],
			    "register file word at byte %zu: 0x%llx with the fast path, 0x%llx with the model alone",
			    w * sizeof(__u64), a[w], b[w]);
}

/* ---- the guest's read log (phase 1) --------------------------------------- */

struct dfuzz_read {
	uint64_t i;		/* index of the access in the sequence */
	int64_t off;
	uint64_t len;
	uint64_t val;
};

static struct dfuzz_read dfuzz_log[DFUZZ_LOG];
static uint64_t dfuzz_logged;

/* Hand what is logged to the VMM. */
static inline void dfuzz_guest_flush(void)
{
	if (dfuzz_logged)
		GUEST_SYNC2(DFUZZ_SYNC_LOG, dfuzz_logged);
	dfuzz_logged = 0;
}

static inline void dfuzz_guest_log(uint64_t i, const struct dfuzz_access *a, uint64_t val)
{
	dfuzz_log[dfuzz_logged++] = (struct dfuzz_read){ i, a->off, a->len, val };
	if (dfuzz_logged == DFUZZ_LOG)
		dfuzz_guest_flush();
}

/*
 * Both runs of phase 1 are at GUEST_SYNC2(DFUZZ_SYNC_LOG, @n_a) and
 * (.., @n_b): their logs must be identical.  Returns the reads compared.
 */
static inline uint64_t dfuzz_compare_logs(struct kvm_vm *vm_a, uint64_t n_a,
					  struct kvm_vm *vm_b, uint64_t n_b)
{
	const struct dfuzz_read *a = addr_gva2hva(vm_a, (vm_vaddr_t)dfuzz_log);
	const struct dfuzz_read *b = addr_gva2hva(vm_b, (vm_vaddr_t)dfuzz_log);
	uint64_t k;

	TEST_ASSERT(n_a == n_b && n_a <= DFUZZ_LOG, "%lu reads logged against %lu", n_a, n_b);
	for (k = 0; k < n_a; k++)
		TEST_ASSERT(a[k].i == b[k].i && a[k].val == b[k].val,
			    "access %lu: %lu-byte read at offset %ld (0x%lx) returned 0x%lx with the fast path, 0x%lx with the model alone (access %lu)",
			    a[k].i, a[k].len, a[k].off, a[k].off, a[k].val, b[k].val, b[k].i);
	return n_a;
}

/*
 * Phase 1: run vCPU 0 of @fast and of @model in lockstep to GUEST_DONE(),
 * comparing their read logs at each sync.  Returns the reads compared.
 */
static inline uint64_t dfuzz_lockstep(struct dfuzz_target *fast, struct kvm_vm *vm_fast,
				      struct dfuzz_target *model, struct kvm_vm *vm_model)
{
	uint64_t cmd_f, cmd_m, reads = 0;
	struct ucall uc_f, uc_m;

	for (;;) {
		cmd_f = dfuzz_run(fast, 0, &uc_f);
		cmd_m = dfuzz_run(model, 0, &uc_m);
		TEST_ASSERT(cmd_f == cmd_m, "ucall %lu with the fast path, %lu with the model",
			    cmd_f, cmd_m);
		if (cmd_f == UCALL_DONE)
			return reads;
		TEST_ASSERT(cmd_f == UCALL_SYNC && uc_f.args[0] == DFUZZ_SYNC_LOG &&
			    uc_m.args[0] == DFUZZ_SYNC_LOG, "unexpected ucall");
		reads += dfuzz_compare_logs(vm_fast, uc_f.args[1], vm_model, uc_m.args[1]);
	}
}

/* ---- configuration -------------------------------------------------------- */

/* The seed and count from $@seed_env and $@count_env, printed. */
static inline void dfuzz_config(const char *seed_env, uint64_t seed_def,
				const char *count_env, uint64_t count_def,
				uint64_t *seed, uint64_t *count)
{
	*seed = accel_fuzz_env(seed_env, seed_def);
	*count = accel_fuzz_env(count_env, count_def);
	TEST_ASSERT(*count, "%s must be at least 1", count_env);
	ksft_print_msg("seed 0x%lx count %lu (%s, %s)\n", *seed, *count, seed_env, count_env);
}

#endif /* _SELFTESTS_DEVICE_FUZZ_H */
