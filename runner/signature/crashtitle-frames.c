/* SPDX-License-Identifier: MIT */
/* The stack of a crash report: function names without compiler suffixes
 * (demangled), stack lines of every architecture parsed into frames, and
 * the frames of a report collected in its context (crashtitle-internal.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crashrules.h"
#include "crashtitle-internal.h"
#include "rust-demangle.h"
#include "stack.h"

/* An Itanium-mangled name ("_ZN3foo3bar17h0123456789abcdefE", as C++
 * and Rust's legacy mangling give) as "foo::bar", without Rust's hash part,
 * C++'s parameter types and a method's qualifiers ("_ZNK3foo3barEv" is
 * "foo::bar", "_Z8do_thingi" "do_thing"); a constructor or destructor
 * ("_ZN3FooC2Ev") is "Foo::Foo" or "Foo::~Foo". NULL when it is not one. */
static char *demangle_nested(const char *name, size_t len)
{
	if (len < 3 || memcmp(name, "_Z", 2) != 0)
		return NULL;
	bool nested = name[2] == 'N';
	size_t i = nested ? 3 : 2;
	if (nested)
		while (i < len && strchr("rVKRO", name[i]))
			i++;
	struct kr_buf b = KR_BUF_INIT(MAX_NAME);
	const char *last = NULL;
	size_t last_n = 0;
	while (i < len && name[i] != 'E') {
		size_t n = 0;
		if (nested && i + 1 < len && ((name[i] == 'C' && strchr("123", name[i + 1])) ||
					      (name[i] == 'D' && strchr("012", name[i + 1])))) {
			if (!last)
				break;
			kr_buf_printf(&b, "::%s%.*s", name[i] == 'D' ? "~" : "", (int)last_n, last);
			i += 2;
			continue;
		}
		if (!isdigit((unsigned char)name[i]))
			break;
		while (i < len && isdigit((unsigned char)name[i]))
			n = n * 10 + (size_t)(name[i++] - '0');
		if (n == 0 || n > len - i)
			break;
		bool hash = n == 17 && name[i] == 'h';
		for (size_t k = 1; hash && k < n; k++)
			hash = isxdigit((unsigned char)name[i + k]);
		if (!hash) {
			if (b.len)
				kr_buf_adds(&b, "::");
			kr_buf_add(&b, name + i, n);
			last = name + i;
			last_n = n;
		}
		i += n;
		if (!nested)
			break; /* an unscoped name: its parameter types follow */
	}
	if (!b.len || (nested && (i >= len || name[i] != 'E'))) {
		kr_buf_free(&b);
		return NULL;
	}
	return kr_buf_steal(&b);
}

char *kr_crash_frame_name(const char *name, size_t len)
{
	char *nested = demangle_nested(name, len);
	if (nested)
		return nested;
	if (len > 2 && name[0] == '_' && name[1] == 'R') {
		char *d = kr_rust_demangle(name, len);
		if (d)
			return d;
	}
	/* compiler suffixes: foo.isra.0, foo.constprop.3, foo.part.1, foo.cold */
	const char *dot = memchr(name, '.', len);
	if (dot && dot > name)
		len = (size_t)(dot - name);
	return kr_strndup(name, len);
}

bool ct_is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

static bool starts(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(end - p) >= n && memcmp(p, word, n) == 0;
}

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* "+0x12/0x34" */
static bool at_offset(const char *p, const char *end)
{
	if (!starts(p, end, "+0x"))
		return false;
	p += 3;
	return p < end && isxdigit((unsigned char)*p);
}

/* " file.c:123" (a symbolized frame without an offset) */
static bool at_source(const char *p, const char *end)
{
	p = skip_space(p, end);
	const char *colon = NULL;
	for (; p < end && *p != ' '; p++)
		if (*p == ':')
			colon = p;
	return colon && colon + 1 < end && isdigit((unsigned char)colon[1]);
}

/* Parses a stack line: "func+0x1/0x2", " ? func+0x1/0x2 [mod]",
 * "[<addr>] func+0x1/0x2", "func file.c:12 [inline]", "RIP: 0010:func+0x1/0x2",
 * "PC is at func+0x1/0x2", "pc : func+0x1/0x2", "NIP [addr] func+0x1/0x2",
 * "[<addr>] (func) from [<addr>] (caller+0x1/0x2)". Unreliable frames
 * ("? func") are not frames. */
