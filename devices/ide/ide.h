/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * IDE (legacy primary ATA channel, PIO): the register file shared by the
 * fast path (ide.bpf.c, in the kernel) and the slow path (ide_slowpath.c,
 * in the VMM), and the rules by which the two halves share it.  Usable from
 * BPF programs and from userspace C.
 *
 * Ports: the command block at 0x1f0-0x1f7 and the device control / alternate
 * status register at 0x3f6.  One kvm_accel_ops map covers one range, so the
 * object declares two ("ide_cmd" and "ide_ctl") over one register file.
 *
 * Register file
 * -------------
 * struct ide_regfile is the program's .bss, mmapped by the VMM.  Every field
 * the two halves both touch is a naturally aligned __u64, so that plain
 * loads and stores are single-copy atomic and the read-modify-writes are
 * the 64-bit BPF atomics (lock-prefixed on x86: full barriers).
 *
 * Ownership
 * ---------
 * @phase says who owns what.  Its low byte is an IDE_PHASE_* value, bit 8
 * the drive the phase belongs to.  The busy bits the guest sees are derived
 * from it, never stored: PIO_IN and PIO_OUT show DRQ, SERVICE, SLOW and
 * RESET show BSY (RESET on both drives, the others on the phase's drive).
 *
 *   phase     fast path may store                 slow path may store
 *   IDLE      taskfile (tf[], HOB bit of devctl)  nothing but @phase (to leave IDLE)
 *   PIO_IN    @pos; @phase to IDLE or SERVICE     nothing but @phase (SRST)
 *   PIO_OUT   @pos, buf; @phase to SERVICE        nothing but @phase (SRST)
 *   SERVICE   nothing                             nothing but @phase (to SLOW)
 *   SLOW      nothing                             everything
 *   RESET     nothing                             everything
 *
 * The fast path changes @phase only by compare-and-swap from the exact
 * PIO_IN / PIO_OUT value it started from, and only when the guest's access
 * completed the data in the buffer; everything else that changes @phase is
 * the slow path, which is serialised by its own lock.  Guest accesses that
 * reach the slow path are performed with the fast path's own functions
 * (ide_access.h), under the fast path's column of this table.
 *
 * Fields only one side ever writes: @drives and @flags (the VMM, before the
 * guest runs), @status, @error, @end, @block, @last (slow path, while it owns
 * the phase).  Fields both sides write, always atomically: @irq_pending
 * (exchange), @devctl (the slow path exchanges it on a guest write, the fast
 * path clears HOB with an atomic and), @fp_active and @fp_errors (add).
 *
 * Handover (a Dekker pair on @fp_active and @phase):
 *  - A fast-path access that stores anything first reads @phase and stops
 *    if the phase does not let it store.  Otherwise it adds 1 to
 *    @fp_active, reads @phase again and stops (after subtracting 1) if it
 *    changed; only then it stores, and it subtracts 1 when done.
 *  - The slow path takes the device by changing @phase with an atomic
 *    exchange or compare-and-swap (to SLOW or RESET), then waits until
 *    @fp_active is 0 before it reads or writes anything the fast path may
 *    store.  Both steps are full barriers, so either the fast path sees the
 *    new phase or the slow path sees it counted (x86-64, the only target:
 *    every locked instruction is a full barrier); accesses that start later
 *    see the new phase at their first read and never count themselves, so
 *    the wait is bounded by the vCPUs already inside.
 *  - The slow path hands a phase to the fast path by storing everything the
 *    phase needs (buf, @pos, @end, @block, @last, @status, @error) and then
 *    @phase, with a full barrier in between.
 * So once the slow path has taken the device and waited, the taskfile, the
 * buffer and the transfer position stay exactly as it found them until it
 * publishes the next phase (checked by selftests/ide_stress_test.c).
 *
 * QEMU (ide_qemu.bpf.c)
 * ---------------------
 * With QEMU (integrations/qemu), QEMU's own IDE model is the slow path and
 * stays authoritative; a smaller program shares this register file with
 * it, with these differences:
 *  - QEMU publishes its whole state after every access it handles, every
 *    interrupt it raises, SRST, reset and migration load: @status and
 *    @error as its reads would return them (BSY and DRQ included, 0 for a
 *    drive it reads as absent), @drives as 3 if any drive is present (its
 *    taskfile reads are 0 only without drives), @devctl, and tf[].
 *  - tf[] holds the selected drive in bits 15:0 and the other drive in
 *    bits 31:16, in the same layout (IDE_TF_OTHER_SHIFT): QEMU keeps a
 *    taskfile per drive, both latch every write, and only commands change
 *    one of them.  tf[ATA_REG_DEVICE] is QEMU's selection (ATA_DEV_DRV);
 *    device register accesses exit.
 *  - @phase is IDLE when the selected drive shows neither BSY nor DRQ (the
 *    fast path latches taskfile writes) and SLOW otherwise or while QEMU
 *    handles an access (taskfile writes are ignored, as QEMU ignores them).
 *    QEMU takes the device with the handover above before every access it
 *    handles, and takes back the taskfile if the phase it took was IDLE:
 *    each register whose bit in @tf_written the fast path set (an atomic
 *    or, after its store) whole, current and HOB byte of both drives.  A
 *    write is seen even if it stored what QEMU had published: QEMU
 *    publishes a byte of fields that are wider (the sector count, 256 or
 *    65536 for 0), and a guest's 0 must replace the whole field.
 *  - @irq_pending is QEMU's: set before it raises INTRQ, cleared after a
 *    status read or command write lowered it, set at attach (unknown).
 *    Status reads exit while it is set, so that QEMU acknowledges.
 * The buffer, @pos, @end, @block and @last are not used.
 *
 * Data transfers
 * --------------
 * A command's data (up to IDE_BUF_SIZE bytes, 256 sectors, per chunk) lives
 * in @buf.  For a READ the slow path fills the whole chunk at command time
 * and publishes PIO_IN; each data-port read claims its bytes with an atomic
 * add on @pos, so concurrent readers never get the same word.  The access
 * that completes a DRQ block raises INTRQ for the next one; the access that
 * completes the last block of the command ends the phase (IDLE), and one that
 * completes a chunk of a longer command hands the buffer back (SERVICE).
 * For a WRITE the fast path stores every word into @buf and, on the word
 * that completes the chunk, switches to SERVICE (BSY): the slow path writes
 * the data out when it next runs.  The fast path never declines a data-port
 * word in either direction: KVM dispatches string I/O word by word and only
 * a decline of the first word reaches the VMM (later ones are dropped), so
 * the exit to the VMM happens on a later access instead: the status or
 * alternate status read the guest polls with while BSY is shown.  With
 * IDE_CFG_DOORBELL the fast path instead signals eventfd IDE_EVENTFD_DOORBELL
 * and the VMM services the buffer from another thread; status reads then
 * show BSY in the kernel until it has.
 *
 * Interrupts
 * ----------
 * INTRQ is the ISA IRQ 14 line, edge triggered.  @irq_pending is the
 * device's interrupt-pending state: raising INTRQ exchanges it to 1 and, if
 * it was 0 and nIEN is clear, pulses eventfd IDE_EVENTFD_IRQ (a KVM irqfd:
 * the interrupt is injected without leaving the kernel).  Reading the status
 * register exchanges it to 0 (the acknowledgement) before composing the
 * value read.  Since the line is an edge there is nothing to lower, and
 * since a pulse is sent only when pending goes from 0 to 1, the guest sees
 * exactly the interrupts a level INTRQ would give through an edge-triggered
 * interrupt controller, whichever side raises or acknowledges it.  The
 * status is stored before @irq_pending is set, so the read that
 * acknowledges an interrupt sees the state that raised it.
 */
#ifndef _DEVICES_IDE_H
#define _DEVICES_IDE_H

#include <linux/types.h>

/* Legacy primary channel. */
#define IDE_CMD_BASE		0x1f0	/* command block registers */
#define IDE_CMD_LEN		8
#define IDE_CTL_BASE		0x3f6	/* device control / alternate status */
#define IDE_CTL_LEN		1
#define IDE_IRQ			14

/* The object's two kvm_accel_ops maps. */
#define IDE_CMD_MAP		"ide_cmd"
#define IDE_CTL_MAP		"ide_ctl"

/* The eventfd table of the ide_cmd attachment. */
#define IDE_EVENTFD_IRQ		0	/* INTRQ: a KVM irqfd on IDE_IRQ */
#define IDE_EVENTFD_DOORBELL	1	/* SERVICE reached; with IDE_CFG_DOORBELL */

/* Command block registers (ATA/ATAPI-6 section 7), offsets from 0x1f0. */
#define ATA_REG_DATA		0
#define ATA_REG_ERROR		1	/* read */
#define ATA_REG_FEATURE		1	/* write */
#define ATA_REG_NSECT		2
#define ATA_REG_LBAL		3
#define ATA_REG_LBAM		4
#define ATA_REG_LBAH		5
#define ATA_REG_DEVICE		6
#define ATA_REG_STATUS		7	/* read */
#define ATA_REG_CMD		7	/* write */

/* Status register */
#define ATA_BSY			0x80
#define ATA_DRDY		0x40
#define ATA_DF			0x20
#define ATA_DSC			0x10
#define ATA_DRQ			0x08
#define ATA_ERR			0x01

/* Error register */
#define ATA_UNC			0x40	/* uncorrectable data error */
#define ATA_IDNF		0x10	/* address not found */
#define ATA_ABRT		0x04	/* command aborted */

/* Device register */
#define ATA_DEV_LBA		0x40
#define ATA_DEV_DRV		0x10
#define ATA_DEV_HEAD		0x0f	/* LBA bits 27:24 in LBA28 commands */

/* Device control register */
#define ATA_DEVCTL_HOB		0x80	/* read the previous (high order) bytes */
#define ATA_DEVCTL_SRST		0x04
#define ATA_DEVCTL_NIEN		0x02

/* Commands */
#define ATA_CMD_READ_SECTORS		0x20
#define ATA_CMD_READ_SECTORS_EXT	0x24
#define ATA_CMD_READ_MULTIPLE_EXT	0x29
#define ATA_CMD_WRITE_SECTORS		0x30
#define ATA_CMD_WRITE_SECTORS_EXT	0x34
#define ATA_CMD_WRITE_MULTIPLE_EXT	0x39
#define ATA_CMD_EXEC_DEVICE_DIAG	0x90
#define ATA_CMD_READ_MULTIPLE		0xc4
#define ATA_CMD_WRITE_MULTIPLE		0xc5
#define ATA_CMD_SET_MULTIPLE		0xc6
#define ATA_CMD_FLUSH_CACHE		0xe7
#define ATA_CMD_FLUSH_CACHE_EXT		0xea
#define ATA_CMD_IDENTIFY		0xec
#define ATA_CMD_SET_FEATURES		0xef

/* SET FEATURES subcommands (Features register) */
#define ATA_SF_WCACHE_ON	0x02
#define ATA_SF_XFER_MODE	0x03
#define ATA_SF_RLA_OFF		0x55
#define ATA_SF_REVERT_OFF	0x66
#define ATA_SF_WCACHE_OFF	0x82
#define ATA_SF_RLA_ON		0xaa
#define ATA_SF_REVERT_ON	0xcc

#define ATA_SECTOR_SIZE		512
#define ATA_MAX_MULTIPLE	16	/* IDENTIFY word 47 */

/* @phase, low byte */
#define IDE_PHASE_IDLE		0	/* no command */
#define IDE_PHASE_PIO_IN	1	/* DRQ, device to host: buf[pos, end) */
#define IDE_PHASE_PIO_OUT	2	/* DRQ, host to device: buf[pos, end) */
#define IDE_PHASE_SERVICE	3	/* BSY: buffer done, the slow path must drain or refill it */
#define IDE_PHASE_SLOW		4	/* BSY: the slow path owns the device */
#define IDE_PHASE_RESET		5	/* BSY on both drives: SRST asserted */
#define IDE_PHASE_MASK		0xff
#define IDE_PHASE_DRIVE		0x100	/* the phase belongs to drive 1 */

/* @flags */
#define IDE_CFG_DOORBELL	0x1	/* the VMM services SERVICE on IDE_EVENTFD_DOORBELL */

#define IDE_BUF_SECTORS		256
#define IDE_BUF_SIZE		(IDE_BUF_SECTORS * ATA_SECTOR_SIZE)	/* 128 KiB */

/*
 * tf[] is indexed by register offset: tf[ATA_REG_FEATURE .. ATA_REG_LBAH]
 * hold the current byte in bits 7:0 and the previous one (the LBA48 HOB
 * byte) in bits 15:8; tf[ATA_REG_DEVICE] holds the device register; tf[0]
 * and tf[7] are unused.  One taskfile for the channel: ATA devices both
 * latch every write.  ide_qemu.bpf.c also keeps the drive that is not
 * selected in bits 31:16 (see QEMU above).
 */
#define IDE_TF_HOB_SHIFT	8
#define IDE_TF_OTHER_SHIFT	16

struct ide_regfile {
	/* Configuration, written by the VMM before the guest runs. */
	__u64 drives;		/* bit n: drive n is present */
	__u64 flags;		/* IDE_CFG_* */

	/* Ownership and interrupt. */
	__u64 phase;		/* IDE_PHASE_* | drive * IDE_PHASE_DRIVE */
	__u64 fp_active;	/* fast-path accesses that may be storing */
	__u64 irq_pending;	/* INTRQ pending, 0 or 1 */

	/* Registers. */
	__u64 tf[8];		/* see IDE_TF_HOB_SHIFT */
	__u64 devctl;		/* last device control write, HOB cleared by taskfile writes */
	__u64 status[2];	/* per drive, without BSY and DRQ (see @phase) */
	__u64 error[2];		/* per drive */

	/* Current data phase. */
	__u64 pos;		/* next byte of buf the guest transfers */
	__u64 end;		/* bytes of buf in this chunk, <= IDE_BUF_SIZE */
	__u64 block;		/* bytes per DRQ block, > 0 */
	__u64 last;		/* this chunk ends the command */

	__u64 fp_errors;	/* eventfd signals the fast path could not send */
	__u64 tf_written;	/* QEMU: bit n, tf[n] latched since QEMU took it */
	__u64 reserved[6];

	__u8 buf[IDE_BUF_SIZE];
};

#endif /* _DEVICES_IDE_H */
