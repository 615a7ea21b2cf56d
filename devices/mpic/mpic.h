/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * MPIC (OpenPIC / Freescale MPIC-style) inter-processor interrupt block:
 * the register layout, the register file shared by the fast path
 * (mpic.bpf.c) and the slow path (mpic_slowpath.c), and the rules both
 * follow.  Usable from BPF programs and from userspace C.
 *
 * What is implemented
 * -------------------
 * Only the IPI part of an MPIC, as QEMU's hw/intc/openpic.c lays it out,
 * in a 0x40000-byte MMIO window (default base 0xe0000000):
 *
 *   0x00000 + reg          per-CPU registers of the accessing CPU
 *   0x20000 + n*0x1000 + reg  per-CPU registers of CPU n (n < 32)
 *     reg 0x40/50/60/70    IPIDR0-3  IPI dispatch, write-only: a write
 *                                    raises IPI i on every CPU in its mask
 *     reg 0x80             CTPR      current task priority, bits 3:0
 *     reg 0x90             WHOAMI    the CPU's number, read-only
 *     reg 0xa0             IACK      interrupt acknowledge, read-only
 *     reg 0xb0             EOI       end of interrupt, write-only
 *   0x01000                FRR       feature reporting, read-only
 *   0x010a0/b0/c0/d0       IPIVPR0-3 IPI vector/priority
 *   0x010e0                SVR       spurious vector
 *
 * There are no external, internal, timer or MSI sources, no GCR/PIR/VIR/
 * BRR1 and no IDR: an IPI's destinations come from the dispatch mask.
 * Everything else in the window is reserved: it reads as zero and ignores
 * writes.
 *
 * Delivery goes through the x86 local APIC.  Every (CPU n, IPI i) pair has
 * an eventfd, index MPIC_EVENTFD(n, i), that the VMM registers with KVM as
 * an irqfd whose GSI is routed to an MSI for CPU n's APIC ID with IPI i's
 * vector (mpic_irq_create() in mpic_slowpath.c does that, on the
 * reference VMM's MSI irqfds, vmm/irq.h).  Signalling the
 * eventfd sets the vector in the target's local APIC: acknowledging and
 * ending the interrupt happen there, with the guest's LAPIC EOI.  So the
 * MPIC never holds an interrupt in service: IACK always returns the
 * spurious vector (SVR) and EOI writes are accepted and have no effect.
 *
 * CPUs: MPIC CPU n is the vCPU whose KVM vcpu_id is n, n < nr_cpus <=
 * MPIC_MAX_CPUS (16: 4 eventfds per CPU, 64 per attachment).  A vCPU that
 * is not an MPIC CPU sees all ones in the per-CPU registers of the current
 * view (WHOAMI reads 0xffffffff), as it does in the view of a CPU number
 * >= nr_cpus; writes to those registers are ignored.
 *
 * Access widths: the registers are 32 bits wide, each at the start of a
 * 16-byte slot whose other 12 bytes are reserved.  No read has a side
 * effect, so a read of any width at any alignment returns the bytes it
 * covers (bytes beyond the window read 0xff).  A write takes effect only if
 * it starts at a slot and covers the register's 4 bytes (of an 8-byte
 * write, the upper half falls on reserved bytes); any other write is
 * ignored.  (A guest access that crosses a page reaches the device as two
 * fragments, each following these rules.)
 *
 * Delivery, masking and priority
 * ------------------------------
 * An IPI i is deliverable to CPU n when IPIVPR[i].MSK is clear, its vector
 * is at least MPIC_VECTOR_MIN (the local APIC rejects vectors 0-15) and its
 * priority is above CTPR[n] (so priority 0 is never delivered).  A dispatch
 * raises the IPI on each target: a deliverable one is delivered at once; an
 * undeliverable one is held pending for that CPU (IPIVPR.A reads 1 while it
 * is pending anywhere) and delivered as soon as an IPIVPR write or a
 * CTPR write makes it deliverable.  A masked IPI is thus never delivered
 * while masked, and an IPI raised again while pending merges with it (one
 * interrupt, counted in coalesced[]), as a latched edge does in hardware.
 * An IPI already delivered is not taken back by a later CTPR or MSK write.
 *
 * The register file and who owns what
 * -----------------------------------
 * struct mpic_regs is the fast path's .bss, mapped by the VMM, or plain
 * memory when the userspace model runs alone.  Several vCPUs run the fast
 * path at once, and any access may also reach the slow path (declined, or
 * skipped by the BPF trampoline), so both halves perform the per-CPU
 * operations with the same code (the inline functions of mpic_access.h)
 * and the same atomics, those of kvm_accel_atomics.h.  The rules:
 *
 *  R1 nr_cpus, nr_eventfds, frr: written by the slow path in mpic_create()
 *     before any vCPU runs, nr_cpus last with a release store that the
 *     fast path's first, acquire load of it pairs with; read-only
 *     afterwards.  While nr_cpus is 0 the fast path declines every access.
 *  R2 ivpr[], svr: written only by the slow path, under its lock.  An
 *     IPIVPR write re-routes the IPI's MSIs first, then stores the word with
 *     an atomic exchange.  Only MPIC_IVPR_WRITABLE bits are ever stored (A is
 *     computed when read).  The fast path only reads them.
 *  R3 cpu[n].ctpr: written by whichever side performs a CTPR write, with an
 *     atomic exchange; always 0..15.
 *  R4 cpu[n].pending: bit i set means IPI i was raised for CPU n and not yet
 *     delivered.  Bits are set only by a dispatch, with an atomic fetch-or,
 *     and cleared only by a claim, with an atomic fetch-and; the side whose
 *     fetch-and finds the bit set, and only it, signals eventfd
 *     MPIC_EVENTFD(n, i).  Bits 4-63 are always clear.
 *  R5 Whoever makes an IPI deliverable claims it: a dispatch after setting
 *     the bit, a CTPR write after its exchange, an IPIVPR write after its
 *     exchange, each then reading the other words afresh.  The atomics are
 *     full barriers, so of two racing sides at least one sees the other's
 *     change: with all vCPUs stopped, no pending IPI is deliverable.
 *  R6 Statistics, per CPU and IPI, atomic adds: raised[] before the
 *     fetch-or, coalesced[] when the fetch-or found the bit set, delivered[]
 *     on a successful claim.  Read delivered[] and coalesced[] before
 *     raised[]: raised >= delivered + coalesced always; with all vCPUs
 *     stopped, raised == delivered + coalesced + (pending bit), and
 *     delivered equals the signals the eventfd received.
 *  R7 signal_errors: claims whose eventfd could not be signalled (a VMM that
 *     attached fewer eventfds than it gave mpic_create()).  Always 0 in a
 *     correctly configured VMM.
 *
 * Everything in this file is shared ABI between the two halves; the
 * guest-visible behaviour is the one described above.
 */
