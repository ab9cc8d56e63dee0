/* SPDX-License-Identifier: MIT */
/* Baselines (regressions, new fixes) and merging shards' results: the
 * merged results.json holds each cell as the shard that ran it reported
 * it (a round trip), artifacts come along, conflicts are errors; and
 * `kradar merge` end to end. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "json-writer.h"
#include "kr-test.h"
#include "merge.h"
#include "verdict.h"

START_TEST(change_table)
{
	static const struct {
		enum kr_verdict before, now;
		enum kr_change want;
	} t[] = {
		{ KR_VERDICT_CLEAN, KR_VERDICT_REPRODUCED, KR_CHANGE_REGRESSION },
		{ KR_VERDICT_FIXED, KR_VERDICT_REPRODUCED, KR_CHANGE_REGRESSION },
		{ KR_VERDICT_REPRODUCED, KR_VERDICT_FIXED, KR_CHANGE_NEW_FIX },
		{ KR_VERDICT_REPRODUCED, KR_VERDICT_CLEAN, KR_CHANGE_NEW_FIX },
		{ KR_VERDICT_REPRODUCED, KR_VERDICT_REPRODUCED, KR_CHANGE_UNCHANGED },
		{ KR_VERDICT_CLEAN, KR_VERDICT_FIXED, KR_CHANGE_UNCHANGED },
		{ KR_VERDICT_OTHER_CRASH, KR_VERDICT_OTHER_CRASH, KR_CHANGE_UNCHANGED },
		{ KR_VERDICT_CLEAN, KR_VERDICT_OTHER_CRASH, KR_CHANGE_CHANGED },
		{ KR_VERDICT_OTHER_CRASH, KR_VERDICT_REPRODUCED, KR_CHANGE_CHANGED },
		{ KR_VERDICT_INFRA_ERROR, KR_VERDICT_REPRODUCED, KR_CHANGE_NOT_COMPARABLE },
		{ KR_VERDICT_CLEAN, KR_VERDICT_ARTIFACT_STALL, KR_CHANGE_NOT_COMPARABLE },
		{ KR_VERDICT_SKIPPED, KR_VERDICT_CLEAN, KR_CHANGE_NOT_COMPARABLE },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(t); i++)
		ck_assert_msg(kr_baseline_change(t[i].before, t[i].now) == t[i].want,
			      "%s -> %s", kr_verdict_to_string(t[i].before),
			      kr_verdict_to_string(t[i].now));
	for (int c = KR_CHANGE_NONE; c <= KR_CHANGE_NOT_COMPARABLE; c++)
		ck_assert_int_eq(kr_change_from_string(kr_change_to_string((enum kr_change)c)), c);
	ck_assert_int_eq(kr_change_from_string("better"), -EINVAL);
}
END_TEST

/* A scenario with one run of verdict v (none when skipped), its console
 * written under r->out_dir. */
static struct kr_scenario_result *add(struct kr_results *r, const char *name,
				      enum kr_expect_verdict expected, int v)
{
	struct kr_scenario_result *sr = kr_results_append(r);
	sr->name = kr_strdup(name);
	sr->file = kr_strdup("/scenarios/x.json");
	sr->expected = expected;
	sr->runs_planned = 1;
	sr->kernel.label = kr_strdup(strchr(name, '@') ? strchr(name, '@') + 1 : "k");
	sr->cell.scenario = kr_strndup(name, strcspn(name, "@"));
	sr->cell.kernel = kr_strdup(sr->kernel.label);
	if (v < 0) {
		kr_scenario_result_skip(sr, "not run here: another shard runs it");
		return sr;
	}
	struct kr_run_result *run = kr_scenario_result_add_run(sr);
	run->verdict = (enum kr_verdict)v;
	run->reason = kr_strdup("because");
	run->title = v == KR_VERDICT_REPRODUCED ? kr_strdup("WARNING in foo") : NULL;
	run->accel = kr_strdup("tcg");
	run->duration_s = 12.5;
	run->boot_s = 3;
	run->dir = kr_asprintf("%s/run-1", name);
	run->console_log = kr_strdup("console.log");
	_cleanup_free_ char *log = kr_asprintf("%s/console.log", run->dir);
	_cleanup_free_ char *text = kr_asprintf("console of %s in %s\n", name, r->out_dir);
	free(kr_test_write(r->out_dir, log, text));
	sr->duration_s = 12.5;
	kr_verdict_scenario(sr);
	return sr;
}

