/* SPDX-License-Identifier: MIT */
#include "results.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "diag.h"
#include "json-pos.h"
#include "json-read.h"

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
	[KR_VERDICT_SKIPPED] = "skipped",
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

const char *kr_match_rule_to_string(enum kr_match_rule m)
{
	switch (m) {
	case KR_MATCH_EXACT:
		return "exact";
	case KR_MATCH_FRAME:
		return "frame";
	case KR_MATCH_NONE:
		break;
	}
	return NULL;
}

int kr_match_rule_from_string(const char *s)
{
	for (int m = KR_MATCH_EXACT; m <= KR_MATCH_FRAME; m++)
		if (s && !strcmp(s, kr_match_rule_to_string((enum kr_match_rule)m)))
			return m;
	return -EINVAL;
}

void kr_title_match_clear(struct kr_title_match *m)
{
	free(m->expected);
	free(m->frame);
	*m = (struct kr_title_match){ 0 };
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
	case KR_OUTCOME_SKIPPED:
		return "skipped";
	}
	return "unknown";
}

int kr_outcome_from_string(const char *s)
{
	for (int o = KR_OUTCOME_MET; o <= KR_OUTCOME_SKIPPED; o++)
		if (s && !strcmp(s, kr_outcome_to_string((enum kr_outcome)o)))
			return o;
	return -EINVAL;
}

static const char *const change_names[] = {
	[KR_CHANGE_NONE] = "none",
	[KR_CHANGE_NEW] = "new",
	[KR_CHANGE_UNCHANGED] = "unchanged",
	[KR_CHANGE_REGRESSION] = "regression",
	[KR_CHANGE_NEW_FIX] = "new-fix",
	[KR_CHANGE_CHANGED] = "changed",
	[KR_CHANGE_NOT_COMPARABLE] = "not-comparable",
};

const char *kr_change_to_string(enum kr_change c)
{
	return (size_t)c < KR_ARRAY_SIZE(change_names) ? change_names[c] : "unknown";
}

int kr_change_from_string(const char *s)
{
	for (size_t i = 0; i < KR_ARRAY_SIZE(change_names); i++)
		if (s && !strcmp(s, change_names[i]))
			return (int)i;
	return -EINVAL;
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
	kr_title_match_clear(&run->match);
	free(run->crash_type);
	free(run->guilty_file);
	free(run->reason);
	free(run->accel);
	free(run->start);
	kr_strv_free(run->evidence);
	free(run->dir);
	free(run->console_log);
	free(run->console_times);
	free(run->report);
	free(run->qemu_cmdline);
	free(run->repro);
	free(run->execprog_log);
	free(run->repro_log);
	free(run->ssh_log);
	free(run->detectors);
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
	free(sr->qemu_version);
	kr_strv_free(sr->detectors);
	free(sr->cell.scenario);
	free(sr->cell.kernel);
	free(sr->cell.vm);
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
	free(r->kradar_version);
	free(r->baseline_file);
	free(r);
}

struct kr_scenario_result *kr_results_append(struct kr_results *r)
{
	struct kr_scenario_result *sr = kr_calloc(1, sizeof(*sr));
	sr->expected_titles = kr_calloc(1, sizeof(char *));
	sr->verdict = KR_VERDICT_INFRA_ERROR;
	sr->outcome = KR_OUTCOME_INCONCLUSIVE;
	sr->rate.value = sr->rate.low = sr->rate.high = NAN;
	r->scenarios = kr_realloc(r->scenarios, (r->n_scenarios + 1) * sizeof(*r->scenarios));
	r->scenarios[r->n_scenarios++] = sr;
	return sr;
}

struct kr_scenario_result *kr_results_add_scenario(struct kr_results *r,
						   const struct kr_scenario *s)
{
	struct kr_scenario_result *sr = kr_results_append(r);
	kr_strv_free(sr->expected_titles);
	sr->name = kr_strdup(s->name);
	sr->file = kr_strdup(s->file);
	sr->extid = kr_strdup(s->extid);
	sr->description = kr_strdup(s->description ? s->description : "");
	sr->expected = s->expect.verdict;
	sr->expected_titles = kr_strv_copy(s->expect.titles);
	sr->expected_title_regex = kr_strdup(s->expect.title_regex);
	sr->runs_planned = s->runs;
	return sr;
}

