// SPDX-License-Identifier: GPL-2.0
/*
 * A struct_ops link that is not kvm_accel's: a TCP congestion control
 * (the struct_ops type every kernel of the matrix has).  It is never used
 * by a socket; cli_detach_other_test only needs the link to exist.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

struct sock;

/* The members this object fills; libbpf matches them to the kernel's by name. */
struct tcp_congestion_ops {
	__u32 (*ssthresh)(struct sock *sk);
	void (*cong_avoid)(struct sock *sk, __u32 ack, __u32 acked);
	__u32 (*undo_cwnd)(struct sock *sk);
	char name[16];
};

SEC("struct_ops")
__u32 BPF_PROG(ka_ssthresh, struct sock *sk)
{
	return 2;
}

SEC("struct_ops")
void BPF_PROG(ka_cong_avoid, struct sock *sk, __u32 ack, __u32 acked)
{
}

SEC("struct_ops")
__u32 BPF_PROG(ka_undo_cwnd, struct sock *sk)
{
	return 2;
}

SEC(".struct_ops.link")
struct tcp_congestion_ops ka_not_accel = {
	.ssthresh = (void *)ka_ssthresh,
	.cong_avoid = (void *)ka_cong_avoid,
	.undo_cwnd = (void *)ka_undo_cwnd,
	.name = "ka_not_accel",
};
