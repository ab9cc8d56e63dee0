/* SPDX-License-Identifier: MIT */
#include "signature-title.h"

#include <ctype.h>
#include <string.h>

#include "regex.h"
#include "rust-demangle.h"
#include "signature-table.h"
#include "signature.h"
#include "util.h"

/* ---- compiled patterns --------------------------------------------------- */

struct cstack {
	struct kr_regex *parts[2][KR_SIG_MAX_PARTS];
	bool trace[2][KR_SIG_MAX_PARTS];
	size_t n[2];
	struct kr_regex *skip;
	enum kr_sig_pick pick;
};

struct cformat {
	const struct kr_sig_format *src;
	struct kr_regex *title, *report;
	struct cstack *stack;
};

struct cgroup {
	struct cformat *formats;
	size_t n;
	struct kr_regex **ignore;
	size_t n_ignore;
};

struct kr_sig_patterns {
	struct cgroup *groups;
	struct kr_regex *skip_always, *stall_anchors;
	struct kr_regex **suppressions;
	size_t n_suppressions;
};

static struct kr_regex *compile(const char *pattern)
{
	struct kr_regex *re = NULL;
	_cleanup_free_ char *err = NULL;
	/* The patterns run on short texts, a few times each: JIT compiling
	 * them would cost more than it saves. A bad pattern is a bug in the
	 * table, not bad input. */
	if (kr_regex_new(pattern, KR_REGEX_NO_JIT, &re, &err) < 0) {
		fprintf(stderr, "kradar: bad crash pattern \"%s\": %s\n", pattern, err);
		abort();
	}
	return re;
}

