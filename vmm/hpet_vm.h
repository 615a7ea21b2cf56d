/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HPET on the reference VMM, as the HPET tests, demo and benchmarks
 * run it: guest accessors for the HPET, and a VM of several vCPUs that
 * runs the device (devices/hpet) with its fast path attached or as the
 * userspace model alone, and counts every HPET access that reaches
 * userspace.
 */
#ifndef _VMM_HPET_VM_H
#define _VMM_HPET_VM_H

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "apic.h"
#include "hpet/hpet_slowpath.h"
#include "guest.h"
#include "irq.h"
#include "vmm.h"

#define HPET_VM_MAX_VCPUS	8

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
	struct vmm vmm;			/* the HPET */
};

#define HPET_OBJ	"bpf/devices/hpet/hpet.bpf.o"

static inline const char *hpet_obj_path(void)
{
	return accel_build_path(HPET_OBJ);
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
		h->kick_fd = vmm_eventfd(0);
		TEST_ASSERT(h->kick_fd >= 0, "eventfd: %s", strerror(-h->kick_fd));
		KVM_ACCEL_ATTACH_OPTS(opts, .eventfds = &h->kick_fd,
				      .nr_eventfds = 1);
		h->accel_dev = accel_attach_obj(h->vm, HPET_OBJ, &opts,
						(void **)&h->regs, sizeof(*h->regs));
		h->link_id = accel_link_id(h->accel_dev);
	} else {
		h->regs = &h->model;
	}

	if (!ops) {
		ops = &hpet_kvm_irq_ops;
		opaque = (void *)(long)h->vm->fd;
	}
	ret = hpet_dev_create(h->regs, h->kick_fd, ops, opaque, &h->dev);
	TEST_ASSERT(!ret, "hpet_dev_create: %s", strerror(-ret));
	hpet_vmm_register(&h->vmm, h->dev);
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

/* Run vCPU @idx until its guest makes a ucall; return the command. */
static inline uint64_t hpet_vcpu_run(struct hpet_vm *h, int idx, struct ucall *uc)
{
	return vmm_run(&h->vmm, h->vcpus[idx], uc);
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
	vmm_run_threads(first, h->nr_vcpus, hpet_vcpu_done_fn, h);
}

/* HPET accesses that reached userspace, all vCPUs. */
static inline uint64_t hpet_vm_exits(struct hpet_vm *h)
{
	return vmm_device_exits(&h->vmm.devices[0]);
}

#endif /* _VMM_HPET_VM_H */
