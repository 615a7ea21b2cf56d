// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the MPIC slow path's API (devices/mpic/mpic_slowpath.h) on bad
 * input: every refusal is the documented errno and changes nothing (no
 * register, no descriptor, no partial set-up left behind).  Also what an
 * access the guest cannot make through the fast path gets: fragments of
 * odd lengths and reads reaching past the window; and that failed
 * deliveries and a failed re-routing are reported, not hidden.
 */
#include <dirent.h>

#include "kselftest_harness.h"
#include "mpic_vm.h"

#define BASE	MPIC_TEST_BASE

static int nr_open_fds(void)
{
	struct dirent *de;
	DIR *dir = opendir("/proc/self/fd");
	int n = 0;

	TEST_ASSERT(dir, "/proc/self/fd: %s", strerror(errno));
	while ((de = readdir(dir)))
		n += de->d_name[0] != '.';
	closedir(dir);
	return n;
}

static struct mpic *model(uint32_t nr_cpus, const int *eventfds,
			  int (*set_vector)(void *, __u32, __u32), void *opaque)
{
	struct mpic_config cfg = {
		.base = BASE,
		.nr_cpus = nr_cpus,
		.eventfds = eventfds,
		.set_vector = set_vector,
		.opaque = opaque,
	};
	struct mpic *m;
	int ret;

	ret = mpic_create(&cfg, NULL, &m);
	TEST_ASSERT(!ret, "mpic_create: %s", strerror(-ret));
	return m;
}

static int rw32(struct mpic *m, uint64_t off, bool write, uint32_t *val)
{
	return mpic_mmio(m, 0, BASE + off, 4, write, val);
}

static uint32_t read32(struct mpic *m, uint64_t off)
{
	uint32_t val = 0;

	TEST_ASSERT_EQ(rw32(m, off, false, &val), 0);
	return val;
}

static void write32(struct mpic *m, uint64_t off, uint32_t val)
{
	TEST_ASSERT_EQ(rw32(m, off, true, &val), 0);
}

TEST(create_refuses_bad_config)
{
	struct mpic_config cfg = { .base = BASE, .nr_cpus = 2 };
	struct mpic_regs regs;
	struct mpic *m = NULL;
	uint32_t n, i;

	TEST_ASSERT_EQ(mpic_create(NULL, NULL, &m), -EINVAL);
	TEST_ASSERT_EQ(mpic_create(&cfg, NULL, NULL), -EINVAL);
	cfg.nr_cpus = 0;
	TEST_ASSERT_EQ(mpic_create(&cfg, NULL, &m), -EINVAL);
	cfg.nr_cpus = MPIC_MAX_CPUS + 1;
	TEST_ASSERT_EQ(mpic_create(&cfg, NULL, &m), -EINVAL);
	cfg.nr_cpus = 2;
	cfg.base = -(uint64_t)(MPIC_SIZE / 2);
	TEST_ASSERT_EQ(mpic_create(&cfg, NULL, &m), -EINVAL);
	TEST_ASSERT(!m, "a refused mpic_create() returned a device");

	/* A register file given full of garbage comes out in reset state. */
	memset(&regs, 0xaa, sizeof(regs));
	cfg.base = BASE;
	TEST_ASSERT_EQ(mpic_create(&cfg, &regs, &m), 0);
	TEST_ASSERT(mpic_regfile(m) == &regs, "the device does not use the given file");
	TEST_ASSERT(regs.nr_cpus == 2 && regs.nr_eventfds == 0 && regs.svr == MPIC_SVR_RESET &&
		    regs.frr == (1 << MPIC_FRR_NCPU_SHIFT | MPIC_FRR_VID) && !regs.signal_errors,
		    "global words after reset: nr_cpus %llu nr_eventfds %llu svr 0x%llx frr 0x%llx",
		    regs.nr_cpus, regs.nr_eventfds, regs.svr, regs.frr);
	for (i = 0; i < MPIC_NR_IPIS; i++)
		TEST_ASSERT_EQ(regs.ivpr[i], MPIC_IVPR_RESET);
	for (n = 0; n < MPIC_MAX_CPUS; n++) {
		TEST_ASSERT_EQ(regs.cpu[n].ctpr, MPIC_CTPR_RESET);
		TEST_ASSERT_EQ(regs.cpu[n].pending, 0);
		TEST_ASSERT_EQ(regs.cpu[n].raised[0], 0);
	}
	mpic_destroy(m);
}

