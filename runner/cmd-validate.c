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
	_cleanup_strv_free_ char **files = NULL;
	kr_scenario_find(argv + optind, &files, &diags);

	/* Names are unique across everything validated together, because
	 * they become directory and test names. */
	_cleanup_strv_free_ char **names = kr_calloc(1, sizeof(char *));
	_cleanup_strv_free_ char **name_files = kr_calloc(1, sizeof(char *));
	size_t ok = 0;
	for (size_t i = 0; files[i]; i++) {
		struct kr_scenario *s = NULL;
		if (kr_scenario_load(files[i], &s, &diags) < 0)
			continue;
		bool dup = false;
		for (size_t k = 0; names[k]; k++) {
			if (strcmp(names[k], s->name) != 0)
				continue;
			kr_diags_add(&diags, files[i], s->name_line, s->name_column, "name",
				     "\"%s\" is already the name of %s", s->name, name_files[k]);
			dup = true;
		}
		if (!dup) {
			kr_strv_push(&names, kr_strdup(s->name));
			kr_strv_push(&name_files, kr_strdup(files[i]));
			ok++;
		}
		kr_scenario_free(s);
	}
	if (kr_strv_len(files) == 0 && diags.n == 0)
		kr_diags_add(&diags, argv[optind], 1, 1, "", "no scenario files (*.json) found");

	kr_diags_print(&diags, stderr);
	int ret = diags.n ? KR_EXIT_USAGE : KR_EXIT_OK;
	if (!quiet && ret == KR_EXIT_OK)
		printf("%zu scenario%s ok\n", ok, ok == 1 ? "" : "s");
	kr_diags_clear(&diags);
	return ret;
}
