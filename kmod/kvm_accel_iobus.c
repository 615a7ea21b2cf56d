// SPDX-License-Identifier: GPL-2.0
/*
 * Insertion into and removal from KVM's io buses.
 *
 * kvm_io_bus_register_dev() and kvm_io_bus_unregister_dev() are not exported
 * to modules, and with CONFIG_X86_KERNEL_IBT their ENDBR is sealed, so they
 * cannot be called through a looked-up address either.  These two functions
 * perform the same steps as virt/kvm/kvm_main.c on the same data (struct
 * kvm_io_bus is a public type in <linux/kvm_host.h>, pinned by
 * kvm_accel_compat.h): build a new sorted copy of the bus under
 * kvm->slots_lock, publish it with rcu_assign_pointer() and retire the old
 * one once KVM's SRCU readers are done with it.
 *
 * Mirrored: kvm_io_bus_register_dev() and kvm_io_bus_unregister_dev() of
 * Linux 6.12 and of 6.18 to 7.3.  The one difference between them is how
 * register retires the old bus: 6.12 waits (synchronize_srcu_expedited()),
 * 6.18 queues call_srcu() on the new kvm_io_bus.rcu.  Both variants wait
 * here: a queued callback would be module code that KVM may run after the
 * module is gone (kvm_destroy_vm() drains it with srcu_barrier() long after
 * the attachment was told the VM died), and an attach is not a hot path.
 */
#include <linux/slab.h>
#include "kvm_accel.h"

/* Same ordering as kvm_io_bus_cmp() (6.12 to 7.3); the bus must stay sorted. */
static int kvm_accel_range_cmp(const struct kvm_io_range *r1,
			       const struct kvm_io_range *r2)
{
	gpa_t addr1 = r1->addr;
	gpa_t addr2 = r2->addr;

	if (addr1 < addr2)
		return -1;
	if (r2->len) {
		addr1 += r1->len;
		addr2 += r2->len;
	}
	if (addr1 > addr2)
		return 1;
	return 0;
}

/*
 * A zero-length range (an ioeventfd with no length) claims its address for
 * every width, so it overlaps anything that contains that address.
 */
static bool kvm_accel_range_overlaps(const struct kvm_io_range *r,
				     gpa_t addr, int len)
{
	u64 r_end = r->addr + max(r->len, 1);

	return r->addr < addr + len && addr < r_end;
}

int kvm_accel_iobus_add(struct kvm *kvm, enum kvm_bus bus_idx, gpa_t addr,
			int len, struct kvm_io_device *dev)
{
	struct kvm_io_bus *new_bus, *bus;
	struct kvm_io_range range;
	int i;

	lockdep_assert_held(&kvm->slots_lock);
	kvm_accel_compat_check_layout();

	bus = kvm_get_bus(kvm, bus_idx);
	if (!bus)
		return -ENOMEM;

	/*
	 * KVM lets overlapping devices coexist and calls them in order; an
	 * accelerator shadowing an in-kernel device or another accelerator
	 * would make the guest's view depend on registration order, so
	 * refuse it.
	 */
	for (i = 0; i < bus->dev_count; i++)
		if (kvm_accel_range_overlaps(&bus->range[i], addr, len))
			return -EEXIST;

	if (bus->dev_count - bus->ioeventfd_count > NR_IOBUS_DEVS - 1)
		return -ENOSPC;

	new_bus = kmalloc(struct_size(bus, range, bus->dev_count + 1),
			  GFP_KERNEL_ACCOUNT);
	if (!new_bus)
		return -ENOMEM;

	range = (struct kvm_io_range) {
		.addr = addr,
		.len = len,
		.dev = dev,
	};

	for (i = 0; i < bus->dev_count; i++)
		if (kvm_accel_range_cmp(&bus->range[i], &range) > 0)
			break;

	memcpy(new_bus, bus, struct_size(bus, range, i));
	new_bus->dev_count++;
	new_bus->range[i] = range;
	memcpy(new_bus->range + i + 1, bus->range + i,
	       flex_array_size(bus, range, bus->dev_count - i));
	rcu_assign_pointer(kvm->buses[bus_idx], new_bus);
	synchronize_srcu_expedited(&kvm->srcu);
	kfree(bus);
	return 0;
}

/*
 * Returns with no vCPU able to reach @dev any more, and true if @dev was on
 * the bus.  Unlike KVM's function (6.12 to 7.3) this does not call @dev's
 * destructor: that is the attachment's notice that KVM dropped the device
 * behind its back.  On allocation failure KVM's behaviour is kept: the bus
 * is replaced by NULL and every other device on it is destroyed.
 */
bool kvm_accel_iobus_remove(struct kvm *kvm, enum kvm_bus bus_idx,
			    struct kvm_io_device *dev)
{
	struct kvm_io_bus *new_bus, *bus;
	int i;

	lockdep_assert_held(&kvm->slots_lock);

	bus = kvm_get_bus(kvm, bus_idx);
	if (!bus)
		return false;

	for (i = 0; i < bus->dev_count; i++)
		if (bus->range[i].dev == dev)
			break;
	if (i == bus->dev_count)
		return false;

	new_bus = kmalloc(struct_size(bus, range, bus->dev_count - 1),
			  GFP_KERNEL_ACCOUNT);
	if (new_bus) {
		memcpy(new_bus, bus, struct_size(bus, range, i));
		new_bus->dev_count--;
		memcpy(new_bus->range + i, bus->range + i + 1,
		       flex_array_size(new_bus, range, new_bus->dev_count - i));
	}

	rcu_assign_pointer(kvm->buses[bus_idx], new_bus);
	synchronize_srcu_expedited(&kvm->srcu);

	if (!new_bus) {
		pr_err("kvm_accel: failed to shrink bus, removing it completely\n");
		for (i = 0; i < bus->dev_count; i++) {
			struct kvm_io_device *pos = bus->range[i].dev;

			if (pos != dev && pos->ops->destructor)
				pos->ops->destructor(pos);
		}
	}
	kfree(bus);
	return true;
}
