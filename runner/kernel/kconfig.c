/* SPDX-License-Identifier: MIT */
/* Config fragments, merge_config.sh-style merging, and the check that a
 * fragment survived olddefconfig, explained from the tree's Kconfig files.
 *
 * The Kconfig reader is deliberately small: it follows `source` from the
 * top-level Kconfig, keeps the conditions of enclosing if/menu/choice
 * blocks, and records per symbol its definitions (type, prompt and its
 * condition, depends on) and who selects it. That is enough to name the
 * usual reasons a fragment line is dropped; anything it cannot tell gives
 * no reason rather than a wrong one. */
#include <ctype.h>
#include <string.h>

#include "kconfig.h"

/* The symbol a config line sets, as [start, start+len); false otherwise. */
static bool line_symbol(const char *line, size_t len, const char **sym, size_t *sym_len)
{
	const char *p = line;
	if (len >= 2 && p[0] == '#' && p[1] == ' ')
		p += 2;
	if ((size_t)(p - line) + 7 > len || strncmp(p, "CONFIG_", 7) != 0)
		return false;
	const char *q = p;
	while (q < line + len && (isalnum((unsigned char)*q) || *q == '_'))
		q++;
	if (q < line + len && *q != '=' && *q != ' ')
		return false;
	*sym = p;
	*sym_len = (size_t)(q - p);
	return true;
}

static bool fragment_has(const struct kr_kconfig_fragment *frag, const char *sym, size_t len)
{
	for (size_t i = 0; i < frag->n; i++)
		if (strlen(frag->lines[i].name) == len && memcmp(frag->lines[i].name, sym, len) == 0)
			return true;
	return false;
}

char *kr_kconfig_merge(const char *base, const struct kr_kconfig_fragment *frag)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	for (const char *line = base; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *sym;
		size_t sym_len;
		if (!(line_symbol(line, len, &sym, &sym_len) && fragment_has(frag, sym, sym_len))) {
			kr_buf_add(&b, line, len);
			kr_buf_addc(&b, '\n');
		}
		line += len + (end ? 1 : 0);
	}
	_cleanup_free_ char *tail = kr_kconfig_fragment_text(frag);
	kr_buf_adds(&b, tail);
	return kr_buf_steal(&b);
}

/* The value of name ("CONFIG_X") in config text: "y", "m", the text after
 * '=', or "n" when unset or absent. */
static char *config_value(const char *config, const char *name)
{
	size_t n = strlen(name);
	for (const char *line = config; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		if (len > n && strncmp(line, name, n) == 0 && line[n] == '=')
			return kr_strndup(line + n + 1, len - n - 1);
		line += len + (end ? 1 : 0);
	}
	return kr_strdup("n");
}

/* ----- a symbol table over config text ----- */

struct value_map {
	char **names; /* without CONFIG_ */
	char **values;
	size_t n, alloc;
	size_t *slots; /* open addressing, index + 1 */
	size_t nslots;
};

static size_t hash_str(const char *s, size_t len)
{
	size_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static ssize_t map_find(const struct value_map *m, const char *s, size_t len)
{
	if (!m->nslots)
		return -1;
	for (size_t i = hash_str(s, len) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
		size_t v = m->slots[i];
		if (!v)
			return -1;
		if (strlen(m->names[v - 1]) == len && memcmp(m->names[v - 1], s, len) == 0)
			return (ssize_t)(v - 1);
	}
}

static size_t map_add(struct value_map *m, const char *s, size_t len)
{
	ssize_t found = map_find(m, s, len);
	if (found >= 0)
		return (size_t)found;
	if ((m->n + 1) * 2 > m->nslots) {
		size_t ns = m->nslots ? m->nslots * 2 : 1024;
		free(m->slots);
		m->slots = kr_calloc(ns, sizeof(size_t));
		m->nslots = ns;
		for (size_t k = 0; k < m->n; k++) {
			size_t i = hash_str(m->names[k], strlen(m->names[k])) & (ns - 1);
			while (m->slots[i])
				i = (i + 1) & (ns - 1);
			m->slots[i] = k + 1;
		}
	}
	if (m->n == m->alloc) {
		m->alloc = m->alloc ? m->alloc * 2 : 256;
		m->names = kr_realloc(m->names, m->alloc * sizeof(char *));
		m->values = kr_realloc(m->values, m->alloc * sizeof(char *));
	}
	m->names[m->n] = kr_strndup(s, len);
	m->values[m->n] = NULL;
	size_t i = hash_str(s, len) & (m->nslots - 1);
	while (m->slots[i])
		i = (i + 1) & (m->nslots - 1);
	m->slots[i] = m->n + 1;
	return m->n++;
}

static void map_free(struct value_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->names[i]);
		free(m->values[i]);
	}
	free(m->names);
	free(m->values);
	free(m->slots);
}

