/* SPDX-License-Identifier: MIT */
/* Verdicts: what one run showed, given the scenario's expectation, and what
 * a series of runs adds up to (counts, reproduction rate with a Wilson 95%
 * interval, the scenario's verdict and whether it met its expectation). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "results.h"
#include "scenario.h"

/* The title a run gets when the guest went silent after the start marker
 * (syzkaller's name for it). */
#define KR_TITLE_NO_OUTPUT "no output from test machine"
/* Image mode: the SSH connection dropped without a crash on the console
 * (syzkaller's name for it too). */
#define KR_TITLE_LOST_CONNECTION "lost connection to test machine"

/* The frame rule looks for an expected title's function from the top of
 * the crash's own call trace down to this many frames below the frame its
 * title names ("? " frames not counted). */
#define KR_MATCH_FRAME_DEPTH 4

/* What the supervisor and the crash scanner found in one run. */
struct kr_run_facts {
	const char *infra_reason; /* non-NULL: the run could not be done */
	const char *title;        /* the first crash or watch hit; NULL: none */
	char *const *alt_titles;  /* other titles of the same crash; may be NULL */
	const char *frame;        /* the frame the crash's title names; NULL: none */
	const char *report;       /* the crash's report (kr_crash.report); NULL:
				   * none (a watch hit, a silent guest) */
	size_t report_len;
	bool is_stall;            /* the crash is a hang/stall report */
	bool silent;              /* no_output timeout after the start marker */
	size_t n_evidence;        /* starvation evidence lines */
	const char *ended;        /* how a run without a crash ended ("the
				   * reproducer finished (status 0)"); NULL */
};

/* True when title (or one of alt_titles) is the bug the scenario expects:
 * equal to one of expect.titles or matching expect.title_regex; with
 * neither given, any title is. */
bool kr_title_expected(const struct kr_scenario *s, const char *title, char *const *alt_titles);

/* True when the crash of f is the bug the scenario expects, by either
 * rule, and how in *m (cleared first; free with kr_title_match_clear):
 * - exact: kr_title_expected() of its title and alt_titles;
 * - frame (unless expect.match is "exact"): an expected title (of
 *   expect.titles; title_regex has no function) "KIND in FUNC" whose KIND
 *   is the kind of the crash's title or of one of its alt_titles (the text
 *   before its last " in "), and whose FUNC is a frame of the crash's own
 *   call trace (the first of f->report's traces, kr_stack_next(), that
 *   holds f->frame, the frame the title engine chose after the
 *   infrastructure frames) from the trace's top down to
 *   KR_MATCH_FRAME_DEPTH frames below f->frame; "? " frames left out, names
 *   compared as titles give them (kr_frame_base_name: no ".isra.0",
 *   "__x64_sys_read" is "sys_read"). Frames below the title frame are
 *   looked at first, nearest first. No trace holding the title frame: no
 *   match. A syzbot " (2)" after an expected title is not part of FUNC. */
bool kr_crash_expected(const struct kr_scenario *s, const struct kr_run_facts *f,
		       struct kr_title_match *m);

/* The run's verdict, and a one-line reason (to be freed); for a reproduced
 * run, which rule matched in *match when match is not NULL (cleared first;
 * free with kr_title_match_clear). */
enum kr_verdict kr_verdict_run(const struct kr_scenario *s, const struct kr_run_facts *f,
			       char **reason, struct kr_title_match *match);

/* Wilson score interval for hits out of trials at 95% (z = 1.96); NaN
 * for both when trials is 0. */
void kr_wilson_interval(int hits, int trials, double *low, double *high);

/* Fills counts, rate, verdict, outcome and reason of sr from its runs. */
void kr_verdict_scenario(struct kr_scenario_result *sr);

/* True when the series should stop before its planned runs: stop_on_hit
 * for a scenario expecting `reproduced` once a run reproduced it. */
bool kr_verdict_series_done(const struct kr_scenario *s, const struct kr_scenario_result *sr);
