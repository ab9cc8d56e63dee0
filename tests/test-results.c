/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "describe.h"
#include "json-writer.h"
#include "kr-test.h"
#include "report-fixture.h"
#include "results.h"

static char *dump(const struct kr_results *r)
{
	_cleanup_json_free_ struct kr_json *j = kr_results_to_json(r);
	return kr_json_dump(j, true);
}

/* results.json read back gives the same results.json. */
START_TEST(round_trip)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	r->interrupted = true;
	r->signal = 15;
	/* the settle period and the detectors */
	r->scenarios[0]->runs[0]->settle_s = 24.0004;
	r->scenarios[0]->runs[0]->settle_planned_s = 24;
	r->scenarios[0]->runs[0]->detectors = kr_strdup("detectors.txt");
	kr_strv_push(&r->scenarios[0]->detectors,
		     kr_strdup("kernel.hung_task_timeout_secs=15 (kradar)"));
	/* matched through a frame above the title frame: a negative depth */
	struct kr_run_result *matched = r->scenarios[0]->runs[0];
	free(matched->title);
	matched->title = kr_strdup("INFO: task hung in vhost_worker");
	matched->match = (struct kr_title_match){ .rule = KR_MATCH_FRAME,
		.expected = kr_strdup("INFO: task hung in vhost_worker_killed"),
		.frame = kr_strdup("vhost_worker_killed.cold"), .depth = -1 };
	ck_assert_int_eq(kr_results_write(r), 0);
	_cleanup_free_ char *path = kr_path_join(out, "results.json");
	_cleanup_results_free_ struct kr_results *back = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(path, &back, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_str_eq(back->out_dir, out);
	ck_assert_str_eq(back->kradar_version, "0.1.0-test");
	ck_assert_int_eq(back->signal, 15);
	ck_assert_uint_eq(back->n_scenarios, r->n_scenarios);
	ck_assert_int_eq(back->scenarios[3]->outcome, KR_OUTCOME_SKIPPED);
	ck_assert_int_eq(back->scenarios[3]->verdict, KR_VERDICT_SKIPPED);
	const struct kr_title_match *m = &back->scenarios[0]->runs[0]->match;
	ck_assert_int_eq(m->rule, KR_MATCH_FRAME);
	ck_assert_str_eq(m->frame, "vhost_worker_killed.cold");
	ck_assert_str_eq(m->expected, "INFO: task hung in vhost_worker_killed");
	ck_assert_int_eq(m->depth, -1);
	ck_assert_int_eq(back->scenarios[1]->runs[0]->match.rule, KR_MATCH_NONE);
	/* a run line says which frame matched */
	_cleanup_free_ char *line = kr_describe_run(back->scenarios[0], back->scenarios[0]->runs[0]);
	ck_assert_str_eq(line, "run 1/3: reproduced: INFO: task hung in vhost_worker "
			       "(through frame vhost_worker_killed.cold at depth -1) [tcg, 41.2 s]");
	ck_assert_int_eq(kr_results_exit_code(back), 128 + 15);
	_cleanup_free_ char *a = dump(r), *b = dump(back);
	ck_assert_str_eq(a, b);
	ck_assert_ptr_nonnull(strstr(a, "\"qemu_version\": \"QEMU emulator version 7.2.15"));
	KR_ASSERT_HAS(a, "\"settle_s\": 24.0,");
	KR_ASSERT_HAS(a, "\"settle_planned_s\": 24.0,");
	KR_ASSERT_HAS(a, "\"detectors\": \"detectors.txt\"");
	KR_ASSERT_HAS(a, "\"detectors\": [\n        \"kernel.hung_task_timeout_secs=15 (kradar)\"");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A relative path is read from the working directory; out_dir is the
 * file's absolute directory. */
START_TEST(relative_path)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "sub/results.json", "{\"version\": 1, \"scenarios\": []}"));
	ck_assert_int_eq(chdir(dir), 0);
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load("sub/results.json", &r, &err) == 0, "%s", kr_test_tail(err));
	_cleanup_free_ char *want = kr_path_join(dir, "sub");
	ck_assert_str_eq(r->out_dir, want);
	ck_assert_uint_eq(r->n_scenarios, 0);
	ck_assert_ptr_null(r->kradar_version);
	kr_test_tmpdir_cleanup();
}
END_TEST

static void load_fails(const char *text, const char *want)
{
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_results_load_text("r.json", text, strlen(text), &r, &err), -EINVAL);
	ck_assert_ptr_null(r);
	ck_assert_msg(err && !strcmp(err, want), "got \"%s\", want \"%s\"", kr_test_tail(err), want);
}

