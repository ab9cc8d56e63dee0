/* SPDX-License-Identifier: MIT */
/* Crash signature engine: finds every kernel crash report in a console log,
 * titles it the way syzbot does, and collects evidence that the (virtual)
 * CPU was starved, which turns a stall into an emulator artifact.
 *
 * The scanner is fed chunk by chunk while a guest prints (or a whole file
 * at once) and keeps memory bounded: it holds the text of reports that are
 * still open plus a bounded window, never the whole log. Offsets are byte
 * offsets from the start of everything fed. Chunk boundaries do not change
 * the result.
 *
 * Bounds: the first 4 KiB of a line are looked at (a report header further
 * into a longer line is not seen); a report keeps at most 256 KiB of text
 * and 4000 lines; one report is open at a time; 1000 crashes and 1000
 * starvation lines are kept. The format table is crashrules.c (scanner in
 * crashscan.c, titles in crashtitle.c). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct kr_crash {
	char *title;        /* "WARNING in foo", "INFO: task hung in bar", ... */
	char **alt_titles;  /* never NULL; may be empty */
	const char *type;   /* class as syzkaller names it: "WARNING", "HANG",
			     * "LOCKDEP", "KASAN-USE-AFTER-FREE-READ", "DoS",
			     * "UNKNOWN", ... (static string) */
	char *frame;        /* the stack frame the title names, NULL if none */
	bool corrupted;     /* truncated/interleaved: the title is unreliable */
	bool suppressed;    /* a kind that is ignored: the environment's doing,
			     * e.g. a panic because init itself crashed */
	bool is_stall;      /* a hang or stall report (hung task, RCU stall,
			     * soft/hard lockup): a candidate artifact */
	size_t start;       /* offset of the report's first line */
	size_t end;         /* offset just past its last line */
	char *report;       /* the report's lines without their console prefixes
			     * (at most 256 KiB); may hold NUL bytes */
	size_t report_len;
	char **frames;      /* the functions of the crash's own call trace, in
			     * order from the top, infrastructure frames left
			     * out (the first is the title's frame when the
			     * title names one); never NULL, may be empty */
	char *explain;      /* with kr_scanner_explain(): how the title's frame
			     * was chosen, one line per frame looked at; NULL
			     * otherwise */
};

struct kr_starvation {
	const char *kind;   /* "hrtimer-interrupt", "rcu-kthread-starved",
			     * "rcu-fqs-starved", "clocksource-unstable",
			     * "rt-throttling", ... (docs/results.md) */
	double value;       /* the figure the line gives (ns, jiffies, ...) */
	const char *unit;   /* "ns", "jiffies", "ms", "jiffies per pass", "" */
	char *line;         /* the console line, without its newline (for
			     * evidence from two lines: both, " / " between) */
	size_t offset;      /* offset of the line */
};

struct kr_scanner;

struct kr_scanner *kr_scanner_new(void);
void kr_scanner_free(struct kr_scanner *s);
KR_DEFINE_CLEANUP(struct kr_scanner, kr_scanner_free)

/* Gives the title engine the source file of functions its kernel families'
 * table lacks: file_of(ctx, func) returns the file relative to the kernel
 * tree (allocated) or NULL (kr_symbolizer_function_file, when the run has
 * debug info). ctx must outlive the scanner. */
typedef char *(*kr_scanner_file_fn)(void *ctx, const char *func);
void kr_scanner_set_file_of(struct kr_scanner *s, kr_scanner_file_fn file_of, void *ctx);

/* Makes every crash found from now on carry its explanation (kr_crash.explain). */
void kr_scanner_explain(struct kr_scanner *s);

/* Feeds more console bytes (any bytes: NUL, CR, invalid UTF-8 are fine).
 * Returns 0, or -EINVAL after kr_scanner_finish(). */
int kr_scanner_feed(struct kr_scanner *s, const char *data, size_t len);
/* Declares the end of the log: reports still open are closed. */
int kr_scanner_finish(struct kr_scanner *s);

/* True as soon as the first line of any crash report has been fed: the
 * runner starts its grace period then. */
bool kr_scanner_hit(const struct kr_scanner *s);

/* Crashes found so far, in log order, complete ones only before finish. A
 * report runs from its header to the next report's header (a panic line, or
 * a header printed before the report's stack began, stays in it), to the
 * end of its trace ("---[ end trace", "Kernel Offset:", "Rebooting in",
 * KASAN's closing "===="), or to its 4000th line; it is complete when the
 * next report begins, 64 lines after its end, or at finish. Lines of other
 * tasks or CPUs (caller contexts "[ T123]", "[  C1]") are kept in its text
 * but not used for its title. */
size_t kr_scanner_n_crashes(const struct kr_scanner *s);
const struct kr_crash *kr_scanner_crash(const struct kr_scanner *s, size_t i);
/* Crashes found beyond the first 1000, which are counted but not kept. */
size_t kr_scanner_n_dropped(const struct kr_scanner *s);

size_t kr_scanner_n_starvation(const struct kr_scanner *s);
const struct kr_starvation *kr_scanner_starvation(const struct kr_scanner *s, size_t i);
