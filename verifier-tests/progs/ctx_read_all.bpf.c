// SPDX-License-Identifier: GPL-2.0
/*
 * Every field of the context is readable, at its natural width.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 seen[8];

static __always_inline void read_fields(struct kvm_accel_ctx *acc)
{
	seen[0] = acc->addr;
	seen[1] = acc->offset;
	seen[2] = acc->data;
	seen[3] = acc->result;
	seen[4] = acc->len;
	seen[5] = acc->vcpu_id;
	seen[6] = acc->is_write;
	seen[7] = acc->bus;
}

SEC("struct_ops/fields_read")
__description("reads of every context field are accepted")
__success
int BPF_PROG(fields_read, struct kvm_accel_ctx *acc)
{
	read_fields(acc);
	return KVM_ACCEL_EXIT;
}

/* A program serves one member only: the write side needs its own. */
SEC("struct_ops/fields_write")
int BPF_PROG(fields_write, struct kvm_accel_ctx *acc)
{
	read_fields(acc);
	return KVM_ACCEL_EXIT;
}

KVM_ACCEL(ctx_read_all, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)fields_read,
	  .write = (void *)fields_write);
