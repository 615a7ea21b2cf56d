// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the IDE device against arbitrary guest accesses (issue 4.2): the
 * guest makes random port accesses in and around the channel's ranges,
 * 0x1e8-0x1ff (the command block 0x1f0-0x1f7 and eight ports either side)
 * and 0x3f0-0x3ff (around device control 0x3f6), of widths 1, 2 and 4
 * (port I/O has no 8-byte access: x86 has no such in/out instruction), at
 * any alignment, with random values, single and as rep ins/outs strings.
 * The values are random bytes, but the generator leans towards the ones a
 * disk takes seriously (commands it knows, LBAs and counts within the disk,
 * device selections of the present drive, SRST now and then), or nearly
 * every command would abort and the data phases never be reached.
 *
 * Phase 1, the differential oracle: one vCPU runs the same seeded sequence
 * twice, on the userspace slow path alone (the reference model: every
 * access exits) and with the fast path attached (no doorbell).  Every
 * value the guest reads (a string read: a hash of its data) is logged and
 * the two logs must be equal access for access; at the end so must be the
 * register files, the disk images, the interrupt pulses (INTRQ is a plain
 * eventfd here, whose counter is the number of pulses) and the commands
 * and buffer services the slow path saw.
 *
 * Phase 2, concurrency: four vCPUs run their own sequences at once with the
 * fast path and the doorbell thread, so the slow path runs on every vCPU
 * thread and on the service thread while the others are in the fast path.
 * Every status the guest reads must be 0 (no drive selected) or show DRDY
 * and never BSY with DRQ; when all vCPUs are out, no fast-path access may
 * be left counted, the phase must be valid and no eventfd signal may have
 * failed; then a software reset must bring the device back, and IDENTIFY
 * and a read must work and return what the image holds.
 *
 * In both phases, no access outside the ranges reaches the program: the
 * module's counters (handled + exits of both attachments) equal the
 * accesses the guest made inside them, less those the VMM served, and the
 * VMM sees every element of every access the guest made outside them.
 *
 * Reproducible: KA_IDE_FUZZ_SEED and KA_IDE_FUZZ_COUNT (accesses of the
 * phase 1 sequence, and of phase 2 all vCPUs together), printed first as
 * "# seed 0x... count N" (selftests/README.md).
 */
#include <fcntl.h>
#include <stdlib.h>

#include "kselftest_harness.h"
#include "accel_fuzz.h"
#include "ide_vm.h"

#define FUZZ_NR_VCPUS		4
#define FUZZ_SECTORS		2048	/* 1 MiB image: whole-image comparison */
#define FUZZ_DEFAULT_SEED	0x6964652d66757a7aULL
#define FUZZ_DEFAULT_COUNT	20000
#define FUZZ_LOG		4096	/* logged reads per GUEST_SYNC */
#define FUZZ_STR_BYTES		1024	/* largest string access: data port */
#define FUZZ_STR_OTHER		8	/* most elements of one elsewhere */

/* GUEST_SYNC_ARGS(stage, ...) stages */
#define FUZZ_SYNC_LOG		1	/* arg 2: entries in fuzz_log[] */
#define FUZZ_SYNC_FUZZED	2	/* phase 2: this vCPU's sequence is done */
#define FUZZ_SYNC_RECOVERED	3	/* phase 2: vCPU 0 read after the reset */

#define FUZZ_RECOVER_LBA	16
#define FUZZ_RECOVER_COUNT	8

/* The first ports of the two windows the accesses fall in. */
#define FUZZ_CMD_WIN		(IDE_CMD_BASE - 8)	/* 0x1e8-0x1ff */
#define FUZZ_CMD_WIN_LEN	24
#define FUZZ_CTL_WIN		0x3f0			/* 0x3f0-0x3ff */
#define FUZZ_CTL_WIN_LEN	16

struct fuzz_access {
	__u16 port;
	__u32 width;		/* 1, 2 or 4 */
	__u32 count;		/* elements: > 1 for a string */
	bool is_write;
	__u32 value;		/* a single write */
};

/* What a guest counted; the host reads it at the end. */
struct fuzz_counts {
	__u64 elems_in;		/* elements of accesses inside a range */
	__u64 elems_out;	/* elements of the others */
	__u64 strings;
	__u64 writes;
	__u64 bad_status;	/* status reads breaking the invariant */
	__u64 first_bad;	/* its access index + 1, and value */
	__u64 first_bad_val;
};

