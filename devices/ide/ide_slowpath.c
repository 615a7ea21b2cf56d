// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * IDE slow path (see ide_slowpath.h): commands, device control and the disk
 * image, plus every register access that reaches userspace, which it
 * performs with the same functions as the fast path (ide_access.h).
 *
 * Everything here runs under ide->lock.  The register file is shared with
 * the fast path under the rules of ide.h: before touching anything the fast
 * path may store, the slow path takes the device (ide_take(): @phase to
 * SLOW or RESET, then wait until no fast-path access is storing), and it
 * hands the device back by publishing the next phase last.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ide_access.h"
#include "ide_slowpath.h"
#include "vmm/vmm.h"

#define IDE_HEADS		16	/* the CHS geometry IDENTIFY reports */
#define IDE_SPT			63
#define IDE_MAX_CYLINDERS	16383
#define IDE_LBA28_MAX		0x0fffffffULL

struct ide_drive {
	int fd;
	__u64 sectors;
	char model[IDE_MODEL_LEN];	/* space padded, no terminator */
	char serial[IDE_SERIAL_LEN];
	char firmware[IDE_FIRMWARE_LEN];
	__u32 mult;		/* sectors per READ/WRITE MULTIPLE block, 0: disabled */
	bool wcache;		/* volatile write cache enabled */
	bool rla;		/* read look-ahead enabled */
};

/* The data command in progress: its next chunk goes through buf. */
struct ide_xfer {
	bool active;
	bool write;
	bool lba48;
	__u32 drive;
	__u64 lba;		/* first sector of the chunk in buf (write) or next to read */
	__u64 remaining;	/* sectors not yet read into / written from buf */
	__u32 block;		/* sectors per DRQ block */
	__u32 chunk;		/* sectors of the chunk in buf (write) */
};

struct ide {
	pthread_mutex_t lock;
	struct ide_regfile *regs;
	bool own_regs;
	struct ide_drive drive[2];
	int irq_fd;
	bool doorbell;		/* the VMM services SERVICE without waiting for an exit */
	struct ide_xfer xfer;
	struct ide_stats stats;
};

static bool ide_service_locked(struct ide *ide);

/* ---- ownership ----------------------------------------------------------- */

/* After the fully ordered exchange of the phase: the loads cannot pass it. */
static void ide_wait_fast_path(struct ide_regfile *r)
{
	while (READ_ONCE(r->fp_active))
		sched_yield();
}

/*
 * Take the device from phase @from (exactly) to @to; false if the phase is
 * no longer @from.  Afterwards no fast-path access is storing (ide.h).
 */
static bool ide_take(struct ide *ide, __u64 from, __u64 to)
{
	struct ide_regfile *r = ide->regs;

	if (cmpxchg(&r->phase, from, to) != from)
		return false;
	ide_wait_fast_path(r);
	return true;
}

/* Hand the device over: everything stored so far is visible first. */
static void ide_publish(struct ide *ide, __u64 phase)
{
	xchg(&ide->regs->phase, phase);
}

static __u64 ide_phase_of(__u32 drv, __u64 phase)
{
	return phase | (drv ? IDE_PHASE_DRIVE : 0);
}

static void ide_pulse(struct ide *ide)
{
	__u64 one = 1;

	if (ide->irq_fd < 0)
		return;
	if (write(ide->irq_fd, &one, sizeof(one)) == sizeof(one))
		ide->stats.irqs++;
	else
		ide->stats.irq_errors++;
}

/*
 * A buffer handed back (IDE_EV_SERVICE) is dealt with at once only with
 * the doorbell.  Without it the fast path leaves it to the guest's next
 * access that exits (the status read that finds BSY), and so does the slow
 * path alone: both then show the guest the same device (ide_io_one()).
 */
static void ide_events(struct ide *ide, __u32 ev)
{
	if (ev & IDE_EV_IRQ)
		ide_pulse(ide);
	if ((ev & IDE_EV_SERVICE) && ide->doorbell)
		ide_service_locked(ide);
}

