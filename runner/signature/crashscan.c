/* SPDX-License-Identifier: MIT */
/* The streaming crash scanner behind signature.h: splits the console into
 * lines, skips the lines that hold none of the header literals at memory
 * speed (litscan), collects each report's lines from its header to its end
 * and has crashtitle.c title it; starvation lines are kept with their
 * values. Memory stays bounded: one partial line, one open report. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crashrules.h"
#include "crashtitle.h"
#include "litscan.h"
#include "regex.h"
#include "signature.h"

#define LINE_KEEP 4096                /* bytes of a line that are looked at */
#define REPORT_TEXT_MAX (256 << 10)   /* bytes of report text kept */
#define REPORT_LINES_MAX 4000         /* lines a report holds at most */
#define REPORT_TAIL 64                /* lines after its end before a report is final */
#define MAX_CRASHES 1000
#define MAX_STARVATION 1000
#define SUPPRESS_REACH 4096           /* bytes before a header a suppression line counts */

struct report_line {
	size_t off, len; /* in the report text */
	long ctx;
	bool dropped;
};

struct open_report {
	bool active;
	struct kr_header hdr;
	size_t start, end;
	struct kr_buf text;
	struct report_line *lines;
	size_t n_lines, cap_lines;
	bool stack_begun; /* a call trace or a frame has been printed */
	bool ended;       /* an end line was seen: no more lines are absorbed */
	bool interleaved; /* another report's header came inside its stack */
	bool suppressed;  /* a suppression line came inside it */
	size_t after;     /* lines seen since it ended */
};

struct kr_scanner {
	struct kr_litscan ls;
	struct kr_crashtitle *titles;
	size_t offset;       /* bytes fed so far */
	struct kr_buf carry; /* the start of the line being fed */
	size_t carry_len;    /* its true length (carry holds at most LINE_KEEP) */
	struct open_report rep;
	struct kr_crash *crashes;
	size_t n_crashes, dropped;
	struct kr_starvation *starv;
	size_t n_starv;
	struct kr_regex *starve_re[32];
	struct kr_regex *suppress_re[8];
	bool suppress_seen;   /* a suppression line was fed */
	size_t suppress_end;  /* the offset just past the last one */
	struct held { /* KR_STARVE_HOLD lines waiting for their KR_STARVE_PER line */
		const char *kind;
		char *line;
		double value;
		size_t offset;
	} held[4];
	bool per_line; /* the line being handled matched a KR_STARVE_PER rule */
	bool hit, finished, seen_output, in_banner;
};

struct kr_scanner *kr_scanner_new(void)
{
	struct kr_scanner *s = kr_calloc(1, sizeof(*s));
	const char *const *lits;
	size_t n = kr_crashtitle_literals(&lits);
	kr_litscan_init(&s->ls, lits, n);
	s->titles = kr_crashtitle_new();
	s->carry = KR_BUF_INIT(LINE_KEEP + 1);
	s->rep.hdr.rule = -1;
	s->rep.text = KR_BUF_INIT(REPORT_TEXT_MAX);
	return s;
}

void kr_scanner_set_file_of(struct kr_scanner *s, kr_scanner_file_fn file_of, void *ctx)
{
	kr_crashtitle_set_file_of(s->titles, file_of, ctx);
}

void kr_scanner_explain(struct kr_scanner *s)
{
	kr_crashtitle_set_explain(s->titles);
}

static void crash_clear(struct kr_crash *c)
{
	free(c->title);
	kr_strv_free(c->alt_titles);
	free(c->frame);
	free(c->report);
	kr_strv_free(c->frames);
	free(c->explain);
}

void kr_scanner_free(struct kr_scanner *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_crashes; i++)
		crash_clear(&s->crashes[i]);
	free(s->crashes);
	for (size_t i = 0; i < s->n_starv; i++)
		free(s->starv[i].line);
	free(s->starv);
	for (size_t i = 0; i < KR_ARRAY_SIZE(s->starve_re); i++)
		kr_regex_free(s->starve_re[i]);
	for (size_t i = 0; i < KR_ARRAY_SIZE(s->suppress_re); i++)
		kr_regex_free(s->suppress_re[i]);
	for (size_t i = 0; i < KR_ARRAY_SIZE(s->held); i++)
		free(s->held[i].line);
	kr_header_clear(&s->rep.hdr);
	kr_buf_free(&s->rep.text);
	free(s->rep.lines);
	kr_buf_free(&s->carry);
	kr_crashtitle_free(s->titles);
	free(s);
}

