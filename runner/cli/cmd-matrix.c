/* SPDX-License-Identifier: MIT */
/* kradar matrix [--emit list|github] MATRIX|SCENARIO...: the cells a run
 * would make, their expected cost and shard; or the JSON of a GitHub
 * Actions strategy.matrix with one job per shard. Runs nothing. */
#include <string.h>

#include "cli.h"
#include "json-writer.h"
#include "log.h"
#include "matrix.h"
#include "shard.h"

static void list(const struct kr_cell *cells, size_t n, const int *shard_of, int total,
		 const struct kr_shard *only)
{
	size_t w = 4;
	for (size_t i = 0; i < n; i++)
		if (strlen(cells[i].s->name) > w)
			w = strlen(cells[i].s->name);
	printf("%-*s  %-16s  %-4s  %-4s  %-8s  %s\n", (int)w, "CELL", "KERNEL", "SMP", "RUNS",
	       "COST (s)", total ? "SHARD" : "");
	_cleanup_free_ double *load = kr_calloc((size_t)total + 2, sizeof(double));
	_cleanup_free_ size_t *count = kr_calloc((size_t)total + 2, sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		const struct kr_scenario *s = cells[i].s;
		double cost = kr_shard_cost(s);
		load[shard_of[i]] += cost;
		count[shard_of[i]]++;
		if (only->total && shard_of[i] != only->index)
			continue;
		char shard[32] = "";
		if (total)
			snprintf(shard, sizeof(shard), "%d/%d", shard_of[i], total);
		printf("%-*s  %-16s  %-4d  %-4d  %-8.0f  %s\n", (int)w, s->name,
		       s->kernel.label ? s->kernel.label :
		       s->kernel.kind == KR_KERNEL_IMAGE ? "(image)" : "(source)",
		       s->vm.smp, s->runs, cost, shard);
	}
	for (int k = 1; k <= total; k++)
		if (!only->total || k == only->index)
			printf("shard %d/%d: %zu cell%s, cost %.0f s\n", k, total, count[k],
			       count[k] == 1 ? "" : "s", load[k]);
}

int kr_cmd_matrix(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("matrix");
	enum { OPT_EMIT = 256, OPT_SHARDS, OPT_SHARD };
	static const struct option opts[] = {
		{ "emit", required_argument, NULL, OPT_EMIT },
		{ "shards", required_argument, NULL, OPT_SHARDS },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ 0 },
	};
	const char *emit = "list";
	long shards = 0;
	struct kr_shard only = { 0 };
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "", opts)) != -1) {
		_cleanup_free_ char *err = NULL;
		if (o == OPT_EMIT && strcmp(optarg, "list") && strcmp(optarg, "github"))
			return kr_cli_usage_error(self, "--emit: expected list or github, got '%s'",
						  optarg);
		if (o == OPT_EMIT)
			emit = optarg;
		else if (o == OPT_SHARDS && (kr_parse_long(optarg, &shards) < 0 || shards < 1 ||
					     shards > KR_SHARD_MAX))
			return kr_cli_usage_error(self, "--shards: expected 1..%d, got '%s'",
						  KR_SHARD_MAX, optarg);
		else if (o == OPT_SHARD && kr_shard_parse(optarg, &only, &err) < 0)
			return kr_cli_usage_error(self, "--shard: %s", err);
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no matrix or scenario given");
	if (only.total && shards && only.total != shards)
		return kr_cli_usage_error(self, "--shard %d/%d and --shards %ld disagree", only.index,
					  only.total, shards);
	if (only.total)
		shards = only.total;
	bool github = !strcmp(emit, "github");
	if (github && !shards)
		return kr_cli_usage_error(self, "--emit github needs --shards N");

	struct kr_diags diags = { 0 };
	struct kr_cell *cells = NULL;
	size_t n = 0;
	_cleanup_(kr_matrix_freep) struct kr_matrix *m = NULL;
	int r = kr_cells_load(argv + optind, &cells, &n, &m, &diags);
	kr_diags_print(&diags, stderr);
	kr_diags_clear(&diags);
	if (r < 0) {
		kr_cells_free(cells, n);
		return KR_EXIT_USAGE;
	}
	/* More shards than cells would give empty jobs. */
	int total = (int)shards;
	if (github && (size_t)total > n) {
		kr_warning("%d shards for %zu cells: emitting %zu", total, n, n);
		total = (int)n;
	}
	int *shard_of = kr_calloc(n + 1, sizeof(int));
	kr_cells_shard(cells, n, total, shard_of);
	if (github) {
		_cleanup_json_free_ struct kr_json *doc = kr_json_object();
		struct kr_json *include = kr_json_array();
		for (int k = 1; k <= total; k++) {
			struct kr_json *job = kr_json_object();
			int cells_in = 0;
			for (size_t i = 0; i < n; i++)
				cells_in += shard_of[i] == k;
			char name[32];
			snprintf(name, sizeof(name), "%d/%d", k, total);
			kr_json_set(job, "shard", kr_json_string(name));
			kr_json_set(job, "cells", kr_json_int(cells_in));
			kr_json_append(include, job);
		}
		kr_json_set(doc, "include", include);
		_cleanup_free_ char *text = kr_json_dump(doc, false);
		fputs(text, stdout);
	} else {
		list(cells, n, shard_of, total, &only);
	}
	free(shard_of);
	kr_cells_free(cells, n);
	return KR_EXIT_OK;
}
