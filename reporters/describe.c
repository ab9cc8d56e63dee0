/* SPDX-License-Identifier: MIT */
#include "describe.h"

#include <math.h>
#include <string.h>

const struct kr_run_result *kr_describe_main_run(const struct kr_scenario_result *sr)
{
	if (!sr->n_runs)
		return NULL;
	enum kr_verdict want = sr->verdict == KR_VERDICT_FIXED ? KR_VERDICT_CLEAN : sr->verdict;
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->verdict == want)
			return sr->runs[i];
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->title)
			return sr->runs[i];
	return sr->runs[sr->n_runs - 1];
}

char *kr_describe_name(const struct kr_results *r, size_t i)
{
	const struct kr_scenario_result *sr = r->scenarios[i];
	const char *name = sr->name ? sr->name : "unnamed";
	bool shared = false;
	for (size_t k = 0; k < r->n_scenarios && !shared; k++)
		shared = k != i && kr_streq_ptr(r->scenarios[k]->name, sr->name);
	if (!shared)
		return kr_strdup(name);
	if (sr->kernel.label)
		return kr_asprintf("%s [%s]", name, sr->kernel.label);
	if (sr->kernel.sha256)
		return kr_asprintf("%s [%.12s]", name, sr->kernel.sha256);
	return kr_asprintf("%s [#%zu]", name, i + 1);
}

char *kr_describe_verdict(const struct kr_scenario_result *sr)
{
	const char *expected = kr_expect_verdict_to_string(sr->expected);
	if (sr->outcome == KR_OUTCOME_SKIPPED)
		return kr_asprintf("expected %s, not run", expected);
	enum kr_verdict v = sr->verdict == KR_VERDICT_FIXED ? KR_VERDICT_CLEAN : sr->verdict;
	int k = v < KR_RUN_VERDICTS ? sr->counts[v] : 0;
	return kr_asprintf("expected %s, got %s (%d/%zu run%s)", expected,
			   kr_verdict_to_string(sr->verdict), k, sr->n_runs,
			   sr->n_runs == 1 ? "" : "s");
}

char *kr_describe_rate(const struct kr_scenario_result *sr)
{
	if (sr->rate.trials <= 0 || isnan(sr->rate.value))
		return kr_asprintf("%d/%d", sr->rate.hits, sr->rate.trials);
	return kr_asprintf("%d/%d = %.2f, 95%% CI %.2f-%.2f", sr->rate.hits, sr->rate.trials,
			   sr->rate.value, sr->rate.low, sr->rate.high);
}

char **kr_describe_titles(const struct kr_scenario_result *sr)
{
	char **v = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->title && !kr_strv_contains(v, sr->runs[i]->title))
			kr_strv_push(&v, kr_strdup(sr->runs[i]->title));
	return v;
}

char *kr_describe_accels(const struct kr_scenario_result *sr)
{
	_cleanup_strv_free_ char **v = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; i < sr->n_runs; i++)
		if (sr->runs[i]->accel && !kr_strv_contains(v, sr->runs[i]->accel))
			kr_strv_push(&v, kr_strdup(sr->runs[i]->accel));
	if (!v[0])
		return NULL;
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (size_t i = 0; v[i]; i++)
		kr_buf_printf(&b, "%s%s", i ? ", " : "", v[i]);
	return kr_buf_steal(&b);
}

char *kr_describe_run(const struct kr_scenario_result *sr, const struct kr_run_result *run)
{
	const char *what = run->title;
	if (!what || run->verdict == KR_VERDICT_INFRA_ERROR)
		what = run->reason;
	double d = run->duration_s >= 0 && isfinite(run->duration_s) ? run->duration_s : 0;
	/* a title other than the expected one: say why it counts */
	_cleanup_free_ char *how = run->match.rule == KR_MATCH_FRAME && run->match.frame ?
		kr_asprintf(" (through frame %s at depth %d)", run->match.frame, run->match.depth) :
		kr_strdup("");
	return kr_asprintf("run %d/%d: %s%s%s%s [%s, %.1f s]", run->index,
			   sr->runs_planned > 0 ? sr->runs_planned : (int)sr->n_runs,
			   kr_verdict_to_string(run->verdict), what ? ": " : "", what ? what : "", how,
			   run->accel ? run->accel : "no guest", d);
}

char *kr_describe_artifact(const struct kr_results *r, const struct kr_run_result *run,
			   const char *file)
{
	if (!file || !run->dir)
		return NULL;
	_cleanup_free_ char *dir = kr_path_join(r->out_dir, run->dir);
	return kr_path_join(dir, file);
}

const char *kr_describe_seconds(double s, char *buf, size_t size)
{
	snprintf(buf, size, "%.3f", s >= 0 && isfinite(s) ? s : 0.0);
	return buf;
}
