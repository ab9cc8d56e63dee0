/* SPDX-License-Identifier: MIT */
/* kradar run's reports without a guest: a scenario that needs KVM on a host
 * without it (skipped) and one whose QEMU cannot start (inconclusive). */
#include <string.h>

#include "kr-test.h"
#include "util.h"

static const char *const scenarios[][2] = {
	{ "needs-kvm.json", "{\"kradar\": 1, \"name\": \"needs-kvm\", \"kernel\": {\"image\": "
			    "\"bzImage\"}, \"repro\": {\"sh\": \"true\"}, \"vm\": {\"kvm\": \"on\"}}" },
	{ "no-qemu.json", "{\"kradar\": 1, \"name\": \"no-qemu\", \"kernel\": {\"image\": "
			  "\"bzImage\"}, \"repro\": {\"sh\": \"true\"}, \"vm\": {\"kvm\": \"off\", "
			  "\"qemu\": \"/bin/false\"}}" },
};

/* The two scenarios in DIR/s, which is returned. */
static char *write_scenarios(const char *dir)
{
	free(kr_test_write(dir, "s/bzImage", "not a kernel"));
	for (size_t i = 0; i < KR_ARRAY_SIZE(scenarios); i++) {
		_cleanup_free_ char *name = kr_asprintf("s/%s", scenarios[i][0]);
		free(kr_test_write(dir, name, scenarios[i][1]));
	}
	setenv("KRADAR_KVM_DEVICE", "/nonexistent/kvm", 1);
	setenv("KRADAR_BUSYBOX", "/bin/sh", 1); /* only packed, never run */
	return kr_path_join(dir, "s");
}

/* kradar run [--junit JUNIT] --out OUT on the two scenarios. */
static int run(const char *dir, const char *out, const char *junit, char **so, char **se)
{
	_cleanup_free_ char *sdir = write_scenarios(dir);
	char *argv[] = { (char *)kr_test_kradar(), "run", "--out", (char *)out, sdir,
			 junit ? "--junit" : NULL, (char *)junit, NULL };
	return kr_test_spawn(argv, NULL, 0, so, se, 120);
}

START_TEST(reports_next_to_results)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITLAB_CI");
	_cleanup_free_ char *so = NULL, *se = NULL;
	ck_assert_int_eq(run(dir, out, NULL, &so, &se), 3); /* inconclusive, none failed */

	_cleanup_free_ char *junit = kr_path_join(out, "junit.xml");
	_cleanup_free_ char *xml = NULL;
	ck_assert_int_eq(kr_read_file(junit, 1 << 24, &xml, NULL), 0);
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"s\" tests=\"2\" failures=\"0\" "
					  "errors=\"1\" skipped=\"1\""));
	ck_assert_ptr_nonnull(strstr(xml, "<skipped message=\"vm.kvm is &quot;on&quot; and this "
					  "host has no /nonexistent/kvm\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<error type=\"infra-error\" message=\"expected "
					  "reproduced, got infra-error (1/1 run)\">"));
	_cleanup_free_ char *xsd = kr_path_join(kr_test_data(), "junit/kradar-junit.xsd");
	char *lint[] = { "xmllint", "--noout", "--nonet", "--schema", xsd, junit, NULL };
	_cleanup_free_ char *lerr = NULL;
	ck_assert_msg(kr_test_spawn(lint, NULL, 0, NULL, &lerr, 60) == 0, "%s", kr_test_tail(lerr));

	_cleanup_free_ char *summary = kr_path_join(out, "summary.md");
	_cleanup_free_ char *md = NULL;
	ck_assert_int_eq(kr_read_file(summary, 1 << 24, &md, NULL), 0);
	ck_assert(kr_str_startswith(md, "## kradar: 1 inconclusive, 1 skipped\n"));
	_cleanup_free_ char *results = kr_path_join(out, "results.json");
	_cleanup_free_ char *json = NULL;
	ck_assert_int_eq(kr_read_file(results, 1 << 24, &json, NULL), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"outcome\": \"skipped\""));
	ck_assert_ptr_nonnull(strstr(json, "\"qemu_version\": null")); /* /bin/false says nothing */
	/* Plain progress lines on stderr (not a terminal). */
	ck_assert_ptr_nonnull(strstr(se, "kradar: [1/2] needs-kvm: skipped: expected reproduced, "
					 "not run; vm.kvm is \"on\""));
	ck_assert_ptr_nonnull(strstr(se, "kradar: [2/2] no-qemu: run 1/1: infra-error: "));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(github_and_elsewhere)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *junit = kr_path_join(dir, "elsewhere/j.xml");
	_cleanup_free_ char *elsewhere = kr_path_join(dir, "elsewhere");
	ck_assert_int_eq(kr_mkdir_p(elsewhere, 0755), 0);
	setenv("GITHUB_ACTIONS", "true", 1);
	_cleanup_free_ char *so = NULL, *se = NULL;
	ck_assert_int_eq(run(dir, out, junit, &so, &se), 3);
	unsetenv("GITHUB_ACTIONS");
	ck_assert_int_eq(access(junit, F_OK), 0);
	_cleanup_free_ char *default_junit = kr_path_join(out, "junit.xml");
	ck_assert_int_eq(access(default_junit, F_OK), -1);
	/* Several guests at once: a line per event, each scenario's group
	 * written whole when it is done. */
	ck_assert_ptr_nonnull(strstr(se, "\n::group::kradar: [1/2] needs-kvm\n::stop-commands::"));
	ck_assert_ptr_nonnull(strstr(se, "kradar: [2/2] no-qemu: run 1/1: boot\n"));
	ck_assert_ptr_nonnull(strstr(se, "::endgroup::\n::warning title=kradar%3A no-qemu::"
					 "expected reproduced, got infra-error (1/1 run)"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* On a terminal, with two guests at once: the guest's line and the total
 * bar are drawn (the guest of no-qemu ends at once, so its line is there
 * only while it starts). */
START_TEST(terminal_guest_lines)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *out = kr_path_join(dir, "out");
	_cleanup_free_ char *sdir = write_scenarios(dir);
	char *argv[] = { (char *)kr_test_kradar(), "run", "-j", "2", "--out", out, sdir, NULL };
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_test_spawn_pty(argv, 100, 24, &text), 3);
	ck_assert_msg(strstr(text, "\r\033[K  [2/2] no-qemu  run 1/1  boot  0:00\r\n"
				   "kradar: ["), "%s", text);
	ck_assert_msg(strstr(text, "\r\033[Kkradar: [####################] 2/2 cells, 1/1 runs"),
		      "%s", text);
	ck_assert_msg(strstr(text, "kradar: [2/2] no-qemu: run 1/1: infra-error: "), "%s", text);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run-reports");
	TCase *tc = tcase_create("run-reports");
	tcase_add_test(tc, reports_next_to_results);
	tcase_add_test(tc, github_and_elsewhere);
	tcase_add_test(tc, terminal_guest_lines);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
