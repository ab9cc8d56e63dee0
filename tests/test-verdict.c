/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "kr-test.h"
#include "results.h"
#include "scenario.h"
#include "verdict.h"

/* A scenario with the given expect object (JSON text). */
static struct kr_scenario *scenario(const char *expect, const char *extra)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "bzImage", "not a kernel"));
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":\"true\"},\"expect\":%s%s}",
		expect, extra ? extra : "");
	_cleanup_free_ char *file = kr_path_join(dir, "t.json");
	struct kr_diags d = { 0 };
	struct kr_scenario *s = NULL;
	int r = kr_scenario_load_text(file, text, strlen(text), &s, &d);
	ck_assert_msg(r == 0, "%s", d.n ? d.items[0].message : "?");
	return s;
}

static enum kr_verdict run(const struct kr_scenario *s, struct kr_run_facts f)
{
	_cleanup_free_ char *reason = NULL;
	enum kr_verdict v = kr_verdict_run(s, &f, &reason);
	ck_assert_ptr_nonnull(reason);
	return v;
}

START_TEST(run_verdicts)
{
	_cleanup_scenario_free_ struct kr_scenario *s =
		scenario("{\"title\":\"INFO: task hung in vhost_worker_killed\"}", NULL);
	struct kr_run_facts f = { 0 };
	ck_assert_int_eq(run(s, f), KR_VERDICT_CLEAN);
	f.title = "INFO: task hung in vhost_worker_killed";
	f.is_stall = true;
	f.n_evidence = 3; /* evidence does not matter when the title matches */
	ck_assert_int_eq(run(s, f), KR_VERDICT_REPRODUCED);
	f.title = "INFO: rcu detected stall in sys_read";
	ck_assert_int_eq(run(s, f), KR_VERDICT_ARTIFACT_STALL);
	f.n_evidence = 0;
	ck_assert_int_eq(run(s, f), KR_VERDICT_OTHER_CRASH);
	f.is_stall = false;
	f.n_evidence = 2; /* a WARNING is never an artifact */
	f.title = "WARNING in foo";
	ck_assert_int_eq(run(s, f), KR_VERDICT_OTHER_CRASH);
	char *alts[] = { "INFO: task hung in vhost_worker_killed", NULL };
	f.alt_titles = alts;
	ck_assert_int_eq(run(s, f), KR_VERDICT_REPRODUCED);
	f = (struct kr_run_facts){ .silent = true, .n_evidence = 1 };
	ck_assert_int_eq(run(s, f), KR_VERDICT_ARTIFACT_STALL);
	f.n_evidence = 0;
	ck_assert_int_eq(run(s, f), KR_VERDICT_OTHER_CRASH);
	f.infra_reason = "QEMU died";
	_cleanup_free_ char *reason = NULL;
	ck_assert_int_eq(kr_verdict_run(s, &f, &reason), KR_VERDICT_INFRA_ERROR);
	ck_assert_str_eq(reason, "QEMU died");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(title_matching)
{
	_cleanup_scenario_free_ struct kr_scenario *any = scenario("{}", NULL);
	ck_assert(kr_title_expected(any, "WARNING in x", NULL));
	ck_assert(!kr_title_expected(any, NULL, NULL));
	_cleanup_scenario_free_ struct kr_scenario *re =
		scenario("{\"titles\":[\"BUG: a\"],\"title_regex\":\"^WARNING in kradar_\"}", NULL);
	ck_assert(kr_title_expected(re, "BUG: a", NULL));
	ck_assert(kr_title_expected(re, "WARNING in kradar_test_write", NULL));
	ck_assert(!kr_title_expected(re, "WARNING in other", NULL));
	ck_assert(!kr_title_expected(re, "BUG: ab", NULL));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(wilson_interval)
{
	double lo, hi;
	kr_wilson_interval(0, 0, &lo, &hi);
	ck_assert(isnan(lo) && isnan(hi));
	/* Reference values for the Wilson score interval at z = 1.96. */
	kr_wilson_interval(5, 10, &lo, &hi);
	ck_assert_double_eq_tol(lo, 0.2366, 1e-3);
	ck_assert_double_eq_tol(hi, 0.7634, 1e-3);
	kr_wilson_interval(0, 10, &lo, &hi);
	ck_assert_double_eq_tol(lo, 0.0, 1e-9);
	ck_assert_double_eq_tol(hi, 0.2775, 1e-3);
	kr_wilson_interval(3, 3, &lo, &hi);
	ck_assert_double_eq_tol(lo, 0.4385, 1e-3);
	ck_assert_double_eq_tol(hi, 1.0, 1e-9);
}
END_TEST

static struct kr_scenario_result *series(struct kr_results *r, const struct kr_scenario *s,
					 const enum kr_verdict *verdicts, size_t n)
{
	struct kr_scenario_result *sr = kr_results_add_scenario(r, s);
	for (size_t i = 0; i < n; i++) {
		struct kr_run_result *run = kr_scenario_result_add_run(sr);
		run->verdict = verdicts[i];
		run->reason = kr_strdup(kr_verdict_to_string(verdicts[i]));
	}
	kr_verdict_scenario(sr);
	return sr;
}

START_TEST(scenario_verdicts)
{
	_cleanup_scenario_free_ struct kr_scenario *rep = scenario("{}", ",\"runs\":4");
	_cleanup_scenario_free_ struct kr_scenario *fixed =
		scenario("{\"verdict\":\"fixed\"}", NULL);
	_cleanup_scenario_free_ struct kr_scenario *clean =
		scenario("{\"verdict\":\"clean\"}", NULL);
	_cleanup_results_free_ struct kr_results *r = kr_results_new("/tmp/x");

	enum kr_verdict a[] = { KR_VERDICT_INFRA_ERROR, KR_VERDICT_CLEAN, KR_VERDICT_REPRODUCED };
	struct kr_scenario_result *sr = series(r, rep, a, 3);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_MET);
	ck_assert_int_eq(sr->counts[KR_VERDICT_INFRA_ERROR], 1);
	ck_assert_int_eq(sr->rate.hits, 1);
	ck_assert_int_eq(sr->rate.trials, 2);
	ck_assert_double_eq_tol(sr->rate.value, 0.5, 1e-9);
	ck_assert(kr_verdict_series_done(rep, sr));
	ck_assert_int_eq(kr_results_exit_code(r), 0);

	enum kr_verdict b[] = { KR_VERDICT_CLEAN, KR_VERDICT_OTHER_CRASH };
	sr = series(r, rep, b, 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_OTHER_CRASH);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_FAILED);
	ck_assert(!kr_verdict_series_done(rep, sr));

	enum kr_verdict c[] = { KR_VERDICT_ARTIFACT_STALL, KR_VERDICT_INFRA_ERROR };
	sr = series(r, rep, c, 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_ARTIFACT_STALL);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_INCONCLUSIVE);
	ck_assert(isnan(sr->rate.value));
	ck_assert_ptr_nonnull(strstr(sr->reason, "artifact-stall"));
	ck_assert_int_eq(kr_results_exit_code(r), 1); /* a failure wins */

	enum kr_verdict d[] = { KR_VERDICT_CLEAN, KR_VERDICT_CLEAN };
	sr = series(r, fixed, d, 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_FIXED);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_MET);
	sr = series(r, clean, d, 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_CLEAN);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_MET);

	enum kr_verdict e[] = { KR_VERDICT_CLEAN, KR_VERDICT_INFRA_ERROR };
	sr = series(r, fixed, e, 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_INFRA_ERROR);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_INCONCLUSIVE);
	enum kr_verdict f[] = { KR_VERDICT_CLEAN, KR_VERDICT_REPRODUCED };
	sr = series(r, fixed, f, 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(sr->outcome, KR_OUTCOME_FAILED);
	ck_assert(!kr_verdict_series_done(fixed, sr)); /* stop_on_hit is for reproduced */
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(exit_codes_and_json)
{
	_cleanup_scenario_free_ struct kr_scenario *s = scenario("{\"title\":\"WARNING in x\"}", NULL);
	_cleanup_results_free_ struct kr_results *r = kr_results_new(kr_test_tmpdir());
	ck_assert_int_eq(kr_results_exit_code(r), 0);
	enum kr_verdict a[] = { KR_VERDICT_INFRA_ERROR };
	struct kr_scenario_result *sr = series(r, s, a, 1);
	ck_assert_int_eq(kr_results_exit_code(r), 3);
	sr->kernel.image = kr_strdup("/k/bzImage");
	sr->kernel.sha256 = kr_strdup("ab12");
	struct kr_run_result *run = sr->runs[0];
	run->title = kr_strdup("bad \xff byte");
	run->accel = kr_strdup("tcg");
	run->duration_s = 1.23456;
	kr_strv_push(&run->evidence, kr_strdup("rcu: kthread starved for 10000 jiffies"));
	run->dir = kr_strdup("t/run-1");
	run->console_log = kr_strdup("console.log");
	ck_assert_int_eq(kr_results_write(r), 0);
	_cleanup_free_ char *path = kr_path_join(kr_test_tmpdir(), "results.json");
	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &json, NULL), 0);
	const char *want[] = {
		"\"version\": 1",         "\"exit_code\": 3",      "\"name\": \"t\"",
		"\"expected\": \"reproduced\"", "\"verdict\": \"infra-error\"",
		"\"outcome\": \"inconclusive\"", "\"infra-error\": 1", "\"value\": null",
		"\"accel\": \"tcg\"",     "\"duration_s\": 1.235", "\"sha256\": \"ab12\"",
		"\"console_log\": \"console.log\"", "kthread starved", "bad \xef\xbf\xbd byte",
		"\"expected_titles\": [\n        \"WARNING in x\"",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(strstr(json, want[i]), "missing %s in %s", want[i], json);
	r->interrupted = true;
	r->signal = 2;
	ck_assert_int_eq(kr_results_exit_code(r), 130);
	ck_assert_int_eq(kr_verdict_from_string("artifact-stall"), KR_VERDICT_ARTIFACT_STALL);
	ck_assert_int_eq(kr_verdict_from_string("nope"), -EINVAL);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("verdict");
	tcase_add_test(tc, run_verdicts);
	tcase_add_test(tc, title_matching);
	tcase_add_test(tc, wilson_interval);
	tcase_add_test(tc, scenario_verdicts);
	tcase_add_test(tc, exit_codes_and_json);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
