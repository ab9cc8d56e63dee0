/* SPDX-License-Identifier: MIT */
#include "ssh.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>

#include "initramfs.h"
#include "process.h"

#define LINE_MAX_KEPT 4096  /* longer output lines are scanned on their start */
#define STOP_GRACE_S 1.0     /* SIGTERM to SIGKILL for ssh and scp */

char **kr_ssh_options(const struct kr_ssh_target *t)
{
	char **v = kr_calloc(1, sizeof(char *));
	static const char *const fixed[] = {
		/* No ~/.ssh/config nor /etc/ssh/ssh_config: the same options
		 * on every machine. */
		"-F", "/dev/null",
		/* Every guest is a fresh snapshot with host keys of its own
		 * (or shared by every copy of an image): nothing to check,
		 * nothing worth remembering. */
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "GlobalKnownHostsFile=/dev/null",
		/* Never prompt: a password prompt would wait forever. */
		"-o", "BatchMode=yes",
		/* Only the scenario's key (or none: the guest lets root in
		 * without a password), not the user's keys nor an agent's. */
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none",
		"-o", "ConnectionAttempts=1", "-o", "LogLevel=ERROR",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(fixed); i++)
		kr_strv_push(&v, kr_strdup(fixed[i]));
	kr_strv_push(&v, kr_strdup("-o"));
	kr_strv_pushf(&v, "ConnectTimeout=%d", (int)(t->connect_timeout + 0.5) > 0 ?
							(int)(t->connect_timeout + 0.5) :
							1);
	if (t->keepalive_s > 0) {
		kr_strv_push(&v, kr_strdup("-o"));
		kr_strv_pushf(&v, "ServerAliveInterval=%d", (int)(t->keepalive_s + 0.5));
		kr_strv_push(&v, kr_strdup("-o"));
		kr_strv_pushf(&v, "ServerAliveCountMax=%d", t->keepalive_max > 0 ? t->keepalive_max : 3);
	}
	if (t->key) {
		kr_strv_push(&v, kr_strdup("-i"));
		kr_strv_push(&v, kr_strdup(t->key));
	}
	return v;
}

static void push_all(char ***v, char **more)
{
	for (size_t i = 0; more[i]; i++)
		kr_strv_push(v, more[i]);
	free(more);
}

char **kr_ssh_argv(const struct kr_ssh_target *t, const char *command)
{
	char **v = kr_calloc(1, sizeof(char *));
	kr_strv_push(&v, kr_strdup("ssh"));
	push_all(&v, kr_ssh_options(t));
	kr_strv_push(&v, kr_strdup("-T")); /* no terminal: the output is a plain stream */
	kr_strv_push(&v, kr_strdup("-p"));
	kr_strv_pushf(&v, "%d", t->port);
	kr_strv_pushf(&v, "%s@127.0.0.1", t->user);
	kr_strv_push(&v, kr_strdup("--"));
	kr_strv_push(&v, kr_strdup(command));
	return v;
}

char **kr_scp_argv(const struct kr_ssh_target *t, char *const *sources, const char *dest,
		   bool recursive)
{
	char **v = kr_calloc(1, sizeof(char *));
	kr_strv_push(&v, kr_strdup("scp"));
	kr_strv_push(&v, kr_strdup("-O"));
	kr_strv_push(&v, kr_strdup("-q"));
	if (recursive)
		kr_strv_push(&v, kr_strdup("-r"));
	push_all(&v, kr_ssh_options(t));
	kr_strv_push(&v, kr_strdup("-P"));
	kr_strv_pushf(&v, "%d", t->port);
	kr_strv_push(&v, kr_strdup("--"));
	for (size_t i = 0; sources[i]; i++)
		kr_strv_push(&v, kr_strdup(sources[i]));
	kr_strv_pushf(&v, "%s@127.0.0.1:%s", t->user, dest);
	return v;
}

