/* SPDX-License-Identifier: MIT */
/* verify-fix's judgement and its arithmetic. */
#include <math.h>
#include <string.h>

#include "kr-test.h"
#include "verdict.h"
#include "verify.h"

#define NEAR(a, b) ck_assert_msg(fabs((a) - (b)) < 1e-4, "%.6f is not %.6f", (double)(a), (double)(b))

START_TEST(arithmetic)
{
	NEAR(kr_fix_p_wrong(0.5, 5), 0.03125);
	NEAR(kr_fix_p_wrong(0.1, 0), 1);
	ck_assert_int_eq(kr_fix_runs_needed(0.5, 0.95), 5);  /* 0.5^4 = 0.0625, 0.5^5 < 0.05 */
	ck_assert_int_eq(kr_fix_runs_needed(0.5, 0.75), 2);  /* exactly 0.25: not 3 */
	ck_assert_int_eq(kr_fix_runs_needed(0.1, 0.95), 29); /* 0.9^28 = 0.0523, 0.9^29 = 0.0471 */
	ck_assert_int_eq(kr_fix_runs_needed(0.9, 0.99), 2);
	ck_assert_int_eq(kr_fix_runs_needed(1, 0.99), 1);
	ck_assert_int_eq(kr_fix_runs_needed(0, 0.95), -1);
	/* runs_needed is the least n with (1-p)^n <= 1-c. */
	for (int i = 1; i < 100; i++) {
		double p = i / 100.0;
		for (double c = 0.5; c < 0.999; c += 0.049) {
			long n = kr_fix_runs_needed(p, c);
			ck_assert_int_ge(n, 1);
			ck_assert_msg(kr_fix_p_wrong(p, (int)n) <= 1 - c + 1e-12, "p %g c %g n %ld", p, c, n);
			if (n > 1)
				ck_assert_msg(kr_fix_p_wrong(p, (int)n - 1) > 1 - c - 1e-12, "p %g c %g", p, c);
		}
	}
}
END_TEST

static void judge(struct kr_fix_evidence e, enum kr_fix_result want, struct kr_fix_verdict *v)
{
	kr_fix_judge(&e, v);
	ck_assert_msg(v->result == want, "got %s (%s), want %s", kr_fix_result_to_string(v->result),
		      v->reason, kr_fix_result_to_string(want));
	ck_assert_ptr_nonnull(v->reason);
}

