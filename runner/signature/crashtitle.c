/* SPDX-License-Identifier: MIT */
/* Frame choice and titles for crash reports (see crashtitle.h). */
#include "crashtitle.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crashrules.h"
#include "kernel-funcs.h"
#include "litscan.h"
#include "regex.h"
#include "rust-demangle.h"

#define MAX_FRAMES 512
#define MAX_NAME 160
#define TITLE_MAX 120

/* ---- literals ------------------------------------------------------------- */

static struct {
	pthread_once_t once;
	const char *lit[KR_LITSCAN_MAX];
	size_t n;
	uint64_t *rule_mask;
	int *starve_lit, *suppress_lit, boot_lit;
} lits = { .once = PTHREAD_ONCE_INIT };

static int literal_index(const char *l)
{
	for (size_t i = 0; i < lits.n; i++)
		if (strcmp(lits.lit[i], l) == 0)
			return (int)i;
	if (lits.n == KR_LITSCAN_MAX)
		abort(); /* the tables have more literals than the prefilter takes */
	lits.lit[lits.n] = l;
	return (int)lits.n++;
}

static void init_literals(void)
{
	lits.rule_mask = kr_calloc(kr_n_rules, sizeof(uint64_t));
	lits.starve_lit = kr_calloc(kr_n_starve_rules, sizeof(int));
	for (size_t i = 0; i < kr_n_rules; i++) {
		/* "a|b": either literal */
		for (const char *l = kr_rules[i].lit; *l;) {
			const char *bar = strchr(l, '|');
			size_t len = bar ? (size_t)(bar - l) : strlen(l);
			/* kept for the program's lifetime, as the table is */
			char *one = kr_strndup(l, len);
			int k = literal_index(one);
			if (lits.lit[k] != one)
				free(one);
			lits.rule_mask[i] |= UINT64_C(1) << k;
			l += len + (bar ? 1 : 0);
		}
	}
	for (size_t i = 0; i < kr_n_starve_rules; i++)
		lits.starve_lit[i] = literal_index(kr_starve_rules[i].lit);
	lits.boot_lit = literal_index(kr_boot_marker);
	lits.suppress_lit = kr_calloc(kr_n_suppressions, sizeof(int));
	for (size_t i = 0; i < kr_n_suppressions; i++)
		lits.suppress_lit[i] = literal_index(kr_suppressions[i].lit);
}

size_t kr_crashtitle_literals(const char *const **out)
{
	pthread_once(&lits.once, init_literals);
	*out = lits.lit;
	return lits.n;
}

/* A mask: a rule may have several literals. */
static uint64_t rule_literals(size_t rule)
{
	pthread_once(&lits.once, init_literals);
	return lits.rule_mask[rule];
}

int kr_crashtitle_starve_literal(size_t rule)
{
	pthread_once(&lits.once, init_literals);
	return lits.starve_lit[rule];
}

int kr_crashtitle_suppress_literal(size_t i)
{
	pthread_once(&lits.once, init_literals);
	return lits.suppress_lit[i];
}

int kr_crashtitle_boot_literal(void)
{
	pthread_once(&lits.once, init_literals);
	return lits.boot_lit;
}

/* ---- compiled patterns ------------------------------------------------------ */

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
};

static struct kr_regex *compile(const char *pattern, unsigned flags)
{
	struct kr_regex *re = NULL;
	_cleanup_free_ char *err = NULL;
	if (kr_regex_new(pattern, flags, &re, &err) < 0) {
		/* the tables are part of the program: a bad pattern is a bug */
		fprintf(stderr, "crash rule pattern /%s/: %s\n", pattern, err ? err : "invalid");
		abort();
	}
	return re;
}

static struct kr_regex *whole_name(const char *alternatives)
{
	_cleanup_free_ char *p = kr_asprintf("^(?:%s)$", alternatives);
	return compile(p, 0);
}

