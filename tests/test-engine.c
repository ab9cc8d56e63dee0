/* SPDX-License-Identifier: MIT */
/* The run engine (runner/run/run.h) in this process, without the command:
 * a scenario run in a fake QEMU (kr_test_fake_qemu()) to its verdict,
 * results.json and the reports, the results handed out, no second run on
 * one engine; a baseline that cannot be read; an --out that cannot be
 * made. */
#include <string.h>
#include <unistd.h>

#include "kr-test.h"
#include "matrix.h"
#include "results.h"
#include "run.h"
#include "scenario.h"
#include "util.h"

/* A scenario "engine" in dir whose fake QEMU prints the file `after` once
 * the reproducer has started. */
static struct kr_scenario *fake_scenario(const char *dir, const char *after, const char *title)
{
	free(kr_test_write(dir, "bzImage", "not a kernel: the fake QEMU does not care"));
	_cleanup_free_ char *q = kr_test_fake_qemu(dir, "qemu", NULL, after);
	_cleanup_free_ char *json = kr_asprintf(
		"{\"kradar\":1,\"name\":\"engine\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":\"true\"},\"vm\":{\"kvm\":\"off\",\"qemu\":\"%s\"},"
		"\"timeouts\":{\"boot\":60,\"run\":60,\"no_output\":60,\"grace\":1,"
		"\"tcg_factor\":1},\"runs\":2,\"stop_on_hit\":false,"
		"\"expect\":{\"title\":\"%s\"}}",
		q, title);
	return kr_test_scenario(json);
}

START_TEST(one_scenario_to_its_results)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *stall = kr_path_join(kr_test_data(),
						  "crash-logs/synthetic-soft-lockup.log");
	struct kr_cell cell = { .s = fake_scenario(dir, stall,
						   "BUG: soft lockup in synthetic_spin_fn") };
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	setenv("KRADAR_BUSYBOX", "/bin/sh", 1); /* packed, never run */
	struct kr_run_options o = { .out = out, .jobs = 1, .quiet = true };
	_cleanup_engine_free_ struct kr_engine *e = kr_engine_new(&o);
	ck_assert_ptr_null(kr_engine_results(e));
	ck_assert_int_eq(kr_engine_run(e, &cell, 1), KR_ENGINE_DONE);
	ck_assert_ptr_null(kr_engine_write_error(e));
	const struct kr_results *r = kr_engine_results(e);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->n_scenarios, 1);
	const struct kr_scenario_result *sr = r->scenarios[0];
	ck_assert_uint_eq(sr->n_runs, 2);
	ck_assert_int_eq(sr->counts[KR_VERDICT_REPRODUCED], 2);
	ck_assert_int_eq(sr->verdict, KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(kr_results_exit_code(r), 0);
	/* written whole: results.json, the reports, each run's files */
	static const char *const files[] = { "results.json", "junit.xml", "summary.md",
					     "engine/run-1/result.json", "engine/run-2/report.txt",
					     "engine/run-2/console.log" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *path = kr_path_join(out, files[i]);
		ck_assert_msg(access(path, F_OK) == 0, "%s is missing", files[i]);
	}
	_cleanup_free_ char *results = kr_path_join(out, "results.json");
	ck_assert(kr_test_file_has(results, "\"verdict\": \"reproduced\""));
	/* one run per engine */
	ck_assert_int_eq(kr_engine_run(e, &cell, 1), -EALREADY);
	_cleanup_results_free_ struct kr_results *taken = kr_engine_take_results(e);
	ck_assert_ptr_eq(taken, r);
	ck_assert_ptr_null(kr_engine_results(e));
	kr_scenario_free(cell.s);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(bad_baseline_and_unwritable_out)
{
	const char *dir = kr_test_tmpdir();
	struct kr_cell cell = { .s = fake_scenario(dir, NULL, "never") };
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *missing = kr_path_join(dir, "no-such-results.json");
	/* a baseline that is not there: nothing runs, nothing is written */
	struct kr_run_options o = { .out = out, .jobs = 1, .quiet = true, .baseline = missing };
	struct kr_engine *e = kr_engine_new(&o);
	ck_assert_int_eq(kr_engine_run(e, &cell, 1), KR_ENGINE_BAD_BASELINE);
	ck_assert_ptr_null(kr_engine_results(e));
	ck_assert_int_ne(access(out, F_OK), 0);
	kr_engine_free(e);
	/* --out below a regular file cannot be made: the host failed */
	free(kr_test_write(dir, "file", "a file, not a directory"));
	_cleanup_free_ char *below = kr_path_join(dir, "file/out");
	o = (struct kr_run_options){ .out = below, .jobs = 1, .quiet = true };
	e = kr_engine_new(&o);
	ck_assert_int_eq(kr_engine_run(e, &cell, 1), KR_ENGINE_HOST_FAILED);
	ck_assert_ptr_null(kr_engine_results(e));
	kr_engine_free(e);
	kr_engine_free(NULL);
	kr_scenario_free(cell.s);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, one_scenario_to_its_results);
	tcase_add_test(tc, bad_baseline_and_unwritable_out);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
