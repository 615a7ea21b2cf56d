// SPDX-License-Identifier: GPL-2.0
/*
 * Fast path of the fuzz test device (semantics in fuzz.h).  Attached at
 * FUZZ_PIO_BASE, or moved to FUZZ_MMIO_BASE by the loader.
 */
#include "kvm_accel.h"
#include "fuzz.h"

char LICENSE[] SEC("license") = "GPL";

/* The only variable in .bss, so it starts at offset 0 of the mapping. */
struct fuzz_regs fuzz;

/* Whether the module broke its promises about @acc. */
static __always_inline int fuzz_violates(const struct kvm_accel_ctx *acc,
					 __u32 is_write)
{
	__u64 base = acc->bus == KVM_ACCEL_BUS_PIO ? FUZZ_PIO_BASE : FUZZ_MMIO_BASE;
	__u32 len = acc->len;

	if (acc->bus != KVM_ACCEL_BUS_PIO && acc->bus != KVM_ACCEL_BUS_MMIO)
		return 1;
	if (len != 1 && len != 2 && len != 4 &&
	    (len != 8 || acc->bus != KVM_ACCEL_BUS_MMIO))
		return 1;
	if (acc->offset >= FUZZ_LEN || acc->offset + len > FUZZ_LEN ||
	    acc->addr != base + acc->offset)
		return 1;
	if (acc->is_write != is_write || acc->vcpu_id >= FUZZ_MAX_VCPUS)
		return 1;
	if (is_write ? len < 8 && acc->data >> (8 * len) : acc->data != 0)
		return 1;
	return 0;
}

/*
 * Whether the program leaves @acc to the VMM: a breach of the module's
 * promises, or an offset the device declines.  Counted either way.
 */
static __always_inline int fuzz_exits(const struct kvm_accel_ctx *acc,
				      __u32 is_write)
{
	__u64 off = acc->offset;

	if (fuzz_violates(acc, is_write)) {
		fetch_add(&fuzz.violations, 1);
		return 1;
	}
	if (is_write ? FUZZ_WRITE_DECLINED(off) : FUZZ_READ_DECLINED(off)) {
		fuzz.declined[acc->vcpu_id & (FUZZ_MAX_VCPUS - 1)]++;
		return 1;
	}
	return 0;
}

SEC("struct_ops/fuzz_read")
int BPF_PROG(fuzz_read, struct kvm_accel_ctx *acc)
{
	__u32 len = acc->len, v = acc->vcpu_id & (FUZZ_MAX_VCPUS - 1);
	__u64 off = acc->offset, val = 0;
	int i;

	if (fuzz_exits(acc, 0))
		return KVM_ACCEL_EXIT;
	for (i = 0; i < 8 && i < len; i++)
		val |= (__u64)fuzz.bank[v][(off + i) & (FUZZ_LEN - 1)] << (8 * i);
	acc->result = val;
	fuzz.handled[v]++;
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/fuzz_write")
int BPF_PROG(fuzz_write, struct kvm_accel_ctx *acc)
{
	__u32 len = acc->len, v = acc->vcpu_id & (FUZZ_MAX_VCPUS - 1);
	__u64 off = acc->offset, val = acc->data;
	int i;

	if (fuzz_exits(acc, 1))
		return KVM_ACCEL_EXIT;
	for (i = 0; i < 8 && i < len; i++)
		fuzz.bank[v][(off + i) & (FUZZ_LEN - 1)] = val >> (8 * i);
	fuzz.handled[v]++;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(fuzz_dev, KVM_ACCEL_BUS_PIO, FUZZ_PIO_BASE, FUZZ_LEN,
	  .read = (void *)fuzz_read,
	  .write = (void *)fuzz_write);
