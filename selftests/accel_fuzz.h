/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the fuzz tests share: a small random generator that guest code and
 * the VMM run alike, so that a sequence depends on the seed alone, and the
 * environment variables that set seed and count.
 */
#ifndef _ACCEL_FUZZ_H
#define _ACCEL_FUZZ_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "test_util.h"

/* xorshift64*: the state must not be 0. */
static inline uint64_t accel_fuzz_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * The generator state of stream @stream (a vCPU of a bus or a phase) for
 * @seed: splitmix64 of both, so that streams of one seed are unrelated.
 */
static inline uint64_t accel_fuzz_state(uint64_t seed, uint64_t stream)
{
	uint64_t z = seed + (stream + 1) * 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

/* Where accel_fuzz_edge_off() puts an access against a range. */
enum accel_fuzz_edge {
	ACCEL_FUZZ_BELOW,	/* entirely below the range */
	ACCEL_FUZZ_ACROSS_START,
	ACCEL_FUZZ_ACROSS_END,
	ACCEL_FUZZ_BEYOND,	/* entirely beyond the range */
};

/*
 * Offset, from the start of a @size-byte range, of a @len-byte access at
 * @edge, chosen by @pick: up to @margin bytes away when below or beyond.
 * A 1-byte access cannot straddle: it lands just below or just beyond.
 */
static inline int64_t accel_fuzz_edge_off(enum accel_fuzz_edge edge, uint32_t len,
					  int64_t size, uint64_t pick, uint64_t margin)
{
	switch (edge) {
	case ACCEL_FUZZ_BELOW:
		return -(int64_t)len - (int64_t)(pick % margin);
	case ACCEL_FUZZ_ACROSS_START:
		return len > 1 ? -1 - (int64_t)(pick % (len - 1)) : -1;
	case ACCEL_FUZZ_ACROSS_END:
		return len > 1 ? size - 1 - (int64_t)(pick % (len - 1)) : size;
	default:
		return size + (int64_t)(pick % margin);
	}
}

/* Environment variable @name as a number (decimal or 0x hex), or @def. */
static inline uint64_t accel_fuzz_env(const char *name, uint64_t def)
{
	const char *s = getenv(name);
	uint64_t val;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	val = strtoull(s, &end, 0);
	TEST_ASSERT(!errno && !*end, "%s=%s is not a number", name, s);
	return val;
}

#endif /* _ACCEL_FUZZ_H */
