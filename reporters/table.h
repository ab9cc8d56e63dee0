/* SPDX-License-Identifier: MIT */
/* The table of verdicts kradar run ends with, as one JSON document for
 * scripts (kradar run --format json): a row per scenario or matrix cell
 * with what the text table shows, and the exit status. */
#pragma once

#include "results.h"

/* {"exit_status": N, "interrupted": B, "results": "OUT/results.json",
 *  "scenarios": [{"name", "scenario", "kernel", "vm", "expected",
 *  "verdict", "runs", "runs_planned", "rate" (as in results.json),
 *  "result", "reason", "baseline"}]}, pretty,
 * ending with a newline. */
char *kr_table_json(const struct kr_results *r);
