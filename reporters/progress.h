/* SPDX-License-Identifier: MIT */
/* Progress of `kradar run` as it happens: the runner reports events
 * (scenario started, run k/n started, phase changed, run finished,
 * scenario finished) and this module shows them:
 *
 *   - on a terminal, a live status line (scenario, run k/n, phase,
 *     elapsed time, redrawn every second) above which each finished run
 *     and scenario is printed;
 *   - otherwise plain lines, one per event;
 *   - under GitHub Actions, each scenario in a ::group::, everything printed
 *     during it behind ::stop-commands:: (console text cannot run workflow
 *     commands), the crash report of a scenario that did not meet its
 *     expectation echoed there, and an ::error:: (::warning:: when
 *     inconclusive) annotation after the group;
 *   - under GitLab CI, each scenario in a collapsible section, with the
 *     crash report echoed the same way.
 *
 * `kradar report --github/--gitlab` replays finished results through the
 * same path. Every function takes a NULL kr_progress as "no progress". */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "results.h"

enum kr_phase {
	KR_PHASE_PREPARE,  /* kernel, reproducer, initramfs */
	KR_PHASE_BUILD,    /* the kernel is compiled (kr_progress_build) */
	KR_PHASE_BOOT,     /* QEMU started, waiting for the start marker */
	KR_PHASE_RUN,      /* the reproducer runs */
	KR_PHASE_SETTLE,   /* it ended: watching for late reports */
	KR_PHASE_GRACE,    /* a crash was seen: reading the rest of it */
	KR_PHASE_STOPPING, /* stopping QEMU */
};
const char *kr_phase_to_string(enum kr_phase p); /* "boot", "run", ... */

enum kr_progress_style {
	KR_PROGRESS_PLAIN, /* a line per event */
	KR_PROGRESS_LIVE,  /* a status line redrawn in place (a terminal) */
	KR_PROGRESS_QUIET, /* nothing but CI annotations */
};

enum kr_ci {
	KR_CI_NONE,
	KR_CI_GITHUB,
	KR_CI_GITLAB,
};

struct kr_progress_config {
	FILE *out;                  /* NULL: stderr */
	enum kr_progress_style style;
	enum kr_ci ci;
	const char *workspace;      /* annotations name files relative to it */
	const char *github_token;   /* fixed stop-commands token (tests); NULL: random */
	double (*now)(void);        /* monotonic seconds (tests); NULL: kr_now_s */
	double (*wall)(void);       /* wall clock (tests); NULL: kr_wall_s */
	bool no_ticker;             /* no redraw/heartbeat thread: kr_progress_tick (tests) */
};

/* Fills c from the environment: GITHUB_ACTIONS=true or GITLAB_CI=true
 * pick the CI; LIVE when out is a terminal, TERM is not "dumb" and
 * neither a known CI nor CI (not empty, "0" or "false") is set;
 * GITHUB_WORKSPACE or CI_PROJECT_DIR is the workspace. */
void kr_progress_config_from_env(struct kr_progress_config *c, FILE *out);

/* Starts showing progress; in live style, hooks kr_log so that messages
 * do not tear the status line. */
struct kr_progress *kr_progress_new(const struct kr_progress_config *c);
/* Clears the status line, unhooks kr_log. */
void kr_progress_free(struct kr_progress *p);
KR_DEFINE_CLEANUP(struct kr_progress, kr_progress_free)

/* ----- kradar run: cells and guests, one or many at once -----
 *
 * The plan turns this on: total cells (for "[i/N]"), the cells and runs
 * at most that run here, guests at once. With jobs 1, a CI log shows each
 * scenario in its group as it happens; with more, the group is written
 * whole when the cell is done (kr_progress_scenario_replay) and the events
 * before it are plain lines. Starts the thread that redraws the terminal
 * or writes heartbeats (a timerfd, not a sleep). */
void kr_progress_plan(struct kr_progress *p, const struct kr_results *r, size_t total,
		      size_t cells, int runs, int jobs);
/* Cell index of the plan's results is being prepared (kernel, initramfs). */
void kr_progress_cell_started(struct kr_progress *p, size_t index);
/* The preparing cell's kernel build: files compiled; estimated: how many
 * the build will compile (0: unknown). */
void kr_progress_build(struct kr_progress *p, long compiled, long estimated);
/* A guest of cell index starts run; the handle is for its phase changes
 * (from any thread) and its end. NULL when p is NULL. */
struct kr_progress_guest *kr_progress_guest_started(struct kr_progress *p, size_t index,
						    const struct kr_run_result *run);
void kr_progress_guest_phase(struct kr_progress_guest *g, enum kr_phase phase);
/* The run's verdict is set; frees g. */
void kr_progress_guest_finished(struct kr_progress *p, struct kr_progress_guest *g,
				const struct kr_run_result *run);
/* The cell's verdict and outcome are set (or it was skipped). */
void kr_progress_cell_finished(struct kr_progress *p, size_t index);
/* Redraws the terminal or writes the heartbeats that are due: the thread
 * started by kr_progress_plan calls it every second; tests with
 * no_ticker call it with their clock. */
void kr_progress_tick(struct kr_progress *p);
/* Seconds until the planned runs are done, from the mean duration of the
 * finished ones, the running guests' elapsed time and the guests at once;
 * false before a run has finished. */
bool kr_progress_eta(struct kr_progress *p, double *seconds);

/* ----- one scenario at a time (the above with jobs 1, and replays) ----- */

/* Scenario index (0-based) of r started; total: how many will run. */
void kr_progress_scenario_started(struct kr_progress *p, const struct kr_results *r,
				  size_t index, size_t total);
void kr_progress_run_started(struct kr_progress *p, const struct kr_run_result *run);
void kr_progress_phase(struct kr_progress *p, enum kr_phase phase);
/* The run's verdict is set. */
void kr_progress_run_finished(struct kr_progress *p, const struct kr_run_result *run);
/* The scenario's verdict and outcome are set. */
void kr_progress_scenario_finished(struct kr_progress *p);

/* Shows finished results as if they were happening (kradar report). */
void kr_progress_replay(struct kr_progress *p, const struct kr_results *r);
/* The same for the finished scenario index of r (kradar run with several
 * guests at once shows each scenario whole when it is done). */
void kr_progress_scenario_replay(struct kr_progress *p, const struct kr_results *r,
				 size_t index, size_t total);
