/* SPDX-License-Identifier: MIT */
/* Config fragment lines (CONFIG_X=value, "# CONFIG_X is not set") as
 * scenarios and matrices give them: syntax, parsing, and the fragment as
 * config text (the kernel cache's identity of a fragment). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* One fragment line: name is "CONFIG_X", value "y", "m", "n" (also for
 * "# CONFIG_X is not set") or the text after '='. */
struct kr_kconfig_line {
	char *name;
	char *value;
};

struct kr_kconfig_fragment {
	struct kr_kconfig_line *lines; /* in order; a later line for the same name wins */
	size_t n;
};

/* Whether line is one fragment line as it stands: CONFIG_X=VALUE (VALUE
 * not empty) or "# CONFIG_X is not set", X of letters, digits and _. */
bool kr_kconfig_line_valid(const char *line);

/* Parses fragment text: CONFIG_X=... and "# CONFIG_X is not set" lines;
 * blank lines and other comments are skipped. A malformed line gives
 * -EINVAL and "FILE:LINE: message" in *err. */
int kr_kconfig_fragment_parse(const char *text, const char *file,
			      struct kr_kconfig_fragment *frag, char **err);
/* Appends lines given one per string (scenario kernel.fragment). field
 * names them in errors ("kernel.fragment[2]"). */
int kr_kconfig_fragment_add_lines(struct kr_kconfig_fragment *frag, char *const *lines,
				  const char *field, char **err);
void kr_kconfig_fragment_clear(struct kr_kconfig_fragment *frag);

/* The fragment as config text (one line per symbol, the last value of
 * each, in first-appearance order): the cache's identity of a fragment. */
char *kr_kconfig_fragment_text(const struct kr_kconfig_fragment *frag);

/* The value that wins for line i's symbol (the last line naming it); NULL
 * when line i is not the first line of its symbol, so that each symbol is
 * seen once. */
const char *kr_kconfig_fragment_value(const struct kr_kconfig_fragment *frag, size_t i);
