// SPDX-License-Identifier: GPL-2.0
/* A device that answers string reads whole, from a ramp (strings.h). */
#include "kvm_accel.h"
#include "strings.h"

char LICENSE[] SEC("license") = "GPL";

struct str_whole_regs regs;

SEC("struct_ops/str_whole_read")
int BPF_PROG(str_whole_read, struct kvm_accel_ctx *acc)
{
	__u64 calls = fetch_add(&regs.calls, 1);
	__u32 n = acc->count, len = acc->len, bytes = n * len, i;
	__u64 at = regs.bytes & 0xff, val = 0;

	regs.counts[calls & (STR_LOG - 1)] = n;
	if (regs.mode == STR_MODE_FILL) {
		__u8 byte = STR_FILL_BYTE(acc->vcpu_id, acc->offset);

		if (n == 1) {
			acc->result = 0x0101010101010101ULL * byte;
			return KVM_ACCEL_HANDLED;
		}
		if (kvm_accel_string_fill(acc, byte, bytes))
			return KVM_ACCEL_EXIT;
		return KVM_ACCEL_HANDLED;
	}
	if (n == 1) {
		for (i = 0; i < 4 && i < len; i++)
			val |= (__u64)((at + i) & 0xff) << (8 * i);
		acc->result = val;
		regs.bytes += len;
		return KVM_ACCEL_HANDLED;
	}
	if (regs.mode == STR_MODE_DECLINE)
		return KVM_ACCEL_EXIT;
	if (regs.mode == STR_MODE_SHORT)
		bytes = bytes / 2;
	if (kvm_accel_string_copy(acc, regs.ramp, sizeof(regs.ramp), at, bytes))
		return KVM_ACCEL_EXIT;
	regs.bytes += bytes;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(str_whole, KVM_ACCEL_BUS_PIO, STR_WHOLE_PORT, STR_PORTS,
	  .flags = KVM_ACCEL_F_STRINGS,
	  .read = (void *)str_whole_read);
