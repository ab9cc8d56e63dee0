/* SPDX-License-Identifier: MIT */
#include "kr-test.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario.h"
#include "util.h"

int kr_test_main(Suite *s)
{
	/* Failure messages carry the tail of a child's output (a kernel
	 * build's log, a console; kr_test_tail()): past check's 4 KiB default
	 * the test dies with "Message string too long" and the reason is
	 * lost. Not larger: check copies a buffer of this size at every
	 * assertion. */
	check_set_max_msg_size(KR_TEST_MAX_MSG);
	SRunner *sr = srunner_create(s);
	srunner_set_tap(sr, "-");
	srunner_run_all(sr, CK_SILENT);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

const char *kr_test_tail(const char *s)
{
	if (!s)
		return "(null)";
	size_t n = strlen(s);
	return n > KR_TEST_TAIL ? s + n - KR_TEST_TAIL : s;
}

static char *tmpdir;

const char *kr_test_tmpdir(void)
{
	if (tmpdir)
		return tmpdir;
	const char *base = getenv("TMPDIR");
	char *tmpl = kr_asprintf("%s/kradar-test-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpl))
		ck_abort_msg("mkdtemp: %s", strerror(errno));
	tmpdir = tmpl;
	return tmpdir;
}

void kr_test_tmpdir_cleanup(void)
{
	if (!tmpdir)
		return;
	kr_rm_rf(tmpdir);
	free(tmpdir);
	tmpdir = NULL;
}

char *kr_test_write(const char *dir, const char *name, const char *text)
{
	char *path = kr_path_join(dir, name);
	_cleanup_free_ char *parent = kr_path_dirname(path);
	ck_assert_int_eq(kr_mkdir_p(parent, 0755), 0);
	FILE *f = fopen(path, "we");
	ck_assert_msg(f != NULL, "fopen %s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
	return path;
}

static void drain(int fd, struct kr_buf *b)
{
	char chunk[4096];
	ssize_t n = read(fd, chunk, sizeof(chunk));
	if (n > 0)
		kr_buf_add(b, chunk, (size_t)n);
}

int kr_test_spawn_pty(char *const argv[], unsigned short cols, unsigned short rows, char **out)
{
	int master;
	struct winsize ws = { .ws_row = rows, .ws_col = cols };
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		unsetenv("GITHUB_ACTIONS");
		unsetenv("GITLAB_CI");
		unsetenv("CI");
		setenv("TERM", "xterm", 1);
		execv(argv[0], argv);
		_exit(127);
	}
	fcntl(master, F_SETFD, FD_CLOEXEC);
	struct kr_buf b = KR_BUF_INIT(1 << 26);
	char chunk[4096];
	ssize_t n;
	/* EIO once the child and everything on its terminal are gone. */
	while ((n = read(master, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			ck_assert_int_eq(kr_buf_add(&b, chunk, (size_t)n), 0);
	close(master);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	*out = kr_buf_steal(&b);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int kr_test_spawn(char *const argv[], const char *stdin_text, size_t stdin_len, char **out,
		  char **err, double timeout_s)
{
	int in_pipe[2], out_pipe[2], err_pipe[2];
	ck_assert_int_eq(pipe2(in_pipe, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out_pipe, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(err_pipe, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(in_pipe[0], 0);
		dup2(out_pipe[1], 1);
		dup2(err_pipe[1], 2);
		setpgid(0, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(in_pipe[0]);
	close(out_pipe[1]);
	close(err_pipe[1]);
	fcntl(in_pipe[1], F_SETFL, O_NONBLOCK);
	struct kr_buf ob = KR_BUF_INIT(256u << 20), eb = KR_BUF_INIT(256u << 20);
	size_t written = 0;
	if (!stdin_text) {
		close(in_pipe[1]);
		in_pipe[1] = -1;
	}
	uint64_t deadline = kr_now_ns() + (uint64_t)(timeout_s * 1e9);
	int open_fds = 2;
	while (open_fds > 0 || in_pipe[1] >= 0) {
		struct pollfd p[3] = {
			{ out_pipe[0], POLLIN, 0 },
			{ err_pipe[0], POLLIN, 0 },
			{ in_pipe[1], POLLOUT, 0 },
		};
		uint64_t now = kr_now_ns();
		if (now >= deadline) {
			kill(-pid, SIGKILL);
			break;
		}
		int r = poll(p, 3, (int)((deadline - now) / 1000000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		for (int k = 0; k < 2; k++) {
			if (p[k].fd >= 0 && (p[k].revents & (POLLIN | POLLHUP))) {
				size_t before = (k ? &eb : &ob)->len;
				drain(p[k].fd, k ? &eb : &ob);
				if ((k ? &eb : &ob)->len == before) {
					close(p[k].fd);
					if (k)
						err_pipe[0] = -1;
					else
						out_pipe[0] = -1;
					open_fds--;
				}
			}
		}
		if (in_pipe[1] >= 0 && (p[2].revents & (POLLOUT | POLLERR))) {
			ssize_t n = p[2].revents & POLLERR ? -1 :
				    write(in_pipe[1], stdin_text + written, stdin_len - written);
			if (n > 0)
				written += (size_t)n;
			if (n < 0 || written == stdin_len) {
				close(in_pipe[1]);
				in_pipe[1] = -1;
			}
		}
	}
	if (out_pipe[0] >= 0)
		close(out_pipe[0]);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (in_pipe[1] >= 0)
		close(in_pipe[1]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (out)
		*out = kr_buf_steal(&ob);
	else
		kr_buf_free(&ob);
	if (err)
		*err = kr_buf_steal(&eb);
	else
		kr_buf_free(&eb);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *kr_test_kradar(void)
{
	const char *p = getenv("KRADAR_BIN");
	ck_assert_msg(p != NULL, "KRADAR_BIN is not set (run the tests with meson test)");
	return p;
}

const char *kr_test_data(void)
{
	const char *p = getenv("KRADAR_TEST_DATA");
	ck_assert_msg(p != NULL, "KRADAR_TEST_DATA is not set (run the tests with meson test)");
	return p;
}

void kr_test_golden(const char *name, const char *actual, size_t len)
{
	_cleanup_free_ char *path = kr_asprintf("%s/golden/%s", kr_test_data(), name);
	const char *update = getenv("KRADAR_UPDATE_GOLDEN");
	if (update && !strcmp(update, "1")) {
		_cleanup_free_ char *dir = kr_path_dirname(path);
		ck_assert_int_eq(kr_mkdir_p(dir, 0755), 0);
		ck_assert_int_eq(kr_write_file_atomic(path, actual, len, 0644), 0);
		return;
	}
	_cleanup_free_ char *want = NULL;
	size_t want_len = 0;
	int r = kr_read_file(path, 64 << 20, &want, &want_len);
	ck_assert_msg(r == 0, "golden file %s: %s (KRADAR_UPDATE_GOLDEN=1 writes it)", path,
		      strerror(-r));
	if (want_len == len && !memcmp(want, actual, len))
		return;
	size_t i = 0, line = 1, bol = 0;
	while (i < len && i < want_len && want[i] == actual[i]) {
		if (actual[i] == '\n') {
			line++;
			bol = i + 1;
		}
		i++;
	}
	size_t we = bol, ae = bol;
	while (we < want_len && want[we] != '\n')
		we++;
	while (ae < len && actual[ae] != '\n')
		ae++;
	ck_abort_msg("%s differs at line %zu:\n  want: %.*s\n  got:  %.*s\n"
		     "(KRADAR_UPDATE_GOLDEN=1 rewrites the golden files)",
		     path, line, (int)(we - bol), want + bol, (int)(ae - bol), actual + bol);
}

char *kr_test_results_scenario(const char *json, const char *name)
{
	char *key = kr_asprintf("\"name\": \"%s\"", name);
	const char *start = strstr(json, key);
	free(key);
	ck_assert_msg(start, "no scenario %s in %s", name, json);
	const char *end = strstr(start + 1, "\n    {\n      \"name\"");
	return end ? kr_strndup(start, (size_t)(end - start)) : kr_strdup(start);
}

/* The fake QEMU: "Linux version", BEFORE, the start marker, AFTER, then
 * it waits to be stopped. */
char *kr_test_fake_qemu(const char *dir, const char *name, const char *before,
			const char *after)
{
	_cleanup_free_ char *script = kr_asprintf(
		"#!/bin/sh\n"
		"[ \"$1\" = --version ] && { echo 'QEMU emulator version 7.2.0 (fake)'; exit 0; }\n"
		"while [ $# -gt 0 ]; do [ \"$1\" = -initrd ] && initrd=$2; shift; done\n"
		"token=$(grep -a -o 'KRADAR-START [0-9a-f]*' \"$initrd\" | head -n 1 | cut -d' ' -f2)\n"
		"echo 'Linux version 6.1.0-fake'\n"
		"%s%s%s"
		"echo \"KRADAR-START $token\"\n"
		"%s%s%s"
		"exec sleep 600\n",
		before ? "cat '" : "", before ? before : "", before ? "'\n" : "",
		after ? "cat '" : "", after ? after : "", after ? "'\n" : "");
	char *path = kr_test_write(dir, name, script);
	ck_assert_int_eq(chmod(path, 0755), 0);
	return path;
}

struct kr_scenario *kr_test_scenario(const char *json)
{
	_cleanup_free_ char *file = kr_path_join(kr_test_tmpdir(), "s.json");
	struct kr_diags d = { 0 };
	struct kr_scenario *s = NULL;
	int r = kr_scenario_load_text(file, json, strlen(json), &s, &d);
	ck_assert_msg(r == 0, "%s", d.n ? d.items[0].message : "?");
	kr_diags_clear(&d);
	return s;
}

void kr_test_prepare_debian_kernel(void)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	_cleanup_free_ char *script = kr_path_join(root, "ci/prepare-debian-kernel.sh");
	char *argv[] = { script, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &out, &err, 1800);
	ck_assert_msg(rc == 0, "prepare-debian-kernel.sh failed (%d): %s", rc, kr_test_tail(err));
	/* The env file's path is the last line. */
	size_t len = strlen(out);
	while (len && out[len - 1] == '\n')
		out[--len] = '\0';
	const char *last = strrchr(out, '\n');
	const char *env_path = last ? last + 1 : out;
	_cleanup_free_ char *env = NULL;
	ck_assert_int_eq(kr_read_file(env_path, 1 << 20, &env, NULL), 0);
	char *save = NULL;
	for (char *line = strtok_r(env, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (line[0] == '#' || !eq)
			continue;
		*eq = '\0';
		setenv(line, eq + 1, 1);
	}
	ck_assert_ptr_nonnull(getenv("KRADAR_DEBIAN_KERNEL"));
	ck_assert_ptr_nonnull(getenv("KRADAR_TEST_MODULE"));
}

char *kr_test_syzkaller_bin(char **why)
{
	const char *env = getenv("KRADAR_SYZKALLER_BIN");
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	_cleanup_free_ char *dir = env && *env ? kr_strdup(env) :
				   root ? kr_path_join(root, "../shared/syzkaller/linux_amd64") :
					  NULL;
	*why = NULL;
	if (!dir) {
		*why = kr_strdup("neither KRADAR_SYZKALLER_BIN nor KRADAR_SOURCE_ROOT is set");
		return NULL;
	}
	static const char *const names[] = { "syz-execprog", "syz-executor" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(names); i++) {
		_cleanup_free_ char *path = kr_path_join(dir, names[i]);
		if (access(path, X_OK) < 0) {
			*why = kr_asprintf("no real syzkaller binaries: %s: %s (set "
					   "KRADAR_SYZKALLER_BIN to a directory with syz-execprog and "
					   "syz-executor, linux/amd64)",
					   path, strerror(errno));
			return NULL;
		}
	}
	return KR_TAKE_PTR(dir);
}

/* ----- a fake kernel tree ----- */

static const char fake_makefile[] =
	"O ?= .\n"
	"tinyconfig:\n"
	"\tprintf 'CONFIG_BASE=y\\nCONFIG_GATED=y\\n# CONFIG_FOO is not set\\n' > $(O)/.config\n"
	"olddefconfig:\n"
	"\tgrep -v -e '^CONFIG_GATED=' -e '^CONFIG_NOSUCH' $(O)/.config > $(O)/.config.new || true\n"
	"\tmv $(O)/.config.new $(O)/.config\n"
	"bzImage:\n"
	"\t@if [ -n \"$$KR_FAKE_FIFO\" ]; then echo $$$$ > \"$$KR_FAKE_FIFO\"; sleep 20; fi\n"
	"\t@if grep -q '^CONFIG_BREAK=y' $(O)/.config; then \\\n"
	"\t  echo 'init/main.c:3:1: error: expected declaration before end of line'; exit 1; fi\n"
	"\t@if grep -q '^CONFIG_SLOW=y' $(O)/.config; then sleep 1; fi\n"
	/* make's quiet lines, more than a pipe's read: "  CC" ones count */
	"\t@i=0; while [ $$i -lt 3000 ]; do echo \"  CC      obj/f$$i.o\"; i=$$((i+1)); done\n"
	"\t@printf '  CC [M]  drivers/x.o\\n  LD      vmlinux\\nx  CC      not.o\\n'\n"
	"\tmkdir -p $(O)/arch/x86/boot\n"
	"\tcat VERSION > $(O)/arch/x86/boot/bzImage\n"
	"\tcat $(O)/.config > $(O)/vmlinux\n"
	"\techo built >> \"$$KR_FAKE_COUNT\"\n";

static const char fake_kconfig[] =
	"mainmenu \"fake\"\n"
	"source \"arch/$(SRCARCH)/Kconfig\"\n"
	"config BASE\n"
	"\tbool \"base\"\n"
	"\thelp\n"
	"\t  config NOT_A_SYMBOL is help text\n"
	"if MISSING_DEP\n"
	"config GATED\n"
	"\tbool \"gated\"\n"
	"endif\n"
	"config FOO\n"
	"\tbool \"foo\"\n"
	"config BREAK\n"
	"\tbool \"break\"\n"
	"config SLOW\n"
	"\tbool \"slow\"\n";

static const char fake_arch_kconfig[] =
	"config MISSING_DEP\n"
	"\tbool\n";

void kr_test_fake_kernel_tree(const char *dir, const char *version)
{
	free(kr_test_write(dir, "Makefile", fake_makefile));
	free(kr_test_write(dir, "Kconfig", fake_kconfig));
	free(kr_test_write(dir, "arch/x86/Kconfig", fake_arch_kconfig));
	free(kr_test_write(dir, "VERSION", version));
}

char **kr_test_bootable_fragment(void)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_msg(root != NULL, "KRADAR_SOURCE_ROOT is not set (run the tests with meson test)");
	static const char *const files[] = { "scenarios/fragments/bootable-tiny.config",
					      "scenarios/fragments/bootable-disk.config",
					      "scenarios/fragments/debug-info.config" };
	char **lines = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; i < KR_ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *path = kr_path_join(root, files[i]);
		_cleanup_free_ char *text = NULL;
		ck_assert_int_eq(kr_read_file(path, 1 << 20, &text, NULL), 0);
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			if (kr_str_startswith(line, "CONFIG_") ||
			    (kr_str_startswith(line, "# CONFIG_") && kr_str_endswith(line, " is not set")))
				kr_strv_push(&lines, kr_strdup(line));
	}
	return lines;
}

size_t kr_test_pids_with(const char *needle, int *pids, size_t max)
{
	size_t n = 0;
	DIR *d = opendir("/proc");
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		_cleanup_free_ char *p = kr_asprintf("/proc/%s/cmdline", de->d_name);
		_cleanup_free_ char *cmd = NULL;
		size_t len = 0;
		if (kr_read_file(p, 1 << 20, &cmd, &len) < 0)
			continue;
		for (size_t i = 0; i < len; i++)
			if (cmd[i] == '\0')
				cmd[i] = ' ';
		if (!strstr(cmd, needle))
			continue;
		if (n < max)
			pids[n] = atoi(de->d_name);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

bool kr_test_file_has(const char *path, const char *text)
{
	_cleanup_free_ char *data = NULL;
	size_t len = 0;
	if (kr_read_file(path, 64u << 20, &data, &len) < 0) {
		if (!kr_str_endswith(path, ".part"))
			return false;
		_cleanup_free_ char *done = kr_strndup(path, strlen(path) - 5);
		if (kr_read_file(done, 64u << 20, &data, &len) < 0)
			return false;
	}
	return memmem(data, len, text, strlen(text)) != NULL;
}

/* The deepest directory of path's parents that exists. */
static char *deepest_dir(const char *path)
{
	char *dir = kr_path_dirname(path);
	struct stat st;
	while (strcmp(dir, "/") && strcmp(dir, ".") && stat(dir, &st) < 0) {
		char *up = kr_path_dirname(dir);
		free(dir);
		dir = up;
	}
	return dir;
}

int kr_test_wait_for_text(const char *path, const char *text, double timeout_s)
{
	_cleanup_close_ int ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd < 0)
		return -errno;
	uint64_t deadline = kr_now_ns() + (uint64_t)(timeout_s * 1e9);
	for (;;) {
		/* Watch the deepest existing directory; when a deeper one
		 * appeared meanwhile, watch that first (its events would be
		 * missed). */
		_cleanup_free_ char *dir = deepest_dir(path);
		if (inotify_add_watch(ifd, dir, IN_CREATE | IN_MODIFY | IN_MOVED_TO) < 0)
			return -errno;
		_cleanup_free_ char *again = deepest_dir(path);
		if (strcmp(dir, again))
			continue;
		if (kr_test_file_has(path, text))
			return 0;
		uint64_t now = kr_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd pfd = { .fd = ifd, .events = POLLIN };
		if (poll(&pfd, 1, (int)((deadline - now) / 1000000 + 1)) < 0 && errno != EINTR)
			return -errno;
		char events[16384];
		while (read(ifd, events, sizeof(events)) > 0) {
		}
	}
}

size_t kr_test_count_prefixed(char *const *v, const char *prefix)
{
	size_t n = 0;
	for (size_t i = 0; v[i]; i++)
		n += kr_str_startswith(v[i], prefix);
	return n;
}