static size_t count(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

struct kr_sig_patterns *kr_sig_patterns_new(void)
{
	struct kr_sig_patterns *p = kr_calloc(1, sizeof(*p));
	p->groups = kr_calloc(kr_sig_n_groups, sizeof(*p->groups));
	for (size_t g = 0; g < kr_sig_n_groups; g++) {
		const struct kr_sig_group *sg = &kr_sig_groups[g];
		struct cgroup *cg = &p->groups[g];
		while (sg->formats[cg->n].title)
			cg->n++;
		cg->formats = kr_calloc(cg->n, sizeof(*cg->formats));
		for (size_t i = 0; i < cg->n; i++) {
			const struct kr_sig_format *f = &sg->formats[i];
			struct cformat *cf = &cg->formats[i];
			cf->src = f;
			cf->title = compile(f->title);
			if (f->report)
				cf->report = compile(f->report);
			if (!f->stack)
				continue;
			struct cstack *cs = cf->stack = kr_calloc(1, sizeof(*cs));
			for (int set = 0; set < 2; set++) {
				const char *const *src = set ? f->stack->parts2 : f->stack->parts;
				for (size_t k = 0; k < KR_SIG_MAX_PARTS && src[k]; k++) {
					cs->trace[set][k] = src[k] == kr_sig_trace;
					if (!cs->trace[set][k])
						cs->parts[set][k] = compile(src[k]);
					cs->n[set] = k + 1;
				}
			}
			if (f->stack->skip)
				cs->skip = compile(f->stack->skip);
			cs->pick = f->stack->pick;
		}
		cg->n_ignore = count(sg->ignore);
		cg->ignore = kr_calloc(cg->n_ignore, sizeof(*cg->ignore));
		for (size_t i = 0; i < cg->n_ignore; i++)
			cg->ignore[i] = compile(sg->ignore[i]);
	}
	p->skip_always = compile(kr_sig_skip_always);
	p->stall_anchors = compile(kr_sig_stall_anchors);
	p->n_suppressions = count(kr_sig_suppressions);
	p->suppressions = kr_calloc(p->n_suppressions, sizeof(*p->suppressions));
	for (size_t i = 0; i < p->n_suppressions; i++)
		p->suppressions[i] = compile(kr_sig_suppressions[i]);
	return p;
}

void kr_sig_patterns_free(struct kr_sig_patterns *p)
{
	if (!p)
		return;
	for (size_t g = 0; g < kr_sig_n_groups; g++) {
		struct cgroup *cg = &p->groups[g];
		for (size_t i = 0; i < cg->n; i++) {
			struct cformat *cf = &cg->formats[i];
			kr_regex_free(cf->title);
			kr_regex_free(cf->report);
			if (cf->stack) {
				for (int set = 0; set < 2; set++)
					for (size_t k = 0; k < cf->stack->n[set]; k++)
						kr_regex_free(cf->stack->parts[set][k]);
				kr_regex_free(cf->stack->skip);
				free(cf->stack);
			}
		}
		free(cg->formats);
		for (size_t i = 0; i < cg->n_ignore; i++)
			kr_regex_free(cg->ignore[i]);
		free(cg->ignore);
	}
	free(p->groups);
	kr_regex_free(p->skip_always);
	kr_regex_free(p->stall_anchors);
	for (size_t i = 0; i < p->n_suppressions; i++)
		kr_regex_free(p->suppressions[i]);
	free(p->suppressions);
	free(p);
}

bool kr_sig_ignored(struct kr_sig_patterns *p, size_t group, const char *line, size_t len)
{
	struct cgroup *cg = &p->groups[group];
	for (size_t i = 0; i < cg->n_ignore; i++)
		if (kr_regex_matches(cg->ignore[i], line, len))
			return true;
	return false;
}

bool kr_sig_suppressed(struct kr_sig_patterns *p, const char *line, size_t len)
{
	for (size_t i = 0; i < p->n_suppressions; i++)
		if (kr_regex_matches(p->suppressions[i], line, len))
			return true;
	return false;
}

/* ---- character classes ---------------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static bool is_hex_lower(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

static const char *find(const char *s, size_t len, const char *lit)
{
	return memmem(s, len, lit, strlen(lit));
}

/* ---- stack lines ----------------------------------------------------------- */

/* "[<ffffffff81000000>]" (the brackets, '<' and "0x" vary by arch) at p;
 * returns the offset after it or 0. */
static size_t parse_pc(const char *s, size_t len, size_t p)
{
	if (p >= len || s[p] != '[')
		return 0;
	p++;
	if (p < len && s[p] == '<')
		p++;
	if (p + 1 < len && s[p] == '0' && s[p + 1] == 'x' && p + 2 < len && is_hex_lower(s[p + 2]))
		p += 2;
	size_t h = p;
	while (p < len && is_hex_lower(s[p]))
		p++;
	if (p == h)
		return 0;
	if (p < len && s[p] == '>')
		p++;
	if (p >= len || s[p] != ']')
		return 0;
	return p + 1;
}

struct name {
	const char *s;
	size_t len;
};

/* A symbol at p followed by '+' or '.' (foo+0x1/0x2, foo.cold+0x3/0x4). */
static bool parse_symbol(const char *s, size_t len, size_t p, struct name *out)
{
	size_t b = p;
	while (p < len && is_word(s[p]))
		p++;
	if (p == b || p >= len || (s[p] != '+' && s[p] != '.'))
		return false;
	out->s = s + b;
	out->len = p - b;
	return true;
}

/* The functions a stack trace line names: "  foo+0x1/0x2",
 * " [<ffffffff81000000>] foo+0x1/0x2", or arm's
 * "[<c0100000>] (foo) from [<c0100004>] (bar+0x8/0x10)". */
static size_t frame_names(const char *s, size_t len, struct name out[2])
{
	size_t p = 0;
	while (p < len && s[p] == ' ')
		p++;
	size_t q = p;
	for (int k = 0; k < 2; k++) {
		size_t e = parse_pc(s, len, q);
		if (!e || e >= len || s[e] != ' ')
			break;
		q = e + 1;
	}
	if (parse_symbol(s, len, q, &out[0]))
		return 1;
	size_t e = parse_pc(s, len, p);
	if (!e || e + 2 > len || s[e] != ' ' || s[e + 1] != '(')
		return 0;
	size_t n = e + 2;
	while (n < len && (is_word(s[n]) || s[n] == '.'))
		n++;
	static const char from[] = ") from ";
	if (n == e + 2 || len - n < sizeof(from) - 1 || memcmp(s + n, from, sizeof(from) - 1) != 0)
		return 0;
	size_t f = parse_pc(s, len, n + sizeof(from) - 1);
	if (!f || f + 2 > len || s[f] != ' ' || s[f + 1] != '(' ||
	    !parse_symbol(s, len, f + 2, &out[1]))
		return 0;
	out[0].s = s + e + 2;
	out[0].len = n - (e + 2);
	return 2;
}

/* Lines that start a stack trace of their own; returns the offset in s of
 * the first one of the given kind, or -1. */
enum { START_KINDS = 8 };

static ssize_t stack_start(const char *s, size_t len, int kind)
{
	const char *at = NULL;
	switch (kind) {
	case 0: {
		const char *a = find(s, len, "Call Trace"), *b = find(s, len, "Call trace");
		at = a && b ? (a < b ? a : b) : a ? a : b;
		break;
	}
	case 1:
		at = find(s, len, "Allocated:");
		break;
	case 2:
	case 4: {
		const char *lit = kind == 2 ? "Allocated by task " : "Freed by task ";
		size_t n = strlen(lit);
		for (at = find(s, len, lit); at; at = find(at + 1, len - (size_t)(at + 1 - s), lit)) {
			size_t p = (size_t)(at - s) + n, d = p;
			while (p < len && is_digit(s[p]))
				p++;
			if (p > d && p < len && s[p] == ':')
				break;
		}
		break;
	}
	case 3:
		at = find(s, len, "Freed:");
		break;
	case 5:
		/* kmemleak's "backtrace:" or "backtrace (crc 1f2e3d4c):", but
		 * not lockdep's "stack backtrace:" */
		for (at = find(s, len, " backtrace"); at;
		     at = find(at + 1, len - (size_t)(at + 1 - s), " backtrace")) {
			size_t p = (size_t)(at - s) + 10;
			if (p + 6 < len && memcmp(s + p, " (crc ", 6) == 0) {
				p += 6;
				while (p < len && isxdigit((unsigned char)s[p]))
					p++;
				if (p < len && s[p] == ')')
					p++;
			}
			if (at > s && at[-1] != 'k' && p < len && s[p] == ':') {
				at--;
				break;
			}
		}
		break;
	case 6:
		at = find(s, len, "Backtrace:");
		break;
	case 7:
		at = find(s, len, "Uninit was stored to memory at");
		break;
	}
	return at ? at - s : -1;
}

static bool is_stack_start(const char *s, size_t len)
{
	for (int k = 0; k < START_KINDS; k++)
		if (stack_start(s, len, k) >= 0)
			return true;
	return false;
}

/* Fault injection prints its own stack, often into a report. */
static bool is_fault_injection(const char *s, size_t len)
{
	size_t p = 0;
	if (len > 2 && s[0] == ' ' && s[1] == '[') {
		size_t e = parse_pc(s, len, 1);
		if (e)
			p = e;
	}
	static const char sf[] = " should_fail";
	if (len - p < sizeof(sf) - 1 || memcmp(s + p, sf, sizeof(sf) - 1) != 0)
		return false;
	p += sizeof(sf) - 1;
	if (len - p >= 4 && memcmp(s + p, "slab", 4) == 0)
		p += 4;
	if (p < len && s[p] == '.') {
		p++;
		while (p < len && ((s[p] >= 'a' && s[p] <= 'z') || is_digit(s[p]) || s[p] == '.'))
			p++;
	}
	return len - p >= 3 && memcmp(s + p, "+0x", 3) == 0;
}

/* ---- the stack walk ------------------------------------------------------ */

struct lines {
	const char *s;
	size_t len, pos;
};

static bool next_line(struct lines *it, const char **line, size_t *len)
{
	if (it->pos >= it->len)
		return false;
	const char *b = it->s + it->pos;
	const char *nl = memchr(b, '\n', it->len - it->pos);
	size_t n = nl ? (size_t)(nl - b) : it->len - it->pos;
	*line = b;
	*len = n;
	it->pos += n + 1;
	return true;
}

struct frames {
	char **v; /* names as printed (not skipped) */
	size_t n, alloc;
};

static void frames_clear(struct frames *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	f->n = 0;
}

static void frames_push(struct kr_sig_patterns *p, const struct cstack *cs, struct frames *f,
			const char *name, size_t len)
{
	/* Rust functions are skipped and named by their demangled names */
	_cleanup_free_ char *demangled = kr_rust_demangle(name, len);
	if (demangled) {
		name = demangled;
		len = strlen(demangled);
	}
	if (kr_regex_matches(p->skip_always, name, len) ||
	    (cs->skip && kr_regex_matches(cs->skip, name, len)))
		return;
	if (f->n == f->alloc) {
		f->alloc = f->alloc ? 2 * f->alloc : 16;
		f->v = kr_realloc(f->v, f->alloc * sizeof(*f->v));
	}
	f->v[f->n++] = kr_strndup(name, len);
}

static void push_groups(struct kr_sig_patterns *p, const struct cstack *cs, struct frames *f,
			const char *s, const struct kr_regex_match *m)
{
	for (int g = 1; g < m->groups; g++)
		if (m->start[g] != KR_REGEX_UNSET)
			frames_push(p, cs, f, s + m->start[g], m->end[g] - m->start[g]);
}

/* A frame without its syscall wrapper prefix: the shortest name that
 * removing one of the prefixes gives (__se_sys_foo -> foo). */
static const char *strip_prefix(const char *name)
{
	const char *best = name;
	for (size_t i = 0; kr_sig_strip_prefixes[i]; i++)
		if (kr_str_startswith(name, kr_sig_strip_prefixes[i]) &&
		    strlen(name + strlen(kr_sig_strip_prefixes[i])) < strlen(best))
			best = name + strlen(kr_sig_strip_prefixes[i]);
	return best;
}

/* The frame that names a crash: its stripped name (or a fixed one) and the
 * name as printed. */
struct key_frame {
	char *name, *raw;
};

static void key_frame_free(struct key_frame *k)
{
	free(k->name);
	free(k->raw);
	k->name = k->raw = NULL;
}

static ssize_t pick_stall(struct kr_sig_patterns *p, const char *const *v, size_t n,
			  const char **fixed)
{
	for (size_t i = 0; i < n; i++) {
		if (!kr_regex_matches(p->stall_anchors, v[i], strlen(v[i])))
			continue;
		if (strstr(v[i], "smp_call_function")) {
			*fixed = "smp_call_function";
			return (ssize_t)i;
		}
		return i ? (ssize_t)i - 1 : 0;
	}
	return -1;
}

static ssize_t pick_hung(const char *const *v, size_t n, const char **fixed)
{
	for (size_t i = 0; i < n; i++) {
		if (strstr(v[i], "rtnl_lock"))
			return (ssize_t)i;
		if (strstr(v[i], "synchronize_rcu") || strstr(v[i], "synchronize_srcu") ||
		    strstr(v[i], "synchronize_net") || strstr(v[i], "synchronize_sched")) {
			*fixed = "synchronize_rcu";
			return (ssize_t)i;
		}
	}
	/* where tasks wait, not why */
	static const char *const waits[] = { "sched", "_lock", "_slowlock", "down", "rwsem",
					     "completion", "kthread", "wait", "synchronize",
					     "context_switch", "__switch_to", "cancel_delayed_work",
					     "rcu_barrier", NULL };
	for (size_t i = 0; i < n; i++) {
		bool skip = false;
		for (size_t k = 0; waits[k] && !skip; k++)
			skip = strstr(v[i], waits[k]) != NULL;
		if (!skip)
			return (ssize_t)i;
	}
	return -1;
}

static bool pick(struct kr_sig_patterns *p, const struct cstack *cs, const struct frames *f,
		 struct key_frame *out)
{
	if (!f->n)
		return false;
	const char **stripped = kr_calloc(f->n, sizeof(char *));
	for (size_t i = 0; i < f->n; i++)
		stripped[i] = strip_prefix(f->v[i]);
	const char *fixed = NULL;
	ssize_t idx = cs->pick == KR_SIG_PICK_STALL ? pick_stall(p, stripped, f->n, &fixed) :
		      cs->pick == KR_SIG_PICK_HUNG  ? pick_hung(stripped, f->n, &fixed) :
						      0;
	if (idx >= 0) {
		out->name = kr_strdup(fixed ? fixed : stripped[idx]);
		out->raw = kr_strdup(f->v[idx]);
	}
	free(stripped);
	return idx >= 0;
}

/* Walks the report from text according to one set of parts; fills up to
 * two key frames (one per stack trace) and returns false when a frame
 * could not be found or the report mixes in another stack. */
static bool walk(struct kr_sig_patterns *p, const struct cstack *cs, int set, const char *text,
		 size_t len, struct key_frame out[2])
{
	struct lines it = { text, len, 0 };
	struct frames f = { 0 };
	struct kr_regex_match m;
	bool ok = true;
	size_t traces = 0, nout = 0;
	size_t n = cs->n[set];
	const char *ln;
	size_t lnlen;
	for (size_t idx = 0;; idx++) {
		if (idx == n || (cs->trace[set][idx] && traces > 0)) {
			struct key_frame key = { 0 };
			if (!pick(p, cs, &f, &key)) {
				key.name = kr_strdup("corrupted");
				key.raw = kr_strdup("corrupted");
				ok = false;
			}
			if (nout < 2)
				out[nout++] = key;
			else
				key_frame_free(&key);
			frames_clear(&f);
		}
		if (idx == n)
			break;
		if (cs->trace[set][idx]) {
			traces++;
			while (next_line(&it, &ln, &lnlen)) {
				if (is_fault_injection(ln, lnlen)) {
					ok = false;
					break;
				}
				if (is_stack_start(ln, lnlen))
					break;
				if (idx + 1 < n && !cs->trace[set][idx + 1] &&
				    kr_regex_search(cs->parts[set][idx + 1], ln, lnlen, 0, &m) == 1) {
					push_groups(p, cs, &f, ln, &m);
					idx++;
					break;
				}
				struct name names[2];
				size_t k = frame_names(ln, lnlen, names);
				for (size_t i = 0; i < k; i++)
					frames_push(p, cs, &f, names[i].s, names[i].len);
			}
		} else {
			while (next_line(&it, &ln, &lnlen)) {
				if (is_fault_injection(ln, lnlen)) {
					ok = false;
					break;
				}
				if (kr_regex_search(cs->parts[set][idx], ln, lnlen, 0, &m) == 1) {
					push_groups(p, cs, &f, ln, &m);
					break;
				}
			}
		}
	}
	frames_clear(&f);
	free(f.v);
	return ok;
}

static bool extract_frames(struct kr_sig_patterns *p, const struct cstack *cs, const char *text,
			   size_t len, struct key_frame out[2])
{
	bool ok = walk(p, cs, 0, text, len, out);
	if (ok || !cs->n[1])
		return ok;
	key_frame_free(&out[0]);
	key_frame_free(&out[1]);
	return walk(p, cs, 1, text, len, out);
}

/* ---- titles ---------------------------------------------------------------- */

static char *render(const char *tmpl, const char *text, const struct kr_regex_match *m,
		    const char *const frames[2])
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (const char *t = tmpl; *t;) {
		if (t[0] == '{' && t[1] >= '1' && t[1] <= '9' && t[2] == '}') {
			int g = t[1] - '0';
			if (m && g < m->groups && m->start[g] != KR_REGEX_UNSET)
				kr_buf_add(&b, text + m->start[g], m->end[g] - m->start[g]);
			t += 3;
		} else if (strncmp(t, "{F}", 3) == 0 || strncmp(t, "{F2}", 4) == 0) {
			int i = t[2] == '2';
			if (frames[i])
				kr_buf_adds(&b, frames[i]);
			t += i ? 4 : 3;
		} else {
			kr_buf_addc(&b, *t++);
		}
	}
	return kr_buf_steal(&b);
}

