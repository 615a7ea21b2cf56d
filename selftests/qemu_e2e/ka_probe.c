// SPDX-License-Identifier: GPL-2.0
/*
 * ka_probe: the guest side of qemu_diff_test.sh, a module for the nested
 * guest's kernel.  It drives every device the QEMU fast paths accelerate
 * (both IDE channels with their bus-master registers, the HPET, the ACPI
 * PM timer) with a seeded sequence of random and directed register
 * accesses, and logs every value the guest can see, so that runs with fast
 * paths off, on, and under the distribution's QEMU can be compared record
 * by record.  A user-space program cannot do this here: iopl(3) and in
 * fault in this nested setup, and /dev/port reads bytes only.
 *
 * What is logged is what must be the same in every run: values of
 * registers that do not depend on time exactly, and of those that do (the
 * running HPET counter, the PM timer) only relations, such as "did not go
 * back".  Accesses whose value depends on when QEMU's block layer finishes
 * (status while a command is in flight) are made but not logged: the
 * probe waits for the drive to settle before it logs anything.  Each
 * record names its access (struct probe_rec), so that a difference points
 * at the step that made it.
 *
 * Parameters: seed, steps (random accesses per device), mode ("diff", or
 * "specify0": INITIALIZE DEVICE PARAMETERS with a sector count of 0 and
 * then a CHS read, which must be aborted and not kill the VMM).  The log
 * stays in memory after the module is loaded; /proc/ka_probe says where
 * (physical address, bytes, records) and what was done, for the host to
 * save it through QEMU's monitor (pmemsave).
 */
#include <linux/crc32.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the random accesses");
static uint steps = 12000;
module_param(steps, uint, 0444);
MODULE_PARM_DESC(steps, "random accesses per device");
static char *mode = "diff";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "diff or specify0");

/* ---- the log ------------------------------------------------------------ */

enum probe_dev { DEV_PM = 1, DEV_HPET, DEV_IDE, DEV_BM, DEV_NOTE };
enum probe_op {
	OP_READ = 1,	/* @val: the value read */
	OP_STRING,	/* @val: crc32 of the bytes a string read gave */
	OP_RELATION,	/* @val: 1 if the relation held, else 0 */
	OP_DATA,	/* @val: crc32 of a command's data */
	OP_MARK,	/* @val: the phase that starts */
};

/* One record: what was accessed and what the guest saw. */
struct probe_rec {
	__le32 what;	/* dev << 28 | op << 24 | width << 20 | address (20 bits) */
	__le32 step;	/* running count of accesses, for the reader */
	__le64 val;
};

#define LOG_BYTES	(2 << 20)
#define LOG_MAX		(LOG_BYTES / sizeof(struct probe_rec))

static struct probe_rec *log_buf;
static unsigned int nlog;
static bool log_full;
/* Accesses made, per device (enum probe_dev), logged or not. */
static unsigned long accesses[DEV_NOTE + 1];
static unsigned long total;

static void rec(enum probe_dev dev, enum probe_op op, unsigned int width,
		unsigned long addr, u64 val)
{
	struct probe_rec *r;

	if (nlog >= LOG_MAX) {
		log_full = true;
		return;
	}
	r = &log_buf[nlog++];
	r->what = cpu_to_le32(dev << 28 | op << 24 | (width & 0xf) << 20 |
			      (addr & 0xfffff));
	r->step = cpu_to_le32(total);
	r->val = cpu_to_le64(val);
}

static void mark(unsigned int phase)
{
	rec(DEV_NOTE, OP_MARK, 0, 0, phase);
}

/* xorshift64*: the same sequence for the same seed, in every run. */
static u64 rng;

static u64 rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static u32 below(u32 n)
{
	return (u32)(rnd() >> 32) % n;
}

/* ---- port and memory accesses ------------------------------------------- */

static u64 pio_in(enum probe_dev dev, u16 port, unsigned int w)
{
	accesses[dev]++;
	total++;
	switch (w) {
	case 1:
		return inb(port);
	case 2:
		return inw(port);
	default:
		return inl(port);
	}
}

static void pio_out(enum probe_dev dev, u16 port, unsigned int w, u32 v)
{
	accesses[dev]++;
	total++;
	switch (w) {
	case 1:
		outb(v, port);
		break;
	case 2:
		outw(v, port);
		break;
	default:
		outl(v, port);
		break;
	}
}

