// SPDX-License-Identifier: GPL-2.0
/*
 * PIO string accesses (rep ins, rep outs) against programs that decline
 * and programs that answer strings whole (progs/strings.h).
 *
 * KVM calls a PIO device once per element of a string, and if a device
 * declines a later element than the first, KVM reads the rest as 0 and does
 * not exit.  So:
 *
 *  decline: a program that would decline from the fifth access on.  A
 *    rep insb of 16 must exit to the VMM whole and read what the VMM gave,
 *    every byte (before the module knew strings, it read the program's
 *    four bytes and then twelve zeros); single reads still reach the
 *    program; a rep outsb of 16 gives the program four bytes and the VMM the
 *    other twelve, each exactly once and in order.
 *  whole: a program with KVM_ACCEL_F_STRINGS, answering from a ramp.  Each
 *    call must have been given exactly as many elements as KVM reads at
 *    once (page ends, the 1024-byte read-ahead, a 32-bit address size with
 *    RCX above 4 GiB, the direction flag), and every byte the guest reads
 *    must continue the ramp; a program that gives half a string leaves the
 *    rest all ones and an error counted; one that declines a string makes
 *    it exit whole.
 *  migrate: two vCPUs read strings of bytes and words of every length up
 *    to 1100 elements, from three ports, while their VMM threads are moved
 *    between the CPUs all the time.  The module answers the later elements
 *    of a string from a per-CPU cursor that element 0 set, so a thread that
 *    moves mid-string, or a cursor left behind on the CPU it left, must
 *    never answer an element with anything but its own string's value:
 *    each vCPU's bytes must be exactly its own, every element counted.
 */
#include <pthread.h>
#include <sched.h>
#include <sys/sysinfo.h>
#include <time.h>

#include "kselftest_harness.h"
#include "accel_test_util.h"
#include "progs/strings.h"

#define VMM_BYTE	0x5a	/* what the VMM answers every element with */
#define PAGE		4096

static uint8_t gbuf[4 * PAGE] __attribute__((aligned(PAGE)));
/* Bytes the ramp has given: the guest's copy of str_whole_regs.bytes. */
static uint64_t ramp_at;

static void rep_ins(uint16_t port, void *buf, uint64_t n, int size)
{
	if (size == 1)
		asm volatile("rep insb" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
	else if (size == 2)
		asm volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
	else
		asm volatile("rep insl" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static void guest_ramp(const uint8_t *buf, uint64_t bytes)
{
	uint64_t i;

	for (i = 0; i < bytes; i++)
		__GUEST_ASSERT(buf[i] == ((ramp_at + i) & 0xff),
			       "byte %lu of a string read 0x%x, not 0x%lx",
			       i, buf[i], (ramp_at + i) & 0xff);
	ramp_at += bytes;
}

static void guest_decline(void)
{
	uint8_t out[16];
	int i;

	memset(gbuf, 0, 16);
	rep_ins(STR_DECLINE_PORT, gbuf, 16, 1);
	for (i = 0; i < 16; i++)
		__GUEST_ASSERT(gbuf[i] == VMM_BYTE,
			       "rep insb: byte %d read 0x%x, not the VMM's 0x%x",
			       i, gbuf[i], VMM_BYTE);
	GUEST_SYNC(1);

	GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, STR_DECLINE_PORT, 1),
			STR_FAST_BYTE);
	GUEST_ASSERT_EQ(accel_guest_read(KVM_ACCEL_BUS_PIO, STR_DECLINE_PORT + 1, 1),
			STR_FAST_BYTE + 1);
	GUEST_SYNC(2);

	for (i = 0; i < 16; i++)
		out[i] = 0x10 + i;
	{
		void *p = out;
		uint64_t n = 16;

		asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(STR_DECLINE_PORT) : "memory");
	}
	GUEST_SYNC(3);
	GUEST_DONE();
}

