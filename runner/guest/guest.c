/* SPDX-License-Identifier: MIT */
#include "guest.h"

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "initramfs.h"
#include "process.h"
#include "regex.h"

#define LINE_MAX_KEPT (64u << 10) /* longer lines are matched on their start */
#define LINES_MAX (1u << 20)      /* line timings kept in memory */
#define STOP_GRACE_S 2.0          /* SIGTERM to SIGKILL */

enum { EV_CONSOLE = 1, EV_PIDFD, EV_TIMER, EV_INTERRUPT, EV_SESSION_FD /* + fd */ };

struct loop {
	const struct kr_guest_config *c;
	struct kr_guest_result *res;
	struct kr_process *qemu;
	int console_fd; /* read end of QEMU's stdout */
	int log_fd;     /* console.log */
	FILE *times;
	int epfd;
	int timerfd;
	uint64_t t0;
	struct kr_regex **watch;
	size_t n_watch;

	struct kr_buf line;   /* the line being received */
	bool in_line;         /* line has begun */
	size_t line_start;    /* its offset */
	double line_host;     /* arrival of its first byte */
	size_t offset;        /* console bytes so far */
	char *start_marker;
	char *end_marker;

	bool end_seen;
	bool console_eof;
	bool exited;
	bool done;
	uint64_t grace_deadline;    /* 0: none */
	uint64_t boot_deadline;
	uint64_t run_deadline;
	uint64_t silence_deadline;
	uint64_t session_deadline; /* the session's alarm; 0: none */
	/* Settling: the reproducer ended (or ran out of time) and the run goes
	 * on until settle_deadline, to end as settle_end. */
	uint64_t settle_from;      /* 0: not settling */
	uint64_t settle_deadline;
	enum kr_guest_end settle_end;
	char *settle_message;
};

/* What a session holds of the loop. */
struct kr_guest_ctl {
	struct loop *l;
};

static double since_start(const struct loop *l, uint64_t ns)
{
	return (double)(ns - l->t0) / 1e9;
}

static uint64_t after(double seconds)
{
	return kr_now_ns() + (uint64_t)(seconds * 1e9);
}

double kr_guest_printk_time(const char *line, size_t len)
{
	size_t i = 0;
	if (i >= len || line[i] != '[')
		return NAN;
	i++;
	while (i < len && line[i] == ' ')
		i++;
	size_t digits = i;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == digits || i >= len || line[i] != '.')
		return NAN;
	i++;
	size_t frac = i;
	while (i < len && line[i] >= '0' && line[i] <= '9')
		i++;
	if (i == frac || i >= len || line[i] != ']')
		return NAN;
	return strtod(line + digits, NULL);
}

size_t kr_guest_printk_prefix(const char *line, size_t len)
{
	if (isnan(kr_guest_printk_time(line, len)))
		return 0;
	size_t i = (size_t)((const char *)memchr(line, ']', len) - line) + 1;
	while (i < len && line[i] == ' ')
		i++;
	return i;
}

static void finish(struct loop *l, enum kr_guest_end end, char *message)
{
	if (l->done) {
		free(message);
		return;
	}
	l->done = true;
	l->res->end = end;
	l->res->message = message;
	if (l->settle_from && l->res->settle_s < 0)
		l->res->settle_s = since_start(l, kr_now_ns()) - since_start(l, l->settle_from);
}

/* The first failed write of the console log or its times ends the run
 * (even one that has already ended, whose message it replaces). */
static void write_failed(struct loop *l, const char *path, int e)
{
	if (l->res->write_error)
		return;
	l->res->write_error = kr_asprintf("cannot write %s: %s", path, strerror(e));
	if (l->done) {
		free(l->res->message);
		l->res->end = KR_GUEST_END_ERROR;
		l->res->message = kr_strdup(l->res->write_error);
	} else {
		finish(l, KR_GUEST_END_ERROR, kr_strdup(l->res->write_error));
	}
}