/* A logged read. */
static u64 pio_rd(enum probe_dev dev, u16 port, unsigned int w)
{
	u64 v = pio_in(dev, port, w);

	rec(dev, OP_READ, w, port, v);
	return v;
}

/* rep ins of @n elements: one access, its bytes logged as a crc. */
static u32 pio_ins(enum probe_dev dev, u16 port, unsigned int w, void *buf,
		   unsigned long n, bool log)
{
	u32 crc;

	memset(buf, 0, n * w);
	accesses[dev] += n;
	total += n;
	switch (w) {
	case 1:
		insb(port, buf, n);
		break;
	case 2:
		insw(port, buf, n);
		break;
	default:
		insl(port, buf, n);
		break;
	}
	crc = crc32_le(0, buf, n * w);
	if (log)
		rec(dev, OP_STRING, w, port, crc);
	return crc;
}

static void __iomem *hpet;

static u64 mmio_in(unsigned int off, unsigned int w)
{
	void __iomem *a = hpet + off;

	accesses[DEV_HPET]++;
	total++;
	switch (w) {
	case 1:
		return readb(a);
	case 2:
		return readw(a);
	case 4:
		return readl(a);
	default:
		return readq(a);
	}
}

static void mmio_out(unsigned int off, unsigned int w, u64 v)
{
	void __iomem *a = hpet + off;

	accesses[DEV_HPET]++;
	total++;
	switch (w) {
	case 1:
		writeb(v, a);
		break;
	case 2:
		writew(v, a);
		break;
	case 4:
		writel(v, a);
		break;
	default:
		writeq(v, a);
		break;
	}
}

/* ---- ACPI PM timer ------------------------------------------------------- */

#define PM_TMR		0x608

static unsigned int pm_last;
static u64 pm_last_ns;
static bool pm_have_last;

/*
 * A 4-byte read: log that the 24-bit counter did not go back.  It wraps
 * every 4.69 s, so that is decidable only while less than half of that
 * passed since the last read, by the guest's own clock: a guest that a busy
 * host held up for longer logs the relation as holding.
 */
static void pm_read_counter(void)
{
	u32 v = pio_in(DEV_PM, PM_TMR, 4) & 0xffffff;
	u64 now = ktime_get_ns();
	bool ok = !pm_have_last || ((v - pm_last) & 0xffffff) < 0x800000 ||
		  now - pm_last_ns >= 2 * NSEC_PER_SEC;

	rec(DEV_PM, OP_RELATION, 4, PM_TMR, ok);
	pm_last = v;
	pm_last_ns = now;
	pm_have_last = true;
}

static void pm_phase(void)
{
	static const u8 widths[] = { 1, 2, 4 };
	u8 buf[16];
	unsigned int i, off, w;

	mark(DEV_PM);
	for (i = 0; i < steps; i++) {
		switch (below(8)) {
		case 0 ... 3:
			pm_read_counter();
			break;
		case 4 ... 6:
			/*
			 * Any width anywhere in the register, misaligned too:
			 * the value depends on time, so only the access counts.
			 */
			w = widths[below(3)];
			off = below(5 - w);
			pio_in(DEV_PM, PM_TMR + off, w);
			break;
		default:
			/* Strings, and writes, which the register ignores. */
			if (below(2))
				pio_ins(DEV_PM, PM_TMR, 1 << below(3), buf, 1 + below(4), false);
			else
				pio_out(DEV_PM, PM_TMR + below(4), 1, rnd());
			pm_read_counter();
			break;
		}
	}
}

/* ---- HPET ----------------------------------------------------------------- */

#define HPET_BASE	0xfed00000
#define HPET_LEN	0x400
#define HPET_CFG	0x010
#define HPET_STS	0x020
#define HPET_CNT	0x0f0
#define HPET_TN(n)	(0x100 + 0x20 * (n))
#define HPET_ENABLE	0x1
#define HPET_LEGACY	0x2
#define TN_INT_ENB	(1ULL << 2)
#define TN_FSB_EN	(1ULL << 14)

static u64 hpet_rd(unsigned int off, unsigned int w)
{
	u64 v = mmio_in(off, w);

	rec(DEV_HPET, OP_READ, w, off, v);
	return v;
}

/*
 * A write the random phase may make: never one that starts the counter,
 * routes timers to legacy IRQs, or enables a timer's interrupt, so that
 * every value read stays independent of time.
 */
