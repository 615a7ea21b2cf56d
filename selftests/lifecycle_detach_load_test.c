// SPDX-License-Identifier: GPL-2.0
/*
 * Guards detaching under load.  While four vCPUs write and read back their
 * registers as fast as they can, the test ends the attachment and makes a
 * new one, again and again for KA_LIFECYCLE_SECONDS, ending it in each of
 * the four ways there are, in turn: kvm_accel_detach(), `kvm-accel detach
 * ID` from another process (both BPF_LINK_DETACH, the second on the link
 * id), BPF_LINK_DETACH on the link fd, and closing the last link fd.
 *  - Every access is handled exactly once, in the kernel or by the VMM,
 *    access by access (lifecycle.h) and in total, per vCPU.
 *  - Reads say who answered them (lifecycle.h): once a detach has
 *    returned no read reaches the program, once an attach has returned
 *    none exits, and no vCPU ever goes back to an earlier state.
 *  - Values are what the vCPU wrote, whichever path stored and read them.
 *  - All the while, unloading kvm_accel is refused: an attachment on
 *    another VM keeps it busy between our own attachments.
 * One register file serves every attachment, as for a VMM re-enabling a
 * device: the library reattaches a freshly loaded object on it, the other
 * ways link the first object's struct_ops map again (loading an object
 * takes the test VM a second or two, a link a few milliseconds).
 */
#include <fcntl.h>
#include <sys/mman.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "accel_test_harness.h"
#include "lifecycle_test_util.h"

enum detach_how {
	DETACH_LIBRARY,
	DETACH_CLI,
	DETACH_LINK,
	DETACH_CLOSE,
	NR_DETACH_HOW,
};

static const char * const detach_name[NR_DETACH_HOW] = {
	"kvm_accel_detach()", "kvm-accel detach", "BPF_LINK_DETACH", "close",
};

/* The cycles to run: each way twice at least. */
#define MIN_CYCLES	(2 * NR_DETACH_HOW)
#define MAX_CYCLES	100000

/* One attachment: made by the library, or a link of the held map. */
struct attachment {
	struct kvm_accel_dev *dev;	/* NULL for a plain link */
	int link_fd;			/* the plain link's */
	__u32 link_id;
};

/* A descriptor of @dev's map @name, kept by the test beyond @dev. */
static int map_hold(struct kvm_accel_dev *dev, const char *name)
{
	struct bpf_map *map;
	int fd;

	map = bpf_object__find_map_by_name(kvm_accel_object(dev), name);
	TEST_ASSERT(map, "no %s map", name);
	fd = fcntl(bpf_map__fd(map), F_DUPFD_CLOEXEC, 0);
	TEST_ASSERT(fd >= 0, "dup: %s", strerror(errno));
	return fd;
}

/* Attach in the way the next detach needs: through the library or a link. */
static struct attachment attach(struct kvm_vm *vm, const struct accel_bus *bus,
				enum detach_how how, int regs_fd, int ops_fd)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .bus = bus->bus, .base = bus->base,
			      .len = bus->len);
	struct attachment a = { .link_fd = -1 };
	struct bpf_link_info info = {};
	__u32 info_len = sizeof(info);
	struct bpf_map *map;
	int ret;

	if (how == DETACH_LIBRARY) {
		ret = kvm_accel_open(accel_obj_path(bus->obj), &opts, &a.dev);
		TEST_ASSERT(!ret, "kvm_accel_open: %s", strerror(-ret));
		map = bpf_object__find_map_by_name(kvm_accel_object(a.dev), ".bss");
		TEST_ASSERT(map, "no .bss map");
		/* The first attachment brings the register file. */
		ret = regs_fd >= 0 ? bpf_map__reuse_fd(map, regs_fd) : 0;
		ret = ret ?: kvm_accel_dev_attach(a.dev, vm->fd);
		TEST_ASSERT(!ret, "attaching again: %s", strerror(-ret));
		a.link_id = accel_link_id(a.dev);
		return a;
	}
	a.link_fd = bpf_link_create(ops_fd, 0, BPF_STRUCT_OPS, NULL);
	TEST_ASSERT(a.link_fd >= 0, "linking the map again: %s", strerror(errno));
	ret = bpf_link_get_info_by_fd(a.link_fd, &info, &info_len);
	TEST_ASSERT(!ret, "link info: %s", strerror(errno));
	a.link_id = info.id;
	return a;
}

/* The attachment is gone once @how has returned, before any fd is closed. */
static void assert_gone(const struct attachment *a, enum detach_how how)
{
	TEST_ASSERT(!accel_attached(a->link_id), "attachment %u outlived %s",
		    a->link_id, detach_name[how]);
}