int kr_ssh_free_port(int *port)
{
	_cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0)
		return -errno;
	*port = ntohs(a.sin_port);
	return 0;
}

long kr_ssh_execprog_progress(const char *line, size_t len)
{
	static const char key[] = "executed programs: ";
	const char *p = memmem(line, len, key, sizeof(key) - 1);
	if (!p)
		return -1;
	p += sizeof(key) - 1;
	const char *end = line + len;
	long n = 0;
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (n > (0x7fffffffL - 9) / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

/* ----- the session ----- */

enum phase {
	PHASE_IDLE,    /* QEMU not started yet */
	PHASE_CONNECT, /* an attempt runs, or the next one waits for the alarm */
	PHASE_COPY,    /* copy step `step` runs */
	PHASE_RUN,     /* the command runs */
	PHASE_FAILING, /* something broke; reported at the alarm unless the run
			* ends first (a crash on the console) */
	PHASE_DONE,
};

struct kr_ssh_session {
	struct kr_ssh_session_config c; /* a deep copy: the session owns it */
	struct kr_guest_session hooks;
	struct kr_guest_ctl *ctl;
	enum phase phase;
	size_t step;              /* PHASE_COPY: index into c.copies */
	struct kr_process *child; /* the ssh or scp that runs */
	int child_pidfd;          /* watched; -1: none */
	int out_fd;               /* PHASE_RUN: read end of ssh's stdout, -1: none */
	int output_fd;            /* the output file */
	int log_fd;               /* the log file */
	char *failure;            /* PHASE_FAILING: what to report */
	bool failure_is_lost;     /* report it as a lost connection */
	bool started, ended;
	struct kr_buf line;
	char *start_marker, *end_marker;
	struct kr_ssh_stats stats;
};

static void say(struct kr_ssh_session *s, const char *fmt, ...) KR_PRINTF(2, 3);
static void say(struct kr_ssh_session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	double t = s->ctl ? kr_guest_ctl_elapsed(s->ctl) : 0;
	_cleanup_free_ char *line = kr_asprintf("kradar: [%8.3f s] %s\n", t, msg);
	if (write(s->log_fd, line, strlen(line)) < 0) {
		/* the log is a help, not a result */
	}
}

/* The last non-empty line of the log (ssh's own words), for messages. */
static char *last_log_line(const struct kr_ssh_session *s, bool skip_ours)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (kr_read_file(s->c.log_path, 16 << 20, &text, &len) < 0 || !len)
		return NULL;
	char *end = text + len;
	while (end > text) {
		while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
			end--;
		char *bol = end;
		while (bol > text && bol[-1] != '\n')
			bol--;
		if (end > bol && !(skip_ours && kr_str_startswith(bol, "kradar: ")))
			return kr_strndup(bol, (size_t)(end - bol));
		end = bol;
	}
	return NULL;
}

static void stop_child(struct kr_ssh_session *s)
{
	if (s->child_pidfd >= 0 && s->ctl)
		kr_guest_ctl_unwatch(s->ctl, s->child_pidfd);
	s->child_pidfd = -1;
	if (s->out_fd >= 0) {
		if (s->ctl)
			kr_guest_ctl_unwatch(s->ctl, s->out_fd);
		close(s->out_fd);
		s->out_fd = -1;
	}
	if (s->child) {
		kr_process_stop(s->child, STOP_GRACE_S);
		kr_process_free(s->child);
		s->child = NULL;
	}
}

/* Something broke: tell the loop after lost_wait, unless a crash on the
 * console (or QEMU's exit) ends the run first. */
static void failing(struct kr_ssh_session *s, bool lost, char *message)
{
	say(s, "%s", message);
	stop_child(s);
	free(s->failure);
	s->failure = message;
	s->failure_is_lost = lost;
	s->phase = PHASE_FAILING;
	kr_guest_ctl_alarm(s->ctl, s->c.lost_wait);
}

static int spawn(struct kr_ssh_session *s, char **argv, bool stream)
{
	int pipefd[2] = { -1, -1 };
	/* Only kradar's end is non-blocking: the flag belongs to the open
	 * file, and ssh's stdout should block as any program's does. */
	if (stream && (pipe2(pipefd, O_CLOEXEC) < 0 || fcntl(pipefd[0], F_SETFL, O_NONBLOCK) < 0)) {
		int r = -errno;
		if (pipefd[0] >= 0) {
			close(pipefd[0]);
			close(pipefd[1]);
		}
		return r;
	}
	s->child = kr_process_new(argv);
	kr_process_set_stderr(s->child, s->log_fd);
	kr_process_set_stdout(s->child, stream ? pipefd[1] : s->log_fd);
	int r = kr_process_start(s->child);
	if (stream)
		close(pipefd[1]);
	if (r < 0) {
		if (stream)
			close(pipefd[0]);
		kr_process_free(s->child);
		s->child = NULL;
		return r;
	}
	s->child_pidfd = kr_process_pidfd(s->child);
	kr_guest_ctl_watch(s->ctl, s->child_pidfd);
	if (stream) {
		s->out_fd = pipefd[0];
		kr_guest_ctl_watch(s->ctl, s->out_fd);
	}
	return 0;
}

static void start_attempt(struct kr_ssh_session *s)
{
	struct kr_buf cmd = KR_BUF_INIT(1 << 20);
	if (s->c.dirs && s->c.dirs[0]) {
		kr_buf_adds(&cmd, "mkdir -p");
		for (size_t i = 0; s->c.dirs[i]; i++) {
			_cleanup_free_ char *q = kr_shell_quote(s->c.dirs[i]);
			kr_buf_printf(&cmd, " %s", q);
		}
	} else {
		kr_buf_adds(&cmd, "true");
	}
	_cleanup_free_ char *command = kr_buf_steal(&cmd);
	_cleanup_strv_free_ char **argv = kr_ssh_argv(&s->c.target, command);
	s->stats.attempts++;
	s->phase = PHASE_CONNECT;
	int r = spawn(s, argv, false);
	if (r < 0) {
		kr_guest_ctl_fail(s->ctl, kr_asprintf("cannot run ssh: %s", strerror(-r)));
		s->phase = PHASE_DONE;
		return;
	}
	kr_guest_ctl_alarm(s->ctl, s->c.step_timeout);
}

static void start_run(struct kr_ssh_session *s)
{
	s->stats.copied_s = kr_guest_ctl_elapsed(s->ctl);
	_cleanup_strv_free_ char **argv = kr_ssh_argv(&s->c.target, s->c.command);
	say(s, "running the reproducer: %s", s->c.command);
	s->phase = PHASE_RUN;
	kr_guest_ctl_alarm(s->ctl, -1);
	int r = spawn(s, argv, true);
	if (r < 0) {
		kr_guest_ctl_fail(s->ctl, kr_asprintf("cannot run ssh: %s", strerror(-r)));
		s->phase = PHASE_DONE;
	}
}

static void start_copy(struct kr_ssh_session *s)
{
	if (s->step >= s->c.n_copies) {
		start_run(s);
		return;
	}
	const struct kr_ssh_copy *cp = &s->c.copies[s->step];
	_cleanup_strv_free_ char **argv = kr_scp_argv(&s->c.target, cp->sources, cp->dest,
						      cp->recursive);
	say(s, "copying %zu file%s to %s", kr_strv_len(cp->sources),
	    kr_strv_len(cp->sources) == 1 ? "" : "s", cp->dest);
	s->phase = PHASE_COPY;
	int r = spawn(s, argv, false);
	if (r < 0) {
		kr_guest_ctl_fail(s->ctl, kr_asprintf("cannot run scp: %s", strerror(-r)));
		s->phase = PHASE_DONE;
		return;
	}
	kr_guest_ctl_alarm(s->ctl, s->c.step_timeout);
}

static void on_line(struct kr_ssh_session *s, const char *line, size_t len)
{
	if (!s->started && memmem(line, len, s->start_marker, strlen(s->start_marker))) {
		s->started = true;
		say(s, "the reproducer started");
		kr_guest_ctl_started(s->ctl);
		return;
	}
	const char *e;
	if (s->started && !s->ended &&
	    (e = memmem(line, len, s->end_marker, strlen(s->end_marker)))) {
		s->ended = true;
		_cleanup_free_ char *rest = kr_strndup(e, len - (size_t)(e - line));
		const char *rc = strstr(rest, " rc=");
		int status = rc ? atoi(rc + 4) : -1;
		say(s, "the reproducer ended with status %d", status);
		kr_guest_ctl_ended(s->ctl, status);
		return;
	}
	if (s->c.execprog) {
		long n = kr_ssh_execprog_progress(line, len);
		if (n > s->stats.programs) {
			s->stats.programs = n;
			s->stats.progress_s = kr_guest_ctl_elapsed(s->ctl);
			kr_guest_ctl_progress(s->ctl);
		} else if (n >= 0 && s->stats.programs < 0) {
			s->stats.programs = n;
		}
	}
}

static void on_output(struct kr_ssh_session *s, const char *data, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t w = write(s->output_fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* a full disk shows in the run's other files too */
		done += (size_t)w;
	}
	if (!s->c.execprog && s->started) {
		s->stats.progress_s = kr_guest_ctl_elapsed(s->ctl);
		kr_guest_ctl_progress(s->ctl);
	}
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\n') {
			on_line(s, s->line.data ? s->line.data : "", s->line.len);
			kr_buf_reset(&s->line);
		} else if (data[i] != '\r' && s->line.len < LINE_MAX_KEPT) {
			kr_buf_addc(&s->line, data[i] ? data[i] : ' ');
		}
	}
}