static u64 hpet_tame(unsigned int off, unsigned int w, u64 v)
{
	unsigned int reg = off & ~7U, lo = off & 7;
	u64 mask = 0;

	if (reg == HPET_CFG)
		mask = HPET_ENABLE | HPET_LEGACY;
	else if (reg >= HPET_TN(0) && (reg & 0x18) == 0)
		mask = TN_INT_ENB | TN_FSB_EN;
	/* The register's bits that this access covers, moved to its bytes. */
	if (lo < 8)
		mask >>= 8 * lo;
	return v & ~mask;
}

static void hpet_halt(void)
{
	mmio_out(HPET_CFG, 8, 0);
}

/* Every register, aligned 8-byte reads: the state, exactly (halted). */
static void hpet_dump(void)
{
	unsigned int off;

	for (off = 0; off < HPET_LEN; off += 8)
		hpet_rd(off, 8);
}

/* A rep movsl of @n double words from the registers: a string MMIO read. */
static void hpet_movs(unsigned int n, u8 *buf)
{
	unsigned int off = below(HPET_LEN - 4 * n + 1) & ~3U;
	const void *src = (const void __force *)hpet + off;
	unsigned long cnt = n;
	void *dst = buf;

	memset(buf, 0, 4 * n);
	accesses[DEV_HPET] += n;
	total += n;
	asm volatile("rep movsl" : "+D"(dst), "+S"(src), "+c"(cnt) : : "memory");
	rec(DEV_HPET, OP_STRING, 4, off, crc32_le(0, buf, 4 * n));
}

static void hpet_random(void)
{
	static const u8 widths[] = { 1, 2, 4, 8 };
	unsigned int i, w, off;
	u8 buf[32];

	mark(DEV_HPET);
	hpet_halt();
	for (i = 0; i < steps; i++) {
		w = widths[below(4)];
		/* Mostly aligned, the rest anywhere in the block. */
		off = below(HPET_LEN / w) * w;
		if (!below(4))
			off = below(HPET_LEN - w + 1);
		switch (below(8)) {
		case 0 ... 4:
			hpet_rd(off, w);
			break;
		case 5 ... 6:
			mmio_out(off, w, hpet_tame(off, w, rnd()));
			break;
		default:
			hpet_movs(below(8) + 1, buf);
			break;
		}
	}
	hpet_dump();
}

/*
 * Directed: the counter written while halted, started and stopped, timers
 * armed while halted; and the timer after the last one (QEMU 10.0 compares
 * its timer index with '>', so timer 3 of three stores what is written),
 * armed while the counter runs so that its callback runs after the
 * counter was halted and written again.
 */
static void hpet_directed(void)
{
	u64 a, b, v;
	int i;

	mark(DEV_HPET + 0x10);
	hpet_halt();
	for (i = 0; i < 8; i++) {
		v = rnd() >> (1 + below(40));
		mmio_out(HPET_CNT, 8, v);
		hpet_rd(HPET_CNT, 8);
		mmio_out(HPET_CNT + 4, 4, v >> 7);
		hpet_rd(HPET_CNT, 4);
		hpet_rd(HPET_CNT + 4, 4);
		v = mmio_in(HPET_CNT, 8);
		/* A timer armed while halted: comparator and config as written. */
		mmio_out(HPET_TN(i % 3) + 8, 8, rnd());
		mmio_out(HPET_TN(i % 3), 8, hpet_tame(HPET_TN(0), 8, rnd()));
		hpet_rd(HPET_TN(i % 3), 8);
		hpet_rd(HPET_TN(i % 3) + 8, 8);
		/* Disarmed before the counter runs, which would move it. */
		mmio_out(HPET_TN(i % 3), 8, 0);
		mmio_out(HPET_TN(i % 3) + 8, 8, ~0ULL);
		/* Run a while: the counter moves on from where it was. */
		mmio_out(HPET_CFG, 8, HPET_ENABLE);
		a = mmio_in(HPET_CNT, 8);
		udelay(50);
		b = mmio_in(HPET_CNT, 8);
		rec(DEV_HPET, OP_RELATION, 8, HPET_CNT, a >= v && b > a);
		hpet_halt();
		a = mmio_in(HPET_CNT, 8);
		b = mmio_in(HPET_CNT, 8);
		rec(DEV_HPET, OP_RELATION, 8, HPET_CNT, a == b);
	}

	/* The timer after the last. */
	for (i = 0; i < 4; i++) {
		mmio_out(HPET_TN(3) + 8 * (i & 1), 8, hpet_tame(HPET_TN(3), 8, rnd()));
		mmio_out(HPET_TN(3) + 16, 4, rnd());
		hpet_rd(HPET_TN(3), 8);
		hpet_rd(HPET_TN(3) + 8, 8);
		hpet_rd(HPET_TN(3) + 16, 8);
	}
	for (i = 0; i < 3; i++) {
		v = rnd() >> 24;
		mmio_out(HPET_CNT, 8, 0);
		mmio_out(HPET_CFG, 8, HPET_ENABLE);
		/* Fires 2 ms from now (10 ns ticks), one-shot, no interrupt. */
		mmio_out(HPET_TN(3), 8, 0);
		mmio_out(HPET_TN(3) + 8, 8, mmio_in(HPET_CNT, 8) + 200000);
		hpet_halt();
		mmio_out(HPET_CNT, 8, v);
		msleep(20);
		hpet_rd(HPET_CNT, 8);
		rec(DEV_HPET, OP_RELATION, 8, HPET_CNT, mmio_in(HPET_CNT, 8) == v);
	}
	/* Its comparator came from the running counter: set one for the dump. */
	mmio_out(HPET_TN(3) + 8, 8, ~0ULL);
	hpet_dump();
}

