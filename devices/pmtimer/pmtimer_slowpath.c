// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * ACPI PM timer, VMM side (pmtimer_slowpath.h).  The arithmetic and the
 * publication are pmtimer_access.h's, shared with the fast path, so both
 * give the same value for the same instant.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pmtimer_slowpath.h"
#include "vmm/vmm.h"

__u64 pmtimer_host_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * PMTIMER_NS_PER_SEC + ts.tv_nsec;
}

void pmtimer_publish(struct pmtimer_regs *regs, __s64 guest_ns, bool ext)
{
	pmtimer_set_enabled(regs, guest_ns - (__s64)pmtimer_host_ns(),
			    ext ? PMTIMER_F_32BIT : 0);
}

void pmtimer_disable(struct pmtimer_regs *regs)
{
	pmtimer_set_disabled(regs);
}

__u64 pmtimer_read(const struct pmtimer_regs *regs, __u64 off, __u32 len)
{
	__u64 flags = pmtimer_flags(regs);

	return pmtimer_read_at(regs, flags, off, len, pmtimer_host_ns());
}

int pmtimer_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
		   bool is_write, void *ptr)
{
	const struct pmtimer *pm = ptr;
	__u64 off = addr - pm->base, val;
	__u32 in = off + len > PMTIMER_PIO_LEN ? PMTIMER_PIO_LEN - off : len;

	if (off >= PMTIMER_PIO_LEN || !len || len > 4)
		return -EINVAL;
	if (is_write)
		return 0;
	memset(data, 0xff, len);
	val = pmtimer_read(pm->regs, off, in);
	memcpy(data, &val, in);
	return 0;
}

struct vmm_device *pmtimer_vmm_register(struct vmm *vmm, struct pmtimer *pm)
{
	return vmm_register(vmm, "PM timer", KVM_ACCEL_BUS_PIO, pm->base,
			    PMTIMER_PIO_LEN, pmtimer_access, pm);
}
