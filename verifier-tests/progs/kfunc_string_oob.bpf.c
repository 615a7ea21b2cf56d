// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel_string_copy() reads @src__sz bytes of the program's memory:
 * a size beyond the map value is refused by the verifier.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

__u8 buf[64];

SEC("struct_ops/string_read")
__description("kvm_accel_string_copy() beyond its source is refused")
__failure
__msg("invalid access to map value")
int BPF_PROG(string_read, struct kvm_accel_ctx *acc)
{
	if (kvm_accel_string_copy(acc, buf, 128, 0, 128))
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_string_oob, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .flags = KVM_ACCEL_F_STRINGS,
	  .read = (void *)string_read);
