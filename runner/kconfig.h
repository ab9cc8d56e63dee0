/* SPDX-License-Identifier: MIT */
/* Kernel config text: fragments, merging them into a base config the way
 * the kernel's scripts/kconfig/merge_config.sh does, and checking that every
 * fragment line survived olddefconfig, with Kconfig's reason when it can be
 * told (an unknown symbol, an unmet "depends on", a hidden prompt, a select
 * that forces a symbol on). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "kbuild.h"
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

/* base with every line about a fragment symbol removed and the fragment
 * appended (merge_config.sh). */
char *kr_kconfig_merge(const char *base, const struct kr_kconfig_fragment *frag);

/* Compares every fragment symbol with the final config. Mismatches are
 * explained from the Kconfig files of srctree (arch: the kernel's SRCARCH,
 * "x86"; env_arch: $(ARCH) in Kconfig, "x86" unless make is given ARCH=); srctree NULL: no
 * reasons. Returns the number of mismatches (*out NULL when none). */
size_t kr_kconfig_check(const char *final_config, const struct kr_kconfig_fragment *frag,
			const char *srctree, const char *arch, const char *env_arch,
			struct kr_kbuild_mismatch **out);

void kr_kbuild_mismatches_free(struct kr_kbuild_mismatch *m, size_t n);
