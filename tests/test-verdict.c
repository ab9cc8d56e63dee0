/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <math.h>
#include <string.h>

#include "kr-test.h"
#include "results.h"
#include "scenario.h"
#include "signature.h"
#include "stack.h"
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
	enum kr_verdict v = kr_verdict_run(s, &f, &reason, NULL);
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
	ck_assert_int_eq(kr_verdict_run(s, &f, &reason, NULL), KR_VERDICT_INFRA_ERROR);
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

/* A WARNING report: the program counter in title_fn, then the trace's
 * frames (one per line, as printed after the indentation). */
static char *warning_report(const char *title_fn, const char *const *frames)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	kr_buf_printf(&b, "------------[ cut here ]------------\n"
			  "WARNING: CPU: 0 PID: 5000 at fs/ext4/x.c:1 %s+0x10/0x80\n"
			  "Modules linked in:\n"
			  "CPU: 0 PID: 5000 Comm: syz-executor Not tainted 6.1.0 #1\n"
			  "RIP: 0010:%s+0x10/0x80\n"
			  "Code: 0f 0b\n"
			  "RSP: 0018:ffffc90000003e48 EFLAGS: 00010246\n"
			  "Call Trace:\n"
			  " <TASK>\n",
		      title_fn, title_fn);
	for (size_t i = 0; frames[i]; i++)
		kr_buf_printf(&b, " %s\n", frames[i]);
	kr_buf_adds(&b, " </TASK>\n---[ end trace 0000000000000000 ]---\n");
	return kr_buf_steal(&b);
}

static struct kr_run_facts crash_facts(const char *title, const char *frame, const char *report)
{
	return (struct kr_run_facts){ .title = title, .frame = frame, .report = report,
				      .report_len = report ? strlen(report) : 0 };
}

/* The verdict of f, its reason in *reason and the match in *m. */
static enum kr_verdict judge(const struct kr_scenario *s, struct kr_run_facts f, char **reason,
			     struct kr_title_match *m)
{
	free(*reason);
	*reason = NULL;
	kr_title_match_clear(m);
	return kr_verdict_run(s, &f, reason, m);
}

static const char *const ext4_frames[] = {
	"ext4_c1+0x1/0x2", "? ext4_guess+0x1/0x2", "ext4_c2.isra.0+0x1/0x2 fs/ext4/c2.c:12",
	"ext4_c3 fs/ext4/c3.c:3 [inline]", "ext4_c4+0x1/0x2", "ext4_c5+0x1/0x2",
	"do_syscall_64+0x1/0x2", NULL,
};

