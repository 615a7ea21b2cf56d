// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the equivalence of the IDE fast path and the userspace model: the
 * same guest workload runs once on the slow path alone (every access
 * exits) and once with the fast path attached, and the guest must see the
 * very same thing.  The guest folds every value it reads into a hash that
 * it reports at each of the workload's sections, with the number of
 * interrupts it took; both runs must report the same sequence, and leave
 * the same bytes in the disk image.  The workload leans on the corners:
 * HOB bytes, accesses of every width at every register (split into bytes,
 * straddling the end of the range, bytes at the data port), a missing
 * slave, taskfile and command writes ignored during DRQ, 32-bit and
 * single-word data transfers, reads past the data, software reset in the
 * middle of a transfer, nIEN with an interrupt pending, aborted commands,
 * multiple mode, and LBA48 transfers longer than the 256-sector buffer.
 * It runs polling, polling with the doorbell thread, and interrupt driven.
 * Only the exit counts may differ; both are printed.
 */
#include "kselftest_harness.h"
#include "ide_vm.h"

static const char *const sections[] = {
	"registers after power-on",
	"taskfile and HOB bytes",
	"wide, straddling and byte accesses",
	"missing slave",
	"writes ignored during DRQ",
	"software reset mid-transfer",
	"nIEN with an interrupt pending",
	"SET FEATURES and IDENTIFY",
	"multiple mode",
	"CHS addressing (aborted)",
	"READ SECTORS EXT 300",
	"WRITE/READ SECTORS EXT 260",
	"32-bit data transfers",
	"EXECUTE DEVICE DIAGNOSTIC",
	"registers at the end",
};

#define NR_SECTIONS	ARRAY_SIZE(sections)
#define HIGH		IDE_TEST_HIGH

static __u8 devctl_base;	/* nIEN when polling */

/* Every register but the status (reading it acknowledges). */
static void log_regs(void)
{
	__u32 reg;

	for (reg = ATA_REG_ERROR; reg <= ATA_REG_DEVICE; reg++)
		ide_log(ide_reg_in(reg));
	ide_log(ide_inb(IDE_ALT_PORT));
}

static void checkpoint(__u32 section)
{
	GUEST_SYNC_ARGS(section, ide_guest_hash, 0, 0, ide_guest_irqs);
}

/* A command without data: issue, wait, log status and error. */
static void nodata(__u8 cmd, __u8 feature, __u32 count)
{
	ide_guest_issue(cmd, feature, 0, count);
	ide_log(ide_guest_wait());
	ide_log(ide_reg_in(ATA_REG_ERROR));
}

