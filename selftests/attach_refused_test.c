// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the attachments the module must refuse, each with its errno and
 * without leaving anything attached or referenced behind:
 *  - a range overlapping a device KVM has in the kernel (PIT, PIC, IOAPIC,
 *    a zero-length ioeventfd): -EEXIST;
 *  - a range overlapping another attachment: -EEXIST, while an adjacent one
 *    is accepted;
 *  - a struct_ops map without a link: -EOPNOTSUPP, from the module itself;
 *  - a file descriptor that is not a VM (a closed fd, /dev/null, /dev/kvm,
 *    a vCPU fd, a KVM device fd, an eventfd, a memfd): -EBADF, from the
 *    module itself, with a kernel log line that says what the fd was;
 *  - more than KVM_ACCEL_MAX_PER_VM attachments on one VM: -ENOSPC;
 *  - a range past the end of the bus: -EINVAL.
 * The library checks some of these before the kernel sees them; plain
 * libbpf is used where the module's own check is the subject.
 */
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"

static int attach_range(struct kvm_vm *vm, const struct accel_bus *bus,
			__u64 base, __u64 len, struct kvm_accel_dev **devp)
{
	return __accel_attach(vm->fd, accel_obj_path(bus->obj), bus->bus, base,
			      len, devp);
}

/* Attach expecting @err; nothing may be attached afterwards. */
static void assert_refused(struct kvm_vm *vm, const struct accel_bus *bus,
			   __u64 base, __u64 len, int err)
{
	struct kvm_accel_dev *dev = NULL;
	int before = kvm_accel_list(NULL, 0);
	int ret;

	ret = attach_range(vm, bus, base, len, &dev);
	TEST_ASSERT(ret == err, "attaching at 0x%llx+0x%llx returned %d (%s), expected %d (%s)",
		    base, len, ret, strerror(-ret), err, strerror(-err));
	TEST_ASSERT(!dev, "a refused attach returned a device");
	TEST_ASSERT_EQ(kvm_accel_list(NULL, 0), before);
}

/*
 * Attach the only struct_ops map of test object @name to @vm_fd with plain
 * libbpf, so that only the module judges it.  Returns 0 or -errno.
 */
static int raw_attach(const char *name, int vm_fd)
{
	const struct btf_member *m;
	const struct btf_type *t;
	struct bpf_map *map, *pos;
	struct bpf_link *link;
	struct bpf_object *obj;
	const struct btf *btf;
	int i, err, *fd = NULL;
	__u8 *data;
	size_t size;

	obj = bpf_object__open_file(accel_obj_path(name), NULL);
	TEST_ASSERT(obj, "opening %s: %s", name, strerror(errno));
	map = NULL;
	bpf_object__for_each_map(pos, obj)
		if (bpf_map__type(pos) == BPF_MAP_TYPE_STRUCT_OPS)
			map = pos;
	TEST_ASSERT(map, "%s has no struct_ops map", name);

	btf = bpf_object__btf(obj);
	t = btf__type_by_id(btf, bpf_map__btf_value_type_id(map));
	data = bpf_map__initial_value(map, &size);
	TEST_ASSERT(t && data, "%s: no type or data for %s", name,
		    bpf_map__name(map));
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "vm_fd"))
			fd = (int *)(data + btf_member_bit_offset(t, i) / 8);
	TEST_ASSERT(fd, "%s: no vm_fd member", name);
	*fd = vm_fd;

	err = bpf_object__load(obj);
	TEST_ASSERT(!err, "loading %s: %s", name, strerror(-err));
	link = bpf_map__attach_struct_ops(map);
	err = link ? 0 : -errno;
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return err;
}

FIXTURE(refused) {
	struct accel_refs before;
	struct kvm_vm *vm;
};

FIXTURE_SETUP(refused)
{
	TEST_REQUIRE(kvm_accel_module_loaded());
	self->before = accel_refs();
	self->vm = vm_create(1);
}

