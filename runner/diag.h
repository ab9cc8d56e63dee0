/* SPDX-License-Identifier: MIT */
/* Problems found in a user's input file, each with its position, so that all
 * of them can be reported at once as "FILE:LINE:COL: field.path: message". */
#pragma once

#include <stdio.h>

#include "util.h"

struct kr_diag {
	char *file;
	int line;
	int column;
	char *path; /* field path, "" for the whole document */
	char *message;
};

struct kr_diags {
	struct kr_diag *items;
	size_t n;
	size_t alloc;
};

void kr_diags_add(struct kr_diags *d, const char *file, int line, int column,
		  const char *path, const char *fmt, ...) KR_PRINTF(6, 7);
/* "FILE:LINE:COL: path: message" (path and its colon left out when empty). */
char *kr_diag_format(const struct kr_diag *diag);
void kr_diags_print(const struct kr_diags *d, FILE *f);
void kr_diags_clear(struct kr_diags *d);