static void map_load_config(struct value_map *m, const char *config)
{
	for (const char *line = config; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *eq = memchr(line, '=', len);
		if (kr_str_startswith(line, "CONFIG_") && eq) {
			size_t i = map_add(m, line + 7, (size_t)(eq - line - 7));
			free(m->values[i]);
			m->values[i] = kr_strndup(eq + 1, len - (size_t)(eq - line) - 1);
		}
		line += len + (end ? 1 : 0);
	}
}

/* "n" for an absent symbol. */
static const char *map_value(const struct value_map *m, const char *s, size_t len)
{
	ssize_t i = map_find(m, s, len);
	return i >= 0 && m->values[i] ? m->values[i] : "n";
}

/* ----- Kconfig expressions ----- */

struct expr_ctx {
	const struct value_map *values;
	const char *p;
	bool bad;
	struct kr_buf *syms; /* "A=y, B=n" of the symbols met, when not NULL */
};

static void skip_ws(struct expr_ctx *c)
{
	while (isspace((unsigned char)*c->p))
		c->p++;
}

static int tristate_of(const char *v)
{
	if (!strcmp(v, "y"))
		return 2;
	if (!strcmp(v, "m"))
		return 1;
	return 0;
}

/* An operand's text value: a quoted string, a constant or a symbol's value. */
static char *expr_operand(struct expr_ctx *c)
{
	skip_ws(c);
	if (*c->p == '"' || *c->p == '\'') {
		char q = *c->p++;
		const char *start = c->p;
		while (*c->p && *c->p != q)
			c->p++;
		char *s = kr_strndup(start, (size_t)(c->p - start));
		if (*c->p)
			c->p++;
		return s;
	}
	const char *start = c->p;
	while (isalnum((unsigned char)*c->p) || *c->p == '_' || *c->p == '-')
		c->p++;
	size_t len = (size_t)(c->p - start);
	if (!len) {
		c->bad = true;
		return kr_strdup("n");
	}
	if ((len == 1 && strchr("ymn", *start)) || isdigit((unsigned char)*start) || *start == '-')
		return kr_strndup(start, len);
	const char *v = map_value(c->values, start, len);
	if (c->syms) {
		/* Each symbol once: look for ", A=" (the list starts with ", "). */
		_cleanup_free_ char *key = kr_asprintf(", %.*s=", (int)len, start);
		if (!c->syms->data || !strstr(c->syms->data, key))
			kr_buf_printf(c->syms, "%s%s", key, v);
	}
	return kr_strdup(v);
}

static int expr_or(struct expr_ctx *c);

static int compare_values(const char *a, const char *b)
{
	char *ea, *eb;
	long long x = strtoll(a, &ea, 0), y = strtoll(b, &eb, 0);
	if (*a && *b && !*ea && !*eb)
		return (x > y) - (x < y);
	return strcmp(a, b);
}

static int expr_primary(struct expr_ctx *c)
{
	skip_ws(c);
	if (*c->p == '!') {
		c->p++;
		return 2 - expr_primary(c);
	}
	if (*c->p == '(') {
		c->p++;
		int v = expr_or(c);
		skip_ws(c);
		if (*c->p == ')')
			c->p++;
		else
			c->bad = true;
		return v;
	}
	_cleanup_free_ char *a = expr_operand(c);
	skip_ws(c);
	static const char *const ops[] = { "!=", "<=", ">=", "=", "<", ">" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(ops); i++) {
		size_t n = strlen(ops[i]);
		if (strncmp(c->p, ops[i], n) != 0)
			continue;
		c->p += n;
		_cleanup_free_ char *b = expr_operand(c);
		int r = compare_values(a, b);
		bool t = i == 0 ? r != 0 : i == 1 ? r <= 0 : i == 2 ? r >= 0 : i == 3 ? r == 0 : i == 4 ? r < 0 : r > 0;
		return t ? 2 : 0;
	}
	return tristate_of(a);
}

