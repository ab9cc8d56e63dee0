/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <pty.h>
#include <string.h>
#include <sys/ioctl.h>

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

/* The last status block drawn in text: what follows the last "\r\033[K"
 * that starts a block (after the cursor went up to its first line). */
static const char *last_block(const char *text)
{
	const char *last = text, *p = text;
	while ((p = strstr(p, "\r\033[K"))) {
		p += 4;
		if (strncmp(p, "\033[A", 3) && strncmp(p, "\r\033[K", 4))
			last = p;
	}
	return last;
}

/* Several guests at once on a terminal: a line per guest or build and
 * the total bar, redrawn in place; finished runs printed above. */
START_TEST(live_guests)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct capture c;
	capture_start(&c);
	struct kr_progress_config pc = { .out = c.f, .style = KR_PROGRESS_LIVE, .no_ticker = true,
					 .now = clock_now, .wall = clock_wall };
	struct kr_progress *p = kr_progress_new(&pc);
	fake_now = 0;
	/* vhost-hung-task (3 runs at most) and jump-label (1). */
	kr_progress_plan(p, r, 6, 2, 4, 2);
	kr_progress_cell_started(p, 0);
	fflush(c.f);
	ck_assert_str_eq(last_block(c.text), "  [1/6] vhost-hung-task  prepare  0:00\n"
			 "kradar: [....................] 0/2 cells, 0/4 runs");
	kr_progress_build(p, 100, 400);
	fake_now = 10;
	kr_progress_tick(p);
	fflush(c.f);
	ck_assert_str_eq(last_block(c.text), "  [1/6] vhost-hung-task  build 100/~400 files  0:10\n"
			 "kradar: [....................] 0/2 cells, 0/4 runs");
	fake_now = 20;
	struct kr_progress_guest *g0 = kr_progress_guest_started(p, 0, r->scenarios[0]->runs[0]);
	kr_progress_cell_started(p, 1);
	struct kr_progress_guest *g1 = kr_progress_guest_started(p, 1, r->scenarios[1]->runs[0]);
	fake_now = 25;
	kr_progress_guest_phase(g0, KR_PHASE_RUN);
	fflush(c.f);
	ck_assert_str_eq(last_block(c.text), "  [1/6] vhost-hung-task  run 1/3  run  0:05\n"
			 "  [2/6] jump-label  run 1/1  boot  0:05\n"
			 "kradar: [....................] 0/2 cells, 0/4 runs");
	/* Drawn over the last block: up two lines, clearing them. */
	ck_assert_ptr_nonnull(strstr(c.text, "\r\033[K\033[A\r\033[K\033[A\r\033[K  [1/6]"));
	ck_assert(!kr_progress_eta(p, &(double){ 0 }));
	fake_now = 80;
	kr_progress_guest_finished(p, g0, r->scenarios[0]->runs[0]);
	/* A mean of 60 s a run; jump-label's is due now, 2 more may come. */
	double eta = -1;
	ck_assert(kr_progress_eta(p, &eta));
	ck_assert_double_eq_tol(eta, 60, 1e-9);
	fflush(c.f);
	ck_assert_str_eq(last_block(c.text), "  [2/6] jump-label  run 1/1  boot  1:00\n"
			 "kradar: [....................] 0/2 cells, 1/4 runs, ETA 1:00");
	ck_assert_ptr_nonnull(strstr(c.text, "\033[Kkradar: [1/6] vhost-hung-task: run 1/3: "
					     "reproduced: INFO: task hung"));
	/* Its series is done after one run: the other two are not waited for. */
	kr_progress_cell_finished(p, 0);
	ck_assert(kr_progress_eta(p, &eta));
	ck_assert_double_eq_tol(eta, 0, 1e-9);
	fflush(c.f);
	ck_assert_str_eq(last_block(c.text), "  [2/6] jump-label  run 1/1  boot  1:00\n"
			 "kradar: [##########..........] 1/2 cells, 1/2 runs, ETA 0:00");
	ck_assert_ptr_nonnull(strstr(c.text, "\033[Kkradar: [1/6] vhost-hung-task: met: "));
	fake_now = 90;
	kr_progress_guest_finished(p, g1, r->scenarios[1]->runs[0]);
	kr_progress_cell_finished(p, 1);
	fflush(c.f);
	ck_assert_str_eq(last_block(c.text),
			 "kradar: [####################] 2/2 cells, 2/2 runs");
	kr_progress_free(p);
	capture_end(&c);
	ck_assert(kr_str_endswith(c.text, "\r\033[K"));
	free(c.text);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The ETA: the runs left at the finished runs' mean duration, less what
 * the running guests have done, shared by the guests at once. */
