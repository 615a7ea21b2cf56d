// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the ownership contract of devices/ide/ide.h under concurrency:
 * four vCPUs hammer the IDE fast path at once while the slow path runs,
 * and the register file must stay what the contract says.  The host acts
 * as the slow path itself, by the contract's handover, in rounds:
 *
 *  - data in: it publishes PIO_IN over 32768 distinct words; the vCPUs
 *    read the data port concurrently (string and single reads) until they
 *    read past the end.  Every word must reach exactly one vCPU, and the
 *    phase must end IDLE (one transition, by whichever read the last word);
 *  - data out: it publishes PIO_OUT; each vCPU writes 8192 words of its own
 *    (string and single writes).  The buffer must hold every word exactly
 *    once, each vCPU's words in its order, and the phase must be SERVICE;
 *  - owned: it takes the device (SLOW) and waits for the fast path, then
 *    the vCPUs hammer taskfile writes, data writes and reads and status
 *    reads.  Until it publishes again, the taskfile, device control, the
 *    transfer position and the buffer must not change, the guest must see
 *    BSY and read no data;
 *  - taskfile: in IDLE each vCPU writes and reads back its own register
 *    while all of them write the features register: every read-back must
 *    match, each register must end with its last value and, as HOB byte,
 *    the one before, and the shared register's HOB byte must be the value
 *    written just before its current one;
 *  - commands: vCPU 0 runs IDENTIFY, READ and WRITE commands through the
 *    real slow path (data checked in the guest) while the others poll the
 *    status and read the taskfile; no status may show BSY and DRQ together
 *    or DRQ without DRDY.
 * Between rounds no fast-path access may be left counted (fp_active), and
 * no eventfd signal may have failed.  The vCPUs of a round start together
 * when the host releases them and stop at their GUEST_SYNC.
 */
#include "kselftest_harness.h"
#include "ide_vm.h"

#define NR_VCPUS	4
#define ROUNDS		8
#define IN_WORDS	32768		/* 64 KiB of distinct words */
#define OUT_WORDS	(IN_WORDS / NR_VCPUS)
#define HAMMER		3000		/* accesses per vCPU in an owned round */
#define TF_WRITES	1000		/* taskfile writes per vCPU */
#define BLOCK		4096		/* DRQ block of the data rounds */
#define ROUND_TIMEOUT_S	120		/* a round this slow is stuck */

enum round_kind {
	ROUND_IN = 1,
	ROUND_OUT,
	ROUND_OWNED,
	ROUND_TASKFILE,
	ROUND_COMMANDS,
	ROUND_END,
};

/*
 * The host's orders and the guests' reports, in guest memory.  A round
 * starts when the host lets the vCPUs run and ends with each one's
 * GUEST_SYNC: between rounds no vCPU runs (no guest spins for the next).
 */
struct stress_ctl {
	__u64 round;
	__u64 kind;
	__u64 commands_done;		/* commands round vCPU 0 finished last */
	__u64 bad[NR_VCPUS];		/* invariant violations a vCPU saw */
	__u8 seen[IN_WORDS];		/* data in: times each word was read */
};

static struct stress_ctl ctl;

