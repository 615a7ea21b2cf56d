/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * MPIC IPI block, userspace half: what a VMM links to run the device.
 *
 * Two parts, both plain C with no dependency on kvm-accel itself:
 *
 *  - the device (struct mpic): answers every access that exits to the VMM
 *    and performs what only the VMM can (IPIVPR and SVR writes).  Given no
 *    register file it allocates its own and is the whole device, the
 *    "userspace model alone" for a VM without the fast path;
 *  - the interrupt plumbing (struct mpic_irq): one eventfd per (CPU, IPI),
 *    registered with KVM as an irqfd on a GSI routed to an MSI for that
 *    CPU's APIC ID with the IPI's vector, and re-routed when the vector
 *    changes.
 *
 * A VMM with the fast path:
 *
 *	mpic_irq_create(vm_fd, apic_ids, nr_cpus, gsi_base, my_routes, n, &irq);
 *	efds = mpic_irq_eventfds(irq, &nr_efds);
 *	kvm_accel_attach("mpic.bpf.o", vm_fd, &opts (.eventfds = efds,
 *			 .nr_eventfds = nr_efds, .base = base), &dev);
 *	regs = kvm_accel_regfile(dev, ".bss", &size);
 *	mpic_create(&(struct mpic_config){ .base = base, .nr_cpus = nr_cpus,
 *		    .eventfds = efds, .set_vector = mpic_irq_set_vector,
 *		    .opaque = irq }, regs, &mpic);
 *	... on KVM_EXIT_MMIO inside [base, base + MPIC_SIZE):
 *	mpic_mmio(mpic, vcpu_id, run->mmio.phys_addr, run->mmio.len,
 *		  run->mmio.is_write, run->mmio.data);
 *
 * Without it, the same calls minus the attach, and regs == NULL.
 *
 * Functions return 0 or a negative errno and never print or exit.
 * mpic_mmio() may be called from any number of threads at once (one per
 * vCPU); the other functions are for setup and teardown, with no vCPU
 * running.
 */
#ifndef _DEVICES_MPIC_SLOWPATH_H
#define _DEVICES_MPIC_SLOWPATH_H

#include <stdbool.h>
#include <linux/kvm.h>
#include <linux/types.h>

#include "mpic_access.h"

#ifdef __cplusplus
extern "C" {
#endif

struct mpic;

struct mpic_config {
	__u64 base;		/* guest physical address of the window */
	__u32 nr_cpus;		/* 1..MPIC_MAX_CPUS: CPU n is KVM vCPU id n */
	/*
	 * nr_cpus * MPIC_NR_IPIS eventfds, entry MPIC_EVENTFD(cpu, ipi) for
	 * IPI ipi on CPU cpu: the table the fast path was attached with.  The
	 * descriptors are borrowed, not closed.  NULL: no IPI can be
	 * delivered, every claim counts as a signal error.
	 */
	const int *eventfds;
	/*
	 * Called before an IPIVPR write gives IPI @ipi the (valid) vector
	 * @vector, with the device's lock held: make the IPI's interrupts
	 * carry that vector from now on.  Returns 0 or a negative errno, which
	 * fails the guest's write without changing the register.  NULL: the
	 * vector needs no routing.  mpic_irq_set_vector() with an mpic_irq as
	 * @opaque is the KVM MSI implementation.
	 */
	int (*set_vector)(void *opaque, __u32 ipi, __u32 vector);
	void *opaque;
};

/*
 * Create the device and bring @regs to its reset state: every IPI masked
 * with vector and priority 0, every CTPR 15, SVR 0xff, no IPI pending,
 * statistics zero.  @regs is the fast path's mapped register file, or NULL
 * to run the userspace model alone on a register file of its own.  No vCPU
 * may run during the call; calling it again on the same @regs (after
 * mpic_destroy()) is how a VMM resets the device.
 *
 * -EINVAL: no config, nr_cpus 0 or above MPIC_MAX_CPUS, or a window that
 * wraps around; -ENOMEM.
 */
int mpic_create(const struct mpic_config *cfg, struct mpic_regs *regs,
		struct mpic **mp);

/* The register file the device runs on (its own, or the one given). */
struct mpic_regs *mpic_regfile(struct mpic *m);

/*
 * Perform one guest access that exited to the VMM: @len (1 to 8: KVM
 * splits an access that crosses a page into fragments of any length) bytes
 * at guest physical address @addr by vCPU @vcpu_id, @data holding the value
 * written or receiving the value read (little endian, as in struct
 * kvm_run's mmio.data).  Bytes of a read beyond the window read 0xff.
 *
 * -EINVAL: bad @len or NULL @data; -ERANGE: @addr outside the window;
 * both change nothing.  A negative errno from set_vector: the IPIVPR write
 * was not performed.  After a write that delivered IPIs, the first error of
 * signalling an eventfd (-ENXIO for a missing one): the write itself took
 * effect and the failed deliveries are counted in signal_errors.
 */
int mpic_mmio(struct mpic *m, __u32 vcpu_id, __u64 addr, __u32 len,
	      bool is_write, void *data);

/* Free the device.  A register file it was given stays as it is. */
void mpic_destroy(struct mpic *m);

/* ---- on the reference VMM (vmm/vmm.h) ------------------------------------ */

struct kvm_vcpu;
struct vmm;
struct vmm_device;

/* The vmm_access_fn of the device, @ptr the struct mpic: mpic_mmio(). */
int mpic_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
		bool is_write, void *ptr);

