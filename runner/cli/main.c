/* SPDX-License-Identifier: MIT */
/* kradar: turn syzbot reproducers into CI tests. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

int main(int argc, char **argv)
{
	const char *env = getenv("KRADAR_LOG");
	enum kr_log_level level;
	if (env && *env && kr_log_level_parse(env, &level) == 0)
		kr_log_set_level(level);
	else if (env && *env)
		kr_warning("KRADAR_LOG: unknown level '%s' (error, warning, notice, info, debug)", env);

	/* -v before the command counts as after it: kradar -v run ... */
	int levels;
	while (argc >= 2 && (levels = kr_cli_verbose_flag(argv[1])) > 0) {
		while (levels--)
			kr_log_more_verbose();
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	if (argc < 2) {
		kr_cli_print_usage(stderr);
		return KR_EXIT_USAGE;
	}
	const char *name = argv[1];
	if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
		kr_cli_print_usage(stdout);
		return KR_EXIT_OK;
	}
	if (!strcmp(name, "--version"))
		name = "version";
	const struct kr_command *c = kr_cli_find(name);
	if (!c) {
		if (name[0] == '-')
			fprintf(stderr, "kradar: unknown option '%s' (try 'kradar --help')\n", name);
		else
			fprintf(stderr, "kradar: unknown command '%s' (try 'kradar --help')\n", name);
		return KR_EXIT_USAGE;
	}
	optind = 1;
	return c->run(argc - 1, argv + 1);
}
