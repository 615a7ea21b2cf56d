/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The HPET's userspace half, for any VMM to link.
 *
 * It is a complete HPET on its own (the "userspace model"), operating on a
 * struct hpet_regs the caller provides.  With kvm-accel, that structure is
 * the fast path's register file (kvm_accel_regfile(dev, ".bss", ...)) and
 * this code only sees the accesses the fast path declines; without it, any
 * memory will do and every access comes here.  Either way the guest sees
 * the same device.
 *
 *	struct hpet_dev *hpet;
 *	int kick = eventfd(0, EFD_CLOEXEC);
 *
 *	// with kvm-accel: attach hpet.bpf.o with eventfds[HPET_EVENTFD_KICK]
 *	// = kick, regs = kvm_accel_regfile(accel, ".bss", NULL); without it,
 *	// kick = -1 and regs = any struct hpet_regs.
 *	err = hpet_dev_create(regs, kick, &hpet_kvm_irq_ops,
 *			      (void *)(long)vm_fd, &hpet);
 *	err = hpet_dev_start(hpet);		// timer thread
 *	...
 *	// on KVM_EXIT_MMIO inside [HPET_MMIO_BASE, + HPET_MMIO_LEN):
 *	err = hpet_dev_mmio(hpet, addr - HPET_MMIO_BASE, len, is_write, data);
 *	...
 *	hpet_dev_destroy(hpet);
 *
 * Timers run on the host's CLOCK_MONOTONIC: a timerfd armed for the
 * earliest deadline, serviced either by the device's own thread
 * (hpet_dev_start()) or by the VMM's event loop (poll hpet_dev_event_fd()
 * for reading, then call hpet_dev_service()).  Interrupts go out through
 * the caller's struct hpet_irq_ops.
 *
 * Functions return 0 or a negative errno and never print or exit.  Every
 * function may be called from any thread, concurrently with the fast path
 * on any number of vCPUs (hpet.h states the rules this code keeps).
 */
#ifndef _DEVICES_HPET_SLOWPATH_H
#define _DEVICES_HPET_SLOWPATH_H

#include <stdbool.h>
#include <linux/types.h>

#include "hpet_access.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the device raises interrupts; called with the device's lock held. */
struct hpet_irq_ops {
	/* Drive interrupt controller input @gsi (an IOAPIC pin) to @level. */
	int (*set_irq)(void *opaque, __u32 gsi, int level);
	/*
	 * Deliver a message-signalled (FSB) interrupt.  NULL: the timers do
	 * not offer FSB delivery (Tn_FSB_INT_DEL_CAP clear).
	 */
	int (*send_msi)(void *opaque, __u64 addr, __u32 data);
};

/*
 * KVM with an in-kernel irqchip: KVM_IRQ_LINE and KVM_SIGNAL_MSI on the VM
 * fd, which is passed as the opaque pointer, (void *)(long)vm_fd.
 */
extern const struct hpet_irq_ops hpet_kvm_irq_ops;

struct hpet_dev;

struct hpet_stats {
	__u64 reads;		/* accesses handled here */
	__u64 writes;
	__u64 ignored;		/* writes without effect: narrow, misaligned, read-only */
	__u64 kicks;		/* fast path kicks received */
	__u64 fires;		/* timer expiries, all timers */
	__u64 irq_errors;	/* set_irq / send_msi failures */
};

/*
 * Create a device on @regs, which it resets to the power-on state: call
 * before the guest runs.  @kick_fd is the eventfd the fast path signals
 * when it starts or stops the counter (the attachment's eventfd
 * HPET_EVENTFD_KICK), or -1 without a fast path; the device reads it but
 * does not own it.  @regs and @kick_fd must outlive the device.
 * -EINVAL on a NULL argument or an @ops without set_irq, -EBADF if
 * @kick_fd is not a pollable descriptor, else errors of timerfd, eventfd
 * and epoll creation.
 */
int hpet_dev_create(struct hpet_regs *regs, int kick_fd,
		    const struct hpet_irq_ops *ops, void *opaque,
		    struct hpet_dev **devp);

/*
 * Start the device's timer thread.  -EALREADY if it runs already; errors
 * of pthread_create().
 */
int hpet_dev_start(struct hpet_dev *dev);

/*
 * Stop the thread if any, lower every line the device holds, free it.
 * No other call on @dev may be in progress or follow.  NULL is fine.
 */
void hpet_dev_destroy(struct hpet_dev *dev);

/*
 * For VMMs with their own event loop, instead of hpet_dev_start(): this
 * fd becomes readable when hpet_dev_service() has work.  Owned by the device.
 */
int hpet_dev_event_fd(const struct hpet_dev *dev);
int hpet_dev_service(struct hpet_dev *dev);

/*
 * One guest access at byte @offset of the device: @len is 1 to 8 (the
 * guest's 1, 2, 4 or 8, or a fragment of any length when KVM splits an
 * access that crosses the page the device starts on; a fragment follows
 * the same rules: reads return the bytes they cover, writes that are not
 * aligned 32- or 64-bit ones are ignored), @data the @len bytes written, or
 * where to store the @len bytes read, little endian (struct kvm_run's
 * mmio.data).  -EINVAL if the access does not lie inside the device or
 * @len is not one of those, with nothing changed and @data untouched.
 */
int hpet_dev_mmio(struct hpet_dev *dev, __u64 offset, __u32 len, bool is_write,
		  void *data);

/* The main counter as a guest read would return it now. */
__u64 hpet_dev_counter(struct hpet_dev *dev);

void hpet_dev_stats(struct hpet_dev *dev, struct hpet_stats *stats);

/* ---- on the reference VMM (vmm/vmm.h) ------------------------------------ */

struct kvm_vcpu;
struct vmm;
struct vmm_device;

/* The vmm_access_fn of the device, @ptr the struct hpet_dev. */
int hpet_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
		    bool is_write, void *ptr);

/* Register the device's window (HPET_MMIO_BASE) with @vmm. */
struct vmm_device *hpet_vmm_register(struct vmm *vmm, struct hpet_dev *dev);

#ifdef __cplusplus
}
#endif

#endif /* _DEVICES_HPET_SLOWPATH_H */
