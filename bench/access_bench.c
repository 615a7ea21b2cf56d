// SPDX-License-Identifier: GPL-2.0
/*
 * Cost per guest access, on every path a register access can take.
 *
 * One guest loop (bench_guest()) does N accesses of one kind - PIO read
 * (inb), PIO write (outb), MMIO read or MMIO write (32-bit movl) - to one
 * address, R times.  Only the VM around it changes from row to row:
 *
 *   (a) accel      demo/minimal.bpf.c attached to the address
 *   (b) device     a seed device's fast path (devices/): IDE status and
 *                  alternate status reads, a taskfile write, the HPET main
 *                  counter read and a GEN_CONF write, the MPIC WHOAMI read
 *                  and a CTPR write
 *   (c) kvm        a device KVM emulates in the kernel: the in-kernel PIC
 *                  (port 0x21), an ioeventfd, a coalesced MMIO/PIO zone (the
 *                  VMM drains the ring whenever the guest exits), the
 *                  in-kernel IOAPIC (0xfec00000)
 *   (d) userspace  no device in the kernel: every access exits to this VMM
 *   (x) breakdown  the (a) program stopped short by the bench_stage knob of
 *                  the module's benchmark build (make kmod-bench), an empty
 *                  program, and the minimal program padded
 *                  with 64 and 256 extra instructions (bench/progs/)
 *
 * The VMM times each repetition with CLOCK_MONOTONIC between the guest's
 * GUEST_SYNCs.  Under QEMU with -icount shift=0,sleep=off (KA_ICOUNT=1) the
 * test VM's clock advances one nanosecond per instruction it executes, so
 * a cost is then instructions per access and repeatable.  The cost of the
 * same loop over guest RAM is subtracted, so a cost is what the access adds
 * over a plain memory access.  A row's cost is the median of its
 * repetitions; min and max are reported too.
 *
 * Output: one JSON document on stdout; progress on stderr.
 *
 * Usage: access_bench [-n ACCESSES] [-r REPETITIONS] [-m MODE] [-f FILTER]
 *   MODE is a label stored in the output ("icount", "wall", "native").
 *   FILTER: only rows whose name contains it (development).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "ide_vm.h"
#include "hpet_vm.h"
#include "mpic_vm.h"

#define BENCH_PIO_PORT		0x3f0
#define BENCH_MMIO_GPA		0xd0000000ULL
#define KVM_PIC_PORT		0x21		/* in-kernel 8259 master, IMR */
#define KVM_IOAPIC_GPA		0xfec00000ULL	/* in-kernel IOAPIC, IOREGSEL */
#define BENCH_STAGE_PARAM	"/sys/module/kvm_accel/parameters/bench_stage"
#define BENCH_MAX_REPS		32

enum bench_op { OP_PIO_READ, OP_PIO_WRITE, OP_MMIO_READ, OP_MMIO_WRITE, NR_OPS };

static const char *const op_names[NR_OPS] = {
	"pio_read", "pio_write", "mmio_read", "mmio_write",
};

/* ---- guest side ---------------------------------------------------------- */

static volatile uint32_t bench_ram;

/*
 * The loops are assembly so that every row runs the same three
 * instructions per access: the access, dec, jnz.  @n > 0.
 */
static void loop_inb(uint64_t port, uint64_t n)
{
	asm volatile("1: inb %%dx, %%al\n\tdec %%rcx\n\tjnz 1b"
		     : "+c"(n) : "d"(port) : "rax", "memory");
}

static void loop_outb(uint64_t port, uint64_t n)
{
	asm volatile("1: outb %%al, %%dx\n\tdec %%rcx\n\tjnz 1b"
		     : "+c"(n) : "d"(port), "a"(0) : "memory");
}

static void loop_readl(uint64_t addr, uint64_t n)
{
	asm volatile("1: movl (%%rdi), %%eax\n\tdec %%rcx\n\tjnz 1b"
		     : "+c"(n) : "D"(addr) : "rax", "memory");
}

