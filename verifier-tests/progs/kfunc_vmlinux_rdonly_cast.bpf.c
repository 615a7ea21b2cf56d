// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_rdonly_cast() (vmlinux's common kfunc set, offered to every program
 * type) turns any address into an untrusted pointer whose loads read
 * kernel memory: here an address the guest wrote.  Refused by the module
 * with every other vmlinux kfunc.
 */
#include "kvm_accel.h"
#include "../verifier_tests.h"

char LICENSE[] SEC("license") = "GPL";

extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym;

SEC("struct_ops/peek_read")
__description("vmlinux kfunc bpf_rdonly_cast() is refused")
__failure __load_errno(EACCES)
__msg("attach to unsupported member read of struct kvm_accel_ops")
int BPF_PROG(peek_read, struct kvm_accel_ctx *acc)
{
	const __u64 *p = bpf_rdonly_cast((void *)acc->data, 0);

	acc->result = *p;
	return KVM_ACCEL_HANDLED;
}

KVM_ACCEL(kfunc_vmlinux_rdonly_cast, KVM_ACCEL_BUS_PIO, 0x1f0, 8,
	  .read = (void *)peek_read);
