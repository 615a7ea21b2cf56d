// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt plumbing of the reference VMM (irq.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "irq.h"

int vmm_eventfd(int flags)
{
	int fd = eventfd(0, EFD_CLOEXEC | flags);

	return fd < 0 ? -errno : fd;
}

int vmm_irqfd(int vm_fd, __u32 gsi, int fd, bool assign)
{
	struct kvm_irqfd irqfd = {
		.fd = fd,
		.gsi = gsi,
		.flags = assign ? 0 : KVM_IRQFD_FLAG_DEASSIGN,
	};

	return ioctl(vm_fd, KVM_IRQFD, &irqfd) ? -errno : 0;
}

int vmm_irq_line(int vm_fd, __u32 gsi, int level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	return ioctl(vm_fd, KVM_IRQ_LINE, &irq) < 0 ? -errno : 0;
}

int vmm_signal_msi(int vm_fd, __u64 addr, __u32 data)
{
	struct kvm_msi msi = {
		.address_lo = (__u32)addr,
		.address_hi = (__u32)(addr >> 32),
		.data = data,
	};

	return ioctl(vm_fd, KVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0;
}

struct vmm_msi_irqfds {
	int vm_fd;
	__u32 gsi_base;
	__u32 nr;
	__u32 nr_routes;	/* the VMM's, at the start of table */
	__u32 nr_eventfds;	/* created so far */
	__u32 nr_irqfds;	/* registered so far */
	bool installed;		/* table is KVM's current routing */
	int *eventfds;
	/* The VMM's routes, then ours in GSI order. */
	struct kvm_irq_routing *table;
};

static struct kvm_irq_routing_entry *vmm_msi_route(const struct vmm_msi_irqfds *m,
						   __u32 idx)
{
	return &m->table->entries[m->nr_routes + idx];
}

/* Make the first @nr entries of the table KVM's whole routing table. */
static int vmm_msi_install(struct vmm_msi_irqfds *m, __u32 nr)
{
	m->table->nr = nr;
	m->table->flags = 0;
	return ioctl(m->vm_fd, KVM_SET_GSI_ROUTING, m->table) ? -errno : 0;
}

/* Undo whatever was set up, in reverse, and free. */
static void vmm_msi_release(struct vmm_msi_irqfds *m)
{
	__u32 i;

	for (i = 0; i < m->nr_irqfds; i++)
		vmm_irqfd(m->vm_fd, m->gsi_base + i, m->eventfds[i], false);
	if (m->installed)
		vmm_msi_install(m, m->nr_routes);
	for (i = 0; i < m->nr_eventfds; i++)
		close(m->eventfds[i]);
	free(m->eventfds);
	free(m->table);
	free(m);
}

int vmm_msi_irqfds_create(int vm_fd, __u32 gsi_base, const __u32 *addr, __u32 data,
			  __u32 nr, const struct kvm_irq_routing_entry *routes,
			  __u32 nr_routes, struct vmm_msi_irqfds **p)
{
	struct kvm_irq_routing_entry *e;
	struct vmm_msi_irqfds *m;
	int fd, ret;
	__u32 i;

	if (vm_fd < 0 || !addr || !p || !nr || (nr_routes && !routes) ||
	    nr_routes > UINT32_MAX / 2 || nr > UINT32_MAX / 2)
		return -EINVAL;
	if (gsi_base + nr < gsi_base)
		return -ERANGE;
	for (i = 0; i < nr_routes; i++)
		if (routes[i].gsi >= gsi_base && routes[i].gsi - gsi_base < nr)
			return -EEXIST;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->table = calloc(1, sizeof(*m->table) + (size_t)(nr_routes + nr) * sizeof(*e));
	m->eventfds = calloc(nr, sizeof(*m->eventfds));
	if (!m->table || !m->eventfds) {
		free(m->table);
		free(m->eventfds);
		free(m);
		return -ENOMEM;
	}
	m->vm_fd = vm_fd;
	m->gsi_base = gsi_base;
	m->nr = nr;
	m->nr_routes = nr_routes;
	if (nr_routes)
		memcpy(m->table->entries, routes, nr_routes * sizeof(*e));
	for (i = 0; i < nr; i++) {
		e = vmm_msi_route(m, i);
		e->gsi = gsi_base + i;
		e->type = KVM_IRQ_ROUTING_MSI;
		e->u.msi.address_lo = addr[i];
		e->u.msi.data = data;
	}

	for (i = 0; i < nr; i++) {
		fd = vmm_eventfd(0);
		if (fd < 0) {
			ret = fd;
			goto err;
		}
		m->eventfds[m->nr_eventfds++] = fd;
	}
	ret = vmm_msi_install(m, nr_routes + nr);
	if (ret)
		goto err;
	m->installed = true;
	for (i = 0; i < nr; i++) {
		ret = vmm_irqfd(vm_fd, gsi_base + i, m->eventfds[i], true);
		if (ret)
			goto err;
		m->nr_irqfds++;
	}
	*p = m;
	return 0;
err:
	vmm_msi_release(m);
	return ret;
}

const int *vmm_msi_irqfds_eventfds(const struct vmm_msi_irqfds *m, __u32 *nr)
{
	if (nr)
		*nr = m->nr_eventfds;
	return m->eventfds;
}

__u32 vmm_msi_irqfds_data(const struct vmm_msi_irqfds *m, __u32 idx)
{
	return vmm_msi_route(m, idx)->u.msi.data;
}

int vmm_msi_irqfds_set_data(struct vmm_msi_irqfds *m, __u32 first, __u32 stride,
			    __u32 data)
{
	__u32 i, old;
	int ret;

	if (!m || !stride || first >= stride || first >= m->nr)
		return -EINVAL;
	old = vmm_msi_route(m, first)->u.msi.data;
	for (i = first; i < m->nr; i += stride)
		vmm_msi_route(m, i)->u.msi.data = data;
	ret = vmm_msi_install(m, m->nr_routes + m->nr);
	if (ret)
		for (i = first; i < m->nr; i += stride)
			vmm_msi_route(m, i)->u.msi.data = old;
	return ret;
}

void vmm_msi_irqfds_destroy(struct vmm_msi_irqfds *m)
{
	if (m)
		vmm_msi_release(m);
}