static int expr_and(struct expr_ctx *c)
{
	int v = expr_primary(c);
	for (;;) {
		skip_ws(c);
		if (strncmp(c->p, "&&", 2) != 0)
			return v;
		c->p += 2;
		int w = expr_primary(c);
		v = w < v ? w : v;
	}
}

static int expr_or(struct expr_ctx *c)
{
	int v = expr_and(c);
	for (;;) {
		skip_ws(c);
		if (strncmp(c->p, "||", 2) != 0)
			return v;
		c->p += 2;
		int w = expr_and(c);
		v = w > v ? w : v;
	}
}

/* The tristate value of expr (0, 1, 2), or -1 when it cannot be read.
 * syms, when not NULL, gets the symbols it uses with their values. */
static int expr_eval(const struct value_map *values, const char *expr, struct kr_buf *syms)
{
	struct expr_ctx c = { .values = values, .p = expr, .syms = syms };
	int v = expr_or(&c);
	skip_ws(&c);
	if (c.bad || *c.p)
		return -1;
	return v;
}

/* ----- Kconfig files ----- */

struct kdef {
	char *type;        /* bool, tristate, string, int, hex; NULL when not said here */
	bool has_prompt;
	char *prompt_cond; /* NULL: unconditional */
	char *range;       /* "MIN MAX [if COND]" */
	char **conds;      /* enclosing if/menu/choice conditions and depends on */
	size_t n_conds;
};

struct ksym {
	struct kdef *defs;
	size_t n_defs;
	char **selected_by; /* "SYM" or "SYM if COND" */
	size_t n_selected_by;
};

/* Nesting of Kconfig's source statements; files read in all (the kernel's
 * tree has under 2,000). */
#define MAX_SOURCE_DEPTH 64
#define MAX_SOURCE_FILES 20000

struct kparse {
	const char *srctree;
	const char *arch, *env_arch;
	struct value_map names; /* symbol name -> index into syms */
	struct ksym *syms;
	size_t alloc_syms;
	char **stack; /* conditions of the enclosing blocks */
	size_t n_stack, alloc_stack;
	size_t *frames; /* stack depth at each block start; -1 for blocks that add nothing */
	size_t n_frames, alloc_frames;
	int depth; /* source nesting */
	/* The files being parsed, outermost first: a file that sources
	 * itself, directly or not, is not read again (kconfig calls that
	 * recursive inclusion an error). */
	const char *open_files[MAX_SOURCE_DEPTH];
	size_t n_files; /* files read, against a tree that sources files many times */
	/* The entry whose attributes follow, kind 'c' config, 'm' menu or
	 * choice (depends on adds to the block), 'o' other (ignored). */
	char cur_kind;
	size_t cur_sym, cur_def;
};

static struct ksym *ksym_get(struct kparse *k, const char *name, size_t len)
{
	size_t i = map_add(&k->names, name, len);
	if (i >= k->alloc_syms) {
		size_t na = k->alloc_syms ? k->alloc_syms * 2 : 1024;
		while (na <= i)
			na *= 2;
		k->syms = kr_realloc(k->syms, na * sizeof(*k->syms));
		memset(k->syms + k->alloc_syms, 0, (na - k->alloc_syms) * sizeof(*k->syms));
		k->alloc_syms = na;
	}
	return &k->syms[i];
}

static const struct ksym *ksym_find(const struct kparse *k, const char *name)
{
	ssize_t i = map_find(&k->names, name, strlen(name));
	return i >= 0 ? &k->syms[i] : NULL;
}

static void push_cond(struct kparse *k, const char *cond)
{
	if (k->n_stack == k->alloc_stack) {
		k->alloc_stack = k->alloc_stack ? k->alloc_stack * 2 : 32;
		k->stack = kr_realloc(k->stack, k->alloc_stack * sizeof(char *));
	}
	k->stack[k->n_stack++] = kr_strdup(cond);
}