/* Four cells over two shards and a third shard's empty set. */
static const char *const cells[] = { "a@k1", "a@k2", "b@k1", "b@k2" };

static char *shard_dir(const char *tmp, int k)
{
	return kr_asprintf("%s/shard-%d", tmp, k);
}

/* Shard k of 2 runs cells i with i % 2 == k - 1. */
static void write_shard(const char *tmp, int k, int total)
{
	_cleanup_free_ char *dir = shard_dir(tmp, k);
	ck_assert_int_eq(kr_mkdir_p(dir, 0755), 0);
	_cleanup_results_free_ struct kr_results *r = kr_results_new(dir);
	r->shard_index = k;
	r->shard_total = total;
	r->started_at = 1000 + k;
	r->duration_s = 50;
	static const int verdicts[] = { KR_VERDICT_REPRODUCED, KR_VERDICT_CLEAN,
					KR_VERDICT_OTHER_CRASH, KR_VERDICT_INFRA_ERROR };
	for (int i = 0; i < 4; i++)
		add(r, cells[i], KR_EXPECT_REPRODUCED, i % total == k - 1 ? verdicts[i] : -1);
	ck_assert_int_eq(kr_results_write(r), 0);
}

static struct kr_results *load(const char *dir)
{
	_cleanup_free_ char *path = kr_path_join(dir, "results.json");
	struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(path, &r, &err) == 0, "%s", kr_test_tail(err));
	return r;
}

static char *scenario_text(const struct kr_scenario_result *sr)
{
	_cleanup_json_free_ struct kr_json *j = kr_scenario_result_to_json(sr);
	return kr_json_dump(j, true);
}

