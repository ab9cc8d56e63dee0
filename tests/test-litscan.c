/* SPDX-License-Identifier: MIT */
/* The multi-literal search of the scanner's fast path: every code path
 * (scalar, SSSE3, AVX2) finds what a plain search finds. */
#include <string.h>

#include "kr-test.h"
#include "litscan.h"
#include "util.h"

static const char *const lits[] = {
	"BUG:", "WARNING:", "general protection fault", "divide error:", "Kernel panic",
	"hrtimer: interrupt took ", "rust_kernel: panicked", "INFO:", "UBSAN:", "panic:",
	"unregister_netdevice: waiting for", " kthread starved for ",
};

/* The earliest fingerprint position with a literal, and whether start is
 * the start of a literal whose fingerprint is there. */
static size_t reference(const struct kr_litscan *ls, const unsigned char *d, size_t from, size_t to,
			size_t got, bool *got_ok)
{
	*got_ok = false;
	for (size_t p = from; p < to; p++) {
		bool any = false;
		for (size_t i = 0; i < ls->n; i++) {
			if (p - from < ls->anchor[i])
				continue;
			size_t start = p - ls->anchor[i];
			if (to - start < ls->len[i] || memcmp(d + start, ls->lit[i], ls->len[i]))
				continue;
			any = true;
			*got_ok |= got == start;
		}
		if (any)
			return p;
	}
	*got_ok = got == to;
	return to;
}

static unsigned rng = 1;

static unsigned rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

START_TEST(every_path_finds_what_a_plain_search_finds)
{
	struct kr_litscan ls;
	kr_litscan_init(&ls, lits, KR_ARRAY_SIZE(lits));
	int best = ls.simd;
	static const char alphabet[] = "abcdefgBUGINFOWARN:_ \n0123456789[]";
	unsigned char buf[3000];
	for (int round = 0; round < 3000; round++) {
		size_t len = rnd() % sizeof(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = round % 3 ? (unsigned char)alphabet[rnd() % (sizeof(alphabet) - 1)] :
					     (unsigned char)rnd();
		/* plant a few literals, some cut by the end */
		for (int k = rnd() % 4; k > 0 && len; k--) {
			const char *l = lits[rnd() % KR_ARRAY_SIZE(lits)];
			size_t at = rnd() % len;
			size_t n = strlen(l) < len - at ? strlen(l) : len - at;
			memcpy(buf + at, l, n);
		}
		size_t from = len ? rnd() % (len + 1) : 0;
		for (int simd = 0; simd <= best; simd++) {
			ls.simd = simd;
			size_t which = SIZE_MAX;
			size_t got = kr_litscan_find(&ls, buf, from, len, &which);
			bool ok;
			size_t p = reference(&ls, buf, from, len, got, &ok);
			ck_assert_msg(ok, "round %d simd %d: got %zu, fingerprint at %zu", round, simd, got,
				      p);
			if (got < len)
				ck_assert_mem_eq(buf + got, ls.lit[which], ls.len[which]);
		}
	}
}
END_TEST

/* Literals that contain or overlap others, as the crash tables have them
 * ("kernel BUG at" holds "BUG "): a search stops at the one whose
 * fingerprint comes first, which may start after another. "abcdef XYZQ"
 * has its fingerprint on its rare bytes, after the start of "cdef". */
static const char *const overlapping[] = {
	"hrtimer: interrupt took", "interrupt took too long", "kernel BUG at", "BUG ",
	"INIT: PANIC: ", "PANIC: double fault", "WARNING:", "abcdef XYZQ", "cdef",
};

START_TEST(mask_has_every_literal_of_a_line)
{
	struct kr_litscan ls;
	kr_litscan_init(&ls, overlapping, KR_ARRAY_SIZE(overlapping));
	int best = ls.simd;
	static const char *const planted[] = { "hrtimer: interrupt took too long",
					       "INIT: PANIC: double fault", "kernel BUG at", "BUG ",
					       "WARNING:", "abcdef XYZQ" };
	char buf[512];
	for (int round = 0; round < 2000; round++) {
		size_t len = 0;
		for (int k = rnd() % 4; k >= 0; k--) {
			const char *p = planted[rnd() % KR_ARRAY_SIZE(planted)];
			size_t gap = rnd() % 40;
			if (len + gap + strlen(p) >= sizeof(buf))
				break;
			memset(buf + len, round % 2 ? ' ' : 'x', gap);
			memcpy(buf + len + gap, p, strlen(p));
			len += gap + strlen(p);
		}
		uint64_t want = 0;
		for (size_t i = 0; i < ls.n; i++)
			if (memmem(buf, len, ls.lit[i], ls.len[i]))
				want |= UINT64_C(1) << i;
		for (int simd = 0; simd <= best; simd++) {
			ls.simd = simd;
			uint64_t got = kr_litscan_mask(&ls, (const unsigned char *)buf, len);
			ck_assert_msg(got == want, "round %d simd %d: %.*s: mask %#llx, want %#llx", round,
				      simd, (int)len, buf, (unsigned long long)got,
				      (unsigned long long)want);
		}
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("litscan");
	TCase *tc = tcase_create("litscan");
	tcase_add_test(tc, every_path_finds_what_a_plain_search_finds);
	tcase_add_test(tc, mask_has_every_literal_of_a_line);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