/* Reads what the pipe holds; true at EOF. */
static bool read_output(struct kr_ssh_session *s)
{
	char buf[16384];
	for (;;) {
		ssize_t n = read(s->out_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno != EAGAIN;
		if (n == 0)
			return true;
		on_output(s, buf, (size_t)n);
	}
}

static void child_exited(struct kr_ssh_session *s, int status)
{
	switch (s->phase) {
	case PHASE_CONNECT:
		say(s, "connection attempt %u: ssh exited with status %d", s->stats.attempts, status);
		stop_child(s);
		if (status == 0) {
			s->stats.ready_s = kr_guest_ctl_elapsed(s->ctl);
			say(s, "SSH works after %u attempt%s", s->stats.attempts,
			    s->stats.attempts == 1 ? "" : "s");
			s->step = 0;
			start_copy(s);
		} else if (status == 255) {
			/* Not up yet (or not reachable): try again. */
			kr_guest_ctl_alarm(s->ctl, s->c.retry_s);
		} else {
			_cleanup_free_ char *why = last_log_line(s, true);
			failing(s, false,
				kr_asprintf("cannot create the guest's directories over SSH (status "
					    "%d)%s%s",
					    status, why ? ": " : "", why ? why : ""));
		}
		break;
	case PHASE_COPY: {
		const struct kr_ssh_copy *cp = &s->c.copies[s->step];
		stop_child(s);
		if (status == 0) {
			s->step++;
			start_copy(s);
			break;
		}
		_cleanup_free_ char *why = last_log_line(s, true);
		failing(s, false,
			kr_asprintf("copying %s to the guest's %s failed (scp status %d)%s%s",
				    cp->sources[0], cp->dest, status, why ? ": " : "",
				    why ? why : ""));
		break;
	}
	case PHASE_RUN: {
		s->stats.status = status;
		if (s->out_fd >= 0)
			read_output(s);
		if (s->line.len) { /* an unterminated last line */
			on_line(s, s->line.data, s->line.len);
			kr_buf_reset(&s->line);
		}
		say(s, "ssh exited with status %d", status);
		stop_child(s);
		if (s->ended) {
			s->phase = PHASE_DONE;
			break;
		}
		/* 255: ssh's own failure (the connection); else the guest's
		 * shell ended without the end marker (killed, say). */
		failing(s, s->started,
			kr_asprintf("%s (ssh status %d) %s",
				    status == 255 ? "the SSH connection to the guest was lost" :
						    "the SSH session ended",
				    status,
				    s->started ? "before the reproducer finished" :
						 "before the reproducer started"));
		break;
	}
	default:
		stop_child(s);
		break;
	}
}

static void hook_begin(void *ud, struct kr_guest_ctl *ctl)
{
	struct kr_ssh_session *s = ud;
	s->ctl = ctl;
	say(s, "waiting for SSH on 127.0.0.1:%d", s->c.target.port);
	start_attempt(s);
}

static void hook_ready(void *ud, struct kr_guest_ctl *ctl, int fd)
{
	struct kr_ssh_session *s = ud;
	if (fd < 0)
		return;
	if (fd == s->out_fd) {
		if (read_output(s) && s->out_fd >= 0) {
			kr_guest_ctl_unwatch(ctl, s->out_fd);
			close(s->out_fd);
			s->out_fd = -1;
		}
		return;
	}
	if (fd != s->child_pidfd || !s->child)
		return; /* stale: that child is gone */
	int status;
	if (kr_process_wait(s->child, 0, &status) < 0)
		return; /* still running */
	child_exited(s, status);
}

static void hook_alarm(void *ud, struct kr_guest_ctl *ctl)
{
	struct kr_ssh_session *s = ud;
	switch (s->phase) {
	case PHASE_CONNECT:
		if (s->child) { /* an attempt hangs */
			say(s, "connection attempt %u took more than %.0f s", s->stats.attempts,
			    s->c.step_timeout);
			stop_child(s);
		}
		start_attempt(s);
		break;
	case PHASE_COPY:
		failing(s, false,
			kr_asprintf("copying %s to the guest took more than %.0f s",
				    s->c.copies[s->step].sources[0], s->c.step_timeout));
		break;
	case PHASE_FAILING:
		s->phase = PHASE_DONE;
		if (s->failure_is_lost)
			kr_guest_ctl_lost(ctl, KR_TAKE_PTR(s->failure));
		else
			kr_guest_ctl_fail(ctl, KR_TAKE_PTR(s->failure));
		break;
	default:
		break;
	}
}

static void hook_end(void *ud)
{
	struct kr_ssh_session *s = ud;
	if (s->child)
		say(s, "stopping ssh (the run is over)");
	if (s->out_fd >= 0 && s->phase == PHASE_RUN)
		read_output(s);
	stop_child(s);
	s->phase = PHASE_DONE;
	s->ctl = NULL;
}

static char *hook_describe(void *ud)
{
	struct kr_ssh_session *s = ud;
	if (!s->started) {
		_cleanup_free_ char *why = last_log_line(s, true);
		if (s->stats.ready_s < 0)
			return kr_asprintf("SSH to 127.0.0.1:%d: %u attempt%s, none worked%s%s",
					   s->c.target.port, s->stats.attempts,
					   s->stats.attempts == 1 ? "" : "s", why ? "; the last: " : "",
					   why ? why : "");
		return kr_asprintf("SSH worked after %.1f s, but the reproducer did not start%s%s",
				   s->stats.ready_s, why ? "; the last message: " : "", why ? why : "");
	}
	if (s->c.execprog) {
		if (s->stats.programs < 0)
			return kr_strdup("syz-execprog printed no progress line");
		if (s->stats.progress_s < 0)
			return kr_asprintf("syz-execprog: executed programs: %ld, no progress since",
					   s->stats.programs);
		return kr_asprintf("syz-execprog: executed programs: %ld, the last progress %.1f s "
				   "after QEMU started",
				   s->stats.programs, s->stats.progress_s);
	}
	if (s->stats.progress_s < 0)
		return kr_strdup("the reproducer printed nothing");
	return kr_asprintf("the reproducer's last output %.1f s after QEMU started",
			   s->stats.progress_s);
}

static int open_log(const char *path, bool append)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | (append ? O_APPEND : 0), 0644);
}

