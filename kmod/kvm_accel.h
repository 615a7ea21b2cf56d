/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_accel internal definitions.
 */
#ifndef _KVM_ACCEL_H
#define _KVM_ACCEL_H

#include <linux/completion.h>
#include <linux/kobject.h>
#include <linux/kvm_host.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/spinlock.h>
#include <kvm/iodev.h>
#include <kvm_accel_abi.h>
#include "kvm_accel_compat.h"

/*
 * The struct_ops type.  The members up to @name are set by the loader and
 * copied by init_member(); the rest is private to the module.  The BPF
 * view in bpf/kvm_accel.h must list the public members with these names.
 */
struct kvm_accel_ops {
	int (*read)(struct kvm_accel_ctx *ctx);
	int (*write)(struct kvm_accel_ctx *ctx);
	int vm_fd;
	u32 bus;
	u64 base;
	u64 len;
	u32 flags;
	u32 nr_eventfds;
	int eventfds[KVM_ACCEL_MAX_EVENTFDS];
	char name[KVM_ACCEL_NAME_LEN];
	u64 budget_ns;
	u64 window_ns;
	u64 window_budget_ns;
	/* private: */
	struct kvm_accel_att *att;
};

/*
 * What one struct_ops map contributes to an attachment: its programs and
 * the eventfds it resolved.  Replaced as a whole when the link is updated,
 * so a vCPU sees either the old programs with the old eventfds or the new
 * ones with the new, never a mix.
 */
struct kvm_accel_binding {
	struct kvm_accel_ops *ops;
	u32 nr_eventfds;
	struct eventfd_ctx *eventfds[KVM_ACCEL_MAX_EVENTFDS];
};

struct kvm_accel_stats {
	u64 handled;	/* elements completed in the kernel (a string has several) */
	u64 exits;	/* program declined or absent: exited to the VMM */
	u64 errors;	/* bad return value or malformed access: exited */
	/* The runtime window of this CPU, in TSC cycles (kvm_accel_charge()). */
	u64 window_start;
	u64 window_used;
};

/* Why, when and by what an attachment was disabled (KVM_ACCEL_DISABLED_*). */
struct kvm_accel_trip {
	u32 reason;
	u32 trips;		/* times it was disabled since it was attached */
	bool write;		/* the write program, else the read program */
	u32 vcpu_id;
	u64 addr;
	u64 when_ns;		/* CLOCK_REALTIME */
	u64 time_ns;		/* the call's time, or the window's */
	u64 limit_ns;		/* the budget it went over */
};

/* An attachment's budget (kvm_accel_abi.h), in ns and in TSC cycles. */
struct kvm_accel_budget {
	u64 call_ns, window_ns, window_budget_ns;
	u64 call_cyc, window_cyc, window_budget_cyc;
};

/*
 * One attached range, created by reg() and freed by the kobject release.
 *
 * The attachment does not keep its VM alive: @kvm is valid while the device
 * is on the VM's bus, and KVM destroys the devices of its buses when it
 * destroys the VM.  That destructor call is the attachment's death notice:
 * it sets @defunct, and from then on @kvm must not be touched.  The link
 * and the counters live on until the link is closed.
 */
struct kvm_accel_att {
	struct kvm_io_device iodev;
	struct kvm *kvm;
	spinlock_t state_lock;		/* @defunct, and @kvm's validity */
	bool defunct;			/* off the bus: the VM is gone */
	struct completion off_bus;	/* completed by the death notice */
	struct kvm_accel_binding __rcu *binding;
	enum kvm_bus bus_idx;
	u32 bus;
	u64 base;
	u64 len;
	struct bpf_link *link;	/* holds the attachment; outlives it */
	u32 sysfs_id;		/* its directory's name, 0 until added */
	pid_t vm_pid;
	char name[KVM_ACCEL_NAME_LEN];
	struct kvm_accel_stats __percpu *stats;
	struct kvm_accel_budget budget;	/* fixed at attach time */
	int disabled;			/* KVM_ACCEL_DISABLED_*, read without the lock */
	struct kvm_accel_trip trip;	/* the latest, under @state_lock */
	struct list_head node;	/* on kvm_accel_list, under kvm_accel_lock */
	struct kobject kobj;
};

/* kvm_accel_iobus.c */
int kvm_accel_iobus_add(struct kvm *kvm, enum kvm_bus bus_idx, gpa_t addr,
			int len, struct kvm_io_device *dev);
bool kvm_accel_iobus_remove(struct kvm *kvm, enum kvm_bus bus_idx,
			    struct kvm_io_device *dev);

/* kvm_accel_string.c */
int kvm_accel_pio_elements(struct kvm_vcpu *vcpu, u16 port, int len,
			   const void *val, bool write);
const char *kvm_accel_emul_layout(void);

/* kvm_accel_vm.c */
struct kvm *kvm_accel_vm_get(int fd, struct file **filep);

/* kvm_accel_sysfs.c */
int kvm_accel_sysfs_init(void);
void kvm_accel_sysfs_exit(void);
int kvm_accel_sysfs_add(struct kvm_accel_att *att);
void kvm_accel_sysfs_del(struct kvm_accel_att *att);
void kvm_accel_att_kobj_init(struct kvm_accel_att *att);
void kvm_accel_att_free(struct kvm_accel_att *att);
void kvm_accel_sysfs_notify_state(struct kvm_accel_att *att);
void kvm_accel_sysfs_notify_disabled(struct kvm_accel_att *att);

#endif /* _KVM_ACCEL_H */
