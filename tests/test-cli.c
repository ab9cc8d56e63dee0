/* SPDX-License-Identifier: MIT */
/* The kradar binary as a user meets it: commands, help, usage errors and
 * exit codes. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "clidoc.h"
#include "kr-test.h"
#include "log.h"
#include "util.h"

static int run(const char *const *args, char **out, char **err)
{
	char *argv[16] = { (char *)kr_test_kradar() };
	size_t n = 1;
	for (; args[n - 1]; n++)
		argv[n] = (char *)args[n - 1];
	argv[n] = NULL;
	return kr_test_spawn(argv, NULL, 0, out, err, 30);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(help_and_version)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(run((const char *[]){ "--help", NULL }, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "validate"));
	free(out);
	out = NULL;
	ck_assert_int_eq(run((const char *[]){ "validate", "--help", NULL }, &out, NULL), 0);
	ck_assert(kr_str_startswith(out, "Usage: kradar validate"));
	free(out);
	out = NULL;
	ck_assert_int_eq(run((const char *[]){ "help", "validate", NULL }, &out, NULL), 0);
	ck_assert(kr_str_startswith(out, "Usage: kradar validate"));
	free(out);
	out = NULL;
	ck_assert_int_eq(run((const char *[]){ "version", NULL }, &out, NULL), 0);
	ck_assert(kr_str_startswith(out, "kradar "));
}
END_TEST

static const struct {
	const char *args[4];
	const char *err;
} usage_errors[] = {
	{ { "frobnicate" }, "kradar: unknown command 'frobnicate' (try 'kradar --help')\n" },
	{ { "--frobnicate" }, "kradar: unknown option '--frobnicate' (try 'kradar --help')\n" },
	{ { "validate", "--bogus=1", "x" },
	  "kradar validate: unknown option '--bogus' (try 'kradar validate --help')\n" },
	{ { "validate", "-z" }, "kradar validate: unknown option '-z' (try 'kradar validate --help')\n" },
	{ { "validate", "x.json", "--nope" },
	  "kradar validate: unknown option '--nope' (try 'kradar validate --help')\n" },
	{ { "validate" },
	  "kradar validate: no scenario file or directory given (try 'kradar validate --help')\n" },
	/* A long option without its argument is named as written, not by
	 * its value (--log is 'l', which is no short option of build). */
	{ { "build", "--log" },
	  "kradar build: option needs an argument: '--log' (try 'kradar build --help')\n" },
	/* A bad --asset is a flag's error: found before any download. */
	{ { "fetch", "--asset=thing.xz", "0123456789abcdef0123" },
	  "kradar fetch: --asset: cannot tell what \"thing.xz\" is; write disk=URL, kernel=URL or "
	  "vmlinux=URL (try 'kradar fetch --help')\n" },
	{ { "build", "x.json", "-j" },
	  "kradar build: option needs an argument: '-j' (try 'kradar build --help')\n" },
	/* -j is --jobs wherever it exists: classify's --json and merge's and
	 * report's --junit have no short form */
	{ { "classify", "-j", "x.log" },
	  "kradar classify: unknown option '-j' (try 'kradar classify --help')\n" },
	{ { "merge", "-j", "j.xml" }, "kradar merge: unknown option '-j' (try 'kradar merge --help')\n" },
	{ { "report", "-j", "j.xml" },
	  "kradar report: unknown option '-j' (try 'kradar report --help')\n" },
	{ { "run", "--runs", "0" },
	  "kradar run: --runs: expected 1..100000, got '0' (try 'kradar run --help')\n" },
	{ { "run", "--filter", "a,,b" },
	  "kradar run: --filter: an empty pattern in 'a,,b' (try 'kradar run --help')\n" },
	{ { "run", "--format", "xml" },
	  "kradar run: --format: expected text or json, got 'xml' (try 'kradar run --help')\n" },
	{ { "version", "extra" }, "kradar version: unexpected argument 'extra' (try 'kradar version --help')\n" },
	{ { "help", "nope" }, "kradar help: unknown command 'nope' (try 'kradar help --help')\n" },
};

START_TEST(usage_error_is_one_line_and_exit_2)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(run(usage_errors[_i].args, &out, &err), 2);
	ck_assert_str_eq(err, usage_errors[_i].err);
	ck_assert_str_eq(out, "");
}
END_TEST

/* -j is documented as --jobs by every command that has it, and by no
 * other meaning anywhere. */
START_TEST(dash_j_means_jobs)
{
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		const char *j = strstr(c->usage, "  -j, ");
		if (j)
			ck_assert_msg(kr_str_startswith(j, "  -j, --jobs "), "%s: %.30s", c->name, j);
	}
}
END_TEST

/* -v and --verbose, before or after the command, as often as wanted; the
 * levels are KRADAR_LOG's. */