bool ct_parse_frame(const char *s, size_t n, struct frame *f)
{
	const char *p = s, *end = s + n;
	f->kind = FK_FRAME;
	p = skip_space(p, end);
	while (starts(p, end, "<IRQ>") || starts(p, end, "<EOI>") || starts(p, end, "<NMI>")) {
		p += 5;
		p = skip_space(p, end);
	}
	static const char *const pc_words[] = { "RIP: ", "EIP: ", "IP: ", "PC is at ", "pc : ",
						"NIP ", "epc : ", "ip: ", "--- interrupt: " };
	for (size_t i = 0; i < KR_ARRAY_SIZE(pc_words); i++) {
		if (starts(p, end, pc_words[i])) {
			f->kind = FK_PC;
			p += strlen(pc_words[i]);
			p = skip_space(p, end);
			/* the segment of x86's RIP: "0010:" */
			if (end - p > 5 && isxdigit((unsigned char)p[0]) && p[4] == ':' &&
			    isxdigit((unsigned char)p[3]))
				p += 5;
			/* powerpc's "--- interrupt: 700 at func+0x2c/0x70" */
			if (i == KR_ARRAY_SIZE(pc_words) - 1) {
				while (p < end && isxdigit((unsigned char)*p))
					p++;
				if (!starts(p, end, " at "))
					return false;
				p += 4;
			}
			break;
		}
	}
	p = kr_stack_skip_addresses(p, end);
	if (f->kind == FK_FRAME && starts(p, end, "? "))
		return false;
	bool paren = false;
	if (f->kind == FK_FRAME && p < end && *p == '(') {
		paren = true;
		p++;
	}
	if (p >= end || !ct_is_name_start(*p))
		return false;
	const char *name = p;
	while (p < end && is_name_char(*p))
		p++;
	size_t len = (size_t)(p - name);
	f->caller[0] = '\0';
	f->arm = false;
	if (paren) {
		/* arm: "(func) from [<addr>] (caller+0x..)", or "(func+0x1/0x2)" */
		if (!(p < end && (*p == ')' || *p == '+')))
			return false;
		if (starts(p, end, ") from")) {
			f->arm = true;
			const char *q = kr_stack_skip_addresses(p + 6, end);
			if (q < end && *q == '(' && q + 1 < end && ct_is_name_start(q[1])) {
				const char *c = ++q;
				while (q < end && is_name_char(*q))
					q++;
				if (at_offset(q, end) && (size_t)(q - c) < MAX_NAME) {
					_cleanup_free_ char *cn = kr_crash_frame_name(c, (size_t)(q - c));
					if (strlen(cn) < MAX_NAME)
						strcpy(f->caller, cn);
				}
			}
		} else if (!at_offset(p, end)) {
			return false;
		}
	} else if (!at_offset(p, end)) {
		/* a symbolized frame without an offset: "func file.c:12", but
		 * not an inlined one ("func file.h:34 [inline]"), whose
		 * function is the caller's helper */
		if (f->kind == FK_PC || !(p < end && *p == ' ') || !at_source(p, end) ||
		    memmem(p, (size_t)(end - p), "[inline]", 8))
			return false;
	}
	if (len == 0 || len >= MAX_NAME)
		return false;
	/* powerpc marks guessed frames "(unreliable)" */
	if (f->kind == FK_FRAME && memmem(p, (size_t)(end - p), "(unreliable)", 12))
		return false;
	/* a bare hex number is an address, not a name */
	bool hex = len >= 8;
	for (size_t i = 0; hex && i < len; i++)
		hex = isxdigit((unsigned char)name[i]);
	if (hex)
		return false;
	_cleanup_free_ char *clean = kr_crash_frame_name(name, len);
	if (strlen(clean) >= MAX_NAME || !clean[0])
		return false;
	strcpy(f->name, clean);
	return true;
}

bool ct_same_context(const struct kr_rline *hdr, const struct kr_rline *l)
{
	return hdr->ctx == -1 || l->ctx == -1 || l->ctx == hdr->ctx;
}

/* A report that prints its call trace under a "Call Trace:" line
 * (dump_stack(), show_regs()) has no stack frames of its own before it,
 * only the PC's line: frame lines between its header and that line were
 * printed by another task or CPU into the middle of the report. They go,
 * unless nothing would be left. Only for titles named from the stack, and
 * not for reports that print stacks without such a line: KFENCE, KMSAN,
 * KCSAN and kmemleak (stack_trace_print() and stack depot records, then
 * maybe a later dump), lockdep (the stacks of its lock chains come before the
 * backtrace), stalls (other CPUs' stacks) and rules whose stack starts
 * elsewhere (stack_from). */
