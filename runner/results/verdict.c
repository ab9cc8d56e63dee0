/* SPDX-License-Identifier: MIT */
#include "verdict.h"

#include <math.h>
#include <string.h>

#include "regex.h"

static bool one_title_expected(const struct kr_scenario *s, struct kr_regex *re,
			       const char *title)
{
	for (size_t i = 0; s->expect.titles[i]; i++)
		if (!strcmp(s->expect.titles[i], title))
			return true;
	return re && kr_regex_matches(re, title, strlen(title));
}

bool kr_title_expected(const struct kr_scenario *s, const char *title, char *const *alt_titles)
{
	if (!title)
		return false;
	if (!s->expect.titles[0] && !s->expect.title_regex)
		return true;
	struct kr_regex *re = NULL;
	/* The loader has compiled the regex once already: it is valid. */
	if (s->expect.title_regex && kr_regex_new(s->expect.title_regex, 0, &re, NULL) < 0)
		re = NULL;
	bool match = one_title_expected(s, re, title);
	for (size_t i = 0; !match && alt_titles && alt_titles[i]; i++)
		match = one_title_expected(s, re, alt_titles[i]);
	kr_regex_free(re);
	return match;
}

enum kr_verdict kr_verdict_run(const struct kr_scenario *s, const struct kr_run_facts *f,
			       char **reason)
{
	if (f->infra_reason) {
		*reason = kr_strdup(f->infra_reason);
		return KR_VERDICT_INFRA_ERROR;
	}
	const char *title = f->title ? f->title : f->silent ? KR_TITLE_NO_OUTPUT : NULL;
	if (!title) {
		*reason = kr_asprintf("no crash: %s",
				      f->ended ? f->ended : "the reproducer ran without a crash");
		return KR_VERDICT_CLEAN;
	}
	if (kr_title_expected(s, title, f->alt_titles)) {
		*reason = kr_asprintf("crash matches the expected title: %s", title);
		return KR_VERDICT_REPRODUCED;
	}
	bool stall = f->is_stall || (!f->title && f->silent);
	if (stall && f->n_evidence > 0) {
		*reason = kr_asprintf("%s, with %zu line%s of starvation evidence: an emulator "
				      "artifact, not the bug",
				      title, f->n_evidence, f->n_evidence == 1 ? "" : "s");
		return KR_VERDICT_ARTIFACT_STALL;
	}
	*reason = kr_asprintf("crash with another title: %s", title);
	return KR_VERDICT_OTHER_CRASH;
}

void kr_wilson_interval(int hits, int trials, double *low, double *high)
{
	if (trials <= 0) {
		*low = *high = NAN;
		return;
	}
	const double z = 1.959963984540054;
	double n = trials, p = (double)hits / n;
	double denom = 1 + z * z / n;
	double center = (p + z * z / (2 * n)) / denom;
	double half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom;
	*low = fmax(0, center - half);
	*high = fmin(1, center + half);
}

void kr_verdict_scenario(struct kr_scenario_result *sr)
{
	memset(sr->counts, 0, sizeof(sr->counts));
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->verdict < KR_RUN_VERDICTS)
			sr->counts[sr->runs[i]->verdict]++;
	int repro = sr->counts[KR_VERDICT_REPRODUCED];
	int other = sr->counts[KR_VERDICT_OTHER_CRASH];
	int clean = sr->counts[KR_VERDICT_CLEAN];
	int artifact = sr->counts[KR_VERDICT_ARTIFACT_STALL];
	int infra = sr->counts[KR_VERDICT_INFRA_ERROR];

	sr->rate.hits = repro;
	sr->rate.trials = repro + other + clean;
	sr->rate.value = sr->rate.trials ? (double)repro / sr->rate.trials : NAN;
	kr_wilson_interval(repro, sr->rate.trials, &sr->rate.low, &sr->rate.high);

	/* Inconclusive runs say nothing about the bug: the verdict comes from
	 * the conclusive ones, and only when there are none is the scenario
	 * inconclusive. */
	enum kr_verdict inconclusive_verdict =
		artifact ? KR_VERDICT_ARTIFACT_STALL : KR_VERDICT_INFRA_ERROR;
	free(sr->reason);
	sr->reason = NULL;
	size_t n = sr->n_runs;
	switch (sr->expected) {
	case KR_EXPECT_REPRODUCED:
		if (repro) {
			sr->verdict = KR_VERDICT_REPRODUCED;
			sr->outcome = KR_OUTCOME_MET;
			sr->reason = kr_asprintf("reproduced in %d of %zu run%s", repro, n,
						 n == 1 ? "" : "s");
		} else if (other || clean) {
			sr->verdict = other ? KR_VERDICT_OTHER_CRASH : KR_VERDICT_CLEAN;
			sr->outcome = KR_OUTCOME_FAILED;
			sr->reason = kr_asprintf("not reproduced in %zu run%s (%d other crash%s, "
						 "%d clean)",
						 n, n == 1 ? "" : "s", other, other == 1 ? "" : "es",
						 clean);
		} else {
			sr->verdict = inconclusive_verdict;
			sr->outcome = KR_OUTCOME_INCONCLUSIVE;
		}
		break;
	case KR_EXPECT_CLEAN:
	case KR_EXPECT_FIXED:
		if (repro || other) {
			sr->verdict = repro ? KR_VERDICT_REPRODUCED : KR_VERDICT_OTHER_CRASH;
			sr->outcome = KR_OUTCOME_FAILED;
			sr->reason = kr_asprintf("%d of %zu run%s crashed", repro + other, n,
						 n == 1 ? "" : "s");
		} else if (artifact || infra || !clean) {
			sr->verdict = inconclusive_verdict;
			sr->outcome = KR_OUTCOME_INCONCLUSIVE;
		} else {
			sr->verdict = sr->expected == KR_EXPECT_FIXED ? KR_VERDICT_FIXED :
									KR_VERDICT_CLEAN;
			sr->outcome = KR_OUTCOME_MET;
			sr->reason = kr_asprintf("all %d run%s clean", clean, clean == 1 ? "" : "s");
		}
		break;
	}
	if (!sr->reason) {
		/* Inconclusive: name the first run's reason, the likely cause. */
		const char *first = NULL;
		for (size_t i = 0; i < n && !first; i++)
			if (sr->runs[i]->verdict == sr->verdict)
				first = sr->runs[i]->reason;
		sr->reason = n ? kr_asprintf("inconclusive: %d infra error%s, %d artifact stall%s%s%s",
					     infra, infra == 1 ? "" : "s", artifact,
					     artifact == 1 ? "" : "s", first ? "; " : "",
					     first ? first : "") :
				 kr_strdup("no run was made");
	}
}

bool kr_verdict_series_done(const struct kr_scenario *s, const struct kr_scenario_result *sr)
{
	if (!s->stop_on_hit || s->expect.verdict != KR_EXPECT_REPRODUCED)
		return false;
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->verdict == KR_VERDICT_REPRODUCED)
			return true;
	return false;
}
