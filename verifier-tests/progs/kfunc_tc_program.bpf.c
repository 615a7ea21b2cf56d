// SPDX-License-Identifier: GPL-2.0
/*
 * The kfunc set is registered for struct_ops programs only: a tc program
 * may not call it at all.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct __sk_buff;

SEC("tc")
__description("kvm_accel_signal_eventfd() from a tc program is refused")
__failure __load_errno(EACCES)
__msg("calling kernel function kvm_accel_signal_eventfd is not allowed")
int tc_signal(struct __sk_buff *skb)
{
	return kvm_accel_signal_eventfd((struct kvm_accel_ctx *)skb, 0);
}
