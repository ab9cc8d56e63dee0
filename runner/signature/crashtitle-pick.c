/* SPDX-License-Identifier: MIT */
/* Which frame names a report, by family: the skip lists and kernel
 * families passed over (every family), the first frame left (bad accesses,
 * WARNING/BUG and most others), a stall's entry point after the interrupt
 * that found it (stalls and hangs), lockdep's first "at:" function (lock
 * reports); other tasks' dumps in the middle; renames of the name; and the
 * account of the choice (crashtitle-internal.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crashrules.h"
#include "crashtitle-internal.h"
#include "kernel-funcs.h"

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

/* The family of a source file (kr_kernel_family_files), or -1. */
static int file_family(struct kr_crashtitle *t, const char *path, const char *func)
{
	size_t tests = 2 * kr_n_kernel_family_files;
	if (!t->family_file[tests])
		t->family_file[tests] = ct_compile(kr_kernel_family_tests, KR_REGEX_NO_JIT);
	if (ct_name_matches(t->family_file[tests], path))
		return -1;
	for (size_t i = 0; i < kr_n_kernel_family_files; i++) {
		const struct kr_kernel_family_file *e = &kr_kernel_family_files[i];
		if (!t->family_file[2 * i])
			t->family_file[2 * i] = ct_compile(e->path, KR_REGEX_NO_JIT);
		if (!ct_name_matches(t->family_file[2 * i], path))
			continue;
		if (e->name) {
			if (!t->family_file[2 * i + 1])
				t->family_file[2 * i + 1] = ct_compile(e->name, KR_REGEX_NO_JIT);
			if (!ct_name_matches(t->family_file[2 * i + 1], func))
				continue;
		}
		return e->family;
	}
	return -1;
}

/* A function the families' table lacks, by its source file: asked of
 * file_of once per name. */
static const struct file_family *family_by_file(struct kr_crashtitle *t, const char *func)
{
	for (size_t i = 0; i < t->n_by_file; i++)
		if (!strcmp(t->by_file[i].func, func))
			return &t->by_file[i];
	t->by_file = kr_realloc(t->by_file, (t->n_by_file + 1) * sizeof(*t->by_file));
	struct file_family *ff = &t->by_file[t->n_by_file++];
	*ff = (struct file_family){ .func = kr_strdup(func), .family = -1 };
	_cleanup_free_ char *path = t->file_of(t->file_of_ctx, func);
	if (path)
		ff->family = file_family(t, path, func);
	if (ff->family >= 0)
		ff->reason = kr_asprintf("kernel family %s (its file %s)",
					 kr_kernel_families[ff->family], path);
	return ff;
}

