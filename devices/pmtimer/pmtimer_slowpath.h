/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * ACPI PM timer, VMM side: publish the guest clock to the fast path, and
 * answer the accesses it declines (or all of them, without kvm-accel).
 * The register file is struct pmtimer_regs (pmtimer.h), the fast path's
 * .bss or any memory; the device registers with the reference VMM.
 */
#ifndef _DEVICES_PMTIMER_SLOWPATH_H
#define _DEVICES_PMTIMER_SLOWPATH_H

#include <stdbool.h>
#include "pmtimer_access.h"

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

/*
 * A read of @len bytes at byte @off of the register (off + len <= 4): the
 * value, as pmtimer_extract() gives it.  Writes have no effect.
 */
__u64 pmtimer_read(const struct pmtimer_regs *regs, __u64 off, __u32 len);

/* ---- on the reference VMM (vmm/vmm.h) ------------------------------------ */

struct kvm_vcpu;
struct vmm;
struct vmm_device;

/* The device: the register file and the port it is at. */
struct pmtimer {
	struct pmtimer_regs *regs;
	__u16 base;
};

/*
 * The vmm_access_fn of the device, @ptr the struct pmtimer: a guest access
 * the fast path declined.  Bytes past the register read as all ones.
 */
int pmtimer_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
		   bool is_write, void *ptr);

/* Register @pm's port range (PMTIMER_PIO_LEN bytes at pm->base) with @vmm. */
struct vmm_device *pmtimer_vmm_register(struct vmm *vmm, struct pmtimer *pm);

#endif /* _DEVICES_PMTIMER_SLOWPATH_H */
