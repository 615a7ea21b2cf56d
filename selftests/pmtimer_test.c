// SPDX-License-Identifier: GPL-2.0
/*
 * The ACPI PM timer (devices/pmtimer) as a guest sees it, with the fast
 * path attached and with the slow path alone (pmtimer_access() on the
 * reference VMM), which must not differ:
 *
 *  - widths: 1-, 2- and 4-byte reads at every offset return those bytes of
 *    the counter at some instant between the 4-byte reads around them;
 *  - monotonic: the counter never goes back, within 24 or 32 bits, and
 *    lies between the values the host computes before and after;
 *  - wrap24: without TMR_VAL_EXT it wraps from 0xffffff to 0 and never
 *    sets bits 24-31; with it, the same instant crosses 0x1000000;
 *  - with the fast path no read reaches the VMM (the module counts them
 *    all handled); without it every one does.
 */
#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "pmtimer/pmtimer_slowpath.h"

#define PT_ROUNDS	1000	/* widths: reads of each width and offset */
#define PT_READS	20000	/* monotonic */
#define PT_WRAP_TICKS	1000000	/* wrap24 starts this far below 2^24 (0.28 s) */
#define PT_WRAP_READS	1000000	/* wrap24 gives up after */

enum pt_mode {
	PT_WIDTHS,
	PT_MONOTONIC,
	PT_WRAP,
};

static uint32_t pt_in(uint32_t off, uint32_t len)
{
	return accel_guest_read(KVM_ACCEL_BUS_PIO, PMTIMER_PIO_BASE + off, len);
}

/* v2 - v1 in a counter of @mask + 1 values. */
static uint32_t pt_delta(uint32_t v1, uint32_t v2, uint32_t mask)
{
	return (v2 - v1) & mask;
}

/*
 * Whether @n, the @len bytes at @off read between 4-byte reads @v1 and @v2,
 * is those bytes of some counter value between them.
 */
static bool pt_narrow_ok(uint32_t n, uint32_t off, uint32_t len, uint32_t v1,
			 uint32_t v2, uint32_t mask)
{
	uint64_t lo = v1 >> (8 * off), span = pt_delta(v1, v2, mask) >> (8 * off);
	uint64_t fmask = len == 4 ? 0xffffffffULL : (1ULL << (8 * len)) - 1;

	/* The shifted counter ran from lo to lo + span (or one more: carry). */
	return span + 1 >= fmask || ((n - lo) & fmask) <= span + 1;
}

static void guest_code(uint64_t mode, uint64_t ext)
{
	uint32_t mask = ext ? 0xffffffff : 0xffffff, v, prev, first, n, off, len;
	uint64_t i, reads = 0;

	switch (mode) {
	case PT_WIDTHS:
		for (i = 0; i < PT_ROUNDS; i++) {
			for (len = 1; len <= 4; len <<= 1) {
				for (off = 0; off + len <= PMTIMER_PIO_LEN; off += len) {
					prev = pt_in(0, 4);
					n = pt_in(off, len);
					v = pt_in(0, 4);
					reads += 3;
					GUEST_ASSERT(!(prev & ~mask) && !(v & ~mask));
					__GUEST_ASSERT(pt_narrow_ok(n, off, len, prev, v, mask),
						       "%u-byte read at %u: 0x%x, between 0x%x and 0x%x",
						       len, off, n, prev, v);
				}
			}
		}
		GUEST_SYNC_ARGS(mode, reads, 0, 0, 0);
		break;
	case PT_MONOTONIC:
		first = prev = pt_in(0, 4);
		for (i = 1; i < PT_READS; i++) {
			v = pt_in(0, 4);
			GUEST_ASSERT(!(v & ~mask));
			/* Backwards is a huge delta; the counter cannot run half its range. */
			__GUEST_ASSERT(pt_delta(prev, v, mask) < mask / 2,
				       "read %lu: 0x%x after 0x%x", i, v, prev);
			prev = v;
		}
		GUEST_SYNC_ARGS(mode, PT_READS, first, prev, 0);
		break;
	case PT_WRAP:
		/* Until it goes back, or ran 2 * PT_WRAP_TICKS: past 2^24. */
		first = prev = v = pt_in(0, 4);
		for (i = 1; i < PT_WRAP_READS; i++) {
			v = pt_in(0, 4);
			GUEST_ASSERT(!(v & ~mask));
			if (v < prev || v - first >= 2 * PT_WRAP_TICKS)
				break;
			prev = v;
		}
		GUEST_SYNC_ARGS(mode, i + 1, first, prev, v);
		break;
	}
	GUEST_DONE();
}

FIXTURE(pmtimer) {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_accel_dev *dev;
	__u32 link_id;
	struct pmtimer_regs own;	/* the slow path's alone */
	struct pmtimer pm;
	struct vmm vmm;
	struct vmm_device *vdev;
};

FIXTURE_VARIANT(pmtimer) {
	bool accel;
	bool ext;
};

FIXTURE_VARIANT_ADD(pmtimer, accel_24) { .accel = true, .ext = false };
FIXTURE_VARIANT_ADD(pmtimer, accel_32) { .accel = true, .ext = true };
FIXTURE_VARIANT_ADD(pmtimer, slow_24) { .accel = false, .ext = false };
FIXTURE_VARIANT_ADD(pmtimer, slow_32) { .accel = false, .ext = true };