/* ---- IDE ------------------------------------------------------------------- */

#define ATA_DATA	0
#define ATA_ERR		1
#define ATA_NSECT	2
#define ATA_LBAL	3
#define ATA_LBAM	4
#define ATA_LBAH	5
#define ATA_DEV		6
#define ATA_CMD		7
#define ST_BSY		0x80
#define ST_DRQ		0x08
#define ST_ERR		0x01
#define DC_SRST		0x04
#define DC_NIEN		0x02
#define DC_HOB		0x80
#define DEV_LBA		0x40

struct chan {
	u16 cmd, ctl, bm;
	u32 prd_set;	/* the PRD table address written to the channel */
};

static struct chan chans[2] = {
	{ 0x1f0, 0x3f6, 0 },
	{ 0x170, 0x376, 0 },
};

static u8 *sector_buf;		/* a page */
static u8 *dma_buf;		/* 64 KiB */
static __le32 *prd;		/* the bus-master PRD table */

/* Wait, unlogged, until the drive is not busy: the state is settled. */
static u8 ide_settle(struct chan *c)
{
	unsigned int i;
	u8 st = 0;

	for (i = 0; i < 200000; i++) {
		st = pio_in(DEV_IDE, c->ctl, 1);
		if (!(st & ST_BSY))
			break;
		if (i > 1000)
			udelay(10);
	}
	return st;
}

/* The taskfile and status, as a driver reads them once a command is done. */
static void ide_log_tf(struct chan *c)
{
	unsigned int r;

	for (r = ATA_ERR; r <= ATA_DEV; r++)
		pio_rd(DEV_IDE, c->cmd + r, 1);
	pio_rd(DEV_IDE, c->ctl, 1);
	pio_rd(DEV_IDE, c->cmd + ATA_CMD, 1);
}

static void ide_tf(struct chan *c, u8 dev, u64 lba, u32 n, bool lba48)
{
	pio_out(DEV_IDE, c->cmd + ATA_DEV, 1, dev | DEV_LBA | (lba48 ? 0 : (lba >> 24 & 0xf)));
	ide_settle(c);
	if (lba48) {
		pio_out(DEV_IDE, c->cmd + ATA_NSECT, 1, n >> 8);
		pio_out(DEV_IDE, c->cmd + ATA_LBAL, 1, lba >> 24);
		pio_out(DEV_IDE, c->cmd + ATA_LBAM, 1, lba >> 32);
		pio_out(DEV_IDE, c->cmd + ATA_LBAH, 1, lba >> 40);
	}
	pio_out(DEV_IDE, c->cmd + ATA_NSECT, 1, n);
	pio_out(DEV_IDE, c->cmd + ATA_LBAL, 1, lba);
	pio_out(DEV_IDE, c->cmd + ATA_LBAM, 1, lba >> 8);
	pio_out(DEV_IDE, c->cmd + ATA_LBAH, 1, lba >> 16);
}

