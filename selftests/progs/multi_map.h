/* SPDX-License-Identifier: GPL-2.0 */
/* Ranges of multi_map.bpf.o (multi_map_test). */
#ifndef _SELFTESTS_MULTI_MAP_H
#define _SELFTESTS_MULTI_MAP_H

#define MULTI_A_BASE	0x5200
#define MULTI_B_BASE	0x5300
#define MULTI_LEN	4	/* below REGFILE_DECLINE_OFFSET: all handled */

#endif /* _SELFTESTS_MULTI_MAP_H */
