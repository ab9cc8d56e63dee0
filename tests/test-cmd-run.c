/* SPDX-License-Identifier: MIT */
/* kradar run from scenario to verdict without a guest: vm.qemu is a script
 * that reads the marker token from the initramfs kradar made (the init
 * script is stored uncompressed) and prints a canned console around the
 * start marker: real kernel log text from tests/data/crash-logs. This
 * covers the verdicts that need starvation evidence, which a healthy
 * guest does not produce on demand. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kr-test.h"
#include "util.h"

static void scenario(const char *dir, const char *name, const char *qemu, const char *expect)
{
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\":1,\"name\":\"%s\",\"kernel\":{\"image\":\"bzImage\"},"
		"\"repro\":{\"sh\":\"true\"},\"vm\":{\"kvm\":\"off\",\"qemu\":\"%s\"},"
		"\"timeouts\":{\"boot\":60,\"run\":60,\"no_output\":60,\"grace\":1,"
		"\"tcg_factor\":1},\"expect\":%s}",
		name, qemu, expect);
	_cleanup_free_ char *file = kr_asprintf("s/%s.json", name);
	free(kr_test_write(dir, file, text));
}

/* kradar run over DIR/s into DIR/out, which must exit with rc: its
 * results.json, and its standard error in *err when err is not NULL. */
static char *run_all(const char *dir, int rc_want, char **err)
{
	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	setenv("KRADAR_BUSYBOX", "/bin/sh", 1); /* packed, never run */
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out, sdir, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == rc_want, "exit %d\n%s\n%s", rc, so, se);
	_cleanup_free_ char *path = kr_path_join(out, "results.json");
	char *json = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 24, &json, NULL), 0);
	if (err)
		*err = KR_TAKE_PTR(se);
	return json;
}

START_TEST(stalls_starvation_and_boot_crashes)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "s/bzImage", "not a kernel: the fake QEMU does not care"));
	_cleanup_free_ char *stall = kr_path_join(kr_test_data(),
						  "crash-logs/synthetic-soft-lockup.log");
	/* the same report without its first line, the starvation evidence */
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(stall, 1 << 20, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, "hrtimer: interrupt took"));
	_cleanup_free_ char *bare = kr_test_write(dir, "bare-stall.log", strchr(text, '\n') + 1);
	_cleanup_free_ char *evidence = kr_test_write(
		dir, "evidence.log", "[   88.300000] hrtimer: interrupt took 4108213 ns\n");
	_cleanup_free_ char *panic = kr_path_join(kr_test_data(), "crash-logs/panic.log");

	_cleanup_free_ char *q1 = kr_test_fake_qemu(dir, "q-artifact", NULL, stall);
	_cleanup_free_ char *q2 = kr_test_fake_qemu(dir, "q-other", NULL, bare);
	_cleanup_free_ char *q3 = kr_test_fake_qemu(dir, "q-boot-evidence", evidence, bare);
	_cleanup_free_ char *q4 = kr_test_fake_qemu(dir, "q-boot-crash", panic, NULL);
	_cleanup_free_ char *q5 = kr_test_fake_qemu(dir, "q-expected", NULL, stall);
	const char *other = "{\"title\":\"WARNING in something_else\"}";
	scenario(dir, "artifact", q1, other);
	scenario(dir, "other", q2, other);
	scenario(dir, "boot-evidence", q3, other);
	scenario(dir, "boot-crash", q4, other);
	scenario(dir, "expected", q5, "{\"title\":\"BUG: soft lockup in synthetic_spin_fn\"}");

	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *json = run_all(dir, 1, NULL); /* "other" failed */
	/* a stall that is not the bug, with evidence during the run */
	_cleanup_free_ char *a = kr_test_results_scenario(json, "artifact");
	KR_ASSERT_HAS(a, "\"verdict\": \"artifact-stall\"");
	KR_ASSERT_HAS(a, "\"outcome\": \"inconclusive\"");
	KR_ASSERT_HAS(a, "hrtimer: interrupt took 4108213 ns");
	KR_ASSERT_HAS(a, "\"title\": \"BUG: soft lockup in synthetic_spin_fn\"");
	/* the same stall without evidence is another crash */
	_cleanup_free_ char *o = kr_test_results_scenario(json, "other");
	KR_ASSERT_HAS(o, "\"verdict\": \"other-crash\"");
	KR_ASSERT_HAS(o, "\"evidence\": []");
	/* evidence from before the reproducer started does not count */
	_cleanup_free_ char *b = kr_test_results_scenario(json, "boot-evidence");
	KR_ASSERT_HAS(b, "\"verdict\": \"other-crash\"");
	/* a crash before the start marker is a boot failure */
	_cleanup_free_ char *c = kr_test_results_scenario(json, "boot-crash");
	KR_ASSERT_HAS(c, "\"verdict\": \"infra-error\"");
	KR_ASSERT_HAS(c, "crashed before the reproducer started");
	/* evidence does not matter when the stall is the bug */
	_cleanup_free_ char *e = kr_test_results_scenario(json, "expected");
	KR_ASSERT_HAS(e, "\"verdict\": \"reproduced\"");
	_cleanup_free_ char *report = kr_path_join(out, "artifact/run-1/report.txt");
	_cleanup_free_ char *rtext = NULL;
	ck_assert_int_eq(kr_read_file(report, 1 << 20, &rtext, NULL), 0);
	KR_ASSERT_HAS(rtext, "soft lockup");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The verdict's frame rule through kradar run, on the real Debian BUG()
 * (kernel BUG in kradar_test_bug, called from kradar_test_write.cold,
 * proc_reg_write, vfs_write, ksys_write, do_syscall_64). */
