// SPDX-License-Identifier: GPL-2.0
/*
 * Every field of the context is readable, at its natural width.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u64 seen[8];

SEC("struct_ops/read_fields")
__description("reads of every context field are accepted")
__success
int BPF_PROG(read_fields, struct kvm_accel_ctx *acc)
{
	seen[0] = acc->addr;
	seen[1] = acc->offset;
	seen[2] = acc->data;
	seen[3] = acc->result;
	seen[4] = acc->len;
	seen[5] = acc->vcpu_id;
	seen[6] = acc->is_write;
	seen[7] = acc->bus;
	return KVM_ACCEL_EXIT;
}

KVM_ACCEL(ctx_read_all, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_fields,
	  .write = (void *)read_fields);