static struct fuzz_counts fuzz_counts[FUZZ_NR_VCPUS];
static __u64 fuzz_log[FUZZ_LOG];		/* phase 1: access index << 32 | value */
static __u8 fuzz_str[FUZZ_NR_VCPUS][FUZZ_STR_BYTES] __aligned(4096);

/* ---- the generator, a function of the seed only --------------------------- */

/* The generator of vCPU @idx in phase @phase. */
static __u64 fuzz_state(__u64 seed, __u32 phase, __u64 idx)
{
	return accel_fuzz_state(seed, phase * FUZZ_NR_VCPUS + idx);
}

static const __u8 fuzz_commands[] = {
	ATA_CMD_READ_SECTORS, ATA_CMD_READ_SECTORS_EXT, ATA_CMD_READ_MULTIPLE,
	ATA_CMD_READ_MULTIPLE_EXT, ATA_CMD_WRITE_SECTORS, ATA_CMD_WRITE_SECTORS_EXT,
	ATA_CMD_WRITE_MULTIPLE, ATA_CMD_WRITE_MULTIPLE_EXT, ATA_CMD_SET_MULTIPLE,
	ATA_CMD_FLUSH_CACHE, ATA_CMD_FLUSH_CACHE_EXT, ATA_CMD_IDENTIFY,
	ATA_CMD_SET_FEATURES, ATA_CMD_EXEC_DEVICE_DIAG, 0xc8 /* READ DMA */,
};

static const __u8 fuzz_features[] = {
	ATA_SF_WCACHE_ON, ATA_SF_XFER_MODE, ATA_SF_RLA_OFF, ATA_SF_REVERT_OFF,
	ATA_SF_WCACHE_OFF, ATA_SF_RLA_ON, ATA_SF_REVERT_ON,
};

static const __u8 fuzz_nsect[] = { 1, 2, 3, 4, 8, 16, 0x0c /* PIO 4 */ };

/* A byte written to @port: random, or one of the values it takes seriously. */
static __u8 fuzz_byte(__u64 r, __u16 port)
{
	bool wild = (r & 3) == 0;

	r >>= 2;
	switch (port) {
	case IDE_CMD_BASE + ATA_REG_FEATURE:
		return wild ? r : fuzz_features[r % ARRAY_SIZE(fuzz_features)];
	case IDE_CMD_BASE + ATA_REG_NSECT:
		return wild ? r : fuzz_nsect[r % ARRAY_SIZE(fuzz_nsect)];
	case IDE_CMD_BASE + ATA_REG_LBAM:
		return wild ? r : r % 8;		/* LBA < FUZZ_SECTORS */
	case IDE_CMD_BASE + ATA_REG_LBAH:
		return wild ? r : 0;
	case IDE_CMD_BASE + ATA_REG_DEVICE:
		return (r & 7) ? 0xe0 : r >> 3;		/* master, LBA; or anything */
	case IDE_CMD_BASE + ATA_REG_CMD:
		return wild ? r : fuzz_commands[r % ARRAY_SIZE(fuzz_commands)];
	case IDE_CTL_BASE:
		/* HOB and nIEN at random, SRST one write in 32. */
		return (r & (ATA_DEVCTL_HOB | ATA_DEVCTL_NIEN)) |
		       ((r >> 8) % 32 ? 0 : ATA_DEVCTL_SRST);
	default:
		return r;
	}
}

/* A value of @width bytes written at @port: each byte for its port. */
static __u32 fuzz_value(uint64_t *state, __u16 port, __u32 width)
{
	__u32 val = 0, i;

	for (i = 0; i < width; i++)
		val |= (__u32)fuzz_byte(accel_fuzz_rand(state), port + i) << (8 * i);
	return val;
}

/*
 * The next access.  Ports: the data port 5/16, the other command block
 * registers 6/16, 0x3f6 2/16, anywhere in the two windows 3/16.  Strings:
 * one word or dword access of the data port in 4, of up to FUZZ_STR_BYTES
 * (whole sectors move), and unless @data_strings one other access in 16,
 * of up to FUZZ_STR_OTHER elements.  With several vCPUs only the data
 * port's strings are exact to count: KVM drops the rest of a string whose
 * later element a program declines, and whether a status read or a
 * taskfile write is declined depends on the other vCPUs.
 */