void kr_scenario_result_skip(struct kr_scenario_result *sr, const char *reason)
{
	sr->verdict = KR_VERDICT_SKIPPED;
	sr->outcome = KR_OUTCOME_SKIPPED;
	free(sr->reason);
	sr->reason = kr_strdup(reason);
}

struct kr_run_result *kr_run_result_new(int index)
{
	struct kr_run_result *run = kr_calloc(1, sizeof(*run));
	run->index = index;
	run->verdict = KR_VERDICT_INFRA_ERROR;
	run->evidence = kr_calloc(1, sizeof(char *));
	run->boot_s = -1;
	run->restore_s = -1;
	run->settle_s = -1;
	run->settle_planned_s = -1;
	run->started_at = kr_wall_s();
	return run;
}

void kr_scenario_result_insert_run(struct kr_scenario_result *sr, struct kr_run_result *run)
{
	sr->runs = kr_realloc(sr->runs, (sr->n_runs + 1) * sizeof(*sr->runs));
	size_t i = sr->n_runs++;
	for (; i > 0 && sr->runs[i - 1]->index > run->index; i--)
		sr->runs[i] = sr->runs[i - 1];
	sr->runs[i] = run;
}

struct kr_run_result *kr_scenario_result_add_run(struct kr_scenario_result *sr)
{
	struct kr_run_result *run = kr_run_result_new((int)sr->n_runs + 1);
	kr_scenario_result_insert_run(sr, run);
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

static struct kr_json *match_json(const struct kr_title_match *m)
{
	if (m->rule == KR_MATCH_NONE)
		return kr_json_null();
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "rule", kr_json_string(kr_match_rule_to_string(m->rule)));
	if (m->rule == KR_MATCH_FRAME) {
		kr_json_set(o, "expected", kr_json_string(m->expected));
		kr_json_set(o, "frame", kr_json_string(m->frame));
		kr_json_set(o, "depth", kr_json_int(m->depth));
	}
	return o;
}

struct kr_json *kr_run_result_to_json(const struct kr_run_result *run)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "run", kr_json_int(run->index));
	kr_json_set(o, "verdict", kr_json_string(kr_verdict_to_string(run->verdict)));
	kr_json_set(o, "title", kr_json_string(run->title));
	kr_json_set(o, "crash_type", kr_json_string(run->crash_type));
	if (run->guilty_file)
		kr_json_set(o, "guilty_file", kr_json_string(run->guilty_file));
	kr_json_set(o, "reason", kr_json_string(run->reason));
	kr_json_set(o, "match", match_json(&run->match));
	kr_json_set(o, "accel", kr_json_string(run->accel));
	kr_json_set(o, "started_at", kr_json_real(round(run->started_at * 1000) / 1000));
	kr_json_set(o, "duration_s", seconds(run->duration_s));
	kr_json_set(o, "boot_s", seconds(run->boot_s));
	if (run->start) {
		kr_json_set(o, "start", kr_json_string(run->start));
		kr_json_set(o, "restore_s", seconds(run->restore_s));
	}
	kr_json_set(o, "settle_s", seconds(run->settle_s));
	kr_json_set(o, "settle_planned_s", seconds(run->settle_planned_s));
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
		{ "repro_log", run->repro_log },       { "ssh_log", run->ssh_log },
		{ "detectors", run->detectors },
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

