/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kr-test.h"
#include "log.h"
#include "github.h"
#include "progress.h"
#include "report-fixture.h"

static double fake_now;
static double clock_now(void)
{
	return fake_now;
}
static double clock_wall(void)
{
	return 1700000000 + fake_now;
}

struct capture {
	char *text;
	size_t len;
	FILE *f;
};

static void capture_start(struct capture *c)
{
	*c = (struct capture){ 0 };
	c->f = open_memstream(&c->text, &c->len);
	ck_assert_ptr_nonnull(c->f);
}

static void capture_end(struct capture *c)
{
	fclose(c->f);
}

static char *replay(enum kr_ci ci, const char *token)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct capture c;
	capture_start(&c);
	struct kr_progress_config pc = { .out = c.f, .style = KR_PROGRESS_PLAIN, .ci = ci,
					 .workspace = "/src", .github_token = token,
					 .now = clock_now, .wall = clock_wall };
	struct kr_progress *p = kr_progress_new(&pc);
	kr_progress_replay(p, r);
	kr_progress_free(p);
	capture_end(&c);
	return c.text;
}

START_TEST(github_golden)
{
	_cleanup_free_ char *log = replay(KR_CI_GITHUB, "TOKEN");
	kr_test_golden("github.log", log, strlen(log));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(gitlab_golden)
{
	_cleanup_free_ char *log = replay(KR_CI_GITLAB, NULL);
	kr_test_golden("gitlab.log", log, strlen(log));
	/* Only kradar's own section markers are raw: one start and one end
	 * per scenario, though the hostile console holds a section_end. */
	size_t starts = 0, ends = 0;
	for (const char *p = log; (p = strstr(p, "\033[0Ksection_start:")); p++)
		starts++;
	for (const char *p = log; (p = strstr(p, "\033[0Ksection_end:")); p++)
		ends++;
	ck_assert_uint_eq(starts, 6);
	ck_assert_uint_eq(ends, 6);
	ck_assert_ptr_nonnull(strstr(log, "\\x1b[0Ksection_end:1700000000:kradar_scenario_2\\x0d"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The workflow commands GitHub's runner would act on in log: lines that
 * start with "::" (after leading blanks) or hold "##[", except while
 * ::stop-commands:: is in force. Returns them as "name|line". */
static char **github_commands(const char *log)
{
	char **found = kr_calloc(1, sizeof(char *));
	_cleanup_free_ char *stop = NULL;
	const char *line = log;
	while (*line) {
		size_t n = strcspn(line, "\n");
		_cleanup_free_ char *l = kr_strndup(line, n);
		line += n + (line[n] == '\n');
		if (stop) {
			_cleanup_free_ char *resume = kr_asprintf("::%s::", stop);
			if (!strcmp(l, resume)) {
				free(stop);
				stop = NULL;
			}
			continue;
		}
		const char *t = l + strspn(l, " \t");
		if (kr_str_startswith(t, "::")) {
			size_t k = strcspn(t + 2, " :");
			_cleanup_free_ char *name = kr_strndup(t + 2, k);
			if (!strcmp(name, "stop-commands"))
				stop = kr_strdup(t + 2 + k + 2);
			kr_strv_pushf(&found, "%s|%s", name, l);
		} else if (strstr(l, "##[")) {
			kr_strv_pushf(&found, "v1|%s", l);
		}
	}
	ck_assert_msg(!stop, "commands still stopped at the end of the log");
	return found;
}

/* A console that tries ::set-output, ::error, ##[...] and friends gets
 * none of them run: only kradar's own commands are. */
START_TEST(github_injection)
{
	_cleanup_free_ char *log = replay(KR_CI_GITHUB, NULL);
	_cleanup_strv_free_ char **cmds = github_commands(log);
	size_t groups = 0, errors = 0, warnings = 0;
	for (size_t i = 0; cmds[i]; i++) {
		const char *c = cmds[i];
		if (kr_str_startswith(c, "group|") || kr_str_startswith(c, "endgroup|"))
			groups++;
		else if (kr_str_startswith(c, "error|::error title=kradar%3A jump-label,file="
						 "scenarios/demo/jump-label.json::"))
			errors++;
		else if (kr_str_startswith(c, "warning|::warning title=kradar%3A shell-warning,"))
			warnings++;
		else
			ck_assert_msg(kr_str_startswith(c, "stop-commands|"), "ran: %s", c);
	}
	ck_assert_uint_eq(groups, 12);
	ck_assert_uint_eq(errors, 1);
	ck_assert_uint_eq(warnings, 1);
	/* The injected lines are in the log, as text. */
	ck_assert_ptr_nonnull(strstr(log, "\n::set-output name=verdict::reproduced\n"));
	ck_assert_ptr_nonnull(strstr(log, "\n::error title=pwned::injected annotation\n"));
	/* Each scenario gets its own random token. */
	_cleanup_free_ char *again = replay(KR_CI_GITHUB, NULL);
	const char *a = strstr(log, "::stop-commands::"), *b = strstr(again, "::stop-commands::");
	ck_assert(strncmp(a, b, 17 + 32) != 0);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The pieces of the guard on their own. */
START_TEST(github_escapes)
{
	_cleanup_free_ char *d = kr_github_escape_data("100% done\r\nnext:line,x");
	ck_assert_str_eq(d, "100%25 done%0Anext:line,x");
	_cleanup_free_ char *p = kr_github_escape_property("a:b,c%\nd");
	ck_assert_str_eq(p, "a%3Ab%2Cc%25%0Ad");
	/* A fixed token that the text contains is not used as it is. */
	_cleanup_free_ char *t = kr_github_token("abc", "xx ::abc:: yy");
	ck_assert_str_eq(t, "abc-1");
	_cleanup_free_ char *r1 = kr_github_token(NULL, NULL), *r2 = kr_github_token(NULL, NULL);
	ck_assert_uint_eq(strlen(r1), 32);
	ck_assert_str_ne(r1, r2);
	struct capture c;
	capture_start(&c);
	kr_github_echo(c.f, "::error::x\n##[warning]y\n", 24, "abc");
	capture_end(&c);
	ck_assert_str_eq(c.text, "::stop-commands::abc\n::error::x\n##[warning]y\n::abc::\n");
	free(c.text);
}
END_TEST

/* A run as the runner reports it, without a terminal: a line per event. */
START_TEST(plain_events)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct capture c;
	capture_start(&c);
	struct kr_progress_config pc = { .out = c.f, .style = KR_PROGRESS_PLAIN,
					 .now = clock_now, .wall = clock_wall };
	struct kr_progress *p = kr_progress_new(&pc);
	fake_now = 100;
	kr_progress_scenario_started(p, r, 0, 5);
	kr_progress_phase(p, KR_PHASE_PREPARE); /* no change: no line */
	fake_now = 103;
	kr_progress_run_started(p, r->scenarios[0]->runs[0]);
	fake_now = 110.25;
	kr_progress_phase(p, KR_PHASE_RUN);
	fake_now = 140;
	kr_progress_phase(p, KR_PHASE_GRACE);
	fake_now = 141;
	kr_progress_phase(p, KR_PHASE_STOPPING);
	kr_progress_run_finished(p, r->scenarios[0]->runs[0]);
	kr_progress_scenario_finished(p);
	/* Events outside a scenario are ignored. */
	kr_progress_phase(p, KR_PHASE_BOOT);
	kr_progress_run_finished(p, r->scenarios[0]->runs[0]);
	kr_progress_free(p);
	capture_end(&c);
	kr_test_golden("progress-plain.log", c.text, c.len);
	free(c.text);
	/* No progress at all is fine. */
	kr_progress_scenario_started(NULL, r, 0, 1);
	kr_progress_phase(NULL, KR_PHASE_RUN);
	kr_progress_free(NULL);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* On a terminal: one status line redrawn in place, permanent lines above
 * it, and log messages clear it first. */
START_TEST(live_status)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct capture c;
	capture_start(&c);
	struct kr_progress_config pc = { .out = c.f, .style = KR_PROGRESS_LIVE, .no_ticker = true,
					 .now = clock_now, .wall = clock_wall };
	struct kr_progress *p = kr_progress_new(&pc);
	fake_now = 0;
	kr_progress_scenario_started(p, r, 1, 2);
	kr_progress_run_started(p, r->scenarios[1]->runs[0]);
	fake_now = 65;
	kr_progress_phase(p, KR_PHASE_RUN);
	/* A log message (on stderr, sent to a file here) clears the status
	 * line first and has it drawn again after. */
	fflush(c.f);
	size_t before = c.len;
	int saved = dup(2);
	_cleanup_free_ char *errpath = kr_path_join(out, "stderr");
	FILE *err = fopen(errpath, "we");
	dup2(fileno(err), 2);
	kr_notice("a log message");
	dup2(saved, 2);
	close(saved);
	fclose(err);
	fflush(c.f);
	ck_assert_str_eq(c.text + before,
			 "\r\033[K\r\033[Kkradar: [2/2] jump-label  run 1/1  run  1:05");
	kr_progress_run_finished(p, r->scenarios[1]->runs[0]);
	kr_progress_scenario_finished(p);
	kr_progress_free(p);
	capture_end(&c);
	kr_test_golden("progress-live.log", c.text, c.len);
	ck_assert_ptr_nonnull(strstr(c.text, "\r\033[Kkradar: [2/2] jump-label  run 1/1  run  1:05"));
	/* It ends with the status line cleared. */
	ck_assert(kr_str_endswith(c.text, "\r\033[K"));
	free(c.text);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The redraw thread: it runs, blocks signals and stops. */
START_TEST(live_ticker)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct capture c;
	capture_start(&c);
	struct kr_progress_config pc = { .out = c.f, .style = KR_PROGRESS_LIVE };
	struct kr_progress *p = kr_progress_new(&pc);
	kr_progress_scenario_started(p, r, 0, 1);
	kr_progress_free(p);
	capture_end(&c);
	ck_assert_ptr_nonnull(strstr(c.text, "kradar: [1/1] vhost-hung-task  prepare  0:00"));
	free(c.text);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(config_from_env)
{
	struct kr_progress_config pc;
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_WORKSPACE", "/ws", 1);
	kr_progress_config_from_env(&pc, NULL);
	ck_assert_int_eq(pc.ci, KR_CI_GITHUB);
	ck_assert_int_eq(pc.style, KR_PROGRESS_PLAIN);
	ck_assert_str_eq(pc.workspace, "/ws");
	unsetenv("GITHUB_ACTIONS");
	setenv("GITLAB_CI", "true", 1);
	setenv("CI_PROJECT_DIR", "/builds/p", 1);
	kr_progress_config_from_env(&pc, NULL);
	ck_assert_int_eq(pc.ci, KR_CI_GITLAB);
	ck_assert_str_eq(pc.workspace, "/builds/p");
	unsetenv("GITLAB_CI");
	FILE *f = tmpfile();
	kr_progress_config_from_env(&pc, f);
	ck_assert_int_eq(pc.ci, KR_CI_NONE);
	ck_assert_int_eq(pc.style, KR_PROGRESS_PLAIN); /* not a terminal */
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("progress");
	TCase *tc = tcase_create("progress");
	tcase_add_test(tc, github_golden);
	tcase_add_test(tc, gitlab_golden);
	tcase_add_test(tc, github_injection);
	tcase_add_test(tc, github_escapes);
	tcase_add_test(tc, plain_events);
	tcase_add_test(tc, live_status);
	tcase_add_test(tc, live_ticker);
	tcase_add_test(tc, config_from_env);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