/* The line from the first occurrence of the group's header: the title of
 * a report that no format fits. */
static char *header_line(const struct kr_sig_group *g, const char *text, size_t len)
{
	const char *at = find(text, len, g->header);
	if (!at)
		at = text;
	const char *nl = memchr(at, '\n', len - (size_t)(at - text));
	return kr_strndup(at, nl ? (size_t)(nl - at) : len - (size_t)(at - text));
}

/* A report that should have a stack trace but whose trace lacks frames was
 * cut or mixed with other output. */
static bool stack_broken(const char *text, size_t len)
{
	bool has_stack = false;
	for (int k = 0; k < START_KINDS; k++) {
		ssize_t at = stack_start(text, len, k);
		if (at < 0)
			continue;
		struct lines it = { text + at, len - (size_t)at, 0 };
		const char *ln;
		size_t lnlen, nlines = 0;
		/* at least three more lines */
		for (size_t i = (size_t)at; i < len; i++)
			nlines += text[i] == '\n';
		if (nlines < 3)
			return true;
		next_line(&it, &ln, &lnlen);
		bool found = false;
		for (int i = 0; i < 15 && next_line(&it, &ln, &lnlen); i++) {
			if (is_stack_start(ln, lnlen))
				break;
			struct name names[2];
			if (find(ln, lnlen, "(stack is not available)") || frame_names(ln, lnlen, names)) {
				found = true;
				break;
			}
		}
		if (!found)
			return true;
		has_stack = true;
	}
	return !has_stack;
}

