/* SPDX-License-Identifier: MIT */
/* The crash signature engine: a streaming scanner over console output.
 *
 * Between reports the scanner does not split lines: it looks for the
 * literals that can matter (report headers, starvation and suppression
 * evidence) with a two-byte filter and only examines the lines that contain
 * one. While a report is open, every line is examined and the report's
 * lines are kept (bounded). When a report ends (another report starts, or
 * the log ends), the format table (signature-table.c) turns its text into a
 * title. */
#include "signature.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "litscan.h"
#include "signature-table.h"
#include "signature-title.h"

#define LINE_CAP 4096            /* bytes of a line that are looked at */
#define TEXT_CAP (256 * 1024)    /* bytes of a report's text that are kept */
#define MAX_OPEN 8               /* reports open at once (one per task context) */
#define MAX_HELD 16              /* closed reports waiting for an earlier one */
#define MAX_CRASHES 1000         /* crashes kept; later ones are counted only */
#define MAX_STARVATION 1000      /* starvation lines kept */
#define QUIET_CAP (1024 * 1024) /* a task silent for this long has finished its report */
#define LINGER_LINES 256        /* lines an ended report still reads */
#define CTX_LEN 24

/* ---- literals the fast path looks for ------------------------------------ */

struct starvation_rule {
	const char *literal;
	const char *kind;
	const char *unit;
	bool has_value; /* the figure follows the literal */
};

static const struct starvation_rule starvation_rules[] = {
	{ "hrtimer: interrupt took ", "hrtimer-interrupt", "ns", true },
	{ " kthread starved for ", "rcu-kthread-starved", "jiffies", true },
	{ " kthread timer wakeup didn't happen for ", "rcu-timer-wakeup-missed", "jiffies", true },
	{ "Possible timer handling issue on cpu=", "rcu-timer-not-handled", "", false },
	{ "Marking clocksource ", "clocksource-unstable", "", false },
	/* not "due to TSCs unsynchronized": a boot-time check that fails on
	 * every multi-CPU TCG guest */
	{ "Marking TSC unstable due to clocksource watchdog", "clocksource-unstable", "", false },
	{ " unstable (delta = ", "clocksource-unstable", "ns", true },
	{ "RT throttling activated", "rt-throttling", "", false },
	{ ") took too long to run: ", "nmi-handler-slow", "ms", true },
	{ "perf: interrupt took too long (", "perf-interrupt-slow", "ns", true },
};

/* Lines that need a full look although they start no report. */
static const char *const other_literals[] = {
	"Out of memory: Kill process",
	"Killed process",
	"lowmemorykiller: Killing",
	"signal SIGBUS",
	"INIT: PANIC",
	"stack smashing detected",
	"serialport: VM disconnected.",
	/* newer kernels print where they jump to */
	"Booting the kernel (",
};

static const char console_hangup[] = "serialport: VM disconnected.";

/* Everything the fast path looks for: report headers, starvation and the
 * other literals above. Built once, read-only afterwards. */
static struct kr_litscan triggers;
static pthread_once_t triggers_once = PTHREAD_ONCE_INIT;

/* Literals that matter inside a report (see route_line()). */
static const char *const report_cues[] = {
	"vmalloc: allocation failure:",
	"FAULT_INJECTION: forcing a failure",
	"FAULT_FLAG_ALLOW_RETRY missing",
	"Disabling lock debugging due to kernel taint",
	"Sending NMI from CPU",
	"Kernel panic - not syncing",
	"WARNING: possible circular locking dependency detected",
};
static struct kr_litscan cue_scan;

static void triggers_init(void)
{
	kr_litscan_init(&cue_scan, report_cues, KR_ARRAY_SIZE(report_cues));
	const char *lits[KR_LITSCAN_MAX];
	size_t n = 0;
	for (size_t i = 0; i < kr_sig_n_groups; i++)
		lits[n++] = kr_sig_groups[i].header;
	for (size_t i = 0; i < KR_ARRAY_SIZE(starvation_rules); i++)
		lits[n++] = starvation_rules[i].literal;
	for (size_t i = 0; i < KR_ARRAY_SIZE(other_literals); i++)
		lits[n++] = other_literals[i];
	kr_litscan_init(&triggers, lits, n);
}

