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
/* Without a terminal, a guest or build that has said nothing for this long
 * gets a line saying it is still there. */
#define HEARTBEAT_S 30.0
#define BAR_WIDTH 20

/* A running guest, or a cell being prepared (run 0). */
struct kr_progress_guest {
	struct kr_progress *p;
	size_t index;        /* the cell */
	int run, runs;       /* run k of n; 0: preparing */
	enum kr_phase phase;
	double t0;           /* started */
	double said;         /* the last line about it */
	long compiled, estimated; /* the kernel build's files */
};

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
	size_t status_lines;                 /* lines of the status block shown; 0: none */
	bool replaying;

	/* kradar run (kr_progress_plan) */
	bool planned;
	const struct kr_results *plan_r;
	size_t plan_total;                   /* cells in the results, for "[i/N]" */
	size_t cells_total, cells_done;      /* cells that run here */
	int runs_total, runs_done;           /* runs at most; finished */
	int jobs;
	double runs_seconds;                 /* the finished runs' durations */
	struct kr_progress_guest **guests;   /* ordered by cell, then run */
	size_t n_guests;
	struct kr_progress_guest *preparing;
};

const char *kr_phase_to_string(enum kr_phase p)
{
	switch (p) {
	case KR_PHASE_PREPARE:
		return "prepare";
	case KR_PHASE_BUILD:
		return "build";
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
	const char *ci = getenv("CI");
	bool other_ci = ci && *ci && strcmp(ci, "0") && strcmp(ci, "false");
	FILE *f = out ? out : stderr;
	if (c->ci == KR_CI_NONE && !other_ci && isatty(fileno(f)) &&
	    !(term && !strcmp(term, "dumb")))
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

/* ----- the live status block (callers hold the lock) ----- */

/* "1:05", "1:02:03" */
static void format_duration(char *buf, size_t size, double seconds)
{
	long t = (long)fmax(0, seconds);
	if (t >= 3600)
		snprintf(buf, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

static void clear_status(struct kr_progress *p)
{
	if (!p->status_lines)
		return;
	fputs("\r\033[K", p->out);
	for (size_t i = 1; i < p->status_lines; i++)
		fputs("\033[A\033[K", p->out);
	p->status_lines = 0;
}

/* "run 2/3<sep>settle", "build 1200/~5000 files" */
static void guest_text(const struct kr_progress_guest *g, const char *sep, struct kr_buf *b)
{
	if (g->run)
		kr_buf_printf(b, "run %d/%d%s", g->run, g->runs, sep);
	kr_buf_printf(b, "%s", kr_phase_to_string(g->phase));
	if (g->phase == KR_PHASE_BUILD && g->estimated > 0)
		kr_buf_printf(b, " %ld/~%ld files", g->compiled,
			      g->compiled > g->estimated ? g->compiled : g->estimated);
	else if (g->phase == KR_PHASE_BUILD)
		kr_buf_printf(b, " %ld files", g->compiled);
}

static void total_text(struct kr_progress *p, struct kr_buf *b)
{
	size_t filled = p->cells_total ? p->cells_done * BAR_WIDTH / p->cells_total : 0;
	char bar[BAR_WIDTH + 1];
	for (size_t i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	kr_buf_printf(b, "kradar: [%s] %zu/%zu cells, %d/%d runs", bar, p->cells_done,
		      p->cells_total, p->runs_done, p->runs_total);
	double eta;
	char t[32];
	if (p->cells_done < p->cells_total && kr_progress_eta(p, &eta)) {
		format_duration(t, sizeof(t), eta);
		kr_buf_printf(b, ", ETA %s", t);
	}
}

/* One line of the block: visible, cut to the terminal's width (a wrapped
 * line could not be redrawn). */
static void status_line(struct kr_buf *block, const char *raw, size_t width)
{
	_cleanup_free_ char *line = kr_text_visible(raw, strlen(raw), KR_TEXT_ONE_LINE);
	size_t n = strlen(line);
	if (n > width - 1) {
		n = width - 1;
		while (n > 0 && ((unsigned char)line[n] & 0xC0) == 0x80)
			n--;
	}
	kr_buf_printf(block, "%s%.*s", block->len ? "\n" : "", (int)n, line);
}

/* A line per guest or build, then the total, drawn over the last block.
 * Old-style single scenarios without a plan show their own line. */
static void draw_status(struct kr_progress *p)
{
	if (p->c.style != KR_PROGRESS_LIVE)
		return;
	struct winsize ws;
	size_t width = 80, height = 24;
	if (ioctl(fileno(p->out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) {
		width = ws.ws_col;
		height = ws.ws_row > 2 ? ws.ws_row : 24;
	}
	struct kr_buf block = KR_BUF_INIT(SIZE_MAX);
	size_t lines = 0;
	double t = now(p);
	char d[32];
	for (size_t i = 0; i < p->n_guests; i++) {
		struct kr_buf b = KR_BUF_INIT(4096);
		const struct kr_progress_guest *g = p->guests[i];
		/* Room for the total and an "and N more" line. */
		if (lines + 2 >= height && i + 1 < p->n_guests) {
			kr_buf_printf(&b, "  ... and %zu more", p->n_guests - i);
			i = p->n_guests;
		} else {
			_cleanup_free_ char *name = kr_describe_name(p->plan_r, g->index);
			kr_buf_printf(&b, "  [%zu/%zu] %s  ", g->index + 1, p->plan_total, name);
			guest_text(g, "  ", &b);
			format_duration(d, sizeof(d), t - g->t0);
			kr_buf_printf(&b, "  %s", d);
		}
		_cleanup_free_ char *raw = kr_buf_steal(&b);
		status_line(&block, raw, width);
		lines++;
	}
	if (p->planned) {
		struct kr_buf b = KR_BUF_INIT(4096);
		total_text(p, &b);
		_cleanup_free_ char *raw = kr_buf_steal(&b);
		status_line(&block, raw, width);
		lines++;
	} else if (p->sr) {
		struct kr_buf b = KR_BUF_INIT(4096);
		_cleanup_free_ char *name = kr_describe_name(p->r, p->index);
		kr_buf_printf(&b, "kradar: [%zu/%zu] %s", p->index + 1, p->total, name);
		if (p->run)
			kr_buf_printf(&b, "  run %d/%d", p->run, p->sr->runs_planned);
		format_duration(d, sizeof(d), t - (p->run ? p->run_t0 : p->scenario_t0));
		kr_buf_printf(&b, "  %s  %s", kr_phase_to_string(p->phase), d);
		_cleanup_free_ char *raw = kr_buf_steal(&b);
		status_line(&block, raw, width);
		lines++;
	}
	_cleanup_free_ char *text = kr_buf_steal(&block);
	if (lines) {
		/* Up to the block's first line, clearing the others. */
		for (size_t i = 1; i < p->status_lines; i++)
			fputs("\r\033[K\033[A", p->out);
		fprintf(p->out, "\r\033[K%s", text);
		p->status_lines = lines;
	} else {
		clear_status(p);
	}
	fflush(p->out);
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
		kr_progress_tick(p);
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
	/* Recursive: a replay holds it across the events it replays. */
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&p->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	if (c->style == KR_PROGRESS_LIVE)
		kr_log_set_hooks(log_before, log_after, p);
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
	for (size_t i = 0; i < p->n_guests; i++)
		free(p->guests[i]);
	free(p->guests);
	free(p->token);
	free(p->section);
	free(p);
}

/* ----- lines ----- */

/* A permanent line about scenario index of r ("kradar: [i/N] NAME: ..."),
 * in visible form; the status block is drawn again below it. */
static void vsay_at(struct kr_progress *p, const struct kr_results *r, size_t index,
		    size_t total, const char *fmt, va_list ap)
{
	if (p->c.style == KR_PROGRESS_QUIET)
		return;
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	_cleanup_free_ char *name = kr_describe_name(r, index);
	_cleanup_free_ char *raw = kr_asprintf("kradar: [%zu/%zu] %s: %s", index + 1, total,
					       name, msg);
	_cleanup_free_ char *line = kr_text_visible(raw, strlen(raw), KR_TEXT_ONE_LINE);
	clear_status(p);
	fprintf(p->out, "%s\n", line);
	draw_status(p);
	fflush(p->out);
}

/* The same about the current scenario. */
static void say(struct kr_progress *p, const char *fmt, ...) KR_PRINTF(2, 3);
static void say(struct kr_progress *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay_at(p, p->r, p->index, p->total, fmt, ap);
	va_end(ap);
}

/* The same about cell index of the plan. */
static void say_cell(struct kr_progress *p, size_t index, const char *fmt, ...) KR_PRINTF(3, 4);
static void say_cell(struct kr_progress *p, size_t index, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsay_at(p, p->plan_r, index, p->plan_total, fmt, ap);
	va_end(ap);
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
	draw_status(p);
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_scenario_replay(struct kr_progress *p, const struct kr_results *r,
				 size_t index, size_t total)
{
	if (!p || index >= r->n_scenarios)
		return;
	/* Whole: lines of guests running meanwhile come before or after. */
	pthread_mutex_lock(&p->lock);
	p->replaying = true;
	kr_progress_scenario_started(p, r, index, total);
	const struct kr_scenario_result *sr = r->scenarios[index];
	for (size_t k = 0; k < sr->n_runs; k++) {
		kr_progress_run_started(p, sr->runs[k]);
		kr_progress_run_finished(p, sr->runs[k]);
	}
	kr_progress_scenario_finished(p);
	p->replaying = false;
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_replay(struct kr_progress *p, const struct kr_results *r)
{
	for (size_t i = 0; i < r->n_scenarios; i++)
		kr_progress_scenario_replay(p, r, i, r->n_scenarios);
}

/* ----- kradar run: cells and guests ----- */

/* With one guest at a time, each scenario's events go through the
 * single-scenario functions above (a CI log groups them as they happen). */
static bool serial(const struct kr_progress *p)
{
	return p->jobs == 1;
}

void kr_progress_plan(struct kr_progress *p, const struct kr_results *r, size_t total,
		      size_t cells, int runs, int jobs)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->planned = true;
	p->plan_r = r;
	p->plan_total = total;
	p->cells_total = cells;
	p->runs_total = runs;
	p->jobs = jobs > 0 ? jobs : 1;
	pthread_mutex_unlock(&p->lock);
	if (p->c.style != KR_PROGRESS_QUIET && !p->c.no_ticker && !p->has_ticker)
		start_ticker(p);
}

static void guest_insert(struct kr_progress *p, struct kr_progress_guest *g)
{
	size_t at = p->n_guests;
	while (at > 0 && (p->guests[at - 1]->index > g->index ||
			  (p->guests[at - 1]->index == g->index && p->guests[at - 1]->run > g->run)))
		at--;
	p->guests = kr_realloc(p->guests, (p->n_guests + 1) * sizeof(*p->guests));
	memmove(p->guests + at + 1, p->guests + at, (p->n_guests - at) * sizeof(*p->guests));
	p->guests[at] = g;
	p->n_guests++;
}

static void guest_remove(struct kr_progress *p, struct kr_progress_guest *g)
{
	for (size_t i = 0; i < p->n_guests; i++) {
		if (p->guests[i] == g) {
			memmove(p->guests + i, p->guests + i + 1,
				(p->n_guests - i - 1) * sizeof(*p->guests));
			p->n_guests--;
			break;
		}
	}
	if (p->preparing == g)
		p->preparing = NULL;
	free(g);
}

static struct kr_progress_guest *guest_new(struct kr_progress *p, size_t index, int run,
					   int runs, enum kr_phase phase)
{
	struct kr_progress_guest *g = kr_calloc(1, sizeof(*g));
	*g = (struct kr_progress_guest){ .p = p, .index = index, .run = run, .runs = runs,
					 .phase = phase, .t0 = now(p) };
	g->said = g->t0;
	guest_insert(p, g);
	return g;
}

void kr_progress_cell_started(struct kr_progress *p, size_t index)
{
	if (!p || !p->planned || index >= p->plan_r->n_scenarios)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->preparing)
		guest_remove(p, p->preparing);
	p->preparing = guest_new(p, index, 0, 0, KR_PHASE_PREPARE);
	const struct kr_scenario_result *sr = p->plan_r->scenarios[index];
	if (serial(p))
		kr_progress_scenario_started(p, p->plan_r, index, p->plan_total);
	else if (p->c.style == KR_PROGRESS_PLAIN)
		say_cell(p, index, "expected %s, %d run%s%s%s",
			 kr_expect_verdict_to_string(sr->expected), sr->runs_planned,
			 sr->runs_planned == 1 ? "" : "s", sr->file ? ", " : "",
			 sr->file ? sr->file : "");
	else
		draw_status(p);
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_build(struct kr_progress *p, long compiled, long estimated)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	struct kr_progress_guest *g = p->preparing;
	if (g) {
		if (g->phase != KR_PHASE_BUILD) {
			g->phase = KR_PHASE_BUILD;
			g->t0 = g->said = now(p);
		}
		g->compiled = compiled;
		g->estimated = estimated;
	}
	pthread_mutex_unlock(&p->lock);
}

struct kr_progress_guest *kr_progress_guest_started(struct kr_progress *p, size_t index,
						    const struct kr_run_result *run)
{
	if (!p || !p->planned || index >= p->plan_r->n_scenarios)
		return NULL;
	pthread_mutex_lock(&p->lock);
	if (p->preparing && p->preparing->index == index)
		guest_remove(p, p->preparing);
	const struct kr_scenario_result *sr = p->plan_r->scenarios[index];
	struct kr_progress_guest *g = guest_new(p, index, run->index, sr->runs_planned,
						KR_PHASE_BOOT);
	if (serial(p))
		kr_progress_run_started(p, run);
	else if (p->c.style == KR_PROGRESS_PLAIN)
		say_cell(p, index, "run %d/%d: %s", g->run, g->runs, kr_phase_to_string(g->phase));
	else
		draw_status(p);
	pthread_mutex_unlock(&p->lock);
	return g;
}

void kr_progress_guest_phase(struct kr_progress_guest *g, enum kr_phase phase)
{
	if (!g)
		return;
	struct kr_progress *p = g->p;
	pthread_mutex_lock(&p->lock);
	if (g->phase != phase) {
		g->phase = phase;
		double t = now(p);
		if (p->c.style == KR_PROGRESS_PLAIN)
			g->said = t;
		if (serial(p))
			kr_progress_phase(p, phase);
		else if (p->c.style == KR_PROGRESS_PLAIN)
			say_cell(p, g->index, "run %d/%d: %s at %.1f s", g->run, g->runs,
				 kr_phase_to_string(phase), t - g->t0);
		else
			draw_status(p);
	}
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_guest_finished(struct kr_progress *p, struct kr_progress_guest *g,
				const struct kr_run_result *run)
{
	if (!p || !g)
		return;
	pthread_mutex_lock(&p->lock);
	p->runs_done++;
	p->runs_seconds += fmax(0, now(p) - g->t0);
	size_t index = g->index;
	guest_remove(p, g);
	if (serial(p)) {
		kr_progress_run_finished(p, run);
	} else if (p->c.ci == KR_CI_NONE) {
		const struct kr_scenario_result *sr = p->plan_r->scenarios[index];
		_cleanup_free_ char *line = kr_describe_run(sr, run);
		say_cell(p, index, "%s", line);
	} else {
		draw_status(p);
	}
	pthread_mutex_unlock(&p->lock);
}

void kr_progress_cell_finished(struct kr_progress *p, size_t index)
{
	if (!p || !p->planned || index >= p->plan_r->n_scenarios)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->preparing && p->preparing->index == index)
		guest_remove(p, p->preparing);
	const struct kr_scenario_result *sr = p->plan_r->scenarios[index];
	p->cells_done++;
	/* Runs a series did not need (or could not start) are not waited for. */
	if (sr->runs_planned > (int)sr->n_runs)
		p->runs_total -= sr->runs_planned - (int)sr->n_runs;
	if (p->runs_total < p->runs_done)
		p->runs_total = p->runs_done;
	if (serial(p) && p->sr) {
		kr_progress_scenario_finished(p);
	} else if (serial(p) || p->c.ci != KR_CI_NONE) {
		/* Skipped before it started, or a CI group written whole. */
		kr_progress_scenario_replay(p, p->plan_r, index, p->plan_total);
	} else {
		_cleanup_free_ char *verdict = kr_describe_verdict(sr);
		double d = sr->duration_s >= 0 && isfinite(sr->duration_s) ? sr->duration_s : 0;
		say_cell(p, index, "%s: %s%s%s [%.1f s]", kr_outcome_to_string(sr->outcome),
			 verdict, sr->reason ? "; " : "", sr->reason ? sr->reason : "", d);
	}
	if (p->c.style == KR_PROGRESS_PLAIN) {
		struct kr_buf b = KR_BUF_INIT(4096);
		total_text(p, &b);
		_cleanup_free_ char *line = kr_buf_steal(&b);
		fprintf(p->out, "%s\n", line);
		fflush(p->out);
	}
	pthread_mutex_unlock(&p->lock);
}

bool kr_progress_eta(struct kr_progress *p, double *seconds)
{
	if (!p || !p->runs_done)
		return false;
	pthread_mutex_lock(&p->lock);
	double mean = p->runs_seconds / p->runs_done, t = now(p), work = 0;
	int running = 0;
	for (size_t i = 0; i < p->n_guests; i++) {
		if (!p->guests[i]->run)
			continue;
		work += fmax(0, mean - (t - p->guests[i]->t0));
		running++;
	}
	int waiting = p->runs_total - p->runs_done - running;
	if (waiting > 0)
		work += waiting * mean;
	/* The guests at once share the work, as far as there is some. */
	int lanes = running + (waiting > 0 ? waiting : 0);
	if (lanes > p->jobs)
		lanes = p->jobs;
	*seconds = work / (lanes > 0 ? lanes : 1);
	pthread_mutex_unlock(&p->lock);
	return true;
}

void kr_progress_tick(struct kr_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	if (p->c.style == KR_PROGRESS_LIVE) {
		draw_status(p);
	} else if (p->c.style == KR_PROGRESS_PLAIN) {
		double t = now(p);
		char d[32];
		for (size_t i = 0; i < p->n_guests; i++) {
			struct kr_progress_guest *g = p->guests[i];
			if (t - g->said < HEARTBEAT_S)
				continue;
			g->said = t;
			format_duration(d, sizeof(d), t - g->t0);
			struct kr_buf b = KR_BUF_INIT(4096);
			guest_text(g, ": ", &b);
			_cleanup_free_ char *what = kr_buf_steal(&b);
			say_cell(p, g->index, "%s, %s so far", what, d);
		}
	}
	pthread_mutex_unlock(&p->lock);
}
