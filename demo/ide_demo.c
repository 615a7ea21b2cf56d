// SPDX-License-Identifier: GPL-2.0
/*
 * IDE demo: a guest PIO disk driver (polling, nIEN=1) identifies the disk,
 * reads 64 KiB with READ MULTIPLE and with READ SECTORS, writes 8 KiB and
 * flushes, once against the userspace slow path alone and once with the
 * IDE fast path (devices/ide/ide.bpf.o) attached.  For each command it
 * prints the accesses that exited to this VMM and the time the command
 * took (CLOCK_MONOTONIC of the test VM: under -icount shift=0,sleep=off,
 * instructions).
 */
#include <stdio.h>
#include <time.h>

#include "ide_vm.h"

static const struct ide_step steps[] = {
	{ "IDENTIFY DEVICE", ATA_CMD_IDENTIFY, 0, 0, 1 },
	{ "SET MULTIPLE MODE 16", ATA_CMD_SET_MULTIPLE, 0, 0, 16 },
	{ "READ MULTIPLE 128", ATA_CMD_READ_MULTIPLE, 0, 64, 128 },
	{ "READ SECTORS 128", ATA_CMD_READ_SECTORS, 0, 256, 128 },
	{ "WRITE SECTORS 16", ATA_CMD_WRITE_SECTORS, 0, 1024, 16 },
	{ "FLUSH CACHE", ATA_CMD_FLUSH_CACHE },
};

#define NR_STEPS	ARRAY_SIZE(steps)

static void guest_code(__u64 vcpu)
{
	ide_guest_run(steps, NR_STEPS);
}

struct result {
	__u64 exits[NR_STEPS];
	double ms[NR_STEPS];
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void run(struct result *res, bool accel)
{
	struct ide_rig rig;
	struct ucall uc;
	__u64 before;
	double t;
	__u32 i;

	ide_rig_create(&rig, guest_code, 1, accel, false, false);
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
	for (i = 0; i < NR_STEPS; i++) {
		before = ide_rig_exits(&rig);
		t = now_ms();
		TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
		res->ms[i] = now_ms() - t;
		res->exits[i] = ide_rig_exits(&rig) - before;
		TEST_ASSERT(!(uc.args[3] & ATA_ERR), "%s failed: status %#lx error %#lx",
			    steps[i].name, uc.args[3], uc.args[4]);
	}
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_DONE);
	ide_rig_destroy(&rig);
}

int main(void)
{
	static struct result slow, fast;
	__u64 total_slow = 0, total_fast = 0;
	__u32 i;

	run(&slow, false);
	run(&fast, true);

	printf("IDE, primary channel, PIO (polling): exits to the VMM and time per command\n");
	printf("%-22s %12s %12s %14s %14s\n", "command", "exits", "exits",
	       "ms", "ms");
	printf("%-22s %12s %12s %14s %14s\n", "", "userspace", "kvm-accel",
	       "userspace", "kvm-accel");
	for (i = 0; i < NR_STEPS; i++) {
		printf("%-22s %12llu %12llu %14.2f %14.2f\n", steps[i].name,
		       slow.exits[i], fast.exits[i], slow.ms[i], fast.ms[i]);
		total_slow += slow.exits[i];
		total_fast += fast.exits[i];
	}
	printf("%-22s %12llu %12llu\n", "total", total_slow, total_fast);
	return 0;
}