static bool stack_after_call_trace_line(const struct kr_rule *r)
{
	static const char *const bare[] = { "KFENCE", "KMSAN", "KCSAN", "LOCKDEP", "LEAK" };
	if (r->frame != KR_FRAME_STACK || (r->flags & KR_RULE_AFTER_IRQ) || r->stack_from)
		return false;
	for (size_t i = 0; r->type && i < KR_ARRAY_SIZE(bare); i++)
		if (kr_str_startswith(r->type, bare[i]))
			return false;
	return true;
}

static void drop_frames_before_call_trace(struct kr_crashtitle *t, size_t rule,
					  const struct kr_rline *lines, size_t n, size_t first,
					  struct frames *fr)
{
	if (!stack_after_call_trace_line(&kr_rules[rule]))
		return;
	size_t trace = 0;
	for (size_t i = first; i < n && !trace; i++)
		if (ct_same_context(&lines[0], &lines[i]) &&
		    kr_regex_matches(ct_pattern(t, P_CALL_TRACE), lines[i].s, lines[i].n))
			trace = i;
	if (!trace)
		return;
	bool before = false, after = false;
	for (size_t i = 0; i < fr->n; i++) {
		if (fr->f[i].kind != FK_FRAME)
			continue;
		if (fr->f[i].line < trace)
			before = true;
		else
			after = true;
	}
	if (!before || !after)
		return;
	size_t k = 0;
	for (size_t i = 0; i < fr->n; i++)
		if (fr->f[i].kind != FK_FRAME || fr->f[i].line > trace)
			fr->f[k++] = fr->f[i];
	fr->n = k;
}

void ct_collect_frames(struct kr_crashtitle *t, size_t rule, const struct kr_rline *lines,
		       size_t n, struct frames *out)
{
	const struct kr_rule *r = &kr_rules[rule];
	bool other_cpus = (r->flags & KR_RULE_AFTER_IRQ) != 0;
	out->f = kr_calloc(MAX_FRAMES, sizeof(struct frame));
	out->n = 0;
	out->call_trace = false;
	out->cut = false;
	out->foreign = false;
	size_t first = 1;
	if (r->stack_from) {
		if (!t->from[rule])
			t->from[rule] = ct_compile(r->stack_from, KR_REGEX_NO_JIT);
		/* A report cut before the line its stack follows has no stack of
		 * its own: the frames above that line are other things' (the
		 * "at:" lines of held locks, a lock chain's stacks). */
		first = n;
		out->cut = true;
		bool trace_before = false;
		for (size_t i = 1; i < n; i++) {
			if (!ct_same_context(&lines[0], &lines[i]))
				continue;
			bool trace = kr_regex_matches(ct_pattern(t, P_CALL_TRACE), lines[i].s,
						      lines[i].n);
			if (kr_regex_matches(t->from[rule], lines[i].s, lines[i].n)) {
				first = i + 1;
				out->cut = false;
				/* A "Call Trace:" above the line a report's stack
				 * follows (lockdep's "stack backtrace:") is another
				 * dump's, printed into it: the frames after are
				 * both's. */
				out->foreign = trace_before && !trace;
				break;
			}
			trace_before = trace_before || trace;
		}
		if (out->foreign)
			first = n;
	}
	for (size_t i = first; i < n && out->n < MAX_FRAMES; i++) {
		const struct kr_rline *l = &lines[i];
		if (!ct_same_context(&lines[0], l))
			continue;
		if (kr_regex_matches(ct_pattern(t, P_STOP), l->s, l->n))
			break;
		if (!other_cpus && kr_regex_matches(ct_pattern(t, P_STOP_OTHER_CPU), l->s, l->n))
			break;
		struct frame *f = &out->f[out->n];
		if (!ct_parse_frame(l->s, l->n, f))
			continue;
		f->line = i;
		/* an arm trace's last caller only shows as the "from" part */
		if (out->n && out->f[out->n - 1].caller[0] && !f->arm && out->n + 1 < MAX_FRAMES) {
			struct frame next = *f;
			struct frame *prev = &out->f[out->n - 1];
			*f = (struct frame){ .kind = FK_FRAME, .line = prev->line };
			strcpy(f->name, prev->caller);
			out->n++;
			f = &out->f[out->n];
			*f = next;
		}
		out->n++;
		if (f->kind == FK_FRAME)
			out->call_trace = true;
	}
	drop_frames_before_call_trace(t, rule, lines, n, first, out);
	if (out->n && out->f[out->n - 1].arm && out->f[out->n - 1].caller[0] &&
	    out->n < MAX_FRAMES) {
		struct frame *last = &out->f[out->n - 1];
		struct frame *f = &out->f[out->n++];
		*f = (struct frame){ .kind = FK_FRAME, .line = last->line };
		strcpy(f->name, last->caller);
	}
}