/* "[  12.345678]" inside a title: console output interleaved with it. */
static bool has_timestamp(const char *t)
{
	for (const char *b = strchr(t, '['); b; b = strchr(b + 1, '[')) {
		const char *p = b + 1;
		while (*p == ' ')
			p++;
		const char *d = p;
		while (is_digit(*p))
			p++;
		if (p == d || *p != '.')
			continue;
		d = ++p;
		while (is_digit(*p))
			p++;
		if (p > d && *p == ']')
			return true;
	}
	return false;
}

static bool title_is_stall(const char *title, const char *type)
{
	return strcmp(type, "HANG") == 0 || strstr(title, "lockup") || strstr(title, "LOCKUP") ||
	       strstr(title, "stall") || strstr(title, "hung_task");
}

/* The function after " in " at p, or its length 0: a symbol, possibly
 * with "::" and a leading "<Type as Trait>" (Rust). */
static size_t frame_at(const char *p)
{
	const char *q = p;
	if (*q == '<') {
		const char *e = q + 1;
		while (is_word(*e) || *e == ':' || *e == ' ')
			e++;
		if (*e == '>')
			q = e + 1;
	}
	const char *r = q;
	while (is_word(*r) || *r == ':')
		r++;
	return r > q ? (size_t)(r - p) : 0;
}

