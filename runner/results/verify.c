/* SPDX-License-Identifier: MIT */
#include "verify.h"

#include <math.h>

#include "util.h"
#include "verdict.h"

const char *kr_fix_result_to_string(enum kr_fix_result r)
{
	static const char *const names[] = {
		[KR_FIX_FIXED] = "fixed",
		[KR_FIX_STILL_REPRODUCES] = "still-reproduces",
		[KR_FIX_NOT_REPRODUCIBLE_ON_BAD] = "not-reproducible-on-bad",
		[KR_FIX_INCONCLUSIVE] = "inconclusive",
	};
	return (size_t)r < KR_ARRAY_SIZE(names) ? names[r] : "unknown";
}

double kr_fix_p_wrong(double p, int n)
{
	return pow(1 - p, n);
}

long kr_fix_runs_needed(double p, double confidence)
{
	if (!(p > 0))
		return -1;
	if (p >= 1)
		return 1;
	/* The epsilon keeps an exact quotient (2.0) from rounding up to 3. */
	double n = log(1 - confidence) / log(1 - p);
	return (long)ceil(n - 1e-9);
}

void kr_fix_judge(const struct kr_fix_evidence *e, struct kr_fix_verdict *v)
{
	*v = (struct kr_fix_verdict){ .rate = NAN, .rate_low = NAN, .p_wrong = NAN,
				      .p_wrong_observed = NAN, .runs_needed = -1 };
	if (e->bad_conclusive > 0) {
		double high;
		v->rate = (double)e->bad_reproduced / e->bad_conclusive;
		kr_wilson_interval(e->bad_reproduced, e->bad_conclusive, &v->rate_low, &high);
	}
	double c = e->confidence > 0 ? e->confidence : 0.95;
	if (e->fixed_reproduced > 0) {
		v->result = KR_FIX_STILL_REPRODUCES;
		v->reason = kr_asprintf("the fixed kernel reproduced the bug in %d run%s",
					e->fixed_reproduced, e->fixed_reproduced == 1 ? "" : "s");
		return;
	}
	if (e->bad_conclusive == 0) {
		v->result = KR_FIX_INCONCLUSIVE;
		v->reason = kr_strdup("no conclusive run on the bad kernel (infra errors or "
				      "artifact stalls)");
		return;
	}
	if (e->bad_reproduced == 0) {
		v->result = KR_FIX_NOT_REPRODUCIBLE_ON_BAD;
		v->reason = kr_asprintf("the bad kernel did not reproduce the bug in %d conclusive "
					"run%s: the runs say nothing about the fix",
					e->bad_conclusive, e->bad_conclusive == 1 ? "" : "s");
		return;
	}
	v->runs_needed = kr_fix_runs_needed(v->rate_low, c);
	if (e->fixed_clean == 0) {
		v->result = KR_FIX_INCONCLUSIVE;
		v->reason = kr_asprintf("no clean run on the fixed kernel (%d other crash%s, %d "
					"inconclusive)", e->fixed_other, e->fixed_other == 1 ? "" : "es",
					e->fixed_inconclusive);
		return;
	}
	v->p_wrong = kr_fix_p_wrong(v->rate_low, e->fixed_clean);
	v->p_wrong_observed = kr_fix_p_wrong(v->rate, e->fixed_clean);
	_cleanup_free_ char *others = e->fixed_other ?
		kr_asprintf("; %d other crash%s on the fixed kernel, which may have hidden the bug",
			    e->fixed_other, e->fixed_other == 1 ? "" : "es") : kr_strdup("");
	if (e->confidence > 0 && v->p_wrong > 1 - e->confidence) {
		v->result = KR_FIX_INCONCLUSIVE;
		v->reason = kr_asprintf("the fixed kernel was clean in %d run%s, but P(wrong) %.3g "
					"exceeds %.3g: %.3g confidence needs %ld clean runs%s",
					e->fixed_clean, e->fixed_clean == 1 ? "" : "s", v->p_wrong,
					1 - e->confidence, e->confidence, v->runs_needed, others);
		return;
	}
	v->result = KR_FIX_FIXED;
	v->reason = kr_asprintf("the bad kernel reproduced the bug in %d of %d runs, the fixed "
				"kernel was clean in %d%s", e->bad_reproduced, e->bad_conclusive,
				e->fixed_clean, others);
}

void kr_fix_verdict_clear(struct kr_fix_verdict *v)
{
	free(v->reason);
	v->reason = NULL;
}
