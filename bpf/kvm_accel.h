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
 *
 * Strings.  A guest's INS (rep insb/insw/insl) reaches KVM's PIO bus as
 * one call per element, but KVM treats them unequally: a device that
 * declines element 0 makes the whole access exit to the VMM, one that
 * declines a later element makes KVM read the rest as 0, with no exit.
 * So the module hands a program a string read whole, or not at all:
 *
 *  - Without KVM_ACCEL_F_STRINGS in .flags, a PIO read of more than one
 *    element never reaches the program: it exits to the VMM whole.
 *  - With it, the read program is called once, at element 0, with
 *    acc->count elements of acc->len bytes (count is 1 for every other
 *    access).  It gives their values in order with kvm_accel_string_copy()
 *    and kvm_accel_string_fill(), not acc->result, and returns
 *    KVM_ACCEL_HANDLED; KVM then asks for the remaining elements, which the
 *    module answers from what was given without calling the program again.
 *    Elements not given read as all ones (0xff bytes) and are counted as
 *    errors.  KVM_ACCEL_EXIT exits the whole string to the VMM, as for a
 *    single access, so decline before changing any state.
 *  - Writes are always single: KVM emulates an OUTS one element at a time,
 *    and a decline exits that element.  MMIO accesses are single too: KVM
 *    exits for what a device declined.
 *  - How many elements KVM asks for at once depends on the instruction
 *    (up to a page, and 1024 bytes, per exit); the module reads it from
 *    KVM's emulator.  On a kernel whose emulator layout the module does not
 *    know, every string read exits (the module says so when it loads).
 *
 * SEV-ES string I/O, whose element count the module cannot see, always
 * exits.
 *
 * Memory shared with the VMM (the register file) and with other vCPUs is
 * accessed with kvm_accel_atomics.h's vocabulary, included here:
 * READ_ONCE()/WRITE_ONCE(), smp_load_acquire()/smp_store_release(), the
 * barriers and the fully ordered atomics; that header says which memory
 * model each side assumes.
 */
#ifndef _KVM_ACCEL_BPF_H
#define _KVM_ACCEL_BPF_H

#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "kvm_accel_atomics.h"

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
	__u64 budget_ns;
	__u64 window_ns;
	__u64 window_budget_ns;
};

/*
 * Signal eventfd @idx of the attachment (an index into the table the VMM
 * passed at attach time, normally a KVM irqfd).  Returns 0, or -EINVAL for
 * an index outside the table.  Only callable from kvm_accel_ops programs.
 */
extern int kvm_accel_signal_eventfd(struct kvm_accel_ctx *ctx, __u32 idx) __ksym;

/*
 * Give the next @bytes of a string read (acc->count > 1) from
 * @src[@off, @off + @bytes), @src being @src__sz bytes of the program's
 * memory (a map value).  Returns 0; -EINVAL if this is not a string read or
 * the bytes lie outside @src; -ENOSPC if they would go past the last element
 * (then nothing is given).
 */
extern int kvm_accel_string_copy(struct kvm_accel_ctx *ctx, const void *src,
				 __u32 src__sz, __u32 off, __u32 bytes) __ksym;

/* The same, @bytes bytes of value @byte. */
extern int kvm_accel_string_fill(struct kvm_accel_ctx *ctx, __u32 byte,
				 __u32 bytes) __ksym;

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