static void enter_phase(struct loop *l, enum kr_guest_phase phase)
{
	if (l->c->phase)
		l->c->phase(l->c->phase_userdata, phase);
}

static void set_hit(struct loop *l)
{
	struct kr_guest_result *r = l->res;
	if (r->hit)
		return;
	r->hit = true;
	r->hit_s = since_start(l, kr_now_ns());
	if (l->settle_from) /* settling ends with the hit */
		r->settle_s = r->hit_s - since_start(l, l->settle_from);
	r->hit_offset = l->in_line ? l->line_start : l->offset;
	l->grace_deadline = after(l->c->grace);
	enter_phase(l, KR_GUEST_PHASE_GRACE);
}

/* The reproducer ended (or ran out of time): the run ends as `end`, after
 * the settle period when there is one. Only a hit, QEMU's exit or an
 * interrupt end it sooner; silence is expected now. */
static void settle_or_finish(struct loop *l, enum kr_guest_end end, char *message)
{
	if (l->c->settle <= 0) {
		finish(l, end, message);
		return;
	}
	l->settle_from = kr_now_ns();
	l->settle_deadline = after(l->c->settle);
	l->settle_end = end;
	l->settle_message = message;
	l->run_deadline = 0;
	l->silence_deadline = 0;
	enter_phase(l, KR_GUEST_PHASE_SETTLE);
}

/* The reproducer starts: the boot phase is over. */
static void mark_started(struct loop *l, double host_s)
{
	struct kr_guest_result *r = l->res;
	r->started = true;
	r->boot_s = host_s;
	r->start_offset = l->offset;
	l->boot_deadline = 0;
	l->run_deadline = after(l->c->run_timeout);
	l->silence_deadline = after(l->c->no_output_timeout);
	enter_phase(l, KR_GUEST_PHASE_RUN);
}

static unsigned line_flags(const char *body, size_t len)
{
	static const struct {
		const char *prefix;
		unsigned flag;
	} kinds[] = {
		{ "Sending NMI from CPU ", KR_LINE_NMI_REQUEST },
		{ "NMI backtrace for cpu ", KR_LINE_NMI_BACKTRACE },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i].prefix);
		if (len >= n && !memcmp(body, kinds[i].prefix, n))
			return kinds[i].flag;
	}
	return 0;
}

struct kr_line_time kr_guest_line_time(const char *line, size_t len, size_t offset, double host_s)
{
	size_t skip = kr_guest_printk_prefix(line, len);
	struct kr_line_time t = {
		.offset = offset,
		.host_s = host_s,
		.guest_s = kr_guest_printk_time(line, len),
		.flags = line_flags(line + skip, len - skip),
		.cpu = -1,
	};
	if (t.flags & KR_LINE_NMI_BACKTRACE) {
		size_t i = skip + strlen("NMI backtrace for cpu ");
		if (i < len && line[i] >= '0' && line[i] <= '9')
			t.cpu = atoi(line + i);
	}
	return t;
}