START_TEST(eta_math)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct kr_progress_config pc = { .style = KR_PROGRESS_QUIET, .no_ticker = true,
					 .now = clock_now, .wall = clock_wall };
	struct kr_progress *p = kr_progress_new(&pc);
	fake_now = 0;
	kr_progress_plan(p, r, 6, 1, 10, 3);
	struct kr_run_result *run = r->scenarios[0]->runs[0];
	struct kr_progress_guest *g[3];
	for (int i = 0; i < 3; i++)
		g[i] = kr_progress_guest_started(p, 0, run);
	double eta = -1;
	ck_assert(!kr_progress_eta(p, &eta));
	fake_now = 30;
	kr_progress_guest_finished(p, g[0], run);
	/* 7 waiting x 30 s over 3 guests; the 2 running are due. */
	ck_assert(kr_progress_eta(p, &eta));
	ck_assert_double_eq_tol(eta, 70, 1e-9);
	fake_now = 40;
	kr_progress_guest_finished(p, g[1], run);
	/* mean 35 s: 7 x 35 / 3 */
	ck_assert(kr_progress_eta(p, &eta));
	ck_assert_double_eq_tol(eta, 7 * 35.0 / 3, 1e-9);
	g[1] = kr_progress_guest_started(p, 0, run);
	fake_now = 50;
	/* g[1] has 25 s of its 35 left, g[2] is due, 6 wait: (25 + 210) / 3 */
	ck_assert(kr_progress_eta(p, &eta));
	ck_assert_double_eq_tol(eta, (25 + 6 * 35.0) / 3, 1e-9);
	/* Fewer runs left than guests: they are not shared wider. */
	kr_progress_plan(p, r, 6, 1, 3, 3);
	ck_assert(kr_progress_eta(p, &eta));
	ck_assert_double_eq_tol(eta, 25.0 / 2, 1e-9);
	kr_progress_guest_finished(p, g[1], run);
	kr_progress_guest_finished(p, g[2], run);
	kr_progress_free(p);
	ck_assert(!kr_progress_eta(NULL, &eta));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Without a terminal: a line per event, and one every 30 s at most for a
 * build or guest that has said nothing meanwhile. */
START_TEST(heartbeat_spacing)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct capture c;
	capture_start(&c);
	struct kr_progress_config pc = { .out = c.f, .style = KR_PROGRESS_PLAIN, .no_ticker = true,
					 .now = clock_now, .wall = clock_wall };
	struct kr_progress *p = kr_progress_new(&pc);
	fake_now = 0;
	kr_progress_plan(p, r, 6, 1, 3, 2);
	kr_progress_cell_started(p, 0);
	fake_now = 1;
	kr_progress_build(p, 5, 0);
	static const double ticks[] = { 10, 30, 31, 32, 60, 61 };
	for (size_t i = 0; i < KR_ARRAY_SIZE(ticks); i++) {
		fake_now = ticks[i];
		kr_progress_build(p, (long)ticks[i] * 10, 0);
		kr_progress_tick(p);
	}
	fake_now = 70;
	struct kr_run_result *run = r->scenarios[0]->runs[0];
	struct kr_progress_guest *g = kr_progress_guest_started(p, 0, run);
	static const double later[] = { 99, 100, 101, 110, 139, 140, 141, 170 };
	for (size_t i = 0; i < KR_ARRAY_SIZE(later); i++) {
		fake_now = later[i];
		if (later[i] == 110)
			kr_progress_guest_phase(g, KR_PHASE_SETTLE);
		kr_progress_tick(p);
	}
	fake_now = 171;
	kr_progress_guest_finished(p, g, run);
	kr_progress_tick(p); /* nothing runs: nothing to say */
	kr_progress_cell_finished(p, 0);
	kr_progress_free(p);
	capture_end(&c);
	kr_test_golden("progress-heartbeat.log", c.text, c.len);
	size_t beats = 0;
	for (const char *t = c.text; (t = strstr(t, " so far\n")); t++)
		beats++;
	ck_assert_uint_eq(beats, 5); /* build at 31 and 61; guest at 100, 140, 170 */
	ck_assert_ptr_null(strstr(c.text, "\033["));
	free(c.text);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* What a pseudo-terminal gets: the live style from the environment, a
 * block cut to the terminal's width and height. */
