/* SPDX-License-Identifier: MIT */
/* kradar run --bisect on real guests (the qemu suite): git bisect run's
 * exit statuses, and `git bisect run kradar run --bisect` end to end on a
 * small repository whose commits change which kradar_test action the
 * scenario's reproducer runs (a file of the repository that the scenario
 * copies into the guest), with Debian's kernel as the image. A real kernel
 * bisection builds kernel.source at each step the same way (kbuild's
 * cache, keyed by the tree's content). */
#include <string.h>

#include "kr-test.h"
#include "util.h"

static void prepare(void)
{
	kr_test_prepare_debian_kernel();
}


/* A scenario running kradar_test's action from the file `action` (copied
 * in from repo), expecting the WARNING. */
static char *action_scenario(const char *dir, const char *name, const char *repo,
			     const char *expect_title)
{
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"%s\", \"kernel\": {\"image\": \"${KRADAR_DEBIAN_KERNEL}\"},\n"
		" \"repro\": {\"sh\": [\"insmod /kradar_test.ko\", \"echo $(cat /action) > /proc/kradar_test\"],\n"
		"   \"files\": {\"${KRADAR_TEST_MODULE}\": \"/kradar_test.ko\", \"%s/action\": \"/action\"}},\n"
		" \"vm\": {\"kvm\": \"off\", \"smp\": 1, \"mem_mb\": 512},\n"
		" \"timeouts\": {\"boot\": 300, \"run\": 300, \"no_output\": 300, \"grace\": 2, \"tcg_factor\": 1},\n"
		" \"expect\": {\"verdict\": \"fixed\", \"title\": \"%s\"}}",
		name, repo, expect_title);
	return kr_test_write(dir, file, text);
}

static int bisect_run(const char *scenario, const char *out, char **o, char **e)
{
	char *argv[] = { (char *)kr_test_kradar(), "run", "--bisect", "--out", (char *)out,
			 (char *)scenario, NULL };
	return kr_test_spawn(argv, NULL, 0, o, e, 900);
}

START_TEST(exit_statuses)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *repo = kr_path_join(tmp, "repo");
	free(kr_test_write(repo, "action", "warn\n"));
	_cleanup_free_ char *out = kr_path_join(tmp, "out");

	/* Another crash than the bug's: the commit cannot be judged (skip). */
	_cleanup_free_ char *other = action_scenario(tmp, "other", repo, "WARNING in something_else");
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = bisect_run(other, out, &o, &e);
	ck_assert_msg(rc == 125, "exit %d (other crash: 125)\n%s\n%s", rc, o, e);
	KR_ASSERT_HAS(o, "bisect: skip: another crash, which may hide the bug");

	/* No guest at all (QEMU refuses the kernel): skip. */
	_cleanup_free_ char *junk = kr_test_write(tmp, "not-a-kernel", "no bzImage\n");
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"junk\", \"kernel\": {\"image\": \"%s\"},"
		" \"repro\": {\"sh\": \"true\"}, \"vm\": {\"kvm\": \"off\"}}", junk);
	_cleanup_free_ char *infra = kr_test_write(tmp, "junk.json", text);
	free(o);
	free(e);
	rc = bisect_run(infra, out, &o, &e);
	ck_assert_msg(rc == 125, "exit %d (infra error: 125)\n%s\n%s", rc, o, e);
	KR_ASSERT_HAS(o, "bisect: skip: no conclusive run");

	/* Bad input stops the bisection instead of marking a commit bad. */
	_cleanup_free_ char *broken = kr_test_write(tmp, "broken.json", "{\"kradar\": 1");
	free(o);
	free(e);
	rc = bisect_run(broken, out, &o, &e);
	ck_assert_msg(rc == 128, "exit %d (bad input: 128)\n%s\n%s", rc, o, e);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--bisect", other, infra, NULL };
	free(o);
	free(e);
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &o, &e, 60), 128);
	KR_ASSERT_HAS(e, "--bisect runs one scenario, not 2");
	kr_test_tmpdir_cleanup();
}
END_TEST

static void git(const char *repo, char *const *args, char **out)
{
	char *argv[16] = { "git", "-C", (char *)repo };
	size_t n = 3;
	for (size_t i = 0; args[i] && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	_cleanup_free_ char *o = NULL, *e = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &o, &e, 1500);
	ck_assert_msg(rc == 0, "git %s: exit %d\n%s\n%s", args[0], rc, o, e);
	if (out)
		*out = KR_TAKE_PTR(o);
}

/* Commits 1-2 run deadlock-fixed (clean), 3-5 warn (the bug): git bisect
 * run with kradar finds commit 3. */
START_TEST(git_bisect_run)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *repo = kr_path_join(tmp, "repo");
	ck_assert_int_eq(kr_mkdir_p(repo, 0755), 0);
	git(repo, (char *[]){ "init", "-q", NULL }, NULL);
	git(repo, (char *[]){ "config", "user.email", "kradar@example.invalid", NULL }, NULL);
	git(repo, (char *[]){ "config", "user.name", "kradar test", NULL }, NULL);
	char *commits[6] = { 0 };
	for (int i = 1; i <= 5; i++) {
		free(kr_test_write(repo, "action", i < 3 ? "deadlock-fixed\n" : "warn\n"));
		_cleanup_free_ char *msg = kr_asprintf("commit %d", i);
		git(repo, (char *[]){ "add", "action", NULL }, NULL);
		git(repo, (char *[]){ "commit", "-q", "--allow-empty", "-m", msg, NULL }, NULL);
		git(repo, (char *[]){ "rev-parse", "HEAD", NULL }, &commits[i]);
		commits[i][strcspn(commits[i], "\n")] = '\0';
	}
	_cleanup_free_ char *scen = action_scenario(tmp, "bisected", repo, "WARNING in kradar_test_warn");
	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	git(repo, (char *[]){ "bisect", "start", commits[5], commits[1], NULL }, NULL);
	_cleanup_free_ char *bisect_log = NULL;
	git(repo, (char *[]){ "bisect", "run", (char *)kr_test_kradar(), "run", "--bisect", "--quiet",
			      "--out", out, scen, NULL },
	    &bisect_log);
	_cleanup_free_ char *want = kr_asprintf("%s is the first bad commit", commits[3]);
	KR_ASSERT_HAS(bisect_log, want);
	/* Both answers were given by guests. */
	KR_ASSERT_HAS(bisect_log, "bisect: good: every run clean");
	KR_ASSERT_HAS(bisect_log, "bisect: bad: the bug reproduced");
	git(repo, (char *[]){ "bisect", "reset", NULL }, NULL);
	for (int i = 1; i <= 5; i++)
		free(commits[i]);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("bisect");
	TCase *tc = tcase_create("bisect");
	tcase_add_unchecked_fixture(tc, prepare, NULL);
	tcase_set_timeout(tc, 1500);
	tcase_add_test(tc, exit_statuses);
	tcase_add_test(tc, git_bisect_run);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
