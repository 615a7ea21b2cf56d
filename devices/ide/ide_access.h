/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What one guest access does to the IDE register file, in the cases that
 * need no disk and no decision of the VMM: the taskfile, the status
 * registers, the interrupt acknowledgement and the data port.  The fast
 * path (ide.bpf.c) runs these functions in the kernel; the slow path
 * (ide_slowpath.c) runs the very same ones for the accesses that reach it,
 * which is also how it implements the whole device when no fast path is
 * attached.  Each returns IDE_DONE, or IDE_DECLINE when the access needs the
 * slow path, and reports what the caller must signal in *ev (IDE_EV_*).
 *
 * Every store follows the ownership rules of ide.h, with the loads, stores
 * and fully ordered atomics of kvm_accel_atomics.h: the handover's Dekker
 * pair (fp_active, phase) needs the full ordering of fetch_add() and
 * cmpxchg(), which both sides' atomics give.  Index masks go through
 * barrier_var(), so that they reach the verifier even where the compiler
 * can prove them redundant from comparisons the verifier does not track.
 * The functions never wait and never loop unboundedly, so they are valid
 * BPF.
 */
#ifndef _DEVICES_IDE_ACCESS_H
#define _DEVICES_IDE_ACCESS_H

#include "kvm_accel_atomics.h"
#include "ide.h"

#define IDE_DECLINE		0	/* the slow path must do this access */
#define IDE_DONE		1

/* What the caller must signal after the access (*ev). */
#define IDE_EV_IRQ		0x1	/* pulse INTRQ: eventfd IDE_EVENTFD_IRQ */
#define IDE_EV_SERVICE		0x2	/* the buffer needs the slow path (SERVICE) */

/* Compare-and-swap attempts of a taskfile write before the fast path declines it. */
#define IDE_TF_TRIES		8

static __always_inline __u32 ide_phase_drive(__u64 phase)
{
	return (phase & IDE_PHASE_DRIVE) ? 1 : 0;
}

static __always_inline __u32 ide_selected(struct ide_regfile *r)
{
	return (READ_ONCE(r->tf[ATA_REG_DEVICE]) & ATA_DEV_DRV) ? 1 : 0;
}

static __always_inline int ide_present(struct ide_regfile *r, __u32 drv)
{
	return (READ_ONCE(r->drives) >> (drv & 1)) & 1;
}

/* The status register of drive @drv as the guest reads it (ide.h, Ownership). */
static __always_inline __u64 ide_status_of(struct ide_regfile *r, __u32 drv)
{
	__u64 ph = READ_ONCE(r->phase);
	__u64 st = READ_ONCE(r->status[drv & 1]) & ~(__u64)(ATA_BSY | ATA_DRQ) & 0xff;
	__u32 p = ph & IDE_PHASE_MASK;

	if (!ide_present(r, drv))
		return 0;
	if (p == IDE_PHASE_RESET)
		return st | ATA_BSY;
	if (p == IDE_PHASE_IDLE || ide_phase_drive(ph) != drv)
		return st;
	if (p == IDE_PHASE_PIO_IN || p == IDE_PHASE_PIO_OUT)
		return st | ATA_DRQ;
	return st | ATA_BSY;
}

/*
 * Raise INTRQ: returns IDE_EV_IRQ if the caller must pulse the line (the
 * interrupt was not pending and nIEN is clear).
 */
static __always_inline __u32 ide_irq_raise(struct ide_regfile *r)
{
	if (xchg(&r->irq_pending, 1))
		return 0;
	return (READ_ONCE(r->devctl) & ATA_DEVCTL_NIEN) ? 0 : IDE_EV_IRQ;
}

/*
 * Enter a section that stores under phase @ph (ide.h, Handover): 1 if the
 * phase is still @ph and the caller is counted in fp_active, else 0.
 */
static __always_inline int ide_fp_enter(struct ide_regfile *r, __u64 ph)
{
	fetch_add(&r->fp_active, 1);
	if (READ_ONCE(r->phase) == ph)
		return 1;
	fetch_sub(&r->fp_active, 1);
	return 0;
}

