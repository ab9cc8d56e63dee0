/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kr-test.h"
#include "process.h"
#include "util.h"

/* Waits (up to timeout_s) for a process that is not our child to go away. */
static bool gone_within(pid_t pid, double timeout_s)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0)
		return errno == ESRCH;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	int r = poll(&pfd, 1, (int)(timeout_s * 1000));
	close(fd);
	return r == 1;
}

START_TEST(capture_output_and_status)
{
	char *argv[] = { "sh", "-c", "echo hello; echo err >&2; exit 3", NULL };
	_cleanup_free_ char *out = NULL;
	int status = -1;
	ck_assert_int_eq(kr_process_run_capture(argv, NULL, -1, 1024, 30, &out, &status), 0);
	ck_assert_str_eq(out, "hello\n");
	ck_assert_int_eq(status, 3);
}
END_TEST

START_TEST(missing_program_is_enoent)
{
	char *argv[] = { "kradar-no-such-program-here", NULL };
	int status = -1;
	ck_assert_int_eq(kr_process_run(argv, NULL, -1, 30, &status), -ENOENT);
	char *argv2[] = { "/nonexistent/dir/prog", NULL };
	_cleanup_free_ char *out = NULL;
	ck_assert_int_eq(kr_process_run_capture(argv2, NULL, -1, 16, 30, &out, &status), -ENOENT);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(signal_status_is_128_plus)
{
	char *argv[] = { "sh", "-c", "kill -TERM $$", NULL };
	int status = -1;
	ck_assert_int_eq(kr_process_run(argv, NULL, -1, 30, &status), 0);
	ck_assert_int_eq(status, 128 + SIGTERM);
}
END_TEST

START_TEST(timeout_kills_whole_group)
{
	/* The shell starts a grandchild in its (the child's) group and
	 * prints its pid; the timeout must take both down. */
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *pidfile = kr_path_join(dir, "grandchild.pid");
	_cleanup_free_ char *script = kr_asprintf("sleep 300 & echo $! > %s; wait", pidfile);
	char *argv[] = { "sh", "-c", script, NULL };
	int status = -1;
	double t0 = kr_now_s();
	ck_assert_int_eq(kr_process_run(argv, NULL, -1, 2.0, &status), -ETIMEDOUT);
	ck_assert_double_lt(kr_now_s() - t0, 60);
	_cleanup_free_ char *text = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(pidfile, 64, &text, &len), 0);
	long pid;
	text[strcspn(text, "\n")] = '\0';
	ck_assert_int_eq(kr_parse_long(text, &pid), 0);
	ck_assert_msg(gone_within((pid_t)pid, 30), "grandchild %ld survived", pid);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(capture_cap_is_e2big)
{
	char *argv[] = { "sh", "-c", "yes | head -c 100000", NULL };
	_cleanup_free_ char *out = NULL;
	int status;
	ck_assert_int_eq(kr_process_run_capture(argv, NULL, -1, 1000, 30, &out, &status), -E2BIG);
	ck_assert_ptr_null(out);
}
END_TEST

START_TEST(stdin_cwd_env)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *in = kr_test_write(dir, "in.txt", "from stdin\n");
	_cleanup_close_ int fd = open(in, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	char *argv[] = { "sh", "-c", "read line; echo \"$line|$(pwd)|$KR_TEST_VAR\"", NULL };
	_cleanup_process_free_ struct kr_process *p = kr_process_new(argv);
	int pipefd[2];
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	kr_process_set_stdin(p, fd);
	kr_process_set_stdout(p, pipefd[1]);
	kr_process_set_cwd(p, dir);
	kr_process_setenv(p, "KR_TEST_VAR", "first");
	kr_process_setenv(p, "KR_TEST_VAR", "second");
	ck_assert_int_eq(kr_process_start(p), 0);
	close(pipefd[1]);
	char buf[4096] = { 0 };
	size_t len = 0;
	ssize_t n;
	while ((n = read(pipefd[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(pipefd[0]);
	int status = -1;
	ck_assert_int_eq(kr_process_wait(p, 30, &status), 0);
	ck_assert_int_eq(status, 0);
	_cleanup_free_ char *want = kr_asprintf("from stdin|%s|second\n", dir);
	ck_assert_str_eq(buf, want);
	/* A second wait gives the same status. */
	ck_assert_int_eq(kr_process_wait(p, 0, &status), 0);
	ck_assert_int_eq(status, 0);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(own_group_and_pidfd)
{
	char *argv[] = { "sleep", "300", NULL };
	_cleanup_process_free_ struct kr_process *p = kr_process_new(argv);
	ck_assert_int_eq(kr_process_start(p), 0);
	pid_t pid = kr_process_pid(p);
	ck_assert_int_eq(getpgid(pid), pid);
	ck_assert_int_ne(getpgid(pid), getpgid(0));
	int status;
	ck_assert_int_eq(kr_process_wait(p, 0.05, &status), -ETIMEDOUT);
	struct pollfd pfd = { .fd = kr_process_pidfd(p), .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 0), 0);
	ck_assert_int_eq(kr_process_kill(p, SIGKILL), 0);
	ck_assert_int_eq(poll(&pfd, 1, 30000), 1);
	ck_assert_int_eq(kr_process_wait(p, 30, &status), 0);
	ck_assert_int_eq(status, 128 + SIGKILL);
	ck_assert_int_eq(kr_process_kill(p, SIGKILL), -ESRCH);
}
END_TEST

START_TEST(child_dies_with_parent)
{
	/* A helper process spawns sleep through kr_process and exits without
	 * cleaning up; the parent-death signal must take the sleep down. */
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	pid_t helper = fork();
	ck_assert_int_ge(helper, 0);
	if (helper == 0) {
		char *argv[] = { "sleep", "300", NULL };
		struct kr_process *p = kr_process_new(argv);
		if (kr_process_start(p) < 0)
			_exit(1);
		pid_t pid = kr_process_pid(p);
		if (write(fds[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	pid_t child = 0;
	ck_assert_int_eq(read(fds[0], &child, sizeof(child)), (ssize_t)sizeof(child));
	close(fds[0]);
	int st;
	ck_assert_int_eq(waitpid(helper, &st, 0), helper);
	ck_assert_msg(gone_within(child, 30), "child %d outlived its parent", (int)child);
}
END_TEST

START_TEST(stop_escalates_to_sigkill)
{
	/* The first child ignores SIGTERM and must get SIGKILL after the
	 * grace period; the second dies of the SIGTERM itself. */
	char *stubborn[] = { "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done", NULL };
	int fds[2];
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	_cleanup_process_free_ struct kr_process *p = kr_process_new(stubborn);
	kr_process_set_stdout(p, fds[1]);
	ck_assert_int_eq(kr_process_start(p), 0);
	close(fds[1]);
	char buf[8];
	ck_assert_int_gt(read(fds[0], buf, sizeof(buf)), 0); /* the trap is set */
	close(fds[0]);
	kr_process_stop(p, 0.2);
	int status;
	ck_assert_int_eq(kr_process_wait(p, 0, &status), 0);
	ck_assert_int_eq(status, 128 + SIGKILL);
	kr_process_stop(p, 0.2); /* reaped: a no-op */

	char *plain[] = { "sleep", "300", NULL };
	_cleanup_process_free_ struct kr_process *q = kr_process_new(plain);
	ck_assert_int_eq(kr_process_start(q), 0);
	kr_process_stop(q, 30);
	ck_assert_int_eq(kr_process_wait(q, 0, &status), 0);
	ck_assert_int_eq(status, 128 + SIGTERM);
}
END_TEST

START_TEST(child_gets_std_fds_and_default_signals)
{
	/* An fd kradar inherited without O_CLOEXEC (a jobserver's, say) and
	 * signals it ignores must not reach the child. */
	int leaky = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(leaky, 3);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	_cleanup_free_ char *test = kr_asprintf("[ -e /proc/self/fd/%d ] && echo leaked; "
						"grep SigIgn /proc/self/status", leaky);
	char *argv[] = { "sh", "-c", test, NULL };
	_cleanup_free_ char *out = NULL;
	int status = -1;
	ck_assert_int_eq(kr_process_run_capture(argv, NULL, -1, 1024, 30, &out, &status), 0);
	ck_assert_int_eq(status, 0);
	ck_assert_str_eq(out, "SigIgn:\t0000000000000000\n");
	close(leaky);
}
END_TEST

/* pidfd_open fails with ENOSYS in this (forked) test process from now on,
 * as on a kernel older than 5.3. */
static void deny_pidfd_open(void)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pidfd_open, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = KR_ARRAY_SIZE(filter), .filter = filter };
	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
}

START_TEST(no_pidfd_kills_and_reaps)
{
	deny_pidfd_open();
	char *argv[] = { "sleep", "300", NULL };
	struct kr_process *p = kr_process_new(argv);
	ck_assert_int_eq(kr_process_start(p), -ENOSYS);
	pid_t pid = kr_process_pid(p);
	/* already reaped: nothing to wait for (a wait on no pidfd would
	 * never end) */
	int status = -1;
	ck_assert_int_eq(kr_process_wait(p, 1, &status), 0);
	ck_assert_int_eq(status, 128 + SIGKILL);
	kr_process_free(p);
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
}
END_TEST

START_TEST(free_null_and_unstarted)
{
	kr_process_free(NULL);
	char *argv[] = { "true", NULL };
	struct kr_process *p = kr_process_new(argv);
	int status;
	ck_assert_int_eq(kr_process_wait(p, 1, &status), -ECHILD);
	kr_process_free(p);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("process");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, capture_output_and_status);
	tcase_add_test(tc, missing_program_is_enoent);
	tcase_add_test(tc, stop_escalates_to_sigkill);
	tcase_add_test(tc, signal_status_is_128_plus);
	tcase_add_test(tc, timeout_kills_whole_group);
	tcase_add_test(tc, capture_cap_is_e2big);
	tcase_add_test(tc, stdin_cwd_env);
	tcase_add_test(tc, own_group_and_pidfd);
	tcase_add_test(tc, child_dies_with_parent);
	tcase_add_test(tc, child_gets_std_fds_and_default_signals);
	tcase_add_test(tc, no_pidfd_kills_and_reaps);
	tcase_add_test(tc, free_null_and_unstarted);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
