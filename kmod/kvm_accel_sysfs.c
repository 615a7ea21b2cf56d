// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/kvm_accel/<link id>/: one directory per attachment, named by
 * the id of the BPF link that holds it, so userspace can go from a link to
 * its counters and back.  One value per file.
 *
 * The attachment is freed by the kobject release, after kobject_del() has
 * drained any reader still inside a show() method.
 */
#include <linux/slab.h>
#include <linux/sysfs.h>
#include "kvm_accel.h"

static struct kobject *kvm_accel_kobj;

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

static ssize_t vm_pid_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", to_att(kobj)->vm_pid);
}

static struct kobj_attribute vm_pid_attr = __ATTR_RO(vm_pid);

static struct attribute *kvm_accel_att_attrs[] = {
	&name_attr.attr,
	&bus_attr.attr,
	&base_attr.attr,
	&length_attr.attr,
	&vm_pid_attr.attr,
	&handled_attr.attr,
	&exits_attr.attr,
	&errors_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(kvm_accel_att);

static void kvm_accel_att_release(struct kobject *kobj)
{
	struct kvm_accel_att *att = to_att(kobj);

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
	return kobject_add(&att->kobj, kvm_accel_kobj, "%u", att->link_id);
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
}