static void guest_whole(void)
{
	uint8_t *p;
	uint64_t rcx;
	void *rdi;
	int i;

	/* 3000 bytes from 100 into a page: 1024 + 1024 + 952. */
	rep_ins(STR_WHOLE_PORT, gbuf + 100, 3000, 1);
	guest_ramp(gbuf + 100, 3000);
	GUEST_SYNC(4);

	/* 96 bytes to the end of the page, then 104. */
	rep_ins(STR_WHOLE_PORT, gbuf + PAGE + 4000, 200, 1);
	guest_ramp(gbuf + PAGE + 4000, 200);
	GUEST_SYNC(5);

	/* Words and double words: 300 and 100 elements. */
	rep_ins(STR_WHOLE_PORT, gbuf + 2 * PAGE, 300, 2);
	guest_ramp(gbuf + 2 * PAGE, 600);
	rep_ins(STR_WHOLE_PORT, gbuf + 2 * PAGE + 600, 100, 4);
	guest_ramp(gbuf + 2 * PAGE + 600, 400);
	GUEST_SYNC(6);

	/* A 32-bit address size counts in ECX: 16 elements, not 4 Gi + 16. */
	rcx = (1ULL << 32) | 16;
	rdi = gbuf + 3 * PAGE;
	asm volatile("addr32 rep insb" : "+D"(rdi), "+c"(rcx) : "d"(STR_WHOLE_PORT) : "memory");
	guest_ramp(gbuf + 3 * PAGE, 16);
	GUEST_SYNC(7);

	/* Backwards: element 0 lands at the highest address. */
	rcx = 16;
	rdi = gbuf + 3 * PAGE + 2000 + 15;
	asm volatile("std; rep insb; cld" : "+D"(rdi), "+c"(rcx) : "d"(STR_WHOLE_PORT) : "memory");
	for (i = 0; i < 16; i++)
		__GUEST_ASSERT(gbuf[3 * PAGE + 2015 - i] == ((ramp_at + i) & 0xff),
			       "std; rep insb: element %d read 0x%x", i,
			       gbuf[3 * PAGE + 2015 - i]);
	ramp_at += 16;
	GUEST_SYNC(8);

	/* A single INS (through the emulator) and an IN: one element each. */
	rdi = gbuf;
	asm volatile("insb" : "+D"(rdi) : "d"(STR_WHOLE_PORT) : "memory");
	gbuf[1] = accel_guest_read(KVM_ACCEL_BUS_PIO, STR_WHOLE_PORT, 1);
	guest_ramp(gbuf, 2);
	GUEST_SYNC(9);

	/* STR_MODE_SHORT: half the string, the rest all ones. */
	rep_ins(STR_WHOLE_PORT, gbuf, 16, 1);
	guest_ramp(gbuf, 8);
	for (p = gbuf + 8; p < gbuf + 16; p++)
		GUEST_ASSERT_EQ(*p, 0xff);
	GUEST_SYNC(10);

	/* STR_MODE_DECLINE: the whole string exits. */
	rep_ins(STR_WHOLE_PORT, gbuf, 16, 1);
	for (p = gbuf; p < gbuf + 16; p++)
		GUEST_ASSERT_EQ(*p, VMM_BYTE);
	GUEST_SYNC(11);
	GUEST_DONE();
}

#define MIG_VCPUS	2
#define MIG_ROUNDS	2000	/* at least, per vCPU */
#define MIG_MOVES	(MIG_VCPUS * 100)
#define MIG_TIMEOUT_S	120

/* Round @i of guest_migrate(): the port offset, width, count and start. */
static unsigned int mig_off(uint64_t i)
{
	return i % 3;
}

static unsigned int mig_size(uint64_t i)
{
	return (i / 3) & 1 ? 2 : 1;
}

static uint64_t mig_count(uint64_t i)
{
	return 1 + (i * 389) % 1100;
}

static unsigned int mig_start(uint64_t i)
{
	return (i * 61) % 5000;	/* + 1100 words: inside the vCPU's 2 pages */
}