static void fuzz_next(uint64_t *state, bool data_strings, struct fuzz_access *a)
{
	__u64 r = accel_fuzz_rand(state);
	__u32 pick = r >> 8;

	switch (r % 16) {
	case 0 ... 4:
		a->port = IDE_CMD_BASE + ATA_REG_DATA;
		break;
	case 5 ... 10:
		a->port = IDE_CMD_BASE + 1 + pick % 7;
		break;
	case 11 ... 12:
		a->port = IDE_CTL_BASE;
		break;
	case 13 ... 14:
		a->port = FUZZ_CMD_WIN + pick % FUZZ_CMD_WIN_LEN;
		break;
	default:
		a->port = FUZZ_CTL_WIN + pick % FUZZ_CTL_WIN_LEN;
		break;
	}
	switch ((r >> 4) % 4) {
	case 0:
		a->width = 1;
		break;
	case 3:
		a->width = 4;
		break;
	default:
		a->width = 2;
		break;
	}
	a->is_write = (r >> 6) & 1;
	a->count = 1;
	if ((r >> 40) % 4 == 0 && a->port == IDE_CMD_BASE && a->width > 1)
		a->count = 1 + (r >> 44) % (FUZZ_STR_BYTES / a->width);
	else if ((r >> 40) % 16 == 1 && !data_strings)
		a->count = 1 + (r >> 44) % FUZZ_STR_OTHER;
	a->value = a->is_write && a->count == 1 ? fuzz_value(state, a->port, a->width) : 0;
}

/* Whether every byte of a @width-byte element at @port is in one of the two ranges. */
static bool fuzz_in_range(__u16 port, __u32 width)
{
	return (port >= IDE_CMD_BASE && port + width <= IDE_CMD_BASE + IDE_CMD_LEN) ||
	       (port >= IDE_CTL_BASE && port + width <= IDE_CTL_BASE + IDE_CTL_LEN);
}

/* ---- guest side ---------------------------------------------------------- */

static __u32 fuzz_hash(const __u8 *p, __u32 len)
{
	__u32 h = 0x811c9dc5, i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x01000193;
	return h;
}

static void guest_string(const struct fuzz_access *a, __u8 *buf, uint64_t *state)
{
	__u64 n = a->count;
	void *p = buf;
	__u32 i;

	if (a->is_write) {
		for (i = 0; i < a->count; i++) {
			__u32 v = fuzz_value(state, a->port, a->width);

			memcpy(buf + i * a->width, &v, a->width);
		}
		if (a->width == 1)
			asm volatile("rep outsb" : "+S"(p), "+c"(n) : "d"(a->port) : "memory");
		else if (a->width == 2)
			asm volatile("rep outsw" : "+S"(p), "+c"(n) : "d"(a->port) : "memory");
		else
			asm volatile("rep outsl" : "+S"(p), "+c"(n) : "d"(a->port) : "memory");
		return;
	}
	if (a->width == 1)
		asm volatile("rep insb" : "+D"(p), "+c"(n) : "d"(a->port) : "memory");
	else if (a->width == 2)
		asm volatile("rep insw" : "+D"(p), "+c"(n) : "d"(a->port) : "memory");
	else
		asm volatile("rep insl" : "+D"(p), "+c"(n) : "d"(a->port) : "memory");
}

/* A status the device can show: no drive (0), or DRDY and not BSY with DRQ. */
static bool fuzz_status_ok(__u8 st)
{
	return !st || ((st & ATA_DRDY) && (st & (ATA_BSY | ATA_DRQ)) != (ATA_BSY | ATA_DRQ));
}

static void guest_flush_log(__u32 *n)
{
	if (!*n)
		return;
	GUEST_SYNC_ARGS(FUZZ_SYNC_LOG, *n, 0, 0, 0);
	*n = 0;
}

/* Phase 2's end on vCPU 0: a software reset, IDENTIFY and a read must work. */
static void guest_recover(void)
{
	__u8 st;

	ide_out(IDE_CTL_BASE, 1, ATA_DEVCTL_NIEN | ATA_DEVCTL_SRST);
	ide_out(IDE_CTL_BASE, 1, ATA_DEVCTL_NIEN);
	st = ide_guest_poll_alt();
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR | ATA_DRDY), ATA_DRDY);
	st = ide_guest_pio_in(ATA_CMD_IDENTIFY, 0, 1, 1, false);
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), 0);
	GUEST_SYNC_ARGS(FUZZ_SYNC_RECOVERED, 0, 0, 0, 0);
	st = ide_guest_pio_in(ATA_CMD_READ_SECTORS, FUZZ_RECOVER_LBA, FUZZ_RECOVER_COUNT, 1,
			      false);
	GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), 0);
	GUEST_SYNC_ARGS(FUZZ_SYNC_RECOVERED, 1, 0, 0, 0);
}

