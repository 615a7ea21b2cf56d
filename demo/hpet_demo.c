// SPDX-License-Identifier: GPL-2.0
/*
 * HPET demo: what a guest's use of the HPET costs in exits to the VMM,
 * with the device in userspace alone and with its kvm-accel fast path
 * (devices/hpet).
 *
 * The guest does what Linux does with the HPET as clocksource and
 * clockevent device: it reads the main counter many times, then programs a
 * periodic, edge-triggered tick the way hpet_set_periodic() does (counter
 * halted meanwhile) and idles (hlt) through ticks whose handler reads the
 * counter for timekeeping.  The VMM counts
 * the HPET accesses that reach it in each phase and times the reads with
 * CLOCK_MONOTONIC (under KA_ICOUNT=1, instructions of the test VM).
 *
 * Usage: hpet_demo [-n READS] [-t TICKS] [-j]   (-j: JSON, for scripts/bench.sh)
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hpet_vm.h"

#define VECTOR		0x40
#define GSI		20
#define PERIOD		100000ULL	/* ticks: 1 ms, a 1 kHz tick */

static volatile uint64_t ticks;

static void guest_tick(struct ex_regs *regs)
{
	hpet_counter();				/* timekeeping */
	ticks++;
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_code(uint64_t n_reads, uint64_t n_ticks)
{
	uint64_t conf = HPET_TN_TYPE_CNF | (GSI << HPET_TN_INT_ROUTE_CNF_SHIFT);
	uint64_t i, sum = 0;

	x2apic_enable();
	ioapic_route(GSI, VECTOR, false, 0);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	GUEST_SYNC1(0);

	for (i = 0; i < n_reads; i++)
		sum += hpet_counter();
	GUEST_SYNC2(1, sum);

	/* Linux's sequence for a periodic clockevent, counter halted. */
	hpet_wr64(HPET_GEN_CONF, 0);
	hpet_wr64(HPET_TN_CONF_REG(0), conf | HPET_TN_INT_ENB_CNF | HPET_TN_VAL_SET_CNF);
	hpet_wr64(HPET_TN_CMP_REG(0), hpet_counter() + PERIOD);
	hpet_wr64(HPET_TN_CMP_REG(0), PERIOD);
	hpet_wr64(HPET_GEN_CONF, HPET_ENABLE_CNF);
	while (ticks < n_ticks)
		asm volatile("sti; hlt; cli");
	hpet_wr64(HPET_TN_CONF_REG(0), conf);
	GUEST_SYNC2(2, ticks);
	GUEST_DONE();
}

struct demo_row {
	uint64_t read_exits, tick_exits, ticks;
	double ns_per_read;
};

static void measure(struct demo_row *row, bool accel, uint64_t n_reads,
		    uint64_t n_ticks)
{
	uint64_t t0, t1, e0, e1;
	struct hpet_vm h;

	hpet_vm_create(&h, 1, guest_code, accel);
	vm_install_exception_handler(h.vm, VECTOR, guest_tick);
	vcpu_args_set(h.vcpus[0], 2, n_reads, n_ticks);

	hpet_vcpu_sync(&h, 0, 0);
	e0 = hpet_vm_exits(&h);
	t0 = vmm_now_ns();
	hpet_vcpu_sync(&h, 0, 1);
	t1 = vmm_now_ns();
	e1 = hpet_vm_exits(&h);
	row->ticks = hpet_vcpu_sync(&h, 0, 2);
	hpet_vcpu_done(&h, 0);

	row->read_exits = e1 - e0;
	row->tick_exits = hpet_vm_exits(&h) - e1;
	row->ns_per_read = (double)(t1 - t0) / n_reads;
	hpet_vm_destroy(&h);
}

static void json_row(const char *path, const struct demo_row *row, bool last)
{
	printf("{\"path\": \"%s\", \"read_exits\": %lu, \"ns_per_read\": %.1f, "
	       "\"reads_per_s\": %.0f, \"ticks\": %lu, \"tick_exits\": %lu}%s",
	       path, row->read_exits, row->ns_per_read, 1e9 / row->ns_per_read,
	       row->ticks, row->tick_exits, last ? "" : ", ");
}

int main(int argc, char **argv)
{
	uint64_t n_reads = 5000, n_ticks = 50;
	struct demo_row user, accel;
	bool json = false;
	int opt;

	while ((opt = getopt(argc, argv, "n:t:j")) != -1) {
		switch (opt) {
		case 'n':
			n_reads = strtoull(optarg, NULL, 0);
			break;
		case 't':
			n_ticks = strtoull(optarg, NULL, 0);
			break;
		case 'j':
			json = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-n READS] [-t TICKS] [-j]\n", argv[0]);
			return 2;
		}
	}
	if (!n_reads || !n_ticks) {
		fprintf(stderr, "%s: -n and -t must be > 0\n", argv[0]);
		return 2;
	}

	measure(&user, false, n_reads, n_ticks);
	measure(&accel, true, n_reads, n_ticks);

	if (json) {
		printf("{\"benchmark\": \"hpet\", \"reads\": %lu, \"rows\": [", n_reads);
		json_row("userspace", &user, false);
		json_row("accel", &accel, true);
		printf("]}\n");
		return 0;
	}
	printf("HPET: the guest reads the main counter %lu times, then sets up a 1 kHz\n"
	       "periodic tick as Linux does and idles through %lu ticks, reading the\n"
	       "counter in each.  Exits: HPET accesses that reached the VMM (the tick\n"
	       "column includes programming the timer).\n\n",
	       n_reads, n_ticks);
	printf("%-16s %12s %12s %8s %12s\n", "path", "read exits", "cost/read",
	       "ticks", "tick exits");
	printf("%-16s %12lu %12.1f %8lu %12lu\n", "userspace model", user.read_exits,
	       user.ns_per_read, user.ticks, user.tick_exits);
	printf("%-16s %12lu %12.1f %8lu %12lu\n", "kvm-accel", accel.read_exits,
	       accel.ns_per_read, accel.ticks, accel.tick_exits);
	printf("cost/read: ns of the test VM's clock per counter read, loop included.\n");
	return 0;
}