static void record_line(struct loop *l)
{
	struct kr_guest_result *r = l->res;
	const char *text = l->line.data ? l->line.data : "";
	size_t len = l->line.len;
	if (l->times)
		fprintf(l->times, "%zu %.6f\n", l->line_start, l->line_host);
	if (r->n_lines < LINES_MAX) {
		if ((r->n_lines & (r->n_lines - 1)) == 0) /* grow at powers of two */
			r->lines = kr_realloc(r->lines, (r->n_lines ? 2 * r->n_lines : 64) *
								 sizeof(*r->lines));
		r->lines[r->n_lines++] = kr_guest_line_time(text, len, l->line_start, l->line_host);
	}
	if (l->start_marker && !r->started && memmem(text, len, l->start_marker,
						     strlen(l->start_marker)))
		mark_started(l, l->line_host);
	const char *e;
	if (l->end_marker && r->started && !l->end_seen &&
	    (e = memmem(text, len, l->end_marker, strlen(l->end_marker)))) {
		l->end_seen = true;
		const char *rc = strstr(e, " rc=");
		r->repro_status = rc ? atoi(rc + 4) : -1;
	}
	/* Watch patterns see the line without its printk timestamp, so that
	 * "^refcount_t:" means what it says, and only once the reproducer
	 * runs: a boot line that matches is not its doing, and as a hit it
	 * would end every run before the reproducer started. */
	const char *body = text + kr_guest_printk_prefix(text, len);
	for (size_t i = 0; r->started && i < l->n_watch && !r->hit; i++) {
		if (kr_regex_matches(l->watch[i], body, len - (size_t)(body - text))) {
			r->watch_line = kr_strndup(text, len);
			set_hit(l);
		}
	}
	kr_buf_reset(&l->line);
	l->in_line = false;
}

static void console_bytes(struct loop *l, const char *data, size_t n)
{
	uint64_t now = kr_now_ns();
	l->res->any_output = true;
	if (l->res->started && !l->settle_from)
		l->silence_deadline = after(l->c->no_output_timeout);
	for (size_t done = 0; done < n && !l->res->write_error;) {
		ssize_t w = write(l->log_fd, data + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			write_failed(l, l->c->console_path, w < 0 ? errno : EIO);
			break;
		}
		done += (size_t)w;
	}
	if (l->c->feed)
		l->c->feed(l->c->userdata, data, n);
	size_t base = l->offset;
	for (size_t i = 0; i < n; i++) {
		if (!l->in_line) {
			l->in_line = true;
			l->line_start = base + i;
			l->line_host = since_start(l, now);
		}
		char ch = data[i];
		if (ch == '\n') {
			l->offset = base + i + 1; /* record_line() sees the end of the line */
			record_line(l);
		} else if (ch != '\r' && l->line.len < LINE_MAX_KEPT) {
			kr_buf_addc(&l->line, ch ? ch : ' ');
		}
	}
	l->offset = base + n;
	if (l->c->hit && !l->res->hit && l->c->hit(l->c->userdata))
		set_hit(l);
}

/* Reads what the pipe holds now; marks EOF. */
static void read_console(struct loop *l)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(l->console_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN */
		if (n == 0) {
			if (!l->console_eof) {
				l->console_eof = true;
				epoll_ctl(l->epfd, EPOLL_CTL_DEL, l->console_fd, NULL);
			}
			return;
		}
		console_bytes(l, buf, (size_t)n);
	}
}

