/* SPDX-License-Identifier: MIT */
/* The crash format table of the signature engine (internal to signature.c).
 *
 * A console line that contains a group's header starts a report of that
 * group. When the report is complete, every format of the group is tried on
 * its text: the format whose title pattern matches earliest wins (the first
 * one listed on a tie) and builds the title from its template. Patterns are
 * PCRE2; "." does not cross lines, so multi-line patterns say so.
 *
 * Templates: {1}..{9} are the capture groups of the report pattern (or of
 * the title pattern when there is none); {F} is the frame found by the stack
 * walk, {F2} the frame of its second stack trace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* How the guilty frame is picked from the frames a stack walk collected. */
enum kr_sig_pick {
	KR_SIG_PICK_FIRST, /* the first frame that is not skipped */
	KR_SIG_PICK_STALL, /* the frame just above a dispatcher (syscall entry,
			    * workqueue, softirq, ...): stalls loop across
			    * functions, the entry point names them stably */
	KR_SIG_PICK_HUNG,  /* hung tasks: group waits on RCU and rtnl, else the
			    * first frame that is not a lock, wait or sched */
};

#define KR_SIG_MAX_PARTS 5

/* Marker in a stack walk: parse a stack trace from here. */
extern const char kr_sig_trace[];

/* A stack walk: parts are matched against successive lines of the report,
 * from the line where the format matched. A pattern part advances to the
 * first line it matches (its capture groups yield frames); kr_sig_trace
 * collects frames until a line that starts another stack trace. When parts
 * fail to yield a frame, parts2 are tried. */
struct kr_sig_stack {
	const char *parts[KR_SIG_MAX_PARTS];
	const char *parts2[KR_SIG_MAX_PARTS];
	const char *skip; /* extra frames to skip (a pattern searched in the name) */
	enum kr_sig_pick pick;
};

enum {
	KR_SIG_NO_TRACE = 1 << 0,  /* the report has no stack trace to check */
	KR_SIG_CORRUPTED = 1 << 1, /* a format that only matches broken reports */
};

struct kr_sig_format {
	const char *title;  /* pattern that selects the format */
	const char *report; /* pattern that must match too; its groups are the args */
	const char *fmt;    /* title template */
	const char *alt[3]; /* alternative title templates */
	const struct kr_sig_stack *stack;
	unsigned flags;
};

struct kr_sig_group {
	const char *header;        /* literal that starts a report */
	const struct kr_sig_format *formats; /* ends with a NULL title */
	const char *const *ignore; /* patterns of lines that are not crashes */
};

extern const struct kr_sig_group kr_sig_groups[];
extern const size_t kr_sig_n_groups;

/* Frames skipped in every stack walk (one pattern). */
extern const char kr_sig_skip_always[];
/* Prefixes removed from frame names (syscall wrappers), in order. */
extern const char *const kr_sig_strip_prefixes[];
/* Functions that dispatch work, used by KR_SIG_PICK_STALL (one pattern). */
extern const char kr_sig_stall_anchors[];

/* Literals that, inside a report, do not start a new one. */
extern const char *const kr_sig_continuations[];
/* Lines that carry a stack trace of their own but are not crashes: inside
 * a report they end the part of it that names the crash. */
extern const char *const kr_sig_info_with_stack[];
/* Patterns of lines that make the whole log's crashes suppressed. */
extern const char *const kr_sig_suppressions[];

/* Type of a crash from its title: the first entry whose prefix matches. */
struct kr_sig_type {
	const char *prefix;
	const char *type;
};
extern const struct kr_sig_type kr_sig_types[];