TEST(mmio_refuses_bad_access)
{
	struct mpic *m = model(2, NULL, NULL, NULL);
	struct mpic_regs before;
	uint64_t val = 0x1122334455667788ULL;

	write32(m, MPIC_CTPR, 3);
	before = *mpic_regfile(m);

	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CTPR, 0, true, &val), -EINVAL);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CTPR, 9, true, &val), -EINVAL);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CTPR, 9, false, &val), -EINVAL);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CTPR, 4, true, NULL), -EINVAL);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE - 4, 4, false, &val), -ERANGE);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_SIZE, 4, true, &val), -ERANGE);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, 0, 4, true, &val), -ERANGE);
	TEST_ASSERT_EQ(val, 0x1122334455667788ULL);
	TEST_ASSERT(!memcmp(&before, mpic_regfile(m), sizeof(before)),
		    "a refused access changed the register file");

	/* Past the window, a read sees no device: all ones. */
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_SIZE - 4, 8, false, &val), 0);
	TEST_ASSERT_EQ(val, 0xffffffff00000000ULL);

	/* Fragments of a page-crossing access: any length, the same rules. */
	val = 0;
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CPU_VIEW(1) + MPIC_WHOAMI, 3, false, &val), 0);
	TEST_ASSERT_EQ(val, 1);
	val = 7;
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CTPR, 3, true, &val), 0);
	TEST_ASSERT_EQ(read32(m, MPIC_CTPR), 3);
	TEST_ASSERT_EQ(mpic_mmio(m, 0, BASE + MPIC_CTPR, 5, true, &val), 0);
	TEST_ASSERT_EQ(read32(m, MPIC_CTPR), 7);
	mpic_destroy(m);
}