/*
 * Register the device's window with @vmm, served by mpic_access(), or by
 * @access(..., @ptr) if not NULL: a VMM's wrapper that calls mpic_access().
 */
struct vmm_device *mpic_vmm_register(struct vmm *vmm, struct mpic *m,
				     int (*access)(struct kvm_vcpu *vcpu, __u64 addr,
						   void *data, __u32 len,
						   bool is_write, void *ptr),
				     void *ptr);

/* ---- KVM interrupt plumbing: vmm/irq.h ----------------------------------- */

struct mpic_irq;

/*
 * For each CPU n < @nr_cpus (APIC ID @apic_ids[n], at most 255) and IPI i:
 * an eventfd, registered with KVM_IRQFD on GSI @gsi_base + MPIC_EVENTFD(n,
 * i), routed by KVM_SET_GSI_ROUTING to a fixed, edge, physical-destination
 * MSI for that APIC ID.  Until mpic_irq_set_vector() gives an IPI its
 * vector, its routes carry MPIC_SVR_RESET (IPIs are masked at reset, so
 * nothing is signalled with it).
 *
 * KVM_SET_GSI_ROUTING replaces the VM's whole routing table: @routes
 * (@nr_routes entries, may be NULL) are the VM's other routes, kept in
 * every table this code installs and restored by mpic_irq_destroy().
 *
 * -EINVAL: bad @vm_fd, @nr_cpus or arguments; -ERANGE: an APIC ID above
 * 255, or GSIs that wrap; -EEXIST: one of @routes uses one of the GSIs;
 * -ENOMEM; or the error of eventfd(), KVM_SET_GSI_ROUTING or KVM_IRQFD,
 * in which case the routing table is back to @routes and nothing is left
 * registered.
 */
int mpic_irq_create(int vm_fd, const __u32 *apic_ids, __u32 nr_cpus,
		    __u32 gsi_base, const struct kvm_irq_routing_entry *routes,
		    __u32 nr_routes, struct mpic_irq **irqp);

/* The eventfd table, MPIC_EVENTFD() order; *@nr (if not NULL) its length. */
const int *mpic_irq_eventfds(const struct mpic_irq *irq, __u32 *nr);

/*
 * Route IPI @ipi's MSIs with @vector (MPIC_VECTOR_MIN..255): the
 * mpic_config.set_vector hook, @opaque being the struct mpic_irq.  On
 * failure KVM's table is unchanged.  -EINVAL: bad @ipi or @vector.
 */
int mpic_irq_set_vector(void *opaque, __u32 ipi, __u32 vector);

/*
 * Unregister the irqfds, close the eventfds, put the routing table back to
 * the VMM's own routes and free @irq.  Safe on NULL.
 */
void mpic_irq_destroy(struct mpic_irq *irq);

#ifdef __cplusplus
}
#endif

#endif /* _DEVICES_MPIC_SLOWPATH_H */
