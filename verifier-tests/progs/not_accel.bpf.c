// SPDX-License-Identifier: GPL-2.0
/*
 * A valid BPF object with no kvm_accel_ops map: the loader must call it
 * "not an accelerator" (loader/tests/test-cli-errors.sh).  Not a verifier test:
 * it carries no annotations, so verifier_runner skips it.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tc")
int not_accel(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}
