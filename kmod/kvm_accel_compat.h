/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What kvm_accel must know of the kernel it runs on, in one place.
 *
 * The variants are chosen by kvm_accel_probe.sh, which looks for the
 * features in the headers being built against (never at version numbers:
 * distribution kernels backport).  Each variant names the KVM code it
 * mirrors; re-check it against virt/kvm/kvm_main.c when a new kernel is
 * added to the test matrix (README.md, "Supported kernels").
 */
#ifndef _KVM_ACCEL_COMPAT_H
#define _KVM_ACCEL_COMPAT_H

#include <linux/build_bug.h>
#include <linux/kvm_host.h>
#include <linux/stddef.h>

#ifdef KVM_ACCEL_HAVE_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>
#endif

/* Kernels before 6.12 have no accessor: struct fd had a file member. */
#ifndef fd_file
#define fd_file(f) ((f).file)
#endif

/*
 * The kernels that removed KF_TRUSTED_ARGS treat every kfunc pointer
 * argument as trusted; where it exists it must be asked for.
 */
#ifdef KVM_ACCEL_HAVE_KF_TRUSTED_ARGS
#define KVM_ACCEL_KF_TRUSTED	KF_TRUSTED_ARGS
#else
#define KVM_ACCEL_KF_TRUSTED	0
#endif

/*
 * struct kvm_io_bus, as kvm_accel_iobus.c copies it.  Its header is copied
 * whole into each new bus (as KVM does), so a member added by a newer
 * kernel that needs initialising would be copied stale: the layout of each
 * variant is pinned here and a new one must be looked at, not assumed.
 *
 * KVM_ACCEL_IO_BUS_RCU: Linux 6.18 to 7.3 (checked against Debian's 7.2.13
 * and 7.3.4).  The bus gained "struct rcu_head rcu" and
 * kvm_io_bus_register_dev() frees the old bus with call_srcu().  The rcu
 * head is only used once the bus is retired, so copying it is harmless.
 *
 * Otherwise: Linux 6.12 (checked against Debian's 6.12.95 and 6.12.117):
 * dev_count, ioeventfd_count, range[].
 */
static inline void kvm_accel_compat_check_layout(void)
{
#ifdef KVM_ACCEL_IO_BUS_RCU
	BUILD_BUG_ON(offsetof(struct kvm_io_bus, rcu) !=
		     ALIGN(2 * sizeof(int), __alignof__(struct rcu_head)));
	BUILD_BUG_ON(offsetof(struct kvm_io_bus, range) !=
		     offsetof(struct kvm_io_bus, rcu) + sizeof(struct rcu_head));
#else
	BUILD_BUG_ON(offsetof(struct kvm_io_bus, range) != 2 * sizeof(int));
#endif
	BUILD_BUG_ON(sizeof(struct kvm_io_bus) !=
		     offsetof(struct kvm_io_bus, range));
	BUILD_BUG_ON(offsetof(struct kvm_io_bus, dev_count) != 0);
	BUILD_BUG_ON(offsetof(struct kvm_io_bus, ioeventfd_count) != sizeof(int));
	/* addr, len, dev: the sort key and the device, nothing else. */
	BUILD_BUG_ON(sizeof(struct kvm_io_range) !=
		     offsetofend(struct kvm_io_range, dev));
	BUILD_BUG_ON(offsetof(struct kvm_io_range, addr) != 0);
}

#endif /* _KVM_ACCEL_COMPAT_H */