static void ide_raise(struct ide *ide)
{
	ide_events(ide, ide_irq_raise(ide->regs));
}

/* ---- image I/O ----------------------------------------------------------- */

/* Read or write @len bytes of the image at @sector, all of them or fail. */
static int ide_image_io(int fd, void *buf, size_t len, __u64 sector, bool is_write)
{
	off_t off = sector * ATA_SECTOR_SIZE;
	ssize_t n;

	while (len) {
		n = is_write ? pwrite(fd, buf, len, off) : pread(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;	/* the image shrank under us */
		buf = (__u8 *)buf + n;
		len -= n;
		off += n;
	}
	return 0;
}

/* ---- completions --------------------------------------------------------- */

/* The command ended: report @status/@error and raise INTRQ. */
static void ide_complete(struct ide *ide, __u32 drv, __u8 status, __u8 error)
{
	struct ide_regfile *r = ide->regs;

	ide->xfer.active = false;
	WRITE_ONCE(r->status[drv], status);
	WRITE_ONCE(r->error[drv], error);
	ide_publish(ide, ide_phase_of(drv, IDE_PHASE_IDLE));
	ide_raise(ide);
}

static void ide_ok(struct ide *ide, __u32 drv)
{
	ide_complete(ide, drv, ATA_DRDY | ATA_DSC, 0);
}

static void ide_abort(struct ide *ide, __u32 drv)
{
	ide_complete(ide, drv, ATA_DRDY | ATA_DSC | ATA_ERR, ATA_ABRT);
}

static void ide_set_tf(struct ide_regfile *r, __u32 reg, __u64 cur, __u64 hob)
{
	WRITE_ONCE(r->tf[reg], (hob & 0xff) << IDE_TF_HOB_SHIFT | (cur & 0xff));
}

/* A data error at @lba: the taskfile reports where, as ATA asks. */
static void ide_data_error(struct ide *ide, __u32 drv, __u64 lba, bool lba48, __u8 error)
{
	struct ide_regfile *r = ide->regs;

	ide_set_tf(r, ATA_REG_LBAL, lba, lba >> 24);
	ide_set_tf(r, ATA_REG_LBAM, lba >> 8, lba >> 32);
	ide_set_tf(r, ATA_REG_LBAH, lba >> 16, lba >> 40);
	if (!lba48)
		WRITE_ONCE(r->tf[ATA_REG_DEVICE],
			  (READ_ONCE(r->tf[ATA_REG_DEVICE]) & ~ATA_DEV_HEAD) |
			  ((lba >> 24) & ATA_DEV_HEAD));
	ide_complete(ide, drv, ATA_DRDY | ATA_DSC | ATA_ERR, error);
}

/*
 * Hand a data phase to the fast path: @bytes of buf in DRQ blocks of
 * @block bytes, @last if they end the command.
 */
static void ide_start_data(struct ide *ide, __u32 drv, __u64 phase, __u32 bytes,
			   __u32 block, bool last)
{
	struct ide_regfile *r = ide->regs;

	WRITE_ONCE(r->pos, 0);
	WRITE_ONCE(r->end, bytes);
	WRITE_ONCE(r->block, block);
	WRITE_ONCE(r->last, last);
	WRITE_ONCE(r->status[drv], ATA_DRDY | ATA_DSC);
	WRITE_ONCE(r->error[drv], 0);
	ide_publish(ide, ide_phase_of(drv, phase));
}

/* Sectors of the next chunk: whole DRQ blocks, but for the command's last. */
static __u32 ide_chunk(const struct ide_xfer *x)
{
	__u64 max = IDE_BUF_SECTORS / x->block * x->block;

	return x->remaining < max ? x->remaining : max;
}

/* Read the next chunk into buf and let the guest have it (PIO data-in). */
static void ide_read_chunk(struct ide *ide)
{
	struct ide_xfer *x = &ide->xfer;
	struct ide_drive *d = &ide->drive[x->drive];
	__u32 n = ide_chunk(x);

	if (ide_image_io(d->fd, ide->regs->buf, (size_t)n * ATA_SECTOR_SIZE, x->lba, false)) {
		ide->stats.io_errors++;
		ide_data_error(ide, x->drive, x->lba, x->lba48, ATA_UNC);
		return;
	}
	x->lba += n;
	x->remaining -= n;
	ide_start_data(ide, x->drive, IDE_PHASE_PIO_IN, n * ATA_SECTOR_SIZE,
		       x->block * ATA_SECTOR_SIZE, !x->remaining);
	/* PIO data-in: INTRQ for every DRQ block, the first one too. */
	ide_raise(ide);
}

/* Let the guest fill the next chunk of buf (PIO data-out). */
static void ide_write_chunk(struct ide *ide, bool first)
{
	struct ide_xfer *x = &ide->xfer;

	x->chunk = ide_chunk(x);
	ide_start_data(ide, x->drive, IDE_PHASE_PIO_OUT, x->chunk * ATA_SECTOR_SIZE,
		       x->block * ATA_SECTOR_SIZE, false);
	/* PIO data-out: no INTRQ before the first block, one before each other. */
	if (!first)
		ide_raise(ide);
}

/* The guest filled the chunk: write it to the image. */
static void ide_write_out(struct ide *ide)
{
	struct ide_xfer *x = &ide->xfer;
	struct ide_drive *d = &ide->drive[x->drive];
	size_t len = (size_t)x->chunk * ATA_SECTOR_SIZE;

	if (ide_image_io(d->fd, ide->regs->buf, len, x->lba, true) ||
	    (!d->wcache && fdatasync(d->fd))) {
		ide->stats.io_errors++;
		ide_data_error(ide, x->drive, x->lba, x->lba48, ATA_ABRT);
		return;
	}
	x->lba += x->chunk;
	x->remaining -= x->chunk;
	if (x->remaining)
		ide_write_chunk(ide, false);
	else
		ide_ok(ide, x->drive);
}

/* Returns whether there was a buffer to deal with. */
static bool ide_service_locked(struct ide *ide)
{
	__u64 ph = READ_ONCE(ide->regs->phase);

	if ((ph & IDE_PHASE_MASK) != IDE_PHASE_SERVICE ||
	    !ide_take(ide, ph, (ph & ~(__u64)IDE_PHASE_MASK) | IDE_PHASE_SLOW))
		return false;
	ide->stats.services++;
	if (!ide->xfer.active)
		ide_abort(ide, ide_phase_drive(ph));	/* cannot happen: no command */
	else if (ide->xfer.write)
		ide_write_out(ide);
	else
		ide_read_chunk(ide);
	return true;
}

int ide_service(struct ide *ide)
{
	bool done;

	if (!ide)
		return -EINVAL;
	pthread_mutex_lock(&ide->lock);
	done = ide_service_locked(ide);
	pthread_mutex_unlock(&ide->lock);
	return done ? 1 : 0;
}

/* ---- commands ------------------------------------------------------------ */

static __u64 ide_tf(struct ide_regfile *r, __u32 reg)
{
	return READ_ONCE(r->tf[reg]) & 0xff;
}

static __u64 ide_tf_hob(struct ide_regfile *r, __u32 reg)
{
	return (READ_ONCE(r->tf[reg]) >> IDE_TF_HOB_SHIFT) & 0xff;
}

/* READ/WRITE SECTORS and MULTIPLE, LBA28 and LBA48. */
static void ide_rw(struct ide *ide, __u32 drv, bool write, bool lba48, bool multiple)
{
	struct ide_regfile *r = ide->regs;
	struct ide_drive *d = &ide->drive[drv];
	__u64 dev = READ_ONCE(r->tf[ATA_REG_DEVICE]);
	__u64 lba, count;

	if ((multiple && !d->mult) || !(dev & ATA_DEV_LBA)) {
		ide_abort(ide, drv);
		return;
	}
	lba = ide_tf(r, ATA_REG_LBAH) << 16 | ide_tf(r, ATA_REG_LBAM) << 8 |
	      ide_tf(r, ATA_REG_LBAL);
	count = ide_tf(r, ATA_REG_NSECT);
	if (lba48) {
		lba |= ide_tf_hob(r, ATA_REG_LBAH) << 40 | ide_tf_hob(r, ATA_REG_LBAM) << 32 |
		       ide_tf_hob(r, ATA_REG_LBAL) << 24;
		count |= ide_tf_hob(r, ATA_REG_NSECT) << 8;
		count = count ?: 65536;
	} else {
		lba |= (dev & ATA_DEV_HEAD) << 24;
		count = count ?: 256;
	}
	if (lba >= d->sectors || count > d->sectors - lba) {
		ide_data_error(ide, drv, lba, lba48, ATA_IDNF);
		return;
	}
	ide->xfer = (struct ide_xfer) {
		.active = true,
		.write = write,
		.lba48 = lba48,
		.drive = drv,
		.lba = lba,
		.remaining = count,
		.block = multiple ? d->mult : 1,
	};
	if (write)
		ide_write_chunk(ide, true);
	else
		ide_read_chunk(ide);
}

static void ide_put_word(__u8 *buf, unsigned int word, __u16 val)
{
	buf[2 * word] = val;
	buf[2 * word + 1] = val >> 8;
}

/* ATA strings: the first character of each pair in the word's high byte. */
static void ide_put_string(__u8 *buf, unsigned int word, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[2 * word + (i ^ 1)] = s[i];
}

static void ide_identify(struct ide *ide, __u32 drv)
{
	struct ide_drive *d = &ide->drive[drv];
	__u8 *id = ide->regs->buf;
	__u64 cyl = d->sectors / (IDE_HEADS * IDE_SPT);
	__u64 lba28 = d->sectors < IDE_LBA28_MAX ? d->sectors : IDE_LBA28_MAX;
	__u8 sum = 0;
	int i;

	if (cyl > IDE_MAX_CYLINDERS)
		cyl = IDE_MAX_CYLINDERS;
	memset(id, 0, ATA_SECTOR_SIZE);
	ide_put_word(id, 0, 0x0040);			/* fixed device */
	ide_put_word(id, 1, cyl);
	ide_put_word(id, 3, IDE_HEADS);
	ide_put_word(id, 6, IDE_SPT);
	ide_put_string(id, 10, d->serial, IDE_SERIAL_LEN);
	ide_put_string(id, 23, d->firmware, IDE_FIRMWARE_LEN);
	ide_put_string(id, 27, d->model, IDE_MODEL_LEN);
	ide_put_word(id, 47, 0x8000 | ATA_MAX_MULTIPLE);
	ide_put_word(id, 49, 1 << 9);			/* LBA */
	ide_put_word(id, 50, 0x4000);
	ide_put_word(id, 51, 0x0200);
	ide_put_word(id, 53, 0x0003);			/* words 54-58, 64-70 valid */
	ide_put_word(id, 54, cyl);
	ide_put_word(id, 55, IDE_HEADS);
	ide_put_word(id, 56, IDE_SPT);
	ide_put_word(id, 57, cyl * IDE_HEADS * IDE_SPT);
	ide_put_word(id, 58, (cyl * IDE_HEADS * IDE_SPT) >> 16);
	ide_put_word(id, 59, d->mult ? 0x0100 | d->mult : 0);
	ide_put_word(id, 60, lba28);
	ide_put_word(id, 61, lba28 >> 16);
	ide_put_word(id, 64, 0x0003);			/* PIO modes 3 and 4 */
	for (i = 65; i <= 68; i++)
		ide_put_word(id, i, 120);
	ide_put_word(id, 80, 0x007e);			/* ATA-1 to ATA-6 */
	ide_put_word(id, 82, 1 << 6 | 1 << 5);		/* look-ahead, write cache */
	/* FLUSH CACHE EXT, FLUSH CACHE, 48-bit addresses */
	ide_put_word(id, 83, 0x4000 | 1 << 13 | 1 << 12 | 1 << 10);
	ide_put_word(id, 84, 0x4000);
	ide_put_word(id, 85, d->rla << 6 | d->wcache << 5);
	ide_put_word(id, 86, 1 << 13 | 1 << 12 | 1 << 10);
	ide_put_word(id, 87, 0x4000);
	for (i = 0; i < 4; i++)
		ide_put_word(id, 100 + i, d->sectors >> (16 * i));
	/* Integrity word: signature, then the checksum that zeroes the sum. */
	id[510] = 0xa5;
	for (i = 0; i < 511; i++)
		sum += id[i];
	id[511] = -sum;
	ide_start_data(ide, drv, IDE_PHASE_PIO_IN, ATA_SECTOR_SIZE, ATA_SECTOR_SIZE, true);
	ide_raise(ide);
}

static void ide_set_features(struct ide *ide, __u32 drv)
{
	struct ide_regfile *r = ide->regs;
	struct ide_drive *d = &ide->drive[drv];
	__u64 mode = ide_tf(r, ATA_REG_NSECT);

	switch (ide_tf(r, ATA_REG_FEATURE)) {
	case ATA_SF_WCACHE_ON:
	case ATA_SF_WCACHE_OFF:
		d->wcache = ide_tf(r, ATA_REG_FEATURE) == ATA_SF_WCACHE_ON;
		break;
	case ATA_SF_RLA_ON:
	case ATA_SF_RLA_OFF:
		d->rla = ide_tf(r, ATA_REG_FEATURE) == ATA_SF_RLA_ON;
		break;
	case ATA_SF_REVERT_ON:
	case ATA_SF_REVERT_OFF:
		break;
	case ATA_SF_XFER_MODE:
		/* PIO default (00000xxx) or PIO flow control mode 0-4 (00001xxx). */
		if ((mode >> 3) > 1 || ((mode >> 3) == 1 && (mode & 7) > 4)) {
			ide_abort(ide, drv);
			return;
		}
		break;
	default:
		ide_abort(ide, drv);
		return;
	}
	ide_ok(ide, drv);
}

/* The signature ATA devices leave in the taskfile after a reset or diagnostic. */
static void ide_signature(struct ide_regfile *r)
{
	ide_set_tf(r, ATA_REG_NSECT, 1, 0);
	ide_set_tf(r, ATA_REG_LBAL, 1, 0);
	ide_set_tf(r, ATA_REG_LBAM, 0, 0);
	ide_set_tf(r, ATA_REG_LBAH, 0, 0);
}

static void ide_command(struct ide *ide, __u8 cmd)
{
	struct ide_regfile *r = ide->regs;
	__u32 drv = ide_selected(r);
	__u64 ph = READ_ONCE(r->phase);
	struct ide_drive *d = &ide->drive[drv];
	__u64 n;

	ide->stats.commands++;
	/* ATA: commands to an absent device, or while BSY or DRQ, are ignored. */
	if (!ide_present(r, drv) || (ph & IDE_PHASE_MASK) != IDE_PHASE_IDLE ||
	    !ide_take(ide, ph, ide_phase_of(drv, IDE_PHASE_SLOW)))
		return;

	switch (cmd) {
	case ATA_CMD_IDENTIFY:
		ide_identify(ide, drv);
		break;
	case ATA_CMD_READ_SECTORS:
	case ATA_CMD_READ_SECTORS_EXT:
	case ATA_CMD_READ_MULTIPLE:
	case ATA_CMD_READ_MULTIPLE_EXT:
	case ATA_CMD_WRITE_SECTORS:
	case ATA_CMD_WRITE_SECTORS_EXT:
	case ATA_CMD_WRITE_MULTIPLE:
	case ATA_CMD_WRITE_MULTIPLE_EXT:
		ide_rw(ide, drv,
		       cmd == ATA_CMD_WRITE_SECTORS || cmd == ATA_CMD_WRITE_SECTORS_EXT ||
		       cmd == ATA_CMD_WRITE_MULTIPLE || cmd == ATA_CMD_WRITE_MULTIPLE_EXT,
		       cmd == ATA_CMD_READ_SECTORS_EXT || cmd == ATA_CMD_READ_MULTIPLE_EXT ||
		       cmd == ATA_CMD_WRITE_SECTORS_EXT || cmd == ATA_CMD_WRITE_MULTIPLE_EXT,
		       cmd == ATA_CMD_READ_MULTIPLE || cmd == ATA_CMD_READ_MULTIPLE_EXT ||
		       cmd == ATA_CMD_WRITE_MULTIPLE || cmd == ATA_CMD_WRITE_MULTIPLE_EXT);
		break;
	case ATA_CMD_SET_MULTIPLE:
		/* 0 disables; otherwise a power of two up to ATA_MAX_MULTIPLE. */
		n = ide_tf(r, ATA_REG_NSECT);
		if (n > ATA_MAX_MULTIPLE || (n & (n - 1))) {
			ide_abort(ide, drv);
			break;
		}
		d->mult = n;
		ide_ok(ide, drv);
		break;
	case ATA_CMD_FLUSH_CACHE:
	case ATA_CMD_FLUSH_CACHE_EXT:
		if (fdatasync(d->fd)) {
			ide->stats.io_errors++;
			ide_abort(ide, drv);
			break;
		}
		ide_ok(ide, drv);
		break;
	case ATA_CMD_SET_FEATURES:
		ide_set_features(ide, drv);
		break;
	case ATA_CMD_EXEC_DEVICE_DIAG:
		/* Device 0 passed, device 1 passed or absent: diagnostic code 01h. */
		ide_signature(r);
		WRITE_ONCE(r->tf[ATA_REG_DEVICE],
			  READ_ONCE(r->tf[ATA_REG_DEVICE]) & ~(__u64)ATA_DEV_HEAD);
		ide_complete(ide, drv, ATA_DRDY | ATA_DSC, 0x01);
		break;
	default:
		ide_abort(ide, drv);
		break;
	}
}

/* Registers after power-on or a software reset (phase taken or unshared). */
static void ide_reset_regs(struct ide *ide)
{
	struct ide_regfile *r = ide->regs;
	__u32 i;

	ide->xfer.active = false;
	ide_set_tf(r, ATA_REG_FEATURE, 0, 0);
	ide_signature(r);
	WRITE_ONCE(r->tf[ATA_REG_DEVICE], 0);
	for (i = 0; i < 2; i++) {
		WRITE_ONCE(r->status[i], ide_present(r, i) ? ATA_DRDY | ATA_DSC : 0);
		WRITE_ONCE(r->error[i], ide_present(r, i) ? 0x01 : 0);
	}
	WRITE_ONCE(r->pos, 0);
	WRITE_ONCE(r->end, 0);
	WRITE_ONCE(r->block, ATA_SECTOR_SIZE);
	WRITE_ONCE(r->last, 0);
}

static void ide_devctl(struct ide *ide, __u8 val)
{
	struct ide_regfile *r = ide->regs;
	__u64 old = xchg(&r->devctl, val);

	if (!(old & ATA_DEVCTL_SRST) && (val & ATA_DEVCTL_SRST)) {
		/* Reset asserted: both drives busy, any command abandoned. */
		xchg(&r->phase, IDE_PHASE_RESET);
		ide_wait_fast_path(r);
		ide->xfer.active = false;
		xchg(&r->irq_pending, 0);
	} else if ((old & ATA_DEVCTL_SRST) && !(val & ATA_DEVCTL_SRST)) {
		ide_reset_regs(ide);
		ide_publish(ide, IDE_PHASE_IDLE);
	}
	/* nIEN going low with an interrupt pending drives INTRQ now. */
	if ((old & ATA_DEVCTL_NIEN) && !(val & ATA_DEVCTL_NIEN) &&
	    READ_ONCE(r->irq_pending))
		ide_pulse(ide);
}

/* ---- port accesses ------------------------------------------------------- */

bool ide_owns_port(__u16 port)
{
	return (port >= IDE_CMD_BASE && port < IDE_CMD_BASE + IDE_CMD_LEN) ||
	       (port >= IDE_CTL_BASE && port < IDE_CTL_BASE + IDE_CTL_LEN);
}

static __u64 ide_get_le(const __u8 *p, __u32 size)
{
	__u64 val = 0;
	__u32 i;

	for (i = 0; i < size; i++)
		val |= (__u64)p[i] << (8 * i);
	return val;
}

static void ide_put_le(__u8 *p, __u32 size, __u64 val)
{
	__u32 i;

	for (i = 0; i < size; i++)
		p[i] = val >> (8 * i);
}

/* The access by the fast path's rules (ide_access.h); a decline stores nothing. */
static int ide_fast_rules(struct ide *ide, __u16 port, __u32 size, bool is_write,
			  __u64 *val, __u32 *ev)
{
	if (port == IDE_CTL_BASE)
		return ide_ctl_access(ide->regs, 0, size, is_write, val);
	return ide_cmd_access(ide->regs, port - IDE_CMD_BASE, size, is_write, val, ev,
			      UINT32_MAX);
}

static void ide_io_one(struct ide *ide, __u16 port, __u32 size, bool is_write, __u8 *p)
{
	struct ide_regfile *r = ide->regs;
	__u64 val = is_write ? ide_get_le(p, size) : 0;
	__u32 ev = 0, i;
	int ret;

	/*
	 * What the fast path would have done, if it would have done it: then
	 * the slow path alone and the slow path behind the fast path show
	 * the guest the same device, access for access.  An access the fast
	 * path declines finds a buffer it handed back dealt with first.
	 */
	ret = ide_fast_rules(ide, port, size, is_write, &val, &ev);
	if (ret == IDE_DECLINE && ide_service_locked(ide))
		ret = ide_fast_rules(ide, port, size, is_write, &val, &ev);
	ide_events(ide, ev);
	if (ret == IDE_DONE) {
		if (!is_write)
			ide_put_le(p, size, val);
		return;
	}

	if (size > 1) {
		/* Not the data port: one byte per port, as on the ISA bus. */
		for (i = 0; i < size; i++) {
			if (ide_owns_port(port + i))
				ide_io_one(ide, port + i, 1, is_write, p + i);
			else if (!is_write)
				p[i] = 0xff;
		}
		return;
	}
	if (port == IDE_CMD_BASE + ATA_REG_DATA) {
		/* The data register is 16 bits wide: byte accesses do nothing. */
		if (!is_write)
			*p = 0xff;
	} else if (port == IDE_CMD_BASE + ATA_REG_CMD && is_write) {
		ide_command(ide, val);
	} else if (port == IDE_CTL_BASE && is_write) {
		ide_devctl(ide, val);
	} else if (!is_write) {
		/* A status read the fast path left to us (not while SERVICE: serviced above). */
		*p = ide_status_of(r, ide_selected(r));
		if (port != IDE_CTL_BASE)
			xchg(&r->irq_pending, 0);
	}
}

int ide_io(struct ide *ide, __u16 port, __u32 size, __u32 count, bool is_write,
	   void *data)
{
	__u32 i;

	if (!ide || !data || !ide_owns_port(port) || !count ||
	    (size != 1 && size != 2 && size != 4))
		return -EINVAL;
	pthread_mutex_lock(&ide->lock);
	for (i = 0; i < count; i++)
		ide_io_one(ide, port, size, is_write, (__u8 *)data + (size_t)i * size);
	ide->stats.accesses += count;
	pthread_mutex_unlock(&ide->lock);
	return 0;
}

int ide_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
	       bool is_write, void *ptr)
{
	return ide_io(ptr, addr, len, 1, is_write, data);
}