/*
 * How fast the guest reads strings and how often the host gets to move a
 * thread both depend on the load: the guest keeps reading until the host
 * has made MIG_MOVES moves (mig_enough), and says how many strings it read.
 */
static bool mig_enough;
static uint64_t mig_rounds[MIG_VCPUS];

static void guest_migrate(uint64_t id)
{
	uint64_t i, j, bytes;
	uint8_t *buf, want;

	for (i = 0; i < MIG_ROUNDS || !READ_ONCE(mig_enough); i++) {
		buf = gbuf + id * 2 * PAGE + mig_start(i);
		bytes = mig_count(i) * mig_size(i);
		want = STR_FILL_BYTE(id, mig_off(i));
		memset(buf, 0, bytes);
		rep_ins(STR_WHOLE_PORT + mig_off(i), buf, mig_count(i), mig_size(i));
		for (j = 0; j < bytes; j++)
			__GUEST_ASSERT(buf[j] == want,
				       "round %lu: byte %lu of %lu read 0x%x, not 0x%x",
				       i, j, bytes, buf[j], want);
	}
	mig_rounds[id] = i;
	GUEST_DONE();
}

/* The VMM: every string exit answered with VMM_BYTE, writes recorded. */
struct str_vmm {
	struct kvm_vcpu *vcpu;
	uint64_t exits;
	uint64_t in_exits;
	uint8_t written[64];
	uint64_t nr_written;
};

static void str_serve(struct kvm_vcpu *vcpu, void *arg)
{
	struct str_vmm *v = arg;
	struct kvm_run *run = vcpu->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	uint32_t bytes = run->io.size * run->io.count;

	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO, "exit reason %u",
		    run->exit_reason);
	TEST_ASSERT((run->io.port >= STR_DECLINE_PORT &&
		     run->io.port < STR_DECLINE_PORT + STR_PORTS) ||
		    (run->io.port >= STR_WHOLE_PORT &&
		     run->io.port < STR_WHOLE_PORT + STR_PORTS),
		    "PIO exit at port 0x%x", run->io.port);
	v->exits++;
	if (run->io.direction == KVM_EXIT_IO_IN) {
		v->in_exits++;
		memset(data, VMM_BYTE, bytes);
		return;
	}
	TEST_ASSERT(v->nr_written + bytes <= sizeof(v->written), "too many writes");
	memcpy(v->written + v->nr_written, data, bytes);
	v->nr_written += bytes;
}

static void str_sync(struct str_vmm *v, uint64_t stage)
{
	struct ucall uc;
	uint64_t cmd = vmm_run_to_ucall(v->vcpu, &uc, str_serve, v);

	TEST_ASSERT(cmd == UCALL_SYNC && uc.args[1] == stage,
		    "expected GUEST_SYNC(%lu), got command %lu (%lu)", stage, cmd,
		    uc.args[1]);
}

static void str_done(struct str_vmm *v)
{
	struct ucall uc;

	TEST_ASSERT_EQ(vmm_run_to_ucall(v->vcpu, &uc, str_serve, v), UCALL_DONE);
}

static struct kvm_accel_dev *str_attach(struct kvm_vm *vm, const char *obj,
					__u16 port, void **regs, size_t size)
{
	struct kvm_accel_dev *dev;
	size_t got;
	int ret;

	ret = __accel_attach(vm->fd, accel_obj_path(obj), KVM_ACCEL_BUS_PIO, port,
			     STR_PORTS, &dev);
	TEST_ASSERT(!ret, "attaching %s: %s", obj, strerror(-ret));
	*regs = kvm_accel_regfile(dev, ".bss", &got);
	TEST_ASSERT(*regs && got >= size, "mapping the register file of %s", obj);
	return dev;
}