static void arm_timer(struct loop *l)
{
	uint64_t next = 0;
	const uint64_t all[] = { l->grace_deadline, l->boot_deadline, l->run_deadline,
				 l->silence_deadline, l->session_deadline, l->settle_deadline };
	for (size_t i = 0; i < KR_ARRAY_SIZE(all); i++)
		if (all[i] && (!next || all[i] < next))
			next = all[i];
	struct itimerspec its = { 0 };
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000000u);
		its.it_value.tv_nsec = (long)(next % 1000000000u);
	}
	timerfd_settime(l->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Decides whether the run is over, after each batch of events. */
static void check_state(struct loop *l)
{
	struct kr_guest_result *r = l->res;
	uint64_t now = kr_now_ns();
	if (l->done)
		return;
	if (l->exited) {
		if (l->end_seen && !l->settle_from && l->c->settle > 0) {
			l->settle_from = now; /* it would have settled: 0 s of it */
			l->settle_end = KR_GUEST_END_MARKER;
		}
		if (r->hit)
			finish(l, KR_GUEST_END_HIT, NULL);
		else if (l->settle_from)
			finish(l, l->settle_end, KR_TAKE_PTR(l->settle_message));
		else if (l->end_seen)
			finish(l, KR_GUEST_END_MARKER, NULL);
		else
			finish(l, KR_GUEST_END_EXITED, NULL);
		return;
	}
	if (r->hit) {
		if (now >= l->grace_deadline)
			finish(l, KR_GUEST_END_HIT, NULL);
		return; /* during the grace period nothing else ends the run */
	}
	if (l->settle_from) {
		if (now >= l->settle_deadline)
			finish(l, l->settle_end, KR_TAKE_PTR(l->settle_message));
		return; /* while settling only a hit, an exit or an interrupt end it */
	}
	if (l->end_seen) {
		settle_or_finish(l, KR_GUEST_END_MARKER, NULL);
	} else if (l->boot_deadline && now >= l->boot_deadline) {
		const struct kr_guest_session *s = l->c->session;
		_cleanup_free_ char *seen = s && s->describe && r->any_output ?
						    s->describe(s->userdata) :
						    NULL;
		finish(l, KR_GUEST_END_BOOT_TIMEOUT,
		       r->any_output ?
			       kr_asprintf("the guest did not start the reproducer within %.0f s%s%s",
					   l->c->boot_timeout, seen ? ": " : "", seen ? seen : "") :
			       kr_asprintf("no output from the kernel within %.0f s",
					   l->c->boot_timeout));
	} else if (l->run_deadline && now >= l->run_deadline) {
		settle_or_finish(l, KR_GUEST_END_RUN_TIMEOUT,
				 kr_asprintf("the reproducer ran for the run timeout (%.0f s)",
					     l->c->run_timeout));
	} else if (l->silence_deadline && now >= l->silence_deadline) {
		const struct kr_guest_session *s = l->c->session;
		_cleanup_free_ char *seen = s && s->describe ? s->describe(s->userdata) : NULL;
		finish(l, KR_GUEST_END_NO_OUTPUT,
		       s ? kr_asprintf("no console output and no progress of the reproducer for "
				       "%.0f s%s%s%s",
				       l->c->no_output_timeout, seen ? " (" : "", seen ? seen : "",
				       seen ? ")" : "") :
			   kr_asprintf("no console output for %.0f s", l->c->no_output_timeout));
	}
}

static void on_interrupt(struct loop *l)
{
	/* A signalfd gives a siginfo; tests may hand in a pipe. */
	struct signalfd_siginfo si = { 0 };
	ssize_t n = read(l->c->interrupt_fd, &si, sizeof(si));
	l->res->signal = n == (ssize_t)sizeof(si) ? (int)si.ssi_signo : SIGINT;
	const char *name = sigabbrev_np(l->res->signal);
	finish(l, KR_GUEST_END_INTERRUPTED,
	       kr_asprintf("interrupted by SIG%s", name ? name : "?"));
}

static int epoll_add(int epfd, int fd, int tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)tag };
	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int kr_guest_ctl_watch(struct kr_guest_ctl *ctl, int fd)
{
	return epoll_add(ctl->l->epfd, fd, EV_SESSION_FD + fd);
}

void kr_guest_ctl_unwatch(struct kr_guest_ctl *ctl, int fd)
{
	epoll_ctl(ctl->l->epfd, EPOLL_CTL_DEL, fd, NULL);
}

void kr_guest_ctl_alarm(struct kr_guest_ctl *ctl, double seconds)
{
	ctl->l->session_deadline = seconds < 0 ? 0 : after(seconds);
}

double kr_guest_ctl_elapsed(const struct kr_guest_ctl *ctl)
{
	return since_start(ctl->l, kr_now_ns());
}

void kr_guest_ctl_started(struct kr_guest_ctl *ctl)
{
	struct loop *l = ctl->l;
	if (!l->res->started)
		mark_started(l, since_start(l, kr_now_ns()));
}

void kr_guest_ctl_progress(struct kr_guest_ctl *ctl)
{
	struct loop *l = ctl->l;
	if (l->res->started && !l->settle_from)
		l->silence_deadline = after(l->c->no_output_timeout);
}