static void guest_code(__u64 vcpu)
{
	__u32 sec = 0, reg, i;

	ide_guest_init();
	devctl_base = ide_guest_irq_mode ? 0 : ATA_DEVCTL_NIEN;

	/* Power-on signature, status. */
	log_regs();
	ide_log(ide_inb(IDE_STATUS_PORT));
	checkpoint(sec++);

	/* Two writes per register: HOB set reads the first, any write clears HOB. */
	for (reg = ATA_REG_FEATURE; reg <= ATA_REG_LBAH; reg++) {
		ide_reg_out(reg, 0x10 + reg);
		ide_reg_out(reg, 0x20 + reg);
	}
	ide_reg_out(ATA_REG_DEVICE, 0xe5);
	log_regs();
	ide_out(IDE_CTL_BASE, 1, devctl_base | ATA_DEVCTL_HOB);
	log_regs();
	ide_reg_out(ATA_REG_FEATURE, 0x33);
	log_regs();
	ide_out(IDE_CTL_BASE, 1, devctl_base | ATA_DEVCTL_HOB);
	ide_reg_out(ATA_REG_DEVICE, 0xa0);
	log_regs();
	ide_out(IDE_CTL_BASE, 1, devctl_base);
	checkpoint(sec++);

	/* Wider than a byte: one byte per port; past 0x1f7 and 0x3f6 all ones. */
	ide_log(ide_in(IDE_CMD_BASE + 2, 2));
	ide_log(ide_in(IDE_CMD_BASE + 3, 4));
	ide_log(ide_in(IDE_CMD_BASE + 6, 2));
	ide_out(IDE_CMD_BASE + 2, 2, 0xbeef);
	ide_out(IDE_CMD_BASE + 2, 4, 0x55667788);
	log_regs();
	ide_log(ide_in(IDE_CMD_BASE + 7, 2));
	ide_log(ide_in(IDE_CMD_BASE + 5, 4));
	ide_log(ide_in(IDE_CTL_BASE, 2));
	/* Bytes at the data port, and data reads without DRQ. */
	ide_log(ide_inb(IDE_CMD_BASE));
	ide_out(IDE_CMD_BASE, 1, 0x5a);
	ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_log(ide_in(IDE_CMD_BASE, 4));
	/* A word write to 0x1f6: device register, then FLUSH CACHE at 0x1f7. */
	ide_out(IDE_CMD_BASE + 6, 2, ATA_CMD_FLUSH_CACHE << 8 | 0xa0);
	ide_log(ide_guest_wait());
	log_regs();
	checkpoint(sec++);

	/* Slave absent: reads as 0, commands ignored, the taskfile still latched. */
	ide_reg_out(ATA_REG_DEVICE, 0xb0);
	log_regs();
	ide_log(ide_inb(IDE_STATUS_PORT));
	ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_reg_out(ATA_REG_NSECT, 0x77);
	ide_reg_out(ATA_REG_LBAL, 0x66);
	ide_reg_out(ATA_REG_CMD, ATA_CMD_IDENTIFY);
	ide_log(ide_inb(IDE_STATUS_PORT));
	ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_reg_out(ATA_REG_DEVICE, 0xa0);
	log_regs();
	checkpoint(sec++);

	/* During DRQ: taskfile, device and command writes are ignored. */
	ide_guest_issue(ATA_CMD_READ_SECTORS, 0, 50, 2);
	ide_log(ide_guest_wait());
	ide_reg_out(ATA_REG_LBAL, 0x99);
	ide_reg_out(ATA_REG_DEVICE, 0xb0);
	ide_reg_out(ATA_REG_NSECT, 0x42);
	ide_reg_out(ATA_REG_CMD, ATA_CMD_IDENTIFY);
	log_regs();
	ide_ins(IDE_CMD_BASE, ide_gbuf, 128, 4);
	ide_log_buf(ide_gbuf, ATA_SECTOR_SIZE);
	ide_log(ide_guest_wait());
	for (i = 0; i < 256; i++)
		ide_log(ide_in(IDE_CMD_BASE, 2));
	/* Past the end of the data. */
	ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_log(ide_inb(IDE_ALT_PORT));
	checkpoint(sec++);

	/* Software reset in the middle of a transfer abandons it. */
	ide_guest_issue(ATA_CMD_READ_SECTORS, 0, 60, 8);
	ide_log(ide_guest_wait());
	for (i = 0; i < 100; i++)
		ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_out(IDE_CTL_BASE, 1, devctl_base | ATA_DEVCTL_SRST);
	ide_log(ide_inb(IDE_ALT_PORT));
	ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_out(IDE_CTL_BASE, 1, devctl_base);
	log_regs();
	ide_log(ide_in(IDE_CMD_BASE, 2));
	ide_log(ide_inb(IDE_STATUS_PORT));
	checkpoint(sec++);

	/* Completion with nIEN set: INTRQ only once nIEN is cleared. */
	if (ide_guest_irq_mode) {
		ide_out(IDE_CTL_BASE, 1, ATA_DEVCTL_NIEN);
		ide_guest_issue(ATA_CMD_SET_FEATURES, ATA_SF_RLA_OFF, 0, 0);
		ide_log(ide_guest_poll_alt());
		ide_log(ide_guest_irqs);
		ide_out(IDE_CTL_BASE, 1, 0);
		ide_log(ide_guest_wait());
	} else {
		nodata(ATA_CMD_SET_FEATURES, ATA_SF_RLA_OFF, 0);
	}
	checkpoint(sec++);

	nodata(ATA_CMD_SET_FEATURES, ATA_SF_WCACHE_OFF, 0);
	ide_log(ide_guest_pio_in(ATA_CMD_IDENTIFY, 0, 1, 1, false));
	nodata(ATA_CMD_SET_FEATURES, ATA_SF_WCACHE_ON, 0);
	nodata(ATA_CMD_SET_FEATURES, ATA_SF_RLA_ON, 0);
	nodata(ATA_CMD_SET_FEATURES, ATA_SF_XFER_MODE, 0x22);	/* multiword DMA */
	nodata(ATA_CMD_SET_FEATURES, 0x99, 0);
	checkpoint(sec++);

	nodata(ATA_CMD_SET_MULTIPLE, 0, 0);
	ide_log(ide_guest_pio_in(ATA_CMD_READ_MULTIPLE, 70, 8, 8, false));
	nodata(ATA_CMD_SET_MULTIPLE, 0, 3);
	nodata(ATA_CMD_SET_MULTIPLE, 0, 16);
	ide_log(ide_guest_pio_in(ATA_CMD_READ_MULTIPLE, 70, 40, 16, false));
	ide_log(ide_guest_pio_out(ATA_CMD_WRITE_MULTIPLE, 200, 40, 16, false, 7));
	ide_log(ide_guest_pio_in(ATA_CMD_READ_SECTORS, 200, 40, 1, false));
	checkpoint(sec++);

	/* Cylinder/head/sector addressing is not supported: aborted. */
	ide_reg_out(ATA_REG_NSECT, 1);
	ide_reg_out(ATA_REG_LBAL, 1);
	ide_reg_out(ATA_REG_DEVICE, 0xa0);
	ide_reg_out(ATA_REG_CMD, ATA_CMD_READ_SECTORS);
	ide_log(ide_guest_wait());
	log_regs();
	checkpoint(sec++);

	ide_log(ide_guest_pio_in(ATA_CMD_READ_SECTORS_EXT, HIGH + 10, 300, 1, false));
	checkpoint(sec++);

	ide_log(ide_guest_pio_out(ATA_CMD_WRITE_SECTORS_EXT, HIGH + 5000, 260, 1, false, 9));
	log_regs();
	ide_log(ide_guest_pio_in(ATA_CMD_READ_SECTORS_EXT, HIGH + 5000, 260, 1, false));
	checkpoint(sec++);

	ide_log(ide_guest_pio_out(ATA_CMD_WRITE_SECTORS, 300, 3, 1, true, 11));
	ide_log(ide_guest_pio_in(ATA_CMD_READ_SECTORS, 300, 3, 1, true));
	checkpoint(sec++);

	nodata(ATA_CMD_EXEC_DEVICE_DIAG, 0, 0);
	log_regs();
	checkpoint(sec++);

	log_regs();
	ide_log(ide_inb(IDE_STATUS_PORT));
	checkpoint(sec++);
	GUEST_ASSERT_EQ(sec, NR_SECTIONS);
	GUEST_DONE();
}