struct kr_json *kr_rate_to_json(const struct kr_rate *rate)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "reproduced", kr_json_int(rate->hits));
	kr_json_set(o, "conclusive", kr_json_int(rate->trials));
	kr_json_set(o, "value", real_or_null(rate->value));
	kr_json_set(o, "low", real_or_null(rate->low));
	kr_json_set(o, "high", real_or_null(rate->high));
	kr_json_set(o, "confidence", kr_json_real(0.95));
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
	kr_json_set(o, "rate", kr_rate_to_json(&sr->rate));
	kr_json_set(o, "runs_planned", kr_json_int(sr->runs_planned));
	kr_json_set(o, "kernel", kernel_json(&sr->kernel));
	kr_json_set(o, "qemu_version", kr_json_string(sr->qemu_version));
	if (sr->detectors && sr->detectors[0])
		kr_json_set(o, "detectors", kr_json_strv(sr->detectors));
	if (sr->disk) {
		struct kr_json *d = kr_json_object();
		kr_json_set(d, "image", kr_json_string(sr->disk));
		kr_json_set(d, "sha256", kr_json_string(sr->disk_sha256));
		kr_json_set(o, "disk", d);
	} else {
		kr_json_set(o, "disk", kr_json_null());
	}
	kr_json_set(o, "duration_s", seconds(sr->duration_s));
	if (sr->cell.scenario) {
		struct kr_json *c = kr_json_object();
		kr_json_set(c, "scenario", kr_json_string(sr->cell.scenario));
		kr_json_set(c, "kernel", kr_json_string(sr->cell.kernel));
		kr_json_set(c, "vm", kr_json_string(sr->cell.vm));
		kr_json_set(o, "cell", c);
	}
	if (sr->baseline.change != KR_CHANGE_NONE) {
		struct kr_json *b = kr_json_object();
		kr_json_set(b, "change", kr_json_string(kr_change_to_string(sr->baseline.change)));
		bool known = sr->baseline.change != KR_CHANGE_NEW;
		kr_json_set(b, "verdict", known ? kr_json_string(kr_verdict_to_string(
							  sr->baseline.verdict)) :
						  kr_json_null());
		kr_json_set(b, "outcome", known ? kr_json_string(kr_outcome_to_string(
							  sr->baseline.outcome)) :
						  kr_json_null());
		kr_json_set(o, "baseline", b);
	}
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
	kr_json_set(o, "kradar",
		    kr_json_string(r->kradar_version ? r->kradar_version : KRADAR_VERSION));
	kr_json_set(o, "started_at", kr_json_real(round(r->started_at * 1000) / 1000));
	kr_json_set(o, "duration_s", seconds(r->duration_s));
	kr_json_set(o, "interrupted", kr_json_bool(r->interrupted));
	kr_json_set(o, "exit_code", kr_json_int(kr_results_exit_code(r)));
	if (r->shard_total) {
		struct kr_json *sh = kr_json_object();
		kr_json_set(sh, "index", kr_json_int(r->shard_index));
		kr_json_set(sh, "total", kr_json_int(r->shard_total));
		kr_json_set(o, "shard", sh);
	}
	if (r->baseline_file)
		kr_json_set(o, "baseline", kr_json_string(r->baseline_file));
	if (r->jobs) {
		struct kr_json *sc = kr_json_object();
		kr_json_set(sc, "jobs", kr_json_int(r->jobs));
		kr_json_set(sc, "cpus", kr_json_int(r->budget_cpus));
		kr_json_set(sc, "mem_mb", kr_json_int(r->budget_mem_mb));
		kr_json_set(o, "scheduler", sc);
	}
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

/* ----- reading results.json back ----- */

/* results.json of 100000 runs stays far below this. */
#define RESULTS_MAX_BYTES (512u << 20)

struct reader {
	const char *file;
	struct kr_json_pos_index *pos;
	char *err; /* the first problem, formatted */
};

static void reader_fail(struct reader *rd, const char *path, const char *fmt, ...) KR_PRINTF(3, 4);
static void reader_fail(struct reader *rd, const char *path, const char *fmt, ...)
{
	if (rd->err)
		return;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	struct kr_json_pos p = kr_json_pos_value(rd->pos, path);
	struct kr_diag d = { .file = (char *)rd->file, .line = p.line, .column = p.column,
			     .path = (char *)path, .message = msg };
	rd->err = kr_diag_format(&d);
}

/* obj[key] with its path in *path; NULL when absent or null. A present
 * value that fails is_ok is reported as not being `want`. */
static json_t *reader_get(struct reader *rd, json_t *obj, const char *parent, const char *key,
			  int (*is_ok)(const json_t *), const char *want, bool required, char **path)
{
	*path = kr_json_path_key(parent, key);
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v)) {
		if (required)
			reader_fail(rd, parent, "\"%s\" is missing", key);
		return NULL;
	}
	if (!is_ok(v)) {
		reader_fail(rd, *path, "expected %s, got %s", want, kr_json_type_name(v));
		return NULL;
	}
	return v;
}

