// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * MPIC IPI block: how its interrupts reach KVM.  One eventfd per (CPU,
 * IPI), each a KVM irqfd on its own GSI, each GSI routed to an x86 MSI for
 * the CPU's APIC ID carrying the IPI's vector.  Signalling the eventfd, from
 * the fast path's kfunc or from the slow path's write(), makes KVM set the
 * vector in that vCPU's local APIC without any exit.  See mpic_slowpath.h.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "mpic_slowpath.h"

/*
 * x86 MSI message: address 0xfee00000 with the destination APIC ID in bits
 * 19:12 (physical destination mode, no redirection hint); data: the vector
 * in bits 7:0, fixed delivery mode, edge triggered.
 */
#define MSI_ADDR_BASE		0xfee00000u
#define MSI_ADDR_DEST_ID_SHIFT	12
#define MSI_DEST_ID_MAX		0xff
#define MSI_DATA_VECTOR_MASK	0xffu

struct mpic_irq {
	int vm_fd;
	__u32 gsi_base;
	__u32 nr_cpus;
	__u32 nr_routes;	/* the VMM's, at the start of table */
	__u32 nr_eventfds;	/* created so far */
	__u32 nr_irqfds;	/* registered so far */
	bool installed;		/* table is KVM's current routing */
	int eventfds[MPIC_MAX_EVENTFDS];
	/* The VMM's routes, then ours in MPIC_EVENTFD() order. */
	struct kvm_irq_routing *table;
};

static struct kvm_irq_routing_entry *mpic_irq_route(struct mpic_irq *irq, __u32 idx)
{
	return &irq->table->entries[irq->nr_routes + idx];
}

/* Make the first @nr entries of the table KVM's whole routing table. */
static int mpic_irq_install(struct mpic_irq *irq, __u32 nr)
{
	irq->table->nr = nr;
	irq->table->flags = 0;
	return ioctl(irq->vm_fd, KVM_SET_GSI_ROUTING, irq->table) ? -errno : 0;
}

static int mpic_irqfd(struct mpic_irq *irq, __u32 idx, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = irq->eventfds[idx],
		.gsi = irq->gsi_base + idx,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(irq->vm_fd, KVM_IRQFD, &irqfd) ? -errno : 0;
}

/* Undo whatever was set up, in reverse, and free. */
static void mpic_irq_release(struct mpic_irq *irq)
{
	__u32 i;

	for (i = 0; i < irq->nr_irqfds; i++)
		mpic_irqfd(irq, i, false);
	if (irq->installed)
		mpic_irq_install(irq, irq->nr_routes);
	for (i = 0; i < irq->nr_eventfds; i++)
		close(irq->eventfds[i]);
	free(irq->table);
	free(irq);
}

int mpic_irq_create(int vm_fd, const __u32 *apic_ids, __u32 nr_cpus,
		    __u32 gsi_base, const struct kvm_irq_routing_entry *routes,
		    __u32 nr_routes, struct mpic_irq **irqp)
{
	const __u32 nr_ours = nr_cpus * MPIC_NR_IPIS;
	struct kvm_irq_routing_entry *e;
	struct mpic_irq *irq;
	__u32 i, n;
	int fd, ret;

	if (vm_fd < 0 || !apic_ids || !irqp || !nr_cpus || nr_cpus > MPIC_MAX_CPUS ||
	    (nr_routes && !routes) || nr_routes > UINT32_MAX - nr_ours)
		return -EINVAL;
	if (gsi_base + nr_ours < gsi_base)
		return -ERANGE;
	for (n = 0; n < nr_cpus; n++)
		if (apic_ids[n] > MSI_DEST_ID_MAX)
			return -ERANGE;
	for (i = 0; i < nr_routes; i++)
		if (routes[i].gsi >= gsi_base && routes[i].gsi - gsi_base < nr_ours)
			return -EEXIST;

	irq = calloc(1, sizeof(*irq));
	if (!irq)
		return -ENOMEM;
	irq->table = calloc(1, sizeof(*irq->table) +
			       (size_t)(nr_routes + nr_ours) * sizeof(*e));
	if (!irq->table) {
		free(irq);
		return -ENOMEM;
	}
	irq->vm_fd = vm_fd;
	irq->gsi_base = gsi_base;
	irq->nr_cpus = nr_cpus;
	irq->nr_routes = nr_routes;
	if (nr_routes)
		memcpy(irq->table->entries, routes, nr_routes * sizeof(*e));
	for (n = 0; n < nr_cpus; n++) {
		for (i = 0; i < MPIC_NR_IPIS; i++) {
			e = mpic_irq_route(irq, MPIC_EVENTFD(n, i));
			e->gsi = gsi_base + MPIC_EVENTFD(n, i);
			e->type = KVM_IRQ_ROUTING_MSI;
			e->u.msi.address_lo = MSI_ADDR_BASE |
					      apic_ids[n] << MSI_ADDR_DEST_ID_SHIFT;
			e->u.msi.data = MPIC_SVR_RESET;
		}
	}

	for (i = 0; i < nr_ours; i++) {
		fd = eventfd(0, EFD_CLOEXEC);
		if (fd < 0) {
			ret = -errno;
			goto err;
		}
		irq->eventfds[irq->nr_eventfds++] = fd;
	}
	ret = mpic_irq_install(irq, nr_routes + nr_ours);
	if (ret)
		goto err;
	irq->installed = true;
	for (i = 0; i < nr_ours; i++) {
		ret = mpic_irqfd(irq, i, true);
		if (ret)
			goto err;
		irq->nr_irqfds++;
	}
	*irqp = irq;
	return 0;
err:
	mpic_irq_release(irq);
	return ret;
}

const int *mpic_irq_eventfds(const struct mpic_irq *irq, __u32 *nr)
{
	if (nr)
		*nr = irq->nr_eventfds;
	return irq->eventfds;
}

int mpic_irq_set_vector(void *opaque, __u32 ipi, __u32 vector)
{
	struct mpic_irq *irq = opaque;
	__u32 n, old;
	int ret;

	if (!irq || ipi >= MPIC_NR_IPIS || vector < MPIC_VECTOR_MIN ||
	    vector > MSI_DATA_VECTOR_MASK)
		return -EINVAL;
	old = mpic_irq_route(irq, MPIC_EVENTFD(0, ipi))->u.msi.data;
	for (n = 0; n < irq->nr_cpus; n++)
		mpic_irq_route(irq, MPIC_EVENTFD(n, ipi))->u.msi.data = vector;
	ret = mpic_irq_install(irq, irq->nr_routes + irq->nr_cpus * MPIC_NR_IPIS);
	if (ret)
		for (n = 0; n < irq->nr_cpus; n++)
			mpic_irq_route(irq, MPIC_EVENTFD(n, ipi))->u.msi.data = old;
	return ret;
}

void mpic_irq_destroy(struct mpic_irq *irq)
{
	if (irq)
		mpic_irq_release(irq);
}
