/* SPDX-License-Identifier: MIT */
/* Stack frames of crash reports (see stack.h). */
#include "stack.h"

#include <ctype.h>
#include <string.h>

#include "rust-demangle.h"

#define MAX_FRAMES 512
#define MAX_NAME 512

struct kr_stack {
	struct kr_frame *frames;
	size_t n;
};

/* ---- one line ------------------------------------------------------------- */

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

static bool is_name_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '$';
}

static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/* The line without trailing blanks and CR (logs keep CR LF). */
static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

/* "<IRQ>", "</TASK>", "<#DF>": the x86 unwinder's stack-switch markers. */
static size_t marker_len(const char *p, const char *end)
{
	if (p >= end || *p != '<')
		return 0;
	const char *q = p + 1;
	if (q < end && *q == '/')
		q++;
	const char *word = q;
	while (q < end && (isupper((unsigned char)*q) || *q == '_' || *q == '#'))
		q++;
	if (q == word || q >= end || *q != '>')
		return 0;
	return (size_t)(q + 1 - p);
}

const char *kr_stack_skip_addresses(const char *p, const char *end)
{
	for (;;) {
		p = skip_space(p, end);
		if (p >= end || *p != '[')
			return p;
		const char *q = p + 1;
		if (q < end && *q == '<')
			q++;
		const char *hex = q;
		while (q < end && isxdigit((unsigned char)*q))
			q++;
		if (q == hex)
			return p;
		if (q < end && *q == '>')
			q++;
		if (q >= end || *q != ']')
			return p;
		p = q + 1;
	}
}

