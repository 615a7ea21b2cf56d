/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the HPET tests and demo share: guest accessors for the HPET and the
 * in-kernel IOAPIC, and a VMM for several vCPUs that runs the device
 * (devices/hpet) with its fast path attached or as the userspace model
 * alone, and counts every HPET access that reaches userspace.
 */
#ifndef _HPET_TEST_UTIL_H
#define _HPET_TEST_UTIL_H

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "accel_test_util.h"
#include "apic.h"
#include "hpet/hpet_slowpath.h"

#define HPET_VM_MAX_VCPUS	8

/* The in-kernel IOAPIC of KVM selftests VMs. */
#define IOAPIC_GPA		0xfec00000ULL
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))
#define IOAPIC_RTE_LEVEL	(1U << 15)

/* ---- guest side ---------------------------------------------------------- */

static inline uint64_t hpet_rd64(uint64_t off)
{
	return *(volatile uint64_t *)(HPET_MMIO_BASE + off);
}

static inline uint32_t hpet_rd32(uint64_t off)
{
	return *(volatile uint32_t *)(HPET_MMIO_BASE + off);
}

static inline void hpet_wr64(uint64_t off, uint64_t val)
{
	*(volatile uint64_t *)(HPET_MMIO_BASE + off) = val;
}

static inline void hpet_wr32(uint64_t off, uint32_t val)
{
	*(volatile uint32_t *)(HPET_MMIO_BASE + off) = val;
}

static inline uint64_t hpet_counter(void)
{
	return hpet_rd64(HPET_MAIN_CNT);
}

/*
 * Raise *@max to @c unless it is larger already: the largest counter value
 * any vCPU has read, for checks that reads never go back across vCPUs.
 */
static inline void guest_publish_max(uint64_t *max, uint64_t c)
{
	uint64_t old = READ_ONCE(*max), prev;

	while (old < c) {
		prev = __sync_val_compare_and_swap(max, old, c);
		if (prev == old)
			break;
		old = prev;
	}
}

/* Route IOAPIC input @pin to @vector on the vCPU with APIC id @apic_id. */
static inline void ioapic_route(uint32_t pin, uint8_t vector, bool level,
				uint32_t apic_id)
{
	volatile uint32_t *sel = (volatile uint32_t *)(IOAPIC_GPA + IOAPIC_IOREGSEL);
	volatile uint32_t *win = (volatile uint32_t *)(IOAPIC_GPA + IOAPIC_IOWIN);

	*sel = IOAPIC_REDTBL(pin) + 1;
	*win = apic_id << 24;
	*sel = IOAPIC_REDTBL(pin);
	*win = vector | (level ? IOAPIC_RTE_LEVEL : 0);
}

/* ---- VMM side ------------------------------------------------------------ */

struct hpet_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[HPET_VM_MAX_VCPUS];
	int nr_vcpus;
	bool accel;			/* fast path attached */
	struct kvm_accel_dev *accel_dev;
	__u32 link_id;
	int kick_fd;
	struct hpet_regs *regs;		/* the register file the device runs on */
	struct hpet_regs model;		/* it, for the userspace model alone */
	struct hpet_dev *dev;
	/* HPET accesses that reached userspace, per vCPU. */
	uint64_t exits[HPET_VM_MAX_VCPUS];
};

static inline const char *hpet_obj_path(void)
{
	return accel_build_path("bpf/devices/hpet/hpet.bpf.o");
}

/*
 * A VM with @nr_vcpus vCPUs running @guest_code, the HPET and IOAPIC pages
 * mapped, and the HPET device: with its fast path attached if @accel, else
 * the userspace model alone.  Its timer thread runs.  Interrupts go
 * through @ops with @opaque, or to KVM's irqchip if @ops is NULL.
 */
static inline void hpet_vm_create_irq(struct hpet_vm *h, int nr_vcpus,
				      void *guest_code, bool accel,
				      const struct hpet_irq_ops *ops, void *opaque)
{
	int ret;

	if (accel)
		TEST_REQUIRE(kvm_accel_module_loaded());
	TEST_ASSERT(nr_vcpus > 0 && nr_vcpus <= HPET_VM_MAX_VCPUS,
		    "%d vCPUs", nr_vcpus);

	memset(h, 0, sizeof(*h));
	h->nr_vcpus = nr_vcpus;
	h->accel = accel;
	h->kick_fd = -1;
	h->vm = vm_create_with_vcpus(nr_vcpus, guest_code, h->vcpus);
	virt_map(h->vm, HPET_MMIO_BASE, HPET_MMIO_BASE, 1);
	virt_map(h->vm, IOAPIC_GPA, IOAPIC_GPA, 1);

	if (accel) {
		h->kick_fd = eventfd(0, EFD_CLOEXEC);
		TEST_ASSERT(h->kick_fd >= 0, "eventfd: %s", strerror(errno));
		KVM_ACCEL_ATTACH_OPTS(opts, .eventfds = &h->kick_fd,
				      .nr_eventfds = 1);
		ret = kvm_accel_attach(hpet_obj_path(), h->vm->fd, &opts,
				       &h->accel_dev);
		TEST_ASSERT(!ret, "attaching hpet.bpf.o: %s", strerror(-ret));
		h->link_id = accel_link_id(h->accel_dev);
		h->regs = kvm_accel_regfile(h->accel_dev, ".bss", NULL);
		TEST_ASSERT(h->regs, "mapping the register file: %s",
			    strerror(errno));
	} else {
		h->regs = &h->model;
	}

	if (!ops) {
		ops = &hpet_kvm_irq_ops;
		opaque = (void *)(long)h->vm->fd;
	}
	ret = hpet_dev_create(h->regs, h->kick_fd, ops, opaque, &h->dev);
	TEST_ASSERT(!ret, "hpet_dev_create: %s", strerror(-ret));
	ret = hpet_dev_start(h->dev);
	TEST_ASSERT(!ret, "hpet_dev_start: %s", strerror(-ret));
}

