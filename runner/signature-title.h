/* SPDX-License-Identifier: MIT */
/* Titles from report text (internal to the signature engine): applies the
 * format table of signature-table.c to a finished report. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct kr_crash;

/* The table's patterns, compiled. Not thread-safe (shared match data). */
struct kr_sig_patterns;

struct kr_sig_patterns *kr_sig_patterns_new(void);
void kr_sig_patterns_free(struct kr_sig_patterns *p);

/* True when line contains group's header but is one of its known
 * non-crashes. */
bool kr_sig_ignored(struct kr_sig_patterns *p, size_t group, const char *line, size_t len);
/* True when line shows that the log's crashes are to be suppressed. */
bool kr_sig_suppressed(struct kr_sig_patterns *p, const char *line, size_t len);

/* Fills title, alt_titles, type, frame, corrupted and is_stall of c from a
 * report of the group: text[0, title_len) names the crash, text[0,
 * text_len) is all of the report. */
void kr_sig_describe(struct kr_sig_patterns *p, size_t group, const char *text, size_t title_len,
		     size_t text_len, struct kr_crash *c);

/* The normalisation syzbot applies to titles: executor names and PIDs,
 * addresses, IP addresses, line numbers, offsets and numbers become
 * placeholders; control bytes go; at most 120 bytes. Returns a new string. */
char *kr_sig_normalize_title(const char *title);

/* The type of a crash from its title (a static string, "UNKNOWN" when no
 * rule applies). */
const char *kr_sig_title_type(const char *title);
