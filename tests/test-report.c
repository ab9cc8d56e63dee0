/* SPDX-License-Identifier: MIT */
/* kradar report: the reports again, from a results.json. */
#include <string.h>
#include <sys/stat.h>

#include "junit.h"
#include "kr-test.h"
#include "report-fixture.h"

static int report(char *const *args, char **out, char **err)
{
	char *argv[16] = { (char *)kr_test_kradar(), "report" };
	size_t n = 2;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return kr_test_spawn(argv, NULL, 0, out, err, 60);
}

static char *fixture_file(const char *out)
{
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	ck_assert_int_eq(kr_results_write(r), 0);
	return kr_path_join(out, "results.json");
}

START_TEST(defaults)
{
	const char *out = kr_test_tmpdir();
	_cleanup_free_ char *path = fixture_file(out);
	_cleanup_free_ char *o = NULL, *e = NULL;
	char *args[] = { path, NULL };
	ck_assert_int_eq(report(args, &o, &e), 0);
	ck_assert_str_eq(e, "");
	/* Next to results.json, and what the results read back render to. */
	_cleanup_free_ char *junit = kr_path_join(out, "junit.xml");
	_cleanup_free_ char *summary = kr_path_join(out, "summary.md");
	_cleanup_free_ char *xml = NULL, *md = NULL;
	size_t xlen = 0, mlen = 0;
	ck_assert_int_eq(kr_read_file(junit, 1 << 24, &xml, &xlen), 0);
	ck_assert_int_eq(kr_read_file(summary, 1 << 24, &md, &mlen), 0);
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL, *want = NULL;
	ck_assert_int_eq(kr_results_load(path, &r, &err), 0);
	size_t wlen = 0;
	ck_assert_int_eq(kr_junit_render(r, NULL, &want, &wlen, &err), 0);
	ck_assert_uint_eq(xlen, wlen);
	ck_assert(!memcmp(xml, want, xlen));
	ck_assert(kr_str_startswith(md, "## kradar: 1 failed, 1 inconclusive, 3 met, 1 skipped\n"));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(outputs)
{
	const char *out = kr_test_tmpdir();
	_cleanup_free_ char *path = fixture_file(out);
	_cleanup_free_ char *o = NULL, *e = NULL;
	char *args[] = { "--junit", "-", path, NULL };
	ck_assert_int_eq(report(args, &o, &e), 0);
	ck_assert(kr_str_startswith(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"));
	_cleanup_free_ char *junit = kr_path_join(out, "junit.xml");
	ck_assert_int_eq(access(junit, F_OK), -1); /* only what was asked for */

	_cleanup_free_ char *md = kr_path_join(out, "sub/dir/summary.md");
	_cleanup_free_ char *subdir = kr_path_join(out, "sub/dir");
	ck_assert_int_eq(kr_mkdir_p(subdir, 0755), 0);
	_cleanup_free_ char *o2 = NULL, *e2 = NULL;
	char *args2[] = { path, "--markdown", md, "--github", NULL };
	ck_assert_int_eq(report(args2, &o2, &e2), 0);
	ck_assert(kr_str_startswith(o2, "::group::kradar: [1/6] vhost-hung-task\n"));
	ck_assert_ptr_nonnull(strstr(o2, "::error title=kradar%3A jump-label::"));
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(md, 1 << 24, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, "[console](<../../vhost-hung-task/run-1/console.log>)"));

	_cleanup_free_ char *o3 = NULL, *e3 = NULL;
	char *args3[] = { path, "--gitlab", NULL };
	ck_assert_int_eq(report(args3, &o3, &e3), 0);
	ck_assert(kr_str_startswith(o3, "\033[0Ksection_start:"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The CI the environment names changes what the files link to. */
START_TEST(ci_environment)
{
	const char *out = kr_test_tmpdir();
	_cleanup_free_ char *path = fixture_file(out);
	_cleanup_free_ char *parent = kr_path_dirname(out);
	setenv("GITLAB_CI", "true", 1);
	setenv("CI_PROJECT_DIR", parent, 1);
	_cleanup_free_ char *o = NULL, *e = NULL;
	char *args[] = { "--junit", "-", path, NULL };
	ck_assert_int_eq(report(args, &o, &e), 0);
	unsetenv("GITLAB_CI");
	const char *base = strrchr(out, '/') + 1;
	_cleanup_free_ char *att = kr_asprintf("<system-out>[[ATTACHMENT|%s/vhost-hung-task/run-1/"
					       "console.log]]\n", base);
	ck_assert_ptr_nonnull(strstr(o, att));

	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_SERVER_URL", "https://github.com", 1);
	setenv("GITHUB_REPOSITORY", "o/r", 1);
	setenv("GITHUB_RUN_ID", "42", 1);
	_cleanup_free_ char *o2 = NULL, *e2 = NULL;
	char *args2[] = { "--markdown", "-", path, NULL };
	ck_assert_int_eq(report(args2, &o2, &e2), 0);
	unsetenv("GITHUB_ACTIONS");
	ck_assert_ptr_nonnull(strstr(o2, "[artifacts](<https://github.com/o/r/actions/runs/42>)"));
	ck_assert_ptr_nonnull(strstr(o2, "console: vhost-hung-task/run-1/console.log"));
	ck_assert_ptr_null(strstr(o2, "[console]("));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(bad_input)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *bad = kr_test_write(dir, "results.json", "{\"version\": 1,\n  \"scenarios\": 7}\n");
	_cleanup_free_ char *o = NULL, *e = NULL;
	char *args[] = { bad, NULL };
	ck_assert_int_eq(report(args, &o, &e), 2);
	_cleanup_free_ char *want = kr_asprintf("kradar: error: %s:2:16: scenarios: expected an "
						"array, got an integer\n", bad);
	ck_assert_str_eq(e, want);

	_cleanup_free_ char *o2 = NULL, *e2 = NULL;
	char *missing[] = { "/nonexistent/results.json", NULL };
	ck_assert_int_eq(report(missing, &o2, &e2), 2);
	ck_assert_str_eq(e2, "kradar: error: /nonexistent/results.json: cannot read: No such file "
			     "or directory\n");

	_cleanup_free_ char *o3 = NULL, *e3 = NULL;
	char *none[] = { NULL };
	ck_assert_int_eq(report(none, &o3, &e3), 2);
	ck_assert(kr_str_startswith(e3, "kradar report: no results.json given"));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(unwritable)
{
	const char *out = kr_test_tmpdir();
	_cleanup_free_ char *path = fixture_file(out);
	_cleanup_free_ char *o = NULL, *e = NULL;
	char *args[] = { path, "--junit", "/nonexistent/dir/junit.xml", NULL };
	ck_assert_int_eq(report(args, &o, &e), 4);
	ck_assert(kr_str_startswith(e, "kradar: error: cannot write /nonexistent/dir/junit.xml: "));
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, outputs);
	tcase_add_test(tc, ci_environment);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, unwritable);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
