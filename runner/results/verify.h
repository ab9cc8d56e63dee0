/* SPDX-License-Identifier: MIT */
/* Fix verification (`kradar verify-fix`): does a fix make a bug go away?
 * The reproducer runs N times on the bad kernel and N times on the fixed
 * one. `fixed` needs the bad kernel to reproduce and the fixed one to stay
 * clean, and says how likely that verdict is wrong: with the bad kernel's
 * reproduction rate p, n clean runs of a kernel that still has the bug
 * happen with probability (1 - p)^n. p is taken conservatively, as the
 * lower bound of the Wilson 95% interval of the bad kernel's rate (a rate
 * seen in few runs may be lower than it looks), so the figure is an upper
 * bound. The clean runs needed for a confidence c are
 * ceil(ln(1 - c) / ln(1 - p)). */
#pragma once

#include <stdbool.h>

enum kr_fix_result {
	KR_FIX_FIXED,                   /* bad reproduces, fixed stays clean */
	KR_FIX_STILL_REPRODUCES,        /* the fixed kernel reproduced the bug */
	KR_FIX_NOT_REPRODUCIBLE_ON_BAD, /* conclusive runs on the bad kernel, none reproduced */
	KR_FIX_INCONCLUSIVE,            /* no conclusive runs on a side, or the confidence
					 * asked for is not reached */
};
const char *kr_fix_result_to_string(enum kr_fix_result r); /* "still-reproduces", ... */

struct kr_fix_evidence {
	int bad_reproduced;   /* runs on the bad kernel that reproduced */
	int bad_conclusive;   /* reproduced + other-crash + clean */
	int fixed_reproduced;
	int fixed_other;      /* other crashes on the fixed kernel */
	int fixed_clean;
	int fixed_inconclusive; /* infra errors, artifact stalls */
	double confidence;    /* 0: none asked for; else in (0, 1) */
};

struct kr_fix_verdict {
	enum kr_fix_result result;
	double rate;       /* the bad kernel's observed rate; NaN without conclusive runs */
	double rate_low;   /* its Wilson 95% lower bound: the p used */
	double p_wrong;    /* (1 - rate_low)^fixed_clean; NaN when not computed */
	double p_wrong_observed; /* (1 - rate)^fixed_clean, for comparison */
	long runs_needed;  /* clean runs on the fixed kernel for the confidence
			    * (0.95 when none was asked for); -1: unknown */
	char *reason;      /* one line */
};

/* (1 - p)^n. */
double kr_fix_p_wrong(double p, int n);
/* ceil(ln(1 - confidence) / ln(1 - p)); -1 when p <= 0; 1 when p >= 1. */
long kr_fix_runs_needed(double p, double confidence);

void kr_fix_judge(const struct kr_fix_evidence *e, struct kr_fix_verdict *v);
void kr_fix_verdict_clear(struct kr_fix_verdict *v);