/* ---- console prefixes -------------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "[  12.345678]" at p: its length, or 0 */
static size_t timestamp(const char *p, const char *end)
{
	const char *q = p;
	if (q >= end || *q != '[')
		return 0;
	q++;
	while (q < end && *q == ' ')
		q++;
	const char *d = q;
	while (q < end && is_digit(*q))
		q++;
	if (q == d || q >= end || *q != '.')
		return 0;
	q++;
	d = q;
	while (q < end && is_digit(*q))
		q++;
	if (q == d || q >= end || *q != ']')
		return 0;
	return (size_t)(q + 1 - p);
}

/* "[ T123]" or "[  C1]" at p: its length and the context, or 0 */
static size_t caller(const char *p, const char *end, long *ctx)
{
	const char *q = p;
	if (q >= end || *q != '[')
		return 0;
	q++;
	while (q < end && *q == ' ')
		q++;
	if (q >= end || (*q != 'T' && *q != 'C'))
		return 0;
	bool cpu = *q == 'C';
	q++;
	long v = 0;
	const char *d = q;
	while (q < end && is_digit(*q) && q - d < 9)
		v = v * 10 + (*q++ - '0');
	if (q == d || q >= end || *q != ']')
		return 0;
	*ctx = cpu ? -2 - v : v;
	return (size_t)(q + 1 - p);
}

/* "** 123 printk messages dropped ** " at p: its length, or 0 */
static size_t dropped_marker(const char *p, const char *end)
{
	static const char head[] = "** ", tail[] = " printk messages dropped ** ";
	if ((size_t)(end - p) < sizeof(head) - 1 || memcmp(p, head, 3) != 0)
		return 0;
	const char *q = p + 3;
	const char *d = q;
	while (q < end && is_digit(*q))
		q++;
	if (q == d || (size_t)(end - q) < sizeof(tail) - 2 || memcmp(q, tail, sizeof(tail) - 2) != 0)
		return 0;
	q += sizeof(tail) - 2;
	if (q < end && *q == ' ')
		q++;
	return (size_t)(q - p);
}

/* Strips the console prefix: "<6>", "[  12.34]", "[ T12]", printk's
 * dropped-messages marker; one space after them. */
static const char *strip_prefix(const char *p, size_t *n, long *ctx, bool *dropped)
{
	const char *end = p + *n;
	*ctx = -1;
	*dropped = false;
	bool any = false;
	for (;;) {
		size_t k;
		if (p + 2 < end && *p == '<' && is_digit(p[1]) && (p[2] == '>' || (is_digit(p[2]) &&
									       p + 3 < end && p[3] == '>'))) {
			p += p[2] == '>' ? 3 : 4;
		} else if ((k = timestamp(p, end)) || (k = caller(p, end, ctx))) {
			p += k;
			any = true;
		} else if ((k = dropped_marker(p, end))) {
			p += k;
			*dropped = true;
		} else {
			break;
		}
	}
	if (any && p < end && *p == ' ')
		p++;
	*n = (size_t)(end - p);
	return p;
}

/* ---- crashes and starvation ----------------------------------------------------- */

/* raw[0, raw_len) is the console line, line[0, len) the same without its
 * prefix. */
