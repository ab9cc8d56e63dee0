/* SPDX-License-Identifier: MIT */
/* kradar verify-fix on real guests (the qemu suite): Debian's kernel under
 * TCG, the bad side loading kradar_test.ko (its `deadlock` takes two
 * mutexes AB/BA: the hung-task detector reports it), the fixed side the
 * build whose `deadlock` takes them in order; two kernel paths, so that
 * the kernels are named apart. With --jobs 2 the four runs share the host
 * as the scheduler allows: checked against the budget from results.json. */
#include <math.h>
#include <string.h>

#include "kr-test.h"
#include "results.h"

static void prepare(void)
{
	kr_test_prepare_debian_kernel();
	ck_assert_ptr_nonnull(getenv("KRADAR_TEST_MODULE_FIXED"));
}

static char *copy_kernel(const char *dir, const char *name)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	ck_assert_int_eq(kr_read_file(getenv("KRADAR_DEBIAN_KERNEL"), 256 << 20, &data, &len), 0);
	char *path = kr_path_join(dir, name);
	ck_assert_int_eq(kr_write_file_atomic(path, data, len, 0644), 0);
	return path;
}


/* The most vCPUs that the runs of r had at once: at each run's start, the
 * runs that had started and not ended. Started and ended come from the
 * runs' own records, so a run that starts right after another ended does
 * not count as beside it. *most gets the most runs at once. */
static int peak_vcpus(const struct kr_results *r, const int *smp, int *most)
{
	int peak = 0;
	*most = 0;
	for (size_t i = 0; i < r->n_scenarios; i++) {
		for (size_t k = 0; k < r->scenarios[i]->n_runs; k++) {
			double t = r->scenarios[i]->runs[k]->started_at;
			int vcpus = 0, runs = 0;
			for (size_t j = 0; j < r->n_scenarios; j++) {
				for (size_t m = 0; m < r->scenarios[j]->n_runs; m++) {
					const struct kr_run_result *o = r->scenarios[j]->runs[m];
					if (o->started_at <= t && t < o->started_at + o->duration_s) {
						vcpus += smp[j];
						runs++;
					}
				}
			}
			peak = vcpus > peak ? vcpus : peak;
			*most = runs > *most ? runs : *most;
		}
	}
	return peak;
}

