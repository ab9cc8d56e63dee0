/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kr-test.h"
#include "markdown.h"
#include "report-fixture.h"

START_TEST(golden)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	_cleanup_free_ char *md = kr_markdown_render(r, NULL);
	kr_test_golden("summary.md", md, strlen(md));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(links)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	/* Relative to where the summary is written. */
	_cleanup_free_ char *elsewhere = kr_path_join(out, "reports/md");
	struct kr_markdown_options o = { .md_dir = elsewhere };
	_cleanup_free_ char *md = kr_markdown_render(r, &o);
	ck_assert_ptr_nonnull(strstr(md, "[console](<../../vhost-hung-task/run-1/console.log>)"));
	/* Under a base URL. */
	o = (struct kr_markdown_options){ .link_base = "https://ci.example/job/7/artifacts/out" };
	_cleanup_free_ char *md2 = kr_markdown_render(r, &o);
	ck_assert_ptr_nonnull(strstr(md2, "[report](<https://ci.example/job/7/artifacts/out/"
					  "vhost-hung-task/run-1/report.txt>)"));
	/* GitHub's step summary: paths without links, and the run's page. */
	o = (struct kr_markdown_options){ .plain_paths = true,
					  .run_url = "https://github.com/o/r/actions/runs/9" };
	_cleanup_free_ char *md3 = kr_markdown_render(r, &o);
	ck_assert_ptr_null(strstr(md3, "[console]"));
	ck_assert_ptr_nonnull(strstr(md3, "console: vhost-hung-task/run-1/console.log"));
	ck_assert_ptr_nonnull(strstr(md3, "[artifacts](<https://github.com/o/r/actions/runs/9>)"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Console text cannot add Markdown or HTML to the page. */
START_TEST(escaping)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct kr_run_result *run = r->scenarios[1]->runs[0];
	free(run->title);
	run->title = kr_strdup("<img src=x onerror=alert(1)> **bold** [a](http://x) | `c` @user "
			       "https://evil.example\n| row | injection |");
	_cleanup_free_ char *md = kr_markdown_render(r, NULL);
	for (const char *p = strstr(md, "<img"); p; p = strstr(p + 1, "<img"))
		ck_assert_msg(p > md && p[-1] == '\\', "unescaped: %.80s", p);
	ck_assert_ptr_null(strstr(md, "**bold**"));
	ck_assert_ptr_null(strstr(md, "](http://x)"));
	ck_assert_ptr_null(strstr(md, "https://evil"));
	ck_assert_ptr_null(strstr(md, " @user"));
	ck_assert_ptr_nonnull(strstr(md, "\\<img src=x onerror=alert\\(1\\)\\> \\*\\*bold\\*\\*"));
	/* Every table row still has its nine cell borders. */
	for (const char *line = strstr(md, "\n| "); line; line = strstr(line + 1, "\n| ")) {
		size_t pipes = 0;
		for (const char *p = line + 1; *p && *p != '\n'; p++)
			pipes += *p == '|' && p[-1] != '\\';
		ck_assert_uint_eq(pipes, 9);
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Whatever the results, the summary stays within its size, and says what
 * it left out. */
START_TEST(size_limit)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct kr_scenario_result *failed = r->scenarios[1];
	_cleanup_free_ char *long_title = kr_malloc(5001);
	memset(long_title, '|', 5000);
	long_title[5000] = '\0';
	for (int i = 0; i < 20000; i++) {
		struct kr_scenario_result *sr = kr_results_append(r);
		sr->name = kr_asprintf("many-%05d", i);
		sr->expected = KR_EXPECT_REPRODUCED;
		sr->verdict = KR_VERDICT_OTHER_CRASH;
		sr->outcome = KR_OUTCOME_FAILED;
		sr->reason = kr_strdup(long_title);
		struct kr_run_result *run = kr_scenario_result_add_run(sr);
		run->verdict = KR_VERDICT_OTHER_CRASH;
		run->title = kr_strdup(long_title);
		/* Every one of them points at the big hostile report. */
		run->dir = kr_strdup(failed->runs[0]->dir);
		run->report = kr_strdup("report.txt");
	}
	_cleanup_free_ char *md = kr_markdown_render(r, NULL);
	ck_assert_uint_le(strlen(md), KR_MARKDOWN_MAX);
	ck_assert_uint_gt(strlen(md), KR_MARKDOWN_MAX - 64 * 1024);
	ck_assert_ptr_nonnull(strstr(md, "more scenarios not shown"));
	ck_assert_ptr_nonnull(strstr(md, "**Details of "));

	struct kr_markdown_options small = { .max_bytes = 4096 };
	_cleanup_free_ char *md2 = kr_markdown_render(r, &small);
	ck_assert_uint_le(strlen(md2), 4096);
	ck_assert_ptr_nonnull(strstr(md2, "not shown"));
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("markdown");
	TCase *tc = tcase_create("markdown");
	tcase_add_test(tc, golden);
	tcase_add_test(tc, links);
	tcase_add_test(tc, escaping);
	tcase_add_test(tc, size_limit);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
