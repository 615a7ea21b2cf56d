// SPDX-License-Identifier: GPL-2.0
/*
 * Guards the IDE slow path against bad input, driven through its API as a
 * VMM would call it (no VM needed): ide_create() refuses bad
 * configurations with the documented errno; ide_io() refuses accesses that
 * are not the channel's (wrong port, size or count) with -EINVAL and leaves
 * the register file untouched; an image that cannot be written or read
 * turns into the ATA error a guest expects (ABRT or UNC, status ERR, the
 * failing LBA in the taskfile) and the device goes on working.
 */
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "ide_vm.h"

#define SECTORS		64

static int image(int flags)
{
	char path[] = "/tmp/ide-errors-XXXXXX";
	int fd = mkstemp(path);

	TEST_ASSERT(fd >= 0, "mkstemp: %s", strerror(errno));
	TEST_ASSERT(!ftruncate(fd, SECTORS * ATA_SECTOR_SIZE), "ftruncate");
	if (flags != O_RDWR) {
		close(fd);
		fd = open(path, flags);
		TEST_ASSERT(fd >= 0, "open: %s", strerror(errno));
	}
	unlink(path);
	return fd;
}

static struct ide *create(int fd, __u64 sectors)
{
	struct ide_config cfg = IDE_CONFIG_INIT;
	struct ide *ide;
	int ret;

	cfg.drive[0].fd = fd;
	cfg.drive[0].sectors = sectors;
	ret = ide_create(&cfg, NULL, &ide);
	TEST_ASSERT(!ret, "ide_create: %s", strerror(-ret));
	return ide;
}

static __u8 inb(struct ide *ide, __u16 port)
{
	__u8 v;

	TEST_ASSERT_EQ(ide_io(ide, port, 1, 1, false, &v), 0);
	return v;
}

static void outb(struct ide *ide, __u16 port, __u8 v)
{
	TEST_ASSERT_EQ(ide_io(ide, port, 1, 1, true, &v), 0);
}

/* LBA28 taskfile and command, as a guest driver writes them. */
static void command(struct ide *ide, __u8 cmd, __u32 lba, __u8 count)
{
	outb(ide, IDE_CMD_BASE + ATA_REG_NSECT, count);
	outb(ide, IDE_CMD_BASE + ATA_REG_LBAL, lba);
	outb(ide, IDE_CMD_BASE + ATA_REG_LBAM, lba >> 8);
	outb(ide, IDE_CMD_BASE + ATA_REG_LBAH, lba >> 16);
	outb(ide, IDE_CMD_BASE + ATA_REG_DEVICE, 0xe0 | ((lba >> 24) & 0xf));
	outb(ide, IDE_CMD_BASE + ATA_REG_CMD, cmd);
}

static __u32 lba_of(struct ide *ide)
{
	return inb(ide, IDE_CMD_BASE + ATA_REG_LBAL) |
	       inb(ide, IDE_CMD_BASE + ATA_REG_LBAM) << 8 |
	       inb(ide, IDE_CMD_BASE + ATA_REG_LBAH) << 16;
}

TEST(bad_configuration)
{
	struct ide_config cfg = IDE_CONFIG_INIT;
	char model[IDE_MODEL_LEN + 2];
	struct ide *ide = NULL;
	int fd = image(O_RDWR);

	TEST_ASSERT_EQ(ide_create(NULL, NULL, &ide), -EINVAL);
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), -EINVAL);	/* no drive */

	cfg.drive[0].fd = fd;
	memset(model, 'M', sizeof(model) - 1);
	model[sizeof(model) - 1] = '\0';
	cfg.drive[0].model = model;
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), -EINVAL);	/* 41 characters */
	cfg.drive[0].model = NULL;
	cfg.drive[0].serial = "tab\there";
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), -EINVAL);
	cfg.drive[0].serial = NULL;
	cfg.drive[0].sectors = SECTORS + 1;
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), -EFBIG);
	cfg.drive[0].sectors = IDE_MAX_SECTORS + 1;
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), -EINVAL);
	cfg.drive[0].sectors = 0;
	cfg.drive[1].fd = 1000;					/* not open */
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), -EBADF);
	TEST_ASSERT(ide == NULL, "a failed ide_create() returned a device");

	cfg.drive[1].fd = -1;
	TEST_ASSERT_EQ(ide_create(&cfg, NULL, &ide), 0);
	ide_destroy(ide);
	close(fd);
}