/* The function a title names: what follows its last " in " that is
 * followed by one. */
static char *title_frame(const char *title)
{
	const char *found = NULL;
	size_t len = 0;
	for (const char *at = strstr(title, " in "); at; at = strstr(at + 1, " in ")) {
		size_t n = frame_at(at + 4);
		if (n) {
			found = at + 4;
			len = n;
		}
	}
	if (!found || (len == 9 && strncmp(found, "corrupted", 9) == 0))
		return NULL;
	return kr_strndup(found, len);
}

const char *kr_sig_title_type(const char *title)
{
	for (size_t i = 0; kr_sig_types[i].prefix; i++)
		if (kr_str_startswith(title, kr_sig_types[i].prefix))
			return kr_sig_types[i].type;
	return "UNKNOWN";
}

static void add_alt(char ***alts, char *t)
{
	for (size_t i = 0; (*alts)[i]; i++)
		if (strcmp((*alts)[i], t) == 0) {
			free(t);
			return;
		}
	kr_strv_push(alts, t);
}

/* Alternative titles: the format's own, and the title and those with the
 * frames as printed and with each syscall prefix removed, so that reports
 * of one bug from kernels that name the wrappers differently meet. */
static void add_alts(char ***alts, const struct kr_sig_format *f, const char *desc, const char *text,
		     const struct kr_regex_match *m, const struct key_frame key[2])
{
	const char *names[2] = { key[0].name, key[1].name };
	for (size_t k = 0; k < KR_ARRAY_SIZE(f->alt) && f->alt[k]; k++)
		add_alt(alts, render(f->alt[k], text, m, names));
	if (!f->stack)
		return;
	for (size_t i = 0;; i++) {
		const char *prefix = i ? kr_sig_strip_prefixes[i - 1] : "";
		if (!prefix)
			break;
		const char *raw[2] = { NULL, NULL };
		bool changed = i == 0;
		for (int k = 0; k < 2; k++) {
			if (!key[k].raw)
				continue;
			raw[k] = key[k].raw;
			if (*prefix && kr_str_startswith(raw[k], prefix)) {
				raw[k] += strlen(prefix);
				changed = true;
			}
		}
		if (!changed)
			continue;
		char *t = render(f->fmt, text, m, raw);
		if (strcmp(t, desc) != 0)
			add_alt(alts, t);
		else
			free(t);
		for (size_t k = 0; k < KR_ARRAY_SIZE(f->alt) && f->alt[k]; k++)
			add_alt(alts, render(f->alt[k], text, m, raw));
	}
}