/* Every refused or ended attachment must have given its references back. */
FIXTURE_TEARDOWN(refused)
{
	kvm_vm_free(self->vm);
	TEST_ASSERT(accel_wait_released(0, &self->before),
		    "module references not back to kvm_accel %ld, %s %ld",
		    self->before.accel, accel_kvm_vendor_module(),
		    self->before.kvm);
}

TEST_F(refused, inkernel_device)
{
	struct kvm_pit_config pit = {};
	struct kvm_ioeventfd ioev;
	int evfd;

	vm_ioctl(self->vm, KVM_CREATE_PIT2, &pit);
	assert_refused(self->vm, &accel_pio, 0x40, 4, -EEXIST);
	assert_refused(self->vm, &accel_pio, 0x3e, 4, -EEXIST);
	/* The PIC of the in-kernel irqchip. */
	assert_refused(self->vm, &accel_pio, 0x20, 2, -EEXIST);
	/* The in-kernel IOAPIC. */
	assert_refused(self->vm, &accel_mmio, 0xfec00000, 0x100, -EEXIST);

	/* An ioeventfd without a length claims its address for any width. */
	evfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(evfd, 0);
	ioev = (struct kvm_ioeventfd) {
		.addr = accel_mmio.base + 0x10,
		.len = 0,
		.fd = evfd,
	};
	vm_ioctl(self->vm, KVM_IOEVENTFD, &ioev);
	assert_refused(self->vm, &accel_mmio, accel_mmio.base, accel_mmio.len,
		       -EEXIST);
	close(evfd);
}

TEST_F(refused, other_attachment)
{
	struct kvm_accel_dev *first, *adjacent;
	int ret;

	ret = attach_range(self->vm, &accel_pio, 0x5000, 16, &first);
	ASSERT_EQ(ret, 0);
	assert_refused(self->vm, &accel_pio, 0x5008, 16, -EEXIST);
	assert_refused(self->vm, &accel_pio, 0x4ff8, 9, -EEXIST);
	ret = attach_range(self->vm, &accel_pio, 0x5010, 16, &adjacent);
	ASSERT_EQ(ret, 0);
	kvm_accel_detach(adjacent);

	ret = attach_range(self->vm, &accel_mmio, 0xc0000000, 64, &adjacent);
	ASSERT_EQ(ret, 0);
	assert_refused(self->vm, &accel_mmio, 0xc0000020, 64, -EEXIST);
	kvm_accel_detach(adjacent);
	kvm_accel_detach(first);
}

TEST_F(refused, map_without_link)
{
	struct kvm_accel_dev *dev = NULL;
	int ret;

	/* The library refuses it before loading... */
	ret = kvm_accel_attach(accel_obj_path("regfile_linkless.bpf.o"),
			       self->vm->fd, NULL, &dev);
	ASSERT_EQ(ret, -EOPNOTSUPP);
	ASSERT_NULL(dev);
	/* ...and so does the module when asked directly. */
	ASSERT_EQ(raw_attach("regfile_linkless.bpf.o", self->vm->fd), -EOPNOTSUPP);
	/* The same program with a link is fine. */
	ASSERT_EQ(raw_attach("regfile_pio.bpf.o", self->vm->fd), 0);
}

/*
 * Whether one kernel log record written since @kmsg was sought to its end
 * contains both @a and @b.
 */
static bool kmsg_has(int kmsg, const char *a, const char *b)
{
	bool found = false;
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: read on */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		if (strstr(rec, a) && strstr(rec, b))
			found = true;
	}
	return found;
}