START_TEST(verdicts)
{
	struct kr_fix_verdict v;
	/* 2/2 on bad, 2 clean on fixed: the demo's verify-fix. */
	judge((struct kr_fix_evidence){ .bad_reproduced = 2, .bad_conclusive = 2, .fixed_clean = 2 },
	      KR_FIX_FIXED, &v);
	double low, high;
	kr_wilson_interval(2, 2, &low, &high);
	NEAR(v.rate, 1);
	NEAR(v.rate_low, low);
	NEAR(v.rate_low, 0.342380);
	NEAR(v.p_wrong, pow(1 - low, 2));
	NEAR(v.p_wrong, 0.432464);
	NEAR(v.p_wrong_observed, 0);
	ck_assert_int_eq(v.runs_needed, 8); /* for 0.95 */
	kr_fix_verdict_clear(&v);

	/* The same with --confidence 0.95: not enough runs. */
	judge((struct kr_fix_evidence){ .bad_reproduced = 2, .bad_conclusive = 2, .fixed_clean = 2,
					.confidence = 0.95 },
	      KR_FIX_INCONCLUSIVE, &v);
	ck_assert_msg(strstr(v.reason, "needs 8 clean runs"), "%s", v.reason);
	kr_fix_verdict_clear(&v);
	/* ... and with 8 clean runs it is reached. */
	judge((struct kr_fix_evidence){ .bad_reproduced = 2, .bad_conclusive = 2, .fixed_clean = 8,
					.confidence = 0.95 },
	      KR_FIX_FIXED, &v);
	ck_assert(v.p_wrong <= 0.05);
	kr_fix_verdict_clear(&v);

	/* A flaky bug: 5 of 10, lower bound 0.2366, 12 clean runs for 95%. */
	judge((struct kr_fix_evidence){ .bad_reproduced = 5, .bad_conclusive = 10,
					.fixed_clean = 10, .fixed_other = 1, .fixed_inconclusive = 2 },
	      KR_FIX_FIXED, &v);
	NEAR(v.rate, 0.5);
	NEAR(v.rate_low, 0.236593);
	ck_assert_int_eq(v.runs_needed, 12);
	NEAR(v.p_wrong_observed, pow(0.5, 10));
	ck_assert_msg(strstr(v.reason, "1 other crash on the fixed kernel"), "%s", v.reason);
	kr_fix_verdict_clear(&v);

	judge((struct kr_fix_evidence){ .bad_reproduced = 3, .bad_conclusive = 3,
					.fixed_reproduced = 1, .fixed_clean = 2 },
	      KR_FIX_STILL_REPRODUCES, &v);
	ck_assert(isnan(v.p_wrong));
	kr_fix_verdict_clear(&v);
	/* Still reproducing is news even when the bad kernel did not. */
	judge((struct kr_fix_evidence){ .bad_conclusive = 3, .fixed_reproduced = 1 },
	      KR_FIX_STILL_REPRODUCES, &v);
	kr_fix_verdict_clear(&v);
	judge((struct kr_fix_evidence){ .bad_conclusive = 4, .fixed_clean = 4 },
	      KR_FIX_NOT_REPRODUCIBLE_ON_BAD, &v);
	ck_assert_int_eq(v.runs_needed, -1);
	kr_fix_verdict_clear(&v);
	judge((struct kr_fix_evidence){ .fixed_clean = 4 }, KR_FIX_INCONCLUSIVE, &v);
	ck_assert(isnan(v.rate));
	kr_fix_verdict_clear(&v);
	judge((struct kr_fix_evidence){ .bad_reproduced = 1, .bad_conclusive = 1, .fixed_other = 2,
					.fixed_inconclusive = 1 },
	      KR_FIX_INCONCLUSIVE, &v);
	ck_assert_msg(strstr(v.reason, "no clean run on the fixed kernel"), "%s", v.reason);
	kr_fix_verdict_clear(&v);
	ck_assert_str_eq(kr_fix_result_to_string(KR_FIX_NOT_REPRODUCIBLE_ON_BAD),
			 "not-reproducible-on-bad");
}
END_TEST

/* Bad input to the command: exit 2 before any guest. */
START_TEST(command_input)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "bzImage", "not a kernel"));
	_cleanup_free_ char *scen = kr_test_write(
		dir, "s.json",
		"{\"kradar\": 1, \"name\": \"s\", \"kernel\": {\"image\": \"bzImage\"}, "
		"\"repro\": {\"sh\": \"${KRADAR_TEST_ACTION}\"}}");
	_cleanup_free_ char *img = kr_path_join(dir, "bzImage");
	static const struct {
		const char *args[6];
		const char *want;
	} cases[] = {
		{ { "--bad", "@IMG", NULL }, "--bad and --fixed are both needed" },
		{ { "--bad", "@IMG", "--fixed", "v6.1", NULL }, "--fixed: v6.1 is not a file, and" },
		{ { "--bad", "@IMG", "--fixed", "@IMG", "--confidence", "1" }, "--confidence: expected" },
		{ { "--bad", "@IMG", "--fixed", "@IMG", "--bad-env", "=x" }, "--bad-env: expected NAME=value" },
		{ { "--bad", "@IMG", "--fixed", "@IMG", "--runs", "0" }, "--runs: expected 1..100000" },
		{ { "--bad", "@IMG", "--fixed", "@IMG", NULL }, "environment variable KRADAR_TEST_ACTION is not set" },
	};
	setenv("KRADAR_TEST_ACTION", "true", 1);
	for (size_t i = 0; i < KR_ARRAY_SIZE(cases); i++) {
		if (i == KR_ARRAY_SIZE(cases) - 1)
			unsetenv("KRADAR_TEST_ACTION");
		char *argv[10] = { (char *)kr_test_kradar(), "verify-fix", scen };
		size_t n = 3;
		for (size_t k = 0; k < 6 && cases[i].args[k]; k++)
			argv[n++] = !strcmp(cases[i].args[k], "@IMG") ? img : (char *)cases[i].args[k];
		_cleanup_free_ char *o = NULL, *e = NULL;
		int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 60);
		ck_assert_msg(rc == 2, "case %zu: rc %d: %s", i, rc, e);
		ck_assert_msg(strstr(e, cases[i].want), "case %zu: %s", i, e);
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verify");
	tcase_add_test(tc, arithmetic);
	tcase_add_test(tc, verdicts);
	tcase_add_test(tc, command_input);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