void kr_crashtitle_set_file_of(struct kr_crashtitle *t, kr_scanner_file_fn file_of, void *ctx)
{
	t->file_of = file_of;
	t->file_of_ctx = ctx;
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
const char *ct_skip_reason(struct kr_crashtitle *t, size_t rule, const char *name,
			   bool families)
{
	if (ct_name_matches(ct_pattern(t, P_SKIP), name))
		return "skip list";
	const char *extra = kr_rules[rule].skip;
	if (extra) {
		if (!t->skip[rule])
			t->skip[rule] = ct_whole_name(extra);
		if (ct_name_matches(t->skip[rule], name))
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
	if (fam < 0 && t->file_of) {
		const struct file_family *ff = family_by_file(t, name);
		if (ff->family >= 0 && (t->families[rule] & (UINT64_C(1) << ff->family)))
			return ff->reason;
		return NULL;
	}
	if (fam < 0 || !(t->families[rule] & (UINT64_C(1) << fam)))
		return NULL;
	if (!t->family_reason[fam])
		t->family_reason[fam] = kr_asprintf("kernel family %s", kr_kernel_families[fam]);
	return t->family_reason[fam];
}

bool ct_skipped(struct kr_crashtitle *t, size_t rule, const char *name)
{
	return ct_skip_reason(t, rule, name, true) != NULL;
}

/* Whether only a kernel family passes the frame over. */
static bool family_skipped(struct kr_crashtitle *t, size_t rule, const char *name)
{
	return ct_skip_reason(t, rule, name, false) == NULL && ct_skipped(t, rule, name);
}

/* The frame a stall names: after the interrupt that found it (when the
 * rule says so), the first entry point, else the first frame. */
const struct frame *ct_stall_frame(struct kr_crashtitle *t, size_t rule,
				   const struct frames *fr)
{
	size_t start = 0;
	if (!fr->call_trace)
		return NULL;
	if (kr_rules[rule].flags & KR_RULE_AFTER_IRQ) {
		while (start < fr->n && !ct_name_matches(ct_pattern(t, P_IRQ), fr->f[start].name))
			start++;
		if (start == fr->n)
			return NULL;
	}
	const struct frame *first = NULL;
	for (size_t i = start; i < fr->n; i++) {
		const char *name = fr->f[i].name;
		if (ct_skipped(t, rule, name))
			continue;
		if (!first)
			first = &fr->f[i];
		if (ct_name_matches(ct_pattern(t, P_NOT_ANCHOR), name))
			continue;
		if (ct_name_matches(ct_pattern(t, P_ANCHOR), name))
			return &fr->f[i];
		if (i + 1 < fr->n && ct_name_matches(ct_pattern(t, P_DISPATCH), fr->f[i + 1].name))
			return &fr->f[i];
	}
	return first;
}

/* Whether the kernel families pass over frame f: call trace frames, and
 * the faulting PC when the rule says so (a WARNING in the kernel's
 * infrastructure flags its caller's misuse of it). */
static bool pc_families(size_t rule, const struct frame *f)
{
	return f->kind != FK_PC || (kr_rules[rule].flags & KR_RULE_PC_FAMILIES);
}

/* The first frame that is not skipped; the faulting PC is passed over
 * by the skip lists only (unless the rule says otherwise). When every frame is skipped, the first that
 * only a kernel family skips: the crash is in the machinery itself (a
 * work function of the workqueue code, an RCU callback). */
const struct frame *ct_stack_frame(struct kr_crashtitle *t, size_t rule,
				   const struct frames *fr)
{
	const struct frame *fallback = NULL;
	for (size_t i = 0; i < fr->n; i++) {
		const struct frame *f = &fr->f[i];
		if (!ct_skip_reason(t, rule, f->name, pc_families(rule, f)))
			return f;
		if (!fallback && family_skipped(t, rule, f->name))
			fallback = f;
	}
	return fallback;
}

/* Whether another task's dump (fault injection, an allocation failure)
 * was printed into the report before line `upto`: the frames around it
 * cannot be told apart. */
bool ct_foreign_dump_before(struct kr_crashtitle *t, const struct kr_rline *lines,
			    const struct frames *fr, const struct frame *picked)
{
	for (size_t i = 1; i < picked->line; i++)
		if (ct_same_context(&lines[0], &lines[i]) &&
		    kr_regex_matches(ct_pattern(t, P_FOREIGN), lines[i].s, lines[i].n))
			return true;
	/* the fault injection's own frames: a call trace frame after them may
	 * be the injected task's (a register dump's PC is the report's own) */
	if (picked->kind == FK_PC)
		return false;
	for (const struct frame *f = fr->f; f < picked; f++)
		if (ct_name_matches(ct_pattern(t, P_FOREIGN_FRAME), f->name))
			return true;
	return false;
}

/* The caller of a lock wrapper: the first frame after `name` in the
 * stack that is not passed over, or NULL when the stack does not hold it. */
static const char *wrapper_caller(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
				  const char *name)
{
	for (size_t i = 0; i < fr->n; i++) {
		if (strcmp(fr->f[i].name, name) != 0)
			continue;
		for (size_t j = i + 1; j < fr->n; j++)
			if (!ct_skipped(t, rule, fr->f[j].name))
				return fr->f[j].name;
		return NULL;
	}
	return NULL;
}

/* The function of lockdep's first "at:" line. When that function is a
 * kernel family's lock wrapper (tty_ldisc_ref_wait, a driver core
 * device_lock helper), the lock was taken for its caller: the frame after
 * it in the report's stack when there is one, else the next "at:" line;
 * the wrapper itself only when nothing else is named. */
char *ct_lock_frame(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
		    const struct kr_rline *lines, size_t n)
{
	char *wrapper = NULL;
	for (size_t i = 1; i < n; i++) {
		const struct kr_rline *l = &lines[i];
		if (!ct_same_context(&lines[0], l))
			continue;
		struct kr_regex_match m;
		if (kr_regex_search(ct_pattern(t, P_AT), l->s, l->n, 0, &m) != 1)
			continue;
		char *name = NULL;
		if (m.start[1] != KR_REGEX_UNSET) {
			name = kr_crash_frame_name(l->s + m.start[1], m.end[1] - m.start[1]);
		} else if (m.end[0] >= l->n && i + 1 < n) {
			struct frame f;
			if (ct_parse_frame(lines[i + 1].s, lines[i + 1].n, &f))
				name = kr_strdup(f.name);
		}
		if (!name)
			continue;
		if (ct_skip_reason(t, rule, name, false)) {
			free(name);
			continue;
		}
		if (!family_skipped(t, rule, name)) {
			free(wrapper);
			return name;
		}
		const char *caller = wrapper_caller(t, rule, fr, name);
		if (caller) {
			free(wrapper);
			free(name);
			return kr_strdup(caller);
		}
		if (!wrapper)
			wrapper = name;
		else
			free(name);
	}
	return wrapper;
}

/* ---- renames -------------------------------------------------------------- */

/* The forms of a frame name: forms[0] as printed, then each rename's
 * result; the last is the one a title uses. */
size_t ct_name_forms(struct kr_crashtitle *t, const char *name, char **forms, size_t max)
{
	size_t n = 0;
	forms[n++] = kr_strdup(name);
	for (size_t r = 0; r < kr_n_renames && n < max; r++) {
		if (!t->rename[r]) {
			_cleanup_free_ char *p = kr_asprintf("^(?:%s)$", kr_renames[r].re);
			t->rename[r] = ct_compile(p, 0);
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
char *ct_title_form(struct kr_crashtitle *t, const char *name)
{
	char *forms[8];
	size_t n = ct_name_forms(t, name, forms, KR_ARRAY_SIZE(forms));
	for (size_t i = 0; i + 1 < n; i++)
		free(forms[i]);
	return forms[n - 1];
}

#define OWN_FRAMES_MAX 64
#define EXPLAIN_FRAMES 40

/* How the frame was chosen: where it came from, then the stack's frames up
 * to a few past the taken one, each taken or skipped with its reason. */
char *ct_explain_frames(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
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
		bool exempt = f->kind == FK_PC && r->frame != KR_FRAME_STALL &&
			      !(r->flags & KR_RULE_PC_FAMILIES);
		const char *why = ct_skip_reason(t, rule, f->name, !exempt);
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
	if (!frame && fr->foreign)
		kr_buf_printf(&b, "no frame: another dump's \"Call Trace:\" came before /%s/, the "
			      "line the report's stack follows, and their frames mix: corrupted\n",
			      r->stack_from);
	else if (!frame && fr->cut)
		kr_buf_printf(&b, "no frame: the report ends before /%s/, the line its stack follows: corrupted\n",
			      r->stack_from);
	else if (!frame)
		kr_buf_adds(&b, "no frame: corrupted\n");
	return kr_buf_steal(&b);
}

/* The report's own frames that are not skipped, in their title form: the
 * title's frame first, then the stack from the picked frame on (from the
 * top when the frame came from elsewhere), without direct repeats. */
char **ct_own_frames(struct kr_crashtitle *t, size_t rule, const struct frames *fr,
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
		if (ct_skipped(t, rule, fr->f[i].name))
			continue;
		char *name = ct_title_form(t, fr->f[i].name);
		if (n && strcmp(v[n - 1], name) == 0) {
			free(name);
			continue;
		}
		kr_strv_push(&v, name);
		n++;
	}
	return v;
}