static inline __u64 ctl_load(__u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void guest_bad(__u64 vcpu)
{
	__atomic_fetch_add(&ctl.bad[vcpu], 1, __ATOMIC_RELAXED);
}

/* Data in: read until past the end (a word of 0: every real word has bit 15). */
static void guest_in(__u64 vcpu)
{
	__u16 words[32];
	bool end = false;
	__u32 i, n;

	while (!end) {
		n = vcpu & 1 ? 1 : ARRAY_SIZE(words);
		if (n == 1)
			words[0] = ide_in(IDE_CMD_BASE, 2);
		else
			ide_ins(IDE_CMD_BASE, words, n, 2);
		for (i = 0; i < n; i++) {
			if (!words[i]) {
				end = true;
				continue;
			}
			if (end)	/* data after the end: the transfer restarted */
				guest_bad(vcpu);
			__atomic_fetch_add(&ctl.seen[words[i] & (IN_WORDS - 1)], 1,
					   __ATOMIC_RELAXED);
		}
	}
}

static void guest_out(__u64 vcpu)
{
	__u16 words[64];
	__u32 s, i;

	for (s = 0; s < OUT_WORDS; s += ARRAY_SIZE(words)) {
		for (i = 0; i < ARRAY_SIZE(words); i++)
			words[i] = vcpu << 13 | (s + i);
		if (vcpu & 1)
			for (i = 0; i < ARRAY_SIZE(words); i++)
				ide_out(IDE_CMD_BASE, 2, words[i]);
		else
			ide_outs(IDE_CMD_BASE, words, ARRAY_SIZE(words), 2);
	}
}

/* The slow path owns the device: everything the guest does is ignored. */
static void guest_owned(__u64 vcpu)
{
	__u8 st;
	__u32 i;

	for (i = 0; i < HAMMER; i++) {
		switch (i % 6) {
		case 0:
			ide_reg_out(ATA_REG_FEATURE + (i / 6) % 6, i);
			break;
		case 1:
			ide_out(IDE_CMD_BASE, 2, i);
			break;
		case 2:
			if (ide_in(IDE_CMD_BASE, 2))
				guest_bad(vcpu);
			break;
		case 3:
			st = ide_inb(i & 8 ? IDE_STATUS_PORT : IDE_ALT_PORT);
			if ((st & (ATA_BSY | ATA_DRQ)) != ATA_BSY)
				guest_bad(vcpu);
			break;
		case 4:
			ide_out(IDE_CMD_BASE, 4, i);
			break;
		default:
			ide_reg_in(ATA_REG_NSECT);
			break;
		}
	}
}

/* IDLE: register 2 + vcpu is ours alone; the features register is everyone's. */
static void guest_taskfile(__u64 vcpu)
{
	__u32 reg = ATA_REG_NSECT + vcpu, k;
	__u8 st;

	for (k = 1; k <= TF_WRITES; k++) {
		ide_reg_out(reg, k);
		if (ide_reg_in(reg) != (__u8)k)
			guest_bad(vcpu);
		ide_reg_out(ATA_REG_FEATURE, vcpu << 6 | (k & 63));
		st = ide_inb(k & 1 ? IDE_STATUS_PORT : IDE_ALT_PORT);
		if ((st & (ATA_BSY | ATA_DRQ | ATA_DRDY)) != ATA_DRDY)
			guest_bad(vcpu);
	}
}

static void guest_commands(__u64 vcpu, __u64 round)
{
	__u64 lba = 1000 + 16 * round;
	__u32 i;
	__u8 st;

	if (vcpu) {
		/* Poll while vCPU 0 works: status always self-consistent. */
		while (ctl_load(&ctl.commands_done) != round) {
			st = ide_inb(IDE_STATUS_PORT);
			if (((st & ATA_BSY) && (st & ATA_DRQ)) ||
			    ((st & ATA_DRQ) && !(st & ATA_DRDY)))
				guest_bad(vcpu);
			ide_inb(IDE_ALT_PORT);
			ide_reg_in(ATA_REG_ERROR + round % 6);
		}
		return;
	}
	st = ide_guest_pio_in(ATA_CMD_IDENTIFY, 0, 1, 1, false);
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), 0);
	st = ide_guest_pio_in(ATA_CMD_READ_SECTORS, 100 + round, 8, 1, false);
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), 0);
	for (i = 0; i < 8 * ATA_SECTOR_SIZE; i++)
		GUEST_ASSERT_EQ(ide_gbuf[i], ide_pattern(0, 100 + round + i / ATA_SECTOR_SIZE,
							 i % ATA_SECTOR_SIZE));
	st = ide_guest_pio_out(ATA_CMD_WRITE_SECTORS, lba, 16, 1, false, round);
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), 0);
	st = ide_guest_pio_in(ATA_CMD_READ_SECTORS, lba, 16, 1, false);
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), 0);
	for (i = 0; i < 16 * ATA_SECTOR_SIZE; i++)
		GUEST_ASSERT_EQ(ide_gbuf[i], ide_pattern(round, lba + i / ATA_SECTOR_SIZE,
							 i % ATA_SECTOR_SIZE));
	__atomic_store_n(&ctl.commands_done, round, __ATOMIC_RELEASE);
}

