// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the IDE device end to end: a PIO ATA driver in the guest
 * identifies the disk (model, serial, capacity and feature words must be
 * what the VMM configured), then reads and writes 1, 2, 8 and 255/256
 * sectors with READ/WRITE SECTORS, their LBA48 EXT forms and READ/WRITE
 * MULTIPLE (EXT; 255 sectors in blocks of 8 ends with a short block),
 * flushes, and checks that an unsupported command and an
 * address beyond the disk fail as ATA says.  The host compares every
 * sector read with the image file and the image with the pattern the guest
 * wrote.  The workload runs on the userspace slow path alone and with the
 * fast path attached, polling (nIEN=1) and interrupt driven (IRQ 14 via
 * irqfd, with the doorbell thread); the userspace exits of each command are
 * printed both ways.  With the fast path a read command may exit at most
 * twice and a write command three times, whatever its length; without it a
 * command of 255 or more sectors, and any write, exits more than 100 times.
 */
#include "kselftest_harness.h"
#include "ide_vm.h"

#define HIGH		IDE_TEST_HIGH

static const struct ide_step steps[] = {
	{ "IDENTIFY DEVICE", ATA_CMD_IDENTIFY, 0, 0, 1 },
	{ "SET FEATURES PIO mode 4", ATA_CMD_SET_FEATURES, ATA_SF_XFER_MODE, 0, 0x0c },
	{ "SET MULTIPLE MODE 8", ATA_CMD_SET_MULTIPLE, 0, 0, IDE_TEST_MULTIPLE },
	{ "READ SECTORS 1", ATA_CMD_READ_SECTORS, 0, 100, 1 },
	{ "READ SECTORS 2", ATA_CMD_READ_SECTORS, 0, 200, 2 },
	{ "READ SECTORS 8", ATA_CMD_READ_SECTORS, 0, 300, 8 },
	{ "READ SECTORS 256", ATA_CMD_READ_SECTORS, 0, 1000, 256 },
	{ "READ SECTORS EXT 1", ATA_CMD_READ_SECTORS_EXT, 0, HIGH + 100, 1 },
	{ "READ SECTORS EXT 2", ATA_CMD_READ_SECTORS_EXT, 0, HIGH + 200, 2 },
	{ "READ SECTORS EXT 8", ATA_CMD_READ_SECTORS_EXT, 0, HIGH + 300, 8 },
	{ "READ SECTORS EXT 255", ATA_CMD_READ_SECTORS_EXT, 0, HIGH + 1000, 255 },
	{ "READ MULTIPLE 8", ATA_CMD_READ_MULTIPLE, 0, 1500, 8 },
	{ "READ MULTIPLE 255", ATA_CMD_READ_MULTIPLE, 0, 2000, 255 },
	{ "READ MULTIPLE EXT 256", ATA_CMD_READ_MULTIPLE_EXT, 0, HIGH + 2000, 256 },
	{ "WRITE SECTORS 1", ATA_CMD_WRITE_SECTORS, 0, 2500, 1 },
	{ "WRITE SECTORS 2", ATA_CMD_WRITE_SECTORS, 0, 2600, 2 },
	{ "WRITE SECTORS 8", ATA_CMD_WRITE_SECTORS, 0, 2700, 8 },
	{ "WRITE SECTORS 256", ATA_CMD_WRITE_SECTORS, 0, 3000, 256 },
	{ "WRITE SECTORS EXT 1", ATA_CMD_WRITE_SECTORS_EXT, 0, HIGH + 2500, 1 },
	{ "WRITE SECTORS EXT 8", ATA_CMD_WRITE_SECTORS_EXT, 0, HIGH + 3000, 8 },
	{ "WRITE MULTIPLE 8", ATA_CMD_WRITE_MULTIPLE, 0, 3500, 8 },
	{ "WRITE MULTIPLE 255", ATA_CMD_WRITE_MULTIPLE, 0, 3600, 255 },
	{ "WRITE MULTIPLE EXT 256", ATA_CMD_WRITE_MULTIPLE_EXT, 0, HIGH + 3500, 256 },
	{ "READ SECTORS EXT 256 (written)", ATA_CMD_READ_SECTORS_EXT, 0, HIGH + 3500, 256 },
	{ "FLUSH CACHE", ATA_CMD_FLUSH_CACHE },
	{ "FLUSH CACHE EXT", ATA_CMD_FLUSH_CACHE_EXT },
	{ "READ DMA (unsupported)", 0xc8, 0, 0, 1, ATA_ABRT },
	{ "READ SECTORS EXT past the end", ATA_CMD_READ_SECTORS_EXT, 0,
	  IDE_TEST_SECTORS - 1, 2, ATA_IDNF },
	{ "IDENTIFY DEVICE (multiple set)", ATA_CMD_IDENTIFY, 0, 0, 1 },
};