void kr_sig_describe(struct kr_sig_patterns *p, size_t group, const char *text, size_t title_len,
		     size_t text_len, struct kr_crash *c)
{
	const struct cgroup *cg = &p->groups[group];
	const struct kr_sig_format *format = NULL;
	char *desc = NULL;
	char **alts = kr_calloc(1, sizeof(char *));
	bool corrupted = false, matched = false;
	size_t best = title_len;
	struct kr_regex_match m;
	for (size_t i = 0; i < cg->n; i++) {
		const struct cformat *cf = &cg->formats[i];
		if (kr_regex_search(cf->title, text, title_len, 0, &m) != 1 || m.start[0] > best)
			continue;
		if (m.start[0] == best && desc)
			continue;
		if (m.start[0] < best) {
			free(desc);
			desc = NULL;
			format = NULL;
			best = m.start[0];
		}
		matched = true;
		if (cf->report && kr_regex_search(cf->report, text, title_len, 0, &m) != 1)
			continue;
		struct key_frame key[2] = { { 0 }, { 0 } };
		corrupted = false;
		if (cf->stack)
			corrupted = !extract_frames(p, cf->stack, text + m.start[0],
						    title_len - m.start[0], key);
		free(desc);
		const char *names[2] = { key[0].name, key[1].name };
		desc = render(cf->src->fmt, text, &m, names);
		/* alternatives accumulate over the formats tried, as syzbot's do */
		add_alts(&alts, cf->src, desc, text, &m, key);
		key_frame_free(&key[0]);
		key_frame_free(&key[1]);
		format = cf->src;
	}
	if (!desc) {
		corrupted = matched;
		desc = header_line(&kr_sig_groups[group], text, text_len);
	}
	if (format && (format->flags & KR_SIG_CORRUPTED))
		corrupted = true;
	if (!corrupted && has_timestamp(desc))
		corrupted = true;
	if (!corrupted && format && !(format->flags & KR_SIG_NO_TRACE))
		corrupted = stack_broken(text, text_len);

	c->title = kr_sig_normalize_title(desc);
	free(desc);
	c->alt_titles = kr_calloc(1, sizeof(char *));
	for (size_t i = 0; alts[i]; i++)
		kr_strv_push(&c->alt_titles, kr_sig_normalize_title(alts[i]));
	kr_strv_free(alts);
	c->corrupted = corrupted;
	c->type = kr_sig_title_type(c->title);
	c->frame = title_frame(c->title);
	c->is_stall = title_is_stall(c->title, c->type);
}