static void config_copy(struct kr_ssh_session_config *to, const struct kr_ssh_session_config *c)
{
	*to = *c;
	to->target.user = kr_strdup(c->target.user);
	to->target.key = c->target.key ? kr_strdup(c->target.key) : NULL;
	to->dirs = kr_strv_copy(c->dirs ? c->dirs : (char *const[]){ NULL });
	struct kr_ssh_copy *copies = kr_calloc(c->n_copies + 1, sizeof(*copies));
	for (size_t i = 0; i < c->n_copies; i++)
		copies[i] = (struct kr_ssh_copy){ .sources = kr_strv_copy(c->copies[i].sources),
						  .dest = kr_strdup(c->copies[i].dest),
						  .recursive = c->copies[i].recursive };
	to->copies = copies;
	to->command = kr_strdup(c->command);
	to->token = kr_strdup(c->token);
	to->output_path = kr_strdup(c->output_path);
	to->log_path = kr_strdup(c->log_path);
}

static void config_free(struct kr_ssh_session_config *c)
{
	free((char *)c->target.user);
	free((char *)c->target.key);
	kr_strv_free((char **)c->dirs);
	for (size_t i = 0; c->copies && i < c->n_copies; i++) {
		kr_strv_free((char **)c->copies[i].sources);
		free((char *)c->copies[i].dest);
	}
	free((struct kr_ssh_copy *)c->copies);
	free((char *)c->command);
	free((char *)c->token);
	free((char *)c->output_path);
	free((char *)c->log_path);
}

