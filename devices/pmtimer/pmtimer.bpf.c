// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI PM timer fast path.
 *
 * Linux's "acpi_pm" clocksource, and every guest's delay calibration,
 * read PM_TMR (PMBASE + 8) over and over; each read is a port access that
 * would otherwise exit to the VMM for a value that is a pure function of
 * the clock.  The value is computed here from the host's monotonic clock
 * and the guest clock's offset that the VMM publishes (pmtimer.h), with the
 * arithmetic the VMM uses too (pmtimer_access.h):
 *
 *  - reads of 1, 2 or 4 bytes anywhere in the register, while the VMM
 *    has enabled the fast path;
 *  - writes, which the register ignores.
 *
 * Everything else exits: reads while the fast path is disabled (the VMM
 * disables it while it republishes the offset), and for QEMU's model the
 * misaligned reads, which QEMU splits into reads of single bytes.  The overflow interrupt
 * (TMR_STS/TMR_EN in PM1 status and enable) is the VMM's: it lives in
 * other registers of the PM block and is driven by the VMM's own timer.
 */
#include "kvm_accel.h"
#include "pmtimer_access.h"

char LICENSE[] SEC("license") = "GPL";

/* The register file: the only variable in .bss, at offset 0 of the mapping. */
struct pmtimer_regs regs;

SEC("struct_ops/pmtimer_read")
int BPF_PROG(pmtimer_read, struct kvm_accel_ctx *acc)
{
	__u64 flags = pmtimer_flags(&regs);
	__u64 off = acc->offset;

	if (!(flags & PMTIMER_F_ENABLED) || off >= PMTIMER_PIO_LEN ||
	    !pmtimer_answers(off, acc->len, flags))
		return KVM_ACCEL_EXIT;
	acc->result = pmtimer_read_at(&regs, flags, off, acc->len, bpf_ktime_get_ns());
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/pmtimer_write")
int BPF_PROG(pmtimer_write, struct kvm_accel_ctx *acc)
{
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(pmtimer, KVM_ACCEL_BUS_PIO, PMTIMER_PIO_BASE, PMTIMER_PIO_LEN,
	  .read = (void *)pmtimer_read,
	  .write = (void *)pmtimer_write);
