/* SPDX-License-Identifier: MIT */
#include "progress.h"

#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>

#include "describe.h"
#include "github.h"
#include "gitlab.h"
#include "log.h"
#include "text.h"

/* What a CI log shows of a scenario that did not meet its expectation. */
#define ECHO_REPORT_HEAD (12u << 10)
#define ECHO_REPORT_TAIL (4u << 10)
#define ECHO_CONSOLE_TAIL (4u << 10)

struct kr_progress {
	struct kr_progress_config c;
	FILE *out;
	pthread_mutex_t lock;
	bool has_ticker;
	pthread_t ticker;
	int timer_fd;
	int stop_fd;

	const struct kr_results *r;
	const struct kr_scenario_result *sr; /* the current scenario, NULL between them */
	size_t index, total;
	int run;                             /* the current run's index; 0: none */
	enum kr_phase phase;
	double scenario_t0, run_t0;
	char *token;                         /* GitHub stop-commands, during a scenario */
	char *section;                       /* GitLab section, during a scenario */
	bool status_shown;
	bool replaying;
};

const char *kr_phase_to_string(enum kr_phase p)
{
	switch (p) {
	case KR_PHASE_PREPARE:
		return "prepare";
	case KR_PHASE_BOOT:
		return "boot";
	case KR_PHASE_RUN:
		return "run";
	case KR_PHASE_SETTLE:
		return "settle";
	case KR_PHASE_GRACE:
		return "grace";
	case KR_PHASE_STOPPING:
		return "stopping";
	}
	return "unknown";
}

static bool env_true(const char *name)
{
	const char *v = getenv(name);
	return v && !strcmp(v, "true");
}

void kr_progress_config_from_env(struct kr_progress_config *c, FILE *out)
{
	*c = (struct kr_progress_config){ .out = out };
	if (env_true("GITHUB_ACTIONS")) {
		c->ci = KR_CI_GITHUB;
		c->workspace = getenv("GITHUB_WORKSPACE");
	} else if (env_true("GITLAB_CI")) {
		c->ci = KR_CI_GITLAB;
		c->workspace = getenv("CI_PROJECT_DIR");
	}
	const char *term = getenv("TERM");
	FILE *f = out ? out : stderr;
	if (c->ci == KR_CI_NONE && isatty(fileno(f)) && !(term && !strcmp(term, "dumb")))
		c->style = KR_PROGRESS_LIVE;
}

static double now(const struct kr_progress *p)
{
	return p->c.now ? p->c.now() : kr_now_s();
}

static double wall(const struct kr_progress *p)
{
	return p->c.wall ? p->c.wall() : kr_wall_s();
}

/* ----- the live status line (callers hold the lock) ----- */

static void clear_status(struct kr_progress *p)
{
	if (!p->status_shown)
		return;
	fputs("\r\033[K", p->out);
	p->status_shown = false;
}

static void draw_status(struct kr_progress *p)
{
	if (p->c.style != KR_PROGRESS_LIVE || !p->sr)
		return;
	struct kr_buf b = KR_BUF_INIT(4096);
	_cleanup_free_ char *name = kr_describe_name(p->r, p->index);
	kr_buf_printf(&b, "kradar: [%zu/%zu] %s", p->index + 1, p->total, name);
	double t0 = p->run ? p->run_t0 : p->scenario_t0;
	int secs = (int)fmax(0, now(p) - t0);
	if (p->run)
		kr_buf_printf(&b, "  run %d/%d", p->run, p->sr->runs_planned);
	kr_buf_printf(&b, "  %s  %d:%02d", kr_phase_to_string(p->phase), secs / 60, secs % 60);
	_cleanup_free_ char *raw = kr_buf_steal(&b);
	_cleanup_free_ char *line = kr_text_visible(raw, strlen(raw), KR_TEXT_ONE_LINE);
	struct winsize ws;
	size_t width = 80;
	if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		width = ws.ws_col;
	/* Never wrap: a wrapped line cannot be redrawn with \r. */
	size_t n = strlen(line);
	if (n > width - 1) {
		n = width - 1;
		while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
			n--;
	}
	fprintf(p->out, "\r\033[K%.*s", (int)n, line);
	fflush(p->out);
	p->status_shown = true;
}