static void detach(struct attachment *a, enum detach_how how)
{
	char out[512], err[512];
	int ret;

	switch (how) {
	case DETACH_LIBRARY:
		ret = kvm_accel_detach(a->dev);
		TEST_ASSERT(!ret, "kvm_accel_detach: %s", strerror(-ret));
		break;
	case DETACH_CLI:
		ret = accel_cli(out, sizeof(out), err, sizeof(err), "detach %u",
				a->link_id);
		TEST_ASSERT(!ret, "kvm-accel detach %u exited with %d", a->link_id, ret);
		assert_gone(a, how);
		close(a->link_fd);
		break;
	case DETACH_LINK:
		ret = bpf_link_detach(a->link_fd);
		TEST_ASSERT(!ret, "BPF_LINK_DETACH: %s", strerror(errno));
		assert_gone(a, how);
		close(a->link_fd);
		break;
	default:
		close(a->link_fd);
		break;
	}
	assert_gone(a, how);
}

ACCEL_BUS_SUITE(detach_load, &lifecycle_pio, &lifecycle_mmio);

TEST_F_TIMEOUT(detach_load, cycles, 600)
{
	const struct accel_bus *bus = variant->bus;
	struct lifecycle_vm lifecycle_vm, *lv = &lifecycle_vm;
	__u64 accesses = 0, exits = 0, handled_before = 0;
	unsigned int ways[NR_DETACH_HOW] = {};
	struct lifecycle_unloader unloader;
	struct kvm_accel_dev *anchor;
	struct lifecycle_regs *regs;
	struct lifecycle_race race;
	struct accel_refs before;
	struct kvm_vm *anchor_vm;
	struct attachment a;
	int i, regs_fd, ops_fd;
	enum detach_how how;
	unsigned int cycle;

	before = accel_refs();
	anchor_vm = vm_create(1);
	anchor = accel_attach(anchor_vm, &lifecycle_pio);
	lifecycle_unloader_start(&unloader);

	/* Phases: even attached (reads tagged 1), odd detached (0). */
	lifecycle_vm_create(lv, bus, 1, 0);
	a = attach(lv->vm, bus, DETACH_LIBRARY, -1, -1);
	regs_fd = map_hold(a.dev, ".bss");
	ops_fd = map_hold(a.dev, "lifecycle_dev");
	regs = mmap(NULL, getpagesize(), PROT_READ | PROT_WRITE, MAP_SHARED, regs_fd, 0);
	TEST_ASSERT(regs != MAP_FAILED, "mmap: %s", strerror(errno));
	lifecycle_vm_start(lv, regs);

	lifecycle_race_init(&race, MIN_CYCLES, MAX_CYCLES);
	for (cycle = 0; lifecycle_race_more(&race); cycle++) {
		how = cycle % NR_DETACH_HOW;
		lifecycle_phase_begin(lv);
		detach(&a, how);
		lifecycle_phase_end(lv);
		ways[how]++;

		/* Nothing runs the program now: its counters stand still. */
		handled_before = lifecycle_handled_total(regs);
		lifecycle_phase_begin(lv);
		a = attach(lv->vm, bus, (how + 1) % NR_DETACH_HOW, regs_fd, ops_fd);
		lifecycle_phase_end(lv);
	}
	lifecycle_vm_stop(lv);
	lifecycle_unloader_stop(&unloader);

	for (i = 0; i < LIFECYCLE_NR_VCPUS; i++) {
		lifecycle_check_vcpu(lv, regs, i);
		accesses += lv->stats[i].accesses;
		exits += lv->load.vcpus[i].vmm.exits;
	}
	/* The module counted the last attachment's share, and no error. */
	accel_assert_counters(a.link_id, lifecycle_handled_total(regs) - handled_before, 0, 0);
	ksft_print_msg("%s: %u detaches under load (%u %s, %u %s, %u %s, %u %s), %d vCPUs, %llu accesses: %llu handled, %llu exits\n",
		       bus->bus == KVM_ACCEL_BUS_PIO ? "pio" : "mmio", cycle,
		       ways[0], detach_name[0], ways[1], detach_name[1],
		       ways[2], detach_name[2], ways[3], detach_name[3],
		       LIFECYCLE_NR_VCPUS, accesses, lifecycle_handled_total(regs), exits);

	detach(&a, cycle % NR_DETACH_HOW);
	kvm_accel_detach(anchor);
	kvm_vm_free(anchor_vm);
	kvm_vm_free(lv->vm);
	munmap(regs, getpagesize());
	close(regs_fd);
	close(ops_fd);
	TEST_ASSERT(accel_wait_released(a.link_id, &before),
		    "attachment %u or a reference outlived the test", a.link_id);
}

TEST_HARNESS_MAIN