void ide_vmm_register(struct vmm *vmm, struct ide *ide)
{
	vmm_register(vmm, "IDE command block", KVM_ACCEL_BUS_PIO, IDE_CMD_BASE,
		     IDE_CMD_LEN, ide_access, ide);
	vmm_register(vmm, "IDE control block", KVM_ACCEL_BUS_PIO, IDE_CTL_BASE,
		     IDE_CTL_LEN, ide_access, ide);
}

/* ---- setup --------------------------------------------------------------- */

/* Copy @s (or @def) into the space-padded ATA string @dst of @len characters. */
static int ide_set_string(char *dst, size_t len, const char *s, const char *def)
{
	size_t i, n;

	if (!s)
		s = def;
	n = strlen(s);
	if (n > len)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return -EINVAL;
	memset(dst, ' ', len);
	memcpy(dst, s, n);
	return 0;
}

static int ide_drive_init(struct ide_drive *d, const struct ide_drive_config *c,
			  unsigned int nr)
{
	char serial[IDE_SERIAL_LEN + 1] = "KA0000000";
	struct stat st;
	__u64 size;
	int err;

	d->fd = c->fd;
	if (fstat(c->fd, &st))
		return -EBADF;
	size = S_ISREG(st.st_mode) ? (__u64)st.st_size / ATA_SECTOR_SIZE : 0;
	d->sectors = c->sectors ?: size;
	if (!d->sectors || d->sectors > IDE_MAX_SECTORS)
		return -EINVAL;
	if (S_ISREG(st.st_mode) && d->sectors > size)
		return -EFBIG;
	serial[9] = '0' + nr;
	err = ide_set_string(d->model, IDE_MODEL_LEN, c->model, "kvm-accel IDE disk");
	err = err ?: ide_set_string(d->serial, IDE_SERIAL_LEN, c->serial, serial);
	err = err ?: ide_set_string(d->firmware, IDE_FIRMWARE_LEN, c->firmware, "1.0");
	d->wcache = true;
	d->rla = true;
	return err;
}

