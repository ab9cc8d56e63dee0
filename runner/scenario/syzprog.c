/* SPDX-License-Identifier: MIT */
/* The options line of repro.syz and its mapping to syz-execprog flags.
 * Option names and defaults follow syzkaller's csource.Options (the JSON
 * form the dashboard writes) and its legacy "#{Threaded:true ...}" form;
 * feature names follow syz-execprog's -enable/-disable list. */
#include "syzprog.h"

#include <jansson.h>
#include <string.h>

/* Programs larger than this are not reproducers. */
#define SYZPROG_MAX_BYTES (16u << 20)

enum opt_type { OPT_BOOL, OPT_INT, OPT_STRING, OPT_OTHER /* null, a number, ... */ };

struct known_option {
	const char *name;
	enum opt_type type;
	const char *feature; /* syz-execprog feature it switches, or NULL */
};

/* csource.Options, by JSON name. Features are listed in syz-execprog's
 * order; their flags are emitted in this order. */
static const struct known_option known_options[] = {
	{ "threaded", OPT_BOOL, NULL },
	{ "collide", OPT_BOOL, NULL },
	{ "repeat", OPT_BOOL, NULL },
	{ "repeat_times", OPT_INT, NULL },
	{ "procs", OPT_INT, NULL },
	{ "slowdown", OPT_INT, NULL },
	{ "sandbox", OPT_STRING, NULL },
	{ "sandbox_arg", OPT_INT, NULL },
	{ "proc_restart_freq", OPT_INT, NULL },
	{ "fault", OPT_BOOL, NULL },
	{ "fault_call", OPT_INT, NULL },
	{ "fault_nth", OPT_INT, NULL },
	{ "leak", OPT_BOOL, NULL },
	{ "tun", OPT_BOOL, "tun" },
	{ "netdev", OPT_BOOL, "net_dev" },
	{ "resetnet", OPT_BOOL, "net_reset" },
	{ "cgroups", OPT_BOOL, "cgroups" },
	{ "binfmt_misc", OPT_BOOL, "binfmt_misc" },
	{ "close_fds", OPT_BOOL, "close_fds" },
	{ "kcsan", OPT_BOOL, NULL },
	{ "devlinkpci", OPT_BOOL, "devlink_pci" },
	{ "nicvf", OPT_BOOL, "nic_vf" },
	{ "usb", OPT_BOOL, "usb" },
	{ "vhci", OPT_BOOL, "vhci" },
	{ "wifi", OPT_BOOL, "wifi" },
	{ "ieee802154", OPT_BOOL, "ieee802154" },
	{ "sysctl", OPT_BOOL, "sysctl" },
	{ "swap", OPT_BOOL, "swap" },
	{ "tmpdir", OPT_BOOL, NULL },
	{ "segv", OPT_BOOL, NULL },
	{ "trace", OPT_BOOL, NULL },
	{ "callcomments", OPT_BOOL, NULL },
	{ "repro", OPT_BOOL, NULL },
};

/* The legacy form's keys and the JSON names they stand for (NULL: read and
 * dropped, as syzkaller does). */
static const struct {
	const char *legacy;
	const char *name;
} legacy_keys[] = {
	{ "Threaded", "threaded" },   { "Collide", "collide" },     { "Repeat", "repeat" },
	{ "Procs", "procs" },         { "Sandbox", "sandbox" },     { "SandboxArg", "sandbox_arg" },
	{ "Fault", "fault" },         { "FaultCall", "fault_call" }, { "FaultNth", "fault_nth" },
	{ "EnableTun", "tun" },       { "UseTmpDir", "tmpdir" },    { "EnableCgroups", "cgroups" },
	{ "HandleSegv", "segv" },     { "WaitRepeat", NULL },       { "Debug", NULL },
	{ "Repro", NULL },
};

static const struct known_option *find_option(const char *name)
{
	for (size_t i = 0; i < KR_ARRAY_SIZE(known_options); i++)
		if (!strcmp(known_options[i].name, name))
			return &known_options[i];
	return NULL;
}

static bool sandbox_ok(const char *s)
{
	static const char *const names[] = { "", "none", "setuid", "namespace", "android" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(names); i++)
		if (!strcmp(s, names[i]))
			return true;
	return false;
}

/* NULL when a value of type have (text s, for a string) fits option name
 * (or kradar does not know the option), else what it should be. */
