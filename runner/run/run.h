/* SPDX-License-Identifier: MIT */
/* The run engine of `kradar run`, shared with `kradar verify-fix` and the
 * bisect mode: cells (scenarios, or matrix cells) prepared one at a time
 * (kernel builds only while no guest runs, so a build never competes with
 * guests), their runs in fresh QEMU guests, up to `jobs` at once within
 * the host's CPU and memory budget (schedule.h), each guest supervised by
 * a thread of its own; results.json rewritten after every run, junit.xml
 * and summary.md at the end. SIGINT and SIGTERM stop every guest and
 * write what was done.
 *
 * The engine logs the run as it goes (log.h: notices, warnings, the first
 * failed write into --out) and shows progress (reporters/progress.h); the
 * command shows the table of verdicts and says how it ended. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "matrix.h"
#include "results.h"
#include "shard.h"
#include "util.h"

struct kr_run_options {
	const char *out;      /* results directory (made absolute) */
	const char *cache;    /* kernel cache; NULL: the default */
	int jobs;             /* guests at once at most, and make -j; 0: the CPUs */
	bool quiet;
	const char *junit;    /* NULL: OUT/junit.xml */
	const char *markdown; /* NULL: OUT/summary.md */
	struct kr_shard shard; /* total 0: every cell */
	const char *baseline; /* a previous results.json to compare with; NULL: none */
	bool baseline_optional; /* a missing baseline file means "every cell is new" */
	bool no_table;        /* for the command: leave out the table of verdicts */
	bool json_table;      /* for the command: the table as JSON on stdout
			       * (reporters/table.h); the lines around it go to
			       * stderr */
	bool warm_start;      /* every scenario as with vm.warm_start (--warm-start) */
};

/* kr_engine_run()'s answers: kradar's exit statuses (cli.h's KR_EXIT_*). */
enum {
	KR_ENGINE_DONE = 0,         /* the results and reports are written */
	KR_ENGINE_BAD_BASELINE = 2, /* the baseline cannot be read (logged) */
	KR_ENGINE_HOST_FAILED = 4,  /* results not writable, no signalfd, ... (logged) */
};

struct kr_engine;

/* An engine for one run; o (and the strings it points to) must outlive it. */
struct kr_engine *kr_engine_new(const struct kr_run_options *o);

/* Runs cells (the engine never changes them) and writes the results:
 * KR_ENGINE_DONE, or why not. Once per engine. */
int kr_engine_run(struct kr_engine *e, struct kr_cell *cells, size_t n);

/* After KR_ENGINE_DONE: the results (owned by the engine, or handed out by
 * kr_engine_take_results()); NULL otherwise. */
const struct kr_results *kr_engine_results(const struct kr_engine *e);
struct kr_results *kr_engine_take_results(struct kr_engine *e);

/* The first write into --out that failed (no run started after it): the
 * run is incomplete; NULL when every write went through. */
const char *kr_engine_write_error(const struct kr_engine *e);

void kr_engine_free(struct kr_engine *e);
KR_DEFINE_CLEANUP(struct kr_engine, kr_engine_free)
#define _cleanup_engine_free_ _cleanup_(kr_engine_freep)
