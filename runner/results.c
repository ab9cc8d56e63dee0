/* SPDX-License-Identifier: MIT */
#include "results.h"

#include <math.h>
#include <string.h>

#ifndef KRADAR_VERSION
#define KRADAR_VERSION "unknown"
#endif

static const char *const verdict_names[] = {
	[KR_VERDICT_REPRODUCED] = "reproduced",
	[KR_VERDICT_OTHER_CRASH] = "other-crash",
	[KR_VERDICT_ARTIFACT_STALL] = "artifact-stall",
	[KR_VERDICT_CLEAN] = "clean",
	[KR_VERDICT_INFRA_ERROR] = "infra-error",
	[KR_VERDICT_FIXED] = "fixed",
};

const char *kr_verdict_to_string(enum kr_verdict v)
{
	return (size_t)v < KR_ARRAY_SIZE(verdict_names) ? verdict_names[v] : "unknown";
}

int kr_verdict_from_string(const char *s)
{
	for (size_t i = 0; i < KR_ARRAY_SIZE(verdict_names); i++)
		if (s && !strcmp(s, verdict_names[i]))
			return (int)i;
	return -EINVAL;
}

const char *kr_outcome_to_string(enum kr_outcome o)
{
	switch (o) {
	case KR_OUTCOME_MET:
		return "met";
	case KR_OUTCOME_FAILED:
		return "failed";
	case KR_OUTCOME_INCONCLUSIVE:
		return "inconclusive";
	}
	return "unknown";
}

struct kr_results *kr_results_new(const char *out_dir)
{
	struct kr_results *r = kr_calloc(1, sizeof(*r));
	r->out_dir = kr_strdup(out_dir);
	r->started_at = kr_wall_s();
	return r;
}

static void run_free(struct kr_run_result *run)
{
	if (!run)
		return;
	free(run->title);
	free(run->crash_type);
	free(run->reason);
	free(run->accel);
	kr_strv_free(run->evidence);
	free(run->dir);
	free(run->console_log);
	free(run->console_times);
	free(run->report);
	free(run->qemu_cmdline);
	free(run->repro);
	free(run->execprog_log);
	free(run);
}

static void scenario_free(struct kr_scenario_result *sr)
{
	if (!sr)
		return;
	free(sr->name);
	free(sr->file);
	free(sr->extid);
	free(sr->description);
	kr_strv_free(sr->expected_titles);
	free(sr->expected_title_regex);
	free(sr->reason);
	free(sr->kernel.label);
	free(sr->kernel.image);
	free(sr->kernel.sha256);
	free(sr->kernel.source);
	free(sr->kernel.tree);
	free(sr->kernel.commit);
	free(sr->kernel.config_sha256);
	free(sr->kernel.cache_key);
	kr_strv_free(sr->kernel.fragment_dropped);
	free(sr->disk);
	free(sr->disk_sha256);
	for (size_t i = 0; i < sr->n_runs; i++)
		run_free(sr->runs[i]);
	free(sr->runs);
	free(sr);
}

void kr_results_free(struct kr_results *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_scenarios; i++)
		scenario_free(r->scenarios[i]);
	free(r->scenarios);
	free(r->out_dir);
	free(r);
}

struct kr_scenario_result *kr_results_add_scenario(struct kr_results *r,
						   const struct kr_scenario *s)
{
	struct kr_scenario_result *sr = kr_calloc(1, sizeof(*sr));
	sr->name = kr_strdup(s->name);
	sr->file = kr_strdup(s->file);
	sr->extid = kr_strdup(s->extid);
	sr->description = kr_strdup(s->description ? s->description : "");
	sr->expected = s->expect.verdict;
	sr->expected_titles = kr_strv_copy(s->expect.titles);
	sr->expected_title_regex = kr_strdup(s->expect.title_regex);
	sr->runs_planned = s->runs;
	sr->verdict = KR_VERDICT_INFRA_ERROR;
	sr->outcome = KR_OUTCOME_INCONCLUSIVE;
	sr->rate.value = sr->rate.low = sr->rate.high = NAN;
	r->scenarios = kr_realloc(r->scenarios, (r->n_scenarios + 1) * sizeof(*r->scenarios));
	r->scenarios[r->n_scenarios++] = sr;
	return sr;
}