static const char *option_error(const char *name, enum opt_type have, const char *s)
{
	const struct known_option *o = find_option(name);
	if (!o)
		return NULL;
	if (o->type != have)
		return o->type == OPT_BOOL ? "a boolean" : o->type == OPT_INT ? "an integer" : "a string";
	if (!strcmp(name, "sandbox") && !sandbox_ok(s))
		return "one of \"\", none, setuid, namespace, android";
	return NULL;
}

/* The same for a value of the options line. */
static const char *value_error(const char *name, const json_t *v)
{
	enum opt_type have = json_is_boolean(v) ? OPT_BOOL
			     : json_is_integer(v) ? OPT_INT
			     : json_is_string(v) ? OPT_STRING
			     : OPT_OTHER;
	return option_error(name, have, json_string_value(v));
}

const char *kr_syzprog_option_type_error(const struct kr_setting *opt)
{
	static const enum opt_type types[] = { [KR_VALUE_BOOL] = OPT_BOOL,
					       [KR_VALUE_INT] = OPT_INT,
					       [KR_VALUE_STRING] = OPT_STRING };
	return option_error(opt->key, types[opt->type], opt->s);
}

static json_t *setting_to_json(const struct kr_setting *st)
{
	switch (st->type) {
	case KR_VALUE_BOOL: return json_boolean(st->b);
	case KR_VALUE_INT: return json_integer(st->i);
	case KR_VALUE_STRING: return json_string(st->s);
	}
	return json_null();
}

/* ----- finding and parsing the options line ----- */

struct options_line {
	size_t start;  /* offset of the line */
	size_t brace;  /* offset of its '{' */
	size_t end;    /* offset just past the line's text (before '\n') */
	int line;      /* 1-based */
	bool legacy;
};

/* The options line is the first comment line, among the leading comment
 * lines, whose text after '#' and blanks starts with '{'. */
static bool find_options_line(const char *text, size_t len, struct options_line *out)
{
	size_t pos = 0;
	for (int line = 1; pos < len; line++) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t p = pos;
		while (p < end && (text[p] == ' ' || text[p] == '\t'))
			p++;
		if (p < end && text[p] != '#')
			return false; /* the program has started */
		if (p < end) {
			p++;
			while (p < end && (text[p] == ' ' || text[p] == '\t'))
				p++;
			if (p < end && text[p] == '{') {
				size_t q = p + 1;
				while (q < end && (text[q] == ' ' || text[q] == '\t'))
					q++;
				*out = (struct options_line){ .start = pos, .brace = p, .end = end,
							      .line = line,
							      .legacy = q < end && text[q] != '"' &&
									text[q] != '}' };
				return true;
			}
		}
		pos = end + 1;
	}
	return false;
}

static char *line_error(const char *file, const struct options_line *l, size_t col_offset,
			const char *fmt, ...) KR_PRINTF(4, 5);
static char *line_error(const char *file, const struct options_line *l, size_t col_offset,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	return kr_asprintf("%s:%d:%zu: options line: %s", file, l->line,
			   l->brace - l->start + col_offset + 1, msg);
}

static int parse_json_line(const char *file, const char *text, const struct options_line *l,
			   json_t **out, char **err)
{
	json_error_t jerr;
	json_t *obj = json_loadb(text + l->brace, l->end - l->brace, 0, &jerr);
	if (!obj) {
		*err = line_error(file, l, jerr.column > 0 ? (size_t)jerr.column - 1 : 0, "%s",
				  jerr.text);
		return -EINVAL;
	}
	if (!json_is_object(obj)) {
		json_decref(obj);
		*err = line_error(file, l, 0, "expected a JSON object");
		return -EINVAL;
	}
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		const char *want = value_error(key, v);
		if (want) {
			*err = line_error(file, l, 0, "%s: expected %s", key, want);
			json_decref(obj);
			return -EINVAL;
		}
	}
	*out = obj;
	return 0;
}

static int parse_legacy_value(const char *name, const char *value, json_t **out)
{
	const struct known_option *o = name ? find_option(name) : NULL;
	enum opt_type t = o ? o->type : OPT_BOOL;
	if (t == OPT_STRING) {
		*out = json_string(value);
		return sandbox_ok(value) ? 0 : -EINVAL;
	}
	if (t == OPT_BOOL) {
		if (strcmp(value, "true") && strcmp(value, "false"))
			return -EINVAL;
		*out = json_boolean(!strcmp(value, "true"));
		return 0;
	}
	long n;
	if (kr_parse_long(value, &n) < 0)
		return -EINVAL;
	*out = json_integer(n);
	return 0;
}

