/* SPDX-License-Identifier: MIT */
/* Nightly runs against a baseline (a previous results.json): each scenario
 * (matrix cell) is compared by name with the baseline's, so that
 * regressions (was clean or fixed, reproduces now) and new fixes
 * (reproduced, now clean or fixed) are reported apart from the rest. */
#pragma once

#include "results.h"

/* The change from verdict `before` to verdict `now`:
 *   reproduced -> reproduced, clean/fixed -> clean/fixed,
 *   other-crash -> other-crash                     unchanged
 *   clean/fixed -> reproduced                      regression
 *   reproduced -> clean/fixed                      new-fix
 *   any other pair of conclusive verdicts          changed
 *   infra-error, artifact-stall or skipped on
 *   either side                                    not-comparable */
enum kr_change kr_baseline_change(enum kr_verdict before, enum kr_verdict now);

/* Sets every scenario's baseline fields of now from before (found by
 * name; KR_CHANGE_NEW when before has none). Scenarios skipped in now
 * (another shard runs them) are left without a comparison. file is
 * recorded as now->baseline_file. */
void kr_baseline_compare(struct kr_results *now, const struct kr_results *before,
			 const char *file);

/* How many scenarios have each change (counts[KR_CHANGE_NONE] too). */
void kr_baseline_count(const struct kr_results *r, int counts[KR_CHANGE_NOT_COMPARABLE + 1]);

/* "baseline: 1 regression (a@k), 2 new fixes (b@k, c@k), 4 unchanged, ..."
 * naming the regressions and new fixes; NULL when nothing was compared. */
char *kr_baseline_describe(const struct kr_results *r);
