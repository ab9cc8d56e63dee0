/* SPDX-License-Identifier: MIT */
#include "verdict.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "regex.h"
#include "stack.h"

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

/* The function a title "KIND in FUNC" names (to be freed) and the length
 * of its KIND, or NULL when it names none. syzbot's " (2)" for a bug seen
 * again is not part of the function. */
static char *title_function(const char *title, size_t *kind_len)
{
	size_t len = strlen(title);
	if (len > 4 && title[len - 1] == ')') {
		size_t i = len - 2;
		while (i > 1 && isdigit((unsigned char)title[i]))
			i--;
		if (i + 2 < len && title[i] == '(' && title[i - 1] == ' ')
			len = i - 1;
	}
	const char *in = NULL;
	for (const char *p = title; (p = memmem(p, (size_t)(title + len - p), " in ", 4)); p++)
		in = p;
	if (!in)
		return NULL;
	const char *func = in + 4;
	size_t func_len = (size_t)(title + len - func);
	if (!func_len || memchr(func, ' ', func_len))
		return NULL;
	*kind_len = (size_t)(in - title);
	return kr_strndup(func, func_len);
}

/* The kind of title: the text before " in FUNC", or all of it. */
static bool same_kind(const char *title, const char *kind, size_t kind_len)
{
	size_t len = strlen(title);
	_cleanup_free_ char *func = title_function(title, &len);
	return len == kind_len && !memcmp(title, kind, kind_len);
}

static bool crash_of_kind(const struct kr_run_facts *f, const char *kind, size_t kind_len)
{
	if (same_kind(f->title, kind, kind_len))
		return true;
	for (size_t i = 0; f->alt_titles && f->alt_titles[i]; i++)
		if (same_kind(f->alt_titles[i], kind, kind_len))
			return true;
	return false;
}

/* In the certain frames of st, from the top to KR_MATCH_FRAME_DEPTH below
 * the title frame: an expected title's function (1, m filled), none (0),
 * or -1 when st does not hold the title frame. */
static int match_in_trace(const struct kr_stack *st, const char *title_frame,
			  char *const *funcs, const char *const *titles, size_t n_expected,
			  struct kr_title_match *m)
{
	_cleanup_strv_free_ char **names = NULL;
	_cleanup_free_ const struct kr_frame **frames = NULL;
	size_t n = 0;
	for (size_t i = 0; i < kr_stack_n_frames(st); i++) {
		const struct kr_frame *fr = kr_stack_frame(st, i);
		if (fr->uncertain)
			continue;
		kr_strv_push(&names, kr_frame_base_name(fr->func));
		frames = kr_realloc(frames, (n + 1) * sizeof(*frames));
		frames[n++] = fr;
	}
	size_t top = 0;
	while (top < n && strcmp(names[top], title_frame))
		top++;
	if (top == n)
		return -1;
	/* below the title frame first, nearest first; then above it */
	size_t last = top + KR_MATCH_FRAME_DEPTH < n ? top + KR_MATCH_FRAME_DEPTH : n - 1;
	for (size_t k = 0; k <= last; k++) {
		size_t pos = top + k <= last ? top + k : last - k;
		for (size_t e = 0; e < n_expected; e++) {
			if (strcmp(names[pos], funcs[e]))
				continue;
			m->rule = KR_MATCH_FRAME;
			m->expected = kr_strdup(titles[e]);
			m->frame = kr_strdup(frames[pos]->func);
			m->depth = (int)pos - (int)top;
			return 1;
		}
	}
	return 0;
}

/* The frame rule (kr_crash_expected). */
static bool frame_expected(const struct kr_scenario *s, const struct kr_run_facts *f,
			   struct kr_title_match *m)
{
	/* the expected titles of the crash's kind, and their functions */
	_cleanup_strv_free_ char **funcs = NULL;
	_cleanup_free_ const char **titles = NULL;
	size_t n_expected = 0;
	for (size_t i = 0; s->expect.titles[i]; i++) {
		size_t kind_len;
		char *func = title_function(s->expect.titles[i], &kind_len);
		if (!func || !crash_of_kind(f, s->expect.titles[i], kind_len)) {
			free(func);
			continue;
		}
		kr_strv_push(&funcs, kr_frame_base_name(func));
		free(func);
		titles = kr_realloc(titles, (n_expected + 1) * sizeof(*titles));
		titles[n_expected++] = s->expect.titles[i];
	}
	if (!n_expected)
		return false;

	_cleanup_free_ char *title_frame = kr_frame_base_name(f->frame);
	/* the crash's own trace: the first that holds its title frame */
	for (size_t from = 0, next; from < f->report_len; from = next) {
		_cleanup_(kr_stack_freep) struct kr_stack *st =
			kr_stack_next(f->report, f->report_len, from, &next);
		int r = match_in_trace(st, title_frame, funcs, titles, n_expected, m);
		if (r >= 0)
			return r > 0;
		if (next <= from)
			break;
	}
	return false;
}

bool kr_crash_expected(const struct kr_scenario *s, const struct kr_run_facts *f,
		       struct kr_title_match *m)
{
	*m = (struct kr_title_match){ 0 };
	if (!f->title)
		return false;
	if (kr_title_expected(s, f->title, f->alt_titles)) {
		m->rule = KR_MATCH_EXACT;
		return true;
	}
	if (s->expect.match == KR_EXPECT_MATCH_EXACT || !f->frame || !f->report)
		return false;
	return frame_expected(s, f, m);
}

enum kr_verdict kr_verdict_run(const struct kr_scenario *s, const struct kr_run_facts *f,
			       char **reason, struct kr_title_match *match)
{
	struct kr_title_match ignored;
	if (!match)
		match = &ignored;
	*match = (struct kr_title_match){ 0 };
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
	struct kr_run_facts titled = *f;
	titled.title = title;
	if (kr_crash_expected(s, &titled, match)) {
		if (match->rule == KR_MATCH_FRAME)
			*reason = kr_asprintf("title matched through frame %s at depth %d: %s, "
					      "expected %s",
					      match->frame, match->depth, title, match->expected);
		else
			*reason = kr_asprintf("crash matches the expected title: %s", title);
		if (match == &ignored)
			kr_title_match_clear(match);
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
