/* SPDX-License-Identifier: MIT */
/* kradar validate FILE|DIR... */
#include <string.h>

#include "cli.h"
#include "scenario.h"

int kr_cmd_validate(int argc, char **argv)
{
	const struct kr_command *self = kr_cli_find("validate");
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	bool quiet = false;
	int c;
	while ((c = kr_cli_getopt(self, argc, argv, "q", opts)) != -1)
		if (c == 'q')
			quiet = true;
	if (optind >= argc)
		return kr_cli_usage_error(self, "no scenario file or directory given");

	struct kr_diags diags = { 0 };
	struct kr_scenario **scenarios = NULL;
	int r = kr_scenario_load_all(argv + optind, &scenarios, &diags);
	size_t ok = 0;
	while (scenarios[ok])
		ok++;
	kr_scenarios_free(scenarios);

	kr_diags_print(&diags, stderr);
	int ret = r < 0 ? KR_EXIT_USAGE : KR_EXIT_OK;
	if (!quiet && ret == KR_EXIT_OK)
		printf("%zu scenario%s ok\n", ok, ok == 1 ? "" : "s");
	kr_diags_clear(&diags);
	return ret;
}