static void open_frame(struct kparse *k)
{
	if (k->n_frames == k->alloc_frames) {
		k->alloc_frames = k->alloc_frames ? k->alloc_frames * 2 : 32;
		k->frames = kr_realloc(k->frames, k->alloc_frames * sizeof(size_t));
	}
	k->frames[k->n_frames++] = k->n_stack;
}

static void close_frame(struct kparse *k)
{
	if (!k->n_frames)
		return;
	size_t to = k->frames[--k->n_frames];
	while (k->n_stack > to)
		free(k->stack[--k->n_stack]);
}

/* Replaces $(SRCARCH) and $(ARCH) in s; other macros are left alone. */
static char *expand_macros(const struct kparse *k, const char *s)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	while (*s) {
		if (kr_str_startswith(s, "$(SRCARCH)")) {
			kr_buf_adds(&b, k->arch);
			s += strlen("$(SRCARCH)");
		} else if (kr_str_startswith(s, "$(ARCH)")) {
			kr_buf_adds(&b, k->env_arch);
			s += strlen("$(ARCH)");
		} else {
			kr_buf_addc(&b, *s++);
		}
	}
	return kr_buf_steal(&b);
}

/* The first quoted string of s, NULL when none; *rest after it. */
static char *quoted(const char *s, const char **rest)
{
	while (isspace((unsigned char)*s))
		s++;
	if (*s != '"' && *s != '\'')
		return NULL;
	char q = *s++;
	const char *start = s;
	while (*s && *s != q) {
		if (*s == '\\' && s[1])
			s++;
		s++;
	}
	char *r = kr_strndup(start, (size_t)(s - start));
	if (*s)
		s++;
	if (rest)
		*rest = s;
	return r;
}

/* The text after an "if" keyword in s, or NULL. */
static const char *if_cond(const char *s)
{
	for (const char *p = s; (p = strstr(p, "if"));) {
		bool start = p == s || isspace((unsigned char)p[-1]);
		bool end = isspace((unsigned char)p[2]);
		if (start && end)
			return p + 3;
		p += 2;
	}
	return NULL;
}

static void parse_file(struct kparse *k, const char *path);

static void entry_attribute(struct kparse *k, const char *kw, const char *rest)
{
	if (k->cur_kind == 'm') {
		if (!strcmp(kw, "depends") && kr_str_startswith(rest, "on "))
			push_cond(k, rest + 3);
		return;
	}
	if (k->cur_kind != 'c')
		return;
	struct kdef *d = &k->syms[k->cur_sym].defs[k->cur_def];
	static const char *const types[] = { "bool", "tristate", "string", "int", "hex",
					     "def_bool", "def_tristate", NULL };
	for (size_t i = 0; types[i]; i++) {
		if (strcmp(kw, types[i]) != 0)
			continue;
		free(d->type);
		d->type = kr_strdup(kw + (kr_str_startswith(kw, "def_") ? 4 : 0));
		if (i < 5) {
			const char *after;
			_cleanup_free_ char *prompt = quoted(rest, &after);
			if (prompt) {
				d->has_prompt = true;
				const char *c = if_cond(after);
				free(d->prompt_cond);
				d->prompt_cond = c ? expand_macros(k, c) : NULL;
			}
		}
		return;
	}
	if (!strcmp(kw, "prompt")) {
		const char *after;
		_cleanup_free_ char *prompt = quoted(rest, &after);
		d->has_prompt = true;
		const char *c = prompt ? if_cond(after) : NULL;
		free(d->prompt_cond);
		d->prompt_cond = c ? expand_macros(k, c) : NULL;
	} else if (!strcmp(kw, "depends") && kr_str_startswith(rest, "on ")) {
		d->conds = kr_realloc(d->conds, (d->n_conds + 1) * sizeof(char *));
		d->conds[d->n_conds++] = expand_macros(k, rest + 3);
	} else if (!strcmp(kw, "range") && !d->range) {
		d->range = kr_strdup(rest);
	} else if (!strcmp(kw, "select")) {
		size_t len = strcspn(rest, " \t");
		const char *selector = k->names.names[k->cur_sym];
		const char *c = if_cond(rest + len);
		struct ksym *target = ksym_get(k, rest, len);
		d = &k->syms[k->cur_sym].defs[k->cur_def]; /* ksym_get may move syms */
		target->selected_by = kr_realloc(target->selected_by,
						 (target->n_selected_by + 1) * sizeof(char *));
		target->selected_by[target->n_selected_by++] =
			c ? kr_asprintf("%s if %s", selector, c) : kr_strdup(selector);
	}
}

