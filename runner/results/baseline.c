/* SPDX-License-Identifier: MIT */
#include "baseline.h"

#include <string.h>

enum klass { BAD, GOOD, OTHER, UNKNOWN };

static enum klass klass_of(enum kr_verdict v)
{
	switch (v) {
	case KR_VERDICT_REPRODUCED:
		return BAD;
	case KR_VERDICT_CLEAN:
	case KR_VERDICT_FIXED:
		return GOOD;
	case KR_VERDICT_OTHER_CRASH:
		return OTHER;
	default:
		return UNKNOWN;
	}
}

enum kr_change kr_baseline_change(enum kr_verdict before, enum kr_verdict now)
{
	enum klass b = klass_of(before), n = klass_of(now);
	if (b == UNKNOWN || n == UNKNOWN)
		return KR_CHANGE_NOT_COMPARABLE;
	if (b == n)
		return KR_CHANGE_UNCHANGED;
	if (b == GOOD && n == BAD)
		return KR_CHANGE_REGRESSION;
	if (b == BAD && n == GOOD)
		return KR_CHANGE_NEW_FIX;
	return KR_CHANGE_CHANGED;
}

void kr_baseline_compare(struct kr_results *now, const struct kr_results *before,
			 const char *file)
{
	free(now->baseline_file);
	now->baseline_file = kr_strdup(file);
	for (size_t i = 0; i < now->n_scenarios; i++) {
		struct kr_scenario_result *sr = now->scenarios[i];
		sr->baseline.change = KR_CHANGE_NONE;
		if (sr->verdict == KR_VERDICT_SKIPPED)
			continue;
		const struct kr_scenario_result *old = NULL;
		for (size_t k = 0; before && k < before->n_scenarios && !old; k++)
			if (kr_streq_ptr(before->scenarios[k]->name, sr->name))
				old = before->scenarios[k];
		if (!old) {
			sr->baseline.change = KR_CHANGE_NEW;
			continue;
		}
		sr->baseline.verdict = old->verdict;
		sr->baseline.outcome = old->outcome;
		sr->baseline.change = kr_baseline_change(old->verdict, sr->verdict);
	}
}

void kr_baseline_count(const struct kr_results *r, int counts[KR_CHANGE_NOT_COMPARABLE + 1])
{
	memset(counts, 0, sizeof(int) * (KR_CHANGE_NOT_COMPARABLE + 1));
	for (size_t i = 0; i < r->n_scenarios; i++)
		counts[r->scenarios[i]->baseline.change]++;
}

static void list_names(struct kr_buf *b, const struct kr_results *r, enum kr_change c)
{
	const char *sep = " (";
	size_t shown = 0;
	for (size_t i = 0; i < r->n_scenarios; i++) {
		if (r->scenarios[i]->baseline.change != c)
			continue;
		if (shown++ == 10) {
			kr_buf_adds(b, ", ...");
			break;
		}
		kr_buf_printf(b, "%s%s", sep, r->scenarios[i]->name);
		sep = ", ";
	}
	if (shown)
		kr_buf_adds(b, ")");
}

char *kr_baseline_describe(const struct kr_results *r)
{
	int n[KR_CHANGE_NOT_COMPARABLE + 1];
	kr_baseline_count(r, n);
	if (!r->baseline_file)
		return NULL;
	struct kr_buf b = KR_BUF_INIT(64 << 10);
	kr_buf_printf(&b, "baseline %s: %d regression%s", r->baseline_file,
		      n[KR_CHANGE_REGRESSION], n[KR_CHANGE_REGRESSION] == 1 ? "" : "s");
	list_names(&b, r, KR_CHANGE_REGRESSION);
	kr_buf_printf(&b, ", %d new fix%s", n[KR_CHANGE_NEW_FIX],
		      n[KR_CHANGE_NEW_FIX] == 1 ? "" : "es");
	list_names(&b, r, KR_CHANGE_NEW_FIX);
	kr_buf_printf(&b, ", %d unchanged, %d changed, %d new, %d not comparable",
		      n[KR_CHANGE_UNCHANGED], n[KR_CHANGE_CHANGED], n[KR_CHANGE_NEW],
		      n[KR_CHANGE_NOT_COMPARABLE]);
	return kr_buf_steal(&b);
}