static __always_inline void ide_fp_leave(struct ide_regfile *r)
{
	fetch_sub(&r->fp_active, 1);
}

/*
 * The access that claimed buf[pos, pos + len) finished a DRQ block of phase
 * @ph if it covered the block's last byte; claims never overlap, so exactly
 * one access finishes each block.  Returns the events it causes.
 */
static __always_inline __u32 ide_block_done(struct ide_regfile *r, __u64 ph,
					    __u64 pos, __u32 len, __u64 end)
{
	__u64 blk = READ_ONCE(r->block), bend;
	__u64 next;

	if (!blk || blk > IDE_BUF_SIZE)
		blk = IDE_BUF_SIZE;
	bend = pos - pos % blk + blk;
	if (bend > end)
		bend = end;
	if (pos + len < bend)
		return 0;
	/* The next block is already in the buffer (read) or has room (write). */
	if (bend < end)
		return ide_irq_raise(r);
	if ((ph & IDE_PHASE_MASK) == IDE_PHASE_PIO_IN && READ_ONCE(r->last))
		next = IDE_PHASE_IDLE;
	else
		next = IDE_PHASE_SERVICE;
	next |= ph & IDE_PHASE_DRIVE;
	/* Fails only if the slow path took the device meanwhile (SRST). */
	if (cmpxchg(&r->phase, ph, next) != ph)
		return 0;
	return (next & IDE_PHASE_MASK) == IDE_PHASE_SERVICE ? IDE_EV_SERVICE : 0;
}

/*
 * A data-port access of @len (2 or 4) bytes: a read claims the next bytes
 * of buf in PIO_IN (outside it reads 0), a write stores @val into them in
 * PIO_OUT (outside it is dropped).  Returns the value read.
 */
static __always_inline __u64 ide_data(struct ide_regfile *r, __u32 len, int is_write,
				      __u64 val, __u32 *ev)
{
	__u64 want = is_write ? IDE_PHASE_PIO_OUT : IDE_PHASE_PIO_IN;
	__u64 ph = READ_ONCE(r->phase);
	__u64 pos, end, at, ret = 0;
	__u32 i;

	if ((ph & IDE_PHASE_MASK) != want || !ide_fp_enter(r, ph))
		return 0;
	end = READ_ONCE(r->end);
	if (end > IDE_BUF_SIZE)
		end = IDE_BUF_SIZE;
	pos = fetch_add(&r->pos, len);
	if (pos < end) {
		for (i = 0; i < 4; i++) {
			at = pos + i;
			barrier_var(at);	/* the mask below must reach the verifier */
			if (i >= len || pos + i >= end)
				continue;
			at &= IDE_BUF_SIZE - 1;
			if (is_write)
				r->buf[at] = val >> (8 * i);
			else
				ret |= (__u64)r->buf[at] << (8 * i);
		}
		*ev |= ide_block_done(r, ph, pos, len, end);
	}
	ide_fp_leave(r);
	return ret;
}

/* A read of taskfile register @reg (ATA_REG_ERROR .. ATA_REG_DEVICE). */
static __always_inline __u64 ide_tf_read(struct ide_regfile *r, __u32 reg)
{
	__u32 drv = ide_selected(r);
	__u64 val;

	if (!ide_present(r, drv))
		return 0;
	if (reg == ATA_REG_ERROR)
		return READ_ONCE(r->error[drv]) & 0xff;
	barrier_var(reg);
	val = READ_ONCE(r->tf[reg & 7]);
	if (reg != ATA_REG_DEVICE && (READ_ONCE(r->devctl) & ATA_DEVCTL_HOB))
		val >>= IDE_TF_HOB_SHIFT;
	return val & 0xff;
}

/*
 * A write of taskfile register @reg (ATA_REG_FEATURE .. ATA_REG_DEVICE).
 * Ignored while the device is busy or transferring (any phase but IDLE);
 * otherwise the previous byte becomes the HOB byte and HOB in the device
 * control register is cleared.  Declined only if @tries compare-and-swaps
 * all lost against other vCPUs writing the same register.  With @both,
 * the word also latches the byte into the other drive's taskfile, bits
 * 31:16 (ide.h, IDE_TF_OTHER_SHIFT), in the same compare-and-swap.
 */