START_TEST(deadlock_fixed_by_lock_order)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *bad = copy_kernel(tmp, "bad-bzImage");
	_cleanup_free_ char *fixed = copy_kernel(tmp, "fixed-bzImage");
	_cleanup_free_ char *scen = kr_test_write(
		tmp, "deadlock.json",
		"{\"kradar\": 1, \"name\": \"deadlock\",\n"
		" \"kernel\": {\"image\": \"bad-bzImage\"},\n"
		" \"repro\": {\"sh\": [\"insmod /kradar_test.ko\", \"echo deadlock > /proc/kradar_test\","
		" \"sleep 14\"],\n"
		"   \"files\": {\"${KRADAR_TEST_MODULE}\": \"/kradar_test.ko\"}},\n"
		" \"vm\": {\"kvm\": \"off\", \"smp\": 1, \"mem_mb\": 512},\n"
		" \"sysctl\": {\"kernel.hung_task_timeout_secs\": 10,"
		" \"kernel.hung_task_check_interval_secs\": 2},\n"
		" \"timeouts\": {\"boot\": 300, \"run\": 300, \"no_output\": 300, \"grace\": 2,"
		" \"tcg_factor\": 1},\n"
		" \"expect\": {\"title_regex\": \"^INFO: task hung in kradar_test_deadlock_worker_\"}}");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *fixed_env = kr_asprintf("KRADAR_TEST_MODULE=%s",
						     getenv("KRADAR_TEST_MODULE_FIXED"));
	char *argv[] = { (char *)kr_test_kradar(), "verify-fix", scen, "--bad", bad, "--fixed",
			 fixed, "--fixed-env", fixed_env, "--runs", "2", "--jobs", "2", "--out",
			 out, NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 1500);
	ck_assert_msg(rc == 0, "exit %d (fixed: 0)\n%s\n%s", rc, o, e);
	KR_ASSERT_HAS(o, "verify-fix: fixed: the bad kernel reproduced the bug in 2 of 2 runs, "
		      "the fixed kernel was clean in 2");
	KR_ASSERT_HAS(o, "P(the fix is not real, yet 2 clean runs) <= (1 - 0.342)^2 = 0.432");
	KR_ASSERT_HAS(o, "clean runs on the fixed kernel for 0.95 confidence: 8");

	_cleanup_free_ char *vpath = kr_path_join(out, "verify-fix.json");
	_cleanup_free_ char *v = NULL;
	ck_assert_int_eq(kr_read_file(vpath, 1 << 20, &v, NULL), 0);
	KR_ASSERT_HAS(v, "\"verdict\": \"fixed\"");
	KR_ASSERT_HAS(v, "\"kernel\": \"bad-bzImage\"");
	KR_ASSERT_HAS(v, "\"kernel\": \"fixed-bzImage\"");
	KR_ASSERT_HAS(v, "\"runs_needed\": 8");

	_cleanup_free_ char *rpath = kr_path_join(out, "results.json");
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(rpath, &r, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_uint_eq(r->n_scenarios, 2);
	const struct kr_scenario_result *b = r->scenarios[0], *f = r->scenarios[1];
	ck_assert_str_eq(b->name, "deadlock@bad");
	ck_assert_str_eq(f->name, "deadlock@fixed");
	ck_assert_uint_eq(b->n_runs, 2); /* no stop at the first hit */
	ck_assert_uint_eq(f->n_runs, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(b->runs[i]->verdict, KR_VERDICT_REPRODUCED);
		ck_assert_msg(kr_str_startswith(b->runs[i]->title,
						"INFO: task hung in kradar_test_deadlock_worker_"),
			      "%s", b->runs[i]->title);
		ck_assert_int_eq(f->runs[i]->verdict, KR_VERDICT_CLEAN);
		ck_assert_int_eq(f->runs[i]->index, (int)i + 1);
	}
	ck_assert_int_eq(b->verdict, KR_VERDICT_REPRODUCED);
	ck_assert_int_eq(f->verdict, KR_VERDICT_FIXED);
	/* The sides differ in the module the scenario copies in, nothing else. */
	_cleanup_free_ char *guest_module = kr_asprintf("%s/deadlock@fixed/run-1/console.log", out);
	_cleanup_free_ char *console = NULL;
	ck_assert_int_eq(kr_read_file(guest_module, 16 << 20, &console, NULL), 0);
	KR_ASSERT_HAS(console, "kradar_test: loaded, write an action to /proc/kradar_test (deadlock fixed)");

	/* The scheduler: never more vCPUs than its budget; with two CPUs, the
	 * 1-vCPU guests ran side by side. */
	ck_assert_int_eq(r->jobs, 2);
	ck_assert_int_ge(r->budget_cpus, 1);
	int smp[2] = { 1, 1 }, most;
	int peak = peak_vcpus(r, smp, &most);
	ck_assert_msg(peak <= r->budget_cpus, "%d vCPUs at once, budget %d", peak, r->budget_cpus);
	if (r->budget_cpus >= 2)
		ck_assert_msg(most == 2, "at most %d guests at once with %d CPUs and --jobs 2", most,
			      r->budget_cpus);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Two 2-vCPU guests on a budget of 2 CPUs (KRADAR_CPUS) never overlap,
 * whatever --jobs allows. */
START_TEST(budget_holds_guests_back)
{
	const char *tmp = kr_test_tmpdir();
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *name = kr_asprintf("s%d.json", i);
		_cleanup_free_ char *text = kr_asprintf(
			"{\"kradar\": 1, \"name\": \"two-cpus-%d\", \"kernel\": {\"image\": "
			"\"${KRADAR_DEBIAN_KERNEL}\"},\n"
			" \"repro\": {\"sh\": \"sleep 2\"}, \"vm\": {\"kvm\": \"off\", \"smp\": 2, "
			"\"mem_mb\": 512},\n"
			" \"timeouts\": {\"boot\": 300, \"tcg_factor\": 1},"
			" \"expect\": {\"verdict\": \"clean\"}}", i);
		free(kr_test_write(tmp, name, text));
	}
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	setenv("KRADAR_CPUS", "2", 1);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--jobs", "4", "--out", out,
			 (char *)tmp, NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 900);
	unsetenv("KRADAR_CPUS");
	ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, o, e);
	_cleanup_free_ char *rpath = kr_path_join(out, "results.json");
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(rpath, &r, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_int_eq(r->budget_cpus, 2);
	ck_assert_int_eq(r->jobs, 4);
	int smp[2] = { 2, 2 }, most;
	ck_assert_int_eq(peak_vcpus(r, smp, &most), 2);
	ck_assert_int_eq(most, 1);
	kr_test_tmpdir_cleanup();
}
END_TEST

