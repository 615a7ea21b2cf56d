/*
 * IDE workload: a guest PIO driver (vmm/ide_vm.h: rep insw /
 * rep outsw) reads 1 MiB and writes 1 MiB, in LBA28 commands of 256
 * sectors and as single LBA48 commands of 2048 sectors, three ways:
 *
 *   userspace       the slow path alone, polling driver (nIEN=1); only the
 *                   LBA28 commands (the LBA48 ones exit just as often and
 *                   would double the run time)
 *   accel           the IDE fast path attached, polling driver
 *   accel+doorbell  the fast path, an interrupt-driven driver, and the VMM
 *                   refilling or draining the transfer buffer from the
 *                   doorbell eventfd instead of at an exit
 *
 * For each workload: commands, exits to this VMM (total and the most any
 * one command took) and time (CLOCK_MONOTONIC of the test VM; under
 * -icount shift=0,sleep=off, instructions).
 *
 * The runs must read the same data (the guest hashes everything it reads,
 * compared after every command they share) and leave what the guest wrote
 * in the image.
 *
 * Output: one JSON document on stdout.  Usage: ide_bench [-m MODE]
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "ide_vm.h"

#define MIB_SECTORS	2048	/* 1 MiB */

/* The LBA28 steps come first: every run does those, in this order. */
static const struct ide_step steps[] = {
#define R8(i)	{ "READ SECTORS 256", ATA_CMD_READ_SECTORS, 0, (i) * 256, 256 }
#define W8(i)	{ "WRITE SECTORS 256", ATA_CMD_WRITE_SECTORS, 0, (i) * 256, 256 }
	R8(0), R8(1), R8(2), R8(3), R8(4), R8(5), R8(6), R8(7),
	W8(0), W8(1), W8(2), W8(3), W8(4), W8(5), W8(6), W8(7),
	{ "READ SECTORS EXT 2048", ATA_CMD_READ_SECTORS_EXT, 0, 0, MIB_SECTORS },
	{ "WRITE SECTORS EXT 2048", ATA_CMD_WRITE_SECTORS_EXT, 0, 0, MIB_SECTORS },
#undef R8
#undef W8
};

#define NR_STEPS	ARRAY_SIZE(steps)
#define NR_LBA28	16

/* The workloads: runs of consecutive steps. */
static const struct workload {
	const char *name;
	const char *dir;
	__u32 first, count;
} workloads[] = {
	{ "read 1 MiB, 8 x READ SECTORS 256", "read", 0, 8 },
	{ "write 1 MiB, 8 x WRITE SECTORS 256", "write", 8, 8 },
	{ "read 1 MiB, 1 x READ SECTORS EXT 2048", "read", 16, 1 },
	{ "write 1 MiB, 1 x WRITE SECTORS EXT 2048", "write", 17, 1 },
};

enum { RUN_USER, RUN_ACCEL, RUN_DOORBELL, NR_RUNS };

static const struct run_kind {
	const char *key;
	bool accel, irq, doorbell;
	__u32 nr_steps;
} runs[NR_RUNS] = {
	{ "userspace", false, false, false, NR_LBA28 },
	{ "accel", true, false, false, NR_STEPS },
	{ "accel_doorbell", true, true, true, NR_STEPS },
};

struct step_result {
	__u64 exits;
	__u64 hash;
	double ns;
};

/* Set by the host: how many of steps[] the guest runs. */
static __u64 bench_nr_steps;

static void guest_code(__u64 vcpu)
{
	ide_guest_run(steps, bench_nr_steps);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void run(struct step_result *res, const struct run_kind *k)
{
	struct ide_rig rig;
	struct ucall uc;
	__u64 before;
	double t;
	__u32 i;

	ide_rig_create(&rig, guest_code, 1, k->accel, k->irq, k->doorbell);
	bench_nr_steps = k->nr_steps;
	sync_global_to_guest(rig.vm, bench_nr_steps);
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[1], IDE_SYNC_READY);
	for (i = 0; i < k->nr_steps; i++) {
		before = ide_rig_exits(&rig);
		t = now_ns();
		TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_SYNC);
		res[i].ns = now_ns() - t;
		res[i].exits = ide_rig_exits(&rig) - before;
		res[i].hash = uc.args[2];
		TEST_ASSERT_EQ(uc.args[1], i);
		TEST_ASSERT(!(uc.args[3] & ATA_ERR), "%s: %s failed: status %#lx error %#lx",
			    k->key, steps[i].name, uc.args[3], uc.args[4]);
	}
	TEST_ASSERT_EQ(ide_rig_run(&rig, rig.vcpus[0], &uc), UCALL_DONE);
	/* Step i writes generation i + 1 (ide_guest_step()); the last one stays. */
	for (i = 0; i < MIB_SECTORS / 256; i++)
		TEST_ASSERT(ide_image_has(rig.img_fd, k->nr_steps == NR_STEPS ? NR_STEPS : 9 + i,
					  i * 256, 256),
			    "%s: sectors %u-%u do not hold what the guest wrote", k->key,
			    i * 256, i * 256 + 255);
	ide_rig_destroy(&rig);
}

static void json_side(const char *key, const struct step_result *res,
		      const struct workload *w)
{
	__u64 exits = 0, max = 0;
	double ns = 0;
	__u32 i;

	for (i = w->first; i < w->first + w->count; i++) {
		exits += res[i].exits;
		max = res[i].exits > max ? res[i].exits : max;
		ns += res[i].ns;
	}
	printf("\"%s\": {\"exits\": %llu, \"max_exits_per_command\": %llu, "
	       "\"ns\": %.0f}", key, exits, max, ns);
}

int main(int argc, char **argv)
{
	static struct step_result res[NR_RUNS][NR_STEPS];
	const char *mode = "unknown";
	__u32 i, r;
	int opt;

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt != 'm') {
			fprintf(stderr, "usage: %s [-m MODE]\n", argv[0]);
			return 2;
		}
		mode = optarg;
	}

	for (r = 0; r < NR_RUNS; r++)
		run(res[r], &runs[r]);
	for (r = 1; r < NR_RUNS; r++)
		for (i = 0; i < (r == RUN_DOORBELL ? NR_STEPS : NR_LBA28); i++)
			TEST_ASSERT(res[r][i].hash == res[r == RUN_DOORBELL ? RUN_ACCEL : RUN_USER][i].hash,
				    "%s, %s: the guest read different data", runs[r].key,
				    steps[i].name);

	printf("{\n  \"benchmark\": \"ide\", \"mode\": \"%s\", \"bytes\": %d,\n"
	       "  \"workloads\": [", mode, MIB_SECTORS * ATA_SECTOR_SIZE);
	for (i = 0; i < ARRAY_SIZE(workloads); i++) {
		printf("%s\n    {\"name\": \"%s\", \"dir\": \"%s\", \"commands\": %u",
		       i ? "," : "", workloads[i].name, workloads[i].dir,
		       workloads[i].count);
		for (r = 0; r < NR_RUNS; r++) {
			if (workloads[i].first + workloads[i].count > runs[r].nr_steps)
				continue;
			printf(", ");
			json_side(runs[r].key, res[r], &workloads[i]);
		}
		printf("}");
	}
	printf("\n  ]\n}\n");
	return 0;
}