START_TEST(verbose_levels)
{
	ck_assert_int_eq(kr_cli_verbose_flag("-v"), 1);
	ck_assert_int_eq(kr_cli_verbose_flag("-vvv"), 3);
	ck_assert_int_eq(kr_cli_verbose_flag("--verbose"), 1);
	ck_assert_int_eq(kr_cli_verbose_flag("-vq"), 0);
	ck_assert_int_eq(kr_cli_verbose_flag("-"), 0);
	ck_assert_int_eq(kr_cli_verbose_flag("run"), 0);
	enum kr_log_level l;
	const char *names[] = { "error", "warning", "notice", "info", "debug" };
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(kr_log_level_parse(names[i], &l), 0);
		ck_assert_int_eq(l, i);
	}
	ck_assert_int_eq(kr_log_level_parse("DEBUG", &l), -EINVAL);
	kr_log_set_level(KR_LOG_NOTICE);
	kr_log_more_verbose();
	ck_assert_int_eq(kr_log_get_level(), KR_LOG_INFO);
	kr_log_more_verbose();
	kr_log_more_verbose();
	ck_assert_int_eq(kr_log_get_level(), KR_LOG_DEBUG);

	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(run((const char *[]){ "-vv", "version", "-v", NULL }, &out, &err), 0);
	ck_assert(kr_str_startswith(out, "kradar "));
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
	out = err = NULL;
	ck_assert_int_eq(run((const char *[]){ "--verbose", "validate", "--verbose", "--help", NULL },
			     &out, &err), 0);
	KR_ASSERT_HAS(out, "-v, --verbose");
	free(out);
	free(err);
	out = err = NULL;
	setenv("KRADAR_LOG", "loud", 1);
	ck_assert_int_eq(run((const char *[]){ "version", NULL }, &out, &err), 0);
	unsetenv("KRADAR_LOG");
	ck_assert_str_eq(err, "kradar: warning: KRADAR_LOG: unknown level 'loud' (error, warning, "
			      "notice, info, debug)\n");
}
END_TEST

/* --filter a,b --filter c: one list. */
START_TEST(split_list)
{
	_cleanup_strv_free_ char **v = NULL;
	ck_assert_int_eq(kr_cli_split_list("a*,b", &v), 0);
	ck_assert_int_eq(kr_cli_split_list("c", &v), 0);
	ck_assert_int_eq(kr_strv_len(v), 3);
	ck_assert_str_eq(v[0], "a*");
	ck_assert_str_eq(v[1], "b");
	ck_assert_str_eq(v[2], "c");
	ck_assert_int_eq(kr_cli_split_list("x,", &v), -EINVAL);
	ck_assert_int_eq(kr_cli_split_list("", &v), -EINVAL);
}
END_TEST

/* Every usage text reads back (man pages and completion are made from
 * them at build time); a misaligned option line is named. */
START_TEST(usage_texts_parse)
{
	for (const struct kr_command *c = kr_commands; c->name; c++) {
		struct kr_clidoc doc;
		_cleanup_free_ char *err = NULL;
		ck_assert_msg(kr_clidoc_parse(c->usage, &doc, &err) == 0, "%s: %s", c->name, kr_test_tail(err));
		ck_assert(kr_str_startswith(doc.synopsis, c->name));
		bool help = false;
		for (size_t i = 0; i < doc.n_options; i++)
			help |= !strcmp(doc.options[i].long_name, "--help");
		ck_assert_msg(help || !doc.n_options, "%s: no --help line", c->name);
		kr_clidoc_clear(&doc);
	}
	struct kr_clidoc doc;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_clidoc_parse("Usage: kradar x\n\nOptions:\n  -o, --out DIR  where\n"
					 "                 it goes\n      --long-one text\n",
					 &doc, &err), -EINVAL);
	ck_assert_str_eq(err, "'      --long-one text': not \"  -x, --name ARG  text\"");
	free(err);
	ck_assert_int_eq(kr_clidoc_parse("Usage: kradar x [options]\n\nWhat it does.\n\nOptions:\n"
					 "  -o, --out DIR  where\n                 it goes\n"
					 "      --emit list  a\n\nExit status: 0.\n",
					 &doc, &err), 0);
	ck_assert_str_eq(doc.synopsis, "x [options]");
	ck_assert_str_eq(doc.description[0], "What it does.");
	ck_assert_int_eq(doc.n_options, 2);
	ck_assert_str_eq(doc.options[0].short_name, "-o");
	ck_assert_str_eq(doc.options[0].arg, "DIR");
	ck_assert_str_eq(doc.options[0].text, "where it goes");
	ck_assert_ptr_null(doc.options[1].short_name);
	ck_assert_str_eq(doc.options[1].arg, "list");
	ck_assert_str_eq(doc.exit_status, "0.");
	kr_clidoc_clear(&doc);
}
END_TEST

/* The man page: roff escapes (minus signs, a line starting with a dot),
 * the options; --completion for bash and zsh only. */