/* Issue @cmd and read up to @max sectors of PIO data, logging them. */
static unsigned int ide_pio_in(struct chan *c, u8 cmd, unsigned int max)
{
	unsigned int got = 0, w;
	u32 crc = 0;
	u8 st;

	pio_out(DEV_IDE, c->cmd + ATA_CMD, 1, cmd);
	while (got < max) {
		st = ide_settle(c);
		if ((st & (ST_DRQ | ST_ERR)) != ST_DRQ)
			break;
		/* The status read acknowledges the interrupt, then the data. */
		pio_rd(DEV_IDE, c->cmd + ATA_CMD, 1);
		w = got & 1 ? 4 : 2;
		pio_ins(DEV_IDE, c->cmd, w, sector_buf, 512 / w, false);
		crc = crc32_le(crc, sector_buf, 512);
		got++;
	}
	ide_settle(c);
	rec(DEV_IDE, OP_DATA, 2, c->cmd, (u64)got << 32 | crc);
	ide_log_tf(c);
	return got;
}

static void ide_srst(struct chan *c)
{
	/*
	 * The master: an absent slave reads as 0, not busy, so waiting on it
	 * would not wait for the reset, which QEMU completes later.
	 */
	pio_out(DEV_IDE, c->cmd + ATA_DEV, 1, 0xa0);
	ide_settle(c);
	pio_out(DEV_IDE, c->ctl, 1, DC_SRST | DC_NIEN);
	udelay(10);
	pio_out(DEV_IDE, c->ctl, 1, DC_NIEN);
	ide_settle(c);
	ide_log_tf(c);
}

/* A register write the random phase may make: never a command. */
static void ide_random_access(struct chan *c)
{
	static const u8 widths[] = { 1, 1, 1, 2, 4 };
	unsigned int w = widths[below(5)], port;
	u8 buf[64];

	switch (below(10)) {
	case 0 ... 4:
		port = c->cmd + 1 + below(7);
		if (port + w > c->cmd + 8)
			w = 1;
		pio_rd(DEV_IDE, port, w);
		break;
	case 5:
		pio_rd(DEV_IDE, c->ctl, 1);
		break;
	case 6 ... 7:
		port = c->cmd + 1 + below(6);
		pio_out(DEV_IDE, port, port + w > c->cmd + 7 ? 1 : w, rnd());
		break;
	case 8:
		/* Device control: HOB and nIEN, never SRST here. */
		pio_out(DEV_IDE, c->ctl, 1, (rnd() & (DC_HOB | DC_NIEN)));
		break;
	default:
		/* String reads of the status and the taskfile. */
		port = c->cmd + 1 + below(7);
		pio_ins(DEV_IDE, port, 1, buf, 1 + below(64), true);
		break;
	}
}

/*
 * The bus-master registers of the channel: random reads, and status clears.
 * The PRD table address is a physical address, which differs from boot to
 * boot: that it reads back as written is logged, not its bytes.
 */
static void bm_random_access(struct chan *c)
{
	unsigned int off = below(8);
	u64 v;

	if (!c->bm)
		return;
	if (below(3)) {
		v = pio_in(DEV_BM, c->bm + off, 1);
		if (off >= 4)
			rec(DEV_BM, OP_RELATION, 1, off,
			    v == ((c->prd_set >> (8 * (off - 4))) & 0xff));
		else if (off == 2)
			/* Its interrupt bit follows INTRQ, which rises in time. */
			rec(DEV_BM, OP_READ, 1, off, v & ~4ULL);
		else
			rec(DEV_BM, OP_READ, 1, off, v);
	} else if (off == 2) {
		pio_out(DEV_BM, c->bm + 2, 1, 0x06);
	}
}

