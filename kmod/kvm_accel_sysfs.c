// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/kvm_accel/<n>/: one directory per attachment, one value per
 * file.  link_id names the BPF link that holds the attachment, so userspace
 * can go from a link to its counters and back.  The directory cannot be
 * named by the link id: reg() runs before the link gets its id (the id is
 * published once the link is settled, after reg() returns), so directories
 * are numbered by the module and link_id is read when shown: it is 0 while
 * the link is still being created.
 *
 * state is "live" while the device is on its VM's bus and "defunct" once
 * the VM is gone (see struct kvm_accel_att); it is sysfs_notify()ed when it
 * changes, so userspace can poll() it instead of re-reading.
 *
 * The attachment is freed by the kobject release, after kobject_del() has
 * drained any reader still inside a show() method.
 */
#include <linux/bpf.h>
#include <linux/idr.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "kvm_accel.h"

static struct kobject *kvm_accel_kobj;
static DEFINE_IDA(kvm_accel_ida);

#define to_att(k) container_of(k, struct kvm_accel_att, kobj)

static struct kvm_accel_stats kvm_accel_sum(struct kvm_accel_att *att)
{
	struct kvm_accel_stats sum = {};
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kvm_accel_stats *s = per_cpu_ptr(att->stats, cpu);

		sum.handled += READ_ONCE(s->handled);
		sum.exits += READ_ONCE(s->exits);
		sum.errors += READ_ONCE(s->errors);
	}
	return sum;
}

#define KVM_ACCEL_STAT_ATTR(_field)					\
static ssize_t _field##_show(struct kobject *kobj,			\
			     struct kobj_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n", kvm_accel_sum(to_att(kobj))._field); \
}									\
static struct kobj_attribute _field##_attr = __ATTR_RO(_field)

KVM_ACCEL_STAT_ATTR(handled);
KVM_ACCEL_STAT_ATTR(exits);
KVM_ACCEL_STAT_ATTR(errors);

static ssize_t name_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", to_att(kobj)->name);
}

static struct kobj_attribute name_attr = __ATTR_RO(name);

static ssize_t bus_show(struct kobject *kobj, struct kobj_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%s\n", to_att(kobj)->bus == KVM_ACCEL_BUS_PIO ?
			  "pio" : "mmio");
}

static struct kobj_attribute bus_attr = __ATTR_RO(bus);

static ssize_t base_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "0x%llx\n", to_att(kobj)->base);
}

static struct kobj_attribute base_attr = __ATTR_RO(base);

static ssize_t length_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_att(kobj)->len);
}

static struct kobj_attribute length_attr = __ATTR_RO(length);

static ssize_t link_id_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(to_att(kobj)->link->id));
}
static struct kobj_attribute link_id_attr = __ATTR_RO(link_id);

static ssize_t vm_pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", to_att(kobj)->vm_pid);
}

static struct kobj_attribute vm_pid_attr = __ATTR_RO(vm_pid);

static ssize_t state_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct kvm_accel_att *att = to_att(kobj);
	bool defunct;

	spin_lock(&att->state_lock);
	defunct = att->defunct;
	spin_unlock(&att->state_lock);
	return sysfs_emit(buf, "%s\n", defunct ? "defunct" : "live");
}

static struct kobj_attribute state_attr = __ATTR_RO(state);

void kvm_accel_sysfs_notify_state(struct kvm_accel_att *att)
{
	sysfs_notify(&att->kobj, NULL, "state");
}

/*
 * "disabled": one line, "no" or the reason, then key=value pairs of the
 * latest trip (none before the first): reason, which program, when
 * (CLOCK_REALTIME ns), the time it ran and the budget it went over (ns),
 * the vCPU and the address of the access, and how often it was disabled.
 */
static ssize_t disabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	static const char *const why[] = {
		[KVM_ACCEL_DISABLED_NONE] = "no",
		[KVM_ACCEL_DISABLED_CALL] = "call",
		[KVM_ACCEL_DISABLED_WINDOW] = "window",
	};
	struct kvm_accel_att *att = to_att(kobj);
	struct kvm_accel_trip t;
	int disabled;

	spin_lock(&att->state_lock);
	disabled = att->disabled;
	t = att->trip;
	spin_unlock(&att->state_lock);
	if (!t.trips)
		return sysfs_emit(buf, "%s\n", why[disabled]);
	return sysfs_emit(buf, "%s last=%s prog=%s when_ns=%llu time_ns=%llu budget_ns=%llu vcpu=%u addr=0x%llx trips=%u\n",
			  why[disabled], why[t.reason], t.write ? "write" : "read",
			  t.when_ns, t.time_ns, t.limit_ns, t.vcpu_id, t.addr, t.trips);
}
static struct kobj_attribute disabled_attr = __ATTR_RO(disabled);

/* "budget": the attachment's budget, ns: per call, window, per window. */
static ssize_t budget_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	const struct kvm_accel_budget *bu = &to_att(kobj)->budget;

	return sysfs_emit(buf, "call_ns=%llu window_ns=%llu window_budget_ns=%llu\n",
			  bu->call_ns, bu->window_ns, bu->window_budget_ns);
}
static struct kobj_attribute budget_attr = __ATTR_RO(budget);

void kvm_accel_sysfs_notify_disabled(struct kvm_accel_att *att)
{
	sysfs_notify(&att->kobj, NULL, "disabled");
}

static struct attribute *kvm_accel_att_attrs[] = {
	&link_id_attr.attr,
	&name_attr.attr,
	&bus_attr.attr,
	&base_attr.attr,
	&length_attr.attr,
	&vm_pid_attr.attr,
	&state_attr.attr,
	&handled_attr.attr,
	&exits_attr.attr,
	&errors_attr.attr,
	&disabled_attr.attr,
	&budget_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kvm_accel_att);

static void kvm_accel_att_release(struct kobject *kobj)
{
	struct kvm_accel_att *att = to_att(kobj);

	if (att->sysfs_id)
		ida_free(&kvm_accel_ida, att->sysfs_id);
	free_percpu(att->stats);
	kfree(att);
}

static const struct kobj_type kvm_accel_att_ktype = {
	.release = kvm_accel_att_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = kvm_accel_att_groups,
};

int kvm_accel_sysfs_add(struct kvm_accel_att *att)
{
	int id;

	id = ida_alloc_min(&kvm_accel_ida, 1, GFP_KERNEL);
	if (id < 0)
		return id;
	att->sysfs_id = id;
	return kobject_add(&att->kobj, kvm_accel_kobj, "%u", att->sysfs_id);
}

void kvm_accel_sysfs_del(struct kvm_accel_att *att)
{
	kobject_del(&att->kobj);
}

/* Drop the attachment's last reference; frees it once sysfs is done. */
void kvm_accel_att_free(struct kvm_accel_att *att)
{
	kobject_put(&att->kobj);
}

void kvm_accel_att_kobj_init(struct kvm_accel_att *att)
{
	kobject_init(&att->kobj, &kvm_accel_att_ktype);
}

int kvm_accel_sysfs_init(void)
{
	kvm_accel_kobj = kobject_create_and_add("kvm_accel", kernel_kobj);
	return kvm_accel_kobj ? 0 : -ENOMEM;
}

void kvm_accel_sysfs_exit(void)
{
	kobject_put(kvm_accel_kobj);
	ida_destroy(&kvm_accel_ida);
}
