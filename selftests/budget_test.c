// SPDX-License-Identifier: GPL-2.0
/*
 * The runtime budget (kvm_accel_abi.h): a program that runs too long is
 * disabled, the guest goes on correctly on the slow path, and the VMM can
 * read why and re-enable it.
 *
 *  call: the read program spins 100 ms per call against the default budget
 *    of 50 ms a call, while another thread of the VMM adds and removes a
 *    memslot over and over (each waits for KVM's SRCU readers, the vCPU in
 *    the program among them).  The first read is answered by the program,
 *    late; every later one exits to the VMM.  The exit record (sysfs,
 *    library, CLI) names the reason, the program, when, and how long it
 *    ran; every memslot change completes.  kvm_accel_reenable() and then
 *    kvm_accel_update() bring the program back, and a second trip counts.
 *  window: 2 ms a call against a budget of 20 ms in a 200 ms window: the
 *    programs are disabled for their window, not for any one call.
 *  refused: budgets beyond the limits are refused at attach time.
 *
 * The test VM's kernel log is checked for RCU and SRCU stall reports after
 * the suite, like every other kernel problem.
 */
#include <pthread.h>
#include <time.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "progs/budget.h"

#define SPIN_NS		100000000ULL	/* 100 ms */
#define READS		8
#define SLOT_GPA	0x100000000ULL
#define SLOT_SIZE	0x200000ULL

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* @n reads: the first must read @first, the others @rest. */
static void guest_reads(uint64_t n, uint8_t first, uint8_t rest)
{
	uint64_t i, v;

	for (i = 0; i < n; i++) {
		v = accel_guest_read(KVM_ACCEL_BUS_PIO, BUDGET_PORT, 1);
		__GUEST_ASSERT(v == (i ? rest : first), "read %lu: 0x%lx, not 0x%x", i, v,
			       i ? rest : first);
	}
}

static void guest_call(void)
{
	guest_reads(READS, BUDGET_FAST_VALUE, BUDGET_VMM_VALUE);
	GUEST_SYNC(1);
	guest_reads(READS, BUDGET_FAST_VALUE, BUDGET_FAST_VALUE);
	GUEST_SYNC(2);
	guest_reads(READS, BUDGET_FAST_VALUE, BUDGET_VMM_VALUE);
	GUEST_SYNC(3);
	guest_reads(READS, BUDGET_FAST_VALUE, BUDGET_FAST_VALUE);
	GUEST_DONE();
}

/* Reads until the VMM answers one: the number the program answered. */
static void guest_window(void)
{
	uint64_t n = 0;

	while (accel_guest_read(KVM_ACCEL_BUS_PIO, BUDGET_PORT, 1) == BUDGET_FAST_VALUE)
		n++;
	GUEST_SYNC(n);
	GUEST_DONE();
}

struct budget_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_accel_dev *dev;
	struct budget_regs *regs;
	__u32 id;
	uint64_t vmm_reads;
	/* The vCPU thread of run_with_memslots(). */
	uint64_t stage;
	volatile bool done;
};

static void budget_serve(struct kvm_vcpu *vcpu, void *arg)
{
	struct budget_vm *b = arg;
	struct kvm_run *run = vcpu->run;

	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO && run->io.port == BUDGET_PORT &&
		    run->io.direction == KVM_EXIT_IO_IN && run->io.size == 1,
		    "exit %u at port 0x%x", run->exit_reason, run->io.port);
	*((uint8_t *)run + run->io.data_offset) = BUDGET_VMM_VALUE;
	b->vmm_reads++;
}

static uint64_t budget_run(struct budget_vm *b)
{
	struct ucall uc;
	uint64_t cmd = vmm_run_to_ucall(b->vcpu, &uc, budget_serve, b);

	if (cmd == UCALL_DONE)
		return UINT64_MAX;
	TEST_ASSERT_EQ(cmd, UCALL_SYNC);
	return uc.args[1];
}

static void *vcpu_thread(void *arg)
{
	struct budget_vm *b = arg;

	b->stage = budget_run(b);
	b->done = true;
	return NULL;
}

/*
 * Run the vCPU to its next sync on a thread of its own while this one adds
 * and removes a memslot; returns the stage.  *@worst_ms: the slowest memslot
 * change.
 */