START_TEST(frame_rule)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "s/bzImage", "not a kernel: the fake QEMU does not care"));
	_cleanup_free_ char *log_path = kr_path_join(kr_test_data(), "crash-logs/bug.log");
	_cleanup_free_ char *log = NULL;
	ck_assert_int_eq(kr_read_file(log_path, 1 << 20, &log, NULL), 0);
	/* its crash, without the boot before it (a second boot is a reboot) */
	const char *cut = strstr(log, "kradar_test: action bug start");
	ck_assert_ptr_nonnull(cut);
	while (cut > log && cut[-1] != '\n')
		cut--;
	_cleanup_free_ char *bug = kr_test_write(dir, "bug-crash.log", cut);
	_cleanup_free_ char *q = kr_test_fake_qemu(dir, "q-bug", NULL, bug);
	scenario(dir, "caller", q, "{\"title\":\"kernel BUG in kradar_test_write\"}");
	scenario(dir, "depth4", q, "{\"title\":\"kernel BUG in ksys_write\"}");
	scenario(dir, "depth5", q, "{\"title\":\"kernel BUG in do_syscall_64\"}");
	scenario(dir, "exact", q,
		 "{\"title\":\"kernel BUG in kradar_test_write\",\"match\":\"exact\"}");
	scenario(dir, "kind", q, "{\"title\":\"WARNING in kradar_test_write\"}");

	_cleanup_free_ char *se = NULL;
	_cleanup_free_ char *json = run_all(dir, 1, &se);
	_cleanup_free_ char *c = kr_test_results_scenario(json, "caller");
	KR_ASSERT_HAS(c, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(c, "\"title\": \"kernel BUG in kradar_test_bug\"");
	KR_ASSERT_HAS(c, "\"reason\": \"title matched through frame kradar_test_write.cold at depth "
			 "1: kernel BUG in kradar_test_bug, expected kernel BUG in kradar_test_write\"");
	KR_ASSERT_HAS(c, "\"rule\": \"frame\"");
	KR_ASSERT_HAS(c, "\"frame\": \"kradar_test_write.cold\"");
	KR_ASSERT_HAS(c, "\"depth\": 1");
	_cleanup_free_ char *d4 = kr_test_results_scenario(json, "depth4");
	KR_ASSERT_HAS(d4, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(d4, "\"depth\": 4");
	_cleanup_free_ char *d5 = kr_test_results_scenario(json, "depth5");
	KR_ASSERT_HAS(d5, "\"verdict\": \"other-crash\"");
	KR_ASSERT_HAS(d5, "\"match\": null");
	_cleanup_free_ char *e = kr_test_results_scenario(json, "exact");
	KR_ASSERT_HAS(e, "\"verdict\": \"other-crash\"");
	_cleanup_free_ char *k = kr_test_results_scenario(json, "kind");
	KR_ASSERT_HAS(k, "\"verdict\": \"other-crash\"");
	/* the progress line names the frame */
	KR_ASSERT_HAS(se, "reproduced: kernel BUG in kradar_test_bug (through frame "
			  "kradar_test_write.cold at depth 1)");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* kradar run --runs 5 --filter GLOB --format json: the one scenario the
 * pattern picks runs five times (no stop at the first reproduction), the
 * others are not in the results at all, and standard output is the table
 * as JSON alone. */
START_TEST(runs_filter_and_json_table)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "s/bzImage", "not a kernel: the fake QEMU does not care"));
	_cleanup_free_ char *stall = kr_path_join(kr_test_data(),
						  "crash-logs/synthetic-soft-lockup.log");
	_cleanup_free_ char *q = kr_test_fake_qemu(dir, "q-stall", NULL, stall);
	const char *title = "{\"title\":\"BUG: soft lockup in synthetic_spin_fn\"}";
	scenario(dir, "flaky-one", q, title);
	scenario(dir, "flaky-two", q, title);
	scenario(dir, "other", q, title);

	_cleanup_free_ char *sdir = kr_path_join(dir, "s");
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	setenv("KRADAR_BUSYBOX", "/bin/sh", 1);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", out, "--runs", "5", "--filter",
			 "flaky-o*", "--format", "json", "-j", "2", sdir, NULL };
	_cleanup_free_ char *so = NULL, *se = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &so, &se, 300);
	ck_assert_msg(rc == 0, "exit %d\n%s\n%s", rc, so, se);
	ck_assert_msg(so[0] == '{' && so[strlen(so) - 2] == '}', "not JSON alone: %s", so);
	KR_ASSERT_HAS(so, "\"exit_status\": 0");
	KR_ASSERT_HAS(so, "\"name\": \"flaky-one\"");
	KR_ASSERT_HAS(so, "\"verdict\": \"reproduced\"");
	KR_ASSERT_HAS(so, "\"runs\": 5");
	KR_ASSERT_HAS(so, "\"reproduced\": 5");
	ck_assert_ptr_null(strstr(so, "flaky-two"));
	ck_assert_ptr_null(strstr(so, "other"));
	KR_ASSERT_HAS(se, "results: ");
	_cleanup_free_ char *path = kr_path_join(out, "results.json");
	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 24, &json, NULL), 0);
	ck_assert_ptr_null(strstr(json, "flaky-two"));
	_cleanup_free_ char *run5 = kr_path_join(out, "flaky-one/run-5");
	ck_assert_int_eq(access(run5, F_OK), 0);

	/* a pattern that matches nothing: one line, exit 2, nothing run */
	char *none[] = { (char *)kr_test_kradar(), "run", "--out", out, "--filter", "flaky*,nope*",
			 sdir, NULL };
	free(so);
	free(se);
	so = se = NULL;
	ck_assert_int_eq(kr_test_spawn(none, NULL, 0, &so, &se, 60), 2);
	ck_assert_str_eq(se, "kradar: error: --filter: 'nope*' matches no scenario or cell (of 3)\n");
	ck_assert_str_eq(so, "");
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cmd-run");
	TCase *tc = tcase_create("cmd-run");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, stalls_starvation_and_boot_crashes);
	tcase_add_test(tc, frame_rule);
	tcase_add_test(tc, runs_filter_and_json_table);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
