// SPDX-License-Identifier: GPL-2.0
/*
 * Checks the test VM itself, without kvm_accel: KVM delivers every
 * interrupt to an L2 vCPU exactly once.  The device tests count interrupts
 * exactly (hpet_irq_test, ide_pio_test, the MPIC tests), so an emulator that
 * delivers one twice would make them fail for a reason that is not theirs.
 *
 * QEMU 10.0's TCG emulation of SVM does exactly that: VMRUN delivers an
 * injected external interrupt (EVENTINJ) inline but leaves its vector in
 * the CPU's pending-exception slot, and if the vCPU loop is then asked to
 * stop (another vCPU's kick, the round-robin timer) before the L2 guest's
 * next exit or exception overwrites the slot, the vector is delivered
 * through the L2 IDT a second time.  scripts/qemu-tcg.sh builds the test
 * VM's emulator with the fix (integrations/qemu-tcg/); this test fails on
 * an emulator without it.
 *
 * The window is from the injection to the L2 guest's first exit, so the
 * handler computes for a while before its EOI (its first exit), and the
 * VMM sleeps between MSIs, which makes the L1 scheduler kick the vCPU that
 * runs the guest.  Each MSI is sent only once the handler of the previous
 * one is done, so that none merge with a pending one in the local APIC.
 */
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "kvm_util.h"
#include "processor.h"
#include "apic.h"
#include "ucall_common.h"

#define VECTOR		0x50
#define NR_MSI		2000
/* Iterations of the handler's computation, with no exit. */
#define HANDLER_SPIN	20000
/* How long the VMM waits for the guest to take one MSI. */
#define MSI_TIMEOUT_MS	10000

static volatile uint64_t irqs;		/* handler entries */
static volatile uint64_t eois;		/* handler exits */
static volatile uint64_t nested;	/* entries while a handler ran */
static volatile uint64_t in_handler;
static volatile uint64_t ready;		/* the guest's local APIC is on */
static volatile uint64_t stop;		/* set by the VMM when all were sent */

static void guest_handler(struct ex_regs *regs)
{
	uint64_t i;

	/* An interrupt gate clears IF: only a redelivery can nest. */
	if (in_handler)
		nested++;
	in_handler = 1;
	irqs++;
	for (i = 0; i < HANDLER_SPIN; i++)
		asm volatile("" : : "r"(i) : "memory");
	in_handler = 0;
	eois++;
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_code(void)
{
	x2apic_enable();
	asm volatile("sti");
	ready = 1;
	while (!stop)
		;
	asm volatile("cli");
	GUEST_SYNC2(irqs, nested);
	GUEST_DONE();
}

static void *vcpu_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT_KVM_EXIT_REASON(vcpu, KVM_EXIT_IO);
	return (void *)(uintptr_t)get_ucall(vcpu, &uc);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

TEST(msi_taken_once)
{
	volatile uint64_t *g_eois, *g_ready, *g_stop;
	struct kvm_msi msi = {
		.address_lo = 0xfee00000,	/* APIC ID 0, physical */
		.data = VECTOR,			/* fixed, edge */
	};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	pthread_t thread;
	uint64_t i, deadline;
	void *ret;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_install_exception_handler(vm, VECTOR, guest_handler);
	g_eois = addr_gva2hva(vm, (vm_vaddr_t)&eois);
	g_ready = addr_gva2hva(vm, (vm_vaddr_t)&ready);
	g_stop = addr_gva2hva(vm, (vm_vaddr_t)&stop);
	TEST_ASSERT_EQ(pthread_create(&thread, NULL, vcpu_thread, vcpu), 0);

	/* An MSI to a disabled local APIC is dropped (KVM_SIGNAL_MSI is 0). */
	deadline = now_ms() + MSI_TIMEOUT_MS;
	while (!*g_ready) {
		TEST_ASSERT(now_ms() < deadline, "guest not up after %d ms", MSI_TIMEOUT_MS);
		usleep(1000);
	}

	for (i = 0; i < NR_MSI; i++) {
		TEST_ASSERT_EQ(__vm_ioctl(vm, KVM_SIGNAL_MSI, &msi), 1);
		deadline = now_ms() + MSI_TIMEOUT_MS;
		while (*g_eois <= i) {
			TEST_ASSERT(now_ms() < deadline,
				    "MSI %lu not taken after %d ms", i, MSI_TIMEOUT_MS);
			usleep(20);
		}
	}
	/* Room for a late redelivery of the last one. */
	usleep(100 * 1000);
	*g_stop = 1;
	pthread_join(thread, &ret);
	TEST_ASSERT_EQ((uintptr_t)ret, UCALL_SYNC);
	get_ucall(vcpu, &uc);
	ksft_print_msg("%d MSIs sent, %lu handler entries, %lu of them nested\n",
		       NR_MSI, uc.args[0], uc.args[1]);
	/*
	 * A redelivery lands in the handler, whose first exit is its EOI:
	 * it shows as a nested entry.  The count can hide it, because the
	 * VMM paces the MSIs by the handler's exits, which it then doubles.
	 */
	TEST_ASSERT(uc.args[0] == NR_MSI && !uc.args[1],
		    "%lu entries for %d MSIs, %lu nested: interrupts delivered twice; the test VM's emulator lacks the fix in integrations/qemu-tcg/",
		    uc.args[0], NR_MSI, uc.args[1]);
	kvm_vm_free(vm);
}

TEST_HARNESS_MAIN
