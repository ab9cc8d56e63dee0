/* SPDX-License-Identifier: MIT */
#include "litscan.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_SSSE3_PATH 1
#endif

/* Estimated frequency of a byte in kernel console output (from byte counts
 * over syzbot console logs, by class): fingerprints sit on the rarest bytes
 * and buckets are filled so that candidates stay few. */
static double byte_freq(unsigned char c)
{
	static const char very_common[] = "0 ";
	static const char common[] = "123456789fexacd[]_.trosinl/b+:\n";
	static const char medium[] = "pukRm=gTh?Cv-";
	static const char rare[] = "ySwIP)(,AD>EG<BXLN";
	if (c && strchr(very_common, c))
		return 0.12;
	if (c && strchr(common, c))
		return 0.02;
	if (c && strchr(medium, c))
		return 0.006;
	if (c && strchr(rare, c))
		return 0.002;
	return 0.0004;
}

/* Probability that a random byte falls in the set a bucket's nibble masks
 * accept at fingerprint position j (with bit b added when extra is set). */
static double nibble_set_freq(const uint8_t lo[16], const uint8_t hi[16], unsigned b)
{
	double p = 0;
	for (unsigned h = 0; h < 16; h++) {
		if (!(hi[h] >> b & 1))
			continue;
		for (unsigned l = 0; l < 16; l++)
			if (lo[l] >> b & 1)
				p += byte_freq((unsigned char)(h << 4 | l));
	}
	return p;
}

static double bucket_freq(const struct kr_litscan *ls, unsigned b)
{
	double p = 1;
	for (int j = 0; j < KR_LITSCAN_FP; j++)
		p *= nibble_set_freq(ls->lo[j], ls->hi[j], b);
	return p;
}

static void bucket_add(struct kr_litscan *ls, unsigned b, const unsigned char *fp)
{
	for (int j = 0; j < KR_LITSCAN_FP; j++) {
		ls->lo[j][fp[j] & 15] |= (uint8_t)(1u << b);
		ls->hi[j][fp[j] >> 4] |= (uint8_t)(1u << b);
	}
}