START_TEST(exact_match)
{
	_cleanup_scenario_free_ struct kr_scenario *s =
		scenario("{\"title\":\"WARNING in ext4_bar\"}", NULL);
	_cleanup_free_ char *report = warning_report("ext4_bar", ext4_frames);
	_cleanup_free_ char *reason = NULL;
	struct kr_title_match m = { 0 };
	struct kr_run_facts f = crash_facts("WARNING in ext4_bar", "ext4_bar", report);
	ck_assert_int_eq(judge(s, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m.rule, KR_MATCH_EXACT);
	ck_assert_ptr_null(m.frame);
	ck_assert_str_eq(reason, "crash matches the expected title: WARNING in ext4_bar");
	/* no expectation: any title, exactly */
	_cleanup_scenario_free_ struct kr_scenario *any = scenario("{}", NULL);
	ck_assert_int_eq(judge(any, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m.rule, KR_MATCH_EXACT);
	/* other verdicts: no match */
	f.title = "WARNING in ext4_other";
	f.frame = "ext4_other";
	ck_assert_int_eq(judge(s, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	ck_assert_int_eq(m.rule, KR_MATCH_NONE);
	ck_assert_ptr_null(kr_match_rule_to_string(KR_MATCH_NONE));
	ck_assert_str_eq(kr_match_rule_to_string(KR_MATCH_FRAME), "frame");
	ck_assert_int_eq(kr_match_rule_from_string("exact"), KR_MATCH_EXACT);
	ck_assert_int_eq(kr_match_rule_from_string("none"), -EINVAL);
	kr_title_match_clear(&m);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The expected function at depth 0..KR_MATCH_FRAME_DEPTH below the title
 * frame matches, with its depth in the reason; one frame deeper does not. */
START_TEST(frame_match_depths)
{
	/* depth counts certain frames only: "? ext4_guess" is not one */
	static const struct {
		const char *func, *frame;
		int depth;
	} cases[] = {
		{ "ext4_bar", NULL, 0 },  /* the title frame itself */
		{ "ext4_c1", "ext4_c1", 1 },
		{ "ext4_c2", "ext4_c2.isra.0", 2 },
		{ "ext4_c3", "ext4_c3", 3 },
		{ "ext4_c4", "ext4_c4", 4 },
		{ "ext4_c5", NULL, -100 }, /* depth 5: too deep */
		{ "do_syscall_64", NULL, -100 },
	};
	ck_assert_int_eq(KR_MATCH_FRAME_DEPTH, 4);
	_cleanup_free_ char *report = warning_report("ext4_bar", ext4_frames);
	_cleanup_free_ char *reason = NULL;
	struct kr_title_match m = { 0 };
	for (size_t i = 0; i < KR_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *expect =
			kr_asprintf("{\"title\":\"WARNING in %s\"}", cases[i].func);
		_cleanup_scenario_free_ struct kr_scenario *s = scenario(expect, NULL);
		/* the engine named another frame than syzbot (ext4_bar's
		 * caller chosen as ext4_bar): title "WARNING in ext4_bar" */
		struct kr_run_facts f = crash_facts("WARNING in ext4_bar", "ext4_bar", report);
		enum kr_verdict v = judge(s, f, &reason, &m);
		if (!strcmp(cases[i].func, "ext4_bar")) {
			ck_assert_int_eq(v, KR_VERDICT_REPRODUCED);
			ck_assert_int_eq(m.rule, KR_MATCH_EXACT);
			continue;
		}
		if (cases[i].depth == -100) {
			ck_assert_msg(v == KR_VERDICT_OTHER_CRASH, "%s: %s", cases[i].func, reason);
			ck_assert_int_eq(m.rule, KR_MATCH_NONE);
			continue;
		}
		ck_assert_msg(v == KR_VERDICT_REPRODUCED, "%s: %s", cases[i].func, reason);
		ck_assert_int_eq(m.rule, KR_MATCH_FRAME);
		ck_assert_str_eq(m.frame, cases[i].frame);
		ck_assert_int_eq(m.depth, cases[i].depth);
		_cleanup_free_ char *title = kr_asprintf("WARNING in %s", cases[i].func);
		ck_assert_str_eq(m.expected, title);
		_cleanup_free_ char *want = kr_asprintf(
			"title matched through frame %s at depth %d: WARNING in ext4_bar, expected %s",
			cases[i].frame, cases[i].depth, title);
		ck_assert_str_eq(reason, want);
	}
	kr_title_match_clear(&m);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Frames above the title frame (infrastructure the engine skipped) count
 * too, at a negative depth; a guessed frame never does. */
START_TEST(frame_match_above_and_guessed)
{
	const char *report =
		"BUG: KASAN: use-after-free in radar_read+0x20/0x50 fs/radar/read.c:33\n"
		"Read of size 8 at addr ffff888012345678 by task syz-executor/5000\n"
		"\n"
		"Call Trace:\n"
		" <TASK>\n"
		" __dump_stack lib/dump_stack.c:88 [inline]\n"
		" dump_stack_lvl+0xd9/0x150 lib/dump_stack.c:106\n"
		" ? radar_guessed+0x1/0x2\n"
		" radar_helper lib/radar.c:3 [inline]\n"
		" radar_read+0x20/0x50 fs/radar/read.c:33\n"
		" ? radar_guessed_below+0x1/0x2\n"
		" vfs_read+0x1e1/0x4a0 fs/read_write.c:468\n"
		" </TASK>\n"
		"\n"
		"Allocated by task 4999:\n"
		" radar_open+0x10/0x30 fs/radar/open.c:12\n";
	struct kr_run_facts f =
		crash_facts("KASAN: use-after-free Read in radar_read", "radar_read", report);
	_cleanup_free_ char *reason = NULL;
	struct kr_title_match m = { 0 };
	_cleanup_scenario_free_ struct kr_scenario *helper =
		scenario("{\"title\":\"KASAN: use-after-free Read in radar_helper\"}", NULL);
	ck_assert_int_eq(judge(helper, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m.rule, KR_MATCH_FRAME);
	ck_assert_int_eq(m.depth, -1);
	ck_assert_ptr_nonnull(strstr(reason, "through frame radar_helper at depth -1"));
	_cleanup_scenario_free_ struct kr_scenario *below =
		scenario("{\"title\":\"KASAN: use-after-free Read in vfs_read\"}", NULL);
	ck_assert_int_eq(judge(below, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m.depth, 1); /* the "? " frame between is not counted */
	static const char *const never[] = { "radar_guessed", "radar_guessed_below", "radar_open" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(never); i++) {
		_cleanup_free_ char *expect = kr_asprintf(
			"{\"title\":\"KASAN: use-after-free Read in %s\"}", never[i]);
		_cleanup_scenario_free_ struct kr_scenario *s = scenario(expect, NULL);
		ck_assert_msg(judge(s, f, &reason, &m) == KR_VERDICT_OTHER_CRASH, "%s", never[i]);
	}
	kr_title_match_clear(&m);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(frame_match_needs_the_kind)
{
	_cleanup_free_ char *report = warning_report("ext4_bar", ext4_frames);
	_cleanup_free_ char *reason = NULL;
	struct kr_title_match m = { 0 };
	/* another kind whose function is in the stack */
	_cleanup_scenario_free_ struct kr_scenario *kasan =
		scenario("{\"title\":\"KASAN: use-after-free Read in ext4_c1\"}", NULL);
	struct kr_run_facts f = crash_facts("WARNING in ext4_bar", "ext4_bar", report);
	ck_assert_int_eq(judge(kasan, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	/* a kind that only starts the same */
	_cleanup_scenario_free_ struct kr_scenario *odebug =
		scenario("{\"title\":\"WARNING: ODEBUG bug in ext4_c1\"}", NULL);
	ck_assert_int_eq(judge(odebug, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	/* the kind of an alternative title counts */
	_cleanup_scenario_free_ struct kr_scenario *hung =
		scenario("{\"title\":\"INFO: task hung in ext4_c2\"}", NULL);
	char *alts[] = { "INFO: task hung in ext4_bar", NULL };
	f.alt_titles = alts;
	ck_assert_int_eq(judge(hung, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m.rule, KR_MATCH_FRAME);
	/* syzbot's " (2)" is not part of the function; titles without one
	 * and title_regex have no frame rule */
	_cleanup_scenario_free_ struct kr_scenario *again =
		scenario("{\"titles\":[\"kernel panic: x\",\"WARNING in ext4_c3 (2)\"],"
			 "\"title_regex\":\"^WARNING in ext4_c4$\"}", NULL);
	f.alt_titles = NULL;
	ck_assert_int_eq(judge(again, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_str_eq(m.expected, "WARNING in ext4_c3 (2)");
	ck_assert_int_eq(m.depth, 3);
	_cleanup_scenario_free_ struct kr_scenario *regex =
		scenario("{\"title_regex\":\"^WARNING in ext4_c1$\"}", NULL);
	ck_assert_int_eq(judge(regex, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	kr_title_match_clear(&m);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Two WARNINGs of ext4: the crash in ext4_bar, called from ext4_c1..,
 * is not the expected ext4_foo, which its stack does not hold. */
START_TEST(same_kind_other_bug)
{
	_cleanup_scenario_free_ struct kr_scenario *s =
		scenario("{\"title\":\"WARNING in ext4_foo\"}", NULL);
	_cleanup_free_ char *report = warning_report("ext4_bar", ext4_frames);
	_cleanup_free_ char *reason = NULL;
	struct kr_title_match m = { 0 };
	struct kr_run_facts f = crash_facts("WARNING in ext4_bar", "ext4_bar", report);
	ck_assert_int_eq(judge(s, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	ck_assert_int_eq(m.rule, KR_MATCH_NONE);
	ck_assert_str_eq(reason, "crash with another title: WARNING in ext4_bar");
	/* ext4_foo only in the KASAN-like sections after the first trace, or
	 * only as a guessed frame: still another bug */
	_cleanup_free_ char *with_after = kr_asprintf("%sAllocated by task 1:\n ext4_foo+0x1/0x2\n",
						      report);
	f = crash_facts("WARNING in ext4_bar", "ext4_bar", with_after);
	ck_assert_int_eq(judge(s, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	static const char *const guessed[] = { "? ext4_foo+0x1/0x2", "ext4_c1+0x1/0x2", NULL };
	_cleanup_free_ char *report2 = warning_report("ext4_bar", guessed);
	f = crash_facts("WARNING in ext4_bar", "ext4_bar", report2);
	ck_assert_int_eq(judge(s, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	/* the title frame must be in the trace to place the window */
	f = crash_facts("WARNING in ext4_elsewhere", "ext4_elsewhere", report);
	_cleanup_scenario_free_ struct kr_scenario *c1 =
		scenario("{\"title\":\"WARNING in ext4_c1\"}", NULL);
	ck_assert_int_eq(judge(c1, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	/* no report (a watch hit) or no frame: the title alone decides */
	f = crash_facts("WARNING in ext4_bar", "ext4_bar", NULL);
	ck_assert_int_eq(judge(c1, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	f = crash_facts("WARNING in ext4_bar", NULL, report);
	ck_assert_int_eq(judge(c1, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	f = crash_facts("WARNING in ext4_bar", "ext4_bar", report);
	ck_assert_int_eq(judge(c1, f, &reason, &m), KR_VERDICT_REPRODUCED);
	kr_title_match_clear(&m);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(exact_turns_the_frame_rule_off)
{
	_cleanup_free_ char *report = warning_report("ext4_bar", ext4_frames);
	_cleanup_free_ char *reason = NULL;
	struct kr_title_match m = { 0 };
	struct kr_run_facts f = crash_facts("WARNING in ext4_bar", "ext4_bar", report);
	_cleanup_scenario_free_ struct kr_scenario *exact =
		scenario("{\"title\":\"WARNING in ext4_c1\",\"match\":\"exact\"}", NULL);
	ck_assert_int_eq(judge(exact, f, &reason, &m), KR_VERDICT_OTHER_CRASH);
	ck_assert(!kr_crash_expected(exact, &f, &m));
	_cleanup_scenario_free_ struct kr_scenario *frame =
		scenario("{\"title\":\"WARNING in ext4_c1\",\"match\":\"frame\"}", NULL);
	ck_assert(kr_crash_expected(frame, &f, &m));
	ck_assert_int_eq(m.rule, KR_MATCH_FRAME);
	ck_assert_int_eq(m.depth, 1);
	kr_title_match_clear(&m);
	/* exact still takes the title */
	f.title = "WARNING in ext4_c1";
	ck_assert_int_eq(judge(exact, f, &reason, &m), KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m.rule, KR_MATCH_EXACT);
	kr_title_match_clear(&m);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The real crash logs of tests/data/crash-logs: an expected title that
 * names the title frame's caller matches each at depth 1, through its own
 * stack; a function the stack lacks, or another kind, does not. */
START_TEST(real_logs_frame_rule)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_data(), "crash-logs");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	size_t checked = 0;
	for (struct dirent *de; (de = readdir(d));) {
		if (!kr_str_endswith(de->d_name, ".expect"))
			continue;
		_cleanup_free_ char *expect_path = kr_path_join(dir, de->d_name);
		_cleanup_free_ char *expect = NULL;
		ck_assert_int_eq(kr_read_file(expect_path, 1 << 20, &expect, NULL), 0);
		if (!kr_str_startswith(expect, "TITLE: ") && !strstr(expect, "\nTITLE: "))
			continue;
		_cleanup_free_ char *log_name = kr_strndup(de->d_name, strlen(de->d_name) - 7);
		_cleanup_free_ char *log_path = kr_asprintf("%s/%s.log", dir, log_name);
		_cleanup_free_ char *log = NULL;
		size_t len = 0;
		ck_assert_int_eq(kr_read_file(log_path, 1 << 24, &log, &len), 0);
		_cleanup_(kr_scanner_freep) struct kr_scanner *sc = kr_scanner_new();
		kr_scanner_feed(sc, log, len);
		kr_scanner_finish(sc);
		ck_assert_uint_ge(kr_scanner_n_crashes(sc), 1);
		const struct kr_crash *c = kr_scanner_crash(sc, 0);
		const char *in = strstr(c->title, " in ");
		if (!c->frame || !in)
			continue;
		/* the caller of the title frame, in the first trace holding it */
		_cleanup_free_ char *caller = NULL;
		bool seen = false;
		for (size_t from = 0, next; !seen && from < c->report_len; from = next) {
			_cleanup_(kr_stack_freep) struct kr_stack *st =
				kr_stack_next(c->report, c->report_len, from, &next);
			for (size_t i = 0; i < kr_stack_n_frames(st) && !caller; i++) {
				const struct kr_frame *fr = kr_stack_frame(st, i);
				_cleanup_free_ char *base = kr_frame_base_name(fr->func);
				if (fr->uncertain)
					continue;
				if (seen && strcmp(base, c->frame))
					caller = kr_strdup(fr->func);
				seen = seen || !strcmp(base, c->frame);
			}
		}
		ck_assert_msg(caller, "%s: no caller of %s in its traces", log_name, c->frame);
		_cleanup_free_ char *base = kr_frame_base_name(caller);
		struct kr_run_facts f = { .title = c->title, .alt_titles = c->alt_titles,
					  .frame = c->frame, .report = c->report,
					  .report_len = c->report_len, .is_stall = c->is_stall };
		_cleanup_free_ char *kind = kr_strndup(c->title, (size_t)(in - c->title));
		_cleanup_free_ char *near = kr_asprintf("{\"title\":\"%s in %s\"}", kind, base);
		_cleanup_free_ char *other_fn =
			kr_asprintf("{\"title\":\"%s in kradar_no_such_fn\"}", kind);
		_cleanup_free_ char *other_kind = kr_asprintf(
			"{\"title\":\"%s in %s\"}",
			strcmp(kind, "WARNING") ? "WARNING" : "KASAN: use-after-free Read", base);
		_cleanup_scenario_free_ struct kr_scenario *s_near = scenario(near, NULL);
		_cleanup_scenario_free_ struct kr_scenario *s_fn = scenario(other_fn, NULL);
		_cleanup_scenario_free_ struct kr_scenario *s_kind = scenario(other_kind, NULL);
		struct kr_title_match m = { 0 };
		ck_assert_msg(kr_crash_expected(s_near, &f, &m), "%s: %s", log_name, near);
		ck_assert_int_eq(m.rule, KR_MATCH_FRAME);
		ck_assert_int_eq(m.depth, 1);
		ck_assert_str_eq(m.frame, caller);
		kr_title_match_clear(&m);
		ck_assert_msg(!kr_crash_expected(s_fn, &f, &m), "%s: %s", log_name, other_fn);
		ck_assert_msg(!kr_crash_expected(s_kind, &f, &m), "%s: %s", log_name, other_kind);
		checked++;
	}
	closedir(d);
	/* bug, deadlock, hang, null, sleep-atomic, soft lockups, synthetic-*,
	 * warn, an rcu stall in sys_execve */
	ck_assert_uint_ge(checked, 12);
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
	tcase_add_test(tc, exact_match);
	tcase_add_test(tc, frame_match_depths);
	tcase_add_test(tc, frame_match_above_and_guessed);
	tcase_add_test(tc, frame_match_needs_the_kind);
	tcase_add_test(tc, same_kind_other_bug);
	tcase_add_test(tc, exact_turns_the_frame_rule_off);
	tcase_add_test(tc, real_logs_frame_rule);
	tcase_add_test(tc, wilson_interval);
	tcase_add_test(tc, scenario_verdicts);
	tcase_add_test(tc, exit_codes_and_json);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