/* ---- small string helpers ------------------------------------------------ */

static const char *find(const char *s, size_t len, const char *lit)
{
	/* (the check keeps GCC's -Wnonnull quiet under -fsanitize) */
	return s ? memmem(s, len, lit, strlen(lit)) : NULL;
}

static bool contains(const char *s, size_t len, const char *lit)
{
	return find(s, len, lit) != NULL;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}


/* ---- console line prefixes ------------------------------------------------ */

/* What the kernel puts in front of a message: "[  12.345678]" and, with
 * CONFIG_PRINTK_CALLER, "[  T123]" or "[   C1]". Lines of one report share
 * the caller; without a caller, all timestamped lines are "console". */
struct line_info {
	const char *text; /* the message without the prefix */
	size_t len;
	char ctx[CTX_LEN]; /* "" (no timestamp), "console", or "[  T123]" */
	bool questionable; /* an unreliable stack frame (" ? foo+0x1/0x2") */
	bool timestamp;
};

static size_t skip_digits(const char *s, size_t len, size_t p)
{
	while (p < len && is_digit(s[p]))
		p++;
	return p;
}

/* Parses "<6>[  12.345][ T123] " at p; returns the offset after it or 0. */
static size_t parse_stamp(const char *s, size_t len, size_t p, char *ctx)
{
	if (p < len && s[p] == '<') {
		size_t q = skip_digits(s, len, p + 1);
		if (q == p + 1 || q >= len || s[q] != '>')
			return 0;
		p = q + 1;
	}
	if (p >= len || s[p] != '[')
		return 0;
	p++;
	while (p < len && s[p] == ' ')
		p++;
	size_t q = skip_digits(s, len, p);
	if (q == p || q >= len || s[q] != '.')
		return 0;
	p = skip_digits(s, len, q + 1);
	if (p == q + 1 || p >= len || s[p] != ']')
		return 0;
	p++;
	strcpy(ctx, "console");
	if (p < len && s[p] == '[') {
		size_t c = p + 1;
		while (c < len && s[c] == ' ')
			c++;
		if (c < len && (s[c] == 'C' || s[c] == 'T')) {
			size_t e = skip_digits(s, len, c + 1);
			if (e > c + 1 && e < len && s[e] == ']' && e + 1 - p < CTX_LEN) {
				memcpy(ctx, s + p, e + 1 - p);
				ctx[e + 1 - p] = '\0';
				p = e + 1;
			}
		}
	}
	if (p >= len || s[p] != ' ')
		return 0;
	return p + 1;
}

static void parse_line(const char *line, size_t len, struct line_info *li)
{
	li->text = line;
	li->len = len;
	li->ctx[0] = '\0';
	li->questionable = false;
	li->timestamp = false;

	size_t base = 0;
	static const char dropped[] = " printk messages dropped ** ";
	if (len > 3 && memcmp(line, "** ", 3) == 0) {
		size_t q = skip_digits(line, len, 3);
		if (q > 3 && len - q >= sizeof(dropped) - 1 &&
		    memcmp(line + q, dropped, sizeof(dropped) - 1) == 0)
			base = q + sizeof(dropped) - 1;
	}
	char ctx[CTX_LEN];
	size_t end = parse_stamp(line, len, base, ctx);
	if (!end) {
		/* "syzkaller login: [  12.3] ..." */
		const char *l = find(line + base, len - base, " login: ");
		while (l && !end) {
			size_t p = (size_t)(l - line) + 8;
			end = parse_stamp(line, len, p, ctx);
			l = find(line + p, len - p, " login: ");
		}
	}
	if (!end)
		return;
	li->timestamp = true;
	strcpy(li->ctx, ctx);
	/* the message starts after the first "] ", which is the end of the
	 * prefix unless junk came before it */
	size_t start = end;
	if (base || line[0] != '[') {
		const char *cut = find(line, len, "] ");
		start = cut ? (size_t)(cut - line) + 2 : end;
	}
	li->text = line + start;
	li->len = len - start;
	if (!contains(li->text, li->len, "<EOI>") &&
	    (contains(li->text, li->len, " ? ") ||
	     (li->len >= 13 && memcmp(li->text + li->len - 13, " (unreliable)", 13) == 0)))
		li->questionable = true;
}