static void loop_writel(uint64_t addr, uint64_t val, uint64_t n)
{
	asm volatile("1: movl %%eax, (%%rdi)\n\tdec %%rcx\n\tjnz 1b"
		     : "+c"(n) : "D"(addr), "a"(val) : "memory");
}

/*
 * @reps times: GUEST_SYNC(rep), then @n accesses of kind @op at @addr (0:
 * guest RAM, the baseline).  First, if @pre_addr, one 32-bit MMIO write of
 * @pre_val there (what a device needs before the loop).  MMIO writes store
 * @pre_val too.
 */
static void bench_guest(uint64_t op, uint64_t addr, uint64_t n, uint64_t reps,
			uint64_t pre_addr, uint64_t pre_val)
{
	uint64_t r;

	if (!addr)
		addr = (uint64_t)&bench_ram;
	if (pre_addr)
		*(volatile uint32_t *)pre_addr = pre_val;
	for (r = 0; r < reps; r++) {
		GUEST_SYNC(r);
		switch (op) {
		case OP_PIO_READ:
			loop_inb(addr, n);
			break;
		case OP_PIO_WRITE:
			loop_outb(addr, n);
			break;
		case OP_MMIO_READ:
			loop_readl(addr, n);
			break;
		case OP_MMIO_WRITE:
			loop_writel(addr, pre_val, n);
			break;
		}
	}
	GUEST_SYNC(reps);
	GUEST_DONE();
}

/* ---- VMM side ------------------------------------------------------------ */

enum bench_setup {
	SETUP_PLAIN,		/* nothing: userspace exit, or a KVM device */
	SETUP_ACCEL,		/* a program of bench/progs or demo/ */
	SETUP_IOEVENTFD,
	SETUP_COALESCED,
	SETUP_IDE,
	SETUP_HPET,
	SETUP_MPIC,
};

struct bench_row {
	enum bench_op op;
	const char *cls;	/* accel, device, kvm, userspace, breakdown, loop */
	const char *name;
	enum bench_setup setup;
	uint64_t addr;		/* 0: guest RAM */
	const char *obj;	/* SETUP_ACCEL: object under $KA_BUILD/bpf */
	const char *map;	/* SETUP_ACCEL: map name, NULL for the only one */
	int stage;		/* kvm_accel bench_stage while it runs */
	uint64_t pre_addr, pre_val;
	/* results */
	uint64_t exits;		/* accesses that reached this VMM, all reps */
	double cost, cost_min, cost_max;	/* per access, baseline removed */
	double raw;		/* per access, median, baseline included */
};

#define MINIMAL	"bpf/demo/minimal.bpf.o"
#define EMPTY	"bpf/bench/progs/empty.bpf.o"
#define PAD	"bpf/bench/progs/pad.bpf.o"
#define HPET_CNT	(HPET_MMIO_BASE + HPET_MAIN_CNT)
#define HPET_CONF	(HPET_MMIO_BASE + HPET_GEN_CONF)

#define ROW(_op, _cls, _name, _setup, _addr, ...)			\
	{ .op = (_op), .cls = (_cls), .name = (_name), .setup = (_setup),	\
	  .addr = (_addr), __VA_ARGS__ }

/* The breakdown rows of one op, at the (a) row's address. */
#define BREAKDOWN(_op, _addr)						\
	ROW(_op, "breakdown", "stage: io device only", SETUP_ACCEL, _addr,	\
	    .obj = MINIMAL, .stage = 1),					\
	ROW(_op, "breakdown", "stage: dispatch, no program", SETUP_ACCEL, _addr,	\
	    .obj = MINIMAL, .stage = 2),					\
	ROW(_op, "breakdown", "empty program", SETUP_ACCEL, _addr, .obj = EMPTY),	\
	ROW(_op, "breakdown", "minimal + 64 insns", SETUP_ACCEL, _addr,	\
	    .obj = PAD, .map = "pad64"),					\
	ROW(_op, "breakdown", "minimal + 256 insns", SETUP_ACCEL, _addr,	\
	    .obj = PAD, .map = "pad256")

