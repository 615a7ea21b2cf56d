// SPDX-License-Identifier: GPL-2.0
/*
 * From a VM file descriptor to its struct kvm, without KVM's own test.
 *
 * Since 6.18 KVM exports its "is this a VM file" helper to kvm-amd and
 * kvm-intel only (README.md, "Supported kernels"), and the type of a VM
 * file, kvm_vm_fops, was never exported.  A VM file is
 * recognised here by what only KVM can make:
 *
 *  - it lives on the anonymous-inode filesystem.  That filesystem has no
 *    user-visible namespace: its files are made only by kernel code calling
 *    anon_inode_getfile() or anon_inode_getfd(), and that code chooses the
 *    name of the file's dentry.  No system call can create or rename one.
 *  - its name is "kvm-vm".  The one caller that passes that name, in every
 *    kernel this module supports (checked in 6.12, 7.2 and 7.3), is
 *    kvm_dev_ioctl_create_vm(), and the file's private_data is the struct
 *    kvm it created.  The other KVM files have other names: "kvm-vcpu:N",
 *    the device names of KVM_CREATE_DEVICE ("kvm-vfio", ...), and
 *    "[kvm-gmem]".
 *  - its operations belong to KVM: kvm_init() makes the vendor module
 *    (kvm_amd or kvm_intel) the owner of every KVM file's operations, and
 *    a KVM built into the kernel leaves the owner NULL.
 *
 * The caller keeps the file until it is done with the VM: an open VM file
 * holds a reference on the VM, so nothing else is needed to use it.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include "kvm_accel.h"

#define KVM_ACCEL_VM_FILE	"kvm-vm"

static const char *kvm_accel_anon_kind(const char *name)
{
	if (!strcmp(name, KVM_ACCEL_VM_FILE))
		return NULL;
	if (str_has_prefix(name, "kvm-vcpu"))
		return "a vCPU fd: pass the VM fd";
	if (!strcmp(name, "[kvm-gmem]"))
		return "guest_memfd memory";
	if (str_has_prefix(name, "kvm-"))
		return "a KVM device fd (KVM_CREATE_DEVICE)";
	if (!strcmp(name, "[eventfd]"))
		return "an eventfd";
	return "an anonymous-inode file of another kind";
}

/* Why @f is not a KVM VM file, or NULL if it is one. */
static const char *kvm_accel_file_kind(struct file *f)
{
	struct inode *inode = file_inode(f);
	struct module *owner = f->f_op->owner;
	const char *kind;

	if (S_ISCHR(inode->i_mode) && imajor(inode) == MISC_MAJOR &&
	    iminor(inode) == KVM_MINOR)
		return "/dev/kvm: a VM is made from it with KVM_CREATE_VM";
	if (inode->i_sb->s_magic != ANON_INODE_FS_MAGIC)
		return "not a KVM file";
	kind = kvm_accel_anon_kind((const char *)f->f_path.dentry->d_name.name);
	if (kind)
		return kind;
	if (owner && strncmp(module_name(owner), "kvm", 3))
		return "a \"kvm-vm\" file not made by KVM";
	if (!f->private_data)
		return "a VM file without a VM";
	return NULL;
}

/*
 * The VM behind @fd of the calling task.  On success *@filep holds the VM
 * file, which keeps the VM alive until the caller fput()s it.  Every refusal
 * is -EBADF with a line in the kernel log that says what the fd was: reg()
 * runs at BPF_LINK_CREATE, which has no verifier log to write to.
 */
struct kvm *kvm_accel_vm_get(int fd, struct file **filep)
{
	const char *kind;
	struct file *f;

	f = fget(fd);
	if (!f) {
		pr_notice_ratelimited("kvm_accel: %s[%d]: vm_fd %d is not an open file\n",
				      current->comm, task_pid_nr(current), fd);
		return ERR_PTR(-EBADF);
	}
	kind = kvm_accel_file_kind(f);
	if (kind) {
		pr_notice_ratelimited("kvm_accel: %s[%d]: vm_fd %d (%pD) is not a KVM VM: %s\n",
				      current->comm, task_pid_nr(current), fd, f,
				      kind);
		fput(f);
		return ERR_PTR(-EBADF);
	}
	*filep = f;
	return f->private_data;
}