static bool ctx_is_cpu(const char *ctx)
{
	if (ctx[0] != '[')
		return false;
	ctx++;
	while (*ctx == ' ')
		ctx++;
	return *ctx == 'C';
}

/* ---- the scanner ----------------------------------------------------------- */

struct open_report {
	size_t start, end;
	char ctx[CTX_LEN];
	size_t group;
	struct kr_buf text;  /* the report's lines, prefixes stripped */
	size_t title_len;    /* the part of text that names the crash */
	bool title_frozen;
	bool skip_rest;      /* nothing more belongs to the report */
	/* Ended by the next report, a report without contexts still reads a
	 * few more lines: a stack trace there makes it whole (the next
	 * report's lines are not told apart from its own). */
	bool lingering;
	size_t linger_left;  /* lines until it closes */
	size_t own_len;      /* its text before the next report */
	bool full;           /* text reached TEXT_CAP */
	bool cpu_traceback;  /* all-CPU backtraces follow: keep [C*] lines too */
	size_t text_lines;
	size_t min_lines;
};

struct kr_scanner {
	size_t offset; /* bytes fed so far */

	/* The line being received (bounded): its start, its kept bytes. */
	char carry[LINE_CAP];
	size_t carry_len;
	size_t carry_offset;
	bool carrying;

	bool first_line_seen;
	bool boot_preamble_first; /* the log starts with firmware/boot output */
	bool seen_timestamp;
	bool first_boot_exempted;
	bool hit, finished, suppressed, hangup;

	struct open_report *open[MAX_OPEN];
	size_t n_open;
	/* closed but held back until every earlier report has closed, so
	 * that crashes are published in log order */
	struct kr_crash *held[MAX_HELD + MAX_OPEN + 2];
	size_t n_held;

	struct kr_crash **crashes;
	size_t n_crashes;
	size_t n_dropped;

	struct kr_starvation *starvation;
	size_t n_starvation;

};

/* The patterns are compiled when a log first needs them (clean logs never
 * do), once per thread: compiled patterns hold match scratch space, so
 * threads do not share them. */
static struct kr_sig_patterns *patterns(struct kr_scanner *s)
{
	static __thread struct kr_sig_patterns *compiled;
	(void)s;
	if (!compiled)
		compiled = kr_sig_patterns_new();
	return compiled;
}

struct kr_scanner *kr_scanner_new(void)
{
	pthread_once(&triggers_once, triggers_init);
	struct kr_scanner *s = kr_calloc(1, sizeof(*s));
	return s;
}

static void crash_free(struct kr_crash *c)
{
	if (!c)
		return;
	free(c->title);
	kr_strv_free(c->alt_titles);
	free(c->frame);
	free(c->report);
	free(c);
}

static void report_free(struct open_report *r)
{
	if (!r)
		return;
	kr_buf_free(&r->text);
	free(r);
}

void kr_scanner_free(struct kr_scanner *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_open; i++)
		report_free(s->open[i]);
	for (size_t i = 0; i < s->n_held; i++)
		crash_free(s->held[i]);
	for (size_t i = 0; i < s->n_crashes; i++)
		crash_free(s->crashes[i]);
	free(s->crashes);
	for (size_t i = 0; i < s->n_starvation; i++)
		free(s->starvation[i].line);
	free(s->starvation);
	free(s);
}