/* READ DMA of @n sectors at @lba with a PRD table of @bytes (one entry). */
static void ide_dma_read(struct chan *c, u32 lba, u32 n, u32 bytes)
{
	unsigned int i;
	u8 st = 0;

	if (!c->bm)
		return;
	memset(dma_buf, 0, 65536);
	prd[0] = cpu_to_le32(virt_to_phys(dma_buf));
	prd[1] = cpu_to_le32((bytes & 0xffff) | 0x80000000);
	pio_out(DEV_BM, c->bm, 1, 0);
	pio_out(DEV_BM, c->bm + 2, 1, 0x06);
	c->prd_set = virt_to_phys(prd);
	pio_out(DEV_BM, c->bm + 4, 4, c->prd_set);
	ide_tf(c, 0, lba, n, false);
	pio_out(DEV_IDE, c->cmd + ATA_CMD, 1, 0xc8);
	pio_out(DEV_BM, c->bm, 1, 0x09);	/* start, towards memory */
	/*
	 * A PRD table too short for the request ends it inside that write
	 * (QEMU's ide_dma_cb(): status DRDY|DSC, no interrupt), so the status
	 * is known at once; a transfer takes its time.
	 */
	if (bytes < n * 512)
		pio_rd(DEV_IDE, c->ctl, 1);
	/* Until the drive is done with it (the engine may stay active). */
	for (i = 0; i < 100000; i++) {
		st = pio_in(DEV_IDE, c->ctl, 1);
		if (!(st & (ST_BSY | ST_DRQ)))
			break;
		udelay(10);
	}
	pio_out(DEV_BM, c->bm, 1, 0);
	rec(DEV_BM, OP_READ, 1, 2, pio_in(DEV_BM, c->bm + 2, 1));
	rec(DEV_IDE, OP_DATA, 4, c->cmd, crc32_le(0, dma_buf, 65536));
	/* Status, and a sector count written and read back (QEMU's rules). */
	ide_log_tf(c);
	pio_out(DEV_IDE, c->cmd + ATA_NSECT, 1, 0x5a);
	pio_rd(DEV_IDE, c->cmd + ATA_NSECT, 1);
	pio_rd(DEV_IDE, c->cmd + ATA_CMD, 1);
	pio_out(DEV_BM, c->bm + 2, 1, 0x06);
}

static void ide_directed(struct chan *c, bool disk)
{
	u8 buf[64];
	int i;

	mark(DEV_IDE + 0x10);
	ide_srst(c);
	pio_out(DEV_IDE, c->ctl, 1, DC_NIEN);
	ide_tf(c, 0, 0, 1, false);
	ide_pio_in(c, 0xec, 1);			/* IDENTIFY DEVICE */
	ide_tf(c, 0, 0, 0, false);
	ide_pio_in(c, 0xec, 1);
	/* The status port read as a string while data is ready. */
	pio_out(DEV_IDE, c->cmd + ATA_CMD, 1, 0xec);
	ide_settle(c);
	pio_ins(DEV_IDE, c->cmd + ATA_CMD, 1, buf, 16, true);
	pio_ins(DEV_IDE, c->ctl, 1, buf, 16, true);
	ide_srst(c);

	for (i = 0; i < 6; i++) {
		u32 lba = below(16384 - 32), n = 1 + below(16);

		ide_tf(c, 0, lba, n, false);
		ide_pio_in(c, 0x20, n);		/* READ SECTORS */
		ide_tf(c, 0, lba, n, true);
		ide_pio_in(c, 0x24, n);		/* READ SECTORS EXT */
		/* HOB: the previous bytes of the LBA48 taskfile. */
		pio_out(DEV_IDE, c->ctl, 1, DC_HOB | DC_NIEN);
		ide_log_tf(c);
		pio_out(DEV_IDE, c->ctl, 1, DC_NIEN);
		ide_log_tf(c);
		ide_tf(c, 0, lba, n, false);
		ide_pio_in(c, 0x40, 0);		/* READ VERIFY */
	}

	/*
	 * A count of 0 (256 sectors) at an LBA28 address past the end, then
	 * a count of 0 written again and READ SECTORS EXT: 65536 sectors.
	 */
	ide_tf(c, 0, 0x00ffff00, 0, true);	/* HOB bytes 0 as well */
	ide_pio_in(c, 0x20, 4);
	pio_out(DEV_IDE, c->cmd + ATA_DEV, 1, DEV_LBA);
	pio_out(DEV_IDE, c->cmd + ATA_NSECT, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAL, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAM, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAH, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAL, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAM, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAH, 1, 0);
	ide_pio_in(c, 0x24, 260);
	ide_srst(c);

	/* Bus-master DMA: a PRD table long enough, then one too short. */
	if (disk) {
		ide_dma_read(c, below(16000), 8, 4096);
		ide_dma_read(c, below(16000), 2, 512);
		ide_dma_read(c, below(16000), 4, 8192);
	}
	ide_srst(c);
}