static void log_before(void *userdata)
{
	struct kr_progress *p = userdata;
	pthread_mutex_lock(&p->lock);
	clear_status(p);
	fflush(p->out);
}

static void log_after(void *userdata)
{
	struct kr_progress *p = userdata;
	draw_status(p);
	pthread_mutex_unlock(&p->lock);
}

static void *ticker_main(void *userdata)
{
	struct kr_progress *p = userdata;
	struct pollfd fds[2] = { { p->timer_fd, POLLIN, 0 }, { p->stop_fd, POLLIN, 0 } };
	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		uint64_t expirations;
		if (read(p->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
			break;
		pthread_mutex_lock(&p->lock);
		if (p->status_shown)
			draw_status(p);
		pthread_mutex_unlock(&p->lock);
	}
	return NULL;
}

/* Redraws the status line every second from its own thread, which blocks
 * every signal (they belong to the runner's signalfd). */
static void start_ticker(struct kr_progress *p)
{
	p->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	p->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	if (p->timer_fd < 0 || p->stop_fd < 0 || timerfd_settime(p->timer_fd, 0, &its, NULL) < 0)
		return; /* the status line then moves at events only */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	p->has_ticker = pthread_create(&p->ticker, NULL, ticker_main, p) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

struct kr_progress *kr_progress_new(const struct kr_progress_config *c)
{
	struct kr_progress *p = kr_calloc(1, sizeof(*p));
	p->c = *c;
	p->out = c->out ? c->out : stderr;
	p->timer_fd = p->stop_fd = -1;
	pthread_mutex_init(&p->lock, NULL);
	if (c->style == KR_PROGRESS_LIVE) {
		kr_log_set_hooks(log_before, log_after, p);
		if (!c->no_ticker)
			start_ticker(p);
	}
	return p;
}

void kr_progress_free(struct kr_progress *p)
{
	if (!p)
		return;
	if (p->has_ticker) {
		uint64_t one = 1;
		if (write(p->stop_fd, &one, sizeof(one)) == sizeof(one))
			pthread_join(p->ticker, NULL);
		else
			pthread_detach(p->ticker);
	}
	if (p->c.style == KR_PROGRESS_LIVE)
		kr_log_set_hooks(NULL, NULL, NULL);
	clear_status(p);
	fflush(p->out);
	if (p->timer_fd >= 0)
		close(p->timer_fd);
	if (p->stop_fd >= 0)
		close(p->stop_fd);
	pthread_mutex_destroy(&p->lock);
	free(p->token);
	free(p->section);
	free(p);
}

/* ----- lines ----- */

/* A permanent line about the current scenario ("kradar: [i/N] NAME: ..."),
 * in visible form; the status line is drawn again below it. */
static void say(struct kr_progress *p, const char *fmt, ...) KR_PRINTF(2, 3);
static void say(struct kr_progress *p, const char *fmt, ...)
{
	if (p->c.style == KR_PROGRESS_QUIET)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	_cleanup_free_ char *name = kr_describe_name(p->r, p->index);
	_cleanup_free_ char *raw = kr_asprintf("kradar: [%zu/%zu] %s: %s", p->index + 1, p->total,
					       name, msg);
	_cleanup_free_ char *line = kr_text_visible(raw, strlen(raw), KR_TEXT_ONE_LINE);
	clear_status(p);
	fprintf(p->out, "%s\n", line);
	draw_status(p);
	fflush(p->out);
}

void kr_progress_scenario_started(struct kr_progress *p, const struct kr_results *r,
				  size_t index, size_t total)
{
	if (!p || index >= r->n_scenarios)
		return;
	pthread_mutex_lock(&p->lock);
	p->r = r;
	p->sr = r->scenarios[index];
	p->index = index;
	p->total = total > index ? total : index + 1;
	p->run = 0;
	p->phase = KR_PHASE_PREPARE;
	p->scenario_t0 = now(p);
	const struct kr_scenario_result *sr = p->sr;
	_cleanup_free_ char *name = kr_describe_name(r, index);
	_cleanup_free_ char *header = kr_asprintf("kradar: [%zu/%zu] %s", index + 1, p->total,
						  name);
	bool quiet = p->c.style == KR_PROGRESS_QUIET;
	if (p->c.ci == KR_CI_GITHUB && !quiet) {
		clear_status(p);
		kr_github_group(p->out, header);
		p->token = kr_github_token(p->c.github_token, NULL);
		kr_github_stop_commands(p->out, p->token);
	} else if (p->c.ci == KR_CI_GITLAB && !quiet) {
		clear_status(p);
		p->section = kr_asprintf("kradar_scenario_%zu", index + 1);
		bool fine = sr->outcome == KR_OUTCOME_MET || sr->outcome == KR_OUTCOME_SKIPPED;
		kr_gitlab_section_start(p->out, p->section, header, p->replaying && fine,
					(time_t)wall(p));
	}
	if (p->c.style == KR_PROGRESS_PLAIN || p->c.ci != KR_CI_NONE)
		say(p, "expected %s, %d run%s%s%s", kr_expect_verdict_to_string(sr->expected),
		    sr->runs_planned, sr->runs_planned == 1 ? "" : "s",
		    sr->file ? ", " : "", sr->file ? sr->file : "");
	else
		draw_status(p);
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_run_started(struct kr_progress *p, const struct kr_run_result *run)
{
	if (!p || !p->sr)
		return;
	pthread_mutex_lock(&p->lock);
	p->run = run->index;
	p->run_t0 = now(p);
	p->phase = KR_PHASE_BOOT;
	if (p->c.style == KR_PROGRESS_PLAIN && !p->replaying)
		say(p, "run %d/%d: %s", run->index, p->sr->runs_planned,
		    kr_phase_to_string(p->phase));
	else
		draw_status(p);
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_phase(struct kr_progress *p, enum kr_phase phase)
{
	if (!p || !p->sr || phase == p->phase)
		return;
	pthread_mutex_lock(&p->lock);
	p->phase = phase;
	if (p->c.style == KR_PROGRESS_PLAIN && !p->replaying) {
		double t = now(p) - (p->run ? p->run_t0 : p->scenario_t0);
		if (p->run)
			say(p, "run %d/%d: %s at %.1f s", p->run, p->sr->runs_planned,
			    kr_phase_to_string(phase), t);
		else
			say(p, "%s at %.1f s", kr_phase_to_string(phase), t);
	} else {
		draw_status(p);
	}
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_run_finished(struct kr_progress *p, const struct kr_run_result *run)
{
	if (!p || !p->sr)
		return;
	pthread_mutex_lock(&p->lock);
	_cleanup_free_ char *line = kr_describe_run(p->sr, run);
	p->run = 0;
	p->phase = KR_PHASE_PREPARE; /* until the next run starts */
	say(p, "%s", line);
	pthread_mutex_unlock(&p->lock);
}

/* The crash report of the main run (or the end of its console) for a CI
 * log, in visible form; NULL when there is none. */
static char *echo_text(const struct kr_results *r, const struct kr_scenario_result *sr)
{
	const struct kr_run_result *main = kr_describe_main_run(sr);
	if (!main)
		return NULL;
	_cleanup_free_ char *report = kr_describe_artifact(r, main, main->report);
	_cleanup_free_ char *console = kr_describe_artifact(r, main, main->console_log);
	_cleanup_free_ char *text = NULL;
	if (report && kr_text_file_excerpt(report, ECHO_REPORT_HEAD, ECHO_REPORT_TAIL, &text) == 0)
		return kr_asprintf("%s of run %d:\n%s", main->report, main->index, text);
	if (console && kr_text_file_excerpt(console, 0, ECHO_CONSOLE_TAIL, &text) == 0)
		return kr_asprintf("end of %s of run %d:\n%s", main->console_log, main->index, text);
	return NULL;
}

static const char *workspace_relative(const char *path, const char *workspace)
{
	size_t n = workspace ? strlen(workspace) : 0;
	while (n > 1 && workspace[n - 1] == '/')
		n--;
	if (path && n && !strncmp(path, workspace, n) && path[n] == '/')
		return path + n + 1;
	return NULL;
}

void kr_progress_scenario_finished(struct kr_progress *p)
{
	if (!p || !p->sr)
		return;
	pthread_mutex_lock(&p->lock);
	const struct kr_scenario_result *sr = p->sr;
	_cleanup_free_ char *verdict = kr_describe_verdict(sr);
	double d = sr->duration_s >= 0 && isfinite(sr->duration_s) ? sr->duration_s : 0;
	say(p, "%s: %s%s%s [%.1f s]", kr_outcome_to_string(sr->outcome), verdict,
	    sr->reason ? "; " : "", sr->reason ? sr->reason : "", d);
	bool problem = sr->outcome == KR_OUTCOME_FAILED || sr->outcome == KR_OUTCOME_INCONCLUSIVE;
	bool quiet = p->c.style == KR_PROGRESS_QUIET;
	if (problem && p->c.ci != KR_CI_NONE && !quiet) {
		/* Already visible, and under GitHub behind stop-commands. */
		_cleanup_free_ char *text = echo_text(p->r, sr);
		if (text) {
			clear_status(p);
			fputs(text, p->out);
			if (*text && text[strlen(text) - 1] != '\n')
				fputc('\n', p->out);
		}
	}
	if (p->c.ci == KR_CI_GITHUB) {
		if (p->token) {
			kr_github_resume_commands(p->out, p->token);
			kr_github_endgroup(p->out);
		}
		if (problem) {
			_cleanup_free_ char *name = kr_describe_name(p->r, p->index);
			_cleanup_free_ char *title = kr_asprintf("kradar: %s", name);
			_cleanup_free_ char *msg = kr_asprintf("%s%s%s", verdict,
							       sr->reason ? ": " : "",
							       sr->reason ? sr->reason : "");
			kr_github_annotation(p->out,
					     sr->outcome == KR_OUTCOME_FAILED ? "error" : "warning",
					     title, workspace_relative(sr->file, p->c.workspace),
					     msg);
		}
	} else if (p->c.ci == KR_CI_GITLAB && p->section) {
		kr_gitlab_section_end(p->out, p->section, (time_t)wall(p));
	}
	free(p->token);
	p->token = NULL;
	free(p->section);
	p->section = NULL;
	p->sr = NULL;
	p->run = 0;
	clear_status(p);
	fflush(p->out);
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_scenario_replay(struct kr_progress *p, const struct kr_results *r,
				 size_t index, size_t total)
{
	if (!p || index >= r->n_scenarios)
		return;
	p->replaying = true;
	kr_progress_scenario_started(p, r, index, total);
	const struct kr_scenario_result *sr = r->scenarios[index];
	for (size_t k = 0; k < sr->n_runs; k++) {
		kr_progress_run_started(p, sr->runs[k]);
		kr_progress_run_finished(p, sr->runs[k]);
	}
	kr_progress_scenario_finished(p);
	p->replaying = false;
}

void kr_progress_replay(struct kr_progress *p, const struct kr_results *r)
{
	for (size_t i = 0; i < r->n_scenarios; i++)
		kr_progress_scenario_replay(p, r, i, r->n_scenarios);
}
