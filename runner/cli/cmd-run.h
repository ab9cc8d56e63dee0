/* SPDX-License-Identifier: MIT */
/* The engine of `kradar run`, shared with `kradar verify-fix`: cells
 * (scenarios, or matrix cells) prepared one at a time (kernel builds only
 * while no guest runs, so a build never competes with guests), their runs
 * in fresh QEMU guests, up to `jobs` at once within the host's CPU and
 * memory budget (schedule.h), each guest supervised by a thread of its
 * own; results.json rewritten after every run, junit.xml and summary.md at
 * the end, and a table of verdicts. SIGINT and SIGTERM stop every guest
 * and write what was done. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "matrix.h"
#include "results.h"
#include "shard.h"

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
	bool no_table;        /* leave out the table of verdicts */
	bool json_table;      /* the table as JSON on stdout (reporters/table.h); the
			       * lines around it go to stderr */
	bool warm_start;      /* every scenario with vm.warm_start (--warm-start) */
};

/* Runs cells (the engine never changes them) and writes the results.
 * *out (may be NULL) gets them. Returns kradar run's exit status: 0, 1,
 * 3, 128 + signal; 4 when the host failed (results not writable, no
 * signalfd), 2 when the baseline cannot be read. */
int kr_run_cells(const struct kr_run_options *o, struct kr_cell *cells, size_t n,
		 struct kr_results **out);