START_TEST(pty_terminal)
{
	int master, slave;
	struct winsize ws = { .ws_row = 5, .ws_col = 40 };
	ck_assert_int_eq(openpty(&master, &slave, NULL, NULL, &ws), 0);
	fcntl(master, F_SETFD, FD_CLOEXEC);
	fcntl(master, F_SETFL, O_NONBLOCK);
	FILE *f = fdopen(slave, "w");
	ck_assert_ptr_nonnull(f);
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITLAB_CI");
	unsetenv("CI");
	setenv("TERM", "xterm", 1);
	struct kr_progress_config pc;
	kr_progress_config_from_env(&pc, f);
	ck_assert_int_eq(pc.style, KR_PROGRESS_LIVE);
	setenv("CI", "false", 1);
	kr_progress_config_from_env(&pc, f);
	ck_assert_int_eq(pc.style, KR_PROGRESS_LIVE);
	setenv("CI", "true", 1);
	kr_progress_config_from_env(&pc, f);
	ck_assert_int_eq(pc.style, KR_PROGRESS_PLAIN);
	unsetenv("CI");
	setenv("TERM", "dumb", 1);
	kr_progress_config_from_env(&pc, f);
	ck_assert_int_eq(pc.style, KR_PROGRESS_PLAIN);
	setenv("TERM", "xterm", 1);
	kr_progress_config_from_env(&pc, f);

	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	pc.no_ticker = true;
	pc.now = clock_now;
	pc.wall = clock_wall;
	struct kr_progress *p = kr_progress_new(&pc);
	fake_now = 0;
	kr_progress_plan(p, r, 6, 5, 5, 5);
	struct kr_progress_guest *g[5];
	for (size_t i = 0; i < 5; i++)
		g[i] = kr_progress_guest_started(p, i, r->scenarios[0]->runs[0]);
	fake_now = 3;
	kr_progress_tick(p);
	for (size_t i = 0; i < 5; i++)
		kr_progress_guest_finished(p, g[i], r->scenarios[0]->runs[0]);
	kr_progress_free(p);
	fclose(f);
	char buf[65536];
	ssize_t n = read(master, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	close(master);
	/* The terminal turned \n into \r\n. Rows 5: three guests, "and 2
	 * more", the total; columns 40: 39 characters at most. */
	ck_assert_ptr_nonnull(strstr(buf, "\r\033[K  [1/6] vhost-hung-task  run 1/3  boot \r\n"
					  "  [2/6] jump-label  run 1/1  boot  0:03\r\n"
					  "  [3/6] shell-warning  run 1/2  boot  0\r\n"
					  "  ... and 2 more\r\n"
					  "kradar: [....................] 0/5 cell"));
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
	tcase_add_test(tc, live_guests);
	tcase_add_test(tc, eta_math);
	tcase_add_test(tc, heartbeat_spacing);
	tcase_add_test(tc, pty_terminal);
	tcase_add_test(tc, config_from_env);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