static int is_string(const json_t *v) { return json_is_string(v); }
static int is_number(const json_t *v) { return json_is_number(v); }
static int is_integer(const json_t *v) { return json_is_integer(v); }
static int is_boolean(const json_t *v) { return json_is_boolean(v); }
static int is_object(const json_t *v) { return json_is_object(v); }
static int is_array(const json_t *v) { return json_is_array(v); }

static char *read_str(struct reader *rd, json_t *obj, const char *parent, const char *key)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = reader_get(rd, obj, parent, key, is_string, "a string", false, &path);
	return v ? kr_strdup(json_string_value(v)) : NULL;
}

/* A number; if_null when absent or null. */
static double read_num(struct reader *rd, json_t *obj, const char *parent, const char *key,
		       double if_null)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = reader_get(rd, obj, parent, key, is_number, "a number", false, &path);
	return v ? json_number_value(v) : if_null;
}

static int read_int(struct reader *rd, json_t *obj, const char *parent, const char *key)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = reader_get(rd, obj, parent, key, is_integer, "an integer", false, &path);
	if (!v)
		return 0;
	json_int_t i = json_integer_value(v);
	if (i < 0 || i > INT_MAX) {
		reader_fail(rd, path, "%" JSON_INTEGER_FORMAT " is out of range", i);
		return 0;
	}
	return (int)i;
}

static bool read_bool(struct reader *rd, json_t *obj, const char *parent, const char *key)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = reader_get(rd, obj, parent, key, is_boolean, "a boolean", false, &path);
	return v && json_is_true(v);
}

static char **read_strv(struct reader *rd, json_t *obj, const char *parent, const char *key)
{
	char **out = kr_calloc(1, sizeof(char *));
	_cleanup_free_ char *path = NULL;
	json_t *a = reader_get(rd, obj, parent, key, is_array, "an array of strings", false, &path);
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) {
		if (!json_is_string(e)) {
			_cleanup_free_ char *p = kr_json_path_index(path, i);
			reader_fail(rd, p, "expected a string, got %s", kr_json_type_name(e));
			break;
		}
		kr_strv_push(&out, kr_strdup(json_string_value(e)));
	}
	return out;
}

/* A string naming one of a set of values; -1 when absent (and not
 * required) or bad. */
static int read_name(struct reader *rd, json_t *obj, const char *parent, const char *key,
		     bool required, int (*from_string)(const char *), int limit, const char *what)
{
	_cleanup_free_ char *path = NULL;
	json_t *v = reader_get(rd, obj, parent, key, is_string, "a string", required, &path);
	if (!v)
		return -1;
	int r = from_string(json_string_value(v));
	if (r < 0 || r >= limit) {
		reader_fail(rd, path, "\"%s\" is not %s", json_string_value(v), what);
		return -1;
	}
	return r;
}

static int expect_from_string(const char *s)
{
	for (int e = KR_EXPECT_REPRODUCED; e <= KR_EXPECT_FIXED; e++)
		if (!strcmp(s, kr_expect_verdict_to_string((enum kr_expect_verdict)e)))
			return e;
	return -EINVAL;
}

/* A run's "match" (absent or null: none, as in results of older kradars). */
static void read_match(struct reader *rd, json_t *o, const char *path, struct kr_title_match *m)
{
	_cleanup_free_ char *mpath = NULL, *dpath = NULL;
	json_t *mo = reader_get(rd, o, path, "match", is_object, "an object", false, &mpath);
	if (!mo)
		return;
	int rule = read_name(rd, mo, mpath, "rule", true, kr_match_rule_from_string,
			     KR_MATCH_FRAME + 1, "exact or frame");
	if (rule < 0)
		return;
	m->rule = (enum kr_match_rule)rule;
	m->expected = read_str(rd, mo, mpath, "expected");
	m->frame = read_str(rd, mo, mpath, "frame");
	/* depth may be negative: read_int takes counts only */
	json_t *d = reader_get(rd, mo, mpath, "depth", is_integer, "an integer", false, &dpath);
	if (d && (json_integer_value(d) < INT_MIN || json_integer_value(d) > INT_MAX))
		reader_fail(rd, dpath, "%" JSON_INTEGER_FORMAT " is out of range",
			    json_integer_value(d));
	else if (d)
		m->depth = (int)json_integer_value(d);
}