/* "#{Threaded:true Collide:true Repeat:true Procs:8 Sandbox:namespace ...}":
 * space-separated Key:Value tokens; "Sandbox:" with nothing after it is the
 * empty sandbox. */
static int parse_legacy_line(const char *file, const char *text, const struct options_line *l,
			     json_t **out, char **err)
{
	const char *close = memrchr(text + l->brace, '}', l->end - l->brace);
	if (!close) {
		*err = line_error(file, l, l->end - l->brace, "no closing '}'");
		return -EINVAL;
	}
	json_t *obj = json_object();
	size_t p = l->brace + 1, stop = (size_t)(close - text);
	while (p < stop) {
		while (p < stop && (text[p] == ' ' || text[p] == '\t'))
			p++;
		if (p >= stop)
			break;
		size_t tok = p;
		while (p < stop && text[p] != ' ' && text[p] != '\t')
			p++;
		_cleanup_free_ char *token = kr_strndup(text + tok, p - tok);
		char *colon = strchr(token, ':');
		size_t col = tok - l->brace;
		if (!colon) {
			*err = line_error(file, l, col, "'%s' is not Key:Value", token);
			json_decref(obj);
			return -EINVAL;
		}
		*colon = '\0';
		const char *value = colon + 1;
		const char *name = NULL;
		bool known = false;
		for (size_t i = 0; i < KR_ARRAY_SIZE(legacy_keys); i++) {
			if (!strcmp(legacy_keys[i].legacy, token)) {
				name = legacy_keys[i].name;
				known = true;
			}
		}
		if (!known) {
			*err = line_error(file, l, col, "unknown option '%s'", token);
			json_decref(obj);
			return -EINVAL;
		}
		json_t *v = NULL;
		if (parse_legacy_value(name, value, &v) < 0) {
			*err = line_error(file, l, col + strlen(token) + 1, "bad value '%s' for %s",
					  value, token);
			json_decref(v);
			json_decref(obj);
			return -EINVAL;
		}
		if (name)
			json_object_set_new(obj, name, v);
		else
			json_decref(v);
	}
	*out = obj;
	return 0;
}

/* ----- effective settings and flags ----- */

static bool get_bool(json_t *obj, const char *key, bool def)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return v && json_is_boolean(v) ? json_is_true(v) : def;
}

static long long get_int(json_t *obj, const char *key, long long def)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	return v && json_is_integer(v) ? json_integer_value(v) : def;
}

static bool feature_known(const char *name)
{
	for (size_t k = 0; k < KR_ARRAY_SIZE(known_options); k++)
		if (known_options[k].feature && !strcmp(known_options[k].feature, name))
			return true;
	return false;
}

/* Features. With a JSON options line, the line says which are on (an
 * absent one is off, close_fds excepted, as in csource) and the flag is
 * -enable=ON,...: an execprog of the reproducer's era knows every name the
 * line has. Without a line, or with a legacy one (older than syz-execprog's
 * feature flags), every feature stays at syz-execprog's default (on) and
 * only what the scenario turns off is passed, as -disable=OFF,.... */
static void feature_flags(struct kr_syzprog *p, json_t *opts, bool line_is_json,
			  const struct kr_scenario *s)
{
	char *const *enable = s ? s->execprog.enable : NULL;
	char *const *disable = s ? s->execprog.disable : NULL;
	struct kr_buf list = KR_BUF_INIT(1 << 16);
	for (size_t i = 0; i < KR_ARRAY_SIZE(known_options); i++) {
		const struct known_option *o = &known_options[i];
		if (!o->feature)
			continue;
		bool on = true;
		if (line_is_json) {
			on = get_bool(opts, o->name, !strcmp(o->name, "close_fds"));
		} else {
			for (size_t k = 0; s && k < s->execprog.n_options; k++)
				if (!strcmp(s->execprog.options[k].key, o->name))
					on = s->execprog.options[k].b;
		}
		if (kr_strv_contains(enable, o->feature))
			on = true;
		if (kr_strv_contains(disable, o->feature))
			on = false;
		if (on == line_is_json)
			kr_buf_printf(&list, "%s%s", list.len ? "," : "", o->feature);
	}
	/* Names kradar does not know go through as given. */
	char *const *extra = line_is_json ? enable : disable;
	for (size_t i = 0; extra && extra[i]; i++)
		if (!feature_known(extra[i]) && !(line_is_json && kr_strv_contains(disable, extra[i])))
			kr_buf_printf(&list, "%s%s", list.len ? "," : "", extra[i]);
	if (line_is_json)
		kr_strv_pushf(&p->flags, "-enable=%s", list.len ? list.data : "");
	else if (list.len)
		kr_strv_pushf(&p->flags, "-disable=%s", list.data);
	kr_buf_free(&list);
}

