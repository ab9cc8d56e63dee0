/* SPDX-License-Identifier: MIT */
/* Child processes: fork + exec from argv, own process group, parent-death
 * signal, pidfd. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "process.h"

extern char **environ;

struct kr_process {
	char **argv;
	char **env; /* NULL until kr_process_setenv(): inherit */
	char *cwd;
	int fds[3]; /* -1: /dev/null */
	pid_t pid;  /* 0: not started */
	int pidfd;
	bool reaped;
	int status;
};

struct kr_process *kr_process_new(char *const argv[])
{
	struct kr_process *p = kr_calloc(1, sizeof(*p));
	p->argv = kr_strv_copy(argv);
	p->fds[0] = p->fds[1] = p->fds[2] = -1;
	p->pidfd = -1;
	return p;
}

void kr_process_set_stdin(struct kr_process *p, int fd) { p->fds[0] = fd; }
void kr_process_set_stdout(struct kr_process *p, int fd) { p->fds[1] = fd; }
void kr_process_set_stderr(struct kr_process *p, int fd) { p->fds[2] = fd; }

void kr_process_set_cwd(struct kr_process *p, const char *dir)
{
	free(p->cwd);
	p->cwd = dir ? kr_strdup(dir) : NULL;
}

void kr_process_setenv(struct kr_process *p, const char *name, const char *value)
{
	if (!p->env)
		p->env = kr_strv_copy(environ);
	size_t n = strlen(name);
	for (size_t i = 0; p->env[i]; i++) {
		if (strncmp(p->env[i], name, n) == 0 && p->env[i][n] == '=') {
			free(p->env[i]);
			p->env[i] = kr_asprintf("%s=%s", name, value);
			return;
		}
	}
	kr_strv_pushf(&p->env, "%s=%s", name, value);
}

/* Between fork and exec: async-signal-safe calls only. Writes errno to
 * err_fd and exits on failure. */
static void child_exec(struct kr_process *p, int err_fd, pid_t parent, char **envp)
{
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Dispositions that kradar may have changed; handled ones are reset
	 * by exec anyway, ignored ones would be inherited. */
	static const int sigs[] = { SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGQUIT };
	for (size_t i = 0; i < KR_ARRAY_SIZE(sigs); i++)
		signal(sigs[i], SIG_DFL);

	if (setpgid(0, 0) < 0)
		goto fail;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		goto fail;
	if (getppid() != parent) /* kradar died before prctl */
		_exit(127);

	/* Move the sources out of 0..2 first, so that one dup2 cannot
	 * clobber another's source. */
	int src[3];
	for (int i = 0; i < 3; i++) {
		int fd = p->fds[i];
		if (fd < 0)
			fd = open("/dev/null", i == 0 ? O_RDONLY | O_CLOEXEC : O_WRONLY | O_CLOEXEC);
		else
			fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			goto fail;
		src[i] = fd;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(src[i], i) < 0) /* the copy at i is not close-on-exec */
			goto fail;
	/* fds that kradar inherited without O_CLOEXEC (a build system's
	 * jobserver, say) must not reach the child either. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	if (p->cwd && chdir(p->cwd) < 0)
		goto fail;
	execvpe(p->argv[0], p->argv, envp);
fail:;
	int e = errno;
	if (write(err_fd, &e, sizeof(e)) < 0) {
		/* nothing more to tell */
	}
	_exit(127);
}

int kr_process_start(struct kr_process *p)
{
	if (p->pid > 0 || !p->argv[0])
		return -EINVAL;
	int errpipe[2];
	if (pipe2(errpipe, O_CLOEXEC) < 0)
		return -errno;
	char **envp = p->env ? p->env : environ;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(errpipe[0]);
		close(errpipe[1]);
		return -e;
	}
	if (pid == 0) {
		close(errpipe[0]);
		child_exec(p, errpipe[1], parent, envp);
	}
	close(errpipe[1]);
	/* Also here: whichever of parent and child runs first, the group
	 * exists before anyone signals it. EACCES: the child already exec'd. */
	setpgid(pid, pid);
	p->pid = pid;
	p->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int pidfd_errno = p->pidfd < 0 ? errno : 0;

	int child_errno = 0;
	ssize_t n;
	do
		n = read(errpipe[0], &child_errno, sizeof(child_errno));
	while (n < 0 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(child_errno)) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		p->reaped = true;
		p->status = 127;
		return -(child_errno ? child_errno : EIO);
	}
	if (p->pidfd < 0) {
		/* Reaped here: without a pidfd a later wait would poll on -1,
		 * which never becomes ready. */
		kr_process_kill(p, SIGKILL);
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		p->reaped = true;
		p->status = 128 + SIGKILL;
		return -pidfd_errno;
	}
	return 0;
}

pid_t kr_process_pid(const struct kr_process *p) { return p->pid; }
int kr_process_pidfd(const struct kr_process *p) { return p->pidfd; }

static int decode_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 255;
}

