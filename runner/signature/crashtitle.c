/* SPDX-License-Identifier: MIT */
/* Headers and titles of crash reports (see crashtitle.h): the literals of
 * the prefilter, the compiled patterns, which rule a line opens, and a
 * finished report's title, alternative titles and class. The frame it
 * names comes from crashtitle-pick.c, its stack from crashtitle-frames.c. */
#include "crashtitle.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crashrules.h"
#include "crashtitle-internal.h"
#include "kernel-funcs.h"
#include "litscan.h"

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

struct kr_regex *ct_compile(const char *pattern, unsigned flags)
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

struct kr_regex *ct_whole_name(const char *alternatives)
{
	_cleanup_free_ char *p = kr_asprintf("^(?:%s)$", alternatives);
	return ct_compile(p, 0);
}

struct kr_regex *ct_pattern(struct kr_crashtitle *t, int which)
{
	if (t->pat[which])
		return t->pat[which];
	switch (which) {
	case P_SKIP: {
		struct kr_buf b = KR_BUF_INIT(1 << 20);
		for (size_t i = 0; kr_skip_frames[i]; i++)
			kr_buf_printf(&b, "%s%s", i ? "|" : "", kr_skip_frames[i]);
		t->pat[which] = ct_whole_name(b.data);
		kr_buf_free(&b);
		break;
	}
	case P_IRQ:
		t->pat[which] = ct_whole_name(kr_irq_entry_frames);
		break;
	case P_ANCHOR:
		t->pat[which] = ct_whole_name(kr_stall_anchor_frames);
		break;
	case P_NOT_ANCHOR:
		t->pat[which] = ct_whole_name(kr_stall_not_anchor_frames);
		break;
	case P_DISPATCH:
		t->pat[which] = ct_whole_name(kr_stall_dispatchers);
		break;
	case P_STOP:
		t->pat[which] = ct_compile(kr_stack_stop_lines, KR_REGEX_NO_JIT);
		break;
	case P_STOP_OTHER_CPU:
		t->pat[which] = ct_compile("^(?:NMI backtrace for cpu|Sending NMI from CPU|"
					"Showing all locks held|Showing busy workqueues)",
					KR_REGEX_NO_JIT);
		break;
	case P_END:
		t->pat[which] = ct_compile(kr_report_end_lines, KR_REGEX_NO_JIT);
		break;
	case P_FOREIGN_FRAME:
		t->pat[which] = ct_whole_name(kr_foreign_dump_frames);
		break;
	case P_FOREIGN:
		t->pat[which] = ct_compile(kr_foreign_dump_lines, KR_REGEX_NO_JIT);
		break;
	case P_CALL_TRACE:
		t->pat[which] = ct_compile("^(?:Call Trace:|Call trace:|Backtrace:)", KR_REGEX_NO_JIT);
		break;
	case P_AT:
		/* lockdep's "(lock){....}, at: FUNC+0x12/0x34" (the function may
		 * be on the next line in old kernels) */
		t->pat[which] = ct_compile("\\bat: *(?:\\[<[0-9a-f]+>\\] *)?(?:\\[[0-9a-f]+\\] *)?"
					"([A-Za-z_.$][\\w.$]*)?",
					KR_REGEX_NO_JIT);
		break;
	}
	return t->pat[which];
}

struct kr_crashtitle *kr_crashtitle_new(void)
{
	if (kr_n_rules > 256 || kr_n_renames > 32 || kr_n_kernel_families > 64 ||
	    kr_n_kernel_family_files > 32)
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
	for (size_t i = 0; i < KR_ARRAY_SIZE(t->family_file); i++)
		kr_regex_free(t->family_file[i]);
	for (size_t i = 0; i < t->n_by_file; i++) {
		free(t->by_file[i].func);
		free(t->by_file[i].reason);
	}
	free(t->by_file);
	free(t);
}

bool ct_name_matches(struct kr_regex *re, const char *name)
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
			t->header[i] = ct_compile(kr_rules[i].re, 0);
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
		t->confirm[rule] = ct_compile(pat, KR_REGEX_NO_JIT);
	for (size_t i = 0; i < n; i++)
		if (kr_regex_matches(t->confirm[rule], lines[i].s, lines[i].n))
			return true;
	return false;
}

bool kr_crashtitle_is_end(struct kr_crashtitle *t, const char *line, size_t len)
{
	return kr_regex_matches(ct_pattern(t, P_END), line, len);
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
		t->aux[rule] = ct_compile(pat, KR_REGEX_NO_JIT);
	/* in the report's first lines only */
	for (size_t i = 1; i < n && i < 100; i++) {
		const struct kr_rline *l = &lines[i];
		if (!ct_same_context(&lines[0], l))
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
	if (!s || !ct_is_name_start(*s))
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
	ct_collect_frames(t, rule, lines, n, &fr);
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
			if (!ct_skip_reason(t, rule, hdr, (r->flags & KR_RULE_HDR_FAMILIES) != 0))
				cand = hdr;
		}
		if (!cand && (r->flags & KR_RULE_AUX_FRAME) && valid_name(aux)) {
			free(hdr);
			hdr = kr_crash_frame_name(aux, strlen(aux));
			hdr_from_aux = true;
			if (!ct_skip_reason(t, rule, hdr, false))
				cand = hdr;
		}
		_cleanup_free_ char *locked = NULL;
		if (cand)
			source = hdr_from_aux ? "the report's aux line" : "the header";
		if (!cand) {
			switch (r->frame) {
			case KR_FRAME_STACK:
				picked = ct_stack_frame(t, rule, &fr);
				break;
			case KR_FRAME_STALL:
				picked = ct_stall_frame(t, rule, &fr);
				break;
			case KR_FRAME_LOCK:
				locked = ct_lock_frame(t, rule, &fr, lines, n);
				cand = locked;
				if (cand)
					source = "lockdep's first \"at:\" line";
				if (!cand)
					picked = ct_stack_frame(t, rule, &fr);
				break;
			case KR_FRAME_NONE:
				break;
			}
			if (picked && ct_foreign_dump_before(t, lines, &fr, picked)) {
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
	_cleanup_free_ char *title_frame = frame ? ct_title_form(t, frame) : NULL;
	out->frames = ct_own_frames(t, rule, &fr, picked, title_frame);
	if (t->explain)
		out->explain = ct_explain_frames(t, rule, &fr, picked, source, frame);
	free(fr.f);

	for (size_t i = 0; i < n; i++)
		if (lines[i].dropped) {
			corrupted = true;
			break;
		}
	if (r->complete) {
		if (!t->complete[rule])
			t->complete[rule] = ct_compile(r->complete, KR_REGEX_NO_JIT);
		bool found = false;
		for (size_t i = 1; i < n && !found; i++)
			found = kr_regex_matches(t->complete[rule], lines[i].s, lines[i].n);
		if (!found)
			corrupted = true;
	}

	char *forms[8];
	size_t nforms = 0;
	if (frame)
		nforms = ct_name_forms(t, frame, forms, KR_ARRAY_SIZE(forms));
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
