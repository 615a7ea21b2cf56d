/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * IDE slow path: the part of the legacy primary ATA channel a VMM runs in
 * userspace, against a disk image file (pread/pwrite on a descriptor).  It
 * works on the register file of ide.h, either the one the fast path
 * (ide.bpf.o) shares through kvm_accel_regfile(), or one of its own, in
 * which case it is the whole device and every access is an exit:
 *
 *	struct ide_config cfg = IDE_CONFIG_INIT;
 *	struct ide *ide;
 *
 *	cfg.drive[0].fd = image_fd;
 *	cfg.irq_fd = irqfd;			// KVM_IRQFD on GSI 14, or -1
 *	err = ide_create(&cfg, regs, &ide);	// regs: mmapped .bss, or NULL
 *	...
 *	case KVM_EXIT_IO:
 *		if (ide_owns_port(run->io.port))
 *			err = ide_io(ide, run->io.port, run->io.size, run->io.count,
 *				     run->io.direction == KVM_EXIT_IO_OUT,
 *				     (char *)run + run->io.data_offset);
 *
 * With cfg.doorbell the VMM also calls ide_service() whenever eventfd
 * IDE_EVENTFD_DOORBELL of the fast path fires (from any thread).  Without
 * it a write command's data reaches the image at the guest's next access
 * that exits (the status read that finds BSY), with or without a fast path:
 * the slow path alone defers it to the same access, so that a guest sees
 * the same device both ways.  A slow path alone with cfg.doorbell writes
 * it at once (an interrupt-driven guest waits for the interrupt instead of
 * reading the status).
 *
 * Supported: IDENTIFY DEVICE, READ/WRITE SECTORS (0x20/0x30) and their EXT
 * forms (0x24/0x34), READ/WRITE MULTIPLE (0xc4/0xc5, EXT 0x29/0x39), SET
 * MULTIPLE MODE, FLUSH CACHE (EXT), SET FEATURES (write cache, read
 * look-ahead, revert to defaults, PIO transfer modes), EXECUTE DEVICE
 * DIAGNOSTIC, software reset.  LBA addressing only: a data command with the
 * LBA bit clear, and any other command, aborts (ABRT).
 *
 * Functions return 0 or a negative errno and never print or exit.  All of
 * them may be called from several threads (one lock per device).
 */
#ifndef _DEVICES_IDE_SLOWPATH_H
#define _DEVICES_IDE_SLOWPATH_H

#include <stdbool.h>
#include <linux/types.h>

#include "ide_access.h"

#ifdef __cplusplus
extern "C" {
#endif

#define IDE_MODEL_LEN		40	/* IDENTIFY words 27-46 */
#define IDE_SERIAL_LEN		20	/* words 10-19 */
#define IDE_FIRMWARE_LEN	8	/* words 23-26 */
#define IDE_MAX_SECTORS		(1ULL << 48)	/* LBA48 */

struct ide_drive_config {
	int fd;			/* image, open for reading and writing; -1: no drive */
	__u64 sectors;		/* capacity; 0: the image's size in whole sectors */
	const char *model;	/* printable ASCII; NULL: "kvm-accel IDE disk" */
	const char *serial;	/* NULL: "KA0000000" followed by the drive number */
	const char *firmware;	/* NULL: "1.0" */
};

struct ide_config {
	struct ide_drive_config drive[2];	/* master, slave */
	int irq_fd;		/* eventfd written to pulse INTRQ (KVM irqfd), -1: none */
	bool doorbell;		/* buffers are serviced without waiting for an exit (above) */
};

#define IDE_CONFIG_INIT {						\
	.drive = { { .fd = -1 }, { .fd = -1 } },			\
	.irq_fd = -1,							\
}

struct ide_stats {
	__u64 accesses;		/* port accesses ide_io() handled */
	__u64 commands;		/* command register writes */
	__u64 services;		/* buffers drained or refilled for the fast path */
	__u64 irqs;		/* INTRQ pulses sent by the slow path */
	__u64 irq_errors;	/* pulses the irq_fd refused (not an eventfd?) */
	__u64 io_errors;	/* failed reads, writes and flushes of an image */
};

struct ide;

/*
 * Create the device and reset @regs to the power-on state (or allocate a
 * register file if @regs is NULL: the userspace-only device).  Call it
 * before the guest runs.  -EINVAL for a bad configuration (no drive, a
 * string too long or not printable, a capacity of no sector or beyond
 * LBA48), -EBADF for a descriptor that is not open, -EFBIG for an image
 * smaller than the capacity asked for, -ENOMEM.
 */
int ide_create(const struct ide_config *cfg, struct ide_regfile *regs,
	       struct ide **idep);
void ide_destroy(struct ide *ide);

/* The register file the device works on. */
struct ide_regfile *ide_regs(struct ide *ide);

/* Whether @port is one of the channel's (0x1f0-0x1f7, 0x3f6). */
bool ide_owns_port(__u16 port);

/*
 * An access that exited: @count elements of @size (1, 2 or 4) bytes at
 * @port, little endian at @data (KVM's I/O page); written by the guest if
 * @is_write, else filled in.  Bytes of an element that fall on a port not
 * the channel's read as 0xff and are not written.  -EINVAL (nothing done)
 * if @port is not the channel's, @size is not 1, 2 or 4, or @count is 0.
 */
int ide_io(struct ide *ide, __u16 port, __u32 size, __u32 count, bool is_write,
	   void *data);

/*
 * Drain or refill the buffer the fast path handed back (phase SERVICE), if
 * any.  Returns 1 if there was one, 0 if not.
 */
int ide_service(struct ide *ide);

void ide_get_stats(struct ide *ide, struct ide_stats *stats);

/* ---- on the reference VMM (vmm/vmm.h) ------------------------------------ */

struct kvm_vcpu;
struct vmm;

/* The vmm_access_fn of the channel, @ptr the struct ide: ide_io() of one element. */
int ide_access(struct kvm_vcpu *vcpu, __u64 addr, void *data, __u32 len,
	       bool is_write, void *ptr);

/* Register both ranges of the channel (IDE_CMD_BASE, IDE_CTL_BASE) with @vmm. */
void ide_vmm_register(struct vmm *vmm, struct ide *ide);

#ifdef __cplusplus
}
#endif

#endif /* _DEVICES_IDE_SLOWPATH_H */
