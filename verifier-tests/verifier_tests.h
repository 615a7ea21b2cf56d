/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expected outcomes of verifier-tests programs.
 *
 * Every object under verifier-tests/progs/ is one test.  Its expectation is
 * declared on a program function (or on the struct_ops map variable) with
 * the macros below; the tags of all declarations in the object are merged,
 * so annotate one of them.  They expand to BTF declaration tags, which clang copies
 * into the object's .BTF section; verifier_runner reads them back from there,
 * so the expectation and the code it describes cannot drift apart.
 *
 *	SEC("struct_ops/bad_write")
 *	__description("a store to ctx->addr is refused")
 *	__failure __msg("kvm_accel: ctx->addr is read-only, ...")
 *	int BPF_PROG(bad_write, struct kvm_accel_ctx *acc) { ... }
 *
 * Outcome (exactly one):
 *
 * __success		the object loads, and every kvm_accel_ops map in it
 *			attaches (map update + BPF link) to a fresh VM.  For
 *			an object without kvm_accel_ops maps, loading is all.
 * __failure		loading the object fails (the verifier, or the kernel
 *			while loading, refuses a program).
 * __load_errno(E)	__failure, and the load fails with errno E.
 * __attach_errno(E)	the object loads, and attaching its kvm_accel_ops map
 *			fails with errno E.  Attaching is the map update
 *			(where the module's validate() runs) followed by the
 *			link creation (where reg() runs).
 *
 * E is an errno name without the minus sign (EINVAL, EOPNOTSUPP, EBADF...)
 * or a decimal number.
 *
 * Further annotations:
 *
 * __description(text)	the test's name in the TAP output.  Required: an
 *			object without one is not a test and is skipped
 *			(except device programs, which are expected to
 *			succeed without any annotation).
 * __msg(text)		text must appear in the log of the load: the
 *			verifier logs of the object's programs, then libbpf's
 *			own messages.  May be repeated; the texts must then
 *			appear in the order written.  A plain substring
 *			match: for the module's own messages give the full
 *			text, for generic verifier text the shortest piece
 *			that identifies the rejection.  Generic verifier text
 *			changes between kernels: "A||B" accepts either, one
 *			alternative per wording of the supported kernels.
 * __no_vm		do not give the kvm_accel_ops maps a VM: keep the
 *			vm_fd written in the object, to test bad VM fds.
 * __log_level(n)	verifier log level for every program (the bpf()
 *			log_level bits: 1, 2, 4 = statistics).  The default,
 *			4, logs the verifier's and the module's messages but
 *			no instruction trace; a failed test is loaded again at
 *			level 1 to show where it failed.
 *
 * The tags are only metadata: they do not change the code generated for
 * the program.
 */
#ifndef _KVM_ACCEL_VERIFIER_TESTS_H
#define _KVM_ACCEL_VERIFIER_TESTS_H

/*
 * Every tag is "comment:" (what the runner looks for) + a key; keys with a
 * value carry it after '='.  __msg also carries a sequence number: it keeps
 * two identical messages apart and gives the order they must appear in.
 */
#define KA_TEST_TAG(s)		__attribute__((btf_decl_tag("comment:ka_test_" s)))
#define KA_TEST_XSTR(s)		KA_TEST_STR(s)
#define KA_TEST_STR(s)		#s

#define __description(text)	KA_TEST_TAG("description=" text)
#define __success		KA_TEST_TAG("success")
#define __failure		KA_TEST_TAG("failure")
#define __load_errno(e)		KA_TEST_TAG("load_errno=" #e)
#define __attach_errno(e)	KA_TEST_TAG("attach_errno=" #e)
#define __msg(text)		KA_TEST_TAG("msg=" KA_TEST_XSTR(__COUNTER__) "=" text)
#define __no_vm			KA_TEST_TAG("no_vm")
#define __log_level(n)		KA_TEST_TAG("log_level=" #n)

#endif /* _KVM_ACCEL_VERIFIER_TESTS_H */
