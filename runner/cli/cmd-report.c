/* SPDX-License-Identifier: MIT */
/* kradar report RESULTS.json: the reports of a finished run, again. */
#include <string.h>

#include "cli.h"
#include "log.h"
#include "progress.h"
#include "reports.h"
#include "results.h"

int kr_cmd_report(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("report");
	static const struct option opts[] = {
		{ "junit", required_argument, NULL, 'J' },
		{ "markdown", required_argument, NULL, 'm' },
		{ "github", no_argument, NULL, 'G' },
		{ "gitlab", no_argument, NULL, 'L' },
		{ "link-base", required_argument, NULL, 'l' },
		{ 0 },
	};
	struct kr_report_files files = { 0 };
	kr_report_files_from_env(&files);
	enum kr_ci ci = KR_CI_NONE;
	int c;
	while ((c = kr_cli_getopt(self, argc, argv, "m:", opts)) != -1) {
		switch (c) {
		case 'J':
			files.junit = optarg;
			break;
		case 'm':
			files.markdown = optarg;
			break;
		case 'G':
			ci = KR_CI_GITHUB;
			break;
		case 'L':
			ci = KR_CI_GITLAB;
			break;
		case 'l':
			files.markdown_options.link_base = optarg;
			files.markdown_options.plain_paths = false;
			break;
		}
	}
	if (optind >= argc)
		return kr_cli_usage_error(self, "no results.json given");
	if (optind + 1 < argc)
		return kr_cli_usage_error(self, "one results.json at a time (got %d)", argc - optind);
	const char *path = argv[optind];

	_cleanup_results_free_ struct kr_results *r = NULL;
	_cleanup_free_ char *err = NULL;
	int k = kr_results_load(path, &r, &err);
	if (k < 0) {
		kr_error("%s", err);
		return KR_EXIT_USAGE;
	}

	/* With no output named, the files go next to results.json, as
	 * kradar run writes them. */
	_cleanup_free_ char *junit = NULL, *markdown = NULL;
	if (!files.junit && !files.markdown && ci == KR_CI_NONE) {
		files.junit = junit = kr_path_join(r->out_dir, "junit.xml");
		files.markdown = markdown = kr_path_join(r->out_dir, "summary.md");
	}
	if (ci != KR_CI_NONE) {
		struct kr_progress_config pc;
		kr_progress_config_from_env(&pc, stdout);
		pc.ci = ci;
		pc.style = KR_PROGRESS_PLAIN;
		pc.workspace = getenv(ci == KR_CI_GITHUB ? "GITHUB_WORKSPACE" : "CI_PROJECT_DIR");
		_cleanup_(kr_progress_freep) struct kr_progress *p = kr_progress_new(&pc);
		kr_progress_replay(p, r);
	}
	_cleanup_free_ char *werr = NULL;
	if (kr_report_files_write(r, &files, &werr) < 0) {
		kr_error("%s", werr);
		return KR_EXIT_ENVIRONMENT;
	}
	return KR_EXIT_OK;
}