/* ---- title normalisation ------------------------------------------------- */

/* Each pass rewrites s into a new buffer; the helpers append to b. */

/* syz-executor.3/1234 -> syz-executor, syzkaller123:4 -> syzkaller */
static char *strip_ids(const char *s, const char *name, bool dot)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	size_t n = strlen(name);
	while (*s) {
		const char *at = strstr(s, name);
		if (!at) {
			kr_buf_adds(&b, s);
			break;
		}
		kr_buf_add(&b, s, (size_t)(at - s) + n);
		const char *p = at + n;
		if (dot && *p == '.' && is_digit(p[1]))
			p++;
		if (is_digit(*p)) {
			while (is_digit(*p))
				p++;
			if ((*p == '/' || *p == ':') && is_digit(p[1])) {
				p++;
				while (is_digit(*p))
					p++;
			}
		}
		s = p;
	}
	return kr_buf_steal(&b);
}

/* A hexadecimal run of 6 or more (after a non-alphanumeric byte, with an
 * optional 0x) -> ADDR */
static char *replace_addresses(const char *s)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	size_t len = strlen(s), i = 0;
	while (i < len) {
		kr_buf_addc(&b, s[i]);
		if (is_alpha(s[i]) || is_digit(s[i])) {
			i++;
			continue;
		}
		size_t j = i + 1, k;
		size_t run = 0;
		if (s[j] == '0' && s[j + 1] == 'x') {
			for (k = j + 2; is_hex_lower(s[k]); k++)
				run++;
			if (run >= 6) {
				kr_buf_adds(&b, "ADDR");
				i = k;
				continue;
			}
		}
		run = 0;
		for (k = j; is_hex_lower(s[k]); k++)
			run++;
		if (run >= 6) {
			kr_buf_adds(&b, "ADDR");
			i = k;
			continue;
		}
		i++;
	}
	return kr_buf_steal(&b);
}

static size_t digits_at(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && is_digit(s[n]))
		n++;
	return n;
}

/* 10.1.1.1 -> IP */
static char *replace_ips(const char *s)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	while (*s) {
		size_t p = 0;
		bool ok = true;
		for (int part = 0; part < 4 && ok; part++) {
			size_t d = digits_at(s + p, 3);
			ok = d > 0 && (part == 3 || s[p + d] == '.');
			p += d + (part < 3);
		}
		if (ok) {
			kr_buf_adds(&b, "IP");
			s += p;
		} else {
			kr_buf_addc(&b, *s++);
		}
	}
	return kr_buf_steal(&b);
}

/* file.c:123:45 -> file.c:LINE */
static char *replace_lines(const char *s)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	while (*s) {
		if (*s == '.' && is_word(s[1])) {
			size_t w = 1;
			while (is_word(s[w]))
				w++;
			size_t p = w;
			bool any = false;
			while (s[p] == ':' && is_digit(s[p + 1])) {
				p++;
				while (is_digit(s[p]))
					p++;
				any = true;
			}
			kr_buf_add(&b, s, w);
			if (any)
				kr_buf_adds(&b, ":LINE");
			s += p;
		} else {
			kr_buf_addc(&b, *s++);
		}
	}
	return kr_buf_steal(&b);
}

