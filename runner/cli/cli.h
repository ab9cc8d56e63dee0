/* SPDX-License-Identifier: MIT */
/* The kradar command line: the command table, exit codes and the helpers
 * every command uses to parse its options the same way. */
#pragma once

#include <getopt.h>
#include <stdio.h>

/* Exit codes, documented in README.md. */
enum {
	KR_EXIT_OK = 0,          /* success; every expectation met */
	KR_EXIT_FAILED = 1,      /* some scenario did not meet its expectation */
	KR_EXIT_USAGE = 2,       /* bad input: a flag, a scenario, a log, an answer */
	KR_EXIT_INCONCLUSIVE = 3, /* infra errors or artifact stalls, no failure */
	KR_EXIT_ENVIRONMENT = 4, /* the host could not do the job (disk full, ...) */
};

struct kr_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	/* Full usage text for "kradar NAME --help". */
	const char *usage;
};

/* What kradar is, for its usage and man page. */
extern const char kr_cli_about[];

/* All commands, NULL-terminated by a zero entry. */
extern const struct kr_command kr_commands[];

/* Parses the next option like getopt_long (argv[0] is the command name).
 * Adds --help (-h), which prints the command's usage and exits 0, and
 * -v/--verbose (repeatable: one log level more each, kr_log_more_verbose()), and
 * turns an unknown option or a missing argument into a one-line error with
 * a usage hint and exit 2. Returns -1 at the end of the options. */
int kr_cli_getopt(const struct kr_command *cmd, int argc, char **argv, const char *shortopts,
		  const struct option *longopts);

/* Prints "kradar CMD: message" and the usage hint; returns KR_EXIT_USAGE. */
int kr_cli_usage_error(const struct kr_command *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* How many levels an argument raises the log by: 1 for --verbose, k for -v
 * written k times (-vv), 0 for anything else. */
int kr_cli_verbose_flag(const char *arg);

/* Appends the comma-separated items of arg (a repeatable list option such
 * as --filter a,b) to *v. -EINVAL for an empty item. */
int kr_cli_split_list(const char *arg, char ***v);

/* The end of a run of the engine (run.h) that answered KR_ENGINE_DONE, as
 * kradar run and verify-fix show it: the table of verdicts (text, or JSON
 * with o->json_table; none with o->no_table), the baseline's line, where
 * the results are, and whether the run is incomplete. Returns the exit
 * status: the results' (0, 1, 3, 128 + signal), 3 when a write into --out
 * failed. */
struct kr_engine;
struct kr_run_options;
int kr_cli_show_run(const struct kr_run_options *o, const struct kr_engine *e);

const struct kr_command *kr_cli_find(const char *name);
void kr_cli_print_usage(FILE *f);

/* The commands. */
int kr_cmd_validate(int argc, char **argv);
int kr_cmd_classify(int argc, char **argv);
int kr_cmd_symbolize(int argc, char **argv);
int kr_cmd_build(int argc, char **argv);
int kr_cmd_fetch(int argc, char **argv);
int kr_cmd_run(int argc, char **argv);
int kr_cmd_report(int argc, char **argv);
int kr_cmd_merge(int argc, char **argv);
int kr_cmd_matrix(int argc, char **argv);
int kr_cmd_verify_fix(int argc, char **argv);