TEST(decline)
{
	struct str_vmm v = {};
	struct str_decline_regs *r;
	struct kvm_accel_dev *dev;
	struct kvm_vm *vm;
	__u32 id;
	int i;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&v.vcpu, guest_decline);
	dev = str_attach(vm, "string_decline.bpf.o", STR_DECLINE_PORT, (void **)&r,
			 sizeof(*r));
	id = accel_link_id(dev);

	str_sync(&v, 1);
	TEST_ASSERT_EQ(r->reads, 0);
	TEST_ASSERT_EQ(v.in_exits, 1);
	accel_assert_counters(id, 0, 1, 0);

	str_sync(&v, 2);
	TEST_ASSERT_EQ(r->reads, 2);
	TEST_ASSERT_EQ(v.exits, 1);
	accel_assert_counters(id, 2, 1, 0);

	/* Four to the program, twelve exits of one byte each, in order. */
	str_sync(&v, 3);
	TEST_ASSERT_EQ(r->writes, 16);
	for (i = 0; i < STR_DECLINE_AFTER; i++)
		TEST_ASSERT_EQ(r->wlog[i], 0x10 + i);
	TEST_ASSERT_EQ(v.nr_written, 16 - STR_DECLINE_AFTER);
	for (i = 0; i < v.nr_written; i++)
		TEST_ASSERT_EQ(v.written[i], 0x10 + STR_DECLINE_AFTER + i);
	TEST_ASSERT_EQ(v.exits, 1 + 16 - STR_DECLINE_AFTER);
	accel_assert_counters(id, 2 + STR_DECLINE_AFTER, 1 + 16 - STR_DECLINE_AFTER, 0);
	str_done(&v);

	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

static void assert_counts(struct str_whole_regs *r, uint64_t *seen,
			  const uint64_t *want, int n)
{
	int i;

	TEST_ASSERT_EQ(r->calls, *seen + n);
	for (i = 0; i < n; i++)
		TEST_ASSERT(r->counts[(*seen + i) % STR_LOG] == want[i],
			    "call %lu was given %llu elements, KVM read %lu",
			    *seen + i, r->counts[(*seen + i) % STR_LOG], want[i]);
	*seen += n;
}

