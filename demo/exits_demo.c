// SPDX-License-Identifier: GPL-2.0
/*
 * The kvm-accel demo: one guest loop, run against the same register on
 * three paths, with the userspace exits each one costs.
 *
 *   userspace   no device in the kernel: every access is a KVM_EXIT_IO /
 *               KVM_EXIT_MMIO that this VMM answers, then KVM_RUN again
 *   kvm device  a device KVM itself emulates in the kernel (the in-kernel
 *               PIC's mask register at port 0x21, the IOAPIC's index
 *               register at 0xfec00000): KVM's own floor for an access
 *   kvm-accel   the same port or address served by demo/minimal.bpf.c
 *
 * For each path the guest does N reads and then N writes; the VMM counts
 * exits that are not the guest's own sync calls and times each phase with
 * CLOCK_MONOTONIC.  Under QEMU with -icount shift=0,sleep=off the test VM's
 * clock advances exactly one nanosecond per instruction, so "cost" is then
 * instructions per access, repeatable on a loaded machine.  An empty guest
 * loop is measured too and subtracted.
 *
 * Usage: exits_demo [-n ACCESSES] [-j]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kvm_util.h"
#include "processor.h"
#include "libkvmaccel.h"

#define DEMO_PIO_PORT	0x3f0
#define DEMO_MMIO_GPA	0xd0000000ull
#define KVM_PIC_PORT	0x21		/* in-kernel 8259 master, IMR */
#define KVM_IOAPIC_GPA	0xfec00000ull	/* in-kernel IOAPIC, IOREGSEL */

enum demo_kind { KIND_PIO, KIND_MMIO, KIND_NONE };

static inline uint8_t guest_inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "d"(port));
	return v;
}

static inline void guest_outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "d"(port));
}

static void guest_code(uint64_t kind, uint64_t target, uint64_t n)
{
	volatile uint32_t *mmio = (volatile uint32_t *)target;
	volatile uint32_t scratch = 0;
	uint64_t i, sum = 0;

	GUEST_SYNC(0);
	for (i = 0; i < n; i++) {
		if (kind == KIND_PIO)
			sum += guest_inb(target);
		else if (kind == KIND_MMIO)
			sum += *mmio;
		else
			sum += scratch;
	}
	GUEST_SYNC(sum);
	for (i = 0; i < n; i++) {
		if (kind == KIND_PIO)
			guest_outb(target, i & 0x7f);
		else if (kind == KIND_MMIO)
			*mmio = i & 0x7f;
		else
			scratch = i;
	}
	GUEST_SYNC(2);
	GUEST_DONE();
}

struct demo_result {
	const char *path;
	const char *access;
	uint64_t n;
	uint64_t read_exits, write_exits;
	double read_ns, write_ns;	/* per access, loop overhead removed */
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * Run the guest once.  Accesses that exit are answered here like a trivial
 * device model would: reads return 0x5a, writes are dropped.
 */
static void run_guest(struct kvm_vcpu *vcpu, uint64_t *exits, double *ns)
{
	struct kvm_run *run = vcpu->run;
	int phase = -1;
	double t = 0;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			if (phase >= 0)
				ns[phase] = now_ns() - t;
			phase++;
			t = now_ns();
			continue;
		case UCALL_DONE:
			return;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		}
		TEST_ASSERT(phase == 0 || phase == 1, "exit outside a phase");
		if (run->exit_reason == KVM_EXIT_IO) {
			if (run->io.direction == KVM_EXIT_IO_IN)
				memset((uint8_t *)run + run->io.data_offset, 0x5a,
				       run->io.size * run->io.count);
		} else if (run->exit_reason == KVM_EXIT_MMIO) {
			if (!run->mmio.is_write)
				memset(run->mmio.data, 0x5a, run->mmio.len);
		} else {
			TEST_FAIL("unexpected exit %s", exit_reason_str(run->exit_reason));
		}
		exits[phase]++;
	}
}

static const char *bpf_obj(void)
{
	static char path[4096];
	const char *b = getenv("KA_BUILD");

	snprintf(path, sizeof(path), "%s/bpf/demo/minimal.bpf.o", b ? b : "build");
	return path;
}

