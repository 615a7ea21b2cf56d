/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The lifecycle test device, shared by its fast path (lifecycle_ops.bpf.h)
 * and the tests that attach, replace, detach and destroy it while vCPUs
 * hammer it.
 *
 * One 64-bit little-endian register per vCPU, LIFECYCLE_SLOT bytes apart:
 * vCPU i uses only offset i * LIFECYCLE_SLOT of the range, so no two vCPUs
 * share a register.  An access inside one register (any width, any
 * alignment) is handled, one that spans two is declined.  A write stores
 * the bytes it covers.  A read returns them with the program's version (1
 * or 2) XORed into the top byte of the access; the VMM's slow path returns
 * the plain bytes, so every read tells the guest who answered it: version
 * 1, version 2, or userspace (0).  Each version counts the accesses it
 * handled in the register file, per vCPU and direction.
 */
#ifndef _SELFTESTS_LIFECYCLE_H
#define _SELFTESTS_LIFECYCLE_H

#include <linux/types.h>

#define LIFECYCLE_MAX_VCPUS	8	/* a power of two */
#define LIFECYCLE_SLOT		8
#define LIFECYCLE_LEN		(LIFECYCLE_MAX_VCPUS * LIFECYCLE_SLOT)

/* Default range of the objects; the MMIO tests move it there. */
#define LIFECYCLE_PIO_BASE	0x5200
#define LIFECYCLE_MMIO_BASE	0xc0001000ULL	/* no memslot behind it */

struct lifecycle_regs {
	__u64 regs[LIFECYCLE_MAX_VCPUS];	/* first: the slow path serves these */
	/* Accesses handled by version v: handled[v - 1][is_write][vcpu_id]. */
	__u64 handled[2][2][LIFECYCLE_MAX_VCPUS];
};

#endif /* _SELFTESTS_LIFECYCLE_H */