static void guest_code(__u64 vcpu)
{
	__u64 round;

	if (!vcpu)
		ide_guest_init();
	GUEST_SYNC(0);
	for (;;) {
		round = ctl_load(&ctl.round);
		switch (ctl_load(&ctl.kind)) {
		case ROUND_IN:
			guest_in(vcpu);
			break;
		case ROUND_OUT:
			guest_out(vcpu);
			break;
		case ROUND_OWNED:
			guest_owned(vcpu);
			break;
		case ROUND_TASKFILE:
			guest_taskfile(vcpu);
			break;
		case ROUND_COMMANDS:
			guest_commands(vcpu, round);
			break;
		default:
			GUEST_DONE();
		}
		GUEST_SYNC(round);
	}
}

/* ---- host: the slow path's side of the contract --------------------------- */

struct stress {
	struct ide_rig rig;
	struct ide_regfile *r;
	struct stress_ctl *ctl;		/* the guest's, mapped */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	__u64 round;			/* the round the vCPUs may run */
	__u32 finished;			/* vCPUs done with it */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Fail with the state of the device if a round makes no progress. */
static void check_deadline(struct stress *s, double start, const char *what)
{
	struct ide_regfile *r = s->r;

	if (now_s() - start < ROUND_TIMEOUT_S)
		return;
	TEST_FAIL("round %llu (kind %llu): %s for %d s: phase %#llx fp_active %llu pos %llu end %llu, %u vCPUs finished",
		  s->round, s->ctl->kind, what, ROUND_TIMEOUT_S, r->phase, r->fp_active,
		  r->pos, r->end, s->finished);
}

/* Take the device from whatever phase the fast path left (ide.h, Handover). */
static void take(struct stress *s)
{
	__u64 ph = __atomic_load_n(&s->r->phase, __ATOMIC_SEQ_CST);
	double start = now_s();

	TEST_ASSERT(__atomic_compare_exchange_n(&s->r->phase, &ph, IDE_PHASE_SLOW, false,
						__ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST),
		    "phase changed under the slow path: %#llx", ph);
	while (__atomic_load_n(&s->r->fp_active, __ATOMIC_SEQ_CST)) {
		check_deadline(s, start, "fast path still storing");
		sched_yield();
	}
}

static void publish(struct stress *s, __u64 phase)
{
	__atomic_exchange_n(&s->r->phase, phase, __ATOMIC_SEQ_CST);
}

/* Let the vCPUs run round @kind and wait until each reported it done. */
static void round_run(struct stress *s, enum round_kind kind)
{
	double start = now_s();
	struct timespec tick;

	s->ctl->kind = kind;
	s->ctl->round = s->round + 1;
	pthread_mutex_lock(&s->lock);
	s->round++;
	s->finished = 0;
	pthread_cond_broadcast(&s->cond);
	while (s->finished < NR_VCPUS && kind != ROUND_END) {
		clock_gettime(CLOCK_REALTIME, &tick);
		tick.tv_sec++;
		pthread_cond_timedwait(&s->cond, &s->lock, &tick);
		check_deadline(s, start, "vCPUs not done");
	}
	pthread_mutex_unlock(&s->lock);
}

/* What must hold whenever no vCPU is inside the device. */
static void check_quiet(struct stress *s, const char *what)
{
	struct ide_regfile *r = s->r;
	__u32 v;

	TEST_ASSERT(r->fp_active == 0, "%s: fp_active %llu", what, r->fp_active);
	TEST_ASSERT((r->phase & IDE_PHASE_MASK) <= IDE_PHASE_RESET &&
		    !(r->phase & ~(__u64)(IDE_PHASE_MASK | IDE_PHASE_DRIVE)),
		    "%s: phase %#llx", what, r->phase);
	TEST_ASSERT(r->irq_pending <= 1, "%s: irq_pending %llu", what, r->irq_pending);
	TEST_ASSERT(r->fp_errors == 0, "%s: %llu failed signals", what, r->fp_errors);
	for (v = 0; v < NR_VCPUS; v++)
		TEST_ASSERT(s->ctl->bad[v] == 0, "%s: vCPU %u saw %llu violations",
			    what, v, s->ctl->bad[v]);
}

static void set_data_phase(struct stress *s, __u64 phase, bool last)
{
	struct ide_regfile *r = s->r;

	r->pos = 0;
	r->end = 2 * IN_WORDS;
	r->block = BLOCK;
	r->last = last;
	r->status[0] = ATA_DRDY | ATA_DSC;
	publish(s, phase);
}

static void round_in(struct stress *s)
{
	__u16 *words = (__u16 *)s->r->buf;
	__u32 i;

	take(s);
	for (i = 0; i < IN_WORDS; i++)
		words[i] = 0x8000 | i;
	memset(s->ctl->seen, 0, sizeof(s->ctl->seen));
	set_data_phase(s, IDE_PHASE_PIO_IN, true);
	round_run(s, ROUND_IN);

	for (i = 0; i < IN_WORDS; i++)
		TEST_ASSERT(s->ctl->seen[i] == 1, "data in: word %u read %u times",
			    i, s->ctl->seen[i]);
	TEST_ASSERT_EQ(s->r->phase, IDE_PHASE_IDLE);
	TEST_ASSERT(s->r->pos >= s->r->end, "data in: pos %llu", s->r->pos);
	check_quiet(s, "data in");
}

static void round_out(struct stress *s)
{
	const __u16 *words = (const __u16 *)s->r->buf;
	static __u8 count[NR_VCPUS][OUT_WORDS];
	__s32 last[NR_VCPUS];
	__u32 i, v, seq;

	take(s);
	memset(s->r->buf, 0, 2 * IN_WORDS);
	set_data_phase(s, IDE_PHASE_PIO_OUT, false);
	round_run(s, ROUND_OUT);

	TEST_ASSERT_EQ(s->r->phase, IDE_PHASE_SERVICE);
	memset(count, 0, sizeof(count));
	for (v = 0; v < NR_VCPUS; v++)
		last[v] = -1;
	for (i = 0; i < IN_WORDS; i++) {
		v = words[i] >> 13;
		seq = words[i] & (OUT_WORDS - 1);
		TEST_ASSERT(v < NR_VCPUS, "data out: word %u is %#x", i, words[i]);
		TEST_ASSERT((__s32)seq > last[v],
			    "data out: vCPU %u's word %u stored after its word %d", v, seq,
			    last[v]);
		last[v] = seq;
		count[v][seq]++;
	}
	for (v = 0; v < NR_VCPUS; v++)
		for (seq = 0; seq < OUT_WORDS; seq++)
			TEST_ASSERT(count[v][seq] == 1, "data out: vCPU %u word %u stored %u times",
				    v, seq, count[v][seq]);
	check_quiet(s, "data out");
	/* Drain it as the slow path would, without a disk. */
	take(s);
	publish(s, IDE_PHASE_IDLE);
}

static __u64 buf_hash(const struct ide_regfile *r)
{
	__u64 h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < IDE_BUF_SIZE; i += 8)
		h = (h ^ *(const __u64 *)(r->buf + i)) * 0x100000001b3ULL;
	return h;
}