int ide_create(const struct ide_config *cfg, struct ide_regfile *regs,
	       struct ide **idep)
{
	struct ide *ide;
	__u64 drives = 0;
	int err, i;

	if (!cfg || !idep)
		return -EINVAL;
	ide = calloc(1, sizeof(*ide));
	if (!ide)
		return -ENOMEM;
	for (i = 0; i < 2; i++) {
		ide->drive[i].fd = -1;
		if (cfg->drive[i].fd < 0)
			continue;
		err = ide_drive_init(&ide->drive[i], &cfg->drive[i], i);
		if (err)
			goto err_free;
		drives |= 1ULL << i;
	}
	if (!drives) {
		err = -EINVAL;
		goto err_free;
	}
	if (!regs) {
		regs = calloc(1, sizeof(*regs));
		if (!regs) {
			err = -ENOMEM;
			goto err_free;
		}
		ide->own_regs = true;
	}
	err = -pthread_mutex_init(&ide->lock, NULL);
	if (err)
		goto err_free;

	ide->regs = regs;
	ide->irq_fd = cfg->irq_fd;
	ide->doorbell = cfg->doorbell;
	WRITE_ONCE(regs->drives, drives);
	WRITE_ONCE(regs->flags, cfg->doorbell ? IDE_CFG_DOORBELL : 0);
	WRITE_ONCE(regs->devctl, 0);
	WRITE_ONCE(regs->irq_pending, 0);
	WRITE_ONCE(regs->fp_active, 0);
	WRITE_ONCE(regs->fp_errors, 0);
	ide_reset_regs(ide);
	ide_publish(ide, IDE_PHASE_IDLE);
	*idep = ide;
	return 0;

err_free:
	if (ide->own_regs)
		free(regs);
	free(ide);
	return err;
}

void ide_destroy(struct ide *ide)
{
	if (!ide)
		return;
	pthread_mutex_destroy(&ide->lock);
	if (ide->own_regs)
		free(ide->regs);
	free(ide);
}

struct ide_regfile *ide_regs(struct ide *ide)
{
	return ide ? ide->regs : NULL;
}

void ide_get_stats(struct ide *ide, struct ide_stats *stats)
{
	pthread_mutex_lock(&ide->lock);
	*stats = ide->stats;
	pthread_mutex_unlock(&ide->lock);
}
