/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm-accel(8) conventions that scripts may rely on: exit statuses and the
 * pin directory.  Both are ABI of the command line tool.
 */
#ifndef _KVM_ACCEL_CLI_H
#define _KVM_ACCEL_CLI_H

/*
 * Exit statuses.  When several problems are present the first of this
 * order is reported: bad arguments (2), module not loaded (3), bad file
 * descriptor (4), bad object (5); kernel failures (1) come last.
 */
enum kvm_accel_exit {
	KVM_ACCEL_EXIT_OK		= 0,
	KVM_ACCEL_EXIT_FAILURE		= 1,	/* kernel or other failure */
	KVM_ACCEL_EXIT_USAGE		= 2,	/* bad command, option or argument */
	KVM_ACCEL_EXIT_NO_MODULE	= 3,	/* kvm_accel module not loaded */
	KVM_ACCEL_EXIT_BAD_FD		= 4,	/* VM fd or eventfd wrong, dead pid */
	KVM_ACCEL_EXIT_BAD_OBJECT	= 5,	/* object missing, not an accelerator */
	KVM_ACCEL_EXIT_NOT_FOUND	= 6,	/* no attachment with that link id */
};

/* Where the tool mounts bpffs if needed, and pins links (attach --pin) as link-<id>. */
#define KVM_ACCEL_BPFFS		"/sys/fs/bpf"
#define KVM_ACCEL_PIN_DIR	KVM_ACCEL_BPFFS "/kvm-accel"

#endif /* _KVM_ACCEL_CLI_H */
