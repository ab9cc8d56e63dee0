/* SPDX-License-Identifier: MIT */
/* The commands' help texts (cli.c's table) as man pages and shell
 * completion, so that neither can drift from --help: each usage text is
 * read back into its synopsis, description, options, environment and exit
 * status. What `kradar help --man` and `kradar help --completion` print and
 * meson installs. */
#pragma once

#include <stddef.h>

#include "cli.h"

struct kr_clidoc_option {
	char *short_name; /* "-o"; NULL: none */
	char *long_name;  /* "--out" */
	char *arg;        /* "DIR"; NULL: takes no argument */
	char *text;       /* the description, its lines joined */
};

struct kr_clidoc {
	char *synopsis;      /* what follows "Usage: kradar " */
	char **description;  /* paragraphs as written (lines kept) */
	struct kr_clidoc_option *options;
	size_t n_options;
	char *environment;   /* after "Environment:"; NULL: none */
	char *exit_status;   /* after "Exit status:"; NULL: none */
};

/* Reads a usage text of the table. -EINVAL with *err naming the line when
 * it is not in the table's form ("Usage: kradar ..." first; option lines
 * "  -x, --name ARG  text", the text two spaces or more after the name). */
int kr_clidoc_parse(const char *usage, struct kr_clidoc *doc, char **err);
void kr_clidoc_clear(struct kr_clidoc *doc);

/* The man page (roff, section 1) of cmd, kradar-NAME(1); NULL: kradar(1),
 * the overview with every command. -EINVAL with *err as for parse. */
int kr_clidoc_man(const struct kr_command *cmd, const char *version, char **page, char **err);

/* The completion script for shell "bash" or "zsh"; -EINVAL for another
 * shell (or, with *err, a usage text that cannot be read). */
int kr_clidoc_completion(const char *shell, char **script, char **err);
