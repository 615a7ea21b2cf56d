/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kselftest harness with a fixture for kvm-accel tests that run on
 * both buses.  Include it once, from the test's own file.
 */
#ifndef _ACCEL_TEST_HARNESS_H
#define _ACCEL_TEST_HARNESS_H

#include "kselftest_harness.h"
#include "accel_test_util.h"

/*
 * ACCEL_TEST_SUITE(suite) declares the fixture with a "pio" and an "mmio"
 * variant; ACCEL_TEST(suite, test, guest_code) { ... } is a test body that
 * gets the fixture as @f, with @guest_code as the vCPU's entry point.
 */
#define ACCEL_TEST_SUITE(suite)						\
	FIXTURE(suite) {						\
		struct accel_fixture f;					\
	};								\
	FIXTURE_VARIANT(suite) {					\
		const struct accel_bus *bus;				\
	};								\
	FIXTURE_VARIANT_ADD(suite, pio) {				\
		.bus = &accel_pio,					\
	};								\
	FIXTURE_VARIANT_ADD(suite, mmio) {				\
		.bus = &accel_mmio,					\
	};								\
	FIXTURE_SETUP(suite) {						\
		accel_fixture_setup(&self->f, variant->bus);		\
	}								\
	FIXTURE_TEARDOWN(suite) {					\
		accel_fixture_teardown(&self->f);			\
	}

/*
 * ACCEL_BUS_SUITE(suite, pio_bus, mmio_bus) declares a fixture without
 * state of its own, for tests that build their VMs themselves: a "pio" and
 * an "mmio" variant, whose variant->bus is @pio_bus or @mmio_bus (pointers
 * to struct accel_bus), skipped without the module.
 */
#define ACCEL_BUS_SUITE(suite, pio_bus, mmio_bus)			\
	FIXTURE(suite) {};						\
	FIXTURE_VARIANT(suite) {					\
		const struct accel_bus *bus;				\
	};								\
	FIXTURE_VARIANT_ADD(suite, pio) {				\
		.bus = (pio_bus),					\
	};								\
	FIXTURE_VARIANT_ADD(suite, mmio) {				\
		.bus = (mmio_bus),					\
	};								\
	FIXTURE_SETUP(suite) {						\
		TEST_REQUIRE(kvm_accel_module_loaded());		\
	}								\
	FIXTURE_TEARDOWN(suite) {					\
	}

#define ACCEL_TEST(suite, test, guest_code)				\
static void __##suite##_##test(struct accel_fixture *f);		\
									\
TEST_F(suite, test)							\
{									\
	vcpu_arch_set_entry_point(self->f.vcpu, guest_code);		\
	__##suite##_##test(&self->f);					\
}									\
static void __##suite##_##test(struct accel_fixture *f)

#endif /* _ACCEL_TEST_HARNESS_H */
