/* SPDX-License-Identifier: MIT */
/* The `build` suite: real kernels from Debian's linux-source-6.1 tarball.
 * One tinyconfig build with scenarios/fragments/bootable-tiny.config and
 * bootable-disk.config (kept in the user's kradar cache, where the image
 * suite finds the same kernel) that must boot through kradar run to a
 * verdict; a fragment line that cannot be set (config only, no build); and
 * a tree that does not compile. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kbuild.h"
#include "kr-test.h"

#define TARBALL "/usr/src/linux-source-6.1.tar.xz"
/* Generous: a cold cache unpacks the tarball and compiles for minutes on
 * two shared cores. */
#define BUILD_TIMEOUT_S 3000

static char *cache_dir(void)
{
	const char *c = getenv("KRADAR_TEST_CACHE");
	return c && *c ? kr_strdup(c) : kr_cache_dir();
}

static char *write_scenario(const char *name, const char *kernel_fields)
{
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"%s\", \"kernel\": {%s},"
		" \"repro\": {\"sh\": [\"echo kradar-repro-ran $(uname -r)\","
		" \"echo hung_task_timeout=$(cat /proc/sys/kernel/hung_task_timeout_secs)\","
		" \"echo watchdog=$(cat /proc/sys/kernel/watchdog)\"]},"
		" \"expect\": {\"verdict\": \"clean\"}, \"timeouts\": {\"boot\": 60, \"run\": 60},"
		" \"vm\": {\"kvm\": \"off\", \"smp\": 1, \"mem_mb\": 256}}",
		name, kernel_fields);
	_cleanup_free_ char *file = kr_asprintf("%s.json", name);
	return kr_test_write(kr_test_tmpdir(), file, text);
}

/* The value of "field   value" in kradar build's output. */
static char *field(const char *out, const char *name)
{
	_cleanup_free_ char *key = kr_asprintf("\n%s ", name);
	_cleanup_free_ char *text = kr_asprintf("\n%s", out);
	const char *p = strstr(text, key);
	ck_assert_msg(p != NULL, "no %s in:\n%s", name, kr_test_tail(out));
	p += strlen(key);
	while (*p == ' ')
		p++;
	return kr_strndup(p, strcspn(p, "\n"));
}

static int kradar_build(const char *cache, const char *scenario, bool config_only, char **out,
			char **err)
{
	char *argv[] = { (char *)kr_test_kradar(), "build", "--cache", (char *)cache,
			 config_only ? "--config-only" : (char *)scenario, config_only ? (char *)scenario : NULL,
			 NULL };
	return kr_test_spawn(argv, NULL, 0, out, err, BUILD_TIMEOUT_S);
}

/* kradar run on the scenario: the kernel from the cache, booted under TCG
 * to a verdict. Returns results.json; *console gets the run's console. */
static char *run_scenario(const char *cache, const char *scenario, char **console)
{
	_cleanup_free_ char *out_dir = kr_path_join(kr_test_tmpdir(), "results");
	char *argv[] = { (char *)kr_test_kradar(), "run", "--cache", (char *)cache, "-o", out_dir,
			 (char *)scenario, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kr_test_spawn(argv, NULL, 0, &out, &err, BUILD_TIMEOUT_S);
	ck_assert_msg(st == 0, "kradar run exited with %d:\n%s\n%s", st, kr_test_tail(out), kr_test_tail(err));
	_cleanup_free_ char *results = kr_path_join(out_dir, "results.json");
	_cleanup_free_ char *log = kr_path_join(out_dir, "tiny-bootable/run-1/console.log");
	char *text = NULL, *cons = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(results, 1 << 24, &text, &len), 0);
	ck_assert_int_eq(kr_read_file(log, 1 << 24, &cons, &len), 0);
	*console = cons;
	return text;
}