static struct bench_row rows[] = {
	ROW(OP_MMIO_READ, "loop", "guest RAM read", SETUP_PLAIN, 0),
	ROW(OP_MMIO_WRITE, "loop", "guest RAM write", SETUP_PLAIN, 0),

	ROW(OP_PIO_READ, "accel", "kvm-accel minimal", SETUP_ACCEL, BENCH_PIO_PORT,
	    .obj = MINIMAL),
	ROW(OP_PIO_READ, "device", "IDE status 0x1f7", SETUP_IDE, IDE_STATUS_PORT),
	ROW(OP_PIO_READ, "device", "IDE alt status 0x3f6", SETUP_IDE, IDE_ALT_PORT),
	ROW(OP_PIO_READ, "kvm", "KVM PIC 0x21", SETUP_PLAIN, KVM_PIC_PORT),
	ROW(OP_PIO_READ, "userspace", "userspace exit", SETUP_PLAIN, BENCH_PIO_PORT),
	BREAKDOWN(OP_PIO_READ, BENCH_PIO_PORT),

	ROW(OP_PIO_WRITE, "accel", "kvm-accel minimal", SETUP_ACCEL, BENCH_PIO_PORT,
	    .obj = MINIMAL),
	ROW(OP_PIO_WRITE, "device", "IDE sector count 0x1f2", SETUP_IDE,
	    IDE_CMD_BASE + ATA_REG_NSECT),
	ROW(OP_PIO_WRITE, "kvm", "KVM ioeventfd", SETUP_IOEVENTFD, BENCH_PIO_PORT),
	ROW(OP_PIO_WRITE, "kvm", "KVM PIC 0x21", SETUP_PLAIN, KVM_PIC_PORT),
	ROW(OP_PIO_WRITE, "kvm", "KVM coalesced PIO", SETUP_COALESCED, BENCH_PIO_PORT),
	ROW(OP_PIO_WRITE, "userspace", "userspace exit", SETUP_PLAIN, BENCH_PIO_PORT),
	BREAKDOWN(OP_PIO_WRITE, BENCH_PIO_PORT),

	ROW(OP_MMIO_READ, "accel", "kvm-accel minimal", SETUP_ACCEL, BENCH_MMIO_GPA,
	    .obj = MINIMAL),
	ROW(OP_MMIO_READ, "device", "HPET main counter", SETUP_HPET, HPET_CNT,
	    .pre_addr = HPET_CONF, .pre_val = HPET_ENABLE_CNF),
	ROW(OP_MMIO_READ, "device", "MPIC WHOAMI", SETUP_MPIC,
	    MPIC_TEST_BASE + MPIC_WHOAMI),
	ROW(OP_MMIO_READ, "kvm", "KVM IOAPIC", SETUP_PLAIN, KVM_IOAPIC_GPA),
	ROW(OP_MMIO_READ, "userspace", "userspace exit", SETUP_PLAIN, BENCH_MMIO_GPA),
	BREAKDOWN(OP_MMIO_READ, BENCH_MMIO_GPA),

	ROW(OP_MMIO_WRITE, "accel", "kvm-accel minimal", SETUP_ACCEL, BENCH_MMIO_GPA,
	    .obj = MINIMAL),
	ROW(OP_MMIO_WRITE, "device", "HPET GEN_CONF", SETUP_HPET, HPET_CONF,
	    .pre_addr = HPET_CONF, .pre_val = HPET_ENABLE_CNF),
	ROW(OP_MMIO_WRITE, "device", "MPIC CTPR", SETUP_MPIC, MPIC_TEST_BASE + MPIC_CTPR),
	ROW(OP_MMIO_WRITE, "kvm", "KVM ioeventfd", SETUP_IOEVENTFD, BENCH_MMIO_GPA),
	ROW(OP_MMIO_WRITE, "kvm", "KVM IOAPIC", SETUP_PLAIN, KVM_IOAPIC_GPA),
	ROW(OP_MMIO_WRITE, "kvm", "KVM coalesced MMIO", SETUP_COALESCED, BENCH_MMIO_GPA),
	ROW(OP_MMIO_WRITE, "userspace", "userspace exit", SETUP_PLAIN, BENCH_MMIO_GPA),
	BREAKDOWN(OP_MMIO_WRITE, BENCH_MMIO_GPA),
};