struct run {
	__u64 hash[NR_SECTIONS];
	__u64 irqs[NR_SECTIONS];
	__u64 exits[NR_SECTIONS];
	__u64 image;		/* hash of the image regions the workload uses */
};

static __u64 image_hash(int fd)
{
	const size_t len = IDE_TEST_FILL * ATA_SECTOR_SIZE;
	const __u64 regions[] = { 0, HIGH, HIGH + IDE_TEST_FILL };
	__u64 h = 0xcbf29ce484222325ULL;
	__u8 *buf = malloc(len);	/* not in .bss: that is guest memory too */
	size_t i, r;

	TEST_ASSERT(buf, "malloc");
	for (r = 0; r < ARRAY_SIZE(regions); r++) {
		TEST_ASSERT(pread(fd, buf, len, regions[r] * ATA_SECTOR_SIZE) == (ssize_t)len,
			    "reading the image");
		for (i = 0; i < len; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
	}
	free(buf);
	return h;
}

static void run_workload(struct run *res, bool accel, bool irq_mode, bool doorbell)
{
	struct ide_rig rig;
	struct ucall uc;
	__u64 before = 0;
	__u32 i;

	ide_rig_create(&rig, guest_code, 1, accel, irq_mode, doorbell);
	for (i = 0; i < NR_SECTIONS; i++) {
		TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
		TEST_ASSERT_EQ(uc.args[1], i);
		res->hash[i] = uc.args[2];
		res->irqs[i] = uc.args[5];
		res->exits[i] = ide_rig_exits(&rig) - before;
		before = ide_rig_exits(&rig);
	}
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_DONE);
	res->image = image_hash(rig.img_fd);
	if (accel)
		TEST_ASSERT_EQ(ide_rig_module_exits(&rig), ide_rig_exits(&rig));
	TEST_ASSERT_EQ(rig.regs->fp_errors, 0);
	ide_rig_destroy(&rig);
}