bool kr_scanner_hit(const struct kr_scanner *s)
{
	return s->hit;
}

size_t kr_scanner_n_crashes(const struct kr_scanner *s)
{
	return s->n_crashes;
}

const struct kr_crash *kr_scanner_crash(const struct kr_scanner *s, size_t i)
{
	return i < s->n_crashes ? s->crashes[i] : NULL;
}

size_t kr_scanner_n_dropped(const struct kr_scanner *s)
{
	return s->n_dropped;
}

size_t kr_scanner_n_starvation(const struct kr_scanner *s)
{
	return s->n_starvation;
}

const struct kr_starvation *kr_scanner_starvation(const struct kr_scanner *s, size_t i)
{
	return i < s->n_starvation ? &s->starvation[i] : NULL;
}

/* ---- line handling --------------------------------------------------------- */

static void publish(struct kr_scanner *s, struct kr_crash *c)
{
	if (s->n_crashes == MAX_CRASHES) {
		s->n_dropped++;
		crash_free(c);
		return;
	}
	if (!s->crashes)
		s->crashes = kr_calloc(MAX_CRASHES, sizeof(*s->crashes));
	s->crashes[s->n_crashes++] = c;
}

/* Publishes held crashes that no open report precedes. */
static void flush_held(struct kr_scanner *s)
{
	size_t first_open = SIZE_MAX;
	for (size_t i = 0; i < s->n_open; i++)
		if (s->open[i]->start < first_open)
			first_open = s->open[i]->start;
	size_t k = 0;
	for (size_t i = 0; i < s->n_held; i++) {
		if (s->held[i]->start < first_open)
			publish(s, s->held[i]);
		else
			s->held[k++] = s->held[i];
	}
	s->n_held = k;
}

static void close_report(struct kr_scanner *s, size_t idx)
{
	struct open_report *r = s->open[idx];
	memmove(&s->open[idx], &s->open[idx + 1], (s->n_open - idx - 1) * sizeof(s->open[0]));
	s->n_open--;
	struct kr_crash *c = kr_calloc(1, sizeof(*c));
	kr_sig_describe(patterns(s), r->group, r->text.data, r->title_len, r->text.len, c);
	c->start = r->start;
	c->end = r->end;
	c->suppressed |= s->suppressed;
	c->corrupted |= s->hangup;
	c->report_len = r->lingering ? r->own_len : r->text.len;
	c->report = kr_buf_steal(&r->text);
	c->report[c->report_len] = '\0';
	report_free(r);
	/* keep held[] sorted by start */
	size_t pos = s->n_held;
	while (pos > 0 && s->held[pos - 1]->start > c->start) {
		s->held[pos] = s->held[pos - 1];
		pos--;
	}
	s->held[pos] = c;
	s->n_held++;
	flush_held(s);
	/* A report that stays open holds back all that close after it: past
	 * a few, it has had its chance. */
	while (s->n_held > MAX_HELD && s->n_open) {
		size_t first = 0;
		for (size_t i = 1; i < s->n_open; i++)
			if (s->open[i]->start < s->open[first]->start)
				first = i;
		close_report(s, first);
	}
}

static void add_starvation(struct kr_scanner *s, const struct starvation_rule *rule, const char *line,
			   size_t len, const char *at, size_t offset)
{
	if (s->n_starvation == MAX_STARVATION)
		return;
	if (!s->starvation)
		s->starvation = kr_calloc(MAX_STARVATION, sizeof(*s->starvation));
	struct kr_starvation *st = &s->starvation[s->n_starvation++];
	st->kind = rule->kind;
	st->unit = rule->unit;
	st->value = 0;
	if (rule->has_value) {
		const char *p = at + strlen(rule->literal);
		const char *e = line + len;
		double v = 0, scale = 0;
		for (; p < e && (is_digit(*p) || (*p == '.' && !scale)); p++) {
			if (*p == '.') {
				scale = 1;
				continue;
			}
			v = v * 10 + (*p - '0');
			scale *= 10;
		}
		st->value = scale > 1 ? v / scale : v;
	}
	st->line = kr_strndup(line, len);
	st->offset = offset;
}