static void new_config(struct kparse *k, const char *name)
{
	size_t len = strcspn(name, " \t");
	struct ksym *s = ksym_get(k, name, len);
	k->cur_sym = (size_t)(s - k->syms);
	s->defs = kr_realloc(s->defs, (s->n_defs + 1) * sizeof(*s->defs));
	struct kdef *d = &s->defs[s->n_defs];
	*d = (struct kdef){ 0 };
	d->n_conds = k->n_stack;
	d->conds = kr_calloc(k->n_stack + 1, sizeof(char *));
	for (size_t i = 0; i < k->n_stack; i++)
		d->conds[i] = kr_strdup(k->stack[i]);
	k->cur_def = s->n_defs++;
	k->cur_kind = 'c';
}

static void parse_line(struct kparse *k, const char *file, char *line)
{
	char *kw = kr_strstrip(line);
	if (!*kw || *kw == '#')
		return;
	char *rest = kw + strcspn(kw, " \t");
	if (*rest)
		*rest++ = '\0';
	rest = kr_strstrip(rest);

	if (!strcmp(kw, "config") || !strcmp(kw, "menuconfig")) {
		new_config(k, rest);
	} else if (!strcmp(kw, "menu") || !strcmp(kw, "choice")) {
		open_frame(k);
		k->cur_kind = 'm';
	} else if (!strcmp(kw, "endmenu") || !strcmp(kw, "endchoice") || !strcmp(kw, "endif")) {
		close_frame(k);
		k->cur_kind = 'o';
	} else if (!strcmp(kw, "if")) {
		open_frame(k);
		push_cond(k, rest);
		k->cur_kind = 'o';
	} else if (!strcmp(kw, "comment") || !strcmp(kw, "mainmenu")) {
		k->cur_kind = 'o';
	} else if (!strcmp(kw, "source") || !strcmp(kw, "osource") || !strcmp(kw, "rsource") ||
		   !strcmp(kw, "orsource")) {
		k->cur_kind = 'o';
		_cleanup_free_ char *rel = quoted(rest, NULL);
		if (!rel)
			return;
		_cleanup_free_ char *expanded = expand_macros(k, rel);
		_cleanup_free_ char *dir = kw[0] == 'r' || kw[1] == 'r' ? kr_path_dirname(file) :
									 kr_strdup(k->srctree);
		_cleanup_free_ char *path = kr_path_absolute(dir, expanded);
		parse_file(k, path);
	} else {
		entry_attribute(k, kw, rest);
	}
}

static int indent_of(const char *s)
{
	int col = 0;
	for (; *s == ' ' || *s == '\t'; s++)
		col = *s == '\t' ? (col / 8 + 1) * 8 : col + 1;
	return col;
}

static void parse_file(struct kparse *k, const char *path)
{
	if (k->depth >= MAX_SOURCE_DEPTH || k->n_files >= MAX_SOURCE_FILES)
		return;
	for (int i = 0; i < k->depth; i++)
		if (!strcmp(k->open_files[i], path))
			return;
	_cleanup_free_ char *text = NULL;
	size_t len;
	if (kr_read_file(path, 16 << 20, &text, &len) < 0)
		return; /* osource, or an unexpanded macro: nothing to learn */
	k->n_files++;
	k->open_files[k->depth++] = path;
	bool in_help = false;
	int help_indent = -1;
	struct kr_buf joined = KR_BUF_INIT(SIZE_MAX);
	char *next;
	for (char *line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (in_help) {
			char *s = line;
			while (isspace((unsigned char)*s))
				s++;
			if (!*s)
				continue;
			int ind = indent_of(line);
			if (help_indent < 0)
				help_indent = ind;
			if (ind >= help_indent && ind > 0)
				continue;
			in_help = false;
		}
		size_t l = strlen(line);
		if (l && line[l - 1] == '\\') {
			kr_buf_add(&joined, line, l - 1);
			continue;
		}
		kr_buf_adds(&joined, line);
		char *full = joined.data ? joined.data : line;
		_cleanup_free_ char *copy = kr_strdup(full);
		kr_buf_reset(&joined);
		char *kw = kr_strstrip(copy);
		if (!strcmp(kw, "help") || !strcmp(kw, "---help---")) {
			in_help = true;
			help_indent = -1;
			continue;
		}
		parse_line(k, path, copy);
	}
	kr_buf_free(&joined);
	k->depth--;
}