int kr_ssh_session_new(const struct kr_ssh_session_config *c, struct kr_ssh_session **out,
		       char **err)
{
	struct kr_ssh_session *s = kr_calloc(1, sizeof(*s));
	config_copy(&s->c, c);
	s->child_pidfd = -1;
	s->out_fd = -1;
	s->line = KR_BUF_INIT(LINE_MAX_KEPT + 1);
	s->stats = (struct kr_ssh_stats){ .ready_s = -1, .copied_s = -1, .programs = -1,
					  .progress_s = -1, .status = -1 };
	s->start_marker = kr_asprintf("%s %s", KR_MARKER_START, c->token);
	s->end_marker = kr_asprintf("%s %s", KR_MARKER_END, c->token);
	s->hooks = (struct kr_guest_session){
		.begin = hook_begin, .ready = hook_ready, .alarm = hook_alarm, .end = hook_end,
		.describe = hook_describe, .userdata = s,
	};
	/* The log is appended to by several children at once. */
	s->log_fd = open_log(c->log_path, true);
	s->output_fd = s->log_fd >= 0 ? open_log(c->output_path, false) : -1;
	if (s->log_fd < 0 || s->output_fd < 0) {
		int r = -errno;
		*err = kr_asprintf("cannot write %s: %s", s->log_fd < 0 ? c->log_path : c->output_path,
				   strerror(errno));
		kr_ssh_session_free(s);
		return r;
	}
	*out = s;
	return 0;
}

const struct kr_guest_session *kr_ssh_session_hooks(struct kr_ssh_session *s)
{
	return &s->hooks;
}

void kr_ssh_session_stats(const struct kr_ssh_session *s, struct kr_ssh_stats *st)
{
	*st = s->stats;
}

void kr_ssh_session_free(struct kr_ssh_session *s)
{
	if (!s)
		return;
	s->ctl = NULL;
	stop_child(s);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->output_fd >= 0)
		close(s->output_fd);
	kr_buf_free(&s->line);
	free(s->failure);
	free(s->start_marker);
	free(s->end_marker);
	config_free(&s->c);
	free(s);
}