static void add_starvation(struct kr_scanner *s, size_t rule, const char *raw, size_t raw_len,
			   const char *line, size_t len, size_t off)
{
	const struct kr_starve_rule *r = &kr_starve_rules[rule];
	if (!s->starve_re[rule]) {
		if (kr_regex_new(r->re, KR_REGEX_NO_JIT, &s->starve_re[rule], NULL) < 0)
			abort();
	}
	struct kr_regex_match m;
	if (kr_regex_search(s->starve_re[rule], line, len, 0, &m) != 1)
		return;
	if (s->n_starv >= MAX_STARVATION)
		return;
	double value = 0;
	if (m.groups > 1 && m.start[1] != KR_REGEX_UNSET) {
		_cleanup_free_ char *v = kr_strndup(line + m.start[1], m.end[1] - m.start[1]);
		value = strtod(v, NULL);
	}
	char *text = kr_strndup(raw, raw_len);
	if (r->role != KR_STARVE_LINE) {
		struct held *h = NULL;
		for (size_t i = 0; i < KR_ARRAY_SIZE(s->held) && !h; i++)
			if (!s->held[i].kind || !strcmp(s->held[i].kind, r->kind))
				h = &s->held[i];
		if (!h)
			abort(); /* more kinds of held lines than slots: the table grew */
		if (r->role == KR_STARVE_HOLD) {
			free(h->line);
			*h = (struct held){ .kind = r->kind, .line = text, .value = value,
					    .offset = off };
			return;
		}
		s->per_line = true;
		if (!h->line) {
			free(text);
			return;
		}
		value /= h->value > 1 ? h->value : 1;
		char *both = kr_asprintf("%s / %s", h->line, text);
		free(text);
		text = both;
		off = h->offset;
		free(h->line);
		h->line = NULL;
	}
	if (value < r->min) {
		free(text);
		return;
	}
	s->starv = kr_realloc(s->starv, (s->n_starv + 1) * sizeof(*s->starv));
	s->starv[s->n_starv++] = (struct kr_starvation){
		.kind = r->kind,
		.value = value,
		.unit = r->unit,
		.line = text,
		.offset = off,
	};
}

static void report_reset(struct open_report *r)
{
	kr_header_clear(&r->hdr);
	kr_buf_reset(&r->text);
	r->n_lines = 0;
	r->active = r->stack_begun = r->ended = r->interleaved = r->suppressed = false;
	r->after = 0;
}

/* Titles the open report and keeps it. */
static void finalize(struct kr_scanner *s)
{
	struct open_report *r = &s->rep;
	if (!r->active)
		return;
	struct kr_rline *lines = kr_calloc(r->n_lines ? r->n_lines : 1, sizeof(*lines));
	for (size_t i = 0; i < r->n_lines; i++)
		lines[i] = (struct kr_rline){ .s = r->text.data + r->lines[i].off,
					      .n = r->lines[i].len,
					      .ctx = r->lines[i].ctx,
					      .dropped = r->lines[i].dropped };
	if (!kr_crashtitle_confirmed(s->titles, r->hdr.rule, lines, r->n_lines)) {
		free(lines);
		report_reset(r);
		return;
	}
	if (s->n_crashes >= MAX_CRASHES) {
		s->dropped++;
		free(lines);
		report_reset(r);
		return;
	}
	struct kr_titled t;
	kr_crashtitle_report(s->titles, &r->hdr, lines, r->n_lines, r->interleaved, &t);
	free(lines);
	const struct kr_rule *rule = &kr_rules[r->hdr.rule];
	s->crashes = kr_realloc(s->crashes, (s->n_crashes + 1) * sizeof(*s->crashes));
	struct kr_crash *c = &s->crashes[s->n_crashes++];
	*c = (struct kr_crash){
		.title = t.title,
		.alt_titles = t.alt_titles,
		.type = t.type,
		.frame = t.frame,
		.corrupted = t.corrupted,
		.suppressed = (rule->flags & KR_RULE_SUPPRESSED) || r->suppressed,
		.is_stall = (rule->flags & KR_RULE_STALL) != 0,
		.start = r->start,
		.end = r->end,
		.report_len = r->text.len,
		.frames = t.frames,
		.explain = t.explain,
	};
	c->report = kr_buf_steal(&r->text);
	report_reset(r);
}

