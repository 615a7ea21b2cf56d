/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The string-access test devices (string_access_test.c), as their programs
 * and the test see them.
 *
 * string_decline.bpf.o: STR_DECLINE_PORT, no KVM_ACCEL_F_STRINGS.  It
 * handles the first STR_DECLINE_AFTER single reads and writes it is given
 * (reads return STR_FAST_BYTE + i, writes are logged) and declines every
 * later one: the program that, called once per element of a string, would
 * decline at element STR_DECLINE_AFTER.
 *
 * string_whole.bpf.o: STR_WHOLE_PORT, with KVM_ACCEL_F_STRINGS.  It
 * answers every read, single or string, from a ramp: the k-th byte it
 * gives is k & 0xff, whatever the width.  @mode makes it give only half a
 * string (STR_MODE_SHORT) or decline strings (STR_MODE_DECLINE), or
 * answer every byte of a call with STR_FILL_BYTE() of its vCPU and port
 * (STR_MODE_FILL).  It logs the element count of each call.
 */
#ifndef _SELFTESTS_PROGS_STRINGS_H
#define _SELFTESTS_PROGS_STRINGS_H

#include <linux/types.h>

#define STR_DECLINE_PORT	0x5100
#define STR_WHOLE_PORT		0x5200
#define STR_PORTS		4
#define STR_DECLINE_AFTER	4
#define STR_FAST_BYTE		0xa0
#define STR_LOG			64	/* entries of each log, a power of two */
#define STR_RAMP		2048	/* bytes of the ramp, > 256 + 1024 */

#define STR_MODE_WHOLE		0
#define STR_MODE_SHORT		1
#define STR_MODE_DECLINE	2
#define STR_MODE_FILL		3

/* What STR_MODE_FILL answers vCPU @vcpu's reads of STR_WHOLE_PORT + @off with. */
#define STR_FILL_BYTE(vcpu, off)	(0x80 | ((vcpu) & 7) << 4 | (off))

struct str_decline_regs {
	__u64 reads;		/* single reads given, handled or not */
	__u64 writes;		/* writes given, handled or not */
	__u64 wlog[STR_LOG];	/* the values of the handled writes */
};

struct str_whole_regs {
	__u64 mode;		/* STR_MODE_*, set by the VMM */
	__u64 bytes;		/* bytes given so far: the ramp's position */
	__u64 calls;		/* calls of the read program */
	__u64 counts[STR_LOG];	/* acc->count of each call */
	__u8 ramp[STR_RAMP];	/* ramp[i] = i & 0xff, set by the VMM */
};

#endif /* _SELFTESTS_PROGS_STRINGS_H */
