/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest side of the reference VMM (vmm.h): what guest code calls to reach
 * devices.  The functions run in the guest, which the KVM selftests
 * library loads from the VMM's own binary.
 */
#ifndef _VMM_GUEST_H
#define _VMM_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "kvm_util.h"
#include "processor.h"
#include "ucall_common.h"

#include <kvm_accel_abi.h>

/* One guest access of @len bytes to port or guest physical address @addr. */
static inline uint64_t accel_guest_read(uint32_t bus, uint64_t addr, uint32_t len)
{
	uint16_t port = addr;
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;

	if (bus == KVM_ACCEL_BUS_PIO) {
		switch (len) {
		case 1:
			asm volatile("inb %1, %0" : "=a"(v8) : "d"(port));
			return v8;
		case 2:
			asm volatile("inw %1, %0" : "=a"(v16) : "d"(port));
			return v16;
		case 4:
			asm volatile("inl %1, %0" : "=a"(v32) : "d"(port));
			return v32;
		}
	} else {
		switch (len) {
		case 1:
			return *(volatile uint8_t *)addr;
		case 2:
			return *(volatile uint16_t *)addr;
		case 4:
			return *(volatile uint32_t *)addr;
		case 8:
			return *(volatile uint64_t *)addr;
		}
	}
	GUEST_FAIL("no %u-byte access on bus %u", len, bus);
	return 0;
}

static inline void accel_guest_write(uint32_t bus, uint64_t addr, uint32_t len,
				     uint64_t val)
{
	uint16_t port = addr;

	if (bus == KVM_ACCEL_BUS_PIO) {
		switch (len) {
		case 1:
			asm volatile("outb %0, %1" : : "a"((uint8_t)val), "d"(port));
			return;
		case 2:
			asm volatile("outw %0, %1" : : "a"((uint16_t)val), "d"(port));
			return;
		case 4:
			asm volatile("outl %0, %1" : : "a"((uint32_t)val), "d"(port));
			return;
		}
	} else {
		switch (len) {
		case 1:
			*(volatile uint8_t *)addr = val;
			return;
		case 2:
			*(volatile uint16_t *)addr = val;
			return;
		case 4:
			*(volatile uint32_t *)addr = val;
			return;
		case 8:
			*(volatile uint64_t *)addr = val;
			return;
		}
	}
	GUEST_FAIL("no %u-byte access on bus %u", len, bus);
}

/* The in-kernel IOAPIC of KVM selftests VMs. */
#define IOAPIC_GPA		0xfec00000ULL
#define IOAPIC_IOREGSEL		0x00
#define IOAPIC_IOWIN		0x10
#define IOAPIC_REDTBL(pin)	(0x10 + 2 * (pin))
#define IOAPIC_RTE_LEVEL	(1U << 15)

static inline void ioapic_write(uint32_t reg, uint32_t val)
{
	*(volatile uint32_t *)(IOAPIC_GPA + IOAPIC_IOREGSEL) = reg;
	*(volatile uint32_t *)(IOAPIC_GPA + IOAPIC_IOWIN) = val;
}

/*
 * Route IOAPIC input @pin to @vector (edge, or level if @level; active
 * high, unmasked) on the vCPU with APIC id @apic_id.
 */
static inline void ioapic_route(uint32_t pin, uint8_t vector, bool level,
				uint32_t apic_id)
{
	ioapic_write(IOAPIC_REDTBL(pin) + 1, apic_id << 24);
	ioapic_write(IOAPIC_REDTBL(pin), vector | (level ? IOAPIC_RTE_LEVEL : 0));
}

#endif /* _VMM_GUEST_H */
