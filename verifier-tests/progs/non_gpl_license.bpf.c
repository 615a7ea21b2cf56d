// SPDX-License-Identifier: GPL-2.0
/*
 * struct_ops programs (and kfuncs) are GPL-only: an accelerator that
 * declares a non-GPL license is refused.  The program below is the
 * simplest accepted one (ctx_write_result_ok) apart from its license.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "Proprietary";

SEC("struct_ops/read_const")
__description("a program with a non-GPL license is refused")
__failure __load_errno(EINVAL)
__msg("struct ops programs must have a GPL compatible license")
int BPF_PROG(read_const, struct kvm_accel_ctx *acc)
{
	acc->result = 0x5a;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(non_gpl_license, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)read_const);
