/* SPDX-License-Identifier: MIT */
/* The kernel builder against a fake kernel tree (kr_test_fake_kernel_tree:
 * a Makefile that answers tinyconfig, olddefconfig and bzImage in O= the
 * way the kernel's does, in milliseconds). The real kernel build is the
 * `build` suite (test-kbuild-real.c). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kbuild.h"
#include "kconfig.h"
#include "kr-test.h"
#include "scenario.h"

static char *tree, *cache, *count_file;

static void setup(void)
{
	const char *tmp = kr_test_tmpdir();
	tree = kr_path_join(tmp, "linux");
	kr_test_fake_kernel_tree(tree, "one\n");
	cache = kr_path_join(tmp, "cache");
	count_file = kr_path_join(tmp, "count");
	setenv("KR_FAKE_COUNT", count_file, 1);
	unsetenv("KR_FAKE_FIFO");
}

static void teardown(void)
{
	kr_test_tmpdir_cleanup();
	free(tree);
	free(cache);
	free(count_file);
}

static int builds(void)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(count_file, 1 << 20, &text, &len) < 0)
		return 0;
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	return n;
}

static void run(char *const argv[], const char *cwd)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	if (cwd) {
		char **full = kr_calloc(1, sizeof(char *));
		kr_strv_push(&full, kr_strdup(argv[0]));
		kr_strv_push(&full, kr_strdup("-C"));
		kr_strv_push(&full, kr_strdup(cwd));
		for (size_t i = 1; argv[i]; i++)
			kr_strv_push(&full, kr_strdup(argv[i]));
		int st = kr_test_spawn(full, NULL, 0, &out, &err, 60);
		ck_assert_msg(st == 0, "%s failed: %s", argv[0], kr_test_tail(err));
		kr_strv_free(full);
		return;
	}
	int st = kr_test_spawn(argv, NULL, 0, &out, &err, 60);
	ck_assert_msg(st == 0, "%s failed: %s", argv[0], kr_test_tail(err));
}

/* A scenario building source with the given kernel fields (JSON members). */
static struct kr_scenario *scenario(const char *kernel_fields)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"fake\", \"kernel\": {%s},"
		" \"repro\": {\"sh\": \"true\"}, \"expect\": {\"verdict\": \"clean\"}}",
		kernel_fields);
	_cleanup_free_ char *file = kr_path_join(dir, "fake.json");
	struct kr_diags diags = { 0 };
	struct kr_scenario *s = NULL;
	int r = kr_scenario_load_text(file, text, strlen(text), &s, &diags);
	if (r < 0) {
		_cleanup_free_ char *d = diags.n ? kr_diag_format(&diags.items[0]) : NULL;
		ck_abort_msg("scenario: %s", d ? d : "?");
	}
	kr_diags_clear(&diags);
	return s;
}

static int get(const struct kr_scenario *s, struct kr_kernel **k, char **err)
{
	struct kr_kbuild_options o = { .cache_dir = cache, .jobs = 2 };
	return kr_kbuild_get(s, &o, k, err);
}

static size_t entries(const char *sub)
{
	_cleanup_free_ char *dir = kr_path_join(cache, sub);
	_cleanup_free_ char *out = NULL;
	char *argv[] = { "ls", "-A", dir, NULL };
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &out, NULL, 30), 0);
	size_t n = 0;
	for (char *p = out; *p; p++)
		n += *p == '\n';
	return n;
}

static char *read_text(const char *path)
{
	char *text = NULL;
	size_t len;
	ck_assert_msg(kr_read_file(path, 1 << 20, &text, &len) == 0, "cannot read %s", path);
	return text;
}