void kr_litscan_init(struct kr_litscan *ls, const char *const *lits, size_t n)
{
	memset(ls, 0, sizeof(*ls));
	if (n > KR_LITSCAN_MAX)
		abort(); /* a programming error: raise the limit */
	ls->n = n;
	double fp_freq[KR_LITSCAN_MAX];
	for (size_t i = 0; i < n; i++) {
		ls->lit[i] = lits[i];
		ls->len[i] = strlen(lits[i]);
		if (ls->len[i] < KR_LITSCAN_FP)
			abort();
		fp_freq[i] = 2;
		for (size_t a = 0; a + KR_LITSCAN_FP <= ls->len[i]; a++) {
			double f = 1;
			for (int j = 0; j < KR_LITSCAN_FP; j++)
				f *= byte_freq((unsigned char)lits[i][a + j]);
			if (f < fp_freq[i]) {
				fp_freq[i] = f;
				ls->anchor[i] = a;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		memcpy(ls->fp[i], ls->lit[i] + ls->anchor[i], KR_LITSCAN_FP);
	/* Greedy: the commonest fingerprints first, each into the bucket
	 * whose expected candidate rate grows least. */
	bool placed[KR_LITSCAN_MAX] = { false };
	for (size_t round = 0; round < n; round++) {
		size_t pick = n;
		for (size_t i = 0; i < n; i++)
			if (!placed[i] && (pick == n || fp_freq[i] > fp_freq[pick]))
				pick = i;
		placed[pick] = true;
		const unsigned char *fp = (const unsigned char *)ls->lit[pick] + ls->anchor[pick];
		unsigned best = 0;
		double best_cost = 0;
		for (unsigned b = 0; b < 8; b++) {
			struct kr_litscan trial = *ls;
			bucket_add(&trial, b, fp);
			double cost = bucket_freq(&trial, b) - (ls->bucket_n[b] ? bucket_freq(ls, b) : 0);
			if (b == 0 || cost < best_cost) {
				best = b;
				best_cost = cost;
			}
		}
		bucket_add(ls, best, fp);
		ls->bucket[best][ls->bucket_n[best]++] = (uint8_t)pick;
	}
#ifdef HAVE_SSSE3_PATH
	__builtin_cpu_init();
	ls->simd = __builtin_cpu_supports("avx2") ? 2 : __builtin_cpu_supports("ssse3") ? 1 : 0;
#endif
}

/* Confirms the candidates of the buckets in bits at fingerprint position
 * pos; returns the literal's start or SIZE_MAX. */
static size_t confirm(const struct kr_litscan *ls, const unsigned char *d, size_t from, size_t to,
		      size_t pos, unsigned bits, size_t *which)
{
	for (; bits; bits &= bits - 1) {
		unsigned b = (unsigned)__builtin_ctz(bits);
		for (size_t k = 0; k < ls->bucket_n[b]; k++) {
			size_t i = ls->bucket[b][k];
			if (pos - from < ls->anchor[i])
				continue;
			size_t start = pos - ls->anchor[i];
			if (to - start < ls->len[i] ||
			    memcmp(d + pos, ls->fp[i], KR_LITSCAN_FP) != 0 ||
			    memcmp(d + start, ls->lit[i], ls->len[i]) != 0)
				continue;
			if (which)
				*which = i;
			return start;
		}
	}
	return SIZE_MAX;
}

static size_t find_scalar(const struct kr_litscan *ls, const unsigned char *d, size_t from,
			  size_t to, size_t i, size_t *which)
{
	for (; i + KR_LITSCAN_FP <= to; i++) {
		unsigned m = 0xff;
		for (int j = 0; j < KR_LITSCAN_FP && m; j++)
			m &= ls->lo[j][d[i + j] & 15] & ls->hi[j][d[i + j] >> 4];
		if (!m)
			continue;
		size_t r = confirm(ls, d, from, to, i, m, which);
		if (r != SIZE_MAX)
			return r;
	}
	return to;
}

#ifdef HAVE_SSSE3_PATH
__attribute__((target("ssse3"))) static size_t find_ssse3(const struct kr_litscan *ls,
							 const unsigned char *d, size_t from,
							 size_t to, size_t *which)
{
	const __m128i nib = _mm_set1_epi8(0x0f);
	const __m128i zero = _mm_setzero_si128();
	__m128i lo[KR_LITSCAN_FP], hi[KR_LITSCAN_FP];
	for (int j = 0; j < KR_LITSCAN_FP; j++) {
		lo[j] = _mm_loadu_si128((const __m128i *)ls->lo[j]);
		hi[j] = _mm_loadu_si128((const __m128i *)ls->hi[j]);
	}
	size_t i = from;
	for (; i + 15 + KR_LITSCAN_FP <= to; i += 16) {
		__m128i m = _mm_set1_epi8(-1);
		for (int j = 0; j < KR_LITSCAN_FP; j++) {
			__m128i v = _mm_loadu_si128((const __m128i *)(d + i + j));
			__m128i l = _mm_shuffle_epi8(lo[j], _mm_and_si128(v, nib));
			__m128i h = _mm_shuffle_epi8(hi[j], _mm_and_si128(_mm_srli_epi16(v, 4), nib));
			m = _mm_and_si128(m, _mm_and_si128(l, h));
		}
		unsigned nz = ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(m, zero)) & 0xffffu;
		if (!nz)
			continue;
		uint8_t lanes[16];
		_mm_storeu_si128((__m128i *)lanes, m);
		for (; nz; nz &= nz - 1) {
			unsigned k = (unsigned)__builtin_ctz(nz);
			size_t r = confirm(ls, d, from, to, i + k, lanes[k], which);
			if (r != SIZE_MAX)
				return r;
		}
	}
	return find_scalar(ls, d, from, to, i, which);
}

__attribute__((target("avx2"))) static size_t find_avx2(const struct kr_litscan *ls,
						      const unsigned char *d, size_t from, size_t to,
						      size_t *which)
{
	const __m256i nib = _mm256_set1_epi8(0x0f);
	const __m256i zero = _mm256_setzero_si256();
	__m256i lo[KR_LITSCAN_FP], hi[KR_LITSCAN_FP];
	for (int j = 0; j < KR_LITSCAN_FP; j++) {
		lo[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)ls->lo[j]));
		hi[j] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)ls->hi[j]));
	}
	size_t i = from;
	for (; i + 31 + KR_LITSCAN_FP <= to; i += 32) {
		__m256i m = _mm256_set1_epi8(-1);
		for (int j = 0; j < KR_LITSCAN_FP; j++) {
			__m256i v = _mm256_loadu_si256((const __m256i *)(d + i + j));
			__m256i l = _mm256_shuffle_epi8(lo[j], _mm256_and_si256(v, nib));
			__m256i h = _mm256_shuffle_epi8(hi[j], _mm256_and_si256(_mm256_srli_epi16(v, 4), nib));
			m = _mm256_and_si256(m, _mm256_and_si256(l, h));
		}
		unsigned nz = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(m, zero));
		if (!nz)
			continue;
		uint8_t lanes[32];
		_mm256_storeu_si256((__m256i *)lanes, m);
		for (; nz; nz &= nz - 1) {
			unsigned k = (unsigned)__builtin_ctz(nz);
			size_t r = confirm(ls, d, from, to, i + k, lanes[k], which);
			if (r != SIZE_MAX)
				return r;
		}
	}
	return find_scalar(ls, d, from, to, i, which);
}
#endif

uint64_t kr_litscan_mask(const struct kr_litscan *ls, const unsigned char *data, size_t len)
{
	size_t which;
	if (kr_litscan_find(ls, data, 0, len, &which) >= len)
		return 0;
	/* Rare: a search stops at one literal (the earliest by fingerprint
	 * position), and searching on from there would miss any literal
	 * that starts before it, such as one that contains it; so each is
	 * looked for. */
	uint64_t mask = UINT64_C(1) << which;
	for (size_t i = 0; i < ls->n; i++)
		if (i != which && memmem(data, len, ls->lit[i], ls->len[i]))
			mask |= UINT64_C(1) << i;
	return mask;
}

size_t kr_litscan_find(const struct kr_litscan *ls, const unsigned char *data, size_t from,
		       size_t to, size_t *which)
{
#ifdef HAVE_SSSE3_PATH
	if (ls->simd == 2)
		return find_avx2(ls, data, from, to, which);
	if (ls->simd == 1)
		return find_ssse3(ls, data, from, to, which);
#endif
	return find_scalar(ls, data, from, to, from, which);
}