/*
 * vCPU @idx runs @count accesses of generator @seed / @phase.  Phase 1
 * logs what it reads; phase 2 recovers the device on vCPU 0 once all
 * vCPUs are done (the host holds vCPU 0 at FUZZ_SYNC_FUZZED until then).
 */
static void guest_code(__u64 idx, __u64 seed, __u64 count, __u64 phase)
{
	struct fuzz_counts *c = &fuzz_counts[idx];
	uint64_t state = fuzz_state(seed, phase, idx);
	__u64 i, val;
	__u8 *buf = fuzz_str[idx];
	struct fuzz_access a;
	__u32 logged = 0;

	for (i = 0; i < count; i++) {
		fuzz_next(&state, phase == 2, &a);
		if (fuzz_in_range(a.port, a.width))
			c->elems_in += a.count;
		else
			c->elems_out += a.count;
		c->writes += a.is_write;
		if (a.count > 1) {
			c->strings++;
			guest_string(&a, buf, &state);
			if (a.is_write)
				continue;
			val = fuzz_hash(buf, a.count * a.width);
		} else if (a.is_write) {
			ide_out(a.port, a.width, a.value);
			continue;
		} else {
			val = ide_in(a.port, a.width);
		}
		if (a.count == 1 && a.width == 1 &&
		    (a.port == IDE_STATUS_PORT || a.port == IDE_ALT_PORT) &&
		    !fuzz_status_ok(val) && !c->bad_status++) {
			c->first_bad = i + 1;
			c->first_bad_val = val;
		}
		if (phase == 1) {
			fuzz_log[logged++] = i << 32 | (__u32)val;
			if (logged == FUZZ_LOG)
				guest_flush_log(&logged);
		}
	}
	guest_flush_log(&logged);
	if (phase == 2) {
		GUEST_SYNC_ARGS(FUZZ_SYNC_FUZZED, 0, 0, 0, 0);
		if (!idx)
			guest_recover();
	}
	GUEST_DONE();
}

/* ---- VMM side ------------------------------------------------------------ */

struct fuzz_vmm {
	struct ide_rig *rig;
	struct kvm_vcpu *vcpu;
	__u64 exits_in;		/* exits of accesses inside a range */
	__u64 elems_in;		/* their elements */
	__u64 elems_out;	/* elements of the others, all of which exit */
	/* Phase 1: the reads logged, recorded (@ref NULL) or compared with @ref. */
	__u64 *log;
	const __u64 *ref;
	__u64 nr_log, max_log;
	/* Phase 2: the counts above when the vCPU had done its sequence. */
	struct fuzz_p2 *p2;
	__u64 seq_exits_in, seq_elems_in, seq_elems_out;
	pthread_t thread;
};

/* Phase 2: the vCPUs' VMMs, and what held when all had done their sequence. */
struct fuzz_p2 {
	struct ide_rig rig;
	struct fuzz_vmm vmms[FUZZ_NR_VCPUS];
	pthread_barrier_t fuzzed;
	__u64 handled, mod_exits;	/* the module's counters then */
};

static void fuzz_at_fuzzed(struct fuzz_vmm *vmm);

/*
 * One element of an exit: the channel's ports go to the slow path, whose
 * ide_io() splits a wide access into bytes and answers the bytes beyond
 * the channel with 0xff; an element that starts outside it is split here
 * the same way, as an ISA bus would.
 */
static void fuzz_io(struct ide *ide, __u16 port, __u32 width, bool is_write, __u8 *data)
{
	__u32 i;

	if (ide_owns_port(port)) {
		TEST_ASSERT_EQ(ide_io(ide, port, width, 1, is_write, data), 0);
		return;
	}
	for (i = 0; i < width; i++) {
		if (ide_owns_port(port + i))
			TEST_ASSERT_EQ(ide_io(ide, port + i, 1, 1, is_write, data + i), 0);
		else if (!is_write)
			data[i] = 0xff;
	}
}

