// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * MPIC IPI block: the userspace slow path, which is also the whole device
 * when no fast path is attached.  See mpic_slowpath.h for the API and
 * mpic.h for the registers and the rules shared with mpic.bpf.c; the
 * per-CPU operations (dispatch, CTPR, claims) are the inline functions of
 * mpic_access.h, run here exactly as the fast path runs them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mpic_slowpath.h"
#include "vmm/irq.h"
#include "vmm/vmm.h"

struct mpic {
	struct mpic_regs *regs;
	struct mpic_regs *own_regs;	/* the userspace model's, or NULL */
	__u64 base;
	__u32 nr_eventfds;
	int eventfds[MPIC_MAX_EVENTFDS];
	int (*set_vector)(void *opaque, __u32 ipi, __u32 vector);
	void *opaque;
	/* Serialises IPIVPR and SVR writes (R2) and routed[]. */
	pthread_mutex_t lock;
	/* Vector each IPI's interrupts carry; 0 until first routed. */
	__u32 routed[MPIC_NR_IPIS];
};

static void mpic_regs_reset(struct mpic_regs *r, __u32 nr_cpus, __u32 nr_eventfds)
{
	__u32 i;

	/* R1: nr_cpus 0 makes the fast path decline while this runs. */
	xchg(&r->nr_cpus, 0);
	memset((char *)r + sizeof(r->nr_cpus), 0, sizeof(*r) - sizeof(r->nr_cpus));
	r->nr_eventfds = nr_eventfds;
	r->frr = (nr_cpus - 1) << MPIC_FRR_NCPU_SHIFT | MPIC_FRR_VID;
	r->svr = MPIC_SVR_RESET;
	for (i = 0; i < MPIC_NR_IPIS; i++)
		r->ivpr[i] = MPIC_IVPR_RESET;
	for (i = 0; i < MPIC_MAX_CPUS; i++)
		r->cpu[i].ctpr = MPIC_CTPR_RESET;
	smp_store_release(&r->nr_cpus, nr_cpus);
}

int mpic_create(const struct mpic_config *cfg, struct mpic_regs *regs,
		struct mpic **mp)
{
	struct mpic *m;

	if (!cfg || !mp || !cfg->nr_cpus || cfg->nr_cpus > MPIC_MAX_CPUS ||
	    cfg->base + MPIC_SIZE < cfg->base)
		return -EINVAL;

	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	if (!regs) {
		m->own_regs = calloc(1, sizeof(*m->own_regs));
		if (!m->own_regs) {
			free(m);
			return -ENOMEM;
		}
		regs = m->own_regs;
	}
	m->regs = regs;
	m->base = cfg->base;
	if (cfg->eventfds) {
		m->nr_eventfds = cfg->nr_cpus * MPIC_NR_IPIS;
		memcpy(m->eventfds, cfg->eventfds, m->nr_eventfds * sizeof(int));
	}
	m->set_vector = cfg->set_vector;
	m->opaque = cfg->opaque;
	pthread_mutex_init(&m->lock, NULL);
	mpic_regs_reset(regs, cfg->nr_cpus, m->nr_eventfds);
	*mp = m;
	return 0;
}

struct mpic_regs *mpic_regfile(struct mpic *m)
{
	return m->regs;
}

void mpic_destroy(struct mpic *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m->own_regs);
	free(m);
}

