// SPDX-License-Identifier: GPL-2.0
/*
 * A string read answered whole: kvm_accel_string_copy() from the register
 * file and kvm_accel_string_fill(), with KVM_ACCEL_F_STRINGS set.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u8 buf[1024];

SEC("struct_ops/string_read")
__description("kvm_accel_string_copy() and _fill() on the context are accepted")
__success
int BPF_PROG(string_read, struct kvm_accel_ctx *acc)
{
	__u32 bytes = acc->count * acc->len;

	if (acc->count == 1) {
		acc->result = buf[0];
		return KVM_ACCEL_HANDLED;
	}
	if (kvm_accel_string_copy(acc, buf, sizeof(buf), 0, bytes / 2) ||
	    kvm_accel_string_fill(acc, 0xff, bytes - bytes / 2))
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_string_ok, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .flags = KVM_ACCEL_F_STRINGS,
	  .read = (void *)string_read);