START_TEST(tinyconfig_builds_boots_and_hits_the_cache)
{
	_cleanup_free_ char *cache = cache_dir();
	/* The image suite's kernel (same final .config, same cache entry),
	 * given here as a fragment file. */
	_cleanup_strv_free_ char **lines = kr_test_bootable_fragment();
	struct kr_buf text = KR_BUF_INIT(1 << 20);
	for (size_t i = 0; lines[i]; i++)
		kr_buf_printf(&text, "%s\n", lines[i]);
	_cleanup_free_ char *frag = kr_test_write(kr_test_tmpdir(), "bootable.config", text.data);
	kr_buf_free(&text);
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"fragment\": \"%s\"", TARBALL, frag);
	_cleanup_free_ char *scenario = write_scenario("tiny-bootable", fields);

	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kradar_build(cache, scenario, false, &out, &err);
	ck_assert_msg(st == 0, "kradar build exited with %d:\n%s", st, kr_test_tail(err));
	/* Every line of the bootable fragment survived olddefconfig. */
	ck_assert_msg(!strstr(err, "warning:"), "fragment lines dropped:\n%s", kr_test_tail(err));
	_cleanup_free_ char *bzimage = field(out, "bzImage");
	_cleanup_free_ char *key = field(out, "key");
	_cleanup_free_ char *tree = field(out, "tree");
	ck_assert(kr_str_startswith(tree, "tar:"));
	struct stat sb;
	ck_assert_int_eq(stat(bzimage, &sb), 0);
	ck_assert_int_gt(sb.st_size, 100000);

	/* The same inputs again: the cache, same key and image. */
	_cleanup_free_ char *out2 = NULL, *err2 = NULL;
	ck_assert_int_eq(kradar_build(cache, scenario, false, &out2, &err2), 0);
	_cleanup_free_ char *cached = field(out2, "cached");
	ck_assert_msg(kr_str_startswith(cached, "yes"), "second build: %s", cached);
	_cleanup_free_ char *key2 = field(out2, "key");
	ck_assert_str_eq(key2, key);
	_cleanup_free_ char *bzimage2 = field(out2, "bzImage");
	ck_assert_str_eq(bzimage2, bzimage);

	/* Boots through kradar run to the expected verdict. */
	_cleanup_free_ char *console = NULL;
	_cleanup_free_ char *results = run_scenario(cache, scenario, &console);
	ck_assert_msg(strstr(results, "\"verdict\": \"clean\""), "%s", kr_test_tail(results));
	_cleanup_free_ char *key_json = kr_asprintf("\"cache_key\": \"%s\"", key);
	ck_assert_msg(strstr(results, key_json), "no %s in:\n%s", key_json, kr_test_tail(results));
	_cleanup_free_ char *tree_json = kr_asprintf("\"tree\": \"%s\"", tree);
	ck_assert_msg(strstr(results, tree_json), "no %s in:\n%s", tree_json, kr_test_tail(results));
	ck_assert_msg(strstr(console, "kradar-repro-ran 6.1."), "the repro did not run:\n%s", kr_test_tail(console));
	/* The guest's hung task timeout is the one kradar says it set. */
	_cleanup_free_ char *detectors = NULL;
	_cleanup_free_ char *detectors_path =
		kr_path_join(kr_test_tmpdir(), "results/tiny-bootable/run-1/detectors.txt");
	ck_assert_int_eq(kr_read_file(detectors_path, 1 << 20, &detectors, NULL), 0);
	const char *set = strstr(detectors, "kernel.hung_task_timeout_secs = ");
	ck_assert_msg(set, "no hung task timeout in:\n%s", detectors);
	/* The serial console ends lines with CR LF. */
	_cleanup_free_ char *want =
		kr_asprintf("hung_task_timeout=%ld\r\n", strtol(strchr(set, '=') + 2, NULL, 10));
	ck_assert_msg(strstr(console, want), "no %s in:\n%s", want, kr_test_tail(console));
	ck_assert_msg(strstr(console, "watchdog=1"), "no lockup detector:\n%s", kr_test_tail(console));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The 1-based number of the first line of path holding needle. */
static int line_of(const char *path, const char *needle)
{
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 22, &text, NULL), 0);
	const char *at = strstr(text, needle);
	ck_assert_msg(at != NULL, "no '%s' in %s", needle, path);
	int line = 1;
	for (const char *p = text; p < at; p++)
		line += *p == '\n';
	return line;
}

/* The same kernel (its fragment has debug info) crashed by SysRq: the
 * run's report.txt has the frames' source lines, sysrq_handle_crash's at
 * the panic() call in drivers/tty/sysrq.c of the tree it was built from,
 * and [inline] lines. */