static bool is_boot_preamble(const char *line, size_t len)
{
	static const char *const starts[] = {
		"SeaBIOS", "iPXE", "Booting from", "early console", "Decompressing Linux",
		"Probing EDD", "Linux version", "BdsDxe", "EFI stub", "[    0.000000]",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(starts); i++) {
		size_t n = strlen(starts[i]);
		if (len >= n && memcmp(line, starts[i], n) == 0)
			return true;
	}
	return false;
}

/* The group of the report this line starts, or -1. */
static ssize_t header_group(struct kr_scanner *s, const char *line, size_t len)
{
	for (size_t g = 0; g < kr_sig_n_groups; g++) {
		if (!contains(line, len, kr_sig_groups[g].header))
			continue;
		if (!kr_sig_ignored(patterns(s), g, line, len))
			return (ssize_t)g;
	}
	/* Newer kernels say "Booting the kernel (entry_offset: 0x...)." */
	if (contains(line, len, "Booting the kernel (")) {
		for (size_t g = 0; g < kr_sig_n_groups; g++)
			if (strcmp(kr_sig_groups[g].header, "Booting the kernel.") == 0)
				return (ssize_t)g;
	}
	return -1;
}

static bool is_reboot_group(size_t g)
{
	return strncmp(kr_sig_groups[g].header, "Booting the kernel", 18) == 0;
}

static bool any_of(const char *line, size_t len, const char *const *lits)
{
	for (size_t i = 0; lits[i]; i++)
		if (contains(line, len, lits[i]))
			return true;
	return false;
}

static void append_line(struct open_report *r, const struct line_info *li, size_t next_offset)
{
	if (r->full)
		return;
	if (r->text.len + li->len + 1 > TEXT_CAP) {
		r->full = true;
		return;
	}
	kr_buf_add(&r->text, li->text, li->len);
	kr_buf_addc(&r->text, '\n');
	if (!r->title_frozen)
		r->title_len = r->text.len;
	if (!r->lingering)
		r->end = next_offset;
}

/* Gives a line that starts no report to the open reports it belongs to. */
static void route_line(struct kr_scanner *s, const char *line, size_t len, const struct line_info *li,
		       size_t next_offset)
{
	bool cue = kr_litscan_find(&cue_scan, (const unsigned char *)line, 0, len, NULL) < len;
	bool info = cue && any_of(line, len, kr_sig_info_with_stack);
	bool expired = false;
	for (size_t i = 0; i < s->n_open; i++) {
		struct open_report *r = s->open[i];
		if (r->lingering && !r->linger_left--) {
			expired = true;
			continue;
		}
		/* Without task contexts nothing tells the reports apart: an
		 * info message's stack would be taken for the report's own. */
		if (info && (r->ctx[0] == '\0' || strcmp(r->ctx, "console") == 0))
			r->title_frozen = true;
		if (r->skip_rest || r->full)
			continue;
		bool mine = strcmp(li->ctx, r->ctx) == 0 || (r->cpu_traceback && ctx_is_cpu(li->ctx));
		if (!mine || li->questionable) {
			/* A task's report is complete when the task has been
			 * quiet for long: stop reading every line for it. */
			if (next_offset - r->end > QUIET_CAP)
				r->skip_rest = true;
			continue;
		}
		r->text_lines++;
		if (cue && contains(line, len, "Disabling lock debugging due to kernel taint"))
			continue;
		if (cue && contains(line, len, "Sending NMI from CPU")) {
			r->cpu_traceback = true;
		} else if (cue && r->text_lines > r->min_lines &&
			   (contains(line, len, "Kernel panic - not syncing") ||
			    contains(line, len, "WARNING: possible circular locking dependency detected"))) {
			/* The panic that panic_on_warn adds repeats the stack;
			 * the lockdep report that an oops provokes is another
			 * bug. */
			r->skip_rest = true;
			continue;
		}
		append_line(r, li, next_offset);
	}
	for (size_t i = s->n_open; expired && i-- > 0;)
		if (s->open[i]->lingering && s->open[i]->linger_left == SIZE_MAX)
			close_report(s, i);
}