static uint64_t run_with_memslots(struct budget_vm *b, uint64_t *worst_ms, int *changes)
{
	struct kvm_userspace_memory_region r = {
		.slot = 100,
		.guest_phys_addr = SLOT_GPA,
		.memory_size = SLOT_SIZE,
	};
	pthread_t t;
	uint64_t t0, ms;
	void *mem;
	int ret;

	mem = mmap(NULL, SLOT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	r.userspace_addr = (uintptr_t)mem;
	b->done = false;
	ret = pthread_create(&t, NULL, vcpu_thread, b);
	TEST_ASSERT(!ret, "pthread_create: %s", strerror(ret));
	*worst_ms = 0;
	*changes = 0;
	while (!b->done || !*changes) {
		r.memory_size = *changes & 1 ? 0 : SLOT_SIZE;
		t0 = now_ns();
		ret = ioctl(b->vm->fd, KVM_SET_USER_MEMORY_REGION, &r);
		TEST_ASSERT(!ret, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		ms = (now_ns() - t0) / 1000000;
		if (ms > *worst_ms)
			*worst_ms = ms;
		++*changes;
	}
	if (r.memory_size) {
		r.memory_size = 0;
		TEST_ASSERT(!ioctl(b->vm->fd, KVM_SET_USER_MEMORY_REGION, &r), "removing the slot");
	}
	pthread_join(t, NULL);
	munmap(mem, SLOT_SIZE);
	return b->stage;
}

static void budget_vm_create(struct budget_vm *b, void *guest_code,
			     const struct kvm_accel_attach_opts *opts)
{
	size_t size;
	int ret;

	b->vm = vm_create_with_one_vcpu(&b->vcpu, guest_code);
	ret = kvm_accel_attach(accel_obj_path("budget.bpf.o"), b->vm->fd, opts, &b->dev);
	TEST_ASSERT(!ret, "attaching budget.bpf.o: %s", strerror(-ret));
	b->id = accel_link_id(b->dev);
	b->regs = kvm_accel_regfile(b->dev, ".bss", &size);
	TEST_ASSERT(b->regs && size >= sizeof(*b->regs), "mapping the register file");
}

static void budget_vm_free(struct budget_vm *b)
{
	kvm_accel_detach(b->dev);
	kvm_vm_free(b->vm);
}

/* The exit record after a trip for @reason over @limit_ns, the @trips-th. */
static void assert_record(struct budget_vm *b, __u32 reason, __u64 limit_ns,
			  __u32 trips, uint64_t after_ns)
{
	struct kvm_accel_budget_state s;
	struct timespec ts;
	int ret;

	ret = kvm_accel_read_budget(b->id, &s);
	TEST_ASSERT(!ret, "kvm_accel_read_budget: %s", strerror(-ret));
	clock_gettime(CLOCK_REALTIME, &ts);
	ksft_print_msg("exit record: disabled %u, reason %u, %s program, %llu ns over a budget of %llu ns, vcpu %u, addr 0x%llx, trips %u\n",
		       s.disabled, s.reason, s.is_write ? "write" : "read",
		       s.time_ns, s.limit_ns, s.vcpu_id, s.addr, s.trips);
	TEST_ASSERT_EQ(s.disabled, reason);
	TEST_ASSERT_EQ(s.reason, reason);
	TEST_ASSERT_EQ(s.is_write, 0);
	TEST_ASSERT_EQ(s.addr, BUDGET_PORT);
	TEST_ASSERT_EQ(s.vcpu_id, 0);
	TEST_ASSERT_EQ(s.trips, trips);
	TEST_ASSERT_EQ(s.limit_ns, limit_ns);
	TEST_ASSERT(s.time_ns > limit_ns, "ran %llu ns, not over %llu", s.time_ns, limit_ns);
	TEST_ASSERT(s.when_ns >= after_ns &&
		    s.when_ns <= ts.tv_sec * 1000000000ULL + ts.tv_nsec,
		    "disabled at %llu, not between %lu and now", s.when_ns, after_ns);
}

static uint64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

TEST(call)
{
	struct budget_vm b = {};
	char out[4096], err[1024];
	struct kvm_accel_counters c;
	uint64_t worst, t0;
	int changes, ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	budget_vm_create(&b, guest_call, NULL);

	/* 1: the first call runs 100 ms; everything after it exits. */
	b.regs->spin_ns = SPIN_NS;
	t0 = realtime_ns();
	TEST_ASSERT_EQ(run_with_memslots(&b, &worst, &changes), 1);
	ksft_print_msg("spinning: %d memslot changes while the vCPU ran, the slowest %lu ms; the program spun %llu ns\n",
		       changes, worst, b.regs->spun_ns);
	TEST_ASSERT_EQ(b.regs->calls, 1);
	TEST_ASSERT_EQ(b.vmm_reads, READS - 1);
	c = accel_counters(b.id);
	TEST_ASSERT(c.handled == 1 && c.exits == READS - 1 && !c.errors,
		    "counters %llu %llu %llu", c.handled, c.exits, c.errors);
	assert_record(&b, KVM_ACCEL_DISABLED_CALL, KVM_ACCEL_BUDGET_NS_DEFAULT, 1, t0);

	/* The CLI shows the record. */
	ret = accel_cli(out, sizeof(out), err, sizeof(err), "stats %u", b.id);
	TEST_ASSERT(!ret && strstr(out, "disabled") &&
		    strstr(out, "the read program ran") && strstr(out, "in one call"),
		    "kvm-accel stats: %d: %s%s", ret, out, err);
	ret = accel_cli(out, sizeof(out), err, sizeof(err), "-j list");
	TEST_ASSERT(!ret && strstr(out, "\"disabled\":\"call\"") &&
		    strstr(out, "\"trips\":1"), "kvm-accel -j list: %d: %s%s", ret, out, err);

	/* 2: re-enabled, the program answers again. */
	b.regs->spin_ns = 0;
	ret = kvm_accel_reenable(b.dev);
	TEST_ASSERT(!ret, "kvm_accel_reenable: %s", strerror(-ret));
	TEST_ASSERT_EQ(budget_run(&b), 2);
	TEST_ASSERT_EQ(b.regs->calls, 1 + READS);
	TEST_ASSERT_EQ(b.vmm_reads, READS - 1);

	/* 3: a second trip, then new programs re-enable. */
	b.regs->spin_ns = SPIN_NS;
	t0 = realtime_ns();
	TEST_ASSERT_EQ(run_with_memslots(&b, &worst, &changes), 3);
	ksft_print_msg("spinning again: %d memslot changes, the slowest %lu ms\n", changes, worst);
	TEST_ASSERT_EQ(b.vmm_reads, 2 * (READS - 1));
	assert_record(&b, KVM_ACCEL_DISABLED_CALL, KVM_ACCEL_BUDGET_NS_DEFAULT, 2, t0);
	b.regs->spin_ns = 0;
	ret = kvm_accel_update(b.dev, accel_obj_path("budget.bpf.o"));
	TEST_ASSERT(!ret, "kvm_accel_update: %s", strerror(-ret));
	TEST_ASSERT_EQ(budget_run(&b), UINT64_MAX);
	TEST_ASSERT_EQ(b.vmm_reads, 2 * (READS - 1));
	c = accel_counters(b.id);
	TEST_ASSERT(c.handled == 2 + 2 * READS && c.exits == 2 * (READS - 1),
		    "counters %llu %llu %llu", c.handled, c.exits, c.errors);
	budget_vm_free(&b);
}

TEST(window)
{
	KVM_ACCEL_ATTACH_OPTS(opts, .budget_ns = 50000000, .window_ns = 200000000,
			      .window_budget_ns = 20000000);
	struct kvm_accel_budget_state s;
	struct budget_vm b = {};
	uint64_t n, t0;

	TEST_REQUIRE(kvm_accel_module_loaded());
	budget_vm_create(&b, guest_window, &opts);
	TEST_ASSERT(!kvm_accel_read_budget(b.id, &s), "kvm_accel_read_budget");
	TEST_ASSERT(s.budget_ns == 50000000 && s.window_ns == 200000000 &&
		    s.window_budget_ns == 20000000 && !s.disabled && !s.trips,
		    "budget %llu %llu %llu, disabled %u", s.budget_ns, s.window_ns,
		    s.window_budget_ns, s.disabled);
	b.regs->spin_ns = 2000000;
	t0 = realtime_ns();
	n = budget_run(&b);
	ksft_print_msg("the program answered %lu reads of 2 ms before its window ran out\n", n);
	/*
	 * At most a window's worth of 2 ms calls.  At least two: no single
	 * call went over, the calls together did.  Not the ten the window
	 * budget holds at 2 ms a call: a call costs more than its spin when the
	 * vCPU's thread is preempted mid-call, which a loaded test VM does.
	 */
	TEST_ASSERT(n >= 2 && n <= 200000000 / 2000000, "%lu reads answered", n);
	assert_record(&b, KVM_ACCEL_DISABLED_WINDOW, 20000000, 1, t0);
	TEST_ASSERT_EQ(budget_run(&b), UINT64_MAX);
	budget_vm_free(&b);
}

TEST(refused)
{
	static const struct { __u64 call, window, window_budget; } bad[] = {
		{ KVM_ACCEL_BUDGET_NS_MAX + 1, 0, 0 },
		{ 0, KVM_ACCEL_WINDOW_NS_MAX + 1, 0 },
		{ 0, 1000000, 2000000 },
	};
	struct kvm_accel_dev *dev;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	unsigned int i;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&vcpu, guest_window);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KVM_ACCEL_ATTACH_OPTS(opts, .budget_ns = bad[i].call, .window_ns = bad[i].window,
				      .window_budget_ns = bad[i].window_budget);

		ret = kvm_accel_attach(accel_obj_path("budget.bpf.o"), vm->fd, &opts, &dev);
		TEST_ASSERT(ret == -EINVAL, "budget %llu %llu %llu: %d, not -EINVAL",
			    bad[i].call, bad[i].window, bad[i].window_budget, ret);
	}
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
