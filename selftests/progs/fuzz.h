/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz test device, shared by its fast path (fuzz.bpf.c), the
 * reference model of fuzz_generic_test and the VMM slow path there.
 *
 * Registers are banked per vCPU: vCPU i sees its own FUZZ_LEN bytes,
 * bank[i], at every offset of the range, so several vCPUs can hit the
 * same offsets at once and each one's outcome is still exact.
 *
 * Fast path: a read returns the bytes it covers, little endian, at any
 * alignment; a write stores them.  Reads starting at an offset where
 * FUZZ_READ_DECLINED() holds and writes where FUZZ_WRITE_DECLINED() holds
 * are declined.  Everything else in the range is handled.
 *
 * Slow path (the VMM, for declined accesses and for those that straddle
 * an edge of the range): the same, but every byte is XORed with
 * FUZZ_SLOW_XOR, and bytes outside the range read as 0xff and are dropped
 * on write.  So the register file and every read value show which half
 * of the device served an access.
 *
 * The program also checks every access it is given against what the
 * module promises (inside the range, a valid width for the bus, the
 * address matching the offset, direction, vCPU id, data zero-extended) and
 * counts any breach in @violations.
 */
#ifndef _SELFTESTS_FUZZ_H
#define _SELFTESTS_FUZZ_H

#include <linux/types.h>

#define FUZZ_LEN		32	/* a power of two */
#define FUZZ_MAX_VCPUS		4	/* a power of two */
#define FUZZ_SLOW_XOR		0xa5

/* Where the tests attach it: well inside one page on MMIO. */
#define FUZZ_PIO_BASE		0x5300
#define FUZZ_MMIO_BASE		0xc0002800ULL	/* no memslot behind it */

#define FUZZ_READ_DECLINED(off)		(((off) & 15) == 13)
#define FUZZ_WRITE_DECLINED(off)	(((off) & 15) == 7)

struct fuzz_regs {
	__u8 bank[FUZZ_MAX_VCPUS][FUZZ_LEN];
	__u64 handled[FUZZ_MAX_VCPUS];	/* accesses returned HANDLED, by vCPU */
	__u64 declined[FUZZ_MAX_VCPUS];	/* accesses returned EXIT, by vCPU */
	__u64 violations;		/* accesses the module should not pass */
};

#endif /* _SELFTESTS_FUZZ_H */
