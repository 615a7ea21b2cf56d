// SPDX-License-Identifier: GPL-2.0
/*
 * IDE fast path for QEMU's IDE model (-machine pc, PIIX, or isa-ide):
 * ports 0x1f0-0x1f7 and 0x3f6 of a channel, wherever QEMU maps them.
 *
 * QEMU keeps its own IDE model (hw/ide) and it stays authoritative: it
 * mirrors its state into the register file (ide.h, "QEMU") after every
 * access it handles, and takes the taskfile back before the next.  This
 * program serves, from that mirror, what a driver does between commands:
 *
 *  - alternate status reads (0x3f6), and status reads (0x1f7) while no
 *    interrupt is pending: reading the status acknowledges INTRQ, which
 *    only QEMU can do (its IRQ line stays raised until it lowers it);
 *  - reads of error, sector count and LBA low/mid/high (with HOB set, the
 *    previous bytes), which QEMU reads as 0 only without any drive;
 *  - writes of features, sector count and LBA low/mid/high, with the ATA
 *    rules: ignored while the selected drive shows BSY or DRQ, otherwise
 *    latched by both drives with the previous byte kept as the LBA48 HOB
 *    byte, and HOB in device control cleared.
 *
 * What exits to QEMU: the data port (QEMU transfers from its own buffer),
 * command and device control writes, device register reads and writes
 * (selecting a drive changes which taskfile is current), status reads while
 * an interrupt is pending, error reads with HOB set (QEMU answers the HOB
 * feature byte), and accesses wider than a byte.
 *
 * The two ranges are two attachments of this object, each with its own
 * register file: QEMU fills both, and only ide_cmd's takes writes.
 */
#include "kvm_accel.h"
#include "ide_access.h"

char LICENSE[] SEC("license") = "GPL";

/* The register file: the only variable in .bss. */
struct ide_regfile ide;

static __always_inline __u64 ide_qemu_status(void)
{
	return READ_ONCE(ide.status[ide_selected(&ide)]) & 0xff;
}

SEC("struct_ops/ide_qemu_cmd_read")
int BPF_PROG(ide_qemu_cmd_read, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset;

	if (acc->len != 1 || off == ATA_REG_DATA || off == ATA_REG_DEVICE ||
	    off > ATA_REG_STATUS)
		return KVM_ACCEL_EXIT;
	if (off == ATA_REG_STATUS) {
		if (READ_ONCE(ide.irq_pending))
			return KVM_ACCEL_EXIT;
		acc->result = ide_qemu_status();
		return KVM_ACCEL_HANDLED;
	}
	if (off == ATA_REG_ERROR && (READ_ONCE(ide.devctl) & ATA_DEVCTL_HOB))
		return KVM_ACCEL_EXIT;
	acc->result = ide_tf_read(&ide, off);
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/ide_qemu_cmd_write")
int BPF_PROG(ide_qemu_cmd_write, struct kvm_accel_ctx *acc)
{
	__u64 off = acc->offset;

	if (acc->len != 1 || off == ATA_REG_DATA || off >= ATA_REG_DEVICE)
		return KVM_ACCEL_EXIT;
	if (__ide_tf_write(&ide, off, acc->data, IDE_TF_TRIES, 1) == IDE_DECLINE)
		return KVM_ACCEL_EXIT;
	return KVM_ACCEL_HANDLED;
}

SEC("struct_ops/ide_qemu_ctl_read")
int BPF_PROG(ide_qemu_ctl_read, struct kvm_accel_ctx *acc)
{
	if (acc->len != 1 || acc->offset)
		return KVM_ACCEL_EXIT;
	acc->result = ide_qemu_status();
	return KVM_ACCEL_HANDLED;
}

/* Device control writes have no program: they always exit. */
KVM_ACCEL(ide_cmd, KVM_ACCEL_BUS_PIO, IDE_CMD_BASE, IDE_CMD_LEN,
	  .read = (void *)ide_qemu_cmd_read,
	  .write = (void *)ide_qemu_cmd_write);
KVM_ACCEL(ide_ctl, KVM_ACCEL_BUS_PIO, IDE_CTL_BASE, IDE_CTL_LEN,
	  .read = (void *)ide_qemu_ctl_read);