#define SCENARIO_HEAD "{\"version\": 1,\n \"scenarios\": [{\"name\": \"a\", \"expected\": \"clean\", "

START_TEST(bad_input)
{
	load_fails("{\"version\": 1,", "r.json:1:14: invalid JSON: string or '}' expected near end of file");
	load_fails("[]", "r.json:1:1: results.json holds an object, got an array");
	load_fails("{}", "r.json:1:1: \"version\" is missing");
	load_fails("{\"version\": 2, \"scenarios\": []}",
		   "r.json:1:13: version: version 2 is not 1, the version this kradar reads");
	load_fails("{\"version\": \"1\"}", "r.json:1:13: version: expected an integer, got a string");
	load_fails("{\"version\": 1}", "r.json:1:1: \"scenarios\" is missing");
	load_fails("{\"version\": 1, \"scenarios\": [3]}",
		   "r.json:1:30: scenarios[0]: expected an object, got an integer");
	load_fails("{\"version\": 1,\n \"scenarios\": [{\"expected\": \"clean\"}]}",
		   "r.json:2:16: scenarios[0]: \"name\" is missing");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", \"runs\": [{}]}]}",
		   "r.json:2:98: scenarios[0].runs[0]: \"verdict\" is missing");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"fixed\"}]}]}",
		   "r.json:2:110: scenarios[0].runs[0].verdict: \"fixed\" is not a run verdict");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"clean\", \"match\": \"exact\"}]}]}",
		   "r.json:2:128: scenarios[0].runs[0].match: expected an object, got a string");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"clean\", \"match\": {\"rule\": \"fuzzy\"}}]}]}",
		   "r.json:2:137: scenarios[0].runs[0].match.rule: \"fuzzy\" is not exact or frame");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"clean\", \"match\": {\"rule\": \"frame\", "
				 "\"depth\": 1.5}}]}]}",
		   "r.json:2:155: scenarios[0].runs[0].match.depth: expected an integer, got a number");
	load_fails(SCENARIO_HEAD "\"verdict\": \"maybe\", \"outcome\": \"met\"}]}",
		   "r.json:2:62: scenarios[0].verdict: \"maybe\" is not a verdict");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", \"runs_planned\": -1}]}",
		   "r.json:2:105: scenarios[0].runs_planned: -1 is out of range");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", \"kernel\": []}]}",
		   "r.json:2:99: scenarios[0].kernel: expected an object, got an array");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"expected_titles\": [\"x\", 1]}]}",
		   "r.json:2:114: scenarios[0].expected_titles[1]: expected a string, got an integer");
	/* names that would lead out of the results' directory */
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"clean\", \"dir\": \"../../etc\"}]}]}",
		   "r.json:2:126: scenarios[0].runs[0].dir: \"../../etc\" is not a directory inside "
		   "the results' directory");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"clean\", \"dir\": \"/etc\"}]}]}",
		   "r.json:2:126: scenarios[0].runs[0].dir: \"/etc\" is not a directory inside "
		   "the results' directory");
	load_fails(SCENARIO_HEAD "\"verdict\": \"clean\", \"outcome\": \"met\", "
				 "\"runs\": [{\"verdict\": \"clean\", \"dir\": \"a/run-1\", "
				 "\"artifacts\": {\"console_log\": \"../../../etc/passwd\"}}]}]}",
		   "r.json:2:150: scenarios[0].runs[0].artifacts: \"../../../etc/passwd\" is not a file "
		   "name of the run's directory");
}
END_TEST

/* Keys a newer kradar adds are ignored; missing optional keys are empty. */
START_TEST(lenient)
{
	const char *text = SCENARIO_HEAD "\"verdict\": \"fixed\", \"outcome\": \"met\", \"future\": "
					 "{\"x\": [1]}, \"title\": \"nul\\u0000inside\"}], \"new\": true}";
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load_text("r.json", text, strlen(text), &r, &err) == 0, "%s", kr_test_tail(err));
	const struct kr_scenario_result *sr = r->scenarios[0];
	ck_assert_str_eq(sr->name, "a");
	ck_assert_int_eq(sr->expected, KR_EXPECT_CLEAN);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_FIXED);
	ck_assert_ptr_nonnull(sr->expected_titles);
	ck_assert_ptr_null(sr->expected_titles[0]);
	ck_assert_uint_eq(sr->n_runs, 0);
	ck_assert(sr->duration_s < 0);
}
END_TEST

START_TEST(unreadable)
{
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_results_load("/nonexistent/results.json", &r, &err), -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/results.json: cannot read: No such file or directory");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("results");
	TCase *tc = tcase_create("results");
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, relative_path);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, lenient);
	tcase_add_test(tc, unreadable);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
