/* SPDX-License-Identifier: MIT */
/* kradar merge DIR...: the results of shards (kradar run --shard K/N) as
 * one results.json, junit.xml and summary.md. */
#include <string.h>
#include <sys/stat.h>

#include "baseline.h"
#include "cli.h"
#include "log.h"
#include "merge.h"
#include "reports.h"
#include "results.h"

static void free_parts(struct kr_results **parts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kr_results_free(parts[i]);
	free(parts);
}

/* Merges, writes and says what came out; returns the exit status. */
static int merge(struct kr_results *const *parts, size_t n, const char *out,
		 const struct kr_results *before, const char *baseline, const char *junit,
		 const char *markdown)
{
	char cwd[4096];
	_cleanup_free_ char *abs_out = kr_path_absolute(getcwd(cwd, sizeof(cwd)) ? cwd : "/", out);
	_cleanup_results_free_ struct kr_results *m = NULL;
	_cleanup_strv_free_ char **warnings = NULL;
	_cleanup_free_ char *err = NULL;
	if (kr_results_merge(parts, n, abs_out, &m, &warnings, &err) < 0) {
		kr_error("%s", err);
		return KR_EXIT_USAGE;
	}
	for (size_t i = 0; warnings[i]; i++)
		kr_warning("%s", warnings[i]);
	if (before)
		kr_baseline_compare(m, before, baseline);
	int r = kr_mkdir_p(abs_out, 0755);
	if (r < 0) {
		kr_error("cannot create %s: %s", abs_out, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	if (kr_results_merge_artifacts(m, parts, n, &err) < 0) {
		kr_error("%s", err);
		return KR_EXIT_ENVIRONMENT;
	}
	if ((r = kr_results_write(m)) < 0) {
		kr_error("cannot write %s/results.json: %s", abs_out, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	if (kr_report_files_write_default(m, junit, markdown, &err) < 0) {
		kr_error("%s", err);
		return KR_EXIT_ENVIRONMENT;
	}
	int counts[KR_OUTCOME_SKIPPED + 1] = { 0 };
	for (size_t i = 0; i < m->n_scenarios; i++)
		counts[m->scenarios[i]->outcome]++;
	printf("merged %zu result%s: %zu scenarios, %d met, %d failed, %d inconclusive, %d "
	       "skipped\n",
	       n, n == 1 ? "" : "s", m->n_scenarios, counts[KR_OUTCOME_MET],
	       counts[KR_OUTCOME_FAILED], counts[KR_OUTCOME_INCONCLUSIVE],
	       counts[KR_OUTCOME_SKIPPED]);
	_cleanup_free_ char *base = kr_baseline_describe(m);
	if (base)
		printf("%s\n", base);
	printf("results: %s/results.json\n", abs_out);
	return kr_results_exit_code(m);
}

int kr_cmd_merge(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("merge");
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "baseline", required_argument, NULL, 'b' },
		{ "junit", required_argument, NULL, 'J' },
		{ "markdown", required_argument, NULL, 'm' },
		{ 0 },
	};
	const char *out = "kradar-results", *baseline = NULL, *junit = NULL, *markdown = NULL;
	int o;
	while ((o = kr_cli_getopt(self, argc, argv, "o:m:", opts)) != -1) {
		if (o == 'o')
			out = optarg;
		else if (o == 'b')
			baseline = optarg;
		else if (o == 'J')
			junit = optarg;
		else if (o == 'm')
			markdown = optarg;
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no results directory given");

	size_t n = (size_t)(argc - optind);
	struct kr_results **parts = kr_calloc(n, sizeof(*parts));
	for (size_t i = 0; i < n; i++) {
		const char *arg = argv[optind + (int)i];
		struct stat st;
		_cleanup_free_ char *path = stat(arg, &st) == 0 && S_ISDIR(st.st_mode) ?
						    kr_path_join(arg, "results.json") :
						    kr_strdup(arg);
		_cleanup_free_ char *err = NULL;
		if (kr_results_load(path, &parts[i], &err) < 0) {
			kr_error("%s", err);
			free_parts(parts, i);
			return KR_EXIT_USAGE;
		}
	}
	_cleanup_results_free_ struct kr_results *before = NULL;
	if (baseline) {
		_cleanup_free_ char *err = NULL;
		if (kr_results_load(baseline, &before, &err) < 0) {
			kr_error("--baseline: %s", err);
			free_parts(parts, n);
			return KR_EXIT_USAGE;
		}
	}

	int ret = merge(parts, n, out, before, baseline, junit, markdown);
	free_parts(parts, n);
	return ret;
}
