/* SPDX-License-Identifier: MIT */
/* A matrix run in two shards on real guests (the qemu suite), the second
 * shard found from GitLab's variables, then merged: every cell ran in
 * exactly one shard and the merged results hold them all, artifacts
 * included; a baseline marks the regression. */
#include <string.h>

#include "kr-test.h"
#include "results.h"

static void prepare(void)
{
	kr_test_prepare_debian_kernel();
}


static struct kr_results *load(const char *dir)
{
	_cleanup_free_ char *path = kr_path_join(dir, "results.json");
	struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(path, &r, &err) == 0, "%s", kr_test_tail(err));
	return r;
}

START_TEST(two_shards_merged)
{
	const char *tmp = kr_test_tmpdir();
	free(kr_test_write(tmp, "s/warn.json",
			   "{\"kradar\": 1, \"name\": \"warn\", \"kernel\": {\"image\": \"${KRADAR_DEBIAN_KERNEL}\"},\n"
			   " \"repro\": {\"sh\": [\"insmod /kradar_test.ko\", \"echo warn > /proc/kradar_test\"],\n"
			   "   \"files\": {\"${KRADAR_TEST_MODULE}\": \"/kradar_test.ko\"}},\n"
			   " \"timeouts\": {\"boot\": 300, \"tcg_factor\": 1},\n"
			   " \"expect\": {\"title\": \"WARNING in kradar_test_warn\"}}"));
	free(kr_test_write(tmp, "s/quiet.json",
			   "{\"kradar\": 1, \"name\": \"quiet\", \"kernel\": {\"image\": \"${KRADAR_DEBIAN_KERNEL}\"},\n"
			   " \"repro\": {\"sh\": \"true\"},\n"
			   " \"timeouts\": {\"boot\": 300, \"tcg_factor\": 1},\n"
			   " \"expect\": {\"verdict\": \"clean\"}}"));
	/* Last night quiet was clean and warn was fixed: warn regressed. */
	_cleanup_free_ char *last = kr_path_join(tmp, "last");
	ck_assert_int_eq(kr_mkdir_p(last, 0755), 0);
	_cleanup_results_free_ struct kr_results *before = kr_results_new(last);
	static const char *const names[] = { "quiet@debian@tcg1", "warn@debian@tcg1" };
	for (int i = 0; i < 2; i++) {
		struct kr_scenario_result *sr = kr_results_append(before);
		sr->name = kr_strdup(names[i]);
		sr->verdict = i ? KR_VERDICT_FIXED : KR_VERDICT_CLEAN;
		sr->outcome = KR_OUTCOME_MET;
	}
	ck_assert_int_eq(kr_results_write(before), 0);
	_cleanup_free_ char *matrix = kr_test_write(
		tmp, "m.json",
		"{\"kradar_matrix\": 1, \"scenarios\": [\"s\"],\n"
		" \"kernels\": [{\"label\": \"debian\", \"image\": \"${KRADAR_DEBIAN_KERNEL}\"}],\n"
		" \"vm\": [{\"label\": \"tcg1\", \"smp\": 1, \"mem_mb\": 512, \"kvm\": \"off\"}],\n"
		" \"baseline\": \"last/results.json\"}");

	_cleanup_free_ char *out1 = kr_path_join(tmp, "shard-1");
	_cleanup_free_ char *out2 = kr_path_join(tmp, "shard-2");
	char *argv1[] = { (char *)kr_test_kradar(), "run", "--shard", "1/2", "--out", out1, matrix,
			  NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv1, NULL, 0, &o, &e, 900);
	ck_assert_msg(rc == 0, "shard 1: exit %d\n%s\n%s", rc, o, e);
	setenv("CI_NODE_INDEX", "2", 1);
	setenv("CI_NODE_TOTAL", "2", 1);
	char *argv2[] = { (char *)kr_test_kradar(), "run", "--shard", "auto", "--out", out2, matrix,
			  NULL };
	free(o);
	free(e);
	rc = kr_test_spawn(argv2, NULL, 0, &o, &e, 900);
	unsetenv("CI_NODE_INDEX");
	unsetenv("CI_NODE_TOTAL");
	ck_assert_msg(rc == 0, "shard 2: exit %d\n%s\n%s", rc, o, e);
	KR_ASSERT_HAS(e, "shard 2/2 from GitLab CI");

	/* Each cell ran in exactly one shard, and is skipped in the other. */
	_cleanup_results_free_ struct kr_results *r1 = load(out1), *r2 = load(out2);
	ck_assert_uint_eq(r1->n_scenarios, 2);
	ck_assert_uint_eq(r2->n_scenarios, 2);
	ck_assert_int_eq(r2->shard_index, 2);
	ck_assert_int_eq(r2->shard_total, 2);
	for (int i = 0; i < 2; i++) {
		ck_assert_str_eq(r1->scenarios[i]->name, r2->scenarios[i]->name);
		bool ran1 = r1->scenarios[i]->verdict != KR_VERDICT_SKIPPED;
		bool ran2 = r2->scenarios[i]->verdict != KR_VERDICT_SKIPPED;
		ck_assert_msg(ran1 != ran2, "%s ran in %s", r1->scenarios[i]->name,
			      ran1 ? "both shards" : "no shard");
		const struct kr_scenario_result *skipped = ran1 ? r2->scenarios[i] : r1->scenarios[i];
		ck_assert_msg(strstr(skipped->reason, "not run here: shard"), "%s", skipped->reason);
	}

	_cleanup_free_ char *merged = kr_path_join(tmp, "merged");
	char *argv3[] = { (char *)kr_test_kradar(), "merge", "--out", merged, out1, out2, NULL };
	free(o);
	free(e);
	rc = kr_test_spawn(argv3, NULL, 0, &o, &e, 300);
	ck_assert_msg(rc == 0, "merge: exit %d\n%s\n%s", rc, o, e);
	KR_ASSERT_HAS(o, "merged 2 results: 2 scenarios, 2 met, 0 failed, 0 inconclusive, 0 skipped");
	KR_ASSERT_HAS(o, "1 regression (warn@debian@tcg1)");
	_cleanup_results_free_ struct kr_results *m = load(merged);
	ck_assert_str_eq(m->scenarios[0]->name, "quiet@debian@tcg1");
	ck_assert_int_eq(m->scenarios[0]->verdict, KR_VERDICT_CLEAN);
	ck_assert_int_eq(m->scenarios[0]->baseline.change, KR_CHANGE_UNCHANGED);
	ck_assert_str_eq(m->scenarios[1]->name, "warn@debian@tcg1");
	ck_assert_int_eq(m->scenarios[1]->verdict, KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(m->scenarios[1]->baseline.change, KR_CHANGE_REGRESSION);
	ck_assert_str_eq(m->scenarios[1]->cell.kernel, "debian");
	ck_assert_str_eq(m->scenarios[1]->cell.vm, "tcg1");
	ck_assert_str_eq(m->scenarios[1]->kernel.label, "debian");
	_cleanup_free_ char *report = kr_asprintf("%s/warn@debian@tcg1/run-1/report.txt", merged);
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(report, 1 << 20, &text, NULL), 0);
	KR_ASSERT_HAS(text, "WARNING");
	_cleanup_free_ char *md = kr_path_join(merged, "summary.md");
	_cleanup_free_ char *summary = NULL;
	ck_assert_int_eq(kr_read_file(md, 1 << 20, &summary, NULL), 0);
	KR_ASSERT_HAS(summary, "**Regressions** (clean or fixed before, reproduced now): "
			    "warn\\@debian\\@tcg1 (was fixed)");
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shards");
	TCase *tc = tcase_create("shards");
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	tcase_set_timeout(tc, 1500);
	tcase_add_test(tc, two_shards_merged);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