static void read_run(struct reader *rd, json_t *o, const char *path, struct kr_scenario_result *sr)
{
	struct kr_run_result *run = kr_scenario_result_add_run(sr);
	int index = read_int(rd, o, path, "run");
	if (index > 0)
		run->index = index;
	int v = read_name(rd, o, path, "verdict", true, kr_verdict_from_string, KR_RUN_VERDICTS,
			  "a run verdict");
	if (v >= 0)
		run->verdict = (enum kr_verdict)v;
	run->title = read_str(rd, o, path, "title");
	run->crash_type = read_str(rd, o, path, "crash_type");
	run->guilty_file = read_str(rd, o, path, "guilty_file");
	run->reason = read_str(rd, o, path, "reason");
	read_match(rd, o, path, &run->match);
	run->accel = read_str(rd, o, path, "accel");
	run->started_at = read_num(rd, o, path, "started_at", 0);
	run->duration_s = read_num(rd, o, path, "duration_s", -1);
	run->boot_s = read_num(rd, o, path, "boot_s", -1);
	run->start = read_str(rd, o, path, "start");
	run->restore_s = read_num(rd, o, path, "restore_s", -1);
	run->settle_s = read_num(rd, o, path, "settle_s", -1);
	run->settle_planned_s = read_num(rd, o, path, "settle_planned_s", -1);
	kr_strv_free(run->evidence);
	run->evidence = read_strv(rd, o, path, "evidence");
	run->dir = read_str(rd, o, path, "dir");
	if (run->dir && !kr_relpath_ok(run->dir)) {
		_cleanup_free_ char *p = kr_json_path_key(path, "dir");
		reader_fail(rd, p, "\"%s\" is not a directory inside the results' directory",
			    run->dir);
	}
	_cleanup_free_ char *apath = NULL;
	json_t *a = reader_get(rd, o, path, "artifacts", is_object, "an object", false, &apath);
	run->console_log = read_str(rd, a, apath, "console_log");
	run->console_times = read_str(rd, a, apath, "console_times");
	run->report = read_str(rd, a, apath, "report");
	run->qemu_cmdline = read_str(rd, a, apath, "qemu_cmdline");
	run->repro = read_str(rd, a, apath, "repro");
	run->execprog_log = read_str(rd, a, apath, "execprog_log");
	run->repro_log = read_str(rd, a, apath, "repro_log");
	run->ssh_log = read_str(rd, a, apath, "ssh_log");
	run->detectors = read_str(rd, a, apath, "detectors");
	const char *const names[] = { run->console_log, run->console_times, run->report,
				      run->qemu_cmdline, run->repro, run->execprog_log,
				      run->repro_log, run->ssh_log, run->detectors };
	for (size_t i = 0; i < KR_ARRAY_SIZE(names); i++)
		if (names[i] && !kr_name_ok(names[i]))
			reader_fail(rd, apath, "\"%s\" is not a file name of the run's directory",
				    names[i]);
}