static void append_line(struct open_report *r, const char *line, size_t len, long ctx,
			bool dropped, size_t end_off)
{
	r->end = end_off;
	if (r->n_lines >= REPORT_LINES_MAX) {
		r->ended = true;
		return;
	}
	size_t off = r->text.len;
	if (kr_buf_add(&r->text, line, len) < 0 || kr_buf_addc(&r->text, '\n') < 0) {
		r->text.len = off;
		r->text.data[off] = '\0';
		r->ended = true;
		return;
	}
	if (r->n_lines == r->cap_lines) {
		r->cap_lines = r->cap_lines ? r->cap_lines * 2 : 64;
		r->lines = kr_realloc(r->lines, r->cap_lines * sizeof(*r->lines));
	}
	r->lines[r->n_lines++] = (struct report_line){ off, len, ctx, dropped };
}

static bool starts_with(const char *p, size_t n, const char *w)
{
	size_t k = strlen(w);
	return n >= k && memcmp(p, w, k) == 0;
}

/* A line that shows a stack is being printed. */
static bool stack_line(const char *p, size_t n)
{
	const char *q = p, *end = p + n;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	size_t k = (size_t)(end - q);
	if (starts_with(q, k, "Call Trace") || starts_with(q, k, "Call trace") ||
	    starts_with(q, k, "Backtrace:") || starts_with(q, k, "stack backtrace:") ||
	    starts_with(q, k, "backtrace"))
		return true;
	return memmem(q, k, "+0x", 3) != NULL;
}

static bool maybe_end_line(const char *p, size_t n)
{
	return starts_with(p, n, "---[") || starts_with(p, n, "Rebooting in") ||
	       starts_with(p, n, "Kernel Offset") || starts_with(p, n, "=====");
}

/* One console line: raw[0, len) (at most LINE_KEEP bytes of it) at offset
 * off; end_off is just past its newline. */