#ifndef _DEVICES_MPIC_H
#define _DEVICES_MPIC_H

#include <linux/types.h>

#define MPIC_DEFAULT_BASE	0xe0000000ULL	/* no memory behind it */
#define MPIC_SIZE		0x40000
#define MPIC_MAX_CPUS		16		/* 4 IPIs each: 64 eventfds */
#define MPIC_NR_IPIS		4
#define MPIC_MAX_EVENTFDS	(MPIC_MAX_CPUS * MPIC_NR_IPIS)

/* Eventfd of IPI @ipi on CPU @cpu, in the table passed at attach time. */
#define MPIC_EVENTFD(cpu, ipi)	((cpu) * MPIC_NR_IPIS + (ipi))

/* Per-CPU register block: current CPU at 0, CPU n at MPIC_CPU_VIEW(n). */
#define MPIC_IPIDR(i)		(0x40 + (i) * 0x10)	/* IPI dispatch 0-3 */
#define MPIC_CTPR		0x80	/* current task priority */
#define MPIC_WHOAMI		0x90	/* who am I */
#define MPIC_IACK		0xa0	/* interrupt acknowledge */
#define MPIC_EOI		0xb0	/* end of interrupt */
#define MPIC_CPU_VIEW_BASE	0x20000
#define MPIC_CPU_VIEW_SIZE	0x1000
#define MPIC_CPU_VIEW(n)	(MPIC_CPU_VIEW_BASE + (n) * MPIC_CPU_VIEW_SIZE)

/* Global registers. */
#define MPIC_GLOBAL_BASE	0x1000
#define MPIC_GLOBAL_END		0x2000
#define MPIC_FRR		0x1000	/* feature reporting */
#define MPIC_IPIVPR(i)		(0x10a0 + (i) * 0x10)	/* IPI vector/priority 0-3 */
#define MPIC_SVR		0x10e0	/* spurious vector */

#define MPIC_SLOT		0x10	/* one register per 16-byte slot */
#define MPIC_REG_BYTES		4

/* FRR: NCPU (number of CPUs - 1) in bits 12:8, VID (OpenPIC 1.2) in 7:0. */
#define MPIC_FRR_NCPU_SHIFT	8
#define MPIC_FRR_VID		0x02

/* IPIVPR */
#define MPIC_IVPR_MSK		0x80000000u	/* mask */
#define MPIC_IVPR_A		0x40000000u	/* activity: pending somewhere, read-only */
#define MPIC_IVPR_PRIORITY_SHIFT 16
#define MPIC_IVPR_PRIORITY_MASK	0x000f0000u
#define MPIC_IVPR_VECTOR_MASK	0x000000ffu
#define MPIC_IVPR_WRITABLE	(MPIC_IVPR_MSK | MPIC_IVPR_PRIORITY_MASK | \
				 MPIC_IVPR_VECTOR_MASK)
#define MPIC_IVPR_RESET		MPIC_IVPR_MSK

#define MPIC_CTPR_MASK		0xf
#define MPIC_CTPR_RESET		0xf	/* everything blocked */
#define MPIC_SVR_VECTOR_MASK	0xff
#define MPIC_SVR_RESET		0xff
#define MPIC_VECTOR_MIN		0x10	/* lowest vector the local APIC accepts */

/* A per-CPU register of a CPU that does not exist. */
#define MPIC_NOCPU_VALUE	0xffffffffu

struct mpic_cpu {
	__u64 ctpr;				/* R3 */
	__u64 pending;				/* R4 */
	__u64 raised[MPIC_NR_IPIS];		/* R6 */
	__u64 delivered[MPIC_NR_IPIS];
	__u64 coalesced[MPIC_NR_IPIS];
};

/*
 * The register file.  Every word is 64 bits wide because the fast path
 * updates them with 64-bit BPF atomics; the guest-visible registers are
 * the low 32 bits.
 */
struct mpic_regs {
	__u64 nr_cpus;				/* R1 */
	__u64 nr_eventfds;
	__u64 frr;
	__u64 svr;				/* R2 */
	__u64 ivpr[MPIC_NR_IPIS];
	__u64 signal_errors;			/* R7 */
	struct mpic_cpu cpu[MPIC_MAX_CPUS];
};

#endif /* _DEVICES_MPIC_H */