static void kparse_free(struct kparse *k)
{
	for (size_t i = 0; i < k->names.n; i++) {
		struct ksym *s = &k->syms[i];
		for (size_t d = 0; d < s->n_defs; d++) {
			free(s->defs[d].type);
			free(s->defs[d].prompt_cond);
			free(s->defs[d].range);
			for (size_t c = 0; c < s->defs[d].n_conds; c++)
				free(s->defs[d].conds[c]);
			free(s->defs[d].conds);
		}
		free(s->defs);
		for (size_t c = 0; c < s->n_selected_by; c++)
			free(s->selected_by[c]);
		free(s->selected_by);
	}
	free(k->syms);
	map_free(&k->names);
	while (k->n_stack)
		free(k->stack[--k->n_stack]);
	free(k->stack);
	free(k->frames);
}

/* ----- explaining a mismatch ----- */

static void add_reason(struct kr_buf *b, const char *fmt, ...) KR_PRINTF(2, 3);
static void add_reason(struct kr_buf *b, const char *fmt, ...)
{
	if (b->len)
		kr_buf_adds(b, "; ");
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *s = kr_vasprintf(fmt, ap);
	va_end(ap);
	kr_buf_adds(b, s);
}

/* " (A=y, B=n)" for the symbols an expression used, "" when none. */
static char *syms_text(const struct kr_buf *syms)
{
	return syms->len > 2 ? kr_asprintf(" (%s)", syms->data + 2) : kr_strdup("");
}

/* Conditions of def d below need (2 for y, 1 for m), each as
 * "depends on EXPR (A=y, B=n)". */
static void unmet_conditions(const struct kdef *d, const struct value_map *values, int need,
			     struct kr_buf *out)
{
	for (size_t c = 0; c < d->n_conds; c++) {
		struct kr_buf syms = KR_BUF_INIT(SIZE_MAX);
		int v = expr_eval(values, d->conds[c], &syms);
		if (v >= 0 && v < need) {
			_cleanup_free_ char *used = syms_text(&syms);
			add_reason(out, "depends on %s%s", d->conds[c], used);
		}
		kr_buf_free(&syms);
	}
}

