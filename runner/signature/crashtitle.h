/* SPDX-License-Identifier: MIT */
/* Titles of crash reports: which rule of crashrules.h a console line opens,
 * which stack frame names a finished report, and the title, alternative
 * titles, class and corrupted flag that follow. The patterns are compiled
 * on first use and kept in a struct kr_crashtitle (one per scanner: the
 * compiled patterns hold match scratch space). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signature.h" /* kr_scanner_file_fn */
#include "util.h"

/* A line of a report: its text without the console prefix, and the
 * printk caller ("[ T123]" is 123, "[  C1]" is -2 - 1, none is -1). */
struct kr_rline {
	const char *s;
	size_t n;
	long ctx;
	bool dropped; /* printk said messages were dropped before this line */
};

#define KR_HDR_GROUPS 10

/* A header line that matched a rule: the rule and its groups. */
struct kr_header {
	int rule;
	char *group[KR_HDR_GROUPS]; /* [1..9], NULL when not set */
};

struct kr_titled {
	char *title;
	char **alt_titles; /* never NULL */
	const char *type;
	char *frame;       /* NULL when the title names none */
	bool corrupted;
	char **frames;     /* the stack's functions that are not skipped, the
			    * title's frame first (kr_crash.frames); never NULL */
	char *explain;     /* kr_crashtitle_set_explain(): the frames looked
			    * at and why each was skipped or taken; else NULL */
};

struct kr_crashtitle;

struct kr_crashtitle *kr_crashtitle_new(void);
void kr_crashtitle_free(struct kr_crashtitle *t);
KR_DEFINE_CLEANUP(struct kr_crashtitle, kr_crashtitle_free)

/* The first rule (in table order) among those whose literal is in
 * lit_mask (bit i: literal i of kr_crashtitle_literals) whose header
 * pattern matches line; fills *h and returns the rule's index, or -1. */
int kr_crashtitle_header(struct kr_crashtitle *t, const char *line, size_t len, uint64_t lit_mask,
			 struct kr_header *h);
void kr_header_clear(struct kr_header *h);

/* A frame whose function the kernel families' table lacks (a helper of
 * another kernel version) gets the family of its source file, as file_of
 * tells it. */
void kr_crashtitle_set_file_of(struct kr_crashtitle *t, kr_scanner_file_fn file_of, void *ctx);

/* Makes kr_crashtitle_report() fill kr_titled.explain. */
void kr_crashtitle_set_explain(struct kr_crashtitle *t);

/* Titles a finished report: lines[0] is the header line; interleaved
 * when another report's header came in the middle of its stack. */
void kr_crashtitle_report(struct kr_crashtitle *t, const struct kr_header *h,
			  const struct kr_rline *lines, size_t n, bool interleaved,
			  struct kr_titled *out);

/* Whether a finished report is a crash at all (some rules need a
 * confirming line, e.g. Go's "runtime stack:"). */
bool kr_crashtitle_confirmed(struct kr_crashtitle *t, int rule, const struct kr_rline *lines,
			     size_t n);

/* Whether line[0, len) ends a report whose stack has begun. */
bool kr_crashtitle_is_end(struct kr_crashtitle *t, const char *line, size_t len);

/* The distinct literals of the header and starvation tables and the boot
 * marker, for the prefilter; the functions below give the index of a
 * rule's literal. */
size_t kr_crashtitle_literals(const char *const **lits);
int kr_crashtitle_starve_literal(size_t rule);
int kr_crashtitle_boot_literal(void);
int kr_crashtitle_suppress_literal(size_t i);

/* Normalises a title as syzbot does: no offsets, addresses, numbers, IP
 * addresses, source line numbers or control bytes; single spaces; at
 * most 120 bytes. */
char *kr_crash_normalize_title(const char *in);

/* A function name without compiler suffixes (".isra.0", ".cold", ...)
 * and, for Rust v0 symbols, demangled. */
char *kr_crash_frame_name(const char *name, size_t len);