/* foo+0x1c/0x40 -> foo */
static char *strip_offsets(const char *s)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	size_t len = strlen(s), i = 0, run = 0; /* run: length of the name before i */
	while (i < len) {
		if (s[i] == '+' && s[i + 1] == '0' && s[i + 2] == 'x') {
			size_t p = i + 3, q;
			for (q = p; is_digit(s[q]) || (s[q] >= 'a' && s[q] <= 'z'); q++)
				;
			bool ok = q > p && s[q] == '/' && s[q + 1] == '0' && s[q + 2] == 'x';
			size_t r = q + 3, e;
			for (e = r; ok && (is_digit(s[e]) || (s[e] >= 'a' && s[e] <= 'z')); e++)
				;
			ok = ok && e > r;
			/* the name: a letter, then at least one more name byte */
			bool named = false;
			for (size_t k = i - run; ok && k + 1 < i && !named; k++)
				named = is_alpha(s[k]);
			if (ok && named) {
				i = e;
				run = 0;
				continue;
			}
		}
		kr_buf_addc(&b, s[i]);
		run = is_word(s[i]) || s[i] == '.' ? run + 1 : 0;
		i++;
	}
	return kr_buf_steal(&b);
}

/* CPU#1 -> CPU, then numbers: a decimal run after a non-word byte and
 * before a non-word byte or the end -> NUM; any run of 7 digits or more ->
 * NUM. */
static char *replace_numbers(const char *s)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		if (strncmp(s + i, "CPU#", 4) == 0 && is_digit(s[i + 4])) {
			kr_buf_adds(&b, "CPU");
			i += 4;
			while (is_digit(s[i]))
				i++;
			continue;
		}
		kr_buf_addc(&b, s[i++]);
	}
	char *t = kr_buf_steal(&b);
	len = strlen(t);
	for (size_t i = 0; i < len;) {
		if (is_digit(t[i]) && i > 0 && !is_word(t[i - 1])) {
			size_t e = i;
			while (is_digit(t[e]))
				e++;
			if (!is_word(t[e])) {
				kr_buf_adds(&b, "NUM");
				i = e;
				continue;
			}
		}
		kr_buf_addc(&b, t[i++]);
	}
	free(t);
	t = kr_buf_steal(&b);
	len = strlen(t);
	for (size_t i = 0; i < len;) {
		size_t e = i;
		while (is_digit(t[e]))
			e++;
		if (e - i >= 7) {
			kr_buf_adds(&b, "NUM");
			i = e;
		} else if (e > i) {
			kr_buf_add(&b, t + i, e - i);
			i = e;
		} else {
			kr_buf_addc(&b, t[i++]);
		}
	}
	free(t);
	return kr_buf_steal(&b);
}

/* Applies a pass until the string stops changing. */
static char *settle(char *s, char *(*pass)(const char *))
{
	for (;;) {
		char *t = pass(s);
		bool same = strcmp(s, t) == 0;
		free(s);
		if (same)
			return t;
		s = t;
	}
}

static char *strip_executor(const char *s)
{
	return strip_ids(s, "syz-executor", true);
}

static char *strip_syzkaller(const char *s)
{
	return strip_ids(s, "syzkaller", false);
}

char *kr_sig_normalize_title(const char *title)
{
	/* the title may hold NULs (console bytes): only what precedes one counts */
	char *s = kr_strdup(title);
	s = settle(s, strip_executor);
	s = settle(s, strip_syzkaller);
	s = settle(s, replace_addresses);
	s = settle(s, replace_ips);
	s = settle(s, replace_lines);
	s = settle(s, strip_offsets);
	s = settle(s, replace_numbers);
	/* printable ASCII only, single spaces, at most 120 bytes of input */
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	char prev = ' ';
	for (size_t i = 0; s[i] && i < 120; i++) {
		char ch = s[i];
		if (ch == '\t')
			ch = ' ';
		else if ((unsigned char)ch < 0x20 || (unsigned char)ch >= 0x7f)
			continue;
		if (ch == ' ' && prev == ' ')
			continue;
		kr_buf_addc(&b, ch);
		prev = ch;
	}
	free(s);
	while (b.len && b.data && b.data[b.len - 1] == ' ')
		b.data[--b.len] = '\0';
	return kr_buf_steal(&b);
}