static void read_scenario(struct reader *rd, json_t *o, const char *path, struct kr_results *r)
{
	struct kr_scenario_result *sr = kr_results_append(r);
	sr->name = read_str(rd, o, path, "name");
	if (!sr->name)
		reader_fail(rd, path, "\"name\" is missing");
	sr->file = read_str(rd, o, path, "file");
	sr->extid = read_str(rd, o, path, "extid");
	sr->description = read_str(rd, o, path, "description");
	int e = read_name(rd, o, path, "expected", true, expect_from_string, KR_EXPECT_FIXED + 1,
			  "reproduced, clean or fixed");
	if (e >= 0)
		sr->expected = (enum kr_expect_verdict)e;
	kr_strv_free(sr->expected_titles);
	sr->expected_titles = read_strv(rd, o, path, "expected_titles");
	sr->expected_title_regex = read_str(rd, o, path, "expected_title_regex");
	int v = read_name(rd, o, path, "verdict", true, kr_verdict_from_string,
			  KR_VERDICT_SKIPPED + 1, "a verdict");
	if (v >= 0)
		sr->verdict = (enum kr_verdict)v;
	int oc = read_name(rd, o, path, "outcome", true, kr_outcome_from_string,
			   KR_OUTCOME_SKIPPED + 1, "met, failed, inconclusive or skipped");
	if (oc >= 0)
		sr->outcome = (enum kr_outcome)oc;
	sr->reason = read_str(rd, o, path, "reason");

	_cleanup_free_ char *cpath = NULL, *rpath = NULL, *kpath = NULL, *dpath = NULL,
			     *runspath = NULL;
	json_t *counts = reader_get(rd, o, path, "counts", is_object, "an object", false, &cpath);
	for (int i = 0; i < KR_RUN_VERDICTS; i++)
		sr->counts[i] = read_int(rd, counts, cpath, kr_verdict_to_string((enum kr_verdict)i));
	json_t *rate = reader_get(rd, o, path, "rate", is_object, "an object", false, &rpath);
	sr->rate.hits = read_int(rd, rate, rpath, "reproduced");
	sr->rate.trials = read_int(rd, rate, rpath, "conclusive");
	sr->rate.value = read_num(rd, rate, rpath, "value", NAN);
	sr->rate.low = read_num(rd, rate, rpath, "low", NAN);
	sr->rate.high = read_num(rd, rate, rpath, "high", NAN);
	sr->runs_planned = read_int(rd, o, path, "runs_planned");

	json_t *k = reader_get(rd, o, path, "kernel", is_object, "an object", false, &kpath);
	sr->kernel.label = read_str(rd, k, kpath, "label");
	sr->kernel.image = read_str(rd, k, kpath, "image");
	sr->kernel.sha256 = read_str(rd, k, kpath, "sha256");
	sr->kernel.source = read_str(rd, k, kpath, "source");
	sr->kernel.tree = read_str(rd, k, kpath, "tree");
	sr->kernel.commit = read_str(rd, k, kpath, "commit");
	sr->kernel.config_sha256 = read_str(rd, k, kpath, "config_sha256");
	sr->kernel.cache_key = read_str(rd, k, kpath, "cache_key");
	sr->kernel.fragment_dropped = read_strv(rd, k, kpath, "fragment_dropped");
	if (!sr->kernel.fragment_dropped[0]) {
		free(sr->kernel.fragment_dropped);
		sr->kernel.fragment_dropped = NULL;
	}
	sr->qemu_version = read_str(rd, o, path, "qemu_version");
	sr->detectors = read_strv(rd, o, path, "detectors");
	json_t *d = reader_get(rd, o, path, "disk", is_object, "an object or null", false, &dpath);
	sr->disk = read_str(rd, d, dpath, "image");
	sr->disk_sha256 = read_str(rd, d, dpath, "sha256");
	sr->duration_s = read_num(rd, o, path, "duration_s", -1);
	_cleanup_free_ char *cellpath = NULL, *bpath = NULL;
	json_t *cell = reader_get(rd, o, path, "cell", is_object, "an object or null", false,
				  &cellpath);
	sr->cell.scenario = read_str(rd, cell, cellpath, "scenario");
	sr->cell.kernel = read_str(rd, cell, cellpath, "kernel");
	sr->cell.vm = read_str(rd, cell, cellpath, "vm");
	json_t *base = reader_get(rd, o, path, "baseline", is_object, "an object or null", false,
				  &bpath);
	if (base) {
		int c = read_name(rd, base, bpath, "change", true, kr_change_from_string,
				  KR_CHANGE_NOT_COMPARABLE + 1, "a baseline change");
		sr->baseline.change = c > 0 ? (enum kr_change)c : KR_CHANGE_NONE;
		int bv = read_name(rd, base, bpath, "verdict", false, kr_verdict_from_string,
				   KR_VERDICT_SKIPPED + 1, "a verdict");
		sr->baseline.verdict = bv >= 0 ? (enum kr_verdict)bv : KR_VERDICT_INFRA_ERROR;
		int bo = read_name(rd, base, bpath, "outcome", false, kr_outcome_from_string,
				   KR_OUTCOME_SKIPPED + 1, "met, failed, inconclusive or skipped");
		sr->baseline.outcome = bo >= 0 ? (enum kr_outcome)bo : KR_OUTCOME_INCONCLUSIVE;
	}

	json_t *runs = reader_get(rd, o, path, "runs", is_array, "an array", false, &runspath);
	size_t i;
	json_t *run;
	json_array_foreach(runs, i, run) {
		_cleanup_free_ char *p = kr_json_path_index(runspath, i);
		if (!json_is_object(run))
			reader_fail(rd, p, "expected an object, got %s", kr_json_type_name(run));
		else
			read_run(rd, run, p, sr);
		if (rd->err)
			break;
	}
}

