/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The runtime-budget test device (budget_test.c): one port whose read
 * program spins for @spin_ns before it answers BUDGET_FAST_VALUE, and
 * counts its calls; writes are not handled.
 */
#ifndef _SELFTESTS_PROGS_BUDGET_H
#define _SELFTESTS_PROGS_BUDGET_H

#include <linux/types.h>

#define BUDGET_PORT		0x5400
#define BUDGET_FAST_VALUE	0x42
#define BUDGET_VMM_VALUE	0x99

struct budget_regs {
	__u64 spin_ns;		/* set by the VMM */
	__u64 calls;		/* read program calls */
	__u64 spun_ns;		/* the longest spin, as the program measured it */
};

#endif /* _SELFTESTS_PROGS_BUDGET_H */
