/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "junit.h"
#include "kr-test.h"
#include "report-fixture.h"
#include "text.h"

static char *render(const struct kr_results *r, const struct kr_junit_options *o, size_t *len)
{
	char *xml = NULL, *err = NULL;
	size_t n = 0;
	int rc = kr_junit_render(r, o, &xml, &n, &err);
	ck_assert_msg(rc == 0, "render: %s", err ? err : "?");
	if (len)
		*len = n;
	return xml;
}

/* xmllint with the project's schema (tests/data/junit/kradar-junit.xsd);
 * returns its exit status, its complaints in *msgs. */
static int validate(const char *xml, size_t len, char **msgs)
{
	_cleanup_free_ char *path = kr_path_join(kr_test_tmpdir(), "check.xml");
	ck_assert_int_eq(kr_write_file_atomic(path, xml, len, 0644), 0);
	_cleanup_free_ char *xsd = kr_path_join(kr_test_data(), "junit/kradar-junit.xsd");
	char *argv[] = { "xmllint", "--noout", "--nonet", "--schema", xsd, path, NULL };
	return kr_test_spawn(argv, NULL, 0, NULL, msgs, 120);
}

static void assert_valid(const char *xml, size_t len)
{
	_cleanup_free_ char *msgs = NULL;
	int rc = validate(xml, len, &msgs);
	ck_assert_msg(rc == 0, "xmllint (status %d): %s", rc, msgs ? msgs : "");
}

/* The Jenkins schema itself (../shared/junit, or KRADAR_JUNIT_XSD) when it
 * is there; the project's schema checks the same rules either way. */
static void assert_valid_jenkins(const char *xml, size_t len)
{
	const char *env = getenv("KRADAR_JUNIT_XSD");
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	_cleanup_free_ char *xsd = env && *env ? kr_strdup(env) :
				   root ? kr_asprintf("%s/../shared/junit/jenkins-junit-10.xsd", root) :
					  NULL;
	if (!xsd || access(xsd, R_OK) < 0) {
		printf("# the Jenkins schema is not there (%s): checked with the project's only\n",
		       xsd ? xsd : "KRADAR_SOURCE_ROOT unset");
		return;
	}
	_cleanup_free_ char *path = kr_path_join(kr_test_tmpdir(), "jenkins.xml");
	ck_assert_int_eq(kr_write_file_atomic(path, xml, len, 0644), 0);
	char *argv[] = { "xmllint", "--noout", "--nonet", "--schema", xsd, path, NULL };
	_cleanup_free_ char *msgs = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, NULL, &msgs, 120);
	ck_assert_msg(rc == 0, "xmllint %s (status %d): %s", xsd, rc, msgs ? msgs : "");
}

/* Bytes an XML 1.0 document may not hold raw, and valid UTF-8 throughout. */
static void assert_clean_bytes(const char *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		unsigned char c = (unsigned char)s[i];
		ck_assert_msg(c >= 0x20 || c == '\n' || c == '\t', "control byte 0x%02x at %zu", c, i);
		uint32_t cp;
		size_t n = kr_utf8_seq((const unsigned char *)s + i, len - i, &cp);
		ck_assert_msg(n > 0, "invalid UTF-8 at %zu", i);
		ck_assert_msg(cp != 0xfffe && cp != 0xffff && !(cp >= 0x7f && cp < 0xa0),
			      "U+%04X at %zu", cp, i);
		i += n;
	}
}

START_TEST(golden)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct kr_junit_options o = { .attachment_base = out };
	size_t len;
	_cleanup_free_ char *xml = render(r, &o, &len);
	kr_test_golden("junit.xml", xml, len);
	assert_valid(xml, len);
	assert_valid_jenkins(xml, len);
	assert_clean_bytes(xml, len);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* What each outcome becomes, checked on the text (the golden file shows
 * the whole). */