static struct kr_regex *pattern(struct kr_crashtitle *t, int which)
{
	if (t->pat[which])
		return t->pat[which];
	switch (which) {
	case P_SKIP: {
		struct kr_buf b = KR_BUF_INIT(1 << 20);
		for (size_t i = 0; kr_skip_frames[i]; i++)
			kr_buf_printf(&b, "%s%s", i ? "|" : "", kr_skip_frames[i]);
		t->pat[which] = whole_name(b.data);
		kr_buf_free(&b);
		break;
	}
	case P_IRQ:
		t->pat[which] = whole_name(kr_irq_entry_frames);
		break;
	case P_ANCHOR:
		t->pat[which] = whole_name(kr_stall_anchor_frames);
		break;
	case P_NOT_ANCHOR:
		t->pat[which] = whole_name(kr_stall_not_anchor_frames);
		break;
	case P_DISPATCH:
		t->pat[which] = whole_name(kr_stall_dispatchers);
		break;
	case P_STOP:
		t->pat[which] = compile(kr_stack_stop_lines, KR_REGEX_NO_JIT);
		break;
	case P_STOP_OTHER_CPU:
		t->pat[which] = compile("^(?:NMI backtrace for cpu|Sending NMI from CPU|"
					"Showing all locks held|Showing busy workqueues)",
					KR_REGEX_NO_JIT);
		break;
	case P_END:
		t->pat[which] = compile(kr_report_end_lines, KR_REGEX_NO_JIT);
		break;
	case P_FOREIGN_FRAME:
		t->pat[which] = whole_name(kr_foreign_dump_frames);
		break;
	case P_FOREIGN:
		t->pat[which] = compile(kr_foreign_dump_lines, KR_REGEX_NO_JIT);
		break;
	case P_AT:
		/* lockdep's "(lock){....}, at: FUNC+0x12/0x34" (the function may
		 * be on the next line in old kernels) */
		t->pat[which] = compile("\\bat: *(?:\\[<[0-9a-f]+>\\] *)?(?:\\[[0-9a-f]+\\] *)?"
					"([A-Za-z_.$][\\w.$]*)?",
					KR_REGEX_NO_JIT);
		break;
	}
	return t->pat[which];
}

struct kr_crashtitle *kr_crashtitle_new(void)
{
	if (kr_n_rules > 256 || kr_n_renames > 32 || kr_n_kernel_families > 64)
		abort();
	return kr_calloc(1, sizeof(struct kr_crashtitle));
}

void kr_crashtitle_set_explain(struct kr_crashtitle *t)
{
	t->explain = true;
}

void kr_crashtitle_free(struct kr_crashtitle *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < 256; i++) {
		kr_regex_free(t->header[i]);
		kr_regex_free(t->skip[i]);
		kr_regex_free(t->aux[i]);
		kr_regex_free(t->from[i]);
		kr_regex_free(t->confirm[i]);
		kr_regex_free(t->complete[i]);
	}
	for (size_t i = 0; i < 32; i++)
		kr_regex_free(t->rename[i]);
	for (size_t i = 0; i < P_COUNT; i++)
		kr_regex_free(t->pat[i]);
	for (size_t i = 0; i < 64; i++)
		free(t->family_reason[i]);
	free(t);
}

static bool name_matches(struct kr_regex *re, const char *name)
{
	return kr_regex_matches(re, name, strlen(name));
}

/* ---- headers -------------------------------------------------------------- */

void kr_header_clear(struct kr_header *h)
{
	for (size_t i = 0; i < KR_HDR_GROUPS; i++) {
		free(h->group[i]);
		h->group[i] = NULL;
	}
	h->rule = -1;
}

int kr_crashtitle_header(struct kr_crashtitle *t, const char *line, size_t len, uint64_t lit_mask,
			 struct kr_header *h)
{
	for (size_t i = 0; i < kr_n_rules; i++) {
		if (!(lit_mask & rule_literals(i)))
			continue;
		if (!t->header[i])
			t->header[i] = compile(kr_rules[i].re, 0);
		struct kr_regex_match m;
		if (kr_regex_search(t->header[i], line, len, 0, &m) != 1)
			continue;
		kr_header_clear(h);
		h->rule = (int)i;
		for (int g = 1; g < m.groups && g < KR_HDR_GROUPS; g++)
			if (m.start[g] != KR_REGEX_UNSET)
				h->group[g] = kr_strndup(line + m.start[g], m.end[g] - m.start[g]);
		return (int)i;
	}
	return -1;
}

bool kr_crashtitle_confirmed(struct kr_crashtitle *t, int rule, const struct kr_rline *lines,
			     size_t n)
{
	const char *pat = kr_rules[rule].confirm;
	if (!pat)
		return true;
	if (!t->confirm[rule])
		t->confirm[rule] = compile(pat, KR_REGEX_NO_JIT);
	for (size_t i = 0; i < n; i++)
		if (kr_regex_matches(t->confirm[rule], lines[i].s, lines[i].n))
			return true;
	return false;
}

bool kr_crashtitle_is_end(struct kr_crashtitle *t, const char *line, size_t len)
{
	return kr_regex_matches(pattern(t, P_END), line, len);
}

/* ---- frames ------------------------------------------------------------------ */

/* An Itanium-mangled nested name ("_ZN3foo3bar17h0123456789abcdefE", as
 * C++ and Rust's legacy mangling give) as "foo::bar", without Rust's hash
 * part; NULL when it is not one. */