struct kr_run_result *kr_scenario_result_add_run(struct kr_scenario_result *sr)
{
	struct kr_run_result *run = kr_calloc(1, sizeof(*run));
	run->index = (int)sr->n_runs + 1;
	run->verdict = KR_VERDICT_INFRA_ERROR;
	run->evidence = kr_calloc(1, sizeof(char *));
	run->boot_s = -1;
	run->started_at = kr_wall_s();
	sr->runs = kr_realloc(sr->runs, (sr->n_runs + 1) * sizeof(*sr->runs));
	sr->runs[sr->n_runs++] = run;
	return run;
}

static struct kr_json *real_or_null(double v)
{
	return isnan(v) ? kr_json_null() : kr_json_real(v);
}

/* Seconds rounded to milliseconds: more digits would be noise. */
static struct kr_json *seconds(double v)
{
	return v < 0 || isnan(v) ? kr_json_null() : kr_json_real(round(v * 1000) / 1000);
}

struct kr_json *kr_run_result_to_json(const struct kr_run_result *run)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "run", kr_json_int(run->index));
	kr_json_set(o, "verdict", kr_json_string(kr_verdict_to_string(run->verdict)));
	kr_json_set(o, "title", kr_json_string(run->title));
	kr_json_set(o, "crash_type", kr_json_string(run->crash_type));
	kr_json_set(o, "reason", kr_json_string(run->reason));
	kr_json_set(o, "accel", kr_json_string(run->accel));
	kr_json_set(o, "started_at", kr_json_real(round(run->started_at * 1000) / 1000));
	kr_json_set(o, "duration_s", seconds(run->duration_s));
	kr_json_set(o, "boot_s", seconds(run->boot_s));
	kr_json_set(o, "evidence", kr_json_strv(run->evidence));
	kr_json_set(o, "dir", kr_json_string(run->dir));
	struct kr_json *a = kr_json_object();
	const struct {
		const char *key;
		const char *value;
	} artifacts[] = {
		{ "console_log", run->console_log },   { "console_times", run->console_times },
		{ "report", run->report },             { "qemu_cmdline", run->qemu_cmdline },
		{ "repro", run->repro },               { "execprog_log", run->execprog_log },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(artifacts); i++)
		if (artifacts[i].value)
			kr_json_set(a, artifacts[i].key, kr_json_string(artifacts[i].value));
	kr_json_set(o, "artifacts", a);
	return o;
}

static struct kr_json *kernel_json(const struct kr_kernel_identity *k)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "label", kr_json_string(k->label));
	kr_json_set(o, "image", kr_json_string(k->image));
	kr_json_set(o, "sha256", kr_json_string(k->sha256));
	if (k->source) {
		kr_json_set(o, "source", kr_json_string(k->source));
		kr_json_set(o, "tree", kr_json_string(k->tree));
		kr_json_set(o, "commit", kr_json_string(k->commit));
		kr_json_set(o, "config_sha256", kr_json_string(k->config_sha256));
		kr_json_set(o, "cache_key", kr_json_string(k->cache_key));
		kr_json_set(o, "fragment_dropped", kr_json_strv(k->fragment_dropped));
	}
	return o;
}