static void fuzz_log_in(struct fuzz_vmm *vmm, __u64 n)
{
	const __u64 *log = addr_gva2hva(vmm->rig->vm, (vm_vaddr_t)fuzz_log);
	__u64 i, got, want;

	TEST_ASSERT(n <= FUZZ_LOG && vmm->nr_log + n <= vmm->max_log,
		    "%llu more log entries after %llu", n, vmm->nr_log);
	for (i = 0; i < n; i++, vmm->nr_log++) {
		got = log[i];
		if (!vmm->ref) {
			vmm->log[vmm->nr_log] = got;
			continue;
		}
		want = vmm->ref[vmm->nr_log];
		TEST_ASSERT(got == want,
			    "access %llu: the guest read %#llx with the fast path, %#llx (access %llu) on the model alone",
			    got >> 32, got & 0xffffffff, want & 0xffffffff, want >> 32);
	}
}

/* After the reset of phase 2: IDENTIFY (@step 0), then the data read (1). */
static void fuzz_check_recovered(struct ide_rig *rig, __u64 step)
{
	const __u8 *id = ide_rig_gbuf(rig);
	__u32 i;

	if (step) {
		TEST_ASSERT(ide_image_equals(rig->img_fd, FUZZ_RECOVER_LBA, FUZZ_RECOVER_COUNT,
					     id),
			    "after the reset the guest read other data than the image holds");
		return;
	}
	for (i = 0; i < strlen(IDE_TEST_MODEL); i++)
		TEST_ASSERT(ide_id_char(id, 27, i) == IDE_TEST_MODEL[i],
			    "after the reset IDENTIFY gives model character %u as %#x", i,
			    ide_id_char(id, 27, i));
	TEST_ASSERT_EQ(ide_id_word(id, 100), FUZZ_SECTORS);
}

/* Run the vCPU to GUEST_DONE(), serving every exit. */
static void fuzz_vmm_run(struct fuzz_vmm *vmm)
{
	struct kvm_run *run = vmm->vcpu->run;
	struct ucall uc;
	__u64 cmd;
	__u8 *data;
	__u32 i;

	for (;;) {
		vcpu_run(vmm->vcpu);
		cmd = get_ucall(vmm->vcpu, &uc);
		if (cmd == UCALL_ABORT)
			REPORT_GUEST_ASSERT(uc);
		if (cmd == UCALL_DONE)
			return;
		if (cmd == UCALL_SYNC) {
			if (uc.args[1] == FUZZ_SYNC_LOG)
				fuzz_log_in(vmm, uc.args[2]);
			else if (uc.args[1] == FUZZ_SYNC_FUZZED && vmm->p2)
				fuzz_at_fuzzed(vmm);
			else if (uc.args[1] == FUZZ_SYNC_RECOVERED)
				fuzz_check_recovered(vmm->rig, uc.args[2]);
			else
				TEST_FAIL("unexpected GUEST_SYNC(%lu)", uc.args[1]);
			continue;
		}
		TEST_ASSERT(cmd == UCALL_NONE, "unexpected ucall %llu", cmd);
		TEST_ASSERT(run->exit_reason == KVM_EXIT_IO, "unexpected exit %s",
			    exit_reason_str(run->exit_reason));
		TEST_ASSERT(run->io.count >= 1 && run->io.size * run->io.count <= FUZZ_STR_BYTES,
			    "exit of %u x %u bytes", run->io.count, run->io.size);
		if (fuzz_in_range(run->io.port, run->io.size)) {
			vmm->exits_in++;
			vmm->elems_in += run->io.count;
		} else {
			vmm->elems_out += run->io.count;
		}
		data = (__u8 *)run + run->io.data_offset;
		for (i = 0; i < run->io.count; i++)
			fuzz_io(vmm->rig->ide, run->io.port, run->io.size,
				run->io.direction == KVM_EXIT_IO_OUT, data + i * run->io.size);
	}
}

/* A positive number from the environment, or @def. */
static __u64 fuzz_env(const char *name, __u64 def)
{
	__u64 val = accel_fuzz_env(name, def);

	TEST_ASSERT(val, "%s must not be 0", name);
	return val;
}

/* The INTRQ pulses sent so far: the plain eventfd's counter, read and reset. */
static __u64 fuzz_pulses(int fd)
{
	__u64 n = 0;
	int fl = fcntl(fd, F_GETFL);

	TEST_ASSERT(fl >= 0 && !fcntl(fd, F_SETFL, fl | O_NONBLOCK), "fcntl");
	if (read(fd, &n, sizeof(n)) != sizeof(n))
		TEST_ASSERT(errno == EAGAIN, "reading the INTRQ eventfd: %s", strerror(errno));
	return n;
}