void kr_guest_ctl_ended(struct kr_guest_ctl *ctl, int status)
{
	struct loop *l = ctl->l;
	if (!l->res->started || l->end_seen)
		return;
	l->end_seen = true;
	l->res->repro_status = status;
}

void kr_guest_ctl_lost(struct kr_guest_ctl *ctl, char *message)
{
	struct loop *l = ctl->l;
	if (l->res->hit || l->exited)
		free(message); /* the crash (or QEMU's exit) explains it */
	else
		finish(l, KR_GUEST_END_LOST, message);
}

void kr_guest_ctl_fail(struct kr_guest_ctl *ctl, char *message)
{
	struct loop *l = ctl->l;
	if (l->res->hit)
		free(message);
	else
		finish(l, KR_GUEST_END_ERROR, message);
}

static int open_out(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

static void loop_free(struct loop *l)
{
	for (size_t i = 0; i < l->n_watch; i++)
		kr_regex_free(l->watch[i]);
	free(l->watch);
	kr_buf_free(&l->line);
	free(l->start_marker);
	free(l->end_marker);
	free(l->settle_message);
	if (l->times)
		fclose(l->times);
	const int fds[] = { l->console_fd, l->log_fd, l->epfd, l->timerfd };
	for (size_t i = 0; i < KR_ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	kr_process_free(l->qemu);
}

static int setup(struct loop *l, int *qemu_out)
{
	const struct kr_guest_config *c = l->c;
	if ((l->log_fd = open_out(c->console_path)) < 0)
		return -errno;
	int tfd = c->times_path ? open_out(c->times_path) : -1;
	if (c->times_path && tfd < 0)
		return -errno;
	if (tfd >= 0 && !(l->times = fdopen(tfd, "w"))) {
		close(tfd);
		return -errno;
	}
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	l->console_fd = fds[0];
	*qemu_out = fds[1];
	if (fcntl(l->console_fd, F_SETFL, O_NONBLOCK) < 0)
		return -errno;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -errno;
	if ((l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK)) < 0)
		return -errno;
	int r;
	if ((r = epoll_add(l->epfd, l->console_fd, EV_CONSOLE)) < 0 ||
	    (r = epoll_add(l->epfd, l->timerfd, EV_TIMER)) < 0)
		return r;
	if (c->interrupt_fd >= 0 && (r = epoll_add(l->epfd, c->interrupt_fd, EV_INTERRUPT)) < 0)
		return r;
	return 0;
}

int kr_guest_run(const struct kr_guest_config *c, struct kr_guest_result *res)
{
	*res = (struct kr_guest_result){ .boot_s = -1, .repro_status = -1, .qemu_status = -1,
					 .settle_s = -1 };
	struct loop l = {
		.c = c, .res = res, .console_fd = -1, .log_fd = -1, .epfd = -1, .timerfd = -1,
		.line = KR_BUF_INIT(LINE_MAX_KEPT + 1),
	};
	size_t nw = kr_strv_len(c->watch);
	l.watch = kr_calloc(nw + 1, sizeof(*l.watch));
	for (size_t i = 0; i < nw; i++) {
		_cleanup_free_ char *err = NULL;
		if (kr_regex_new(c->watch[i], KR_REGEX_MULTILINE, &l.watch[l.n_watch], &err) < 0) {
			res->message = kr_asprintf("watch[%zu]: %s", i, err ? err : "bad regex");
			loop_free(&l);
			return -EINVAL;
		}
		l.n_watch++;
	}
	if (c->token) {
		l.start_marker = kr_asprintf("%s %s", KR_MARKER_START, c->token);
		l.end_marker = kr_asprintf("%s %s", KR_MARKER_END, c->token);
	}

	int qemu_stdout = -1;
	int r = setup(&l, &qemu_stdout);
	_cleanup_close_ int err_fd = c->stderr_path ? open_out(c->stderr_path) : -1;
	if (r < 0 || (c->stderr_path && err_fd < 0)) {
		if (qemu_stdout >= 0)
			close(qemu_stdout);
		res->end = KR_GUEST_END_ERROR;
		res->message = kr_asprintf("cannot set up the guest's console: %s",
					   strerror(r < 0 ? -r : errno));
		loop_free(&l);
		return 0;
	}
	l.qemu = kr_process_new(c->argv);
	kr_process_set_stdout(l.qemu, qemu_stdout);
	kr_process_set_stderr(l.qemu, err_fd);
	l.t0 = kr_now_ns();
	r = kr_process_start(l.qemu);
	close(qemu_stdout);
	if (r < 0) {
		res->end = KR_GUEST_END_ERROR;
		res->message = kr_asprintf("cannot run %s: %s", c->argv[0], strerror(-r));
		loop_free(&l);
		return 0;
	}
	epoll_add(l.epfd, kr_process_pidfd(l.qemu), EV_PIDFD);
	l.boot_deadline = after(c->boot_timeout);
	struct kr_guest_ctl ctl = { .l = &l };
	if (c->session)
		c->session->begin(c->session->userdata, &ctl);
	if (!c->token && !c->session) /* nothing to wait for: the run starts with QEMU */
		mark_started(&l, 0);

	while (!l.done) {
		arm_timer(&l);
		struct epoll_event evs[8];
		int n = epoll_wait(l.epfd, evs, KR_ARRAY_SIZE(evs), -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			finish(&l, KR_GUEST_END_ERROR, kr_asprintf("epoll: %s", strerror(errno)));
			break;
		}
		for (int i = 0; i < n && !l.done; i++) {
			switch (evs[i].data.u32) {
			case EV_CONSOLE:
				read_console(&l);
				break;
			case EV_PIDFD:
				/* What QEMU wrote before it died is still in the pipe. */
				read_console(&l);
				l.exited = true;
				epoll_ctl(l.epfd, EPOLL_CTL_DEL, kr_process_pidfd(l.qemu), NULL);
				break;
			case EV_TIMER: {
				uint64_t ticks;
				if (read(l.timerfd, &ticks, sizeof(ticks)) < 0) {
					/* EAGAIN: re-armed meanwhile */
				}
				break;
			}
			case EV_INTERRUPT:
				on_interrupt(&l);
				break;
			default:
				if (c->session && evs[i].data.u32 >= EV_SESSION_FD)
					c->session->ready(c->session->userdata, &ctl,
							  (int)(evs[i].data.u32 - EV_SESSION_FD));
				break;
			}
		}
		if (!l.done && l.session_deadline && kr_now_ns() >= l.session_deadline) {
			l.session_deadline = 0;
			c->session->alarm(c->session->userdata, &ctl);
		}
		check_state(&l);
	}

	/* Stopping QEMU counts from the end of the grace period (or now). */
	res->qemu_exited = l.exited;
	res->stop_from_ns = l.exited ? 0 : res->hit ? l.grace_deadline : kr_now_ns();
	enter_phase(&l, KR_GUEST_PHASE_STOPPING);
	if (c->session)
		c->session->end(c->session->userdata);
	kr_process_stop(l.qemu, STOP_GRACE_S);
	kr_process_wait(l.qemu, 0, &res->qemu_status);
	res->duration_s = since_start(&l, kr_now_ns());
	/* The rest of the console: QEMU is gone, so this ends at EOF. */
	if (!l.console_eof) {
		fcntl(l.console_fd, F_SETFL, 0);
		read_console(&l);
	}
	if (l.in_line)
		record_line(&l);
	/* Written whole to the disk, or the run says why not. */
	if (l.times) {
		FILE *times = KR_TAKE_PTR(l.times);
		bool bad = fflush(times) != 0 || fsync(fileno(times)) < 0;
		int e = errno;
		if (fclose(times) != 0 && !bad) {
			bad = true;
			e = errno;
		}
		if (bad)
			write_failed(&l, c->times_path, e);
	}
	if (fsync(l.log_fd) < 0 && errno != EINVAL)
		write_failed(&l, c->console_path, errno);
	if (res->end == KR_GUEST_END_EXITED)
		res->message = kr_asprintf("QEMU exited (status %d) before the reproducer finished",
					   res->qemu_status);
	loop_free(&l);
	return 0;
}

void kr_guest_result_clear(struct kr_guest_result *res)
{
	free(res->message);
	free(res->watch_line);
	free(res->write_error);
	free(res->lines);
	*res = (struct kr_guest_result){ 0 };
}

/* Two printk times of the same burst of output. */
static bool same_printk_time(double a, double b)
{
	return fabs(a - b) < 0.05;
}

char **kr_guest_timing_evidence(const struct kr_line_time *lines, size_t n, size_t from,
				double end_s)
{
	char **ev = kr_calloc(1, sizeof(char *));
	const size_t max = 5;
	double base = NAN;     /* smallest host-minus-printk offset so far */
	double nmi_dump = NAN; /* printk time of the latest NMI backtrace */
	double stale = NAN;    /* printk time of the latest lagging line told */
	for (size_t i = 0; i < n && kr_strv_len(ev) < max; i++) {
		const struct kr_line_time *l = &lines[i];
		if (isnan(l->guest_s))
			continue;
		double off = l->host_s - l->guest_s;
		if (l->offset < from) { /* the reference is the last line before the run */
			base = off;
			continue;
		}
		if (isnan(base) || off < base)
			base = off;
		if (l->flags & KR_LINE_NMI_BACKTRACE)
			nmi_dump = l->guest_s;
		double lag = off - base;
		if (lag <= KR_CLOCK_LAG_S || same_printk_time(l->guest_s, nmi_dump) ||
		    same_printk_time(l->guest_s, stale))
			continue;
		stale = l->guest_s;
		kr_strv_pushf(&ev,
			      "guest clock lagged the host by %.1f s: the line stamped [%.6f] "
			      "(console offset %zu) arrived that much later than the guest's "
			      "clock says; the vCPU that printed it had taken no timer tick "
			      "(had not run) for that long",
			      lag, l->guest_s, l->offset);
	}
	for (size_t i = 0; i < n && kr_strv_len(ev) < max; i++) {
		if (!(lines[i].flags & KR_LINE_NMI_REQUEST) || lines[i].offset < from)
			continue;
		size_t k = i + 1;
		while (k < n && !(lines[k].flags & (KR_LINE_NMI_BACKTRACE | KR_LINE_NMI_REQUEST)))
			k++;
		double answered = k < n ? lines[k].host_s : end_s;
		double wait = answered - lines[i].host_s;
		const char *how = k < n && (lines[k].flags & KR_LINE_NMI_BACKTRACE) ? "" :
				  k < n ? ", never answered" :
					  ", never answered before the end";
		if (wait > KR_NMI_WAIT_S)
			kr_strv_pushf(&ev,
				      "NMI backtrace request unanswered for %.1f s (console "
				      "offset %zu)%s: the vCPUs asked were not running",
				      wait, lines[i].offset, how);
	}
	return ev;
}

double kr_guest_nmi_answer_s(const struct kr_line_time *lines, size_t n, size_t from, int cpu)
{
	double longest = -1, asked = NAN;
	for (size_t i = 0; i < n; i++) {
		if (lines[i].offset < from)
			continue;
		if (lines[i].flags & KR_LINE_NMI_REQUEST)
			asked = lines[i].host_s;
		else if ((lines[i].flags & KR_LINE_NMI_BACKTRACE) && lines[i].cpu == cpu &&
			 !isnan(asked) && lines[i].host_s - asked > longest)
			longest = lines[i].host_s - asked;
	}
	return longest;
}
