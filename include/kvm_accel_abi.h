/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR BSD-2-Clause */
/*
 * kvm-accel ABI shared by the kernel module, accelerator programs and the
 * userspace loader.  Everything in this file is ABI: field offsets of
 * struct kvm_accel_ctx are checked by the verifier against the module's BTF,
 * and the constants are what the loader writes into struct_ops data members.
 */
#ifndef _KVM_ACCEL_ABI_H
#define _KVM_ACCEL_ABI_H

#include <linux/types.h>

/* Name of the struct_ops type the module registers. */
#define KVM_ACCEL_OPS_TYPE	"kvm_accel_ops"

/* Program return values.  Anything else is counted as an error and exits. */
#define KVM_ACCEL_EXIT		0	/* not handled: exit to the VMM */
#define KVM_ACCEL_HANDLED	1	/* handled in the kernel: re-enter guest */

/* kvm_accel_ops.bus.  Zero is deliberately invalid: an unset bus is an error. */
#define KVM_ACCEL_BUS_PIO	1
#define KVM_ACCEL_BUS_MMIO	2

/*
 * kvm_accel_ops.flags.
 *
 * KVM_ACCEL_F_STRINGS: the read program answers PIO string reads (INS) as
 * a whole, ctx->count elements at once (bpf/kvm_accel.h, "Strings").
 * Without it no program ever sees one: they exit to the VMM whole.
 */
#define KVM_ACCEL_F_STRINGS	(1U << 0)
#define KVM_ACCEL_F_ALL		KVM_ACCEL_F_STRINGS

#define KVM_ACCEL_NAME_LEN	32	/* including the terminating NUL */

/*
 * The runtime budget of an attachment (kvm_accel_ops.budget_ns, window_ns,
 * window_budget_ns; 0 selects the default).  A program call that takes
 * longer than budget_ns, or programs that run longer than window_budget_ns
 * within window_ns on one CPU, disable the attachment: every access exits
 * to the VMM from then on, until the VMM re-enables it (kvm_accel_update()
 * with the same map, or new programs).  Time spent waiting for a CPU is
 * not counted.  The defaults leave room for hosts whose vCPU threads are
 * preempted mid-access, as nested and emulated hosts are; a VMM on
 * dedicated hardware can set budgets a hundred times tighter.
 */
#define KVM_ACCEL_BUDGET_NS_DEFAULT		50000000ULL	/* 50 ms per call */
#define KVM_ACCEL_WINDOW_NS_DEFAULT		1000000000ULL	/* 1 s */
#define KVM_ACCEL_WINDOW_BUDGET_NS_DEFAULT	500000000ULL	/* half of it */
#define KVM_ACCEL_BUDGET_NS_MAX			1000000000ULL	/* 1 s */
#define KVM_ACCEL_WINDOW_NS_MAX			60000000000ULL	/* 1 min */

/* Why an attachment is disabled (its sysfs "disabled" file). */
#define KVM_ACCEL_DISABLED_NONE		0	/* not disabled */
#define KVM_ACCEL_DISABLED_CALL		1	/* one call took longer than budget_ns */
#define KVM_ACCEL_DISABLED_WINDOW	2	/* over window_budget_ns in window_ns */
#define KVM_ACCEL_MAX_EVENTFDS	64	/* eventfds one attachment may signal */
#define KVM_ACCEL_MAX_PER_VM	16	/* attachments on one VM */
#define KVM_ACCEL_PIO_LIMIT	0x10000	/* port ranges end at or below this */

/*
 * One guest access, as the program sees it.  Every field is read-only to
 * the program except @result, which is what a handled read returns to the
 * guest.  Values are little endian and zero-extended to 64 bits.
 */
struct kvm_accel_ctx {
	__u64 addr;	/* port or guest physical address of the access */
	__u64 offset;	/* addr - base of the attached range */
	__u64 data;	/* write: the value the guest wrote; read: 0 */
	__u64 result;	/* read: value returned to the guest (writable) */
	__u32 len;	/* width in bytes: 1, 2, 4 or 8 (8 only on MMIO) */
	__u32 vcpu_id;	/* KVM vCPU id of the accessing vCPU */
	__u32 is_write;	/* 1 for a write, 0 for a read */
	__u32 bus;	/* KVM_ACCEL_BUS_PIO or KVM_ACCEL_BUS_MMIO */
	/*
	 * The module's state for this access, used by the kfuncs.  Being a
	 * pointer, it also makes the verifier accept only the real context
	 * as a kfunc argument: a struct of scalars alone could be forged on
	 * the program's stack or in a map.
	 */
	const void *priv;
	/*
	 * Elements of the access: 1, or for a PIO string read given to a
	 * program with KVM_ACCEL_F_STRINGS, the elements of @len bytes it
	 * answers at once, at @addr each.
	 */
	__u32 count;
	__u32 reserved;	/* 0 */
};

#endif /* _KVM_ACCEL_ABI_H */