static inline void hpet_vm_create(struct hpet_vm *h, int nr_vcpus,
				  void *guest_code, bool accel)
{
	hpet_vm_create_irq(h, nr_vcpus, guest_code, accel, NULL, NULL);
}

static inline void hpet_vm_destroy(struct hpet_vm *h)
{
	hpet_dev_destroy(h->dev);
	kvm_accel_detach(h->accel_dev);
	if (h->kick_fd >= 0)
		close(h->kick_fd);
	kvm_vm_free(h->vm);
}

/* Serve one exit of vCPU @idx: it must be an access to the HPET. */
static inline void hpet_vm_serve(struct hpet_vm *h, int idx)
{
	struct kvm_run *run = h->vcpus[idx]->run;
	__u64 addr = run->mmio.phys_addr;
	int ret;

	if (run->exit_reason != KVM_EXIT_MMIO) {
		vcpu_dump(stderr, h->vcpus[idx], 2);
		TEST_FAIL("vCPU %d: unexpected exit %u (%s)", idx, run->exit_reason,
			  exit_reason_str(run->exit_reason));
	}
	TEST_ASSERT(addr >= HPET_MMIO_BASE && addr < HPET_MMIO_BASE + HPET_MMIO_LEN,
		    "vCPU %d: MMIO %s at 0x%llx is not the HPET", idx,
		    run->mmio.is_write ? "write" : "read", addr);
	ret = hpet_dev_mmio(h->dev, addr - HPET_MMIO_BASE, run->mmio.len,
			    run->mmio.is_write, run->mmio.data);
	TEST_ASSERT(!ret, "vCPU %d: %u-byte access at 0x%llx: %s", idx,
		    run->mmio.len, addr, strerror(-ret));
	__atomic_fetch_add(&h->exits[idx], 1, __ATOMIC_RELAXED);
}

struct hpet_vcpu_ref {
	struct hpet_vm *h;
	int idx;
};

static inline void hpet_vcpu_serve_exit(struct kvm_vcpu *vcpu, void *arg)
{
	struct hpet_vcpu_ref *ref = arg;

	hpet_vm_serve(ref->h, ref->idx);
}

/* Run vCPU @idx until its guest makes a ucall; return the command. */
static inline uint64_t hpet_vcpu_run(struct hpet_vm *h, int idx, struct ucall *uc)
{
	struct hpet_vcpu_ref ref = { .h = h, .idx = idx };

	return accel_run_to_ucall(h->vcpus[idx], uc, hpet_vcpu_serve_exit, &ref);
}

/* Run vCPU @idx to GUEST_SYNC1(@stage) or GUEST_SYNC2(@stage, value); return value. */
static inline uint64_t hpet_vcpu_sync(struct hpet_vm *h, int idx, uint64_t stage)
{
	struct ucall uc;

	TEST_ASSERT_EQ(hpet_vcpu_run(h, idx, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], stage);
	return uc.args[1];
}

static inline void hpet_vcpu_done(struct hpet_vm *h, int idx)
{
	struct ucall uc;

	TEST_ASSERT_EQ(hpet_vcpu_run(h, idx, &uc), UCALL_DONE);
}

static inline void hpet_vcpu_done_fn(void *h, int idx)
{
	hpet_vcpu_done(h, idx);
}

/* Run vCPUs @first .. nr_vcpus - 1, one thread each, until all are done. */
static inline void hpet_vm_run_all(struct hpet_vm *h, int first)
{
	accel_run_threads(first, h->nr_vcpus, hpet_vcpu_done_fn, h);
}

/* HPET accesses that reached userspace, all vCPUs. */
static inline uint64_t hpet_vm_exits(struct hpet_vm *h)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < h->nr_vcpus; i++)
		n += __atomic_load_n(&h->exits[i], __ATOMIC_RELAXED);
	return n;
}

static inline uint64_t host_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif /* _HPET_TEST_UTIL_H */
