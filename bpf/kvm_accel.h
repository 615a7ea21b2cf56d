/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The header accelerator programs include.
 *
 * A device fast path is one struct_ops map of type kvm_accel_ops with a
 * read and/or write program.  Declare it with KVM_ACCEL():
 *
 *	SEC("struct_ops/my_read")
 *	int BPF_PROG(my_read, struct kvm_accel_ctx *acc) { ... }
 *
 * (BPF_PROG() reserves the name "ctx" for the raw argument array, so the
 * access is conventionally called "acc".)
 *
 *	KVM_ACCEL(my_dev, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
 *		  .read = (void *)my_read);
 *
 * The base and length given here are defaults; the loader may move the
 * range before attaching (kvm_accel_attach_opts.base/len).  vm_fd and the
 * eventfd table are always filled in by the loader.
 *
 * A program returns KVM_ACCEL_HANDLED when it completed the access in the
 * kernel (for a read, after setting acc->result) and KVM_ACCEL_EXIT to let
 * the access exit to the VMM as an ordinary KVM_EXIT_IO / KVM_EXIT_MMIO.
 * Programs are not sleepable and may not call tracing helpers.
 */
#ifndef _KVM_ACCEL_BPF_H
#define _KVM_ACCEL_BPF_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)
#include "../include/kvm_accel_abi.h"
#pragma clang attribute pop

/*
 * BPF view of the struct_ops type.  Only the members the program may set
 * are declared; the module's private members follow them in the kernel's
 * type and libbpf leaves them zero.
 */
struct kvm_accel_ops {
	int (*read)(struct kvm_accel_ctx *ctx);
	int (*write)(struct kvm_accel_ctx *ctx);
	int vm_fd;
	__u32 bus;
	__u64 base;
	__u64 len;
	__u32 flags;
	__u32 nr_eventfds;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS];
	char name[KVM_ACCEL_NAME_LEN];
};

/*
 * Signal eventfd @idx of the attachment (an index into the table the VMM
 * passed at attach time, normally a KVM irqfd).  Returns 0, or -EINVAL for
 * an index outside the table.  Only callable from kvm_accel_ops programs.
 */
extern int kvm_accel_signal_eventfd(struct kvm_accel_ctx *ctx, __u32 idx) __ksym;

/* Declare an accelerator.  Attachment happens only through a link. */
#define KVM_ACCEL(_var, _bus, _base, _len, ...)				\
	SEC(".struct_ops.link") struct kvm_accel_ops _var = {		\
		.bus = (_bus),						\
		.base = (_base),					\
		.len = (_len),						\
		.name = #_var,						\
		__VA_ARGS__						\
	}

#endif /* _KVM_ACCEL_BPF_H */
