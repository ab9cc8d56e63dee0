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

/* A user's input file (a scenario, a matrix) is at most this large. */
#define KR_INPUT_MAX_BYTES (4u << 20)

/* Reads a user's input file whole; when it cannot be read (or is larger
 * than KR_INPUT_MAX_BYTES) adds "FILE:1:1: cannot read: ..." to d and
 * returns the negative errno. */
int kr_diags_read_input(struct kr_diags *d, const char *path, char **text, size_t *len);