TEST(failed_delivery_is_reported)
{
	uint32_t ivpr = mpic_ivpr(MPIC_CTPR_MASK, 0x40), mask = 1 << 1;
	int efds[2 * MPIC_NR_IPIS], i;
	struct mpic_regs *r;
	struct mpic *m;

	/* No eventfds at all: -ENXIO, and counted. */
	m = model(2, NULL, NULL, NULL);
	r = mpic_regfile(m);
	write32(m, MPIC_IPIVPR(0), ivpr);
	write32(m, MPIC_CPU_VIEW(1) + MPIC_CTPR, 0);
	TEST_ASSERT_EQ(rw32(m, MPIC_IPIDR(0), true, &mask), -ENXIO);
	TEST_ASSERT(r->signal_errors == 1 && r->cpu[1].raised[0] == 1 &&
		    r->cpu[1].delivered[0] == 1,
		    "signal errors %llu raised %llu delivered %llu", r->signal_errors,
		    r->cpu[1].raised[0], r->cpu[1].delivered[0]);
	mpic_destroy(m);

	/* A closed eventfd: its errno, and counted. */
	for (i = 0; i < ARRAY_SIZE(efds); i++) {
		efds[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		TEST_ASSERT(efds[i] >= 0, "eventfd: %s", strerror(errno));
	}
	close(efds[MPIC_EVENTFD(1, 2)]);
	m = model(2, efds, NULL, NULL);
	r = mpic_regfile(m);
	write32(m, MPIC_IPIVPR(2), ivpr);
	write32(m, MPIC_CPU_VIEW(1) + MPIC_CTPR, 0);
	mask = 3;
	write32(m, MPIC_CTPR, 0);
	TEST_ASSERT_EQ(rw32(m, MPIC_IPIDR(2), true, &mask), -EBADF);
	TEST_ASSERT_EQ(r->signal_errors, 1);
	TEST_ASSERT(r->cpu[0].delivered[2] == 1 && r->cpu[1].delivered[2] == 1,
		    "delivered %llu and %llu", r->cpu[0].delivered[2], r->cpu[1].delivered[2]);
	mpic_destroy(m);
	for (i = 0; i < ARRAY_SIZE(efds); i++)
		if (i != MPIC_EVENTFD(1, 2))
			close(efds[i]);
}

struct routing_hook {
	int calls;
	int ret;
	__u32 ipi, vector;
};

static int routing_hook(void *opaque, __u32 ipi, __u32 vector)
{
	struct routing_hook *h = opaque;

	h->calls++;
	h->ipi = ipi;
	h->vector = vector;
	return h->ret;
}

TEST(failed_routing_keeps_the_register)
{
	struct routing_hook hook = {};
	struct mpic *m = model(1, NULL, routing_hook, &hook);
	uint32_t val;

	/* Routed once per new usable vector, never for an unusable one. */
	write32(m, MPIC_IPIVPR(1), mpic_ivpr(4, 0x50));
	TEST_ASSERT(hook.calls == 1 && hook.ipi == 1 && hook.vector == 0x50,
		    "hook: %d calls, last IPI %u vector 0x%x", hook.calls, hook.ipi,
		    hook.vector);
	write32(m, MPIC_IPIVPR(1), mpic_ivpr(6, 0x50));
	write32(m, MPIC_IPIVPR(1), MPIC_IVPR_MSK | mpic_ivpr(6, MPIC_VECTOR_MIN - 1));
	TEST_ASSERT_EQ(hook.calls, 1);

	/* A failed re-routing fails the write and leaves the register. */
	hook.ret = -EIO;
	val = mpic_ivpr(6, 0x60);
	TEST_ASSERT_EQ(rw32(m, MPIC_IPIVPR(1), true, &val), -EIO);
	TEST_ASSERT_EQ(read32(m, MPIC_IPIVPR(1)),
		       MPIC_IVPR_MSK | mpic_ivpr(6, MPIC_VECTOR_MIN - 1));
	hook.ret = 0;
	write32(m, MPIC_IPIVPR(1), mpic_ivpr(6, 0x60));
	TEST_ASSERT(hook.calls == 3 && hook.vector == 0x60, "hook: %d calls, vector 0x%x",
		    hook.calls, hook.vector);
	TEST_ASSERT_EQ(read32(m, MPIC_IPIVPR(1)), mpic_ivpr(6, 0x60));
	mpic_destroy(m);
}

TEST(irq_plumbing)
{
	const __u32 apic_ids[2] = { 0, 1 }, bad_ids[2] = { 0, 256 };
	struct kvm_irq_routing_entry route = {
		.gsi = MPIC_TEST_GSI_BASE + 3,
		.type = KVM_IRQ_ROUTING_MSI,
	};
	struct mpic_irq *irq = NULL;
	const int *efds;
	int fds, not_vm;
	struct kvm_vm *vm;
	__u32 nr, i;

	vm = vm_create(1);
	fds = nr_open_fds();

	TEST_ASSERT_EQ(mpic_irq_create(-1, apic_ids, 2, MPIC_TEST_GSI_BASE, NULL, 0, &irq), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, apic_ids, 0, MPIC_TEST_GSI_BASE, NULL, 0, &irq), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, apic_ids, MPIC_MAX_CPUS + 1, 0, NULL, 0, &irq), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, apic_ids, 2, 0, NULL, 1, &irq), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, bad_ids, 2, MPIC_TEST_GSI_BASE, NULL, 0, &irq), -ERANGE);
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, apic_ids, 2, -4U, NULL, 0, &irq), -ERANGE);
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, apic_ids, 2, MPIC_TEST_GSI_BASE, &route, 1, &irq), -EEXIST);
	/* An fd that is no VM: KVM's own error, and nothing left open. */
	not_vm = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(not_vm >= 0, "eventfd: %s", strerror(errno));
	TEST_ASSERT_EQ(mpic_irq_create(not_vm, apic_ids, 2, MPIC_TEST_GSI_BASE, NULL, 0, &irq),
		       -ENOTTY);
	close(not_vm);
	TEST_ASSERT(!irq, "a refused mpic_irq_create() returned plumbing");
	TEST_ASSERT_EQ(nr_open_fds(), fds);

	/* The real thing, next to a route of the VMM's own. */
	route.gsi = MPIC_TEST_GSI_BASE - 1;
	TEST_ASSERT_EQ(mpic_irq_create(vm->fd, apic_ids, 2, MPIC_TEST_GSI_BASE, &route, 1, &irq), 0);
	efds = mpic_irq_eventfds(irq, &nr);
	TEST_ASSERT_EQ(nr, 2 * MPIC_NR_IPIS);
	TEST_ASSERT_EQ(nr_open_fds(), fds + nr);
	for (i = 0; i < nr; i++)
		TEST_ASSERT_EQ(kvm_accel_check_eventfd(efds[i]), 0);
	TEST_ASSERT_EQ(mpic_irq_set_vector(irq, MPIC_NR_IPIS, 0x40), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_set_vector(irq, 0, MPIC_VECTOR_MIN - 1), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_set_vector(irq, 0, 0x100), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_set_vector(NULL, 0, 0x40), -EINVAL);
	TEST_ASSERT_EQ(mpic_irq_set_vector(irq, 3, 0x40), 0);
	mpic_irq_destroy(irq);
	TEST_ASSERT_EQ(nr_open_fds(), fds);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