#define NR_STEPS	ARRAY_SIZE(steps)

static void guest_code(__u64 vcpu)
{
	ide_guest_run(steps, NR_STEPS);
}

/* IDENTIFY DEVICE: what the VMM configured, read back by the guest. */
static void check_identify(const __u8 *id, __u32 mult)
{
	__u8 sum = 0;
	__u64 lba48 = 0;
	int i;

	for (i = 0; i < IDE_MODEL_LEN; i++)
		TEST_ASSERT_EQ(ide_id_char(id, 27, i),
			       i < (int)strlen(IDE_TEST_MODEL) ? IDE_TEST_MODEL[i] : ' ');
	for (i = 0; i < IDE_SERIAL_LEN; i++)
		TEST_ASSERT_EQ(ide_id_char(id, 10, i),
			       i < (int)strlen(IDE_TEST_SERIAL) ? IDE_TEST_SERIAL[i] : ' ');
	/* LBA28 capacity saturates; LBA48 capacity is exact. */
	TEST_ASSERT_EQ(ide_id_word(id, 60) | ide_id_word(id, 61) << 16, 0x0fffffff);
	for (i = 0; i < 4; i++)
		lba48 |= (__u64)ide_id_word(id, 100 + i) << (16 * i);
	TEST_ASSERT_EQ(lba48, IDE_TEST_SECTORS);
	TEST_ASSERT(ide_id_word(id, 49) & (1 << 9), "LBA not supported");
	TEST_ASSERT(ide_id_word(id, 83) & (1 << 10), "LBA48 not supported");
	TEST_ASSERT_EQ(ide_id_word(id, 47), 0x8000 | ATA_MAX_MULTIPLE);
	TEST_ASSERT_EQ(ide_id_word(id, 59), mult ? 0x100 | mult : 0);
	TEST_ASSERT_EQ(id[510], 0xa5);
	for (i = 0; i < ATA_SECTOR_SIZE; i++)
		sum += id[i];
	TEST_ASSERT_EQ(sum, 0);
}

struct run {
	__u64 exits[NR_STEPS];
	__u64 hash;
};

static __u32 step_irqs(const struct ide_step *s)
{
	__u32 block = ide_cmd_multiple(s->cmd) ? IDE_TEST_MULTIPLE : 1;

	if (s->error || ide_cmd_kind(s->cmd) == IDE_NODATA)
		return 1;
	return (s->count + block - 1) / block;
}

