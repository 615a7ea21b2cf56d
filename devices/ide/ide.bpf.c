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
 * a byte to the other registers.
 *
 * String reads (rep insw/insl) of the data port are answered whole, as one
 * claim of the buffer (KVM_ACCEL_F_STRINGS, ide_data_string()); string
 * reads of any other register exit whole, and the slow path does them one
 * element after another.
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
		fetch_add(&ide.fp_errors, 1);
	if ((ev & IDE_EV_SERVICE) && (READ_ONCE(ide.flags) & IDE_CFG_DOORBELL) &&
	    kvm_accel_signal_eventfd(acc, IDE_EVENTFD_DOORBELL))
		fetch_add(&ide.fp_errors, 1);
}

/* Block ends one string read of at most 1024 bytes can reach, blocks >= 512 bytes. */
#define IDE_STRING_BLOCKS	3

/*
 * A string read of the data port: @n words of @len bytes that do exactly
 * what @n reads one after another do (ide_data()), with one claim of the
 * buffer.  The words claim until the one that reaches the end of the
 * chunk, after which the phase has changed and the rest read 0; each block
 * end among them does what the word that reaches it would do.  Returns
 * IDE_DECLINE, having changed nothing, if the claim keeps losing races or
 * the blocks are too small for one pass.
 */
static __always_inline int ide_data_string(struct kvm_accel_ctx *acc, __u32 len, __u32 n)
{
	__u64 ph = READ_ONCE(ide.phase), pos = 0, end, blk, take, got = 0, b, at;
	__u64 total = (__u64)n * len;
	__u32 i;

	if ((ph & IDE_PHASE_MASK) != IDE_PHASE_PIO_IN || !ide_fp_enter(&ide, ph))
		return kvm_accel_string_fill(acc, 0, total) ? IDE_DECLINE : IDE_DONE;
	blk = READ_ONCE(ide.block);
	if (!blk || blk > IDE_BUF_SIZE)
		blk = IDE_BUF_SIZE;
	end = READ_ONCE(ide.end);
	if (end > IDE_BUF_SIZE)
		end = IDE_BUF_SIZE;
	if (blk < 512 || total > 1024)
		goto decline;
	for (i = 0; i < IDE_TF_TRIES; i++) {
		pos = READ_ONCE(ide.pos);
		take = total;
		if (pos < end && end - pos < total)
			take = (end - pos + len - 1) / len * len;
		if (cmpxchg(&ide.pos, pos, pos + take) == pos)
			break;
	}
	if (i == IDE_TF_TRIES)
		goto decline;
	if (pos < end)
		got = end - pos < take ? end - pos : take;
	if (kvm_accel_string_copy(acc, ide.buf, sizeof(ide.buf), pos, got) ||
	    kvm_accel_string_fill(acc, 0, total - got))
		fetch_add(&ide.fp_errors, 1);
	/* Block ends in (pos, pos + take]: multiples of blk below end, and end. */
	b = pos - pos % blk + blk;
	for (i = 0; i < IDE_STRING_BLOCKS && got; i++) {
		if (b > end)
			b = end;
		if (b > pos + take)
			break;
		at = pos + (b - 1 - pos) / len * len;
		ide_signal(acc, ide_block_done(&ide, ph, at, len, end));
		if (b == end)
			break;
		b += blk;
	}
	ide_fp_leave(&ide);
	return IDE_DONE;
decline:
	ide_fp_leave(&ide);
	return IDE_DECLINE;
}

SEC("struct_ops/ide_cmd_read")
int BPF_PROG(ide_cmd_read, struct kvm_accel_ctx *acc)
{
	__u64 val = 0;
	__u32 ev = 0;

	if (acc->count > 1) {
		if (acc->offset != ATA_REG_DATA || (acc->len != 2 && acc->len != 4) ||
		    ide_data_string(acc, acc->len, acc->count) == IDE_DECLINE)
			return KVM_ACCEL_EXIT;
		return KVM_ACCEL_HANDLED;
	}

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
	  .flags = KVM_ACCEL_F_STRINGS,
	  .read = (void *)ide_cmd_read,
	  .write = (void *)ide_cmd_write);
KVM_ACCEL(ide_ctl, KVM_ACCEL_BUS_PIO, IDE_CTL_BASE, IDE_CTL_LEN,
	  .read = (void *)ide_ctl_read);
