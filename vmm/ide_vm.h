/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IDE channel on the reference VMM, as the IDE tests, demo and
 * benchmarks run it.
 *
 * Guest side: a small PIO ATA driver for the primary channel, polling
 * (nIEN=1) or interrupt driven (IRQ 14 through the in-kernel IOAPIC), which
 * folds every value it reads from the device into a hash, and a table of
 * commands (struct ide_step) it runs one by one, reporting each with
 * GUEST_SYNC_ARGS(step, hash, status, error, interrupts).
 *
 * VMM side: struct ide_rig, a VM whose IDE channel is either the slow path
 * alone (every access exits) or the slow path with the fast path attached
 * (ide.bpf.o on both port ranges, sharing one register file), with a disk
 * image on tmpfs, an irqfd for IRQ 14 and optionally the doorbell thread.
 * The channel's slow path is registered with the rig's struct vmm, whose
 * run loop serves and counts the IDE exits.
 */
#ifndef _VMM_IDE_VM_H
#define _VMM_IDE_VM_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include "kvm_util.h"
#include "processor.h"
#include "apic.h"
#include "ucall_common.h"

#include <libkvmaccel.h>
#include "ide/ide.h"
#include "ide/ide_slowpath.h"
#include "guest.h"
#include "irq.h"
#include "vmm.h"

#define IDE_OBJ			"bpf/devices/ide/ide.bpf.o"

#define IDE_STATUS_PORT		(IDE_CMD_BASE + ATA_REG_STATUS)
#define IDE_ALT_PORT		IDE_CTL_BASE

/* Interrupt delivery in the guest: IOAPIC pin IDE_IRQ to this vector. */
#define IDE_VECTOR		0x2e
#define IDE_APIC_LVT0		0x350	/* KVM leaves it ExtINT on the BSP: the PIC */

/* The disk the tests configure: LBA48 addresses above 2^28 exist. */
#define IDE_TEST_SECTORS	((1ULL << 28) + 8192)
#define IDE_TEST_HIGH		(1ULL << 28)	/* first sector LBA28 cannot reach */
#define IDE_TEST_MODEL		"KVM-ACCEL TEST DISK 0123"
#define IDE_TEST_SERIAL		"KA-SERIAL-42"
#define IDE_TEST_MULTIPLE	8		/* sectors per block, SET MULTIPLE */
/* Regions filled with generation-0 data before the guest runs. */
#define IDE_TEST_FILL		4096		/* sectors at 0 and at IDE_TEST_HIGH */

#define IDE_POLL_LIMIT		100000000ULL	/* status reads before a guest gives up */
#define IDE_SYNC_READY		0xffff		/* GUEST_SYNC after ide_guest_init() */

/* ---- commands ------------------------------------------------------------ */

enum ide_kind {
	IDE_NODATA,
	IDE_IN,
	IDE_OUT,
};

/*
 * One command of a guest workload.  @count is the number of sectors for
 * data commands (256 and 65536 are written to the registers as 0), the
 * sector count register for others.  @error is the error register the
 * command must end with (0: success).
 */
struct ide_step {
	const char *name;
	__u8 cmd;
	__u8 feature;
	__u64 lba;
	__u32 count;
	__u8 error;
};

static inline bool ide_cmd_lba48(__u8 cmd)
{
	return cmd == ATA_CMD_READ_SECTORS_EXT || cmd == ATA_CMD_WRITE_SECTORS_EXT ||
	       cmd == ATA_CMD_READ_MULTIPLE_EXT || cmd == ATA_CMD_WRITE_MULTIPLE_EXT ||
	       cmd == ATA_CMD_FLUSH_CACHE_EXT;
}

static inline bool ide_cmd_multiple(__u8 cmd)
{
	return cmd == ATA_CMD_READ_MULTIPLE || cmd == ATA_CMD_READ_MULTIPLE_EXT ||
	       cmd == ATA_CMD_WRITE_MULTIPLE || cmd == ATA_CMD_WRITE_MULTIPLE_EXT;
}