/* "0x1c" at p: the value, p moved past it; false when there is none. */
static bool hex_number(const char **pp, const char *end, unsigned long *out)
{
	const char *p = *pp;
	if (!starts(p, end, "0x"))
		return false;
	p += 2;
	unsigned long v = 0;
	const char *digits = p;
	for (; p < end && isxdigit((unsigned char)*p); p++) {
		int c = tolower((unsigned char)*p);
		v = v * 16 + (unsigned long)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (p == digits)
		return false;
	*out = v;
	*pp = p;
	return true;
}

/* "path/file.c:42" or "file.h:42:7": a source position. */
static bool is_source(const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (!colon || colon == p || colon + 1 >= end || !isdigit((unsigned char)colon[1]))
		return false;
	for (const char *q = colon + 1; q < end; q++)
		if (!isdigit((unsigned char)*q) && *q != ':')
			return false;
	return true;
}

/* The program counter's line of a register dump. */
static const char *const pc_words[] = { "RIP: ", "EIP: ", "pc : ", "PC is at " };

static bool is_pc_line(const char *p, const char *end)
{
	for (size_t i = 0; i < KR_ARRAY_SIZE(pc_words); i++)
		if (starts(p, end, pc_words[i]))
			return true;
	return false;
}

void kr_frame_clear(struct kr_frame *f)
{
	free(f->func);
	free(f->module);
	*f = (struct kr_frame){ 0 };
}

/* What may follow a frame's name and offset: " [mod]" (or "[mod buildid]"),
 * " path/file.c:42", " [inline]" or " inline"; anything else makes the line
 * something other than a frame. */
static bool parse_tail(const char *p, const char *end, struct kr_frame *f, bool *source)
{
	for (;;) {
		p = skip_space(p, end);
		if (p >= end)
			return true;
		if (*p == '[') {
			const char *close = memchr(p, ']', (size_t)(end - p));
			if (!close)
				return false;
			const char *name = p + 1;
			const char *q = name;
			while (q < close && *q != ' ')
				q++;
			if (q == name)
				return false;
			if ((size_t)(q - name) == 6 && memcmp(name, "inline", 6) == 0) {
				f->is_inline = true;
			} else if (!f->module) {
				for (const char *c = name; c < q; c++)
					if (!is_name_char(*c) && *c != '-')
						return false;
				f->module = kr_strndup(name, (size_t)(q - name));
			} else {
				return false;
			}
			p = close + 1;
			continue;
		}
		const char *tok = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		if ((size_t)(p - tok) == 6 && memcmp(tok, "inline", 6) == 0)
			f->is_inline = true;
		else if (is_source(tok, p))
			*source = true;
		else
			return false;
	}
}

int kr_stack_parse_line(const char *line, size_t len, struct kr_frame *f)
{
	*f = (struct kr_frame){ 0 };
	const char *end = trim_end(line, line + len);
	const char *p = skip_space(line, end);
	/* older x86 kernels print "<IRQ>  [<addr>] func+.." on one line */
	for (size_t m; (m = marker_len(p, end));)
		p = skip_space(p + m, end);
	bool pc = false;
	for (size_t i = 0; i < KR_ARRAY_SIZE(pc_words); i++) {
		if (starts(p, end, pc_words[i])) {
			pc = true;
			p = skip_space(p + strlen(pc_words[i]), end);
			/* the code segment of x86's "RIP: 0010:" */
			if (end - p > 5 && p[4] == ':' && isxdigit((unsigned char)p[0]) &&
			    isxdigit((unsigned char)p[3]))
				p += 5;
			break;
		}
	}
	p = kr_stack_skip_addresses(p, end);
	if (!pc && starts(p, end, "? ")) {
		f->uncertain = true;
		p = skip_space(p + 2, end);
	}
	if (p >= end || !is_name_start(*p))
		return 0;
	const char *name = p;
	while (p < end && is_name_char(*p))
		p++;
	size_t name_len = (size_t)(p - name);
	if (name_len >= MAX_NAME)
		return 0;
	bool offset = false;
	if (starts(p, end, "+0x")) {
		p++;
		if (!hex_number(&p, end, &f->off))
			return 0;
		offset = true;
		if (starts(p, end, "/0x") && (p++, !hex_number(&p, end, &f->size)))
			goto not_frame;
	}
	if (p < end && *p != ' ' && *p != '\t')
		goto not_frame;
	bool source = false;
	if (!parse_tail(p, end, f, &source))
		goto not_frame;
	/* without an offset, only a symbolized line names a function */
	if (!offset && (pc || (!source && !f->is_inline)))
		goto not_frame;
	f->func = kr_strndup(name, name_len);
	f->line_start = 0;
	f->line_end = len;
	return 1;
not_frame:
	kr_frame_clear(f);
	return 0;
}

char *kr_frame_base_name(const char *func)
{
	size_t len = strlen(func);
	if (len > 2 && func[0] == '_' && func[1] == 'R') {
		char *d = kr_rust_demangle(func, len);
		if (d)
			return d;
	}
	const char *dot = strchr(func, '.');
	if (dot && dot > func)
		len = (size_t)(dot - func);
	/* the wrappers SYSCALL_DEFINE makes around a syscall's body */
	static const char *const wrappers[] = { "__x64_", "__ia32_", "__arm64_", "__s390x_",
						"__riscv_", "__se_", "__do_" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(wrappers); i++) {
		size_t w = strlen(wrappers[i]);
		if (len > w && !strncmp(func, wrappers[i], w) &&
		    (!strncmp(func + w, "sys_", 4) || !strncmp(func + w, "compat_sys_", 11))) {
			func += w;
			len -= w;
			break;
		}
	}
	return kr_strndup(func, len);
}

/* ---- a report's first trace ------------------------------------------------ */

static bool is_trace_header(const char *p, const char *end)
{
	return starts(p, end, "Call Trace:") || starts(p, end, "Call trace:");
}

/* Lines after which the first trace's frames are over: KASAN's other
 * stacks and closing line, the module list and end of an oops, and the
 * dumps of other CPUs and tasks. */
static bool is_section_end(const char *p, const char *end)
{
	static const char *const words[] = {
		"Allocated by task",
		"Freed by task",
		"Last potentially related work creation",
		"Second to last potentially related work creation",
		"The buggy address",
		"Memory state around the buggy address",
		"Modules linked in:",
		"---[ end trace",
		"Kernel panic",
		"Kernel Offset:",
		"Rebooting in",
		"Showing all locks held",
		"Showing busy workqueues",
		"NMI backtrace for cpu",
		"Sending NMI from CPU",
		"irq event stamp:",
		"Dumping ftrace buffer",
		"==================",
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(words); i++)
		if (starts(p, end, words[i]))
			return true;
	return false;
}

static bool is_kasan_section(const char *p, const char *end)
{
	return starts(p, end, "Allocated by task") || starts(p, end, "Freed by task") ||
	       starts(p, end, "Last potentially related work creation") ||
	       starts(p, end, "The buggy address");
}

static void push(struct kr_stack *st, struct kr_frame *f)
{
	if (st->n == MAX_FRAMES) {
		kr_frame_clear(f);
		return;
	}
	if (!st->frames)
		st->frames = kr_calloc(MAX_FRAMES, sizeof(*st->frames));
	st->frames[st->n++] = *f;
	*f = (struct kr_frame){ 0 };
}

static void stack_reset(struct kr_stack *st)
{
	for (size_t i = 0; i < st->n; i++)
		kr_frame_clear(&st->frames[i]);
	st->n = 0;
}

static void stack_move(struct kr_stack *to, struct kr_stack *from)
{
	stack_reset(to);
	free(to->frames);
	*to = *from;
	*from = (struct kr_stack){ 0 };
}

struct kr_stack *kr_stack_next(const char *text, size_t len, size_t from, size_t *next)
{
	struct kr_stack *st = kr_calloc(1, sizeof(*st));
	size_t stop = len;
	/* before a "Call Trace:" line: the last program counter seen, and the
	 * first run of frames for a report that prints no such line */
	struct kr_frame rip = { 0 };
	struct kr_stack run = { 0 };
	enum { BEFORE, IN_RUN, RUN_OVER } run_state = BEFORE;
	bool in_trace = false;
	const char *end = text + len;
	for (const char *ls = text + (from < len ? from : len); ls < end;) {
		const char *line = ls;
		const char *nl = memchr(ls, '\n', (size_t)(end - ls));
		const char *le = nl ? nl : end;
		const char *after = nl ? nl + 1 : end;
		const char *pe = trim_end(ls, le);
		const char *p = skip_space(ls, pe);
		struct kr_frame f;
		bool frame = kr_stack_parse_line(ls, (size_t)(le - ls), &f) == 1;
		if (frame) {
			f.line_start = (size_t)(ls - text);
			f.line_end = (size_t)(pe - text);
		}
		ls = after;
		if (in_trace) {
			bool over = p == pe || starts(p, pe, "</TASK>") || is_section_end(p, pe) ||
				    (is_trace_header(p, pe) && st->n > 0);
			if (over) {
				kr_frame_clear(&f);
				stop = (size_t)(line - text);
				break;
			}
			if (frame)
				push(st, &f);
			continue;
		}
		if (is_trace_header(p, pe)) {
			in_trace = true;
			if (rip.func)
				push(st, &rip);
			continue;
		}
		if (is_kasan_section(p, pe)) {
			kr_frame_clear(&f);
			stop = (size_t)(line - text);
			break;
		}
		if (p == pe || is_section_end(p, pe)) {
			kr_frame_clear(&rip);
			if (run_state == IN_RUN)
				run_state = RUN_OVER;
			continue;
		}
		if (!frame)
			continue;
		if (is_pc_line(p, pe) && run_state != IN_RUN) {
			kr_frame_clear(&rip);
			rip = f;
			continue;
		}
		if (run_state == RUN_OVER) {
			kr_frame_clear(&f);
			continue;
		}
		if (run_state == BEFORE && rip.func) {
			struct kr_frame top = rip;
			top.func = kr_strdup(rip.func);
			top.module = rip.module ? kr_strdup(rip.module) : NULL;
			push(&run, &top);
		}
		run_state = IN_RUN;
		push(&run, &f);
	}
	kr_frame_clear(&rip);
	if (!in_trace)
		stack_move(st, &run);
	stack_reset(&run);
	free(run.frames);
	if (next)
		*next = st->n ? stop : len;
	return st;
}

struct kr_stack *kr_stack_of_report(const char *text, size_t len)
{
	return kr_stack_next(text, len, 0, NULL);
}

size_t kr_stack_n_frames(const struct kr_stack *st)
{
	return st ? st->n : 0;
}

const struct kr_frame *kr_stack_frame(const struct kr_stack *st, size_t i)
{
	return st && i < st->n ? &st->frames[i] : NULL;
}

void kr_stack_free(struct kr_stack *st)
{
	if (!st)
		return;
	stack_reset(st);
	free(st->frames);
	free(st);
}
