// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_accel_signal_eventfd() is registered for struct_ops programs, but the
 * module's kfunc filter admits only kvm_accel_ops ones: any other
 * struct_ops type (here a TCP congestion control) passes something that is
 * not a kvm_accel context.  The object is loaded, never attached.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

struct sock;

struct tcp_congestion_ops {
	void (*init)(struct sock *sk);
	char name[16];
};

SEC("struct_ops/ka_ca_init")
__description("kvm_accel_signal_eventfd() from another struct_ops type is refused")
__failure __load_errno(EACCES)
__msg("calling kernel function kvm_accel_signal_eventfd is not allowed")
void BPF_PROG(ka_ca_init, struct sock *sk)
{
	kvm_accel_signal_eventfd((struct kvm_accel_ctx *)sk, 0);
}

SEC(".struct_ops.link")
struct tcp_congestion_ops kfunc_other_struct_ops = {
	.init = (void *)ka_ca_init,
	.name = "ka_test",
};