static void handle_line(struct kr_scanner *s, const char *raw, size_t len, size_t off,
			size_t end_off)
{
	while (len && raw[len - 1] == '\r')
		len--;
	long ctx;
	bool dropped;
	size_t n = len;
	const char *p = strip_prefix(raw, &n, &ctx, &dropped);
	bool had_output = s->seen_output;
	for (size_t i = 0; !s->seen_output && i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			s->seen_output = true;

	struct open_report *r = &s->rep;
	if (r->active && r->ended && ++r->after > REPORT_TAIL)
		finalize(s);

	uint64_t mask = kr_litscan_mask(&s->ls, (const unsigned char *)p, n);
	if (mask) {
		s->per_line = false;
		for (size_t i = 0; i < kr_n_starve_rules; i++)
			if (mask & (UINT64_C(1) << kr_crashtitle_starve_literal(i)))
				add_starvation(s, i, raw, len, p, n, off);
		/* A held line goes with the first line after it that could
		 * take one, or with none. */
		for (size_t i = 0; s->per_line && i < KR_ARRAY_SIZE(s->held); i++) {
			free(s->held[i].line);
			s->held[i].line = NULL;
		}
		if (mask & (UINT64_C(1) << kr_crashtitle_boot_literal()))
			s->in_banner = false;
		for (size_t i = 0; i < kr_n_suppressions; i++) {
			if (!(mask & (UINT64_C(1) << kr_crashtitle_suppress_literal(i))))
				continue;
			if (!s->suppress_re[i] &&
			    kr_regex_new(kr_suppressions[i].re, KR_REGEX_NO_JIT, &s->suppress_re[i],
					 NULL) < 0)
				abort();
			if (kr_regex_matches(s->suppress_re[i], p, n)) {
				s->suppress_seen = true;
				s->suppress_end = end_off;
				if (r->active && !r->ended)
					r->suppressed = true;
			}
		}
		struct kr_header h = { .rule = -1 };
		int rule = kr_crashtitle_header(s->titles, p, n, mask, &h);
		if (rule >= 0) {
			const struct kr_rule *kr = &kr_rules[rule];
			bool start = true;
			if (kr->flags & KR_RULE_REBOOT) {
				start = had_output && !s->in_banner;
				s->in_banner = true;
			} else if (r->active && !r->ended &&
				   ((kr->flags & KR_RULE_JOINS) || !r->stack_begun)) {
				/* a panic line or a report inside one that has not
				 * printed its stack yet: part of the open report */
				start = false;
				if (r->stack_begun && !(kr->flags & KR_RULE_QUIET))
					r->interleaved = true;
			}
			if (start) {
				finalize(s);
				r->active = true;
				r->hdr = h;
				r->start = off;
				r->suppressed = s->suppress_seen && off <= s->suppress_end + SUPPRESS_REACH;
				s->hit = true;
				append_line(r, p, n, ctx, dropped, end_off);
				return;
			}
			kr_header_clear(&h);
		}
	}
	if (!r->active || r->ended)
		return;
	if (!r->stack_begun && stack_line(p, n))
		r->stack_begun = true;
	append_line(r, p, n, ctx, dropped, end_off);
	if (r->stack_begun && maybe_end_line(p, n) && kr_crashtitle_is_end(s->titles, p, n))
		r->ended = true;
}

/* ---- feeding ------------------------------------------------------------------ */

/* Hands the line that starts at data[start] (and ends before to) to
 * handle_line, at most LINE_KEEP bytes of it; returns where the next line
 * starts. */
static size_t one_line(struct kr_scanner *s, const char *data, size_t start, size_t to,
		       size_t base)
{
	const char *nl = memchr(data + start, '\n', to - start);
	size_t e = (size_t)(nl - data);
	handle_line(s, data + start, e - start < LINE_KEEP ? e - start : LINE_KEEP, base + start,
		    base + e + 1);
	return e + 1;
}

/* Lines that are wholly in data[from, to) (each ends with '\n'). */
static void scan_lines(struct kr_scanner *s, const char *data, size_t from, size_t to, size_t base)
{
	size_t pos = from;
	while (pos < to) {
		if (s->rep.active || !s->seen_output) {
			pos = one_line(s, data, pos, to, base);
			continue;
		}
		/* between reports: only lines with a literal matter */
		size_t which;
		size_t at = kr_litscan_find(&s->ls, (const unsigned char *)data, pos, to, &which);
		if (at >= to)
			return;
		const char *ls = at > pos ? memrchr(data + pos, '\n', at - pos) : NULL;
		pos = one_line(s, data, ls ? (size_t)(ls - data) + 1 : pos, to, base);
	}
}

int kr_scanner_feed(struct kr_scanner *s, const char *data, size_t len)
{
	if (s->finished)
		return -EINVAL;
	size_t base = s->offset;
	size_t pos = 0;
	if (s->carry_len) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) : len;
		size_t room = LINE_KEEP > s->carry.len ? LINE_KEEP - s->carry.len : 0;
		kr_buf_add(&s->carry, data, take < room ? take : room);
		s->carry_len += take;
		if (!nl) {
			s->offset += len;
			return 0;
		}
		size_t line_off = base - (s->carry_len - take);
		handle_line(s, s->carry.data, s->carry.len, line_off, base + take + 1);
		kr_buf_reset(&s->carry);
		s->carry_len = 0;
		pos = take + 1;
	}
	const char *last = pos < len ? memrchr(data + pos, '\n', len - pos) : NULL;
	size_t full = last ? (size_t)(last - data) + 1 : pos;
	scan_lines(s, data, pos, full, base);
	if (full < len) {
		size_t take = len - full;
		kr_buf_add(&s->carry, data + full, take < LINE_KEEP ? take : LINE_KEEP);
		s->carry_len = take;
	}
	s->offset += len;
	return 0;
}

int kr_scanner_finish(struct kr_scanner *s)
{
	if (s->finished)
		return 0;
	if (s->carry_len) {
		handle_line(s, s->carry.data, s->carry.len, s->offset - s->carry_len, s->offset);
		kr_buf_reset(&s->carry);
		s->carry_len = 0;
	}
	finalize(s);
	s->finished = true;
	return 0;
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
	return i < s->n_crashes ? &s->crashes[i] : NULL;
}

size_t kr_scanner_n_dropped(const struct kr_scanner *s)
{
	return s->dropped;
}

size_t kr_scanner_n_starvation(const struct kr_scanner *s)
{
	return s->n_starv;
}

const struct kr_starvation *kr_scanner_starvation(const struct kr_scanner *s, size_t i)
{
	return i < s->n_starv ? &s->starv[i] : NULL;
}