TEST(bad_access)
{
	int fd = image(O_RDWR);
	struct ide *ide = create(fd, 0);
	struct ide_regfile *before = malloc(sizeof(*before));
	__u32 data = 0x12345678;

	TEST_ASSERT(before, "malloc");
	memcpy(before, ide_regs(ide), sizeof(*before));
	TEST_ASSERT_EQ(ide_io(ide, IDE_CMD_BASE + IDE_CMD_LEN, 1, 1, false, &data), -EINVAL);
	TEST_ASSERT_EQ(ide_io(ide, IDE_CTL_BASE + 1, 1, 1, true, &data), -EINVAL);
	TEST_ASSERT_EQ(ide_io(ide, IDE_CMD_BASE + ATA_REG_CMD, 3, 1, true, &data), -EINVAL);
	TEST_ASSERT_EQ(ide_io(ide, IDE_CMD_BASE + ATA_REG_CMD, 1, 0, true, &data), -EINVAL);
	TEST_ASSERT_EQ(ide_io(ide, IDE_CMD_BASE + ATA_REG_STATUS, 1, 1, false, NULL), -EINVAL);
	TEST_ASSERT_EQ(ide_io(NULL, IDE_CMD_BASE + ATA_REG_STATUS, 1, 1, false, &data), -EINVAL);
	TEST_ASSERT(!memcmp(before, ide_regs(ide), sizeof(*before)),
		    "a refused access changed the register file");
	TEST_ASSERT_EQ(data, 0x12345678);
	free(before);
	ide_destroy(ide);
	close(fd);
}

TEST(write_fails)
{
	int fd = image(O_RDONLY);
	struct ide *ide = create(fd, 0);
	struct ide_stats stats;
	__u16 words[256] = { 0 };
	__u8 st;

	command(ide, ATA_CMD_WRITE_SECTORS, 5, 1);
	TEST_ASSERT_EQ(inb(ide, IDE_CTL_BASE) & (ATA_BSY | ATA_DRQ), ATA_DRQ);
	TEST_ASSERT_EQ(ide_io(ide, IDE_CMD_BASE, 2, 256, true, words), 0);
	st = inb(ide, IDE_CMD_BASE + ATA_REG_STATUS);
	TEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR | ATA_DRDY), ATA_ERR | ATA_DRDY);
	TEST_ASSERT_EQ(inb(ide, IDE_CMD_BASE + ATA_REG_ERROR), ATA_ABRT);
	TEST_ASSERT_EQ(lba_of(ide), 5);
	ide_get_stats(ide, &stats);
	TEST_ASSERT_EQ(stats.io_errors, 1);

	/* Still a working device: reads succeed. */
	command(ide, ATA_CMD_READ_SECTORS, 7, 1);
	TEST_ASSERT_EQ(inb(ide, IDE_CMD_BASE + ATA_REG_STATUS) & (ATA_DRQ | ATA_ERR), ATA_DRQ);
	TEST_ASSERT_EQ(ide_io(ide, IDE_CMD_BASE, 2, 256, false, words), 0);
	TEST_ASSERT_EQ(inb(ide, IDE_CMD_BASE + ATA_REG_STATUS), ATA_DRDY | ATA_DSC);
	ide_destroy(ide);
	close(fd);
}

TEST(read_fails)
{
	int fd = open("/", O_RDONLY | O_DIRECTORY);	/* pread: EISDIR */
	struct ide *ide;
	__u8 st;

	TEST_ASSERT(fd >= 0, "open /: %s", strerror(errno));
	ide = create(fd, SECTORS);
	command(ide, ATA_CMD_READ_SECTORS, 0x123456, 8);
	TEST_ASSERT_EQ(lba_of(ide), 0x123456);
	TEST_ASSERT_EQ(inb(ide, IDE_CMD_BASE + ATA_REG_ERROR), ATA_IDNF);	/* beyond 64 */
	command(ide, ATA_CMD_READ_SECTORS, 9, 8);
	st = inb(ide, IDE_CMD_BASE + ATA_REG_STATUS);
	TEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ | ATA_ERR), ATA_ERR);
	TEST_ASSERT_EQ(inb(ide, IDE_CMD_BASE + ATA_REG_ERROR), ATA_UNC);
	TEST_ASSERT_EQ(lba_of(ide), 9);
	ide_destroy(ide);
	close(fd);
}

TEST_HARNESS_MAIN