/* The module refuses @fd as a VM with -EBADF and logs that it is @kind. */
static void assert_not_vm(int fd, const char *kind)
{
	char what[32];
	int kmsg;

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	TEST_ASSERT(kmsg >= 0, "open /dev/kmsg: %s", strerror(errno));
	TEST_ASSERT(lseek(kmsg, 0, SEEK_END) >= 0, "seek /dev/kmsg: %s", strerror(errno));
	TEST_ASSERT_EQ(raw_attach(accel_pio.obj, fd), -EBADF);
	snprintf(what, sizeof(what), "vm_fd %d ", fd);
	TEST_ASSERT(kmsg_has(kmsg, what, kind),
		    "no kernel log line saying vm_fd %d is %s", fd, kind);
	close(kmsg);
}

TEST_F(refused, not_a_vm_fd)
{
	struct kvm_create_device vfio = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_accel_dev *dev = NULL;
	int devnull, kvm_fd, vcpu_fd, evfd, memfd;
	struct kvm_vcpu *vcpu;

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_GE(devnull, 0);
	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ASSERT_GE(kvm_fd, 0);
	vcpu = vm_vcpu_add(self->vm, 0, NULL);
	vcpu_fd = vcpu->fd;
	ASSERT_EQ(__vm_ioctl(self->vm, KVM_CREATE_DEVICE, &vfio), 0);
	evfd = eventfd(0, EFD_CLOEXEC);
	ASSERT_GE(evfd, 0);
	memfd = memfd_create("ka-not-a-vm", MFD_CLOEXEC);
	ASSERT_GE(memfd, 0);

	/* The library says no first... */
	ASSERT_EQ(kvm_accel_attach(accel_obj_path(accel_pio.obj), devnull, NULL,
				   &dev), -EBADF);
	ASSERT_NULL(dev);
	/* ...the module on its own, each with what the fd is. */
	assert_not_vm(devnull, "not a KVM file");
	assert_not_vm(kvm_fd, "/dev/kvm");
	assert_not_vm(vcpu_fd, "a vCPU fd");
	assert_not_vm(vfio.fd, "a KVM device fd");
	assert_not_vm(evfd, "an eventfd");
	assert_not_vm(memfd, "not a KVM file");
	assert_not_vm(self->vm->fd + 1000, "not an open file");
	/* The VM itself is accepted. */
	ASSERT_EQ(raw_attach(accel_pio.obj, self->vm->fd), 0);

	close(memfd);
	close(evfd);
	close(vfio.fd);
	close(kvm_fd);
	close(devnull);
}

/* 17 object loads: past the harness's 30 s on the KASAN kernel of debug-check. */
TEST_F_TIMEOUT(refused, per_vm_limit, 300)
{
	struct kvm_accel_dev *devs[KVM_ACCEL_MAX_PER_VM], *other;
	struct kvm_vm *vm2;
	int i, ret;

	for (i = 0; i < KVM_ACCEL_MAX_PER_VM; i++) {
		ret = attach_range(self->vm, &accel_pio, 0x6000 + 0x10 * i, 0x10,
				   &devs[i]);
		ASSERT_EQ(ret, 0) {
			TH_LOG("attachment %d: %s", i, strerror(-ret));
		}
	}
	assert_refused(self->vm, &accel_pio, 0x7000, 0x10, -ENOSPC);
	assert_refused(self->vm, &accel_mmio, accel_mmio.base, accel_mmio.len,
		       -ENOSPC);

	/* The limit is per VM. */
	vm2 = vm_create(1);
	ret = attach_range(vm2, &accel_pio, 0x7000, 0x10, &other);
	ASSERT_EQ(ret, 0);
	kvm_accel_detach(other);
	kvm_vm_free(vm2);

	for (i = 0; i < KVM_ACCEL_MAX_PER_VM; i++)
		kvm_accel_detach(devs[i]);
}

TEST_F(refused, bad_range)
{
	assert_refused(self->vm, &accel_pio, 0xfff8, 0x10, -EINVAL);
	assert_refused(self->vm, &accel_pio, KVM_ACCEL_PIO_LIMIT, 1, -EINVAL);
	assert_refused(self->vm, &accel_mmio, ~0ULL - 0xf, 0x20, -EINVAL);
}

TEST_HARNESS_MAIN