static char *demangle_nested(const char *name, size_t len)
{
	if (len < 5 || memcmp(name, "_ZN", 3) != 0)
		return NULL;
	struct kr_buf b = KR_BUF_INIT(MAX_NAME);
	size_t i = 3;
	while (i < len && name[i] != 'E') {
		size_t n = 0;
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
		}
		i += n;
	}
	if (i >= len || name[i] != 'E' || !b.len) {
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

static bool is_name_start(char c)
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

/* "[<ffffffff81234567>] ", "[c000000049a87710] ", "[<8010c0e4>] " */
static const char *skip_addresses(const char *p, const char *end)
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
static bool parse_frame(const char *s, size_t n, struct frame *f)
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
	p = skip_addresses(p, end);
	if (f->kind == FK_FRAME && starts(p, end, "? "))
		return false;
	bool paren = false;
	if (f->kind == FK_FRAME && p < end && *p == '(') {
		paren = true;
		p++;
	}
	if (p >= end || !is_name_start(*p))
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
			const char *q = skip_addresses(p + 6, end);
			if (q < end && *q == '(' && q + 1 < end && is_name_start(q[1])) {
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

struct frames {
	struct frame *f;
	size_t n;
	bool call_trace; /* a frame of a call trace (not only PC lines) */
};

static bool same_context(const struct kr_rline *hdr, const struct kr_rline *l)
{
	return hdr->ctx == -1 || l->ctx == -1 || l->ctx == hdr->ctx;
}

static void collect_frames(struct kr_crashtitle *t, size_t rule, const struct kr_rline *lines,
			   size_t n, struct frames *out)
{
	const struct kr_rule *r = &kr_rules[rule];
	bool other_cpus = (r->flags & KR_RULE_AFTER_IRQ) != 0;
	out->f = kr_calloc(MAX_FRAMES, sizeof(struct frame));
	out->n = 0;
	out->call_trace = false;
	size_t first = 1;
	if (r->stack_from) {
		if (!t->from[rule])
			t->from[rule] = compile(r->stack_from, KR_REGEX_NO_JIT);
		for (size_t i = 1; i < n; i++)
			if (same_context(&lines[0], &lines[i]) &&
			    kr_regex_matches(t->from[rule], lines[i].s, lines[i].n)) {
				first = i + 1;
				break;
			}
	}
	for (size_t i = first; i < n && out->n < MAX_FRAMES; i++) {
		const struct kr_rline *l = &lines[i];
		if (!same_context(&lines[0], l))
			continue;
		if (kr_regex_matches(pattern(t, P_STOP), l->s, l->n))
			break;
		if (!other_cpus && kr_regex_matches(pattern(t, P_STOP_OTHER_CPU), l->s, l->n))
			break;
		struct frame *f = &out->f[out->n];
		if (!parse_frame(l->s, l->n, f))
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
	if (out->n && out->f[out->n - 1].arm && out->f[out->n - 1].caller[0] &&
	    out->n < MAX_FRAMES) {
		struct frame *last = &out->f[out->n - 1];
		struct frame *f = &out->f[out->n++];
		*f = (struct frame){ .kind = FK_FRAME, .line = last->line };
		strcpy(f->name, last->caller);
	}
}

static int compare_func(const void *key, const void *elem)
{
	return strcmp(key, ((const struct kr_kernel_func *)elem)->name);
}

/* The kernel family of a function (kernel-funcs.h), or -1. */
static int kernel_family(const char *name)
{
	const struct kr_kernel_func *f = bsearch(name, kr_kernel_funcs, kr_n_kernel_funcs,
						 sizeof(*f), compare_func);
	return f ? f->family : -1;
}

/* The families named in "a|b" ("*": all) as a mask. */
static uint64_t family_mask(const char *names)
{
	uint64_t mask = 0;
	if (!names)
		return 0;
	if (strcmp(names, "*") == 0)
		return ~UINT64_C(0);
	for (const char *p = names; *p;) {
		size_t len = strcspn(p, "|");
		size_t i = 0;
		while (i < kr_n_kernel_families && !(strlen(kr_kernel_families[i]) == len &&
						     memcmp(kr_kernel_families[i], p, len) == 0))
			i++;
		if (i == kr_n_kernel_families)
			abort(); /* a family the table does not have: a bug */
		mask |= UINT64_C(1) << i;
		p += len + (p[len] == '|');
	}
	return mask;
}

/* Why a frame never names this kind of report, or NULL. The kernel
 * families count only when `families` is set: they are machinery around a
 * crash, but where the crash happened (the faulting PC, the function a
 * header or lockdep's "at:" names) is named even there. */
static const char *skip_reason(struct kr_crashtitle *t, size_t rule, const char *name,
			       bool families)
{
	if (name_matches(pattern(t, P_SKIP), name))
		return "skip list";
	const char *extra = kr_rules[rule].skip;
	if (extra) {
		if (!t->skip[rule])
			t->skip[rule] = whole_name(extra);
		if (name_matches(t->skip[rule], name))
			return "skip list of this kind of report";
	}
	if (!families)
		return NULL;
	if (!t->families_set[rule]) {
		t->families[rule] = family_mask(kr_skip_families) &
				    ~family_mask(kr_rules[rule].keep_families);
		t->families_set[rule] = true;
	}
	int fam = kernel_family(name);
	if (fam < 0 || !(t->families[rule] & (UINT64_C(1) << fam)))
		return NULL;
	if (!t->family_reason[fam])
		t->family_reason[fam] = kr_asprintf("kernel family %s", kr_kernel_families[fam]);
	return t->family_reason[fam];
}

static bool skipped(struct kr_crashtitle *t, size_t rule, const char *name)
{
	return skip_reason(t, rule, name, true) != NULL;
}

/* Whether only a kernel family passes the frame over. */
static bool family_skipped(struct kr_crashtitle *t, size_t rule, const char *name)
{
	return skip_reason(t, rule, name, false) == NULL && skipped(t, rule, name);
}

/* The frame a stall names: after the interrupt that found it (when the
 * rule says so), the first entry point, else the first frame. */
static const struct frame *stall_frame(struct kr_crashtitle *t, size_t rule,
				       const struct frames *fr)
{
	size_t start = 0;
	if (!fr->call_trace)
		return NULL;
	if (kr_rules[rule].flags & KR_RULE_AFTER_IRQ) {
		while (start < fr->n && !name_matches(pattern(t, P_IRQ), fr->f[start].name))
			start++;
		if (start == fr->n)
			return NULL;
	}
	const struct frame *first = NULL;
	for (size_t i = start; i < fr->n; i++) {
		const char *name = fr->f[i].name;
		if (skipped(t, rule, name))
			continue;
		if (!first)
			first = &fr->f[i];
		if (name_matches(pattern(t, P_NOT_ANCHOR), name))
			continue;
		if (name_matches(pattern(t, P_ANCHOR), name))
			return &fr->f[i];
		if (i + 1 < fr->n && name_matches(pattern(t, P_DISPATCH), fr->f[i + 1].name))
			return &fr->f[i];
	}
	return first;
}

/* The first frame that is not skipped; the faulting PC is passed over
 * by the skip lists only. When every frame is skipped, the first that
 * only a kernel family skips: the crash is in the machinery itself (a
 * work function of the workqueue code, an RCU callback). */
static const struct frame *stack_frame(struct kr_crashtitle *t, size_t rule,
				       const struct frames *fr)
{
	const struct frame *fallback = NULL;
	for (size_t i = 0; i < fr->n; i++) {
		const struct frame *f = &fr->f[i];
		if (!skip_reason(t, rule, f->name, f->kind != FK_PC))
			return f;
		if (!fallback && family_skipped(t, rule, f->name))
			fallback = f;
	}
	return fallback;
}

/* Whether another task's dump (fault injection, an allocation failure)
 * was printed into the report before line `upto`: the frames around it
 * cannot be told apart. */
static bool foreign_dump_before(struct kr_crashtitle *t, const struct kr_rline *lines,
				const struct frames *fr, const struct frame *picked)
{
	for (size_t i = 1; i < picked->line; i++)
		if (same_context(&lines[0], &lines[i]) &&
		    kr_regex_matches(pattern(t, P_FOREIGN), lines[i].s, lines[i].n))
			return true;
	/* the fault injection's own frames: a call trace frame after them may
	 * be the injected task's (a register dump's PC is the report's own) */
	if (picked->kind == FK_PC)
		return false;
	for (const struct frame *f = fr->f; f < picked; f++)
		if (name_matches(pattern(t, P_FOREIGN_FRAME), f->name))
			return true;
	return false;
}

/* The function of lockdep's first "at:" line. */
static char *lock_frame(struct kr_crashtitle *t, size_t rule, const struct kr_rline *lines,
			size_t n)
{
	for (size_t i = 1; i < n; i++) {
		const struct kr_rline *l = &lines[i];
		if (!same_context(&lines[0], l))
			continue;
		struct kr_regex_match m;
		if (kr_regex_search(pattern(t, P_AT), l->s, l->n, 0, &m) != 1)
			continue;
		char *name = NULL;
		if (m.start[1] != KR_REGEX_UNSET) {
			name = kr_crash_frame_name(l->s + m.start[1], m.end[1] - m.start[1]);
		} else if (m.end[0] >= l->n && i + 1 < n) {
			struct frame f;
			if (parse_frame(lines[i + 1].s, lines[i + 1].n, &f))
				name = kr_strdup(f.name);
		}
		if (!name)
			continue;
		if (!skip_reason(t, rule, name, false))
			return name;
		free(name);
	}
	return NULL;
}

/* ---- renames -------------------------------------------------------------- */

/* The forms of a frame name: forms[0] as printed, then each rename's
 * result; the last is the one a title uses. */
static size_t name_forms(struct kr_crashtitle *t, const char *name, char **forms, size_t max)
{
	size_t n = 0;
	forms[n++] = kr_strdup(name);
	for (size_t r = 0; r < kr_n_renames && n < max; r++) {
		if (!t->rename[r]) {
			_cleanup_free_ char *p = kr_asprintf("^(?:%s)$", kr_renames[r].re);
			t->rename[r] = compile(p, 0);
		}
		const char *cur = forms[n - 1];
		struct kr_regex_match m;
		if (kr_regex_search(t->rename[r], cur, strlen(cur), 0, &m) != 1)
			continue;
		/* "a|b": successive forms */
		struct kr_buf b = KR_BUF_INIT(4096);
		for (const char *w = kr_renames[r].with;; w++) {
			if (*w == '|' || !*w) {
				if (n < max)
					forms[n++] = kr_buf_steal(&b);
				if (!*w)
					break;
				continue;
			}
			if (*w == '$' && isdigit((unsigned char)w[1])) {
				int g = w[1] - '0';
				if (g < m.groups && m.start[g] != KR_REGEX_UNSET)
					kr_buf_add(&b, cur + m.start[g], m.end[g] - m.start[g]);
				w++;
				continue;
			}
			kr_buf_addc(&b, *w);
		}
		kr_buf_free(&b);
	}
	return n;
}

/* The form of a name that titles use (the last rename's result). */
static char *title_form(struct kr_crashtitle *t, const char *name)
{
	char *forms[8];
	size_t n = name_forms(t, name, forms, KR_ARRAY_SIZE(forms));
	for (size_t i = 0; i + 1 < n; i++)
		free(forms[i]);
	return forms[n - 1];
}

#define OWN_FRAMES_MAX 64
#define EXPLAIN_FRAMES 40

/* How the frame was chosen: where it came from, then the stack's frames up
 * to a few past the taken one, each taken or skipped with its reason. */
static char *explain_frames(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
			    const struct frame *picked, const char *source, const char *frame)
{
	const struct kr_rule *r = &kr_rules[rule];
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	kr_buf_printf(&b, "rule: /%s/\n", r->re);
	if (!strstr(r->title, "{F}")) {
		kr_buf_adds(&b, "the title names no frame\n");
		return kr_buf_steal(&b);
	}
	if (source)
		kr_buf_printf(&b, "frame from %s: %s\n", source, frame ? frame : "(none)");
	size_t shown = 0, after = 0;
	for (size_t i = 0; i < fr->n && shown < EXPLAIN_FRAMES && after < 3; i++, shown++) {
		const struct frame *f = &fr->f[i];
		const char *what = f->kind == FK_PC ? "pc" : "frame";
		bool exempt = f->kind == FK_PC && r->frame != KR_FRAME_STALL;
		const char *why = skip_reason(t, rule, f->name, !exempt);
		if (f == picked)
			kr_buf_printf(&b, "%s %s (line %zu): taken%s\n", what, f->name, f->line + 1,
				      why ? ", every frame being skipped" : "");
		else if (why)
			kr_buf_printf(&b, "%s %s (line %zu): skipped: %s\n", what, f->name, f->line + 1,
				      why);
		else
			kr_buf_printf(&b, "%s %s (line %zu): not skipped%s\n", what, f->name,
				      f->line + 1,
				      picked || source ? "" : " (not an entry point of a stall)");
		if (picked && f >= picked)
			after++;
	}
	if (!frame)
		kr_buf_adds(&b, "no frame: corrupted\n");
	return kr_buf_steal(&b);
}

/* The report's own frames that are not skipped, in their title form: the
 * title's frame first, then the stack from the picked frame on (from the
 * top when the frame came from elsewhere), without direct repeats. */
static char **own_frames(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
			 const struct frame *picked, const char *title_frame)
{
	char **v = kr_calloc(1, sizeof(char *));
	size_t n = 0;
	if (title_frame) {
		kr_strv_push(&v, kr_strdup(title_frame));
		n++;
	}
	size_t start = picked ? (size_t)(picked - fr->f) : 0;
	for (size_t i = start; i < fr->n && n < OWN_FRAMES_MAX; i++) {
		if (skipped(t, rule, fr->f[i].name))
			continue;
		char *name = title_form(t, fr->f[i].name);
		if (n && strcmp(v[n - 1], name) == 0) {
			free(name);
			continue;
		}
		kr_strv_push(&v, name);
		n++;
	}
	return v;
}

/* ---- titles ---------------------------------------------------------------- */

/* Expands a template: {1}..{9} header groups, {F} the frame, {A} the aux
 * text, "{ A}" a space and the aux text when there is one. */
static char *expand(const char *tmpl, const struct kr_header *h, const char *frame,
		    const char *aux)
{
	struct kr_buf b = KR_BUF_INIT(1 << 16);
	for (const char *p = tmpl; *p; p++) {
		if (*p != '{') {
			kr_buf_addc(&b, *p);
			continue;
		}
		const char *close = strchr(p, '}');
		if (!close) {
			kr_buf_adds(&b, p);
			break;
		}
		size_t len = (size_t)(close - p - 1);
		const char *key = p + 1;
		if (len == 1 && isdigit((unsigned char)key[0])) {
			const char *g = h->group[key[0] - '0'];
			kr_buf_adds(&b, g ? g : "");
		} else if (len == 1 && key[0] == 'F') {
			kr_buf_adds(&b, frame ? frame : "corrupted");
		} else if (len == 1 && key[0] == 'A') {
			kr_buf_adds(&b, aux ? aux : "");
		} else if (len == 2 && key[0] == ' ' && key[1] == 'A') {
			if (aux && *aux) {
				kr_buf_addc(&b, ' ');
				kr_buf_adds(&b, aux);
			}
		}
		p = close;
	}
	return kr_buf_steal(&b);
}

static const char *kasan_type(const char *kind, const char *access)
{
	bool write = access && strcmp(access, "Write") == 0;
	if (kind && strstr(kind, "use-after-free"))
		return write ? "KASAN-USE-AFTER-FREE-WRITE" : "KASAN-USE-AFTER-FREE-READ";
	if (kind && strstr(kind, "null-ptr-deref"))
		return write ? "KASAN-NULL-POINTER-DEREFERENCE-WRITE" :
			       "KASAN-NULL-POINTER-DEREFERENCE-READ";
	return write ? "KASAN-WRITE" : "KASAN-READ";
}

static const char *kfence_type(const char *kind)
{
	bool write = kind && strstr(kind, "write");
	if (kind && strstr(kind, "use-after-free"))
		return write ? "KFENCE-USE-AFTER-FREE-WRITE" : "KFENCE-USE-AFTER-FREE-READ";
	return write ? "KFENCE-WRITE" : "KFENCE-READ";
}

static const char *kmsan_type(const char *kind)
{
	if (kind && strstr(kind, "infoleak"))
		return "KMSAN-INFO-LEAK";
	if (kind && strstr(kind, "uninit"))
		return "KMSAN-UNINIT-VALUE";
	return "KMSAN";
}

static char *find_aux(struct kr_crashtitle *t, size_t rule, const struct kr_rline *lines,
		      size_t n)
{
	const char *pat = kr_rules[rule].aux;
	if (!pat)
		return NULL;
	if (!t->aux[rule])
		t->aux[rule] = compile(pat, KR_REGEX_NO_JIT);
	/* in the report's first lines only */
	for (size_t i = 1; i < n && i < 100; i++) {
		const struct kr_rline *l = &lines[i];
		if (!same_context(&lines[0], l))
			continue;
		struct kr_regex_match m;
		if (kr_regex_search(t->aux[rule], l->s, l->n, 0, &m) != 1)
			continue;
		if (m.groups > 1 && m.start[1] != KR_REGEX_UNSET)
			return kr_strndup(l->s + m.start[1], m.end[1] - m.start[1]);
		return kr_strdup("");
	}
	return NULL;
}

static bool valid_name(const char *s)
{
	if (!s || !is_name_start(*s))
		return false;
	size_t n = strlen(s);
	if (n >= 8) {
		size_t i = 0;
		while (i < n && isxdigit((unsigned char)s[i]))
			i++;
		if (i == n)
			return false;
	}
	return true;
}

void kr_crashtitle_report(struct kr_crashtitle *t, const struct kr_header *h,
			  const struct kr_rline *lines, size_t n, bool interleaved,
			  struct kr_titled *out)
{
	*out = (struct kr_titled){ 0 };
	size_t rule = (size_t)h->rule;
	const struct kr_rule *r = &kr_rules[rule];

	_cleanup_free_ char *aux = find_aux(t, rule, lines, n);
	bool corrupted = interleaved || (r->flags & KR_RULE_CORRUPTED) ||
			 ((r->flags & KR_RULE_AUX_COMPLETES) && !aux);
	const char *tmpl = r->title;
	bool noaux = (r->flags & KR_RULE_NEEDS_AUX) && !aux;
	if (noaux) {
		tmpl = r->title_noaux;
		corrupted = true;
	}
	bool wants_frame = strstr(tmpl, "{F}") != NULL;

	struct frames fr = { 0 };
	collect_frames(t, rule, lines, n, &fr);
	if ((r->flags & KR_RULE_NEEDS_STACK) && !fr.call_trace)
		corrupted = true;

	_cleanup_free_ char *frame = NULL;
	const struct frame *picked = NULL;
	const char *source = NULL;
	bool hdr_from_aux = false;
	if (wants_frame) {
		const char *cand = NULL;
		_cleanup_free_ char *hdr = NULL;
		if (r->hdr_frame && valid_name(h->group[r->hdr_frame])) {
			hdr = kr_crash_frame_name(h->group[r->hdr_frame],
						  strlen(h->group[r->hdr_frame]));
			if (!skip_reason(t, rule, hdr, false))
				cand = hdr;
		}
		if (!cand && (r->flags & KR_RULE_AUX_FRAME) && valid_name(aux)) {
			free(hdr);
			hdr = kr_crash_frame_name(aux, strlen(aux));
			hdr_from_aux = true;
			if (!skip_reason(t, rule, hdr, false))
				cand = hdr;
		}
		_cleanup_free_ char *locked = NULL;
		if (cand)
			source = hdr_from_aux ? "the report's aux line" : "the header";
		if (!cand) {
			switch (r->frame) {
			case KR_FRAME_STACK:
				picked = stack_frame(t, rule, &fr);
				break;
			case KR_FRAME_STALL:
				picked = stall_frame(t, rule, &fr);
				break;
			case KR_FRAME_LOCK:
				locked = lock_frame(t, rule, lines, n);
				cand = locked;
				if (cand)
					source = "lockdep's first \"at:\" line";
				if (!cand)
					picked = stack_frame(t, rule, &fr);
				break;
			case KR_FRAME_NONE:
				break;
			}
			if (picked && foreign_dump_before(t, lines, &fr, picked)) {
				picked = NULL;
				corrupted = true;
			}
			if (picked)
				cand = picked->name;
		}
		if (cand)
			frame = kr_strdup(cand);
		else
			corrupted = true;
	}
	_cleanup_free_ char *title_frame = frame ? title_form(t, frame) : NULL;
	out->frames = own_frames(t, rule, &fr, picked, title_frame);
	if (t->explain)
		out->explain = explain_frames(t, rule, &fr, picked, source, frame);
	free(fr.f);

	for (size_t i = 0; i < n; i++)
		if (lines[i].dropped) {
			corrupted = true;
			break;
		}
	if (r->complete) {
		if (!t->complete[rule])
			t->complete[rule] = compile(r->complete, KR_REGEX_NO_JIT);
		bool found = false;
		for (size_t i = 1; i < n && !found; i++)
			found = kr_regex_matches(t->complete[rule], lines[i].s, lines[i].n);
		if (!found)
			corrupted = true;
	}

	char *forms[8];
	size_t nforms = 0;
	if (frame)
		nforms = name_forms(t, frame, forms, KR_ARRAY_SIZE(forms));
	const char *use = nforms ? forms[nforms - 1] : NULL;

	const char *type_aux = aux;
	out->title = expand(tmpl, h, use, type_aux);
	out->alt_titles = kr_calloc(1, sizeof(char *));
	if (!noaux && !wants_frame && r->alt && strchr(r->alt, '{'))
		kr_strv_push(&out->alt_titles, expand(r->alt, h, NULL, aux));
	if (!noaux && wants_frame) {
		for (size_t i = 0; i + 1 < nforms; i++)
			kr_strv_push(&out->alt_titles, expand(tmpl, h, forms[i], aux));
		if (r->alt && strchr(r->alt, '{')) {
			kr_strv_push(&out->alt_titles, expand(r->alt, h, use, aux));
		} else if (r->alt) {
			if (!nforms)
				kr_strv_push(&out->alt_titles, kr_asprintf("%s in corrupted", r->alt));
			for (size_t i = 0; i < nforms; i++)
				kr_strv_push(&out->alt_titles, kr_asprintf("%s in %s", r->alt, forms[i]));
		}
	}
	/* normalised and without repeats of the title */
	char *norm = kr_crash_normalize_title(out->title);
	free(out->title);
	out->title = norm;
	size_t k = 0;
	for (size_t i = 0; out->alt_titles[i]; i++) {
		char *a = kr_crash_normalize_title(out->alt_titles[i]);
		free(out->alt_titles[i]);
		bool dup = strcmp(a, out->title) == 0;
		for (size_t j = 0; !dup && j < k; j++)
			dup = strcmp(a, out->alt_titles[j]) == 0;
		if (dup)
			free(a);
		else
			out->alt_titles[k++] = a;
	}
	out->alt_titles[k] = NULL;

	if (strcmp(r->type, "KASAN") == 0)
		out->type = kasan_type(h->group[1], aux);
	else if (strcmp(r->type, "KFENCE") == 0)
		out->type = kfence_type(h->group[1]);
	else if (strcmp(r->type, "KMSAN") == 0)
		out->type = kmsan_type(h->group[1]);
	else
		out->type = r->type;
	out->frame = use ? kr_strdup(use) : NULL;
	out->corrupted = corrupted;
	for (size_t i = 0; i < nforms; i++)
		free(forms[i]);
}

/* ---- normalisation ---------------------------------------------------------- */

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t digits(const char *p)
{
	size_t n = 0;
	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

static bool strpbrk_n(const char *p, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, p[i]))
			return true;
	return false;
}

static size_t hexdigits(const char *p)
{
	size_t n = 0;
	while (isxdigit((unsigned char)p[n]))
		n++;
	return n;
}

/* "10.1.2.3" at p: its length, or 0 */
static size_t ipv4(const char *p)
{
	size_t len = 0;
	for (int part = 0; part < 4; part++) {
		size_t d = digits(p + len);
		if (d == 0 || d > 3)
			return 0;
		len += d;
		if (part < 3) {
			if (p[len] != '.')
				return 0;
			len++;
		}
	}
	return isdigit((unsigned char)p[len]) || p[len] == '.' ? 0 : len;
}

char *kr_crash_normalize_title(const char *in)
{
	/* printable ASCII only, whitespace folded */
	struct kr_buf clean = KR_BUF_INIT(1 << 20);
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r' || *p == ' ')
			kr_buf_addc(&clean, ' ');
		else if (*p >= 0x20 && *p < 0x7f)
			kr_buf_addc(&clean, (char)*p);
	}
	_cleanup_free_ char *s = kr_buf_steal(&clean);

	struct kr_buf b = KR_BUF_INIT(1 << 20);
	for (const char *p = s; *p;) {
		char prev = b.len ? b.data[b.len - 1] : ' ';
		size_t n;
		/* +0x12/0x34 */
		if (p[0] == '+' && p[1] == '0' && p[2] == 'x' && (n = hexdigits(p + 3)) > 0) {
			const char *q = p + 3 + n;
			if (q[0] == '/' && q[1] == '0' && q[2] == 'x' && hexdigits(q + 3))
				q += 3 + hexdigits(q + 3);
			p = q;
			continue;
		}
		/* syz-executor.3:1234, syz-executor123 */
		if (strncmp(p, "syz-executor", 12) == 0) {
			kr_buf_adds(&b, "syz-executor");
			p += 12;
			while (*p && (isdigit((unsigned char)*p) || *p == '.' || *p == ':'))
				p++;
			continue;
		}
		/* source positions: file.c:123[:45] */
		if (*p == ':' && b.len >= 2 && isdigit((unsigned char)p[1]) &&
		    (prev == 'c' || prev == 'h' || prev == 'S' || prev == 's') &&
		    b.data[b.len - 2] == '.') {
			kr_buf_adds(&b, ":LINE");
			p += 1 + digits(p + 1);
			if (*p == ':' && isdigit((unsigned char)p[1]))
				p += 1 + digits(p + 1);
			continue;
		}
		if (!is_word(prev) && (n = ipv4(p)) > 0) {
			kr_buf_adds(&b, "IP");
			p += n;
			continue;
		}
		/* CPU#1 */
		if (strncmp(p, "CPU#", 4) == 0 && isdigit((unsigned char)p[4])) {
			kr_buf_adds(&b, "CPU");
			p += 4 + digits(p + 4);
			continue;
		}
		/* addresses: 0xffff..., ffff888012345678 */
		if (!is_word(prev) && p[0] == '0' && p[1] == 'x' && (n = hexdigits(p + 2)) > 0 &&
		    !is_word(p[2 + n])) {
			kr_buf_adds(&b, "ADDR");
			p += 2 + n;
			continue;
		}
		if (!is_word(prev) && (n = hexdigits(p)) >= 8 && !is_word(p[n]) && digits(p) != n &&
		    strpbrk_n(p, n, "0123456789")) {
			kr_buf_adds(&b, "ADDR");
			p += n;
			continue;
		}
		/* numbers, standing alone or long */
		if (isdigit((unsigned char)*p) && (n = digits(p)) > 0 &&
		    (!is_word(prev) || n >= 8)) {
			kr_buf_adds(&b, "NUM");
			p += n;
			continue;
		}
		if (*p == ' ' && (prev == ' ' || !b.len)) {
			p++;
			continue;
		}
		kr_buf_addc(&b, *p++);
	}
	if (b.len > TITLE_MAX)
		b.len = TITLE_MAX;
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	if (b.data)
		b.data[b.len] = '\0';
	return kr_buf_steal(&b);
}
