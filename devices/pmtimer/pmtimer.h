/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ACPI power management timer (ACPI 6.5 section 4.8.3.3, PM_TMR_BLK): the
 * register file shared by the fast path (pmtimer.bpf.c, in the kernel) and
 * the VMM (pmtimer_slowpath.c), and the rules both follow.
 *
 * PM_TMR is one read-only 32-bit port, at PMBASE + 8 on the PIIX4 and ICH9
 * power management blocks, that counts at 3.579545 MHz and wraps at 24 bits
 * (or 32 with TMR_VAL_EXT in the FADT).  Guests read it to calibrate and as
 * a clocksource (Linux "acpi_pm"), tens of thousands of times a second.
 *
 * The counter is not stored.  It is a function of the host's
 * CLOCK_MONOTONIC (bpf_ktime_get_ns() in the kernel, clock_gettime() in the
 * VMM) and of the offset of the guest's clock against it:
 *
 *	guest_ns = now_ns + clock_offset
 *	PM_TMR   = floor(guest_ns * 3579545 / 10^9) mod 2^bits
 *
 * which is QEMU's acpi_pm_tmr_get() with QEMU_CLOCK_VIRTUAL as the guest
 * clock.  pmtimer_ticks() (pmtimer_access.h) computes it without a 128-bit
 * product, exactly.
 *
 * Ownership contract
 * ------------------
 * Both fields are written only by the VMM (S), each with one 64-bit store;
 * the fast path (F) only reads them, each with one 64-bit load.
 *  - @clock_offset changes only when the guest's clock moves against the
 *    host's: when the VM starts running (at boot, after a stop, after an
 *    incoming migration).  S writes it while no vCPU runs, so F never sees
 *    it change under a vCPU.
 *  - @flags: PMTIMER_F_ENABLED lets F answer; while it is clear F declines
 *    every access (they exit to the VMM, which answers them itself).
 *    S stores @clock_offset before it sets PMTIMER_F_ENABLED, with a
 *    release store of @flags; F loads @flags first, with an acquire load,
 *    then @clock_offset (pmtimer_set_enabled() and pmtimer_flags() in
 *    pmtimer_access.h; the orderings are kvm_accel_atomics.h's).
 *    PMTIMER_F_32BIT selects the 32-bit counter (TMR_VAL_EXT).
 *
 * Accesses (both halves behave the same):
 *  - a read of 1, 2 or 4 bytes at byte @off returns those bytes of the
 *    32-bit register, as the hardware does; with PMTIMER_F_QEMU_NARROW it
 *    returns the low bytes whatever @off, as QEMU's acpi-tmr region does
 *    (it reads 4 bytes and ignores the offset), so that a VMM built on
 *    QEMU's model stays bit-exact.  QEMU splits a misaligned read (a word
 *    at byte 1) into byte reads, each the low byte of the counter at its
 *    own time: F does not answer those (pmtimer_answers()), QEMU does;
 *  - writes are ignored (the register is read-only).
 */
#ifndef _DEVICES_PMTIMER_H
#define _DEVICES_PMTIMER_H

#include <linux/types.h>

/* QEMU's PIIX4 PM block: PMBASE 0x600 (set by the firmware), PM_TMR at +8. */
#define PMTIMER_PIO_BASE	0x608
#define PMTIMER_PIO_LEN		4
#define PMTIMER_FREQ_HZ		3579545ULL
#define PMTIMER_NS_PER_SEC	1000000000ULL

/* @flags */
#define PMTIMER_F_ENABLED	0x1
#define PMTIMER_F_32BIT		0x2
#define PMTIMER_F_QEMU_NARROW	0x4	/* narrow reads return the low bytes */

struct pmtimer_regs {
	__s64 clock_offset;	/* guest clock - host CLOCK_MONOTONIC, ns */
	__u64 flags;		/* PMTIMER_F_* */
};

#endif /* _DEVICES_PMTIMER_H */
