/* SPDX-License-Identifier: MIT */
/* The crash engine's knowledge, kept as data: which console lines open a
 * crash report and how each kind of report is titled (struct kr_rule), the
 * stack frames that never name a crash (skip patterns), the entry points
 * that name a stall, the renames that make titles stable across kernel
 * versions, and the lines that show a starved vCPU. crashtitle.c and
 * crashscan.c interpret these tables; adding a report format means adding
 * a row here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Where the frame a title names comes from (tried in this order: the
 * header's group first when hdr_frame is set, then the method). */
enum kr_frame_method {
	KR_FRAME_NONE,  /* the title names no frame */
	KR_FRAME_STACK, /* the first frame of the report's stack that is not
			 * skipped; PC lines (RIP:, pc :, ...) count as frames */
	KR_FRAME_STALL, /* a stalled CPU: entry points (syscalls, file and
			 * socket operations, work items, timers, packet
			 * handlers) win over the frames above them */
	KR_FRAME_LOCK,  /* the function of the first lockdep "at: FUNC" line,
			 * then the stack */
};

enum {
	KR_RULE_NEEDS_STACK = 1 << 0, /* no call trace: the report is corrupted */
	KR_RULE_STALL = 1 << 1,       /* a hang or stall report */
	KR_RULE_SUPPRESSED = 1 << 2,  /* a kind of report that is ignored */
	KR_RULE_JOINS = 1 << 3,       /* inside an open report (a panic line,
				       * a follow-up line) it is part of that
				       * report, not a new one */
	KR_RULE_AFTER_IRQ = 1 << 4,   /* frames count only after the timer
				       * interrupt that found the stall */
	KR_RULE_REBOOT = 1 << 5,      /* a firmware/boot banner: a crash only
				       * when the kernel had been running */
	KR_RULE_NEEDS_AUX = 1 << 6,   /* without the aux line, use title_noaux
				       * and call the report corrupted */
	KR_RULE_AUX_FRAME = 1 << 8,   /* the aux group names a frame, tried before
				       * the method */
	KR_RULE_CORRUPTED = 1 << 10,  /* always corrupted: a follow-up message
				       * whose report is missing */
	KR_RULE_AUX_COMPLETES = 1 << 11, /* without the aux line, corrupted */
	KR_RULE_HDR_FAMILIES = 1 << 12, /* the kernel families pass over the
					 * header's function too */
	KR_RULE_PC_FAMILIES = 1 << 13, /* ... and the faulting PC */
	KR_RULE_QUIET = 1 << 9,       /* joining a report whose stack has begun
				       * does not make it interleaved (panic
				       * lines follow every report) */
};

struct kr_rule {
	const char *lit;     /* literals (>= 4 bytes, "a|b" for either) one of
			      * which every header line contains */
	const char *re;      /* PCRE2 pattern, searched in the line without
			      * its console prefix */
	const char *title;   /* template: {1}..{9} header groups, {F} the
			      * frame (or "corrupted"), {A} the aux group,
			      * "{ A}" a space and {A} when there is one */
	const char *type;    /* crash class, syzkaller's names; "KASAN" and
			      * "KFENCE" are completed from the title */
	const char *alt;     /* generic alternative title ("stall", "hang",
			      * "bad-access", ...) followed by " in FRAME" */
	enum kr_frame_method frame;
	int hdr_frame;       /* header group naming the frame first (0: none) */
	unsigned flags;
	const char *skip;    /* extra frame-skip pattern of this kind of report */
	const char *aux;     /* pattern searched in the report's first lines;
			      * its group 1 is {A} */
	const char *title_noaux; /* title when KR_RULE_NEEDS_AUX and no aux */
	const char *stack_from;  /* frames count after the first line matching
				  * this pattern (when there is one) */
	const char *confirm;     /* without a line matching this, not a crash */
	const char *complete;    /* without a line matching this, the report
				  * was cut short: corrupted */
	const char *keep_families; /* kernel-funcs.h families ("a|b") whose
				    * functions this kind of report may name
				    * ("*": all) although kr_skip_families
				    * lists them */
};

extern const struct kr_rule kr_rules[];
extern const size_t kr_n_rules;

/* Frames that never name a crash: reporting machinery, sanitizer hooks,
 * locking and scheduling primitives, entry code, library helpers. PCRE2
 * alternations (NULL-terminated list, joined with '|'), matched against a
 * whole function name. */
extern const char *const kr_skip_frames[];
/* The families of kernel-funcs.h whose functions never name a crash
 * ("a|b"): a frame defined in one of their files is passed over. */
extern const char kr_skip_families[];
/* Frames that are where a stall was found (interrupt entry); a stall's
 * frames start after the first of them. */
extern const char kr_irq_entry_frames[];
/* Names of entry points that name a stall: syscalls, file and socket
 * operations, packet handlers. */
extern const char kr_stall_anchor_frames[];
/* Names that are never a stall's entry point although they look like one
 * (the generic layers around the specific handler). */
extern const char kr_stall_not_anchor_frames[];
/* Dispatchers: the function a dispatcher calls (a work item, a timer, a
 * netlink handler, a file operation) is a stall's entry point. */
extern const char kr_stall_dispatchers[];
/* Lines that end the part of a report in which its frame is looked for
 * (the allocation and free stacks of KASAN, the lock dump after a hung
 * task, other CPUs' backtraces). */
extern const char kr_stack_stop_lines[];

/* Function renames that keep titles stable: syscall wrappers and old
 * names. Each step rewrites a name; the title uses the last form, the
 * alternative titles the earlier ones. */
struct kr_rename {
	const char *re;   /* PCRE2 pattern on the whole name */
	const char *with; /* replacement: literal text and $1 */
};
extern const struct kr_rename kr_renames[];
extern const size_t kr_n_renames;

/* Evidence that the (virtual) CPU did not run. A rule's line is the
 * evidence (KR_STARVE_LINE), or its value is held (KR_STARVE_HOLD) for the
 * next line that a KR_STARVE_PER rule of the same kind matches, whose value
 * divided by the held one (0 counted as 1) is the evidence's value: both
 * lines make one piece of evidence, joined by " / ". A line that any
 * KR_STARVE_PER rule matches drops all held lines. */
enum { KR_STARVE_LINE, KR_STARVE_HOLD, KR_STARVE_PER };
struct kr_starve_rule {
	const char *lit;  /* prefilter literal */
	const char *re;   /* PCRE2 pattern; group 1 (when present) is the value */
	const char *kind;
	const char *unit;
	double min;       /* a smaller value is no evidence (0: any) */
	int role;         /* KR_STARVE_* */
};
extern const struct kr_starve_rule kr_starve_rules[];
extern const size_t kr_n_starve_rules;

/* Lines that end a report (after its stack began). */
extern const char kr_report_end_lines[];

/* The kernel's first line: the boot banners before it are not a reboot. */
extern const char kr_boot_marker[];

/* Lines that start another task's dump (fault injection, allocation
 * failures), which printk interleaves with reports. */
extern const char kr_foreign_dump_lines[];
/* The fault injection's frames. */
extern const char kr_foreign_dump_frames[];

/* Lines that make a report near them (within 4 KiB before its header, or
 * inside it) one of a suppressed kind: the crash is the test environment's
 * doing (e.g. init killed by the reproducer). */
struct kr_suppression {
	const char *lit;
	const char *re;
};
extern const struct kr_suppression kr_suppressions[];
extern const size_t kr_n_suppressions;