static char *explain(const struct kparse *k, const struct value_map *values, const char *name,
		     const char *requested, const char *actual)
{
	const char *bare = name + strlen("CONFIG_");
	const struct ksym *s = ksym_find(k, bare);
	if (!s || !s->n_defs)
		return kr_asprintf("%s is not a Kconfig symbol of this tree (%s)", bare, k->arch);
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX);
	int req = tristate_of(requested), act = tristate_of(actual);
	bool want_on = strcmp(requested, "n") != 0;
	const char *type = NULL;
	for (size_t i = 0; i < s->n_defs && !type; i++)
		type = s->defs[i].type;

	if (want_on && !strcmp(requested, "m") && type && !strcmp(type, "bool"))
		add_reason(&b, "%s is bool: it cannot be m", bare);
	if (want_on && !strcmp(requested, "m") && tristate_of(map_value(values, "MODULES", 7)) < 2)
		add_reason(&b, "m needs MODULES=y");
	/* Is there a prompt, and can the user see it in this config? */
	bool any_prompt = false, visible = false;
	struct kr_buf hidden = KR_BUF_INIT(SIZE_MAX);
	for (size_t i = 0; i < s->n_defs; i++) {
		const struct kdef *d = &s->defs[i];
		if (!d->has_prompt)
			continue;
		any_prompt = true;
		struct kr_buf syms = KR_BUF_INIT(SIZE_MAX);
		if (!d->prompt_cond || expr_eval(values, d->prompt_cond, &syms) != 0)
			visible = true;
		else {
			_cleanup_free_ char *used = syms_text(&syms);
			add_reason(&hidden, "its prompt is hidden: \"if %s\"%s", d->prompt_cond, used);
		}
		kr_buf_free(&syms);
	}
	bool tristate_value = !strcmp(requested, "y") || !strcmp(requested, "m") || !strcmp(requested, "n");

	if (want_on && tristate_value && (act < req || !strcmp(actual, "n"))) {
		/* Not (fully) on: which dependency held it back? */
		for (size_t i = 0; i < s->n_defs; i++)
			if (s->defs[i].has_prompt)
				unmet_conditions(&s->defs[i], values, req ? req : 2, &b);
	}
	if (!want_on || (act > req && req)) {
		/* On (or more on) than asked: a select forces it. */
		for (size_t i = 0; i < s->n_selected_by; i++) {
			const char *sel = s->selected_by[i];
			size_t len = strcspn(sel, " ");
			const char *v = map_value(values, sel, len);
			if (tristate_of(v) == 0)
				continue;
			const char *cond = kr_str_startswith(sel + len, " if ") ? sel + len + 4 : NULL;
			if (cond && expr_eval(values, cond, NULL) == 0)
				continue;
			add_reason(&b, "selected by %.*s (=%s)", (int)len, sel, v);
		}
	}
	if (!tristate_value) {
		for (size_t i = 0; i < s->n_defs; i++) {
			const struct kdef *d = &s->defs[i];
			if (d->has_prompt)
				unmet_conditions(d, values, 2, &b);
			if (d->range)
				add_reason(&b, "range %s", d->range);
		}
	}
	if (!any_prompt)
		add_reason(&b, "%s has no prompt: only its default or a select sets it", bare);
	else if (!visible)
		add_reason(&b, "%s", hidden.data);
	kr_buf_free(&hidden);
	if (!b.len) {
		kr_buf_free(&b);
		return NULL;
	}
	return kr_buf_steal(&b);
}

static bool same_value(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

size_t kr_kconfig_check(const char *final_config, const struct kr_kconfig_fragment *frag,
			const char *srctree, const char *arch, const char *env_arch,
			struct kr_kbuild_mismatch **out)
{
	*out = NULL;
	struct kr_kbuild_mismatch *m = NULL;
	size_t n = 0;
	for (size_t i = 0; i < frag->n; i++) {
		const char *want = kr_kconfig_fragment_value(frag, i);
		if (!want)
			continue;
		_cleanup_free_ char *have = config_value(final_config, frag->lines[i].name);
		if (same_value(want, have))
			continue;
		m = kr_realloc(m, (n + 1) * sizeof(*m));
		m[n++] = (struct kr_kbuild_mismatch){
			.option = kr_strdup(frag->lines[i].name),
			.requested = kr_strdup(want),
			.actual = KR_TAKE_PTR(have),
		};
	}
	if (!n)
		return 0;

	struct kparse k = { .srctree = srctree, .arch = arch ? arch : "x86",
			    .env_arch = env_arch ? env_arch : "x86", .cur_kind = 'o' };
	struct value_map values = { 0 };
	if (srctree) {
		map_load_config(&values, final_config);
		_cleanup_free_ char *top = kr_path_join(srctree, "Kconfig");
		parse_file(&k, top);
	}
	for (size_t i = 0; i < n; i++) {
		if (srctree && k.names.n)
			m[i].reason = explain(&k, &values, m[i].option, m[i].requested, m[i].actual);
		m[i].message = m[i].reason ?
			kr_asprintf("fragment %s=%s not kept: the config has %s=%s: %s", m[i].option,
				    m[i].requested, m[i].option, m[i].actual, m[i].reason) :
			kr_asprintf("fragment %s=%s not kept: the config has %s=%s", m[i].option,
				    m[i].requested, m[i].option, m[i].actual);
	}
	kparse_free(&k);
	map_free(&values);
	*out = m;
	return n;
}

void kr_kbuild_mismatches_free(struct kr_kbuild_mismatch *m, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(m[i].option);
		free(m[i].requested);
		free(m[i].actual);
		free(m[i].reason);
		free(m[i].message);
	}
	free(m);
}
