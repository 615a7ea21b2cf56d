/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The register-file test device, shared by its fast path
 * (regfile_ops.bpf.h) and the selftests that drive it.
 *
 * REGFILE_SIZE byte registers in the program's .bss, which the VMM maps.
 * An access of 1, 2, 4 or 8 bytes at offset o of the attached range covers
 * registers o .. o + len - 1, little endian, at any alignment.  The fast
 * path handles every read and every write inside the register file except
 * writes starting at REGFILE_DECLINE_OFFSET, which it declines so that they
 * exit to the VMM: that is the slow path the tests check.
 */
#ifndef _SELFTESTS_REGFILE_H
#define _SELFTESTS_REGFILE_H

#include <linux/types.h>

#define REGFILE_SIZE		64	/* a power of two */
#define REGFILE_DECLINE_OFFSET	7

/* Default ranges of regfile_pio.bpf.o and regfile_mmio.bpf.o. */
#define REGFILE_PIO_BASE	0x5000
#define REGFILE_PIO_LEN		16
#define REGFILE_MMIO_BASE	0xc0000000ULL	/* no memslot behind it */
#define REGFILE_MMIO_LEN	REGFILE_SIZE

struct regfile {
	__u8 regs[REGFILE_SIZE];
};

#endif /* _SELFTESTS_REGFILE_H */