static void compute_flags(struct kr_syzprog *p, json_t *opts, bool line_is_json,
			  const struct kr_scenario *s)
{
	long long procs = get_int(opts, "procs", 0);
	p->procs = s && s->execprog.procs >= 0 ? s->execprog.procs : procs > 0 ? (int)procs : 1;
	p->threaded = s && s->execprog.threaded >= 0 ? s->execprog.threaded :
						       get_bool(opts, "threaded", false);
	if (s && s->execprog.repeat >= 0)
		p->repeat = s->execprog.repeat;
	else if (get_bool(opts, "repeat", false))
		p->repeat = (long)get_int(opts, "repeat_times", 0); /* 0: forever */
	else
		p->repeat = 1;
	json_t *sb = opts ? json_object_get(opts, "sandbox") : NULL;
	const char *sandbox = sb && json_is_string(sb) ? json_string_value(sb) : "";
	if (s && s->execprog.sandbox)
		sandbox = s->execprog.sandbox;
	p->sandbox = kr_strdup(*sandbox ? sandbox : "none");

	p->flags = kr_calloc(1, sizeof(char *));
	kr_strv_pushf(&p->flags, "-procs=%d", p->procs);
	kr_strv_pushf(&p->flags, "-threaded=%s", p->threaded ? "true" : "false");
	kr_strv_pushf(&p->flags, "-repeat=%ld", p->repeat);
	kr_strv_pushf(&p->flags, "-sandbox=%s", p->sandbox);
	/* Flags that only some syz-execprog versions know are passed only
	 * when the options ask for something other than their default. */
	if (opts && json_object_get(opts, "collide"))
		kr_strv_pushf(&p->flags, "-collide=%s",
			      get_bool(opts, "collide", false) ? "true" : "false");
	long long v;
	if ((v = get_int(opts, "slowdown", 1)) > 1)
		kr_strv_pushf(&p->flags, "-slowdown=%lld", v);
	if ((v = get_int(opts, "sandbox_arg", 0)) != 0)
		kr_strv_pushf(&p->flags, "-sandbox_arg=%lld", v);
	if ((v = get_int(opts, "proc_restart_freq", 0)) > 0)
		kr_strv_pushf(&p->flags, "-restart_freq=%lld", v);
	if (get_bool(opts, "fault", false) && get_int(opts, "fault_call", -1) >= 0) {
		kr_strv_pushf(&p->flags, "-fault_call=%lld", get_int(opts, "fault_call", -1));
		kr_strv_pushf(&p->flags, "-fault_nth=%lld", get_int(opts, "fault_nth", 0));
	}
	feature_flags(p, opts, line_is_json, s);
}

/* ----- the edited program ----- */

static char *dump_options(json_t *opts)
{
	char *s = json_dumps(opts, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!s)
		abort(); /* jansson fails only when out of memory */
	char *copy = kr_strdup(s);
	free(s);
	return copy;
}

/* Where a new options line goes when the file has none: after the leading
 * comment lines, before the first call. */
static size_t after_leading_comments(const char *text, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		size_t p = pos;
		while (p < len && (text[p] == ' ' || text[p] == '\t'))
			p++;
		if (p >= len || text[p] != '#')
			break;
		const char *nl = memchr(text + pos, '\n', len - pos);
		pos = nl ? (size_t)(nl - text) + 1 : len;
	}
	return pos;
}