static void measure(struct demo_result *r, enum demo_kind kind, uint64_t target,
		    bool accel, uint64_t n)
{
	struct kvm_accel_dev *dev = NULL;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	uint64_t exits[2] = {};
	double ns[2] = {};
	int ret;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	if (kind == KIND_MMIO)
		virt_map(vm, target, target, 1);
	vcpu_args_set(vcpu, 3, (uint64_t)kind, target, n);

	if (accel) {
		struct kvm_accel_attach_opts opts = {
			.sz = sizeof(opts),
			.bus = kind == KIND_PIO ? KVM_ACCEL_BUS_PIO : KVM_ACCEL_BUS_MMIO,
			.base = target,
			.len = 8,
		};

		ret = kvm_accel_attach(bpf_obj(), vm->fd, &opts, &dev);
		TEST_ASSERT(!ret, "attach %s: %s", bpf_obj(), strerror(-ret));
	}

	run_guest(vcpu, exits, ns);
	r->n = n;
	r->read_exits = exits[0];
	r->write_exits = exits[1];
	r->read_ns = ns[0] / n;
	r->write_ns = ns[1] / n;

	kvm_accel_detach(dev);
	kvm_vm_free(vm);
}

int main(int argc, char **argv)
{
	uint64_t n = 10000;
	struct demo_result base, res[6];
	bool json = false;
	int i, opt;

	while ((opt = getopt(argc, argv, "n:j")) != -1) {
		switch (opt) {
		case 'n':
			n = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-n ACCESSES] [-j]\n", argv[0]);
			return 2;
		}
	}
	if (!n) {
		fprintf(stderr, "exits_demo: -n must be > 0\n");
		return 2;
	}

	measure(&base, KIND_NONE, 0, false, n);
	res[0] = (struct demo_result){ "userspace", "PIO" };
	measure(&res[0], KIND_PIO, DEMO_PIO_PORT, false, n);
	res[1] = (struct demo_result){ "kvm device", "PIO" };
	measure(&res[1], KIND_PIO, KVM_PIC_PORT, false, n);
	res[2] = (struct demo_result){ "kvm-accel", "PIO" };
	measure(&res[2], KIND_PIO, DEMO_PIO_PORT, true, n);
	res[3] = (struct demo_result){ "userspace", "MMIO" };
	measure(&res[3], KIND_MMIO, DEMO_MMIO_GPA, false, n);
	res[4] = (struct demo_result){ "kvm device", "MMIO" };
	measure(&res[4], KIND_MMIO, KVM_IOAPIC_GPA, false, n);
	res[5] = (struct demo_result){ "kvm-accel", "MMIO" };
	measure(&res[5], KIND_MMIO, DEMO_MMIO_GPA, true, n);

	for (i = 0; i < 6; i++) {
		res[i].read_ns -= base.read_ns;
		res[i].write_ns -= base.write_ns;
	}

	if (json) {
		printf("[");
		for (i = 0; i < 6; i++)
			printf("%s{\"access\":\"%s\",\"path\":\"%s\",\"n\":%lu,"
			       "\"read_exits\":%lu,\"write_exits\":%lu,"
			       "\"read_cost\":%.1f,\"write_cost\":%.1f}",
			       i ? "," : "", res[i].access, res[i].path, res[i].n,
			       res[i].read_exits, res[i].write_exits,
			       res[i].read_ns, res[i].write_ns);
		printf("]\n");
		return 0;
	}

	printf("%-5s %-11s %9s %12s %12s %12s %12s\n", "", "path", "accesses",
	       "read exits", "write exits", "read cost", "write cost");
	for (i = 0; i < 6; i++)
		printf("%-5s %-11s %9lu %12lu %12lu %12.1f %12.1f\n",
		       res[i].access, res[i].path, res[i].n, res[i].read_exits,
		       res[i].write_exits, res[i].read_ns, res[i].write_ns);
	printf("cost: ns per access of the test VM's clock, empty-loop cost (%.1f/%.1f) removed;\n"
	       "      under -icount shift=0,sleep=off one ns is one instruction.\n",
	       base.read_ns, base.write_ns);
	return 0;
}