static void git(const char *dir, char *const *args, char **out)
{
	char *argv[16] = { "git", "-C", (char *)dir, "-c", "user.name=t", "-c",
			   "user.email=t@example.org" };
	size_t n = 7;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 120);
	ck_assert_msg(rc == 0, "git %s: %d %s", args[0], rc, e);
	if (out) {
		o[strcspn(o, "\n")] = '\0';
		*out = KR_TAKE_PTR(o);
	}
}

/* --bad/--fixed as commits of kernel.source: each side builds its own
 * commit (a fake tree whose "bzImage" QEMU refuses, so the runs are infra
 * errors and the verdict inconclusive, but each side names its kernel). */
START_TEST(commits_of_the_source_tree)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *tree = kr_path_join(tmp, "linux");
	_cleanup_free_ char *count = kr_path_join(tmp, "builds");
	setenv("KR_FAKE_COUNT", count, 1);
	kr_test_fake_kernel_tree(tree, "the bad kernel\n");
	git(tree, (char *[]){ "init", "-q", NULL }, NULL);
	git(tree, (char *[]){ "add", ".", NULL }, NULL);
	git(tree, (char *[]){ "commit", "-q", "-m", "bad", NULL }, NULL);
	_cleanup_free_ char *bad = NULL, *fixed = NULL;
	git(tree, (char *[]){ "rev-parse", "HEAD", NULL }, &bad);
	free(kr_test_write(tree, "VERSION", "the fixed kernel\n"));
	git(tree, (char *[]){ "commit", "-q", "-a", "-m", "fix", NULL }, NULL);
	git(tree, (char *[]){ "rev-parse", "HEAD", NULL }, &fixed);
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"built\", \"kernel\": {\"source\": \"%s\", "
		"\"config\": \"tinyconfig\"},\n \"repro\": {\"sh\": \"true\"}, \"vm\": "
		"{\"kvm\": \"off\", \"smp\": 1, \"mem_mb\": 256}, \"timeouts\": {\"boot\": 60}}",
		tree);
	_cleanup_free_ char *scen = kr_test_write(tmp, "built.json", text);
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	_cleanup_free_ char *cache = kr_path_join(tmp, "cache");
	_cleanup_free_ char *short_bad = kr_strndup(bad, 12);
	char *argv[] = { (char *)kr_test_kradar(), "verify-fix", scen, "--bad", short_bad, "--fixed",
			 "commit:HEAD", "--cache", cache, "--out", out, NULL };
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 600);
	ck_assert_msg(rc == 3, "exit %d (inconclusive: 3)\n%s\n%s", rc, o, e);
	KR_ASSERT_HAS(o, "verify-fix: inconclusive: no conclusive run on the bad kernel");
	_cleanup_free_ char *rpath = kr_path_join(out, "results.json");
	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_results_load(rpath, &r, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_str_eq(r->scenarios[0]->kernel.commit, bad);
	ck_assert_str_eq(r->scenarios[1]->kernel.commit, fixed);
	for (int i = 0; i < 2; i++) {
		const struct kr_scenario_result *sr = r->scenarios[i];
		ck_assert_ptr_nonnull(sr->kernel.cache_key);
		_cleanup_free_ char *image = NULL;
		ck_assert_int_eq(kr_read_file(sr->kernel.image, 4096, &image, NULL), 0);
		ck_assert_str_eq(image, i ? "the fixed kernel\n" : "the bad kernel\n");
		ck_assert_uint_eq(sr->n_runs, 1);
		ck_assert_int_eq(sr->runs[0]->verdict, KR_VERDICT_INFRA_ERROR);
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verify-fix");
	TCase *tc = tcase_create("verify-fix");
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	tcase_set_timeout(tc, 1500);
	tcase_add_test(tc, deadlock_fixed_by_lock_order);
	tcase_add_test(tc, budget_holds_guests_back);
	tcase_add_test(tc, commits_of_the_source_tree);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
