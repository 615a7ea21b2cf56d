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
 *
 * Per-access accounting: seq[v] counts vCPU v's accesses handled so far,
 * by either version or by the VMM's slow path (lifecycle_account()), and
 * every write carries in its low LIFECYCLE_SEQ_BITS bits the index of that
 * access in v's own sequence of accesses.  Whoever handles a write checks
 * the index against seq[v] first: an access missed, handled twice or out of
 * order makes them differ, which is counted in mismatches[v] (the first
 * one's seq[v] and carried index are kept), so a test proves for each single
 * access, not just in total, that it was handled exactly once.
 */
#ifndef _SELFTESTS_LIFECYCLE_H
#define _SELFTESTS_LIFECYCLE_H

#include <linux/types.h>

#define LIFECYCLE_MAX_VCPUS	8	/* a power of two */
#define LIFECYCLE_SLOT		8
#define LIFECYCLE_LEN		(LIFECYCLE_MAX_VCPUS * LIFECYCLE_SLOT)
/* Below the top byte of a 4-byte access, which reads tag with the version. */
#define LIFECYCLE_SEQ_BITS	24
#define LIFECYCLE_SEQ_MASK	((1ULL << LIFECYCLE_SEQ_BITS) - 1)

/* Default range of the objects; the MMIO tests move it there. */
#define LIFECYCLE_PIO_BASE	0x5200
#define LIFECYCLE_MMIO_BASE	0xc0001000ULL	/* no memslot behind it */

struct lifecycle_regs {
	__u64 regs[LIFECYCLE_MAX_VCPUS];	/* first: the slow path serves these */
	/* Accesses handled by version v: handled[v - 1][is_write][vcpu_id]. */
	__u64 handled[2][2][LIFECYCLE_MAX_VCPUS];
	__u64 seq[LIFECYCLE_MAX_VCPUS];		/* accesses handled, see above */
	__u64 mismatches[LIFECYCLE_MAX_VCPUS];	/* writes whose index was wrong */
	__u64 first_seq[LIFECYCLE_MAX_VCPUS];	/* seq[v] at the first of them */
	__u64 first_index[LIFECYCLE_MAX_VCPUS];	/* and the index it carried */
};

/*
 * Account one access of vCPU @v in @r, as the program and the slow path
 * both do: a write's carried index must be the number of v's accesses
 * handled before it.  @v is below LIFECYCLE_MAX_VCPUS.
 */
static inline void lifecycle_account(struct lifecycle_regs *r, __u32 v,
				      int is_write, __u64 data)
{
	__u64 index = data & LIFECYCLE_SEQ_MASK;

	if (is_write && index != (r->seq[v] & LIFECYCLE_SEQ_MASK)) {
		if (!r->mismatches[v]) {
			r->first_seq[v] = r->seq[v];
			r->first_index[v] = index;
		}
		r->mismatches[v]++;
	}
	r->seq[v]++;
}

#endif /* _SELFTESTS_LIFECYCLE_H */