FIXTURE(ide_diff) {};
FIXTURE_VARIANT(ide_diff) {
	bool irq_mode;
	bool doorbell;
};
/* Write data flushed by the status read that finds BSY. */
FIXTURE_VARIANT_ADD(ide_diff, polling) {
	.irq_mode = false,
	.doorbell = false,
};
/* Flushed by the doorbell thread while the guest polls BSY in the kernel. */
FIXTURE_VARIANT_ADD(ide_diff, polling_doorbell) {
	.irq_mode = false,
	.doorbell = true,
};
/* Interrupt driven: the doorbell thread completes, INTRQ tells the guest. */
FIXTURE_VARIANT_ADD(ide_diff, interrupts) {
	.irq_mode = true,
	.doorbell = true,
};
FIXTURE_SETUP(ide_diff) {}
FIXTURE_TEARDOWN(ide_diff) {}

TEST_F_TIMEOUT(ide_diff, same_guest_view, 600)
{
	static struct run slow, fast;
	__u64 total_slow = 0, total_fast = 0;
	__u32 i;

	run_workload(&slow, false, variant->irq_mode, variant->doorbell);
	run_workload(&fast, true, variant->irq_mode, variant->doorbell);

	ksft_print_msg("%-36s %10s %10s\n", "section", "userspace", "kvm-accel");
	for (i = 0; i < NR_SECTIONS; i++) {
		ksft_print_msg("%-36s %10llu %10llu\n", sections[i], slow.exits[i],
			       fast.exits[i]);
		total_slow += slow.exits[i];
		total_fast += fast.exits[i];
	}
	ksft_print_msg("%-36s %10llu %10llu\n", "total exits", total_slow, total_fast);

	for (i = 0; i < NR_SECTIONS; i++) {
		TEST_ASSERT(slow.hash[i] == fast.hash[i],
			    "section \"%s\": the guest read different values (%#llx, %#llx)",
			    sections[i], slow.hash[i], fast.hash[i]);
		TEST_ASSERT(slow.irqs[i] == fast.irqs[i],
			    "section \"%s\": %llu interrupts on the slow path, %llu with the fast path",
			    sections[i], slow.irqs[i], fast.irqs[i]);
	}
	TEST_ASSERT(slow.image == fast.image, "the images differ");
	/* The fast path must have taken most of the work. */
	TEST_ASSERT(total_fast * 10 < total_slow, "%llu exits with the fast path, %llu without",
		    total_fast, total_slow);
}

TEST_HARNESS_MAIN
