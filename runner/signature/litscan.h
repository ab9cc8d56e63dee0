/* SPDX-License-Identifier: MIT */
/* Finding any of a small set of literals in a large buffer at memory speed:
 * the scanner's fast path between crash reports. Each literal is reduced
 * to a four-byte fingerprint at its rarest bytes; literals are spread over
 * eight buckets, and a byte position is a candidate when the four bytes
 * there belong, by their low and high nibbles, to one bucket's
 * fingerprint (16 or 32 positions at a time with SSSE3 or AVX2 where the
 * CPU has them). Candidates are confirmed with memcmp. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define KR_LITSCAN_MAX 64
#define KR_LITSCAN_FP 4 /* fingerprint length */

struct kr_litscan {
	const char *lit[KR_LITSCAN_MAX];
	size_t len[KR_LITSCAN_MAX];
	size_t anchor[KR_LITSCAN_MAX]; /* offset of the fingerprint in the literal */
	char fp[KR_LITSCAN_MAX][KR_LITSCAN_FP];
	size_t n;
	uint8_t lo[KR_LITSCAN_FP][16], hi[KR_LITSCAN_FP][16]; /* bucket bits by nibble, per fingerprint byte */
	uint8_t bucket[8][KR_LITSCAN_MAX]; /* literal indices per bucket */
	size_t bucket_n[8];
	int simd; /* 2: AVX2, 1: SSSE3, 0: neither */
};

/* Prepares the search for n literals (each at least KR_LITSCAN_FP bytes, at most
 * KR_LITSCAN_MAX of them; they must outlive ls). */
void kr_litscan_init(struct kr_litscan *ls, const char *const *lits, size_t n);

/* Offset of the first literal occurrence that lies wholly inside
 * data[from, to) (the earliest by fingerprint position), or to. *which
 * (when not NULL) is the index of the literal found. */
size_t kr_litscan_find(const struct kr_litscan *ls, const unsigned char *data, size_t from,
		       size_t to, size_t *which);

/* Every literal that occurs in data[0, len), overlapping ones included:
 * bit i for literal i. */
uint64_t kr_litscan_mask(const struct kr_litscan *ls, const unsigned char *data, size_t len);