static void open_report(struct kr_scanner *s, size_t g, const char *line, size_t len,
			const struct line_info *li, size_t offset, size_t next_offset)
{
	if (s->n_open == MAX_OPEN) {
		size_t oldest = 0;
		for (size_t i = 1; i < s->n_open; i++)
			if (s->open[i]->start < s->open[oldest]->start)
				oldest = i;
		close_report(s, oldest);
	}
	struct open_report *r = kr_calloc(1, sizeof(*r));
	r->start = offset;
	r->end = next_offset;
	strcpy(r->ctx, li->ctx);
	r->group = g;
	kr_buf_init(&r->text, TEXT_CAP);
	r->text_lines = 1;
	r->min_lines = contains(line, len, "BUG: KMSAN:") ? 16 : 22;
	/* the header line always belongs, even with a " ? " in it */
	size_t n = li->len < TEXT_CAP - 1 ? li->len : TEXT_CAP - 1;
	kr_buf_add(&r->text, li->text, n);
	kr_buf_addc(&r->text, '\n');
	r->title_len = r->text.len;
	s->open[s->n_open++] = r;
	s->hit = true;
}

static void check_other(struct kr_scanner *s, const char *line, size_t len, size_t offset)
{
	for (size_t i = 0; i < KR_ARRAY_SIZE(starvation_rules); i++) {
		const char *at = find(line, len, starvation_rules[i].literal);
		if (at) {
			add_starvation(s, &starvation_rules[i], line, len, at, offset);
			break;
		}
	}
	static const char *const cues[] = { "panic: ", "fatal error: ", "SIGBUS", "Out of memory",
					    "Killed process", "lowmemorykiller", "INIT: PANIC",
					    "stack smashing", NULL };
	if (!s->suppressed && any_of(line, len, cues))
		s->suppressed = kr_sig_suppressed(patterns(s), line, len);
	if (contains(line, len, console_hangup))
		s->hangup = true;
}

/* Looks at one line; trigger says the line holds one of the literals of
 * the fast path (false: not known). */
static void process_line(struct kr_scanner *s, const char *line, size_t len, size_t offset,
			 size_t next_offset, bool trigger)
{
	if (len > LINE_CAP)
		len = LINE_CAP;
	while (len && line[len - 1] == '\r')
		len--;
	if (!s->first_line_seen && len) {
		s->first_line_seen = true;
		s->boot_preamble_first = is_boot_preamble(line, len);
	}
	struct line_info li;
	parse_line(line, len, &li);

	if (!trigger)
		trigger = kr_litscan_find(&triggers, (const unsigned char *)line, 0, len, NULL) < len;
	ssize_t g = -1;
	if (trigger) {
		check_other(s, line, len, offset);
		g = header_group(s, line, len);
	}
	/* A log that starts with the machine booting shows that boot, not a
	 * reboot. */
	if (g >= 0 && is_reboot_group((size_t)g) && s->boot_preamble_first && !s->seen_timestamp &&
	    !s->first_boot_exempted) {
		s->first_boot_exempted = true;
		g = -1;
	}
	if (li.timestamp)
		s->seen_timestamp = true;
	if (g < 0 || (s->n_open && any_of(line, len, kr_sig_continuations))) {
		route_line(s, line, len, &li, next_offset);
		return;
	}
	/* Without caller contexts another report ends the open ones: their
	 * lines cannot be told apart any more. With contexts (task or CPU), a
	 * report keeps its caller's lines to the end: a second header from
	 * the same caller is often part of the same failure (a truncated
	 * first header, a warning inside a stall report). */
	for (size_t i = s->n_open; i-- > 0;) {
		struct open_report *r = s->open[i];
		if ((r->ctx[0] == '\0' || strcmp(r->ctx, "console") == 0) && !r->lingering) {
			r->lingering = true;
			r->linger_left = LINGER_LINES;
			r->title_frozen = true;
			r->own_len = r->text.len;
		}
	}
	route_line(s, line, len, &li, next_offset);
	open_report(s, (size_t)g, line, len, &li, offset, next_offset);
}