/* One run of the workload; every command checked against the image. */
static void run_workload(struct run *res, bool accel, bool irq_mode)
{
	__u64 before = 0, irqs = 0, st, err;
	struct ide_rig rig;
	struct ucall uc;
	__u32 i;

	ide_rig_create(&rig, guest_code, 1, accel, irq_mode, irq_mode);
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[1], IDE_SYNC_READY);
	before = ide_rig_exits(&rig);
	for (i = 0; i < NR_STEPS; i++) {
		const struct ide_step *s = &steps[i];

		TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[1], i);
		res->exits[i] = ide_rig_exits(&rig) - before;
		before = ide_rig_exits(&rig);
		st = uc.args[3];
		err = uc.args[4];

		if (s->error) {
			TEST_ASSERT((st & ATA_ERR) && err == s->error,
				    "%s: status %#llx error %#llx, want error %#x",
				    s->name, st, err, s->error);
		} else {
			TEST_ASSERT((st & (ATA_BSY | ATA_DRDY | ATA_DRQ | ATA_ERR)) == ATA_DRDY &&
				    !err, "%s: status %#llx error %#llx", s->name, st, err);
		}
		/* One interrupt per DRQ block, or per command; none when polling. */
		irqs += irq_mode ? step_irqs(s) : 0;
		TEST_ASSERT(uc.args[5] == irqs, "%s: %llu interrupts, want %llu",
			    s->name, (__u64)uc.args[5], irqs);

		if (s->cmd == ATA_CMD_IDENTIFY)
			check_identify(ide_rig_gbuf(&rig), i ? IDE_TEST_MULTIPLE : 0);
		else if (ide_cmd_kind(s->cmd) == IDE_IN && !s->error)
			TEST_ASSERT(ide_image_equals(rig.img_fd, s->lba, s->count,
						     ide_rig_gbuf(&rig)),
				    "%s: the guest read other data than the image holds",
				    s->name);
		else if (ide_cmd_kind(s->cmd) == IDE_OUT)
			TEST_ASSERT(ide_image_has(rig.img_fd, i + 1, s->lba, s->count),
				    "%s: the image does not hold what the guest wrote",
				    s->name);
	}
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_DONE);
	res->hash = uc.args[2];
	/* What the module counted as declined is what reached this VMM. */
	if (accel)
		TEST_ASSERT_EQ(ide_rig_module_exits(&rig), ide_rig_exits(&rig));
	TEST_ASSERT_EQ(rig.regs->fp_errors, 0);
	ide_rig_destroy(&rig);
}

FIXTURE(ide_pio) {};
FIXTURE_VARIANT(ide_pio) {
	bool irq_mode;
};
FIXTURE_VARIANT_ADD(ide_pio, polling) {
	.irq_mode = false,
};
FIXTURE_VARIANT_ADD(ide_pio, interrupts) {
	.irq_mode = true,
};
FIXTURE_SETUP(ide_pio) {}
FIXTURE_TEARDOWN(ide_pio) {}

TEST_F_TIMEOUT(ide_pio, commands, 600)
{
	static struct run slow, fast;
	__u32 i;

	struct timespec t0, t1, t2;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_workload(&slow, false, variant->irq_mode);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run_workload(&fast, true, variant->irq_mode);
	clock_gettime(CLOCK_MONOTONIC, &t2);
	ksft_print_msg("wall time: userspace %.2f s, kvm-accel %.2f s\n",
		       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		       t2.tv_sec - t1.tv_sec + (t2.tv_nsec - t1.tv_nsec) / 1e9);

	ksft_print_msg("%s: userspace exits per command\n",
		       variant->irq_mode ? "interrupts + doorbell" : "polling (nIEN=1)");
	ksft_print_msg("%-32s %10s %10s\n", "command", "userspace", "kvm-accel");
	for (i = 0; i < NR_STEPS; i++)
		ksft_print_msg("%-32s %10llu %10llu\n", steps[i].name,
			       slow.exits[i], fast.exits[i]);

	for (i = 0; i < NR_STEPS; i++) {
		const struct ide_step *s = &steps[i];
		enum ide_kind kind = ide_cmd_kind(s->cmd);

		/* The command write itself always exits. */
		TEST_ASSERT(fast.exits[i] >= 1, "%s: no exit", s->name);
		TEST_ASSERT(fast.exits[i] <= (kind == IDE_OUT ? 3 : 2),
			    "%s: %llu exits with the fast path", s->name, fast.exits[i]);
		if (!s->error && ((kind != IDE_NODATA && s->count >= 255) || kind == IDE_OUT))
			TEST_ASSERT(slow.exits[i] > 100,
				    "%s: only %llu exits without the fast path",
				    s->name, slow.exits[i]);
	}
	/* Both ways the guest read the very same values. */
	TEST_ASSERT_EQ(slow.hash, fast.hash);
}

TEST_HARNESS_MAIN