TEST(whole)
{
	static const uint64_t c4[] = { 1024, 1024, 952 }, c5[] = { 96, 104 },
		c6[] = { 300, 100 }, c7[] = { 16 }, c8[] = { 16 }, c9[] = { 1, 1 },
		c10[] = { 16 }, c11[] = { 16 };
	struct str_vmm v = {};
	struct str_whole_regs *r;
	struct kvm_accel_dev *dev;
	struct kvm_vm *vm;
	uint64_t seen = 0;
	__u32 id;
	int i;

	TEST_REQUIRE(kvm_accel_module_loaded());
	vm = vm_create_with_one_vcpu(&v.vcpu, guest_whole);
	dev = str_attach(vm, "string_whole.bpf.o", STR_WHOLE_PORT, (void **)&r,
			 sizeof(*r));
	id = accel_link_id(dev);
	for (i = 0; i < STR_RAMP; i++)
		r->ramp[i] = i & 0xff;

	str_sync(&v, 4);
	assert_counts(r, &seen, c4, 3);
	str_sync(&v, 5);
	assert_counts(r, &seen, c5, 2);
	str_sync(&v, 6);
	assert_counts(r, &seen, c6, 2);
	str_sync(&v, 7);
	assert_counts(r, &seen, c7, 1);
	str_sync(&v, 8);
	assert_counts(r, &seen, c8, 1);
	str_sync(&v, 9);
	assert_counts(r, &seen, c9, 2);
	TEST_ASSERT_EQ(v.exits, 0);
	/* Handled counts elements: 3000 + 200 + 300 + 100 + 16 + 16 + 2. */
	accel_assert_counters(id, 3634, 0, 0);

	r->mode = STR_MODE_SHORT;
	str_sync(&v, 10);
	assert_counts(r, &seen, c10, 1);
	TEST_ASSERT_EQ(v.exits, 0);
	accel_assert_counters(id, 3634, 0, 1);

	r->mode = STR_MODE_DECLINE;
	str_sync(&v, 11);
	assert_counts(r, &seen, c11, 1);
	TEST_ASSERT_EQ(v.in_exits, 1);
	accel_assert_counters(id, 3634, 1, 1);
	str_done(&v);

	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

struct mig_vcpu {
	struct str_vmm v;
	pid_t tid;
	bool done;
};

static void *mig_vcpu_thread(void *arg)
{
	struct mig_vcpu *m = arg;

	__atomic_store_n(&m->tid, gettid(), __ATOMIC_RELEASE);
	str_done(&m->v);
	__atomic_store_n(&m->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static bool mig_move(pid_t tid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return !sched_setaffinity(tid, sizeof(set), &set);
}

TEST(migrate)
{
	struct kvm_vcpu *vcpus[MIG_VCPUS];
	struct mig_vcpu m[MIG_VCPUS] = {};
	pthread_t threads[MIG_VCPUS];
	struct str_whole_regs *r;
	struct kvm_accel_dev *dev;
	uint64_t elements = 0, strings = 0, moves = 0, i, j;
	int nr_cpus = get_nprocs(), flip = 0, live, ret;
	time_t deadline = time(NULL) + MIG_TIMEOUT_S;
	bool *enough;
	struct kvm_vm *vm;
	__u32 id;

	TEST_REQUIRE(kvm_accel_module_loaded());
	if (nr_cpus < 2)
		SKIP(return, "one CPU: a vCPU thread cannot move between CPUs");
	vm = vm_create_with_vcpus(MIG_VCPUS, guest_migrate, vcpus);
	dev = str_attach(vm, "string_whole.bpf.o", STR_WHOLE_PORT, (void **)&r,
			 sizeof(*r));
	id = accel_link_id(dev);
	r->mode = STR_MODE_FILL;
	enough = addr_gva2hva(vm, (vm_vaddr_t)&mig_enough);
	for (i = 0; i < MIG_VCPUS; i++) {
		vcpu_args_set(vcpus[i], 1, i);
		m[i].v.vcpu = vcpus[i];
		ret = pthread_create(&threads[i], NULL, mig_vcpu_thread, &m[i]);
		TEST_ASSERT(!ret, "pthread_create: %s", strerror(ret));
	}

	/*
	 * Each thread to another CPU every 100 us, until both guests are done;
	 * they stop once there were MIG_MOVES moves, or the time is up.
	 */
	do {
		if (moves >= MIG_MOVES || time(NULL) > deadline)
			WRITE_ONCE(*enough, true);
		live = 0;
		for (i = 0; i < MIG_VCPUS; i++) {
			pid_t tid = __atomic_load_n(&m[i].tid, __ATOMIC_ACQUIRE);

			if (__atomic_load_n(&m[i].done, __ATOMIC_ACQUIRE))
				continue;
			live++;
			if (tid && mig_move(tid, (flip + i) % 2))
				moves++;
		}
		flip ^= 1;
		usleep(100);
	} while (live);
	for (i = 0; i < MIG_VCPUS; i++) {
		pthread_join(threads[i], NULL);
		TEST_ASSERT_EQ(m[i].v.exits, 0);
	}
	sync_global_from_guest(vm, mig_rounds);
	for (i = 0; i < MIG_VCPUS; i++) {
		TEST_ASSERT(mig_rounds[i] >= MIG_ROUNDS,
			    "vCPU %lu read %lu strings", i, mig_rounds[i]);
		for (j = 0; j < mig_rounds[i]; j++)
			elements += mig_count(j);
		strings += mig_rounds[i];
	}
	ksft_print_msg("%lu elements in %lu strings, %lu moves of a vCPU thread\n",
		       elements, strings, moves);
	TEST_ASSERT(moves >= MIG_MOVES, "only %lu moves in %d s", moves,
		    MIG_TIMEOUT_S);
	accel_assert_counters(id, elements, 0, 0);

	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