START_TEST(tarball_builds_once_then_hits)
{
	_cleanup_free_ char *tarball = kr_path_join(kr_test_tmpdir(), "linux-fake.tar.gz");
	char *tar[] = { "tar", "-czf", tarball, "-C", (char *)kr_test_tmpdir(), "linux", NULL };
	run(tar, NULL);
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"fragment\": [\"CONFIG_FOO=y\"]",
		tarball);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	_cleanup_kernel_free_ struct kr_kernel *k1 = NULL, *k2 = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(get(s, &k1, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(!k1->cache_hit);
	ck_assert_int_eq(builds(), 1);
	ck_assert_uint_eq(strlen(k1->key), 64);
	ck_assert(kr_str_startswith(k1->tree, "tar:"));
	ck_assert_ptr_null(k1->commit);
	ck_assert_uint_eq(k1->n_mismatches, 0);
	_cleanup_free_ char *image = read_text(k1->bzimage);
	ck_assert_str_eq(image, "one\n");
	_cleanup_free_ char *config = read_text(k1->config);
	ck_assert_ptr_nonnull(strstr(config, "CONFIG_FOO=y\n"));
	ck_assert_ptr_null(strstr(config, "# CONFIG_FOO is not set"));
	_cleanup_free_ char *label = kr_asprintf("linux-fake-%.8s", k1->config_hash);
	ck_assert_str_eq(k1->label, label);
	ck_assert_int_eq(access(k1->build_log, R_OK), 0);
	_cleanup_free_ char *log = read_text(k1->build_log);
	ck_assert_ptr_nonnull(strstr(log, "olddefconfig"));

	ck_assert_msg(get(s, &k2, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(k2->cache_hit);
	ck_assert_int_eq(builds(), 1);
	ck_assert_str_eq(k2->key, k1->key);
	ck_assert_str_eq(k2->bzimage, k1->bzimage);
	ck_assert_str_eq(k2->config_hash, k1->config_hash);
	ck_assert_uint_eq(entries("work"), 0);
}
END_TEST

static long seen_compiled = -1, seen_estimated = -1;
static int seen_calls;

static void on_make(void *userdata, long compiled, long estimated)
{
	ck_assert_ptr_null(userdata);
	ck_assert_int_gt(compiled, seen_compiled);
	seen_compiled = compiled;
	seen_estimated = estimated;
	seen_calls++;
}

/* make's compiles are counted as they come and kept in the log; the
 * next build's estimate is the newest cached build's count. */
START_TEST(make_progress_counts_compiles)
{
	_cleanup_free_ char *fields = kr_asprintf("\"source\": \"%s\", \"config\": \"tinyconfig\"",
						  tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	struct kr_kbuild_options o = { .cache_dir = cache, .jobs = 2, .make_progress = on_make };
	_cleanup_kernel_free_ struct kr_kernel *k1 = NULL, *k2 = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_kbuild_get(s, &o, &k1, &err) == 0, "%s", err);
	ck_assert_int_eq(seen_compiled, 3001);
	ck_assert_int_eq(seen_estimated, 0);
	ck_assert_int_gt(seen_calls, 1);
	_cleanup_free_ char *log = read_text(k1->build_log);
	ck_assert_ptr_nonnull(strstr(log, "\n  CC      obj/f2999.o\n  CC [M]  drivers/x.o\n"));
	_cleanup_free_ char *fields2 = kr_asprintf("%s, \"fragment\": [\"CONFIG_FOO=y\"]", fields);
	_cleanup_scenario_free_ struct kr_scenario *s2 = scenario(fields2);
	seen_compiled = -1;
	ck_assert_msg(kr_kbuild_get(s2, &o, &k2, &err) == 0, "%s", err);
	ck_assert(!k2->cache_hit);
	ck_assert_int_eq(seen_compiled, 3001);
	ck_assert_int_eq(seen_estimated, 3001);
}
END_TEST

START_TEST(dropped_fragment_lines_are_named_with_reasons)
{
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\","
		" \"fragment\": [\"CONFIG_GATED=y\", \"CONFIG_NOSUCH=y\", \"CONFIG_FOO=y\"]",
		tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	_cleanup_kernel_free_ struct kr_kernel *k = NULL, *again = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(get(s, &k, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_uint_eq(k->n_mismatches, 2);
	ck_assert_str_eq(k->mismatches[0].option, "CONFIG_GATED");
	ck_assert_str_eq(k->mismatches[0].requested, "y");
	ck_assert_str_eq(k->mismatches[0].actual, "n");
	ck_assert_str_eq(k->mismatches[0].reason, "depends on MISSING_DEP (MISSING_DEP=n)");
	ck_assert_str_eq(k->mismatches[1].option, "CONFIG_NOSUCH");
	ck_assert_ptr_nonnull(strstr(k->mismatches[1].reason, "not a Kconfig symbol"));
	ck_assert_ptr_nonnull(strstr(k->mismatches[1].message, "CONFIG_NOSUCH=y"));
	/* A cache hit reports them too. */
	ck_assert_msg(get(s, &again, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(again->cache_hit);
	ck_assert_uint_eq(again->n_mismatches, 2);
	ck_assert_str_eq(again->mismatches[0].message, k->mismatches[0].message);
}
END_TEST

START_TEST(strict_fragment_is_an_error_before_building)
{
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"strict_fragment\": true,"
		" \"fragment\": [\"CONFIG_GATED=y\"]", tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(get(s, &k, &err), -EINVAL);
	ck_assert_ptr_null(k);
	ck_assert_ptr_nonnull(strstr(err, "kernel.strict_fragment"));
	ck_assert_ptr_nonnull(strstr(err, "CONFIG_GATED=y"));
	ck_assert_ptr_nonnull(strstr(err, "depends on MISSING_DEP"));
	ck_assert_int_eq(builds(), 0);
	ck_assert_uint_eq(entries("kernels"), 0);
	ck_assert_uint_eq(entries("work"), 0);
}
END_TEST

START_TEST(failed_build_shows_errors_and_is_not_cached)
{
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"fragment\": [\"CONFIG_BREAK=y\"]",
		tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	_cleanup_free_ char *err = NULL;
	_cleanup_free_ char *log_copy = kr_path_join(kr_test_tmpdir(), "artifacts-build.log");
	struct kr_kbuild_options o = { .cache_dir = cache, .log_copy = log_copy };
	ck_assert_int_eq(kr_kbuild_get(s, &o, &k, &err), -ENOEXEC);
	ck_assert_ptr_nonnull(strstr(err, "init/main.c:3:1: error: expected declaration"));
	ck_assert_ptr_nonnull(strstr(err, log_copy));
	_cleanup_free_ char *log = read_text(log_copy);
	ck_assert_ptr_nonnull(strstr(log, "init/main.c:3:1: error"));
	ck_assert_uint_eq(entries("kernels"), 0);
	ck_assert_uint_eq(entries("work"), 0);
	ck_assert_uint_eq(entries("failed"), 1);
}
END_TEST

START_TEST(git_commit_is_exported_without_touching_the_checkout)
{
	char *init[] = { "git", "init", "-q", NULL };
	char *add[] = { "git", "add", ".", NULL };
	char *commit[] = { "git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit",
			   "-q", "-m", "one", NULL };
	run(init, tree);
	run(add, tree);
	run(commit, tree);
	/* An uncommitted change: the build must not see it, nor lose it. */
	_cleanup_free_ char *version = kr_test_write(tree, "VERSION", "two (uncommitted)\n");
	char *status_argv[] = { "git", "-C", tree, "status", "--porcelain", NULL };
	_cleanup_free_ char *before = NULL;
	ck_assert_int_eq(kr_test_spawn(status_argv, NULL, 0, &before, NULL, 30), 0);

	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"commit\": \"HEAD\", \"config\": \"tinyconfig\"", tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(get(s, &k, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_ptr_nonnull(k->commit);
	ck_assert_uint_eq(strlen(k->commit), 40);
	_cleanup_free_ char *tree_id = kr_asprintf("git:%s", k->commit);
	ck_assert_str_eq(k->tree, tree_id);
	_cleanup_free_ char *image = read_text(k->bzimage);
	ck_assert_str_eq(image, "one\n");
	_cleanup_free_ char *label = kr_asprintf("%.12s-%.8s", k->commit, k->config_hash);
	ck_assert_str_eq(k->label, label);

	_cleanup_free_ char *after = NULL;
	ck_assert_int_eq(kr_test_spawn(status_argv, NULL, 0, &after, NULL, 30), 0);
	ck_assert_str_eq(after, before);
	_cleanup_free_ char *content = read_text(version);
	ck_assert_str_eq(content, "two (uncommitted)\n");
	_cleanup_free_ char *worktrees = kr_path_join(tree, ".git/worktrees");
	ck_assert_int_ne(access(worktrees, F_OK), 0);
	_cleanup_free_ char *stray = kr_path_join(tree, ".config");
	ck_assert_int_ne(access(stray, F_OK), 0);

	/* Not a commit: bad input naming the field. */
	_cleanup_free_ char *bad_fields = kr_asprintf(
		"\"source\": \"%s\", \"commit\": \"no-such-branch\", \"config\": \"tinyconfig\"", tree);
	_cleanup_scenario_free_ struct kr_scenario *bad = scenario(bad_fields);
	_cleanup_kernel_free_ struct kr_kernel *none = NULL;
	_cleanup_free_ char *err2 = NULL;
	ck_assert_int_eq(get(bad, &none, &err2), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err2, "kernel.commit"));
	ck_assert_ptr_nonnull(strstr(err2, "no-such-branch"));
}
END_TEST

START_TEST(directory_identity_is_its_content)
{
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\"", tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	_cleanup_kernel_free_ struct kr_kernel *a = NULL, *b = NULL, *c = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(get(s, &a, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(kr_str_startswith(a->tree, "dir:"));
	free(kr_test_write(tree, "VERSION", "changed\n"));
	ck_assert_msg(get(s, &b, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(!b->cache_hit);
	ck_assert_str_ne(b->tree, a->tree);
	_cleanup_free_ char *image = read_text(b->bzimage);
	ck_assert_str_eq(image, "changed\n");
	/* The same content again (new inode and times): the first kernel. */
	free(kr_test_write(tree, "VERSION", "one\n"));
	ck_assert_msg(get(s, &c, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(c->cache_hit);
	ck_assert_str_eq(c->key, a->key);
	ck_assert_int_eq(builds(), 2);
}
END_TEST

START_TEST(make_variables_and_config_file_are_inputs)
{
	_cleanup_free_ char *base = kr_test_write(kr_test_tmpdir(), "base.config",
						  "CONFIG_BASE=y\n# CONFIG_FOO is not set\n");
	_cleanup_free_ char *f1 = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"%s\"", tree, base);
	_cleanup_free_ char *f2 = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"%s\", \"make\": [\"KCFLAGS=-O1\"]", tree, base);
	_cleanup_scenario_free_ struct kr_scenario *s1 = scenario(f1);
	_cleanup_scenario_free_ struct kr_scenario *s2 = scenario(f2);
	_cleanup_kernel_free_ struct kr_kernel *a = NULL, *b = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(get(s1, &a, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_msg(get(s2, &b, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_str_ne(a->key, b->key);
	ck_assert_str_eq(a->config_hash, b->config_hash);
	ck_assert_int_eq(builds(), 2);
	_cleanup_free_ char *config = read_text(a->config);
	ck_assert_str_eq(config, "CONFIG_BASE=y\n# CONFIG_FOO is not set\n");
}
END_TEST

START_TEST(concurrent_builders_build_once)
{
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"fragment\": [\"CONFIG_SLOW=y\"]",
		tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	pid_t pids[3];
	for (size_t i = 0; i < KR_ARRAY_SIZE(pids); i++) {
		pids[i] = fork();
		ck_assert_int_ge(pids[i], 0);
		if (pids[i] == 0) {
			struct kr_kernel *k = NULL;
			char *err = NULL;
			_exit(get(s, &k, &err) == 0 && access(k->bzimage, R_OK) == 0 ? 0 : 1);
		}
	}
	for (size_t i = 0; i < KR_ARRAY_SIZE(pids); i++) {
		int st;
		ck_assert_int_eq(waitpid(pids[i], &st, 0), pids[i]);
		ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	ck_assert_int_eq(builds(), 1);
	ck_assert_uint_eq(entries("kernels"), 1);
}
END_TEST

START_TEST(interrupted_build_never_enters_the_cache)
{
	_cleanup_free_ char *fifo = kr_path_join(kr_test_tmpdir(), "started");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\"", tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("KR_FAKE_FIFO", fifo, 1);
		struct kr_kernel *k = NULL;
		char *err = NULL;
		_exit(get(s, &k, &err) == 0 ? 0 : 1);
	}
	/* The fake build writes to the fifo once it runs. */
	int fd = open(fifo, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	char buf[16];
	ck_assert_int_gt(read(fd, buf, sizeof(buf)), 0);
	close(fd);
	kill(pid, SIGKILL);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_uint_eq(entries("kernels"), 0);
	ck_assert_uint_eq(entries("inputs"), 0);

	/* The next kradar builds it (the key's lock died with its holder). */
	_cleanup_kernel_free_ struct kr_kernel *k = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(get(s, &k, &err) == 0, "%s", kr_test_tail(err));
	ck_assert(!k->cache_hit);
	ck_assert_int_eq(builds(), 1);
}
END_TEST

START_TEST(interrupting_kradar_build_stops_make_group)
{
	_cleanup_free_ char *fifo = kr_path_join(kr_test_tmpdir(), "started");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	_cleanup_free_ char *text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"slow\", \"kernel\": {\"source\": \"%s\","
		" \"config\": \"tinyconfig\"}, \"repro\": {\"sh\": \"true\"}}", tree);
	_cleanup_free_ char *file = kr_test_write(kr_test_tmpdir(), "slow.json", text);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		setenv("KR_FAKE_FIFO", fifo, 1);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		dup2(null, 1);
		dup2(null, 2);
		execl(kr_test_kradar(), "kradar", "build", "--cache", cache, file, (char *)NULL);
		_exit(127);
	}
	/* The recipe's shell writes its pid once make runs it. */
	int fd = open(fifo, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	char buf[32] = { 0 };
	ck_assert_int_gt(read(fd, buf, sizeof(buf) - 1), 0);
	close(fd);
	buf[strcspn(buf, "\n")] = '\0';
	long recipe;
	ck_assert_int_eq(kr_parse_long(buf, &recipe), 0);
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)recipe, 0);
	ck_assert_int_ge(pidfd, 0);

	kill(pid, SIGINT);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 130);
	/* make's recipe (a grandchild of kradar) was stopped with it. */
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	ck_assert_msg(poll(&pfd, 1, 30000) == 1, "the recipe shell %ld survived", recipe);
	close(pidfd);
	ck_assert_uint_eq(entries("kernels"), 0);
	ck_assert_uint_eq(entries("work"), 0);
}
END_TEST

START_TEST(config_only_checks_without_building)
{
	_cleanup_free_ char *fields = kr_asprintf(
		"\"source\": \"%s\", \"config\": \"tinyconfig\", \"fragment\": [\"CONFIG_GATED=y\"]",
		tree);
	_cleanup_scenario_free_ struct kr_scenario *s = scenario(fields);
	struct kr_kbuild_options o = { .cache_dir = cache, .config_only = true };
	struct kr_kernel *k = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_kbuild_get(s, &o, &k, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_ptr_null(k->bzimage);
	ck_assert_ptr_null(k->key);
	ck_assert_uint_eq(k->n_mismatches, 1);
	_cleanup_free_ char *config_path = kr_strdup(k->config);
	_cleanup_free_ char *config = read_text(config_path);
	ck_assert_ptr_nonnull(strstr(config, "CONFIG_BASE=y"));
	kr_kernel_free(k);
	ck_assert_int_ne(access(config_path, F_OK), 0);
	ck_assert_int_eq(builds(), 0);
}
END_TEST

START_TEST(fragment_merge_follows_merge_config)
{
	struct kr_kconfig_fragment f = { 0 };
	_cleanup_free_ char *err = NULL;
	const char *text = "# a comment\n\nCONFIG_A=y\n# CONFIG_B is not set\nCONFIG_A=m\nCONFIG_S=\"x y\"\n";
	ck_assert_int_eq(kr_kconfig_fragment_parse(text, "frag", &f, &err), 0);
	_cleanup_free_ char *merged = kr_kconfig_merge(
		"CONFIG_AB=y\n# CONFIG_A is not set\nCONFIG_B=y\nCONFIG_C=y\n", &f);
	ck_assert_str_eq(merged, "CONFIG_AB=y\nCONFIG_C=y\nCONFIG_A=m\n# CONFIG_B is not set\nCONFIG_S=\"x y\"\n");
	struct kr_kbuild_mismatch *m = NULL;
	ck_assert_uint_eq(kr_kconfig_check("CONFIG_A=m\nCONFIG_S=\"x\"\n", &f, NULL, NULL, NULL, &m), 1);
	ck_assert_str_eq(m[0].option, "CONFIG_S");
	ck_assert_str_eq(m[0].actual, "\"x\"");
	ck_assert_ptr_null(m[0].reason);
	kr_kbuild_mismatches_free(m, 1);
	kr_kconfig_fragment_clear(&f);

	ck_assert_int_eq(kr_kconfig_fragment_parse("CONFIG_A=y\nCONFIG_B y\n", "frag.config", &f, &err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "frag.config:2:"));
	kr_kconfig_fragment_clear(&f);
}
END_TEST

START_TEST(command_reports_identity_and_failures)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *ok_text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"ok\", \"kernel\": {\"source\": \"%s\", \"config\": \"tinyconfig\","
		" \"fragment\": [\"CONFIG_GATED=y\"]}, \"repro\": {\"sh\": \"true\"}}", tree);
	_cleanup_free_ char *ok = kr_test_write(dir, "ok.json", ok_text);
	_cleanup_free_ char *bad_text = kr_asprintf(
		"{\"kradar\": 1, \"name\": \"bad\", \"kernel\": {\"source\": \"%s\", \"config\": \"tinyconfig\","
		" \"fragment\": [\"CONFIG_BREAK=y\"]}, \"repro\": {\"sh\": \"true\"}}", tree);
	_cleanup_free_ char *bad = kr_test_write(dir, "bad.json", bad_text);

	char *argv[] = { (char *)kr_test_kradar(), "build", "--cache", cache, ok, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &out, &err, 60), 0);
	ck_assert_ptr_nonnull(strstr(out, "bzImage   "));
	ck_assert_ptr_nonnull(strstr(out, "key       "));
	ck_assert_ptr_nonnull(strstr(out, "cached    no"));
	ck_assert_ptr_nonnull(strstr(err, "CONFIG_GATED=y"));

	char *again[] = { (char *)kr_test_kradar(), "build", "-C", cache, ok, NULL };
	_cleanup_free_ char *out2 = NULL;
	ck_assert_int_eq(kr_test_spawn(again, NULL, 0, &out2, NULL, 60), 0);
	ck_assert_ptr_nonnull(strstr(out2, "cached    yes"));

	/* A relative --cache works although make runs in the tree (-C). */
	char *relative[] = { "sh", "-c", "cd \"$0\" && exec \"$1\" build --cache rel-cache \"$2\"",
			     (char *)dir, (char *)kr_test_kradar(), ok, NULL };
	_cleanup_free_ char *out3 = NULL, *err4 = NULL;
	ck_assert_msg(kr_test_spawn(relative, NULL, 0, &out3, &err4, 60) == 0, "%s", kr_test_tail(err4));
	ck_assert_ptr_nonnull(strstr(out3, "cached    no"));
	_cleanup_free_ char *entry = kr_asprintf("bzImage   %s/rel-cache/kernels/", dir);
	ck_assert_ptr_nonnull(strstr(out3, entry));

	char *fails[] = { (char *)kr_test_kradar(), "build", "--cache", cache, bad, NULL };
	_cleanup_free_ char *err3 = NULL;
	ck_assert_int_eq(kr_test_spawn(fails, NULL, 0, NULL, &err3, 60), 3);
	ck_assert_ptr_nonnull(strstr(err3, "init/main.c:3:1: error"));

	char *usage[] = { (char *)kr_test_kradar(), "build", "--jobs", "0", ok, NULL };
	ck_assert_int_eq(kr_test_spawn(usage, NULL, 0, NULL, NULL, 60), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("kbuild");
	TCase *tc = tcase_create("fake-tree");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, tarball_builds_once_then_hits);
	tcase_add_test(tc, make_progress_counts_compiles);
	tcase_add_test(tc, dropped_fragment_lines_are_named_with_reasons);
	tcase_add_test(tc, strict_fragment_is_an_error_before_building);
	tcase_add_test(tc, failed_build_shows_errors_and_is_not_cached);
	tcase_add_test(tc, git_commit_is_exported_without_touching_the_checkout);
	tcase_add_test(tc, directory_identity_is_its_content);
	tcase_add_test(tc, make_variables_and_config_file_are_inputs);
	tcase_add_test(tc, concurrent_builders_build_once);
	tcase_add_test(tc, interrupted_build_never_enters_the_cache);
	tcase_add_test(tc, interrupting_kradar_build_stops_make_group);
	tcase_add_test(tc, config_only_checks_without_building);
	tcase_add_test(tc, fragment_merge_follows_merge_config);
	tcase_add_test(tc, command_reports_identity_and_failures);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