START_TEST(man_and_completion)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(run((const char *[]){ "help", "--man", "run", NULL }, &out, &err), 0);
	ck_assert(kr_str_startswith(out, ".TH KRADAR-RUN 1 "));
	KR_ASSERT_HAS(out, "\\fB\\-\\-filter\\fR \\fIGLOB\\fR\n");
	KR_ASSERT_HAS(out, ".SH EXIT STATUS\n");
	ck_assert_ptr_null(strstr(out, "\n--"));
	free(out);
	out = NULL;
	ck_assert_int_eq(run((const char *[]){ "help", "--man", NULL }, &out, NULL), 0);
	KR_ASSERT_HAS(out, ".BR kradar\\-verify\\-fix (1)");
	free(out);
	out = NULL;
	ck_assert_int_eq(run((const char *[]){ "help", "--completion", "zsh", NULL }, &out, NULL), 0);
	ck_assert(kr_str_startswith(out, "#compdef kradar\n"));
	free(out);
	free(err);
	out = err = NULL;
	ck_assert_int_eq(run((const char *[]){ "help", "--completion", "fish", NULL }, &out, &err), 2);
	ck_assert_str_eq(err, "kradar help: --completion: expected bash or zsh, got 'fish' (try "
			      "'kradar help --help')\n");
}
END_TEST

START_TEST(no_arguments_prints_usage_and_fails)
{
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(run((const char *[]){ NULL }, NULL, &err), 2);
	ck_assert(kr_str_startswith(err, "Usage: kradar"));
}
END_TEST

START_TEST(validate_reports_the_four_classic_mistakes)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "repro.syz", "r0 = open(0)\n"));
	free(kr_test_write(dir, "repro.c", "int main(void){return 0;}\n"));
	_cleanup_free_ char *bad = kr_test_write(dir, "bad.json",
						 "{\n"
						 "  \"kradar\": 1,\n"
						 "  \"name\": \"bad\",\n"
						 "  \"kernel\": { \"image\": \"bzImage-missing\" },\n"
						 "  \"repro\": { \"syz\": \"repro.syz\", \"c\": \"repro.c\" },\n"
						 "  \"vm\": { \"smp\": \"2\" },\n"
						 "  \"timeuots\": { \"run\": 10 }\n"
						 "}\n");
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(run((const char *[]){ "validate", bad, NULL }, &out, &err), 2);
	_cleanup_free_ char *want = kr_asprintf(
		"%s:4:24: kernel.image: %s/bzImage-missing: No such file or directory\n"
		"%s:5:34: repro.c: repro.syz and repro.c are mutually exclusive: give one\n"
		"%s:6:18: vm.smp: expected an integer, got a string\n"
		"%s:7:3: timeuots: unknown field (did you mean \"timeouts\"?)\n",
		bad, dir, bad, bad, bad);
	ck_assert_str_eq(err, want);
	ck_assert_str_eq(out, "");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(validate_counts_and_checks_unique_names)
{
	const char *dir = kr_test_tmpdir();
	const char *body = "{\"kradar\": 1, \"name\": \"same\", \"kernel\": {\"image\": \"k\"},"
			   " \"repro\": {\"sh\": \"true\"}}\n";
	free(kr_test_write(dir, "k", "x"));
	free(kr_test_write(dir, "sub/k", "x"));
	_cleanup_free_ char *a = kr_test_write(dir, "a.json", body);
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(run((const char *[]){ "validate", a, NULL }, &out, &err), 0);
	ck_assert_str_eq(out, "1 scenario ok\n");
	_cleanup_free_ char *b = kr_test_write(dir, "sub/b.json", body);
	free(out);
	free(err);
	ck_assert_int_eq(run((const char *[]){ "validate", dir, NULL }, &out, &err), 2);
	_cleanup_free_ char *want = kr_asprintf("%s:1:23: name: \"same\" is already the name of %s\n",
						b, a);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(count_lines(err), 1);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(example_scenarios_validate)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	_cleanup_free_ char *dir = kr_path_join(root, "scenarios");
	_cleanup_free_ char *out = NULL, *err = NULL;
	int r = run((const char *[]){ "validate", dir, NULL }, &out, &err);
	ck_assert_msg(r == 0, "kradar validate scenarios/ failed:\n%s", kr_test_tail(err));
	ck_assert(kr_str_endswith(out, "scenarios ok\n"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");
	tcase_add_test(tc, help_and_version);
	tcase_add_loop_test(tc, usage_error_is_one_line_and_exit_2, 0,
			    (int)KR_ARRAY_SIZE(usage_errors));
	tcase_add_test(tc, no_arguments_prints_usage_and_fails);
	tcase_add_test(tc, dash_j_means_jobs);
	tcase_add_test(tc, verbose_levels);
	tcase_add_test(tc, split_list);
	tcase_add_test(tc, usage_texts_parse);
	tcase_add_test(tc, man_and_completion);
	tcase_add_test(tc, validate_reports_the_four_classic_mistakes);
	tcase_add_test(tc, validate_counts_and_checks_unique_names);
	tcase_add_test(tc, example_scenarios_validate);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
