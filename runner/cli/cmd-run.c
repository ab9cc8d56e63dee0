/* SPDX-License-Identifier: MIT */
/* kradar run [--out DIR] SCENARIO|DIR|MATRIX...: the flags, the cells
 * loaded, the run engine (runner/run/run.h) called, and the table of
 * verdicts it ends with; --bisect turns the verdict into git bisect run's
 * exit status. */
#include <string.h>

#include "baseline.h"
#include "cli.h"
#include "log.h"
#include "matrix.h"
#include "results.h"
#include "run.h"
#include "scenario.h"
#include "shard.h"
#include "table.h"

_Static_assert((int)KR_ENGINE_DONE == (int)KR_EXIT_OK &&
		       (int)KR_ENGINE_BAD_BASELINE == (int)KR_EXIT_USAGE &&
		       (int)KR_ENGINE_HOST_FAILED == (int)KR_EXIT_ENVIRONMENT,
	       "the engine's answers are kradar's exit statuses");

static void print_table(const struct kr_results *r)
{
	size_t w = 8;
	for (size_t i = 0; i < r->n_scenarios; i++)
		if (strlen(r->scenarios[i]->name) > w)
			w = strlen(r->scenarios[i]->name);
	printf("\n%-*s  %-10s  %-14s  %-4s  %-17s  %s\n", (int)w, "SCENARIO", "EXPECTED",
	       "VERDICT", "RUNS", "RATE (95%)", "RESULT");
	for (size_t i = 0; i < r->n_scenarios; i++) {
		const struct kr_scenario_result *sr = r->scenarios[i];
		char rate[64] = "-";
		if (sr->rate.trials)
			snprintf(rate, sizeof(rate), "%.2f [%.2f-%.2f]", sr->rate.value,
				 sr->rate.low, sr->rate.high);
		printf("%-*s  %-10s  %-14s  %-4zu  %-17s  %s\n", (int)w, sr->name,
		       kr_expect_verdict_to_string(sr->expected), kr_verdict_to_string(sr->verdict),
		       sr->n_runs, rate, kr_outcome_to_string(sr->outcome));
	}
	fflush(stdout);
}

int kr_cli_show_run(const struct kr_run_options *o, const struct kr_engine *e)
{
	const struct kr_results *results = kr_engine_results(e);
	_cleanup_free_ char *json = o->json_table ? kr_table_json(results) : NULL;
	if (json)
		fputs(json, stdout);
	else if (!o->no_table)
		print_table(results);
	FILE *text = json ? stderr : stdout;
	_cleanup_free_ char *base = kr_baseline_describe(results);
	if (base)
		fprintf(text, "%s\n", base);
	if (!o->quiet)
		fprintf(text, "\nresults: %s/results.json\n", results->out_dir);
	fflush(stdout);
	if (kr_engine_write_error(e)) {
		kr_error("the run is incomplete: %s", kr_engine_write_error(e));
		return KR_EXIT_INCONCLUSIVE;
	}
	return kr_results_exit_code(results);
}

/* kradar run --bisect: the verdict as git bisect run's exit status. */
#define BISECT_GOOD 0
#define BISECT_BAD 1
#define BISECT_SKIP 125
#define BISECT_ABORT 128

static int bisect_status(const struct kr_results *r, int ret)
{
	if (!r || r->interrupted || r->n_scenarios != 1)
		return ret >= 128 ? ret : BISECT_ABORT;
	const struct kr_scenario_result *sr = r->scenarios[0];
	const char *what;
	int status;
	if (sr->counts[KR_VERDICT_REPRODUCED]) {
		status = BISECT_BAD;
		what = "bad: the bug reproduced";
	} else if (sr->counts[KR_VERDICT_OTHER_CRASH]) {
		status = BISECT_SKIP;
		what = "skip: another crash, which may hide the bug";
	} else if (sr->counts[KR_VERDICT_CLEAN]) {
		status = BISECT_GOOD;
		what = "good: every run clean";
	} else {
		status = BISECT_SKIP;
		what = "skip: no conclusive run (infra errors, artifact stalls)";
	}
	printf("bisect: %s (%s) -> exit %d\n", what, sr->reason ? sr->reason : "", status);
	fflush(stdout);
	return status;
}