/* Milliseconds left until deadline_ns (0: none): -1 for poll's forever. */
static int ms_left(uint64_t deadline_ns)
{
	if (!deadline_ns)
		return -1;
	uint64_t now = kr_now_ns();
	if (now >= deadline_ns)
		return 0;
	uint64_t ms = (deadline_ns - now + 999999) / 1000000;
	return ms > 1000000000 ? 1000000000 : (int)ms;
}

static uint64_t deadline_from(double timeout_s)
{
	if (timeout_s < 0)
		return 0;
	return kr_now_ns() + (uint64_t)(timeout_s * 1e9) + 1;
}

static int wait_until(struct kr_process *p, uint64_t deadline_ns, int *status)
{
	if (p->pid <= 0)
		return -ECHILD;
	if (!p->reaped) {
		struct pollfd pfd = { .fd = p->pidfd, .events = POLLIN };
		for (;;) {
			int r = poll(&pfd, 1, ms_left(deadline_ns));
			if (r > 0)
				break;
			if (r == 0)
				return -ETIMEDOUT;
			if (errno != EINTR)
				return -errno;
		}
		int st;
		while (waitpid(p->pid, &st, 0) < 0)
			if (errno != EINTR)
				return -errno;
		p->reaped = true;
		p->status = decode_status(st);
	}
	if (status)
		*status = p->status;
	return 0;
}

int kr_process_wait(struct kr_process *p, double timeout_s, int *status)
{
	return wait_until(p, deadline_from(timeout_s), status);
}

int kr_process_kill(struct kr_process *p, int sig)
{
	if (p->pid <= 0 || p->reaped)
		return -ESRCH;
	/* The unreaped leader keeps the group id from being reused. */
	if (kill(-p->pid, sig) < 0 && kill(p->pid, sig) < 0)
		return -errno;
	return 0;
}

void kr_process_stop(struct kr_process *p, double grace_s)
{
	if (p->pid <= 0 || p->reaped)
		return;
	kr_process_kill(p, SIGTERM);
	if (kr_process_wait(p, grace_s, NULL) < 0) {
		kr_process_kill(p, SIGKILL);
		wait_until(p, 0, NULL);
	}
}

void kr_process_free(struct kr_process *p)
{
	if (!p)
		return;
	if (p->pid > 0 && !p->reaped) {
		kr_process_kill(p, SIGKILL);
		wait_until(p, 0, NULL);
	}
	if (p->pidfd >= 0)
		close(p->pidfd);
	kr_strv_free(p->argv);
	kr_strv_free(p->env);
	free(p->cwd);
	free(p);
}

/* After a timeout or an error: the group goes, the leader is reaped. */
static int kill_and_reap(struct kr_process *p, int ret)
{
	kr_process_kill(p, SIGKILL);
	wait_until(p, 0, NULL);
	return ret;
}

static int start_with(char *const argv[], const char *cwd, int out_fd, int err_fd,
		      struct kr_process **out)
{
	struct kr_process *p = kr_process_new(argv);
	kr_process_set_cwd(p, cwd);
	kr_process_set_stdout(p, out_fd);
	kr_process_set_stderr(p, err_fd);
	int r = kr_process_start(p);
	*out = p;
	return r;
}

int kr_process_run_capture(char *const argv[], const char *cwd, int err_fd, size_t max,
			   double timeout_s, char **out, int *status)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	_cleanup_close_ int rd = fds[0];
	_cleanup_close_ int wr = fds[1];
	_cleanup_process_free_ struct kr_process *p = NULL;
	int r = start_with(argv, cwd, wr, err_fd, &p);
	if (r < 0)
		return r;
	close(KR_TAKE_FD(wr));

	uint64_t deadline = deadline_from(timeout_s);
	struct kr_buf buf = KR_BUF_INIT(max);
	for (;;) {
		struct pollfd pfd = { .fd = rd, .events = POLLIN };
		r = poll(&pfd, 1, ms_left(deadline));
		if (r == 0) {
			kr_buf_free(&buf);
			return kill_and_reap(p, -ETIMEDOUT);
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			kr_buf_free(&buf);
			return kill_and_reap(p, r);
		}
		char chunk[4096];
		ssize_t n = read(rd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		r = kr_buf_add(&buf, chunk, (size_t)n);
		if (r < 0) {
			kr_buf_free(&buf);
			return kill_and_reap(p, r);
		}
	}
	r = wait_until(p, deadline, status);
	if (r < 0) {
		kr_buf_free(&buf);
		return kill_and_reap(p, r);
	}
	*out = kr_buf_steal(&buf);
	return 0;
}

int kr_process_run(char *const argv[], const char *cwd, int out_fd, double timeout_s,
		   int *status)
{
	_cleanup_process_free_ struct kr_process *p = NULL;
	int r = start_with(argv, cwd, out_fd, out_fd, &p);
	if (r < 0)
		return r;
	r = kr_process_wait(p, timeout_s, status);
	if (r < 0)
		return kill_and_reap(p, r);
	return 0;
}