/* What one row's VM is made of, for serving its exits and tearing it down. */
struct bench_vm {
	struct bench_row *row;
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_accel_dev *dev;
	int efd;
	struct kvm_coalesced_mmio_ring *ring;
	struct ide_rig ide;
	struct hpet_vm hpet;
	struct mpic_vm mpic;
};

static bool is_pio(enum bench_op op)
{
	return op == OP_PIO_READ || op == OP_PIO_WRITE;
}

static bool is_write(enum bench_op op)
{
	return op == OP_PIO_WRITE || op == OP_MMIO_WRITE;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static bool stage_supported(void)
{
	return access(BENCH_STAGE_PARAM, W_OK) == 0;
}

static void set_stage(int stage)
{
	FILE *f;

	if (!stage && !stage_supported())
		return;
	f = fopen(BENCH_STAGE_PARAM, "w");
	TEST_ASSERT(f, "%s: %s", BENCH_STAGE_PARAM, strerror(errno));
	TEST_ASSERT(fprintf(f, "%d\n", stage) > 0 && !fclose(f),
		    "setting bench_stage %d: %s", stage, strerror(errno));
}

static void reset_stage(void)
{
	set_stage(0);
}

static void bench_vm_create(struct bench_vm *b, struct bench_row *row)
{
	struct kvm_coalesced_mmio_zone zone;
	struct kvm_ioeventfd ioev;
	int ret;

	memset(b, 0, sizeof(*b));
	b->row = row;
	b->efd = -1;

	switch (row->setup) {
	case SETUP_IDE:
		ide_rig_create(&b->ide, bench_guest, 1, true, false, false);
		b->vm = b->ide.vm;
		b->vcpu = b->ide.vcpus[0];
		return;
	case SETUP_HPET:
		hpet_vm_create(&b->hpet, 1, bench_guest, true);
		b->vm = b->hpet.vm;
		b->vcpu = b->hpet.vcpus[0];
		return;
	case SETUP_MPIC:
		mpic_vm_create(&b->mpic, 1, bench_guest, true, true);
		b->vm = b->mpic.vm;
		b->vcpu = b->mpic.vcpus[0];
		return;
	default:
		break;
	}

	b->vm = vm_create_with_one_vcpu(&b->vcpu, bench_guest);
	if (!is_pio(row->op) && row->addr)
		virt_map(b->vm, row->addr & ~0xfffULL, row->addr & ~0xfffULL, 1);

	switch (row->setup) {
	case SETUP_ACCEL: {
		KVM_ACCEL_ATTACH_OPTS(opts, .map_name = row->map,
				      .bus = is_pio(row->op) ? KVM_ACCEL_BUS_PIO
							     : KVM_ACCEL_BUS_MMIO,
				      .base = row->addr, .len = 8);

		ret = kvm_accel_attach(accel_build_path(row->obj), b->vm->fd, &opts,
				       &b->dev);
		TEST_ASSERT(!ret, "attaching %s: %s", row->obj, strerror(-ret));
		break;
	}
	case SETUP_IOEVENTFD:
		b->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		TEST_ASSERT(b->efd >= 0, "eventfd: %s", strerror(errno));
		ioev = (struct kvm_ioeventfd) {
			.addr = row->addr,
			.len = is_pio(row->op) ? 1 : 4,
			.fd = b->efd,
			.flags = is_pio(row->op) ? KVM_IOEVENTFD_FLAG_PIO : 0,
		};
		vm_ioctl(b->vm, KVM_IOEVENTFD, &ioev);
		break;
	case SETUP_COALESCED:
		zone = (struct kvm_coalesced_mmio_zone) {
			.addr = row->addr,
			.size = 8,
			.pio = is_pio(row->op),
		};
		TEST_REQUIRE(kvm_check_cap(is_pio(row->op) ? KVM_CAP_COALESCED_PIO
							    : KVM_CAP_COALESCED_MMIO));
		vm_ioctl(b->vm, KVM_REGISTER_COALESCED_MMIO, &zone);
		b->ring = (void *)b->vcpu->run +
			  KVM_COALESCED_MMIO_PAGE_OFFSET * getpagesize();
		break;
	default:
		break;
	}
}

static void bench_vm_destroy(struct bench_vm *b)
{
	switch (b->row->setup) {
	case SETUP_IDE:
		ide_rig_destroy(&b->ide);
		return;
	case SETUP_HPET:
		hpet_vm_destroy(&b->hpet);
		return;
	case SETUP_MPIC:
		mpic_vm_destroy(&b->mpic);
		return;
	default:
		break;
	}
	kvm_accel_detach(b->dev);
	kvm_vm_free(b->vm);
	if (b->efd >= 0)
		close(b->efd);
}

/* Serve an exit that is not a ucall, as the row's device would. */
static void bench_serve(struct bench_vm *b)
{
	struct kvm_run *run = b->vcpu->run;

	switch (b->row->setup) {
	case SETUP_IDE:
		vmm_emulate(&b->ide.vmm, b->vcpu);
		return;
	case SETUP_HPET:
		vmm_emulate(&b->hpet.vmm, b->vcpu);
		return;
	case SETUP_MPIC:
		vmm_emulate(&b->mpic.vmm, b->vcpu);
		return;
	default:
		break;
	}

	/* A trivial device: reads return 0x5a, writes are dropped. */
	if (run->exit_reason == KVM_EXIT_IO) {
		TEST_ASSERT(run->io.port == b->row->addr, "exit on port %#x", run->io.port);
		if (run->io.direction == KVM_EXIT_IO_IN)
			memset((uint8_t *)run + run->io.data_offset, 0x5a,
			       run->io.size * run->io.count);
	} else if (run->exit_reason == KVM_EXIT_MMIO) {
		TEST_ASSERT(run->mmio.phys_addr == b->row->addr, "exit at %#llx",
			    run->mmio.phys_addr);
		if (!run->mmio.is_write)
			memset(run->mmio.data, 0x5a, run->mmio.len);
	} else {
		TEST_FAIL("unexpected exit %s", exit_reason_str(run->exit_reason));
	}
	/* A coalescing VMM empties the ring whenever it gets control. */
	if (b->ring)
		__atomic_store_n(&b->ring->first,
				 __atomic_load_n(&b->ring->last, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run @row: per-access time of each repetition into @per, exits counted. */
static void bench_run(struct bench_row *row, uint64_t n, uint64_t reps, double *per)
{
	struct bench_vm b;
	struct ucall uc;
	double t = 0;
	int64_t rep = -1;

	bench_vm_create(&b, row);
	vcpu_args_set(b.vcpu, 6, (uint64_t)row->op, row->addr, n, reps,
		      row->pre_addr, row->pre_val);
	set_stage(row->stage);
	for (;;) {
		vcpu_run(b.vcpu);
		switch (get_ucall(b.vcpu, &uc)) {
		case UCALL_SYNC:
			if (rep >= 0)
				per[rep] = (now_ns() - t) / n;
			TEST_ASSERT_EQ(uc.args[1], (uint64_t)(rep + 1));
			rep++;
			t = now_ns();
			continue;
		case UCALL_DONE:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
			break;
		case UCALL_NONE:
			TEST_ASSERT(rep >= 0, "device exit before the first repetition");
			bench_serve(&b);
			row->exits++;
			continue;
		}
		break;
	}
	set_stage(0);
	TEST_ASSERT_EQ(rep, (int64_t)reps);
	/*
	 * The module counts what it completed, except at bench_stage 1,
	 * which stops before counting: proof the stage was in effect.
	 */
	if (b.dev) {
		struct kvm_accel_counters c = accel_counters(accel_link_id(b.dev));

		TEST_ASSERT(c.handled == (row->stage == 1 ? 0 : n * reps),
			    "%s %s: the module handled %llu of %lu accesses",
			    op_names[row->op], row->name, c.handled, n * reps);
	}
	bench_vm_destroy(&b);
}

/*
 * What the row must see: a userspace row exits on every access, any other
 * row never (coalesced rows: once per ring-full), or the setup is not what
 * the row says it measures.
 */
static void bench_check(const struct bench_row *row, uint64_t n, uint64_t reps)
{
	if (!strcmp(row->cls, "userspace"))
		TEST_ASSERT(row->exits == n * reps, "%s %s: %lu exits for %lu accesses",
			    op_names[row->op], row->name, row->exits, n * reps);
	else if (row->setup != SETUP_COALESCED)
		TEST_ASSERT(row->exits == 0, "%s %s: %lu exits", op_names[row->op],
			    row->name, row->exits);
	else
		TEST_ASSERT(row->exits < n * reps / 8, "%s %s: %lu exits of %lu",
			    op_names[row->op], row->name, row->exits, n * reps);
}

static void json_row(const struct bench_row *row, bool first)
{
	printf("%s\n    {\"op\": \"%s\", \"class\": \"%s\", \"name\": \"%s\", "
	       "\"exits\": %lu, \"cost\": %.1f, \"cost_min\": %.1f, \"cost_max\": %.1f, "
	       "\"raw\": %.1f}",
	       first ? "" : ",", op_names[row->op], row->cls, row->name, row->exits,
	       row->cost, row->cost_min, row->cost_max, row->raw);
}

int main(int argc, char **argv)
{
	uint64_t n = 5000, reps = 3, i, r;
	double per[BENCH_MAX_REPS], base[NR_OPS] = {};
	const char *mode = "unknown", *filter = NULL;
	bool stages, first = true;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:m:f:")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'r':
			reps = strtoull(optarg, NULL, 0);
			break;
		case 'm':
			mode = optarg;
			break;
		case 'f':
			filter = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-n ACCESSES] [-r REPETITIONS] [-m MODE] [-f FILTER]\n",
				argv[0]);
			return 2;
		}
	}
	if (!n || !reps || reps > BENCH_MAX_REPS) {
		fprintf(stderr, "access_bench: -n must be > 0, -r between 1 and %d\n",
			BENCH_MAX_REPS);
		return 2;
	}
	TEST_REQUIRE(kvm_accel_module_loaded());
	stages = stage_supported();
	if (!stages)
		fprintf(stderr, "access_bench: %s missing: no stage rows (not the benchmark build of the module, make kmod-bench; or not root)\n",
			BENCH_STAGE_PARAM);
	atexit(reset_stage);

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		struct bench_row *row = &rows[i];

		if (row->stage && !stages)
			continue;
		if (filter && strcmp(row->cls, "loop") && !strstr(row->name, filter))
			continue;
		fprintf(stderr, "  %-10s %-30s", op_names[row->op], row->name);
		bench_run(row, n, reps, per);
		bench_check(row, n, reps);
		qsort(per, reps, sizeof(per[0]), cmp_double);
		row->raw = per[reps / 2];
		if (!strcmp(row->cls, "loop")) {
			/* The RAM loops are the baselines of their direction. */
			for (r = 0; r < NR_OPS; r++)
				if (is_write(r) == is_write(row->op))
					base[r] = row->raw;
			row->cost_min = per[0];
			row->cost_max = per[reps - 1];
			row->cost = row->raw;
		} else {
			row->cost = row->raw - base[row->op];
			row->cost_min = per[0] - base[row->op];
			row->cost_max = per[reps - 1] - base[row->op];
		}
		fprintf(stderr, " %10.1f  (%lu exits)\n", row->cost, row->exits);
	}

	printf("{\n  \"benchmark\": \"access\", \"mode\": \"%s\", \"accesses\": %lu, "
	       "\"repetitions\": %lu,\n  \"rows\": [", mode, n, reps);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		if ((rows[i].stage && !stages) || (!rows[i].raw && !rows[i].exits))
			continue;
		json_row(&rows[i], first);
		first = false;
	}
	printf("\n  ]\n}\n");
	return 0;
}
