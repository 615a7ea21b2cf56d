/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupt plumbing of the reference VMM (vmm.h): eventfds, KVM irqfds,
 * interrupt lines, MSIs, and sets of irqfds each routed to an MSI of its
 * own.  These return 0 or a negative errno and never assert: device slow
 * paths call them, and their callers report the error.
 */
#ifndef _VMM_IRQ_H
#define _VMM_IRQ_H

#include <stdbool.h>
#include <linux/kvm.h>
#include <linux/types.h>

/* An eventfd (EFD_CLOEXEC | @flags), or a negative errno. */
int vmm_eventfd(int flags);

/* Register (@assign) or unregister eventfd @fd as an irqfd on GSI @gsi. */
int vmm_irqfd(int vm_fd, __u32 gsi, int fd, bool assign);

/* Drive interrupt controller input @gsi (an IOAPIC pin) to @level. */
int vmm_irq_line(int vm_fd, __u32 gsi, int level);

/* Inject the message-signalled interrupt (@addr, @data). */
int vmm_signal_msi(int vm_fd, __u64 addr, __u32 data);

/*
 * x86 MSI message: address 0xfee00000 with the destination APIC ID in bits
 * 19:12 (physical destination mode, no redirection hint); data: the vector
 * in bits 7:0, fixed delivery mode, edge triggered.
 */
#define VMM_MSI_ADDR_BASE		0xfee00000u
#define VMM_MSI_ADDR_DEST_ID_SHIFT	12
#define VMM_MSI_DEST_ID_MAX		0xff
#define VMM_MSI_DATA_VECTOR_MASK	0xffu

static inline __u32 vmm_msi_addr(__u32 apic_id)
{
	return VMM_MSI_ADDR_BASE | apic_id << VMM_MSI_ADDR_DEST_ID_SHIFT;
}

struct vmm_msi_irqfds;

/*
 * @nr eventfds, the i-th registered with KVM_IRQFD on GSI @gsi_base + i and
 * routed by KVM_SET_GSI_ROUTING to the MSI (@addr[i], @data).  Signalling
 * one makes KVM deliver its MSI without any exit.
 *
 * KVM_SET_GSI_ROUTING replaces the VM's whole routing table: @routes
 * (@nr_routes entries, may be NULL) are the VM's other routes, kept in
 * every table this code installs and restored by vmm_msi_irqfds_destroy().
 *
 * -EINVAL: bad arguments; -ERANGE: GSIs that wrap; -EEXIST: one of @routes
 * uses one of the GSIs; -ENOMEM; or the error of eventfd(),
 * KVM_SET_GSI_ROUTING or KVM_IRQFD, in which case the routing table is back
 * to @routes and nothing is left registered.
 */
int vmm_msi_irqfds_create(int vm_fd, __u32 gsi_base, const __u32 *addr, __u32 data,
			  __u32 nr, const struct kvm_irq_routing_entry *routes,
			  __u32 nr_routes, struct vmm_msi_irqfds **p);

/* The eventfds, in GSI order; *@nr (if not NULL) how many. */
const int *vmm_msi_irqfds_eventfds(const struct vmm_msi_irqfds *m, __u32 *nr);

/* The MSI data of route @idx as last installed. */
__u32 vmm_msi_irqfds_data(const struct vmm_msi_irqfds *m, __u32 idx);

/*
 * Give the routes whose index i has (i % @stride) == @first the MSI data
 * @data, in one KVM_SET_GSI_ROUTING.  On failure KVM's table and ours are
 * unchanged.  -EINVAL: bad @first or @stride.
 */
int vmm_msi_irqfds_set_data(struct vmm_msi_irqfds *m, __u32 first, __u32 stride,
			    __u32 data);

/*
 * Unregister the irqfds, close the eventfds, put the routing table back to
 * the VMM's own routes and free @m.  Safe on NULL.
 */
void vmm_msi_irqfds_destroy(struct vmm_msi_irqfds *m);

#endif /* _VMM_IRQ_H */