static __always_inline int __ide_tf_write(struct ide_regfile *r, __u32 reg, __u8 val,
					  __u32 tries, int both)
{
	__u64 ph = READ_ONCE(r->phase);
	__u64 old, new;
	__u32 i;

	if ((ph & IDE_PHASE_MASK) != IDE_PHASE_IDLE || !ide_fp_enter(r, ph))
		return IDE_DONE;
	barrier_var(reg);
	reg &= 7;
	if (reg == ATA_REG_DEVICE) {
		WRITE_ONCE(r->tf[ATA_REG_DEVICE], val);
	} else {
		for (i = 0; i < tries; i++) {
			old = READ_ONCE(r->tf[reg]);
			new = (old & 0xff) << IDE_TF_HOB_SHIFT | val;
			if (both)
				new |= ((old >> IDE_TF_OTHER_SHIFT & 0xff) << IDE_TF_HOB_SHIFT |
					val) << IDE_TF_OTHER_SHIFT;
			if (cmpxchg(&r->tf[reg], old, new) == old)
				break;
		}
		if (i == tries) {
			ide_fp_leave(r);
			return IDE_DECLINE;
		}
		/* QEMU's taskfile is its own: say which register to take back. */
		if (both)
			fetch_or(&r->tf_written, 1ULL << reg);
	}
	fetch_and(&r->devctl, ~(__u64)ATA_DEVCTL_HOB);
	ide_fp_leave(r);
	return IDE_DONE;
}

static __always_inline int ide_tf_write(struct ide_regfile *r, __u32 reg, __u8 val,
					__u32 tries)
{
	return __ide_tf_write(r, reg, val, tries, 0);
}

/*
 * A read of the status register (@ack: 0x1f7, which acknowledges the
 * interrupt) or the alternate status (0x3f6).  While the buffer waits for
 * the slow path without a doorbell, the read is what brings the slow path
 * in: decline it.
 */
static __always_inline int ide_status_read(struct ide_regfile *r, int ack, __u64 *val)
{
	if ((READ_ONCE(r->phase) & IDE_PHASE_MASK) == IDE_PHASE_SERVICE &&
	    !(READ_ONCE(r->flags) & IDE_CFG_DOORBELL))
		return IDE_DECLINE;
	if (ack)
		xchg(&r->irq_pending, 0);
	*val = ide_status_of(r, ide_selected(r));
	return IDE_DONE;
}

/*
 * One access of @len bytes at offset @off of the command block.  *@val is
 * the value written, or receives the value read.  Declined: byte accesses
 * to the data port, wider accesses to the other registers (the slow path
 * splits them into bytes), command writes, status reads while SERVICE
 * waits for the slow path, and taskfile writes that lost @tries races.
 */
static __always_inline int ide_cmd_access(struct ide_regfile *r, __u64 off, __u32 len,
					  int is_write, __u64 *val, __u32 *ev, __u32 tries)
{
	if (off == ATA_REG_DATA && (len == 2 || len == 4)) {
		if (is_write)
			ide_data(r, len, 1, *val, ev);
		else
			*val = ide_data(r, len, 0, 0, ev);
		return IDE_DONE;
	}
	if (len != 1 || off == ATA_REG_DATA || off > ATA_REG_CMD)
		return IDE_DECLINE;
	if (is_write) {
		if (off == ATA_REG_CMD)
			return IDE_DECLINE;
		return ide_tf_write(r, off, *val, tries);
	}
	if (off == ATA_REG_STATUS)
		return ide_status_read(r, 1, val);
	*val = ide_tf_read(r, off);
	return IDE_DONE;
}

/* One access to the control block: alternate status reads; writes decline. */
static __always_inline int ide_ctl_access(struct ide_regfile *r, __u64 off, __u32 len,
					  int is_write, __u64 *val)
{
	if (is_write || off != 0 || len != 1)
		return IDE_DECLINE;
	return ide_status_read(r, 0, val);
}

#endif /* _DEVICES_IDE_ACCESS_H */
