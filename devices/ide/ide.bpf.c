// SPDX-License-Identifier: GPL-2.0
/*
 * IDE fast path: the legacy primary ATA channel (ports 0x1f0-0x1f7 and
 * 0x3f6) in PIO mode.
 *
 * A PIO disk driver touches the device dozens of times per command and
 * 256 times per sector: it writes six taskfile registers, polls the status
 * register, and moves every sector through the 16-bit data port.  Only the
 * command itself needs the VMM (to read or write the disk image); the rest
 * is register bookkeeping that is handled here, against the register file
 * the VMM maps (struct ide_regfile, ide.h):
 *
 *  - alternate status (0x3f6) and status (0x1f7) reads, the latter with the
 *    interrupt acknowledgement (INTRQ is an edge pulsed through a KVM
 *    irqfd, so acknowledging is clearing the pending bit: ide.h,
 *    Interrupts);
 *  - error/features, sector count, LBA low/mid/high and device/head, with
 *    the ATA rules: writes are ignored while BSY or DRQ is shown, every
 *    write keeps the previous byte as the LBA48 HOB byte and clears HOB in
 *    device control, HOB set reads the previous bytes, and a drive that is
 *    not present reads as 0;
 *  - the data port, 16 or 32 bits wide, from a buffer holding the whole
 *    command's data (256 sectors per chunk): INTRQ for each further DRQ
 *    block is raised here, and the end of the data is recorded here.
 *
 * What exits to the VMM (ide_slowpath.c): command writes (0x1f7) and
 * device control writes (0x3f6: SRST, nIEN, HOB); once a write command's
 * data is all in the buffer, the next status or alternate status read (the
 * one that finds BSY), unless the VMM services the buffer from the
 * doorbell eventfd; byte accesses to the data port and accesses wider than
 * a byte to the other registers.  A data-port word is never declined:
 * KVM drops the rest of a string access whose later word a device declines.
 *
 * The access semantics are in ide_access.h, shared with the slow path,
 * which runs the same functions when no fast path is attached; the ATA
 * register and bit names are in ide.h.
 */
#include "kvm_accel.h"
#include "ide_access.h"

char LICENSE[] SEC("license") = "GPL";

/* The register file: the only variable in .bss. */
struct ide_regfile ide;

/* Signal what the access caused; count signals that could not be sent. */
static __always_inline void ide_signal(struct kvm_accel_ctx *acc, __u32 ev)
{
	if ((ev & IDE_EV_IRQ) && kvm_accel_signal_eventfd(acc, IDE_EVENTFD_IRQ))
		__sync_fetch_and_add(&ide.fp_errors, 1);
	if ((ev & IDE_EV_SERVICE) && (IDE_READ(ide.flags) & IDE_CFG_DOORBELL) &&
	    kvm_accel_signal_eventfd(acc, IDE_EVENTFD_DOORBELL))
		__sync_fetch_and_add(&ide.fp_errors, 1);
}

SEC("struct_ops/ide_cmd_read")
int BPF_PROG(ide_cmd_read, struct kvm_accel_ctx *acc)
{
	__u64 val = 0;
	__u32 ev = 0;

	if (ide_cmd_access(&ide, acc->offset, acc->len, 0, &val, &ev,
			   IDE_TF_TRIES) == IDE_DECLINE)
		return KVM_ACCEL_EXIT;
	acc->result = val;
	ide_signal(acc, ev);
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/ide_cmd_write")
int BPF_PROG(ide_cmd_write, struct kvm_accel_ctx *acc)
{
	__u64 val = acc->data;
	__u32 ev = 0;

	if (ide_cmd_access(&ide, acc->offset, acc->len, 1, &val, &ev,
			   IDE_TF_TRIES) == IDE_DECLINE)
		return KVM_ACCEL_EXIT;
	ide_signal(acc, ev);
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/ide_ctl_read")
int BPF_PROG(ide_ctl_read, struct kvm_accel_ctx *acc)
{
	__u64 val = 0;

	if (ide_ctl_access(&ide, acc->offset, acc->len, 0, &val) == IDE_DECLINE)
		return KVM_ACCEL_EXIT;
	acc->result = val;
	return KVM_ACCEL_HANDLED;
}

/* Device control writes have no program: they always exit. */
KVM_ACCEL(ide_cmd, KVM_ACCEL_BUS_PIO, IDE_CMD_BASE, IDE_CMD_LEN,
	  .read = (void *)ide_cmd_read,
	  .write = (void *)ide_cmd_write);
KVM_ACCEL(ide_ctl, KVM_ACCEL_BUS_PIO, IDE_CTL_BASE, IDE_CTL_LEN,
	  .read = (void *)ide_ctl_read);