START_TEST(round_trip)
{
	const char *tmp = kr_test_tmpdir();
	write_shard(tmp, 1, 2);
	write_shard(tmp, 2, 2);
	struct kr_results *parts[2];
	_cleanup_free_ char *d1 = shard_dir(tmp, 1), *d2 = shard_dir(tmp, 2);
	parts[0] = load(d1);
	parts[1] = load(d2);
	_cleanup_free_ char *out = kr_path_join(tmp, "merged");
	struct kr_results *m = NULL;
	_cleanup_strv_free_ char **warnings = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_merge(parts, 2, out, &m, &warnings, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_ptr_null(warnings[0]);
	ck_assert_uint_eq(m->n_scenarios, 4);
	ck_assert_int_eq(m->shard_total, 0);
	ck_assert(m->started_at == 1001);
	ck_assert(m->duration_s == 51);
	ck_assert_int_eq(kr_mkdir_p(out, 0755), 0);
	ck_assert_int_eq(kr_results_merge_artifacts(m, parts, 2, &err), 0);
	ck_assert_int_eq(kr_results_write(m), 0);
	struct kr_results *back = load(out);
	for (int i = 0; i < 4; i++) {
		const struct kr_results *ran = parts[i % 2];
		ck_assert_str_eq(back->scenarios[i]->name, cells[i]);
		ck_assert_int_ne(back->scenarios[i]->verdict, KR_VERDICT_SKIPPED);
		/* The merged entry is the running shard's entry, field for field. */
		_cleanup_free_ char *want = scenario_text(ran->scenarios[i]);
		_cleanup_free_ char *got = scenario_text(back->scenarios[i]);
		ck_assert_str_eq(got, want);
		/* And its console came along. */
		_cleanup_free_ char *log = kr_asprintf("%s/%s/run-1/console.log", out, cells[i]);
		_cleanup_free_ char *text = NULL;
		ck_assert_int_eq(kr_read_file(log, 4096, &text, NULL), 0);
		_cleanup_free_ char *expect = kr_asprintf("console of %s in %s\n", cells[i],
							  ran->out_dir);
		ck_assert_str_eq(text, expect);
	}
	ck_assert_int_eq(kr_results_exit_code(back), 1); /* b@k1 other-crash: failed */
	kr_results_free(back);
	kr_results_free(m);
	kr_results_free(parts[0]);
	kr_results_free(parts[1]);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(missing_and_conflicting)
{
	const char *tmp = kr_test_tmpdir();
	write_shard(tmp, 1, 3);
	write_shard(tmp, 3, 3);
	_cleanup_free_ char *d1 = shard_dir(tmp, 1), *d3 = shard_dir(tmp, 3);
	struct kr_results *parts[3] = { load(d1), load(d3), NULL };
	struct kr_results *m = NULL;
	_cleanup_strv_free_ char **warnings = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_results_merge(parts, 2, "/out", &m, &warnings, &err), 0);
	/* Shard 2 of 3 ran a@k2: it is missing, its cell stays skipped. */
	ck_assert_str_eq(warnings[0], "shard 2/3 is missing: its cells stay skipped");
	ck_assert_str_eq(warnings[1], "a@k2 was run by no shard");
	ck_assert_ptr_null(warnings[2]);
	ck_assert_int_eq(m->scenarios[1]->verdict, KR_VERDICT_SKIPPED);
	ck_assert_int_eq(m->scenarios[0]->verdict, KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m->scenarios[2]->verdict, KR_VERDICT_OTHER_CRASH); /* shard 3 */
	ck_assert_int_eq(m->scenarios[3]->verdict, KR_VERDICT_INFRA_ERROR); /* shard 1 */
	kr_results_free(m);
	m = NULL;
	kr_strv_free(warnings);
	warnings = NULL;

	/* The same shard twice: every cell it ran, ran twice. */
	parts[2] = load(d1);
	struct kr_results *twice[2] = { parts[0], parts[2] };
	ck_assert_int_eq(kr_results_merge(twice, 2, "/out", &m, &warnings, &err), -EINVAL);
	ck_assert_ptr_null(m);
	_cleanup_free_ char *want = kr_asprintf("a@k1 ran in both %s and %s: merge the shards of "
						"one run of the matrix", d1, d1);
	ck_assert_str_eq(err, want);
	free(err);
	err = NULL;
	kr_strv_free(warnings);
	warnings = NULL;

	/* Shards of different splits. */
	parts[2]->shard_total = 4;
	ck_assert_int_eq(kr_results_merge(twice, 2, "/out", &m, &warnings, &err), -EINVAL);
	ck_assert_msg(strstr(err, "is shard 1/4, but"), "%s", kr_test_tail(err));
	/* named against the first sharded part, not the first part */
	free(err);
	err = NULL;
	kr_strv_free(warnings);
	warnings = NULL;
	_cleanup_results_free_ struct kr_results *whole = kr_results_new("/whole");
	struct kr_results *mixed[3] = { whole, parts[0], parts[2] };
	ck_assert_int_eq(kr_results_merge(mixed, 3, "/out", &m, &warnings, &err), -EINVAL);
	_cleanup_free_ char *want4 = kr_asprintf("%s is shard 1/4, but %s is of 3 shards: merge "
						 "the shards of one run of the matrix", d1, d1);
	ck_assert_str_eq(err, want4);
	for (int i = 0; i < 3; i++)
		kr_results_free(parts[i]);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(baseline_compare)
{
	_cleanup_results_free_ struct kr_results *before = kr_results_new("/b");
	_cleanup_results_free_ struct kr_results *now = kr_results_new("/n");
	kr_scenario_result_skip(add(before, "gone@k", KR_EXPECT_CLEAN, -1), "x");
	add(before, "reg@k", KR_EXPECT_CLEAN, KR_VERDICT_CLEAN);
	add(before, "fix@k", KR_EXPECT_REPRODUCED, KR_VERDICT_REPRODUCED);
	add(before, "same@k", KR_EXPECT_REPRODUCED, KR_VERDICT_REPRODUCED);
	add(before, "flaky@k", KR_EXPECT_REPRODUCED, KR_VERDICT_INFRA_ERROR);
	add(now, "reg@k", KR_EXPECT_CLEAN, KR_VERDICT_REPRODUCED);
	add(now, "fix@k", KR_EXPECT_REPRODUCED, KR_VERDICT_CLEAN);
	add(now, "same@k", KR_EXPECT_REPRODUCED, KR_VERDICT_REPRODUCED);
	add(now, "flaky@k", KR_EXPECT_REPRODUCED, KR_VERDICT_REPRODUCED);
	add(now, "fresh@k", KR_EXPECT_REPRODUCED, KR_VERDICT_REPRODUCED);
	add(now, "elsewhere@k", KR_EXPECT_REPRODUCED, -1);
	ck_assert_ptr_null(kr_baseline_describe(now));
	kr_baseline_compare(now, before, "last.json");
	static const enum kr_change want[] = { KR_CHANGE_REGRESSION, KR_CHANGE_NEW_FIX,
					       KR_CHANGE_UNCHANGED, KR_CHANGE_NOT_COMPARABLE,
					       KR_CHANGE_NEW, KR_CHANGE_NONE };
	for (size_t i = 0; i < KR_ARRAY_SIZE(want); i++)
		ck_assert_msg(now->scenarios[i]->baseline.change == want[i], "%s: %s",
			      now->scenarios[i]->name,
			      kr_change_to_string(now->scenarios[i]->baseline.change));
	ck_assert_int_eq(now->scenarios[0]->baseline.verdict, KR_VERDICT_CLEAN);
	ck_assert_int_eq(now->scenarios[0]->baseline.outcome, KR_OUTCOME_MET);
	_cleanup_free_ char *line = kr_baseline_describe(now);
	ck_assert_str_eq(line, "baseline last.json: 1 regression (reg@k), 1 new fix (fix@k), "
			       "1 unchanged, 0 changed, 1 new, 1 not comparable");
	/* Written and read back. */
	_cleanup_json_free_ struct kr_json *j = kr_results_to_json(now);
	_cleanup_free_ char *text = kr_json_dump(j, true);
	ck_assert_ptr_nonnull(strstr(text, "\"baseline\": {\n        \"change\": \"regression\",\n"
					   "        \"verdict\": \"clean\",\n"
					   "        \"outcome\": \"met\"\n      }"));
	_cleanup_results_free_ struct kr_results *back = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_results_load_text("r.json", text, strlen(text), &back, &err), 0);
	ck_assert_int_eq(back->scenarios[1]->baseline.change, KR_CHANGE_NEW_FIX);
	ck_assert_int_eq(back->scenarios[4]->baseline.change, KR_CHANGE_NEW);
	ck_assert_int_eq(back->scenarios[5]->baseline.change, KR_CHANGE_NONE);
	ck_assert_str_eq(back->baseline_file, "last.json");
	ck_assert_str_eq(back->scenarios[0]->cell.scenario, "reg");
	ck_assert_str_eq(back->scenarios[0]->cell.kernel, "k");
	ck_assert_ptr_null(back->scenarios[0]->cell.vm);
}
END_TEST

/* kradar merge end to end: files, exit status, the baseline, errors. */
START_TEST(command)
{
	const char *tmp = kr_test_tmpdir();
	write_shard(tmp, 1, 2);
	write_shard(tmp, 2, 2);
	_cleanup_free_ char *d1 = shard_dir(tmp, 1), *d2 = shard_dir(tmp, 2);
	_cleanup_free_ char *out = kr_path_join(tmp, "merged");
	_cleanup_free_ char *r2 = kr_path_join(d2, "results.json");
	/* The baseline: a@k1 was clean (reproduces now: a regression), a@k2
	 * reproduced (clean now: a new fix), b@k1 as now, b@k2 is new. */
	_cleanup_free_ char *bdir = kr_path_join(tmp, "last");
	ck_assert_int_eq(kr_mkdir_p(bdir, 0755), 0);
	_cleanup_results_free_ struct kr_results *last = kr_results_new(bdir);
	add(last, "a@k1", KR_EXPECT_REPRODUCED, KR_VERDICT_CLEAN);
	add(last, "a@k2", KR_EXPECT_REPRODUCED, KR_VERDICT_REPRODUCED);
	add(last, "b@k1", KR_EXPECT_REPRODUCED, KR_VERDICT_OTHER_CRASH);
	ck_assert_int_eq(kr_results_write(last), 0);
	_cleanup_free_ char *base = kr_path_join(bdir, "results.json");
	char *argv[] = { (char *)kr_test_kradar(), "merge", "--out", out, "--baseline", base, d1,
			 r2, NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 60);
	ck_assert_msg(rc == 1, "rc %d: %s%s", rc, o, e);
	ck_assert_msg(strstr(o, "merged 2 results: 4 scenarios, 1 met, 2 failed, 1 inconclusive, "
				"0 skipped"), "%s", o);
	ck_assert_msg(strstr(o, "1 regression (a@k1), 1 new fix (a@k2), 1 unchanged, 0 changed, "
				"1 new, 0 not comparable"), "%s", o);
	static const char *const files[] = { "results.json", "junit.xml", "summary.md",
					     "b@k2/run-1/console.log", NULL };
	for (size_t i = 0; files[i]; i++) {
		_cleanup_free_ char *p = kr_path_join(out, files[i]);
		ck_assert_msg(access(p, R_OK) == 0, "no %s", p);
	}
	_cleanup_free_ char *junit_path = kr_path_join(out, "junit.xml");
	_cleanup_free_ char *junit = NULL;
	ck_assert_int_eq(kr_read_file(junit_path, 1 << 20, &junit, NULL), 0);
	ck_assert_ptr_nonnull(strstr(junit, "tests=\"4\" failures=\"2\" errors=\"1\""));
	ck_assert_ptr_nonnull(strstr(junit, "<property name=\"a@k1.baseline_change\" "
					    "value=\"regression\"/>"));
	ck_assert_ptr_nonnull(strstr(junit, "<property name=\"a@k1.baseline_verdict\" "
					    "value=\"clean\"/>"));
	ck_assert_ptr_nonnull(strstr(junit, "<property name=\"b@k2.baseline_change\" "
					    "value=\"new\"/>"));
	_cleanup_free_ char *md_path = kr_path_join(out, "summary.md");
	_cleanup_free_ char *md = NULL;
	ck_assert_int_eq(kr_read_file(md_path, 1 << 20, &md, NULL), 0);
	ck_assert_msg(strstr(md, ": 1 regression, 1 new fix, 1 unchanged, 0 changed, 1 new, 0 not "
				 "comparable\n\n**Regressions** (clean or fixed before, reproduced "
				 "now): a\\@k1 (was clean)\n\n**New fixes** (reproduced before, clean "
				 "or fixed now): a\\@k2 (was reproduced)\n"), "%s", md);

	/* One shard alone: the other's cells stay skipped, with a warning. */
	_cleanup_free_ char *out1 = kr_path_join(tmp, "one");
	char *argv1[] = { (char *)kr_test_kradar(), "merge", "-o", out1, d1, NULL };
	free(o);
	free(e);
	rc = kr_test_spawn(argv1, NULL, 0, &o, &e, 60);
	ck_assert_msg(rc == 1, "rc %d: %s%s", rc, o, e); /* b@k1 failed */
	ck_assert_msg(strstr(e, "shard 2/2 is missing"), "%s", e);
	ck_assert_msg(strstr(o, "2 skipped"), "%s", o);

	/* Bad input. */
	char *argv2[] = { (char *)kr_test_kradar(), "merge", "-o", out1, d1, d1, NULL };
	free(o);
	free(e);
	rc = kr_test_spawn(argv2, NULL, 0, &o, &e, 60);
	ck_assert_int_eq(rc, 2);
	ck_assert_msg(strstr(e, "ran in both"), "%s", e);
	_cleanup_free_ char *nowhere = kr_path_join(tmp, "nowhere");
	char *argv3[] = { (char *)kr_test_kradar(), "merge", nowhere, NULL };
	free(o);
	free(e);
	rc = kr_test_spawn(argv3, NULL, 0, &o, &e, 60);
	ck_assert_int_eq(rc, 2);
	ck_assert_msg(strstr(e, "cannot read"), "%s", e);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A run directory that is a symlink (to anywhere) is not followed. */
START_TEST(symlinked_run_directory_is_not_followed)
{
	const char *tmp = kr_test_tmpdir();
	write_shard(tmp, 1, 2);
	write_shard(tmp, 2, 2);
	_cleanup_free_ char *d1 = shard_dir(tmp, 1), *d2 = shard_dir(tmp, 2);
	_cleanup_free_ char *run = kr_path_join(d2, "b@k2/run-1");
	_cleanup_free_ char *secret = kr_path_join(tmp, "outside");
	free(kr_test_write(secret, "console.log", "a secret\n"));
	ck_assert_int_eq(kr_rm_rf(run), 0);
	ck_assert_int_eq(symlink(secret, run), 0);
	_cleanup_free_ char *out = kr_path_join(tmp, "merged");
	char *argv[] = { (char *)kr_test_kradar(), "merge", "--out", out, d1, d2, NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 60);
	ck_assert_msg(rc != 0 && rc != 1, "rc %d: %s%s", rc, o, e);
	KR_ASSERT_HAS(e, "b@k2/run-1: not copied");
	_cleanup_free_ char *copied = kr_path_join(out, "b@k2/run-1/console.log");
	ck_assert_int_eq(access(copied, F_OK), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("merge");
	tcase_add_test(tc, change_table);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, missing_and_conflicting);
	tcase_add_test(tc, baseline_compare);
	tcase_add_test(tc, command);
	tcase_add_test(tc, symlinked_run_directory_is_not_followed);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