FIXTURE_SETUP(pmtimer)
{
	memset(&self->vmm, 0, sizeof(self->vmm));
	self->vm = vm_create_with_one_vcpu(&self->vcpu, guest_code);
	self->pm = (struct pmtimer) { .regs = &self->own, .base = PMTIMER_PIO_BASE };
	if (variant->accel) {
		KVM_ACCEL_ATTACH_OPTS(opts, .bus = KVM_ACCEL_BUS_PIO,
				      .base = PMTIMER_PIO_BASE, .len = PMTIMER_PIO_LEN);

		TEST_REQUIRE(kvm_accel_module_loaded());
		self->dev = accel_attach_obj(self->vm, "bpf/devices/pmtimer/pmtimer.bpf.o",
					     &opts, (void **)&self->pm.regs,
					     sizeof(*self->pm.regs));
		self->link_id = accel_link_id(self->dev);
	}
	self->vdev = pmtimer_vmm_register(&self->vmm, &self->pm);
}

FIXTURE_TEARDOWN(pmtimer)
{
	kvm_accel_detach(self->dev);
	kvm_vm_free(self->vm);
}

/* The counter now, as the host computes it from the register file. */
static uint32_t pt_host_value(const struct pmtimer_regs *r)
{
	return pmtimer_value(r->clock_offset, r->flags, pmtimer_host_ns());
}

/*
 * Run the guest in @mode, with the counter at @start_ticks now; check the
 * exits against the reads it made, and return its GUEST_SYNC arguments.
 */
static void pt_run(FIXTURE_DATA(pmtimer) *self, const FIXTURE_VARIANT(pmtimer) *variant,
		   struct __test_metadata *_metadata, enum pt_mode mode,
		   uint64_t start_ticks, struct ucall *uc)
{
	uint64_t reads;

	pmtimer_publish(self->pm.regs,
			(int64_t)(start_ticks * PMTIMER_NS_PER_SEC / PMTIMER_FREQ_HZ),
			variant->ext);
	vcpu_args_set(self->vcpu, 2, (uint64_t)mode, (uint64_t)variant->ext);
	ASSERT_EQ(vmm_run(&self->vmm, self->vcpu, uc), UCALL_SYNC);
	ASSERT_EQ(uc->args[1], mode);
	reads = uc->args[2];
	if (variant->accel) {
		struct kvm_accel_counters c = accel_counters(self->link_id);

		EXPECT_EQ(vmm_device_exits(self->vdev), 0);
		EXPECT_EQ(c.handled, reads);
		EXPECT_EQ(c.exits, 0);
	} else {
		EXPECT_EQ(vmm_device_exits(self->vdev), reads);
	}
	ksft_print_msg("%lu reads, %llu exits\n", reads, vmm_device_exits(self->vdev));
}

TEST_F(pmtimer, widths)
{
	struct ucall uc;

	pt_run(self, variant, _metadata, PT_WIDTHS, 0x123456, &uc);
	ASSERT_EQ(uc.args[2], PT_ROUNDS * 3 * 7);
	ASSERT_EQ(vmm_run(&self->vmm, self->vcpu, &uc), UCALL_DONE);
}

TEST_F(pmtimer, monotonic)
{
	uint32_t mask = variant->ext ? 0xffffffff : 0xffffff, before, after;
	struct ucall uc;

	/* Start where the high byte changes early in the run. */
	before = 0x00fffff0 - 100;
	pt_run(self, variant, _metadata, PT_MONOTONIC, before, &uc);
	after = pt_host_value(self->pm.regs);
	/* The reads lie in [before, after]: the guest started after the publish. */
	EXPECT_LE(pt_delta(before, uc.args[3], mask), pt_delta(before, after, mask));
	EXPECT_LE(pt_delta(uc.args[3], uc.args[4], mask), pt_delta(before, after, mask));
	EXPECT_LE(pt_delta(uc.args[4], after, mask), pt_delta(before, after, mask));
	ASSERT_EQ(vmm_run(&self->vmm, self->vcpu, &uc), UCALL_DONE);
}

TEST_F(pmtimer, wrap24)
{
	const uint32_t start = (1U << 24) - PT_WRAP_TICKS;
	uint32_t first, last, next;
	struct ucall uc;

	pt_run(self, variant, _metadata, PT_WRAP, start, &uc);
	first = uc.args[3];
	last = uc.args[4];
	next = uc.args[5];
	ksft_print_msg("from 0x%x: 0x%x, then 0x%x\n", first, last, next);
	ASSERT_GE(first, start);
	ASSERT_LT(uc.args[2], PT_WRAP_READS) {
		TH_LOG("the counter ran %u ticks in %u reads", last - first, PT_WRAP_READS);
	}
	if (variant->ext) {
		/* 32 bits: past 2^24 without going back. */
		EXPECT_GE(next, last);
		EXPECT_GE(next, 1U << 24);
	} else {
		/* 24 bits: back through 0 right after 0xffffff. */
		EXPECT_LT(next, last);
		EXPECT_GT(last, 0xffffff - PT_WRAP_TICKS);
		EXPECT_LT(next, PT_WRAP_TICKS);
	}
	ASSERT_EQ(vmm_run(&self->vmm, self->vcpu, &uc), UCALL_DONE);
}

TEST_HARNESS_MAIN
