/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ACPI PM timer, VMM side: publish the guest clock to the fast path, and
 * answer the accesses it declines (or all of them, without kvm-accel).
 * Plain C with no dependency but libc; the register file is struct
 * pmtimer_regs (pmtimer.h), the fast path's .bss or any memory.
 */
#ifndef _DEVICES_PMTIMER_SLOWPATH_H
#define _DEVICES_PMTIMER_SLOWPATH_H

#include <stdbool.h>
#include "pmtimer.h"

/* The host clock the fast path reads: CLOCK_MONOTONIC, in ns. */
__u64 pmtimer_host_ns(void);

/*
 * Publish that the guest's clock reads @guest_ns now and runs with the host
 * clock from here on, and enable the fast path.  Call it while no vCPU
 * runs (pmtimer.h, Ownership).  @ext: 32-bit counter (TMR_VAL_EXT).
 */
void pmtimer_publish(struct pmtimer_regs *regs, __s64 guest_ns, bool ext);

/* Stop the fast path answering: every access exits until the next publish. */
void pmtimer_disable(struct pmtimer_regs *regs);

/* A guest access the fast path declined: returns the value read. */
__u64 pmtimer_access(const struct pmtimer_regs *regs, __u64 off, __u32 len,
		     bool is_write);

#endif /* _DEVICES_PMTIMER_SLOWPATH_H */