struct kr_json *kr_scenario_result_to_json(const struct kr_scenario_result *sr)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "name", kr_json_string(sr->name));
	kr_json_set(o, "file", kr_json_string(sr->file));
	kr_json_set(o, "extid", kr_json_string(sr->extid));
	kr_json_set(o, "description", kr_json_string(sr->description));
	kr_json_set(o, "expected", kr_json_string(kr_expect_verdict_to_string(sr->expected)));
	kr_json_set(o, "expected_titles", kr_json_strv(sr->expected_titles));
	kr_json_set(o, "expected_title_regex", kr_json_string(sr->expected_title_regex));
	kr_json_set(o, "verdict", kr_json_string(kr_verdict_to_string(sr->verdict)));
	kr_json_set(o, "outcome", kr_json_string(kr_outcome_to_string(sr->outcome)));
	kr_json_set(o, "reason", kr_json_string(sr->reason));
	struct kr_json *counts = kr_json_object();
	for (int v = 0; v < KR_RUN_VERDICTS; v++)
		kr_json_set(counts, kr_verdict_to_string((enum kr_verdict)v),
			    kr_json_int(sr->counts[v]));
	kr_json_set(o, "counts", counts);
	struct kr_json *rate = kr_json_object();
	kr_json_set(rate, "reproduced", kr_json_int(sr->rate.hits));
	kr_json_set(rate, "conclusive", kr_json_int(sr->rate.trials));
	kr_json_set(rate, "value", real_or_null(sr->rate.value));
	kr_json_set(rate, "low", real_or_null(sr->rate.low));
	kr_json_set(rate, "high", real_or_null(sr->rate.high));
	kr_json_set(rate, "confidence", kr_json_real(0.95));
	kr_json_set(o, "rate", rate);
	kr_json_set(o, "runs_planned", kr_json_int(sr->runs_planned));
	kr_json_set(o, "kernel", kernel_json(&sr->kernel));
	if (sr->disk) {
		struct kr_json *d = kr_json_object();
		kr_json_set(d, "image", kr_json_string(sr->disk));
		kr_json_set(d, "sha256", kr_json_string(sr->disk_sha256));
		kr_json_set(o, "disk", d);
	} else {
		kr_json_set(o, "disk", kr_json_null());
	}
	kr_json_set(o, "duration_s", seconds(sr->duration_s));
	struct kr_json *runs = kr_json_array();
	for (size_t i = 0; i < sr->n_runs; i++)
		kr_json_append(runs, kr_run_result_to_json(sr->runs[i]));
	kr_json_set(o, "runs", runs);
	return o;
}

struct kr_json *kr_results_to_json(const struct kr_results *r)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "version", kr_json_int(KR_RESULTS_VERSION));
	kr_json_set(o, "kradar", kr_json_string(KRADAR_VERSION));
	kr_json_set(o, "started_at", kr_json_real(round(r->started_at * 1000) / 1000));
	kr_json_set(o, "duration_s", seconds(r->duration_s));
	kr_json_set(o, "interrupted", kr_json_bool(r->interrupted));
	kr_json_set(o, "exit_code", kr_json_int(kr_results_exit_code(r)));
	struct kr_json *a = kr_json_array();
	for (size_t i = 0; i < r->n_scenarios; i++)
		kr_json_append(a, kr_scenario_result_to_json(r->scenarios[i]));
	kr_json_set(o, "scenarios", a);
	return o;
}

int kr_results_write(const struct kr_results *r)
{
	_cleanup_json_free_ struct kr_json *j = kr_results_to_json(r);
	_cleanup_free_ char *path = kr_path_join(r->out_dir, "results.json");
	return kr_json_write_file(j, path);
}

int kr_run_result_write(const struct kr_scenario_result *sr, const struct kr_run_result *run,
			const char *path)
{
	_cleanup_json_free_ struct kr_json *j = kr_run_result_to_json(run);
	kr_json_set(j, "scenario", kr_json_string(sr->name));
	kr_json_set(j, "expected", kr_json_string(kr_expect_verdict_to_string(sr->expected)));
	kr_json_set(j, "version", kr_json_int(KR_RESULTS_VERSION));
	return kr_json_write_file(j, path);
}

int kr_results_exit_code(const struct kr_results *r)
{
	if (r->interrupted)
		return 128 + r->signal;
	bool failed = false, inconclusive = false;
	for (size_t i = 0; i < r->n_scenarios; i++) {
		failed |= r->scenarios[i]->outcome == KR_OUTCOME_FAILED;
		inconclusive |= r->scenarios[i]->outcome == KR_OUTCOME_INCONCLUSIVE;
	}
	if (failed)
		return 1;
	return inconclusive ? 3 : 0;
}