static void round_owned(struct stress *s)
{
	struct ide_regfile *r = s->r;
	__u64 tf[8], devctl, pos, end, hash;

	take(s);
	/* A transfer in the middle, so that stores would show. */
	r->pos = 100;
	r->end = 2 * IN_WORDS;
	r->block = BLOCK;
	memcpy(tf, (const void *)r->tf, sizeof(tf));
	devctl = r->devctl;
	pos = r->pos;
	end = r->end;
	hash = buf_hash(r);
	round_run(s, ROUND_OWNED);

	TEST_ASSERT(!memcmp(tf, (const void *)r->tf, sizeof(tf)),
		    "owned: the taskfile changed while the slow path owned it");
	TEST_ASSERT_EQ(r->devctl, devctl);
	TEST_ASSERT_EQ(r->pos, pos);
	TEST_ASSERT_EQ(r->end, end);
	TEST_ASSERT(buf_hash(r) == hash, "owned: the buffer changed");
	TEST_ASSERT_EQ(r->phase, IDE_PHASE_SLOW);
	check_quiet(s, "owned");
	publish(s, IDE_PHASE_IDLE);
}

static void round_taskfile(struct stress *s)
{
	struct ide_regfile *r = s->r;
	__u64 feat, cur, hob;
	bool last_value = false;
	__u32 v;

	round_run(s, ROUND_TASKFILE);

	for (v = 0; v < NR_VCPUS; v++)
		TEST_ASSERT(r->tf[ATA_REG_NSECT + v] ==
			    ((__u64)((TF_WRITES - 1) & 0xff) << IDE_TF_HOB_SHIFT |
			     (TF_WRITES & 0xff)),
			    "taskfile: register %u is %#llx", ATA_REG_NSECT + v,
			    r->tf[ATA_REG_NSECT + v]);
	feat = r->tf[ATA_REG_FEATURE];
	cur = feat & 0xff;
	hob = (feat >> IDE_TF_HOB_SHIFT) & 0xff;
	for (v = 0; v < NR_VCPUS; v++)
		last_value |= cur == (v << 6 | (TF_WRITES & 63));
	TEST_ASSERT(last_value, "taskfile: features %#llx is no vCPU's last value", cur);
	/* Same writer: the HOB byte can only be that writer's previous value. */
	if (hob >> 6 == cur >> 6)
		TEST_ASSERT((hob & 63) == ((cur - 1) & 63),
			    "taskfile: features %#llx after %#llx", cur, hob);
	TEST_ASSERT(!(r->devctl & ATA_DEVCTL_HOB), "taskfile: HOB still set");
	TEST_ASSERT_EQ(r->phase, IDE_PHASE_IDLE);
	check_quiet(s, "taskfile");
}