static int mpic_signal_one(struct mpic *m, __u32 idx)
{
	const __u64 one = 1;

	if (idx >= m->nr_eventfds)
		return -ENXIO;
	while (write(m->eventfds[idx], &one, sizeof(one)) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* Signal the eventfds in @claimed (R4); the first error, if any (R7). */
static int mpic_signal(struct mpic *m, __u64 claimed)
{
	int ret = 0, err;
	__u32 idx;

	for (idx = 0; claimed; idx++, claimed >>= 1) {
		if (!(claimed & 1))
			continue;
		err = mpic_signal_one(m, idx);
		if (err) {
			fetch_add(&m->regs->signal_errors, 1);
			ret = ret ?: err;
		}
	}
	return ret;
}

/*
 * IPIVPR @ipi written with @val (R2): route the new vector first, so that
 * whoever sees the new word also gets the new vector, then store it, then
 * deliver what it unblocked (R5).
 */
static int mpic_write_ivpr(struct mpic *m, __u32 ipi, __u32 val)
{
	__u32 vector = val & MPIC_IVPR_VECTOR_MASK;
	int ret = 0;

	pthread_mutex_lock(&m->lock);
	if (m->set_vector && vector >= MPIC_VECTOR_MIN && vector != m->routed[ipi]) {
		ret = m->set_vector(m->opaque, ipi, vector);
		if (!ret)
			m->routed[ipi] = vector;
	}
	if (!ret)
		xchg(&m->regs->ivpr[ipi], (__u64)(val & MPIC_IVPR_WRITABLE));
	pthread_mutex_unlock(&m->lock);
	if (ret)
		return ret;
	return mpic_signal(m, mpic_claim_ipi(m->regs, ipi));
}

static void mpic_write_svr(struct mpic *m, __u32 val)
{
	pthread_mutex_lock(&m->lock);
	WRITE_ONCE(m->regs->svr, val & MPIC_SVR_VECTOR_MASK);
	pthread_mutex_unlock(&m->lock);
}

static int mpic_write(struct mpic *m, __u32 vcpu_id, __u64 off, __u32 len, __u64 val)
{
	__u32 cpu = 0, idx = 0;

	switch (mpic_write_op(m->regs, off, len, vcpu_id, &cpu, &idx)) {
	case MPIC_OP_DISPATCH:
		return mpic_signal(m, mpic_dispatch(m->regs, idx, (__u32)val));
	case MPIC_OP_CTPR:
		return mpic_signal(m, mpic_set_ctpr(m->regs, cpu, val));
	case MPIC_OP_IVPR:
		return mpic_write_ivpr(m, idx, val);
	case MPIC_OP_SVR:
		mpic_write_svr(m, val);
		return 0;
	case MPIC_OP_IGNORE:
		break;
	}
	return 0;
}

/* Reads have no side effects: one that crosses slots is read bytewise. */
static __u64 mpic_read(struct mpic *m, __u32 vcpu_id, __u64 off, __u32 len)
{
	__u64 val = 0;
	__u32 i;

	if (mpic_in_slot(off, len))
		return mpic_read_slot(m->regs, off, len, vcpu_id);
	for (i = 0; i < len; i++)
		val |= (off + i < MPIC_SIZE ?
			mpic_read_slot(m->regs, off + i, 1, vcpu_id) : 0xff) << (8 * i);
	return val;
}

int mpic_mmio(struct mpic *m, __u32 vcpu_id, __u64 addr, __u32 len,
	      bool is_write, void *data)
{
	__u64 off = addr - m->base, val = 0;

	/* KVM splits a page-crossing access into fragments of any length. */
	if (!len || len > sizeof(val) || !data)
		return -EINVAL;
	if (addr < m->base || off >= MPIC_SIZE)
		return -ERANGE;

	if (is_write) {
		memcpy(&val, data, len);
		return mpic_write(m, vcpu_id, off, len, val);
	}
	val = mpic_read(m, vcpu_id, off, len);
	memcpy(data, &val, len);
	return 0;
}

/* ---- on the reference VMM ------------------------------------------------- */

int mpic_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
		bool is_write, void *ptr)
{
	return mpic_mmio(ptr, vcpu->id, addr, len, is_write, data);
}

struct vmm_device *mpic_vmm_register(struct vmm *vmm, struct mpic *m,
				     vmm_access_fn access, void *ptr)
{
	return vmm_register(vmm, "MPIC", KVM_ACCEL_BUS_MMIO, m->base, MPIC_SIZE,
			    access ?: mpic_access, access ? ptr : m);
}

/* ---- KVM interrupt plumbing: vmm/irq.h's MSI irqfds, one per (CPU, IPI) -- */

struct mpic_irq {
	struct vmm_msi_irqfds *msi;
};

int mpic_irq_create(int vm_fd, const __u32 *apic_ids, __u32 nr_cpus,
		    __u32 gsi_base, const struct kvm_irq_routing_entry *routes,
		    __u32 nr_routes, struct mpic_irq **irqp)
{
	__u32 addr[MPIC_MAX_EVENTFDS], n, i;
	struct mpic_irq *irq;
	int ret;

	if (vm_fd < 0 || !apic_ids || !irqp || !nr_cpus || nr_cpus > MPIC_MAX_CPUS)
		return -EINVAL;
	for (n = 0; n < nr_cpus; n++) {
		if (apic_ids[n] > VMM_MSI_DEST_ID_MAX)
			return -ERANGE;
		for (i = 0; i < MPIC_NR_IPIS; i++)
			addr[MPIC_EVENTFD(n, i)] = vmm_msi_addr(apic_ids[n]);
	}
	irq = calloc(1, sizeof(*irq));
	if (!irq)
		return -ENOMEM;
	/* Masked at reset: nothing is signalled with MPIC_SVR_RESET. */
	ret = vmm_msi_irqfds_create(vm_fd, gsi_base, addr, MPIC_SVR_RESET,
				    nr_cpus * MPIC_NR_IPIS, routes, nr_routes,
				    &irq->msi);
	if (ret) {
		free(irq);
		return ret;
	}
	*irqp = irq;
	return 0;
}

const int *mpic_irq_eventfds(const struct mpic_irq *irq, __u32 *nr)
{
	return vmm_msi_irqfds_eventfds(irq->msi, nr);
}

int mpic_irq_set_vector(void *opaque, __u32 ipi, __u32 vector)
{
	struct mpic_irq *irq = opaque;

	if (!irq || ipi >= MPIC_NR_IPIS || vector < MPIC_VECTOR_MIN ||
	    vector > VMM_MSI_DATA_VECTOR_MASK)
		return -EINVAL;
	/* MPIC_EVENTFD(n, ipi) for every CPU n: ipi, then every MPIC_NR_IPIS. */
	return vmm_msi_irqfds_set_data(irq->msi, MPIC_EVENTFD(0, ipi), MPIC_NR_IPIS,
				       vector);
}

void mpic_irq_destroy(struct mpic_irq *irq)
{
	if (irq) {
		vmm_msi_irqfds_destroy(irq->msi);
		free(irq);
	}
}