/* Phase 1 on one side; its results, for the other side to compare with. */
struct fuzz_result {
	struct ide_regfile *regs;	/* a copy */
	__u8 *image;
	__u64 pulses;
	struct ide_stats stats;
	struct fuzz_counts counts;
	__u64 *log;
	__u64 nr_log;
	__u64 exits_in, elems_in, elems_out;
	__u64 handled;			/* the module's, both attachments */
	__u64 mod_exits;
	double secs;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fuzz_rig(struct ide_rig *rig, __u32 nr_vcpus, bool accel, bool doorbell,
		     __u64 seed, __u64 count, __u64 phase)
{
	struct ide_rig_opts opts = {
		.accel = accel,
		.doorbell = doorbell,
		.plain_irq = true,
		.sectors = FUZZ_SECTORS,
	};
	__u32 i;

	ide_rig_create_opts(rig, guest_code, nr_vcpus, &opts);
	for (i = 0; i < nr_vcpus; i++)
		vcpu_args_set(rig->vcpus[i], 4, (__u64)i, seed, count / nr_vcpus, phase);
}

/* The module's counters, both attachments together. */
static void fuzz_module(struct ide_rig *rig, __u64 *handled, __u64 *exits)
{
	struct kvm_accel_counters c = accel_counters(rig->cmd_link);
	struct kvm_accel_counters d = accel_counters(rig->ctl_link);

	TEST_ASSERT(!c.errors && !d.errors, "the module counted %llu and %llu errors",
		    c.errors, d.errors);
	*handled = c.handled + d.handled;
	*exits = c.exits + d.exits;
}

/*
 * What reached the program: the accesses inside the ranges the guest made
 * and the VMM did not see (those it handled), and the exits it declined.
 */
static void fuzz_check_reach(const char *what, const struct fuzz_counts *g,
			     __u64 exits_in, __u64 elems_in, __u64 elems_out,
			     bool accel, __u64 handled, __u64 mod_exits)
{
	TEST_ASSERT(elems_out == g->elems_out,
		    "%s: the guest made %llu accesses outside the ranges, %llu exited",
		    what, g->elems_out, elems_out);
	if (!accel) {
		TEST_ASSERT(elems_in == g->elems_in, "%s: %llu of %llu accesses exited",
			    what, elems_in, g->elems_in);
		return;
	}
	TEST_ASSERT(mod_exits == exits_in,
		    "%s: the module counted %llu exits, the VMM saw %llu", what, mod_exits,
		    exits_in);
	TEST_ASSERT(handled + elems_in == g->elems_in,
		    "%s: the program handled %llu accesses and %llu exited, the guest made %llu inside the ranges",
		    what, handled, elems_in, g->elems_in);
}

static void fuzz_phase1(struct fuzz_result *res, bool accel, __u64 seed, __u64 count,
			const __u64 *ref)
{
	struct fuzz_vmm vmm = {};
	struct ide_rig rig;
	const struct fuzz_counts *g;
	double t = now_s();

	fuzz_rig(&rig, 1, accel, false, seed, count, 1);
	vmm.rig = &rig;
	vmm.vcpu = rig.vcpus[0];
	vmm.max_log = count;
	vmm.ref = ref;
	if (!ref) {
		vmm.log = calloc(count, sizeof(*vmm.log));
		TEST_ASSERT(vmm.log, "malloc");
	}
	fuzz_vmm_run(&vmm);
	res->secs = now_s() - t;

	g = addr_gva2hva(rig.vm, (vm_vaddr_t)&fuzz_counts[0]);
	res->counts = *g;
	TEST_ASSERT(!g->bad_status, "access %llu: status %#llx (%llu such reads)",
		    g->first_bad - 1, g->first_bad_val, g->bad_status);
	res->log = vmm.log;
	res->nr_log = vmm.nr_log;
	res->exits_in = vmm.exits_in;
	res->elems_in = vmm.elems_in;
	res->elems_out = vmm.elems_out;
	if (accel)
		fuzz_module(&rig, &res->handled, &res->mod_exits);
	fuzz_check_reach(accel ? "fast path" : "model alone", g, vmm.exits_in, vmm.elems_in,
			 vmm.elems_out, accel, res->handled, res->mod_exits);

	res->regs = malloc(sizeof(*res->regs));
	res->image = malloc(FUZZ_SECTORS * ATA_SECTOR_SIZE);
	TEST_ASSERT(res->regs && res->image, "malloc");
	memcpy(res->regs, rig.regs, sizeof(*res->regs));
	TEST_ASSERT(pread(rig.img_fd, res->image, FUZZ_SECTORS * ATA_SECTOR_SIZE, 0) ==
		    FUZZ_SECTORS * ATA_SECTOR_SIZE, "reading the image");
	res->pulses = fuzz_pulses(rig.irq_fd);
	ide_get_stats(rig.ide, &res->stats);
	TEST_ASSERT_EQ(res->stats.io_errors, 0);
	ide_rig_destroy(&rig);
}

/* Both sides of phase 1 must have left the same device behind. */
static void fuzz_compare(const struct fuzz_result *m, const struct fuzz_result *f)
{
	const struct ide_regfile *a = m->regs, *b = f->regs;
	__u32 i;

#define SAME(field)							\
	TEST_ASSERT(a->field == b->field,				\
		    #field ": %#llx on the model alone, %#llx with the fast path", \
		    (__u64)a->field, (__u64)b->field)
	SAME(phase);
	SAME(irq_pending);
	SAME(devctl);
	SAME(pos);
	SAME(end);
	SAME(block);
	SAME(last);
	SAME(fp_active);
	SAME(fp_errors);
	for (i = 0; i < 8; i++)
		SAME(tf[i]);
	for (i = 0; i < 2; i++) {
		SAME(status[i]);
		SAME(error[i]);
	}
#undef SAME
	TEST_ASSERT(!memcmp(a->buf, b->buf, IDE_BUF_SIZE), "the transfer buffers differ");
	TEST_ASSERT(!memcmp(m->image, f->image, FUZZ_SECTORS * ATA_SECTOR_SIZE),
		    "the disk images differ");
	TEST_ASSERT(m->pulses == f->pulses, "INTRQ pulsed %llu times on the model alone, %llu with the fast path",
		    m->pulses, f->pulses);
	TEST_ASSERT(m->stats.commands == f->stats.commands &&
		    m->stats.services == f->stats.services,
		    "commands/services: %llu/%llu on the model alone, %llu/%llu with the fast path",
		    m->stats.commands, m->stats.services, f->stats.commands, f->stats.services);
	TEST_ASSERT_EQ(m->nr_log, f->nr_log);
	TEST_ASSERT_EQ(f->regs->fp_errors, 0);
}

/* ---- phase 2 -------------------------------------------------------------- */

static void *fuzz_vcpu_thread(void *arg)
{
	fuzz_vmm_run(arg);
	return NULL;
}

/*
 * Every vCPU has finished its sequence and stopped at FUZZ_SYNC_FUZZED
 * (vCPU 0's thread goes on once all have): nothing is in the fast path, so
 * the contract's resting state must hold, and the module's counters are
 * those of the random accesses alone.  The doorbell thread may still be
 * servicing a buffer: it stores only under its own phase.
 */
static void fuzz_at_fuzzed(struct fuzz_vmm *vmm)
{
	struct fuzz_p2 *p2 = vmm->p2;
	const struct ide_regfile *r = p2->rig.regs;
	__u64 ph;

	vmm->seq_exits_in = vmm->exits_in;
	vmm->seq_elems_in = vmm->elems_in;
	vmm->seq_elems_out = vmm->elems_out;
	pthread_barrier_wait(&p2->fuzzed);
	if (vmm->vcpu->id)
		return;
	ph = __atomic_load_n(&r->phase, __ATOMIC_SEQ_CST);
	TEST_ASSERT(__atomic_load_n(&r->fp_active, __ATOMIC_SEQ_CST) == 0,
		    "no vCPU runs, yet fp_active is %llu", r->fp_active);
	TEST_ASSERT((ph & IDE_PHASE_MASK) <= IDE_PHASE_RESET &&
		    !(ph & ~(__u64)(IDE_PHASE_MASK | IDE_PHASE_DRIVE)), "phase %#llx", ph);
	TEST_ASSERT(r->irq_pending <= 1, "irq_pending %llu", r->irq_pending);
	TEST_ASSERT(r->fp_errors == 0, "%llu eventfd signals failed", r->fp_errors);
	fuzz_module(&p2->rig, &p2->handled, &p2->mod_exits);
}

static void fuzz_phase2(__u64 seed, __u64 count)
{
	static struct fuzz_p2 p2;
	struct fuzz_counts total = {};
	__u64 exits_in = 0, elems_in = 0, elems_out = 0;
	struct ide_stats stats;
	double t = now_s();
	__u32 v;

	memset(&p2, 0, sizeof(p2));
	fuzz_rig(&p2.rig, FUZZ_NR_VCPUS, true, true, seed, count, 2);
	pthread_barrier_init(&p2.fuzzed, NULL, FUZZ_NR_VCPUS);
	for (v = 0; v < FUZZ_NR_VCPUS; v++) {
		p2.vmms[v] = (struct fuzz_vmm) {
			.rig = &p2.rig,
			.vcpu = p2.rig.vcpus[v],
			.p2 = &p2,
		};
		TEST_ASSERT(!pthread_create(&p2.vmms[v].thread, NULL, fuzz_vcpu_thread,
					    &p2.vmms[v]), "pthread_create");
	}
	for (v = 0; v < FUZZ_NR_VCPUS; v++) {
		const struct fuzz_counts *g =
			addr_gva2hva(p2.rig.vm, (vm_vaddr_t)&fuzz_counts[v]);

		pthread_join(p2.vmms[v].thread, NULL);
		TEST_ASSERT(!g->bad_status, "vCPU %u, access %llu: status %#llx (%llu such reads)",
			    v, g->first_bad - 1, g->first_bad_val, g->bad_status);
		total.elems_in += g->elems_in;
		total.elems_out += g->elems_out;
		total.strings += g->strings;
		total.writes += g->writes;
		/* Without vCPU 0's recovery, which came after. */
		exits_in += p2.vmms[v].seq_exits_in;
		elems_in += p2.vmms[v].seq_elems_in;
		elems_out += p2.vmms[v].seq_elems_out;
	}
	fuzz_check_reach("phase 2", &total, exits_in, elems_in, elems_out, true,
			 p2.handled, p2.mod_exits);
	ide_get_stats(p2.rig.ide, &stats);
	ksft_print_msg("phase 2, %u vCPUs, fast path + doorbell thread: %llu accesses (%llu writes, %llu strings), %llu elements inside the ranges (%llu handled in the kernel), %llu outside; %llu commands, %llu services, %.1f s\n",
		       FUZZ_NR_VCPUS, count / FUZZ_NR_VCPUS * FUZZ_NR_VCPUS, total.writes,
		       total.strings, total.elems_in, p2.handled, total.elems_out,
		       stats.commands, stats.services, now_s() - t);
	TEST_ASSERT(p2.rig.regs->fp_active == 0 && p2.rig.regs->fp_errors == 0,
		    "at the end: fp_active %llu, fp_errors %llu", p2.rig.regs->fp_active,
		    p2.rig.regs->fp_errors);
	TEST_ASSERT_EQ(stats.io_errors, 0);
	pthread_barrier_destroy(&p2.fuzzed);
	ide_rig_destroy(&p2.rig);
}

FIXTURE(ide_fuzz) {};
FIXTURE_SETUP(ide_fuzz) {}
FIXTURE_TEARDOWN(ide_fuzz) {}

/* Long runs (KA_IDE_FUZZ_COUNT) must end before the test VM's own limit. */
TEST_F_TIMEOUT(ide_fuzz, random_accesses, 900)
{
	const __u64 seed = fuzz_env("KA_IDE_FUZZ_SEED", FUZZ_DEFAULT_SEED);
	const __u64 count = fuzz_env("KA_IDE_FUZZ_COUNT", FUZZ_DEFAULT_COUNT);
	static struct fuzz_result model, fast;

	ksft_print_msg("seed 0x%llx count %llu (KA_IDE_FUZZ_SEED, KA_IDE_FUZZ_COUNT)\n",
		       seed, count);
	ksft_print_msg("widths 1, 2 and 4: port I/O has no 8-byte access\n");

	fuzz_phase1(&model, false, seed, count, NULL);
	fuzz_phase1(&fast, true, seed, count, model.log);
	fuzz_compare(&model, &fast);
	ksft_print_msg("phase 1, 1 vCPU: %llu accesses (%llu writes, %llu strings), %llu reads compared; %llu elements inside the ranges, %llu outside; %llu commands, %llu services, %llu INTRQ pulses\n",
		       count, model.counts.writes, model.counts.strings, model.nr_log,
		       model.counts.elems_in, model.counts.elems_out, model.stats.commands,
		       model.stats.services, model.pulses);
	ksft_print_msg("phase 1: model alone %llu exits, %.1f s; fast path %llu exits (%llu handled in the kernel), %.1f s\n",
		       model.exits_in + model.elems_out, model.secs,
		       fast.mod_exits, fast.handled, fast.secs);

	fuzz_phase2(seed, count);
}

TEST_HARNESS_MAIN