static void round_commands(struct stress *s)
{
	round_run(s, ROUND_COMMANDS);
	TEST_ASSERT_EQ(s->r->phase & IDE_PHASE_MASK, IDE_PHASE_IDLE);
	TEST_ASSERT(ide_image_has(s->rig.img_fd, s->round, 1000 + 16 * s->round, 16),
		    "commands: the image does not hold what vCPU 0 wrote");
	check_quiet(s, "commands");
}

struct vcpu_thread {
	struct stress *s;
	struct kvm_vcpu *vcpu;
	pthread_t thread;
};

/* Run the vCPU for each round the host starts, until the guest is done. */
static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	struct stress *s = t->s;
	struct ucall uc;
	__u64 round;

	TEST_ASSERT_EQ(ide_rig_run(&s->rig, t->vcpu, &uc), UCALL_SYNC);
	for (round = 1;; round++) {
		pthread_mutex_lock(&s->lock);
		while (s->round < round)
			pthread_cond_wait(&s->cond, &s->lock);
		pthread_mutex_unlock(&s->lock);
		if (ide_rig_run(&s->rig, t->vcpu, &uc) == UCALL_DONE)
			return NULL;
		TEST_ASSERT_EQ(uc.cmd, UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[1], round);
		pthread_mutex_lock(&s->lock);
		s->finished++;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
	}
}

FIXTURE(ide_stress) {};
FIXTURE_SETUP(ide_stress) {}
FIXTURE_TEARDOWN(ide_stress) {}

TEST_F_TIMEOUT(ide_stress, rounds, 600)
{
	static struct stress s;
	struct vcpu_thread threads[NR_VCPUS];
	double start = now_s();
	struct ide_stats stats;
	__u32 i, v;

	ide_rig_create(&s.rig, guest_code, NR_VCPUS, true, false, false);
	s.r = s.rig.regs;
	s.ctl = addr_gva2hva(s.rig.vm, (vm_vaddr_t)&ctl);
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	for (v = 0; v < NR_VCPUS; v++) {
		threads[v] = (struct vcpu_thread) { &s, s.rig.vcpus[v] };
		TEST_ASSERT(!pthread_create(&threads[v].thread, NULL, vcpu_main, &threads[v]),
			    "pthread_create");
	}

	for (i = 0; i < ROUNDS; i++) {
		round_in(&s);
		round_out(&s);
		round_owned(&s);
		round_taskfile(&s);
		round_commands(&s);
	}
	round_run(&s, ROUND_END);
	for (v = 0; v < NR_VCPUS; v++)
		pthread_join(threads[v].thread, NULL);

	ide_get_stats(s.rig.ide, &stats);
	ksft_print_msg("%u rounds, %u vCPUs, %.1f s: %llu exits, %llu commands, %llu services\n",
		       ROUNDS, NR_VCPUS, now_s() - start, ide_rig_exits(&s.rig), stats.commands,
		       stats.services);
	/* The commands rounds: 4 commands each through the slow path. */
	TEST_ASSERT_EQ(stats.commands, 4 * ROUNDS);
	TEST_ASSERT_EQ(ide_rig_module_exits(&s.rig), ide_rig_exits(&s.rig));
	ide_rig_destroy(&s.rig);
}

TEST_HARNESS_MAIN