/* True when every line must be looked at: some open report still takes
 * lines. */
static bool need_lines(const struct kr_scanner *s)
{
	for (size_t i = 0; i < s->n_open; i++)
		if (!s->open[i]->skip_rest && !s->open[i]->full)
			return true;
	return false;
}

static void carry_add(struct kr_scanner *s, const char *data, size_t len)
{
	size_t room = LINE_CAP - s->carry_len;
	if (len > room)
		len = room;
	memcpy(s->carry + s->carry_len, data, len);
	s->carry_len += len;
}

static void carry_start(struct kr_scanner *s, const char *data, size_t len, size_t offset)
{
	s->carrying = true;
	s->carry_len = 0;
	s->carry_offset = offset;
	carry_add(s, data, len);
}

int kr_scanner_feed(struct kr_scanner *s, const char *data, size_t len)
{
	if (s->finished)
		return -EINVAL;
	const unsigned char *u = (const unsigned char *)data;
	size_t base = s->offset;
	size_t pos = 0;
	if (s->carrying) {
		const char *nl = memchr(data, '\n', len);
		if (!nl) {
			carry_add(s, data, len);
			s->offset += len;
			return 0;
		}
		carry_add(s, data, (size_t)(nl - data));
		s->carrying = false;
		pos = (size_t)(nl - data) + 1;
		process_line(s, s->carry, s->carry_len, s->carry_offset, base + pos, false);
	}
	while (pos < len) {
		/* Up to the first line with text, every line is looked at: it
		 * decides whether the log starts with a boot. */
		if (need_lines(s) || !s->first_line_seen) {
			const char *nl = memchr(data + pos, '\n', len - pos);
			if (!nl)
				break;
			size_t end = (size_t)(nl - data);
			process_line(s, data + pos, end - pos, base + pos, base + end + 1, false);
			pos = end + 1;
			continue;
		}
		size_t hit = kr_litscan_find(&triggers, u, pos, len, NULL);
		if (hit == len)
			break;
		const char *ls = memrchr(data + pos, '\n', hit - pos);
		size_t start = ls ? (size_t)(ls - data) + 1 : pos;
		const char *nl = memchr(data + hit, '\n', len - hit);
		if (!nl) {
			pos = start;
			break;
		}
		size_t end = (size_t)(nl - data);
		if (hit - start < LINE_CAP)
			process_line(s, data + start, end - start, base + start, base + end + 1, true);
		pos = end + 1;
	}
	if (pos < len) {
		/* keep the unfinished line for the next chunk */
		const char *ls = memrchr(data + pos, '\n', len - pos);
		size_t start = ls ? (size_t)(ls - data) + 1 : pos;
		carry_start(s, data + start, len - start, base + start);
	}
	s->offset += len;
	return 0;
}

int kr_scanner_finish(struct kr_scanner *s)
{
	if (s->finished)
		return 0;
	if (s->carrying) {
		s->carrying = false;
		process_line(s, s->carry, s->carry_len, s->carry_offset, s->offset, false);
	}
	while (s->n_open)
		close_report(s, s->n_open - 1);
	flush_held(s);
	s->finished = true;
	/* Evidence seen after a report still applies to it. */
	for (size_t i = 0; i < s->n_crashes; i++) {
		s->crashes[i]->suppressed |= s->suppressed;
		s->crashes[i]->corrupted |= s->hangup;
	}
	return 0;
}