static void ide_random(struct chan *c)
{
	unsigned int i;

	mark(DEV_IDE);
	ide_srst(c);
	pio_out(DEV_IDE, c->ctl, 1, DC_NIEN);
	for (i = 0; i < steps; i++) {
		if (!(i % 512)) {
			/* Now and then a real command, and a reset. */
			ide_tf(c, below(2) << 4, below(16384), 1 + below(4), false);
			ide_pio_in(c, below(2) ? 0x20 : 0xec, 4);
			if (!below(4))
				ide_srst(c);
			pio_out(DEV_IDE, c->ctl, 1, DC_NIEN);
		}
		if (!(i % 64))
			bm_random_access(c);
		ide_random_access(c);
	}
	ide_srst(c);
}

static int ide_setup(void)
{
	struct pci_dev *pdev;

	sector_buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	dma_buf = kmalloc(65536, GFP_KERNEL | GFP_DMA32);
	prd = kmalloc(64, GFP_KERNEL | GFP_DMA32);
	if (!sector_buf || !dma_buf || !prd)
		return -ENOMEM;
	pdev = pci_get_device(PCI_VENDOR_ID_INTEL, PCI_DEVICE_ID_INTEL_82371SB_1, NULL);
	if (pdev && !pci_enable_device(pdev)) {
		pci_set_master(pdev);
		chans[0].bm = pci_resource_start(pdev, 4);
		chans[1].bm = chans[0].bm + 8;
	}
	pci_dev_put(pdev);
	return 0;
}

/* ---- INITIALIZE DEVICE PARAMETERS with no sectors ------------------------- */

static void specify0(void)
{
	struct chan *c = &chans[0];

	mark(0x91);
	ide_srst(c);
	pio_out(DEV_IDE, c->ctl, 1, DC_NIEN);
	pio_out(DEV_IDE, c->cmd + ATA_DEV, 1, 0x0f);	/* CHS, 16 heads */
	pio_out(DEV_IDE, c->cmd + ATA_NSECT, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_CMD, 1, 0x91);
	ide_settle(c);
	ide_log_tf(c);
	/* A CHS read: cylinder 0, head 0, sector 1. */
	pio_out(DEV_IDE, c->cmd + ATA_DEV, 1, 0x00);
	pio_out(DEV_IDE, c->cmd + ATA_NSECT, 1, 1);
	pio_out(DEV_IDE, c->cmd + ATA_LBAL, 1, 1);
	pio_out(DEV_IDE, c->cmd + ATA_LBAM, 1, 0);
	pio_out(DEV_IDE, c->cmd + ATA_LBAH, 1, 0);
	ide_pio_in(c, 0x20, 1);
}

/* ---- /proc/ka_probe -------------------------------------------------------- */

static int probe_show(struct seq_file *m, void *v)
{
	seq_printf(m, "log 0x%llx %u %u\n", (u64)virt_to_phys(log_buf),
		   (unsigned int)(nlog * sizeof(struct probe_rec)), nlog);
	seq_printf(m, "accesses pm %lu hpet %lu ide %lu bm %lu\n",
		   accesses[DEV_PM], accesses[DEV_HPET], accesses[DEV_IDE],
		   accesses[DEV_BM]);
	seq_printf(m, "crc 0x%08x%s\n",
		   crc32_le(0, (u8 *)log_buf, nlog * sizeof(struct probe_rec)),
		   log_full ? " log-full" : "");
	return 0;
}

static int __init probe_init(void)
{
	int ret;

	log_buf = alloc_pages_exact(LOG_BYTES, GFP_KERNEL | __GFP_ZERO);
	if (!log_buf)
		return -ENOMEM;
	ret = ide_setup();
	if (ret)
		goto err;
	rng = seed ?: 1;
	if (!strcmp(mode, "specify0")) {
		specify0();
	} else {
		hpet = ioremap(HPET_BASE, HPET_LEN);
		if (!hpet) {
			ret = -ENOMEM;
			goto err;
		}
		pm_phase();
		hpet_random();
		hpet_directed();
		ide_directed(&chans[0], true);
		ide_random(&chans[0]);
		ide_directed(&chans[1], false);
		ide_random(&chans[1]);
		iounmap(hpet);
	}
	if (!proc_create_single("ka_probe", 0444, NULL, probe_show)) {
		ret = -ENOMEM;
		goto err;
	}
	return 0;
err:
	kfree(sector_buf);
	kfree(dma_buf);
	kfree(prd);
	free_pages_exact(log_buf, LOG_BYTES);
	return ret;
}
module_init(probe_init);

MODULE_DESCRIPTION("kvm-accel: guest-visible values of the QEMU fast-path devices");
MODULE_LICENSE("GPL");