static inline enum ide_kind ide_cmd_kind(__u8 cmd)
{
	switch (cmd) {
	case ATA_CMD_IDENTIFY:
	case ATA_CMD_READ_SECTORS:
	case ATA_CMD_READ_SECTORS_EXT:
	case ATA_CMD_READ_MULTIPLE:
	case ATA_CMD_READ_MULTIPLE_EXT:
	case 0xc8:	/* READ DMA: not supported, must abort */
		return IDE_IN;
	case ATA_CMD_WRITE_SECTORS:
	case ATA_CMD_WRITE_SECTORS_EXT:
	case ATA_CMD_WRITE_MULTIPLE:
	case ATA_CMD_WRITE_MULTIPLE_EXT:
		return IDE_OUT;
	default:
		return IDE_NODATA;
	}
}

/* Byte @off of sector @lba as written by generation @gen (0: the initial image). */
static inline __u8 ide_pattern(__u64 gen, __u64 lba, __u32 off)
{
	return (__u8)(lba * 0x9d + (lba >> 8) * 0x3b + (lba >> 24) * 0x17 +
		      off * 0x2b + (off >> 8) * 0x61 + gen * 0x45 + 0x11);
}

/* ---- guest side ---------------------------------------------------------- */

/* Set by the host before the guest runs. */
static bool ide_guest_irq_mode;

/* The guest's data buffer: one chunk (256 sectors). */
static __u8 ide_gbuf[IDE_BUF_SIZE] __aligned(4096);

static volatile __u64 ide_guest_irqs;		/* interrupts taken */
static volatile __u8 ide_guest_isr_status;	/* status the handler read */
static __u64 ide_guest_hash = 0xcbf29ce484222325ULL;
static __u32 ide_guest_mult;			/* the multiple count set */

static inline void ide_log(__u64 val)
{
	ide_guest_hash = (ide_guest_hash ^ val) * 0x100000001b3ULL;
}

static inline void ide_log_buf(const __u8 *buf, __u32 len)
{
	__u32 i;

	for (i = 0; i < len; i += 8)
		ide_log(*(const __u64 *)(buf + i));
}

/* Port accesses of the guest: @len bytes at @port. */
#define ide_in(port, len)	accel_guest_read(KVM_ACCEL_BUS_PIO, port, len)
#define ide_out(port, len, v)	accel_guest_write(KVM_ACCEL_BUS_PIO, port, len, v)

static inline __u8 ide_inb(__u16 port)
{
	return ide_in(port, 1);
}

