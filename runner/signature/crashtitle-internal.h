/* SPDX-License-Identifier: MIT */
/* The crash titler's private interface, shared by its files:
 * crashtitle.c (literals, compiled patterns, headers, the title of a
 * report), crashtitle-frames.c (stack lines to frames),
 * crashtitle-pick.c (which frame names each family of report: skip lists,
 * stalls' entry points, lockdep's "at:", renames) and crashtitle-norm.c
 * (title normalisation). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crashtitle.h"
#include "regex.h"

#define MAX_FRAMES 512
#define MAX_NAME 160

/* The patterns every rule shares (ct_pattern()). */
enum {
	P_SKIP,
	P_IRQ,
	P_ANCHOR,
	P_NOT_ANCHOR,
	P_DISPATCH,
	P_STOP,
	P_STOP_OTHER_CPU,
	P_END,
	P_AT,
	P_FOREIGN,
	P_FOREIGN_FRAME,
	P_CALL_TRACE,
	P_COUNT
};

struct kr_crashtitle {
	struct kr_regex *header[256];
	struct kr_regex *skip[256];
	struct kr_regex *aux[256];
	struct kr_regex *from[256];
	struct kr_regex *confirm[256];
	struct kr_regex *complete[256];
	struct kr_regex *rename[32];
	struct kr_regex *pat[P_COUNT];
	uint64_t families[256]; /* per rule: the kernel families passed over */
	bool families_set[256];
	char *family_reason[64];
	bool explain;
	/* families by source file (kr_crashtitle_set_file_of) */
	kr_scanner_file_fn file_of;
	void *file_of_ctx;
	struct kr_regex *family_file[2 * 32 + 1]; /* path, name per entry; the tests' */
	struct file_family *by_file;              /* the functions asked about */
	size_t n_by_file;
};

/* A function whose family came from its source file. */
struct file_family {
	char *func;
	int family;   /* -1: none */
	char *reason; /* "kernel family F (its file P)" */
};

enum frame_kind {
	FK_FRAME, /* a frame of a call trace */
	FK_PC,    /* the program counter of a register dump */
};

struct frame {
	enum frame_kind kind;
	size_t line; /* index of its line in the report */
	char name[MAX_NAME];
	bool arm;              /* arm's "(func) from [<addr>] (caller+0x..)" */
	char caller[MAX_NAME]; /* its caller, which the next line repeats unless
				* the trace ends here; "" otherwise */
};

struct frames {
	struct frame *f;
	size_t n;
	bool call_trace; /* a frame of a call trace (not only PC lines) */
	bool cut;        /* the report ends before its rule's stack_from line */
	bool foreign;    /* another dump's "Call Trace:" came before that line */
};

/* crashtitle.c: the compiled patterns (a bad table pattern aborts). */
struct kr_regex *ct_compile(const char *pattern, unsigned flags);
struct kr_regex *ct_whole_name(const char *alternatives);
struct kr_regex *ct_pattern(struct kr_crashtitle *t, int which);
bool ct_name_matches(struct kr_regex *re, const char *name);

/* crashtitle-frames.c */
bool ct_is_name_start(char c);
bool ct_same_context(const struct kr_rline *hdr, const struct kr_rline *l);
bool ct_parse_frame(const char *s, size_t n, struct frame *f);
void ct_collect_frames(struct kr_crashtitle *t, size_t rule, const struct kr_rline *lines,
		       size_t n, struct frames *out);

/* crashtitle-pick.c */
const char *ct_skip_reason(struct kr_crashtitle *t, size_t rule, const char *name,
			   bool families);
bool ct_skipped(struct kr_crashtitle *t, size_t rule, const char *name);
const struct frame *ct_stall_frame(struct kr_crashtitle *t, size_t rule,
				   const struct frames *fr);
const struct frame *ct_stack_frame(struct kr_crashtitle *t, size_t rule,
				   const struct frames *fr);
bool ct_foreign_dump_before(struct kr_crashtitle *t, const struct kr_rline *lines,
			    const struct frames *fr, const struct frame *picked);
char *ct_lock_frame(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
		    const struct kr_rline *lines,
		    size_t n);
size_t ct_name_forms(struct kr_crashtitle *t, const char *name, char **forms, size_t max);
char *ct_title_form(struct kr_crashtitle *t, const char *name);
char *ct_explain_frames(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
			const struct frame *picked, const char *source, const char *frame);
char **ct_own_frames(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
		     const struct frame *picked, const char *title_frame);