START_TEST(structure)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	_cleanup_free_ char *xml = render(r, NULL, NULL);
	ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"kradar\" tests=\"6\" failures=\"1\" "
					  "errors=\"1\" time=\"123.457\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"scenarios/demo\" tests=\"4\" failures=\"1\" "
					  "errors=\"1\" skipped=\"1\""));
	ck_assert_ptr_nonnull(strstr(xml, "<testsuite name=\"scenarios/regress\" tests=\"2\""));
	ck_assert_ptr_nonnull(strstr(xml, "<failure type=\"other-crash\" message=\"expected "
					  "reproduced, got other-crash (1/1 run)\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<error type=\"artifact-stall\" message=\"expected "
					  "clean, got artifact-stall (1/2 runs)\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<skipped message=\"vm.kvm is &quot;on&quot; and "
					  "/dev/kvm is missing\"/>"));
	/* Matrix: the kernel label tells the two test cases apart. */
	ck_assert_ptr_nonnull(strstr(xml, "<testcase name=\"fixed-bug [v6.1]\" "
					  "classname=\"syzbot.fedcba9876543210fedc\" time=\"2.500\">"));
	ck_assert_ptr_nonnull(strstr(xml, "name=\"fixed-bug [v6.6].kernel_config_sha256\" "
					  "value=\"cfg2\""));
	ck_assert_ptr_nonnull(strstr(xml, "<testcase name=\"vhost-hung-task\" classname=\"syzbot."
					  "0123456789abcdef0123\" time=\"42.001\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<testcase name=\"jump-label\" "
					  "classname=\"kradar.jump-label\""));
	/* Without an attachment base, the attachment is an absolute path on
	 * a line of its own, first in system-out. */
	_cleanup_free_ char *att = kr_asprintf("<system-out>[[ATTACHMENT|%s/vhost-hung-task/run-1/"
					       "console.log]]\n", out);
	ck_assert_ptr_nonnull(strstr(xml, att));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A console of 1 MiB holding every byte value, ESC, NUL, CR, invalid UTF-8
 * and "]]>" still makes a well-formed, valid document; the excerpt keeps
 * its head and tail and says what it left out. */
START_TEST(hostile_console)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	size_t len;
	_cleanup_free_ char *console = kr_fixture_hostile_console(1 << 20, &len);
	const struct kr_run_result *run = r->scenarios[1]->runs[0];
	_cleanup_free_ char *dir = kr_path_join(out, run->dir);
	_cleanup_free_ char *path = kr_path_join(dir, "console.log");
	ck_assert_int_eq(kr_write_file_atomic(path, console, len, 0644), 0);
	_cleanup_free_ char *report = kr_path_join(dir, "report.txt");
	ck_assert_int_eq(kr_write_file_atomic(report, console, len, 0644), 0);

	struct kr_junit_options o = { .attachment_base = out };
	size_t xlen;
	_cleanup_free_ char *xml = render(r, &o, &xlen);
	assert_valid(xml, xlen);
	assert_clean_bytes(xml, xlen);
	ck_assert_ptr_null(strstr(xml, "]]>"));
	ck_assert_ptr_nonnull(strstr(xml, "]]&gt;"));
	ck_assert_ptr_nonnull(strstr(xml, "NUL\\x00byte, lone CR\\x0d here, bad \\xc3( \\xff\\xfe "
					  "\\xed\\xa0\\x80 \\xef\\xbf\\xbe \\xc2\\x85 end"));
	ck_assert_ptr_nonnull(strstr(xml, "\\x1b[1;31mred\\x1b[0m"));
	ck_assert_ptr_nonnull(strstr(xml, "[... kradar: "));
	ck_assert_ptr_nonnull(strstr(xml, "bytes omitted ...]"));
	/* The head and the tail of the console are both there. */
	ck_assert_ptr_nonnull(strstr(xml, "Linux version 6.1.0"));
	ck_assert_ptr_nonnull(strstr(xml, "__static_key_slow_dec_cpuslocked+0x1/0x2"));
	/* Far smaller than the console: the excerpt is bounded. */
	ck_assert_uint_lt(xlen, 300u << 10);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The schema check can fail: it rejects what the Jenkins schema rejects. */
