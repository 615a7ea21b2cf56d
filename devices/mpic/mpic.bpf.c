// SPDX-License-Identifier: GPL-2.0
/*
 * MPIC (OpenPIC / Freescale MPIC-style) IPI block: the fast path.
 *
 * What an SMP guest does with an MPIC many times a second is send IPIs
 * (IPIDR0-3 writes), raise and lower its task priority (CTPR) and ask which
 * CPU it is (WHOAMI).  Each of those would cost a round trip to the VMM;
 * here they complete in the kernel.  A dispatch raises the IPI on every
 * CPU of the mask by signalling that CPU's eventfd for the IPI, an irqfd
 * KVM routes as an MSI to the CPU's local APIC, so the interrupt reaches
 * the target without any exit.  IPIs that are masked (IPIVPR.MSK), have no
 * usable vector, or whose priority does not exceed the target's CTPR are
 * held pending instead, and the CTPR write that unblocks one delivers it
 * from here too.  All reads are answered here: per-CPU registers through
 * the current-CPU view or a CPU's private view, FRR, IPIVPR0-3 (with the A
 * bit computed from the pending IPIs) and SVR; reserved space reads zero.
 * Writes that change nothing (read-only, reserved, EOI, narrow or
 * misaligned) are completed here as well.
 *
 * What exits to the VMM: IPIVPR and SVR writes, because a new vector means
 * re-programming KVM's MSI routes, which only the VMM can do
 * (mpic_slowpath.c does it, then delivers whatever the write unblocked);
 * reads that cross a 16-byte register slot (rare, and never the spec's
 * access pattern); any access before the VMM initialised the register
 * file; and writes while the VMM has not given the device its full table
 * of eventfds.  (The odd-sized fragments KVM makes of an access that
 * crosses a page exit before reaching the program: the module only passes
 * widths of 1, 2, 4 and 8 bytes.)
 *
 * The register layout and the rules the two halves share, including the
 * atomics that keep them consistent while several vCPUs run, are in
 * mpic.h, and the code both halves run is mpic_access.h; this file only
 * decodes the access and signals what the shared code claimed.
 */
#include "kvm_accel.h"
#include "mpic_access.h"

char LICENSE[] SEC("license") = "GPL";

/* The register file: the only variable in .bss, mapped by the VMM. */
struct mpic_regs regfile;

/* Signal the eventfd of every (CPU, IPI) pair in @claimed (R4, R7). */
static __always_inline void mpic_signal(struct kvm_accel_ctx *acc, __u64 claimed)
{
	__u32 idx;

	for (idx = 0; idx < MPIC_MAX_EVENTFDS && claimed; idx++, claimed >>= 1)
		if ((claimed & 1) && kvm_accel_signal_eventfd(acc, idx))
			fetch_add(&regfile.signal_errors, 1);
}

SEC("struct_ops/mpic_read")
int BPF_PROG(mpic_read, struct kvm_accel_ctx *acc)
{
	if (!smp_load_acquire(&regfile.nr_cpus) || !mpic_in_slot(acc->offset, acc->len))
		return KVM_ACCEL_EXIT;
	acc->result = mpic_read_slot(&regfile, acc->offset, acc->len, acc->vcpu_id);
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/mpic_write")
int BPF_PROG(mpic_write, struct kvm_accel_ctx *acc)
{
	__u32 cpu = 0, idx = 0;
	__u64 claimed;

	if (!smp_load_acquire(&regfile.nr_cpus))
		return KVM_ACCEL_EXIT;
	switch (mpic_write_op(&regfile, acc->offset, acc->len, acc->vcpu_id,
			      &cpu, &idx)) {
	case MPIC_OP_IGNORE:
		return KVM_ACCEL_HANDLED;
	case MPIC_OP_DISPATCH:
		if (!mpic_can_signal(&regfile))
			return KVM_ACCEL_EXIT;
		claimed = mpic_dispatch(&regfile, idx, (__u32)acc->data);
		break;
	case MPIC_OP_CTPR:
		if (!mpic_can_signal(&regfile))
			return KVM_ACCEL_EXIT;
		claimed = mpic_set_ctpr(&regfile, cpu, acc->data);
		break;
	default:
		return KVM_ACCEL_EXIT;	/* IPIVPR, SVR: re-routing is the VMM's */
	}
	mpic_signal(acc, claimed);
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(mpic, KVM_ACCEL_BUS_MMIO, MPIC_DEFAULT_BASE, MPIC_SIZE,
	  .read = (void *)mpic_read,
	  .write = (void *)mpic_write);
