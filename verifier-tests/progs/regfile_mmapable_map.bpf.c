// SPDX-License-Identifier: GPL-2.0
/*
 * The register file as a BPF_F_MMAPABLE array the VMM maps: one lookup,
 * a NULL check, then a bounded index into the value.
 */
#include <linux/bpf.h>
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct regfile {
	__u64 reg[8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct regfile);
} regfile SEC(".maps");

SEC("struct_ops/regs_write")
__description("register file in an mmapable array map is accepted")
__success
int BPF_PROG(regs_write, struct kvm_accel_ctx *acc)
{
	struct regfile *rf;
	__u32 zero = 0;

	rf = bpf_map_lookup_elem(&regfile, &zero);
	if (!rf)
		return KVM_ACCEL_EXIT;
	rf->reg[(acc->offset >> 3) & 7] = acc->data;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(regfile_mmapable_map, KVM_ACCEL_BUS_MMIO, 0xfeb00000, 64,
	  .write = (void *)regs_write);