static void render(struct kr_syzprog *p, const char *text, size_t len, bool has_line,
		   const struct options_line *l, json_t *opts)
{
	_cleanup_free_ char *line = dump_options(opts);
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	if (has_line) {
		kr_buf_add(&b, text, l->brace);
		kr_buf_adds(&b, line);
		kr_buf_add(&b, text + l->end, len - l->end);
	} else {
		size_t at = after_leading_comments(text, len);
		kr_buf_add(&b, text, at);
		if (at > 0 && text[at - 1] != '\n')
			kr_buf_addc(&b, '\n');
		kr_buf_printf(&b, "#%s\n", line);
		kr_buf_add(&b, text + at, len - at);
	}
	p->program_len = b.len;
	p->program = kr_buf_steal(&b);
}

int kr_syzprog_prepare_text(const char *file, const char *text, size_t len,
			    const struct kr_scenario *s, struct kr_syzprog **out, char **err)
{
	*out = NULL;
	*err = NULL;
	struct options_line l = { 0 };
	bool has_line = find_options_line(text, len, &l);
	json_t *opts = NULL;
	if (has_line) {
		int r = l.legacy ? parse_legacy_line(file, text, &l, &opts, err) :
				   parse_json_line(file, text, &l, &opts, err);
		if (r < 0)
			return r;
	}
	json_t *original = opts ? json_deep_copy(opts) : NULL;

	size_t n_over = s ? s->execprog.n_options : 0;
	if (n_over && !opts)
		opts = json_object();
	for (size_t i = 0; i < n_over; i++) {
		const struct kr_setting *st = &s->execprog.options[i];
		const char *want = kr_syzprog_option_type_error(st);
		if (want) {
			*err = kr_asprintf("execprog.options.%s: expected %s", st->key, want);
			json_decref(opts);
			json_decref(original);
			return -EINVAL;
		}
		json_object_set_new(opts, st->key, setting_to_json(st));
	}

	struct kr_syzprog *p = kr_calloc(1, sizeof(*p));
	p->has_options = has_line;
	p->edited = opts && (!original || !json_equal(opts, original));
	if (p->edited) {
		render(p, text, len, has_line, &l, opts);
	} else {
		p->program = kr_strndup(text, len);
		p->program_len = len;
	}
	compute_flags(p, opts, has_line && !l.legacy, s);
	json_decref(opts);
	json_decref(original);
	*out = p;
	return 0;
}

int kr_syzprog_prepare(const struct kr_scenario *s, struct kr_syzprog **out, char **err)
{
	*out = NULL;
	*err = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = kr_read_file(s->repro.file, SYZPROG_MAX_BYTES, &text, &len);
	if (r < 0) {
		*err = kr_asprintf("%s: %s", s->repro.file,
				   r == -EFBIG ? "larger than 16 MiB" : strerror(-r));
		return r;
	}
	return kr_syzprog_prepare_text(s->repro.file, text, len, s, out, err);
}

/* ----- syz-execprog's output ----- */

char *kr_syzprog_output_problem(const char *log, size_t len, int status)
{
	const char *last = NULL;
	size_t last_len = 0;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(log + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - log) : len;
		const char *line = log + pos;
		size_t n = end - pos;
		pos = end + 1;
		while (n && (line[n - 1] == '\r' || line[n - 1] == ' '))
			n--;
		if (!n)
			continue;
		last = line;
		last_len = n;
		static const char parsed0[] = "parsed 0 programs";
		if (n >= strlen(parsed0) && !memcmp(line + n - strlen(parsed0), parsed0,
						     strlen(parsed0)))
			return kr_strdup("syz-execprog could not parse the program: it said \"parsed 0 "
					 "programs\" (it drops, without saying why, a program with "
					 "a call, type or syntax that its syzkaller version does not "
					 "know)");
		const char *fatal = memmem(line, n, "[FATAL] ", 8);
		if (fatal)
			return kr_asprintf("syz-execprog failed: %.*s",
					   (int)(line + n - fatal - 8), fatal + 8);
	}
	if (status <= 0)
		return NULL;
	if (!last)
		return kr_asprintf("syz-execprog exited with status %d", status);
	return kr_asprintf("syz-execprog exited with status %d: %.*s", status, (int)last_len, last);
}

void kr_syzprog_free(struct kr_syzprog *p)
{
	if (!p)
		return;
	free(p->program);
	free(p->sandbox);
	kr_strv_free(p->flags);
	free(p);
}