int kr_cmd_run(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("run");
	enum { OPT_SHARD = 256, OPT_SHARD_TOTAL, OPT_BASELINE, OPT_BISECT, OPT_RUNS, OPT_FILTER,
	       OPT_FORMAT, OPT_WARM_START };
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "cache", required_argument, NULL, 'C' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "junit", required_argument, NULL, 'J' },
		{ "markdown", required_argument, NULL, 'M' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "shard-total", required_argument, NULL, OPT_SHARD_TOTAL },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "bisect", no_argument, NULL, OPT_BISECT },
		{ "runs", required_argument, NULL, OPT_RUNS },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "warm-start", no_argument, NULL, OPT_WARM_START },
		{ 0 },
	};
	struct kr_run_options ro = { .out = "kradar-results" };
	const char *shard = NULL;
	long jobs = 0, shard_total = 0, runs = 0;
	_cleanup_strv_free_ char **filters = NULL;
	bool bisect = false;
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "o:qC:j:", opts)) != -1) {
		if (o == 'o')
			ro.out = optarg;
		else if (o == 'q')
			ro.quiet = true;
		else if (o == 'C' && !*optarg)
			return kr_cli_usage_error(self, "--cache: an empty directory name");
		else if (o == 'C')
			ro.cache = optarg;
		else if (o == 'j' && (kr_parse_long(optarg, &jobs) < 0 || jobs < 1 || jobs > 4096))
			return kr_cli_usage_error(self, "--jobs: expected 1..4096, got '%s'", optarg);
		else if (o == 'J')
			ro.junit = optarg;
		else if (o == 'M')
			ro.markdown = optarg;
		else if (o == OPT_SHARD)
			shard = optarg;
		else if (o == OPT_SHARD_TOTAL &&
			 (kr_parse_long(optarg, &shard_total) < 0 || shard_total < 1 ||
			  shard_total > KR_SHARD_MAX))
			return kr_cli_usage_error(self, "--shard-total: expected 1..%d, got '%s'",
						  KR_SHARD_MAX, optarg);
		else if (o == OPT_BASELINE)
			ro.baseline = optarg;
		else if (o == OPT_BISECT)
			bisect = true;
		else if (o == OPT_RUNS && (kr_parse_long(optarg, &runs) < 0 || runs < 1 || runs > 100000))
			return kr_cli_usage_error(self, "--runs: expected 1..100000, got '%s'", optarg);
		else if (o == OPT_FILTER && kr_cli_split_list(optarg, &filters) < 0)
			return kr_cli_usage_error(self, "--filter: an empty pattern in '%s'", optarg);
		else if (o == OPT_FORMAT && strcmp(optarg, "text") && strcmp(optarg, "json"))
			return kr_cli_usage_error(self, "--format: expected text or json, got '%s'",
						  optarg);
		else if (o == OPT_FORMAT)
			ro.json_table = !strcmp(optarg, "json");
		else if (o == OPT_WARM_START)
			ro.warm_start = true;
	}
	ro.jobs = (int)jobs;
	/* In bisect mode bad input must stop git bisect run (exit >= 128),
	 * not mark the commit bad. */
	int usage = bisect ? BISECT_ABORT : KR_EXIT_USAGE;
	if (optind >= argc)
		return kr_cli_usage_error(self, "no scenario file or directory given"), usage;
	if (shard) {
		_cleanup_free_ char *err = NULL;
		const char *source = NULL;
		int r = !strcmp(shard, "auto") ?
				kr_shard_from_env((int)shard_total, &ro.shard, &source, &err) :
				kr_shard_parse(shard, &ro.shard, &err);
		if (r < 0)
			return kr_cli_usage_error(self, "--shard: %s", err), usage;
		if (source && !ro.quiet)
			kr_notice("shard %d/%d from %s", ro.shard.index, ro.shard.total, source);
	}

	struct kr_diags diags = { 0 };
	struct kr_cell *cells = NULL;
	size_t n = 0;
	_cleanup_(kr_matrix_freep) struct kr_matrix *m = NULL;
	int r = kr_cells_load(argv + optind, &cells, &n, &m, &diags);
	if (r == 0 && m && !ro.baseline && m->baseline) {
		ro.baseline = m->baseline;
		ro.baseline_optional = true;
	}
	kr_diags_print(&diags, stderr);
	kr_diags_clear(&diags);
	if (r == 0 && filters) {
		_cleanup_free_ char *err = NULL;
		if ((r = kr_cells_filter(cells, &n, filters, &err)) < 0)
			kr_error("--filter: %s", err);
	}
	if (r == 0 && runs)
		kr_cells_set_runs(cells, n, (int)runs);
	if (r == 0 && bisect && n != 1) {
		kr_error("--bisect runs one scenario, not %zu", n);
		r = -EINVAL;
	}
	if (r < 0) {
		kr_cells_free(cells, n);
		return usage;
	}
	if (bisect) {
		/* The question is only whether the bug shows. */
		cells[0].s->expect.verdict = KR_EXPECT_REPRODUCED;
		cells[0].s->stop_on_hit = true;
	}
	_cleanup_engine_free_ struct kr_engine *e = kr_engine_new(&ro);
	int ret = kr_engine_run(e, cells, n);
	if (ret == KR_ENGINE_DONE)
		ret = kr_cli_show_run(&ro, e);
	if (bisect)
		ret = bisect_status(kr_engine_results(e), ret);
	kr_cells_free(cells, n);
	return ret;
}
