/* SPDX-License-Identifier: MIT */
/* kradar: turn syzbot reproducers into CI tests. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "log.h"

int main(int argc, char **argv)
{
	const char *level = getenv("KRADAR_LOG");
	if (level && !strcmp(level, "debug"))
		kr_log_set_level(KR_LOG_DEBUG);
	else if (level && !strcmp(level, "info"))
		kr_log_set_level(KR_LOG_INFO);

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