int kr_results_load_text(const char *file, const char *text, size_t len,
			 struct kr_results **out, char **err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_ALLOW_NUL, &jerr);
	if (!root) {
		*err = kr_asprintf("%s:%d:%d: invalid JSON: %s", file, jerr.line > 0 ? jerr.line : 1,
				   jerr.column > 0 ? jerr.column : 1, jerr.text);
		return -EINVAL;
	}
	_cleanup_free_ char *abs = kr_path_absolute(NULL, file);
	_cleanup_free_ char *dir = kr_path_dirname(abs);
	_cleanup_results_free_ struct kr_results *r = kr_results_new(dir);
	struct reader rd = { .file = file, .pos = kr_json_pos_index_new(text, len) };
	_cleanup_free_ char *spath = NULL, *vpath = NULL;
	json_t *version;
	if (!json_is_object(root)) {
		reader_fail(&rd, "", "results.json holds an object, got %s", kr_json_type_name(root));
	} else if ((version = reader_get(&rd, root, "", "version", is_integer, "an integer", true,
					 &vpath))) {
		if (json_integer_value(version) != KR_RESULTS_VERSION)
			reader_fail(&rd, vpath, "version %" JSON_INTEGER_FORMAT " is not %d, the "
				    "version this kradar reads", json_integer_value(version),
				    KR_RESULTS_VERSION);
	}
	if (!rd.err) {
		r->kradar_version = read_str(&rd, root, "", "kradar");
		r->started_at = read_num(&rd, root, "", "started_at", 0);
		r->duration_s = read_num(&rd, root, "", "duration_s", -1);
		r->interrupted = read_bool(&rd, root, "", "interrupted");
		int code = read_int(&rd, root, "", "exit_code");
		r->signal = r->interrupted && code > 128 ? code - 128 : 0;
		_cleanup_free_ char *shpath = NULL, *scpath = NULL;
		json_t *sh = reader_get(&rd, root, "", "shard", is_object, "an object", false,
					&shpath);
		r->shard_index = read_int(&rd, sh, shpath, "index");
		r->shard_total = read_int(&rd, sh, shpath, "total");
		r->baseline_file = read_str(&rd, root, "", "baseline");
		json_t *sc = reader_get(&rd, root, "", "scheduler", is_object, "an object", false,
					&scpath);
		r->jobs = read_int(&rd, sc, scpath, "jobs");
		r->budget_cpus = read_int(&rd, sc, scpath, "cpus");
		r->budget_mem_mb = read_int(&rd, sc, scpath, "mem_mb");
		json_t *a = reader_get(&rd, root, "", "scenarios", is_array, "an array", true,
				       &spath);
		size_t i;
		json_t *o;
		json_array_foreach(a, i, o) {
			_cleanup_free_ char *p = kr_json_path_index(spath, i);
			if (!json_is_object(o))
				reader_fail(&rd, p, "expected an object, got %s",
					    kr_json_type_name(o));
			else
				read_scenario(&rd, o, p, r);
			if (rd.err)
				break;
		}
	}
	json_decref(root);
	kr_json_pos_index_free(rd.pos);
	if (rd.err) {
		*err = rd.err;
		return -EINVAL;
	}
	*out = KR_TAKE_PTR(r);
	return 0;
}

int kr_results_load(const char *path, struct kr_results **out, char **err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = kr_read_file(path, RESULTS_MAX_BYTES, &text, &len);
	if (r < 0) {
		*err = kr_asprintf("%s: cannot read: %s", path,
				   r == -EFBIG ? "larger than 512 MiB" : strerror(-r));
		return r;
	}
	return kr_results_load_text(path, text, len, out, err);
}
