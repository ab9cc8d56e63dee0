/* SPDX-License-Identifier: MIT */
/* What every report says about a scenario, worded once: its test name, the
 * run that stands for it, its verdict line, rate, titles and accelerators.
 * Strings are returned as they are in the results (titles come from the
 * guest's console): each format makes them safe (text.h) its own way. */
#pragma once

#include <stddef.h>

#include "results.h"

/* The run whose artifacts stand for the scenario: the first whose verdict
 * is the scenario's (a clean run for `fixed`), else the first crash, else
 * the last run; NULL when no run was made. */
const struct kr_run_result *kr_describe_main_run(const struct kr_scenario_result *sr);

/* The test name of scenario i: its name, plus " [LABEL]" when another
 * scenario in r has the same name (a matrix running one scenario on
 * several kernels). LABEL is the kernel's label, else the start of its
 * sha256, else "#N" (1-based position). */
char *kr_describe_name(const struct kr_results *r, size_t i);

/* "expected reproduced, got clean (3/3 runs)": Y's count out of the runs
 * made; "expected reproduced, not run" for a skipped scenario. */
char *kr_describe_verdict(const struct kr_scenario_result *sr);

/* "2/3 = 0.67, 95% CI 0.21-0.94"; "0/0" when no run was conclusive. */
char *kr_describe_rate(const struct kr_scenario_result *sr);

/* The distinct titles of the runs, in run order (never NULL). */
char **kr_describe_titles(const struct kr_scenario_result *sr);

/* The distinct accelerators used ("tcg", "kvm, tcg"); NULL when no guest
 * started. */
char *kr_describe_accels(const struct kr_scenario_result *sr);

/* "run 2/3: other-crash: TITLE [tcg, 12.3 s]" (the reason instead of a
 * title for infra errors and clean runs; "TITLE (through frame F at depth
 * N)" for a run matched by the frame rule). */
char *kr_describe_run(const struct kr_scenario_result *sr, const struct kr_run_result *run);

/* Absolute path of a run's artifact (file is one of run's artifact names,
 * relative to run->dir); NULL when file or run->dir is NULL. */
char *kr_describe_artifact(const struct kr_results *r, const struct kr_run_result *run,
			   const char *file);

/* Seconds as a report shows them: "%.3f", and 0.000 for unknown (< 0 or
 * NaN) values. Writes into buf (at least 32 bytes). */
const char *kr_describe_seconds(double s, char *buf, size_t size);