START_TEST(sysrq_crash_is_symbolized)
{
	_cleanup_free_ char *cache = cache_dir();
	_cleanup_strv_free_ char **lines = kr_test_bootable_fragment();
	struct kr_buf text = KR_BUF_INIT(1 << 20);
	for (size_t i = 0; lines[i]; i++)
		kr_buf_printf(&text, "%s\n", lines[i]);
	_cleanup_free_ char *frag = kr_test_write(kr_test_tmpdir(), "bootable.config", text.data);
	kr_buf_free(&text);
	_cleanup_free_ char *json = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"tiny-sysrq\", \"kernel\": {\"source\": \"%s\","
		" \"config\": \"tinyconfig\", \"fragment\": \"%s\"},"
		" \"repro\": {\"sh\": \"echo c > /proc/sysrq-trigger\"},"
		" \"expect\": {\"verdict\": \"reproduced\"}, \"timeouts\": {\"boot\": 60, \"run\": 60},"
		" \"vm\": {\"kvm\": \"off\", \"smp\": 1, \"mem_mb\": 256}}",
		TARBALL, frag);
	_cleanup_free_ char *scenario = kr_test_write(kr_test_tmpdir(), "tiny-sysrq.json", json);
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kradar_build(cache, scenario, false, &out, &err);
	ck_assert_msg(st == 0, "kradar build exited with %d:\n%s", st, kr_test_tail(err));
	_cleanup_free_ char *tree = field(out, "tree");
	_cleanup_free_ char *sysrq = kr_asprintf("%s/trees/tar-%s/linux-source-6.1/drivers/tty/sysrq.c",
						 cache, tree + 4);
	int panic_line = line_of(sysrq, "panic(\"sysrq triggered crash");

	_cleanup_free_ char *out_dir = kr_path_join(kr_test_tmpdir(), "results");
	char *argv[] = { (char *)kr_test_kradar(), "run", "--cache", cache, "-o", out_dir, scenario,
			 NULL };
	_cleanup_free_ char *rout = NULL, *rerr = NULL;
	st = kr_test_spawn(argv, NULL, 0, &rout, &rerr, BUILD_TIMEOUT_S);
	ck_assert_msg(st == 0, "kradar run exited with %d:\n%s\n%s", st, kr_test_tail(rout), kr_test_tail(rerr));
	ck_assert_msg(!strstr(rerr, "symbolizing"), "symbolizer warnings:\n%s", kr_test_tail(rerr));
	_cleanup_free_ char *rp = kr_path_join(out_dir, "tiny-sysrq/run-1/report.txt");
	_cleanup_free_ char *report = NULL;
	ck_assert_int_eq(kr_read_file(rp, 1 << 22, &report, NULL), 0);
	_cleanup_free_ char *want = kr_asprintf(" drivers/tty/sysrq.c:%d\n", panic_line);
	const char *frame = strstr(report, " sysrq_handle_crash+0x");
	ck_assert_msg(frame, "no sysrq_handle_crash frame in:\n%s", kr_test_tail(report));
	const char *eol = strchr(frame, '\n');
	ck_assert_msg(eol && !strncmp(eol - strlen(want) + 1, want, strlen(want)),
		      "sysrq_handle_crash is not at%s in:\n%s", want, kr_test_tail(report));
	ck_assert_msg(strstr(report, " [inline]\n"), "no [inline] lines in:\n%s", kr_test_tail(report));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(unsettable_fragment_lines_are_reported)
{
	_cleanup_free_ char *cache = cache_dir();
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"fragment\": ["
		"\"CONFIG_EXT4_FS=y\", \"CONFIG_KRADAR_NO_SUCH_OPTION=y\", \"CONFIG_JUMP_LABEL=n\"]",
		TARBALL);
	_cleanup_free_ char *scenario = write_scenario("tiny-unsettable", fields);
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kradar_build(cache, scenario, true, &out, &err);
	ck_assert_msg(st == 0, "kradar build --config-only exited with %d:\n%s", st, kr_test_tail(err));
	ck_assert_msg(strstr(err, "warning: ") && strstr(err, "CONFIG_EXT4_FS=y") &&
			      strstr(err, "depends on BLOCK (BLOCK=n)"),
		      "EXT4_FS not reported with its reason:\n%s", kr_test_tail(err));
	ck_assert_msg(strstr(err, "CONFIG_KRADAR_NO_SUCH_OPTION=y") &&
			      strstr(err, "not a Kconfig symbol"),
		      "unknown option not reported:\n%s", kr_test_tail(err));
	ck_assert_msg(!strstr(err, "CONFIG_JUMP_LABEL"), "JUMP_LABEL=n was kept:\n%s", kr_test_tail(err));

	/* strict_fragment: such lines are bad input. */
	_cleanup_free_ char *strict_fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"strict_fragment\": true,"
		" \"make\": [\"ARCH=x86_64\"], \"fragment\": [\"CONFIG_EXT4_FS=y\", \"CONFIG_64BIT=n\"]",
		TARBALL);
	_cleanup_free_ char *strict = write_scenario("tiny-strict", strict_fields);
	_cleanup_free_ char *err2 = NULL;
	ck_assert_int_eq(kradar_build(cache, strict, true, NULL, &err2), 2);
	ck_assert_msg(strstr(err2, "kernel.strict_fragment") && strstr(err2, "CONFIG_EXT4_FS=y"),
		      "%s", kr_test_tail(err2));
	/* With ARCH=x86_64, 64BIT has no prompt to turn it off. */
	ck_assert_msg(strstr(err2, "CONFIG_64BIT=n") && strstr(err2, "its prompt is hidden"), "%s",
		      kr_test_tail(err2));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(a_tree_that_does_not_compile_is_an_infra_error)
{
	/* The unpacked tarball in the cache, copied with hard links, and one
	 * early file replaced (not edited: the links share the original). */
	_cleanup_free_ char *cache = cache_dir();
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\"", TARBALL);
	_cleanup_free_ char *scenario = write_scenario("tiny-tree", fields);
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(kradar_build(cache, scenario, true, &out, &err), 0);
	_cleanup_free_ char *tree = field(out, "tree");
	_cleanup_free_ char *top = kr_asprintf("%s/trees/tar-%s/linux-source-6.1", cache, tree + 4);

	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *copy = kr_path_join(dir, "linux");
	char *cp[] = { "cp", "-al", top, copy, NULL };
	ck_assert_int_eq(kr_test_spawn(cp, NULL, 0, NULL, NULL, 600), 0);
	_cleanup_free_ char *bounds = kr_path_join(copy, "kernel/bounds.c");
	ck_assert_int_eq(unlink(bounds), 0);
	free(kr_test_write(copy, "kernel/bounds.c",
			   "/* broken on purpose by kradar's build suite */\n"
			   "int kradar_broken(void) { return kradar_undeclared_identifier; }\n"));

	/* Its own cache: a failed build leaves nothing worth keeping. */
	_cleanup_free_ char *own_cache = kr_path_join(dir, "cache");
	_cleanup_free_ char *broken_fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\"", copy);
	_cleanup_free_ char *broken = write_scenario("tiny-broken", broken_fields);
	_cleanup_free_ char *err2 = NULL;
	int st = kradar_build(own_cache, broken, false, NULL, &err2);
	ck_assert_msg(st == 3, "expected exit 3 (infra-error), got %d:\n%s", st, kr_test_tail(err2));
	ck_assert_msg(strstr(err2, "kernel/bounds.c") && strstr(err2, "kradar_undeclared_identifier") &&
			      strstr(err2, "error:"),
		      "no failing compiler lines in:\n%s", kr_test_tail(err2));
	_cleanup_free_ char *kernels = kr_path_join(own_cache, "kernels");
	char *ls[] = { "ls", "-A", kernels, NULL };
	_cleanup_free_ char *listing = NULL;
	ck_assert_int_eq(kr_test_spawn(ls, NULL, 0, &listing, NULL, 30), 0);
	ck_assert_str_eq(listing, "");
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kbuild-real");
	TCase *tc = tcase_create("linux-source-6.1");
	tcase_set_timeout(tc, BUILD_TIMEOUT_S + 600);
	tcase_add_test(tc, unsettable_fragment_lines_are_reported);
	tcase_add_test(tc, a_tree_that_does_not_compile_is_an_infra_error);
	tcase_add_test(tc, tinyconfig_builds_boots_and_hits_the_cache);
	tcase_add_test(tc, sysrq_crash_is_symbolized);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