/* rep ins / rep outs of @n elements of @size (2 or 4) bytes. */
static inline void ide_ins(__u16 port, void *buf, __u64 n, __u32 size)
{
	if (size == 4)
		asm volatile("rep insl" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
	else
		asm volatile("rep insw" : "+D"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline void ide_outs(__u16 port, const void *buf, __u64 n, __u32 size)
{
	if (size == 4)
		asm volatile("rep outsl" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
	else
		asm volatile("rep outsw" : "+S"(buf), "+c"(n) : "d"(port) : "memory");
}

static inline void ide_reg_out(__u32 reg, __u8 v)
{
	ide_out(IDE_CMD_BASE + reg, 1, v);
}

static inline __u8 ide_reg_in(__u32 reg)
{
	return ide_inb(IDE_CMD_BASE + reg);
}

/* The handler of IRQ 14: acknowledge by reading the status register. */
static inline void ide_guest_isr(struct ex_regs *regs)
{
	ide_guest_isr_status = ide_inb(IDE_STATUS_PORT);
	ide_guest_irqs++;
	xapic_write_reg(APIC_EOI, 0);
}

/*
 * Polling: nIEN set.  Interrupts: IOAPIC pin 14 to IDE_VECTOR on this CPU
 * (edge, active high), nIEN clear; LINT0 masked, or the in-kernel PIC
 * (which gets IRQ 14 too, and was never programmed) would deliver it as
 * well.  Interrupts stay disabled (IF=0) except while the guest halts
 * waiting for one.
 */
static inline void ide_guest_init(void)
{
	if (!ide_guest_irq_mode) {
		ide_out(IDE_CTL_BASE, 1, ATA_DEVCTL_NIEN);
		return;
	}
	xapic_enable();
	xapic_write_reg(IDE_APIC_LVT0, APIC_LVT_MASKED);
	ioapic_route(IDE_IRQ, IDE_VECTOR, false, 0);
	ide_out(IDE_CTL_BASE, 1, 0);
}

/* Poll @port until BSY clears (the alternate status does not acknowledge). */
static inline __u8 ide_guest_poll(__u16 port)
{
	__u64 i;
	__u8 st;

	for (i = 0; i < IDE_POLL_LIMIT; i++) {
		st = ide_inb(port);
		if (!(st & ATA_BSY))
			return st;
	}
	GUEST_FAIL("BSY did not clear: status %#x", st);
	return st;
}

static inline __u8 ide_guest_poll_alt(void)
{
	return ide_guest_poll(IDE_ALT_PORT);
}

/*
 * Wait for the device to finish a command or a block: poll the status
 * register (after the alternate status, the customary 400 ns delay), or
 * wait for the next interrupt and take the status its handler read.
 */
static inline __u8 ide_guest_wait(void)
{
	__u64 seen = ide_guest_irqs, i;

	if (ide_guest_irq_mode) {
		for (i = 0; ide_guest_irqs == seen; i++) {
			GUEST_ASSERT(i < IDE_POLL_LIMIT);
			asm volatile("sti; hlt; cli" ::: "memory");
		}
		return ide_guest_isr_status;
	}
	ide_inb(IDE_ALT_PORT);
	return ide_guest_poll(IDE_STATUS_PORT);
}

/* Write the taskfile for @cmd and issue it, on drive 0. */
static inline void ide_guest_issue(__u8 cmd, __u8 feature, __u64 lba, __u32 count)
{
	if (ide_cmd_lba48(cmd)) {
		/* Previous (HOB) bytes first: each write pushes the last one back. */
		ide_reg_out(ATA_REG_FEATURE, 0);
		ide_reg_out(ATA_REG_NSECT, count >> 8);
		ide_reg_out(ATA_REG_LBAL, lba >> 24);
		ide_reg_out(ATA_REG_LBAM, lba >> 32);
		ide_reg_out(ATA_REG_LBAH, lba >> 40);
		ide_reg_out(ATA_REG_FEATURE, feature);
		ide_reg_out(ATA_REG_NSECT, count);
		ide_reg_out(ATA_REG_LBAL, lba);
		ide_reg_out(ATA_REG_LBAM, lba >> 8);
		ide_reg_out(ATA_REG_LBAH, lba >> 16);
		ide_reg_out(ATA_REG_DEVICE, ATA_DEV_LBA);
	} else {
		ide_reg_out(ATA_REG_FEATURE, feature);
		ide_reg_out(ATA_REG_NSECT, count);
		ide_reg_out(ATA_REG_LBAL, lba);
		ide_reg_out(ATA_REG_LBAM, lba >> 8);
		ide_reg_out(ATA_REG_LBAH, lba >> 16);
		ide_reg_out(ATA_REG_DEVICE, 0xa0 | ATA_DEV_LBA | ((lba >> 24) & ATA_DEV_HEAD));
	}
	ide_reg_out(ATA_REG_CMD, cmd);
}

/* Where block data for sector @done of a command goes: the buffer wraps. */
static inline __u8 *ide_guest_chunk(__u32 done)
{
	return ide_gbuf + (done % IDE_BUF_SECTORS) * ATA_SECTOR_SIZE;
}

/*
 * PIO data-in: an interrupt (or BSY clearing) before every block of
 * @block sectors, then the block through the data port.  @dwords: 32-bit
 * transfers.  Returns the last status, ERR included if the command failed.
 */
static inline __u8 ide_guest_pio_in(__u8 cmd, __u64 lba, __u32 count, __u32 block,
				    bool dwords)
{
	__u32 done, n;
	__u8 st = 0;

	ide_guest_issue(cmd, 0, lba, count);
	for (done = 0; done < count; done += n) {
		st = ide_guest_wait();
		ide_log(st);
		if (st & ATA_ERR)
			return st;
		GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ), ATA_DRQ);
		n = count - done < block ? count - done : block;
		ide_ins(IDE_CMD_BASE, ide_guest_chunk(done),
			n * ATA_SECTOR_SIZE / (dwords ? 4 : 2), dwords ? 4 : 2);
		ide_log_buf(ide_guest_chunk(done), n * ATA_SECTOR_SIZE);
	}
	/* No interrupt after the last block of a data-in command. */
	return ide_inb(IDE_ALT_PORT);
}

/* Sectors [@done, @done + @n) of a write of generation @gen at @lba into the buffer. */
static inline void ide_guest_fill(__u64 gen, __u64 lba, __u32 done, __u32 n)
{
	__u8 *p = ide_guest_chunk(done);
	__u32 s, i;

	for (s = 0; s < n; s++)
		for (i = 0; i < ATA_SECTOR_SIZE; i++)
			p[s * ATA_SECTOR_SIZE + i] = ide_pattern(gen, lba + done + s, i);
}

/*
 * PIO data-out of generation @gen: DRQ for the first block without an
 * interrupt, then an interrupt (or BSY clearing) after every block, the
 * last one included.
 */
static inline __u8 ide_guest_pio_out(__u8 cmd, __u64 lba, __u32 count, __u32 block,
				     bool dwords, __u64 gen)
{
	__u32 done, n;
	__u8 st;

	ide_guest_issue(cmd, 0, lba, count);
	st = ide_guest_poll_alt();
	for (done = 0; done < count; done += n) {
		ide_log(st);
		if (st & ATA_ERR)
			return st;
		GUEST_ASSERT_EQ(st & (ATA_BSY | ATA_DRQ), ATA_DRQ);
		n = count - done < block ? count - done : block;
		ide_guest_fill(gen, lba, done, n);
		ide_outs(IDE_CMD_BASE, ide_guest_chunk(done),
			 n * ATA_SECTOR_SIZE / (dwords ? 4 : 2), dwords ? 4 : 2);
		st = ide_guest_wait();
	}
	return st;
}

/*
 * Run one command, then report it: GUEST_SYNC_ARGS(@idx, hash of all read
 * so far, status, error, interrupts taken).  Writes store generation @idx + 1.
 */
static inline void ide_guest_step(const struct ide_step *s, __u64 idx, bool dwords)
{
	__u32 block = ide_cmd_multiple(s->cmd) && ide_guest_mult ? ide_guest_mult : 1;
	__u8 st, err;

	switch (ide_cmd_kind(s->cmd)) {
	case IDE_IN:
		st = ide_guest_pio_in(s->cmd, s->lba, s->count, block, dwords);
		break;
	case IDE_OUT:
		st = ide_guest_pio_out(s->cmd, s->lba, s->count, block, dwords, idx + 1);
		break;
	default:
		ide_guest_issue(s->cmd, s->feature, s->lba, s->count);
		st = ide_guest_wait();
		break;
	}
	err = ide_reg_in(ATA_REG_ERROR);
	ide_log(st);
	ide_log(err);
	if (s->cmd == ATA_CMD_SET_MULTIPLE && !(st & ATA_ERR))
		ide_guest_mult = s->count;
	GUEST_SYNC_ARGS(idx, ide_guest_hash, st, err, ide_guest_irqs);
}

/*
 * A whole workload: set the channel up, report IDE_SYNC_READY, then run
 * and report each of the @n steps, and finish with GUEST_DONE().
 */
static inline void ide_guest_run(const struct ide_step *steps, __u64 n)
{
	__u64 i;

	ide_guest_init();
	GUEST_SYNC(IDE_SYNC_READY);
	for (i = 0; i < n; i++)
		ide_guest_step(&steps[i], i, false);
	GUEST_DONE();
}

/* ---- VMM side ------------------------------------------------------------ */

#define IDE_MAX_VCPUS		8

struct ide_rig {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpus[IDE_MAX_VCPUS];
	__u32 nr_vcpus;
	bool accel;		/* fast path attached */
	bool irq_mode;		/* guest takes interrupts */
	bool doorbell;		/* service thread on the doorbell eventfd */
	struct kvm_accel_dev *dev;	/* both ranges: ide_cmd, ide_ctl */
	__u32 cmd_link, ctl_link;
	struct ide_regfile *regs;
	struct ide *ide;
	struct vmm vmm;		/* the channel's two ranges */
	int img_fd;
	int irq_fd;		/* irqfd on GSI IDE_IRQ */
	int doorbell_fd;
	int stop_fd;
	pthread_t service;
};

static inline void *ide_service_thread(void *arg)
{
	struct ide_rig *rig = arg;
	struct pollfd fds[2] = {
		{ .fd = rig->doorbell_fd, .events = POLLIN },
		{ .fd = rig->stop_fd, .events = POLLIN },
	};
	__u64 n;

	for (;;) {
		TEST_ASSERT(poll(fds, 2, -1) > 0 || errno == EINTR, "poll: %s",
			    strerror(errno));
		if (fds[1].revents)
			return NULL;
		if (fds[0].revents && read(rig->doorbell_fd, &n, sizeof(n)) == sizeof(n))
			TEST_ASSERT(ide_service(rig->ide) >= 0, "ide_service failed");
	}
}

/*
 * A sparse image of @sectors on tmpfs, generation 0 in the fill regions
 * (the first IDE_TEST_FILL sectors, or all of a smaller image, and
 * IDE_TEST_FILL sectors at IDE_TEST_HIGH if the image reaches that far).
 */
static inline int ide_image_create(__u64 sectors)
{
	char path[] = "/tmp/ide-test-XXXXXX";
	__u8 *buf = malloc(IDE_TEST_FILL * ATA_SECTOR_SIZE);
	__u64 base, s, n;
	__u32 i;
	int fd;

	TEST_ASSERT(buf, "malloc");
	fd = mkstemp(path);
	TEST_ASSERT(fd >= 0, "mkstemp: %s", strerror(errno));
	unlink(path);
	TEST_ASSERT(!ftruncate(fd, sectors * ATA_SECTOR_SIZE), "ftruncate: %s",
		    strerror(errno));
	for (base = 0; base <= IDE_TEST_HIGH; base += IDE_TEST_HIGH) {
		if (base && base + IDE_TEST_FILL > sectors)
			break;
		n = sectors - base < IDE_TEST_FILL ? sectors - base : IDE_TEST_FILL;
		for (s = 0; s < n; s++)
			for (i = 0; i < ATA_SECTOR_SIZE; i++)
				buf[s * ATA_SECTOR_SIZE + i] = ide_pattern(0, base + s, i);
		TEST_ASSERT(pwrite(fd, buf, n * ATA_SECTOR_SIZE, base * ATA_SECTOR_SIZE) ==
			    (ssize_t)(n * ATA_SECTOR_SIZE), "filling the image");
	}
	free(buf);
	return fd;
}

/* How ide_rig_create_opts() sets the channel up. */
struct ide_rig_opts {
	bool accel;		/* attach the fast path */
	bool irq_mode;		/* the guest takes interrupts */
	bool doorbell;		/* buffers serviced without waiting for an exit */
	bool plain_irq;		/* INTRQ is a plain eventfd, not a KVM irqfd */
	__u64 sectors;		/* image size; 0: IDE_TEST_SECTORS */
};

/*
 * The VM and its IDE channel.  @accel: attach the fast path (both ranges,
 * one register file); else the slow path has a register file of its own
 * and is the whole device.  @irq_mode: the guest takes interrupts.
 * @doorbell: with @accel a thread services the buffer on the doorbell; the
 * slow path alone services it at once.  @plain_irq: rig->irq_fd counts the
 * INTRQ pulses instead of injecting them.
 */
static inline void ide_rig_create_opts(struct ide_rig *rig, void *guest_code, __u32 nr_vcpus,
				       const struct ide_rig_opts *opts)
{
	struct ide_config cfg = IDE_CONFIG_INIT;
	bool accel = opts->accel;
	int eventfds[2];
	__u32 i;
	int ret;

	TEST_REQUIRE(kvm_accel_module_loaded());
	TEST_ASSERT(nr_vcpus && nr_vcpus <= IDE_MAX_VCPUS, "%u vCPUs", nr_vcpus);
	memset(rig, 0, sizeof(*rig));
	rig->nr_vcpus = nr_vcpus;
	rig->accel = accel;
	rig->irq_mode = opts->irq_mode;
	rig->doorbell = accel && opts->doorbell;
	rig->doorbell_fd = -1;
	rig->stop_fd = -1;

	rig->vm = vm_create_with_vcpus(nr_vcpus, guest_code, rig->vcpus);
	virt_pg_map(rig->vm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);
	virt_pg_map(rig->vm, IOAPIC_GPA, IOAPIC_GPA);
	vm_install_exception_handler(rig->vm, IDE_VECTOR, ide_guest_isr);
	ide_guest_irq_mode = opts->irq_mode;
	sync_global_to_guest(rig->vm, ide_guest_irq_mode);

	rig->img_fd = ide_image_create(opts->sectors ?: IDE_TEST_SECTORS);
	rig->irq_fd = vmm_eventfd(0);
	TEST_ASSERT(rig->irq_fd >= 0, "eventfd: %s", strerror(-rig->irq_fd));
	if (!opts->plain_irq) {
		ret = vmm_irqfd(rig->vm->fd, IDE_IRQ, rig->irq_fd, true);
		TEST_ASSERT(!ret, "KVM_IRQFD: %s", strerror(-ret));
	}

	if (accel) {
		struct kvm_accel_map_opts maps[] = {
			{ .name = IDE_CMD_MAP }, { .name = IDE_CTL_MAP },
		};
		KVM_ACCEL_ATTACH_OPTS(aopts, .maps = maps, .nr_maps = 2,
				      .eventfds = eventfds, .nr_eventfds = 1);

		eventfds[0] = rig->irq_fd;
		if (rig->doorbell) {
			rig->doorbell_fd = vmm_eventfd(EFD_NONBLOCK);
			rig->stop_fd = vmm_eventfd(0);
			TEST_ASSERT(rig->doorbell_fd >= 0 && rig->stop_fd >= 0,
				    "eventfd: %s", strerror(-rig->doorbell_fd));
			eventfds[1] = rig->doorbell_fd;
			aopts.nr_eventfds = 2;
		}
		/* One object, one register file behind both attachments. */
		rig->dev = accel_attach_obj(rig->vm, IDE_OBJ, &aopts,
					    (void **)&rig->regs, sizeof(*rig->regs));
		rig->cmd_link = accel_link_id(rig->dev);
		ret = kvm_accel_link_id_at(rig->dev, 1);
		TEST_ASSERT(ret > 0, "link id of %s: %s", IDE_CTL_MAP, strerror(-ret));
		rig->ctl_link = ret;
	}

	cfg.drive[0] = (struct ide_drive_config) {
		.fd = rig->img_fd,
		.model = IDE_TEST_MODEL,
		.serial = IDE_TEST_SERIAL,
	};
	cfg.irq_fd = rig->irq_fd;
	cfg.doorbell = opts->doorbell;
	ret = ide_create(&cfg, rig->regs, &rig->ide);
	TEST_ASSERT(!ret, "ide_create: %s", strerror(-ret));
	rig->regs = ide_regs(rig->ide);
	ide_vmm_register(&rig->vmm, rig->ide);

	if (rig->doorbell)
		TEST_ASSERT(!pthread_create(&rig->service, NULL, ide_service_thread, rig),
			    "pthread_create");
	for (i = 0; i < nr_vcpus; i++)
		vcpu_args_set(rig->vcpus[i], 1, (__u64)i);
}

static inline void ide_rig_create(struct ide_rig *rig, void *guest_code, __u32 nr_vcpus,
				  bool accel, bool irq_mode, bool doorbell)
{
	struct ide_rig_opts opts = {
		.accel = accel,
		.irq_mode = irq_mode,
		.doorbell = doorbell,
	};

	ide_rig_create_opts(rig, guest_code, nr_vcpus, &opts);
}

static inline void ide_rig_destroy(struct ide_rig *rig)
{
	__u64 one = 1;

	if (rig->doorbell) {
		TEST_ASSERT(write(rig->stop_fd, &one, sizeof(one)) == sizeof(one),
			    "stopping the service thread");
		pthread_join(rig->service, NULL);
		close(rig->doorbell_fd);
		close(rig->stop_fd);
	}
	ide_destroy(rig->ide);
	kvm_accel_detach(rig->dev);
	kvm_vm_free(rig->vm);
	close(rig->irq_fd);
	close(rig->img_fd);
}

/*
 * Run vCPU @vcpu until its next ucall, serving IDE exits (several vCPUs
 * may run at once: ide_io() locks).  Any other exit fails the test.
 */
static inline __u64 ide_rig_run(struct ide_rig *rig, struct kvm_vcpu *vcpu, struct ucall *uc)
{
	return vmm_run(&rig->vmm, vcpu, uc);
}

/* IDE accesses that reached userspace. */
static inline __u64 ide_rig_exits(struct ide_rig *rig)
{
	return vmm_device_exits(&rig->vmm.devices[0]) +
	       vmm_device_exits(&rig->vmm.devices[1]);
}

/* Of which reached past the end of a range. */
static inline __u64 ide_rig_straddles(struct ide_rig *rig)
{
	return vmm_device_straddles(&rig->vmm.devices[0]) +
	       vmm_device_straddles(&rig->vmm.devices[1]);
}

/*
 * Exits the module counted on both attachments, plus the accesses no
 * attachment could contain: with the fast path, all that reached userspace.
 */
static inline __u64 ide_rig_module_exits(struct ide_rig *rig)
{
	if (!rig->accel)
		return 0;
	return accel_counters(rig->cmd_link).exits + accel_counters(rig->ctl_link).exits +
	       ide_rig_straddles(rig);
}

/* The guest's data buffer, seen from the host. */
static inline __u8 *ide_rig_gbuf(struct ide_rig *rig)
{
	return addr_gva2hva(rig->vm, (vm_vaddr_t)ide_gbuf);
}

/* A 16-bit IDENTIFY word from the guest's buffer. */
static inline __u16 ide_id_word(const __u8 *id, unsigned int w)
{
	return id[2 * w] | id[2 * w + 1] << 8;
}

/* Characters @i of an IDENTIFY string starting at word @w. */
static inline char ide_id_char(const __u8 *id, unsigned int w, unsigned int i)
{
	return id[2 * w + (i ^ 1)];
}

/* Whether the image holds what @buf says at sectors [@lba, @lba + @count). */
static inline bool ide_image_equals(int fd, __u64 lba, __u32 count, const __u8 *buf)
{
	size_t len = (size_t)count * ATA_SECTOR_SIZE;
	__u8 *img = malloc(len);
	bool eq;

	TEST_ASSERT(img, "malloc");
	TEST_ASSERT(pread(fd, img, len, lba * ATA_SECTOR_SIZE) == (ssize_t)len,
		    "reading the image back");
	eq = !memcmp(img, buf, len);
	free(img);
	return eq;
}

/* Whether the image holds generation @gen at sectors [@lba, @lba + @count). */
static inline bool ide_image_has(int fd, __u64 gen, __u64 lba, __u32 count)
{
	size_t len = (size_t)count * ATA_SECTOR_SIZE;
	__u8 *want = malloc(len);
	__u32 s, i;
	bool eq;

	TEST_ASSERT(want, "malloc");
	for (s = 0; s < count; s++)
		for (i = 0; i < ATA_SECTOR_SIZE; i++)
			want[s * ATA_SECTOR_SIZE + i] = ide_pattern(gen, lba + s, i);
	eq = ide_image_equals(fd, lba, count, want);
	free(want);
	return eq;
}

#endif /* _VMM_IDE_VM_H */