START_TEST(schema_rejects)
{
	static const char *const bad[] = {
		/* a time with four decimals */
		"<testsuites name=\"k\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"1.2345\"/>",
		/* a testsuite without a name */
		"<testsuites name=\"k\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"1\">"
		"<testsuite tests=\"1\" failures=\"0\" errors=\"0\"/></testsuites>",
		/* a testcase without a name */
		"<testsuites name=\"k\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"1\">"
		"<testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\">"
		"<testcase classname=\"c\"/></testsuite></testsuites>",
		/* a property without a value */
		"<testsuites name=\"k\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"1\">"
		"<testsuite name=\"s\" tests=\"0\" failures=\"0\" errors=\"0\"><properties>"
		"<property name=\"p\"/></properties></testsuite></testsuites>",
		/* properties after the test cases */
		"<testsuites name=\"k\" tests=\"1\" failures=\"0\" errors=\"0\" time=\"1\">"
		"<testsuite name=\"s\" tests=\"1\" failures=\"0\" errors=\"0\">"
		"<testcase name=\"t\"/><properties/></testsuite></testsuites>",
		/* not well-formed: a raw ESC */
		"<testsuites name=\"\x1b\" tests=\"0\" failures=\"0\" errors=\"0\" time=\"1\"/>",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(bad); i++) {
		_cleanup_free_ char *msgs = NULL;
		ck_assert_msg(validate(bad[i], strlen(bad[i]), &msgs) != 0, "accepted: %s", bad[i]);
	}
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(empty_and_missing_artifacts)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_results_new(out);
	size_t len;
	_cleanup_free_ char *xml = render(r, NULL, &len);
	assert_valid(xml, len);
	ck_assert_ptr_nonnull(strstr(xml, "<testsuites name=\"kradar\" tests=\"0\""));
	kr_results_free(r);

	/* Artifacts named in the results but gone from the disk. */
	r = kr_fixture_results(out);
	_cleanup_free_ char *gone = kr_path_join(out, "vhost-hung-task");
	ck_assert_int_eq(kr_rm_rf(gone), 0);
	_cleanup_free_ char *xml2 = render(r, NULL, &len);
	assert_valid(xml2, len);
	ck_assert_ptr_nonnull(strstr(xml2, "console.log of run 1 cannot be read: No such file"));
	kr_test_tmpdir_cleanup();
}
END_TEST

static struct kr_scenario_result *find(struct kr_results *r, const char *name)
{
	for (size_t i = 0; i < r->n_scenarios; i++)
		if (!strcmp(r->scenarios[i]->name, name))
			return r->scenarios[i];
	ck_abort_msg("no scenario %s", name);
	return NULL;
}

/* An inconclusive scenario whose main run never had a console (QEMU did
 * not start) attaches another run's console and shows its excerpt, as a
 * failure does; with no console at all, what the run left (QEMU's command
 * line) and why. Every test case carries the scenario's facts. */
START_TEST(inconclusive_keeps_console)
{
	const char *out = kr_test_tmpdir();
	_cleanup_results_free_ struct kr_results *r = kr_fixture_results(out);
	struct kr_scenario_result *sr = find(r, "shell-warning");
	sr->verdict = KR_VERDICT_INFRA_ERROR; /* main run: run 1, no console */
	struct kr_junit_options o = { .attachment_base = out };
	size_t len;
	_cleanup_free_ char *xml = render(r, &o, &len);
	assert_valid(xml, len);
	assert_valid_jenkins(xml, len);
	KR_ASSERT_HAS(xml, "<error type=\"infra-error\"");
	KR_ASSERT_HAS(xml, "<system-out>[[ATTACHMENT|shell-warning/run-2/console.log]]\n"
			   "kernel: debian-6.1 /kernels/debian-6.1/bzImage (sha256 aaaaaaaaaaaa)\n"
			   "accelerator: tcg\nruns: 2 of 2\n");
	KR_ASSERT_HAS(xml, "console.log of run 2:\nboot\nINFO: rcu detected stall in sys_read\n");

	free(sr->runs[1]->console_log);
	sr->runs[1]->console_log = NULL;
	sr->runs[0]->qemu_cmdline = kr_strdup("qemu.cmdline");
	_cleanup_free_ char *dir = kr_path_join(out, sr->runs[0]->dir);
	free(kr_test_write(dir, "qemu.cmdline", "qemu-system-x86_64 -enable-kvm\n"));
	_cleanup_free_ char *xml2 = render(r, &o, &len);
	assert_valid(xml2, len);
	assert_valid_jenkins(xml2, len);
	KR_ASSERT_HAS(xml2, "<system-out>[[ATTACHMENT|shell-warning/run-1/qemu.cmdline]]\nkernel: ");
	KR_ASSERT_HAS(xml2, "run 1 has no console log: QEMU exited with status 1: "
			    "qemu-system-x86_64: failed to initialize kvm\n</system-out>");
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("junit");
	TCase *tc = tcase_create("junit");
	tcase_add_test(tc, golden);
	tcase_add_test(tc, structure);
	tcase_add_test(tc, hostile_console);
	tcase_add_test(tc, schema_rejects);
	tcase_add_test(tc, empty_and_missing_artifacts);
	tcase_add_test(tc, inconclusive_keeps_console);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
