/* SPDX-License-Identifier: MIT */
#include "syzbot.h"

#include <string.h>

#include "json-pos.h"
#include "json-read.h"

struct parser {
	const char *source;
	struct kr_json_pos_index *pos;
	char *err; /* the first problem only: one line for the user */
};

static bool fail_at(struct parser *p, const char *pos_path, const char *path, const char *fmt,
		    ...) KR_PRINTF(4, 5);
static bool fail_at(struct parser *p, const char *pos_path, const char *path, const char *fmt, ...)
{
	if (p->err)
		return false;
	va_list ap;
	va_start(ap, fmt);
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	va_end(ap);
	struct kr_json_pos at = kr_json_pos_value(p->pos, pos_path);
	p->err = kr_asprintf("%s:%d:%d: %s%s%s", p->source, at.line, at.column, path,
			     *path ? ": " : "", msg);
	return false;
}

/* Reads obj.key as a string into *out (NULL when absent or null, which
 * is an error only when required). */
static bool get_string(struct parser *p, json_t *obj, const char *parent, const char *key,
		       bool required, char **out)
{
	*out = NULL;
	_cleanup_free_ char *path = kr_json_path_key(parent, key);
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v)) {
		if (required)
			return fail_at(p, parent, path, "missing");
		return true;
	}
	if (!json_is_string(v))
		return fail_at(p, path, path, "expected a string, got %s", kr_json_type_name(v));
	*out = kr_strndup(json_string_value(v), json_string_length(v));
	return true;
}

/* obj.key as an array (NULL when absent or null). */
static bool get_array(struct parser *p, json_t *obj, const char *parent, const char *key,
		      json_t **out)
{
	*out = NULL;
	json_t *v = json_object_get(obj, key);
	if (!v || json_is_null(v))
		return true;
	if (!json_is_array(v)) {
		_cleanup_free_ char *path = kr_json_path_key(parent, key);
		return fail_at(p, path, path, "expected an array, got %s", kr_json_type_name(v));
	}
	*out = v;
	return true;
}

static bool is_object(struct parser *p, json_t *v, const char *path)
{
	if (json_is_object(v))
		return true;
	return fail_at(p, path, path, "expected an object, got %s", kr_json_type_name(v));
}

static void commit_clear(struct kr_syzbot_commit *c)
{
	free(c->title);
	free(c->hash);
	free(c->link);
	free(c->repo);
	free(c->branch);
}

static bool parse_commit(struct parser *p, json_t *v, const char *path, struct kr_syzbot_commit *c)
{
	if (!is_object(p, v, path))
		return false;
	return get_string(p, v, path, "title", true, &c->title) &&
	       get_string(p, v, path, "hash", false, &c->hash) &&
	       get_string(p, v, path, "link", false, &c->link) &&
	       get_string(p, v, path, "repo", false, &c->repo) &&
	       get_string(p, v, path, "branch", false, &c->branch);
}

static bool parse_asset(struct parser *p, json_t *v, const char *path, struct kr_syzbot_asset *a)
{
	if (!is_object(p, v, path))
		return false;
	return get_string(p, v, path, "type", false, &a->type) &&
	       get_string(p, v, path, "title", false, &a->title) &&
	       get_string(p, v, path, "link", true, &a->link);
}

static bool parse_crash(struct parser *p, json_t *v, const char *path, struct kr_syzbot_crash *c)
{
	if (!is_object(p, v, path))
		return false;
	static const struct {
		const char *key;
		size_t offset;
	} strings[] = {
		{ "syz-reproducer", offsetof(struct kr_syzbot_crash, syz_link) },
		{ "c-reproducer", offsetof(struct kr_syzbot_crash, c_link) },
		{ "kernel-config", offsetof(struct kr_syzbot_crash, config_link) },
		{ "crash-report-link", offsetof(struct kr_syzbot_crash, report_link) },
		{ "crash-log-link", offsetof(struct kr_syzbot_crash, log_link) },
		{ "kernel-source-git", offsetof(struct kr_syzbot_crash, kernel_source_git) },
		{ "kernel-source-commit", offsetof(struct kr_syzbot_crash, kernel_source_commit) },
		{ "syzkaller-git", offsetof(struct kr_syzbot_crash, syzkaller_git) },
		{ "syzkaller-commit", offsetof(struct kr_syzbot_crash, syzkaller_commit) },
		{ "compiler-description", offsetof(struct kr_syzbot_crash, compiler) },
		{ "architecture", offsetof(struct kr_syzbot_crash, architecture) },
	};
	if (!get_string(p, v, path, "title", true, &c->title))
		return false;
	for (size_t i = 0; i < KR_ARRAY_SIZE(strings); i++)
		if (!get_string(p, v, path, strings[i].key, false,
				(char **)((char *)c + strings[i].offset)))
			return false;
	json_t *assets;
	if (!get_array(p, v, path, "assets", &assets))
		return false;
	if (assets) {
		_cleanup_free_ char *apath = kr_json_path_key(path, "assets");
		c->assets = kr_calloc(json_array_size(assets) + 1, sizeof(*c->assets));
		for (size_t i = 0; i < json_array_size(assets); i++) {
			_cleanup_free_ char *ip = kr_json_path_index(apath, i);
			c->n_assets++;
			if (!parse_asset(p, json_array_get(assets, i), ip, &c->assets[i]))
				return false;
		}
	}
	return true;
}

static enum kr_bug_status classify(const char *status_text)
{
	if (!status_text)
		return KR_BUG_OPEN;
	if (kr_str_startswith(status_text, "fixed"))
		return KR_BUG_FIXED;
	if (strstr(status_text, "invalid"))
		return KR_BUG_INVALID;
	if (strstr(status_text, "dup"))
		return KR_BUG_DUP;
	return KR_BUG_OPEN;
}

static bool parse_bug(struct parser *p, json_t *root, struct kr_syzbot_bug *b)
{
	if (!is_object(p, root, ""))
		return false;
	json_t *version = json_object_get(root, "version");
	if (!version)
		return fail_at(p, "", "version", "missing");
	if (!json_is_integer(version))
		return fail_at(p, "version", "version", "expected an integer, got %s",
			       kr_json_type_name(version));
	b->version = json_integer_value(version);
	if (b->version != 1)
		return fail_at(p, "version", "version", "%lld is not a version kradar reads (1)",
			       b->version);
	if (!get_string(p, root, "", "title", true, &b->title) ||
	    !get_string(p, root, "", "id", false, &b->id) ||
	    !get_string(p, root, "", "status", false, &b->status_text))
		return false;
	b->status = classify(b->status_text);

	json_t *fixes, *discussions, *crashes;
	if (!get_array(p, root, "", "fix-commits", &fixes) ||
	    !get_array(p, root, "", "discussions", &discussions) ||
	    !get_array(p, root, "", "crashes", &crashes))
		return false;
	b->fix_commits = kr_calloc(json_array_size(fixes) + 1, sizeof(*b->fix_commits));
	for (size_t i = 0; i < json_array_size(fixes); i++) {
		_cleanup_free_ char *ip = kr_json_path_index("fix-commits", i);
		b->n_fix_commits++;
		if (!parse_commit(p, json_array_get(fixes, i), ip, &b->fix_commits[i]))
			return false;
	}
	json_t *cause = json_object_get(root, "cause-commit");
	if (cause && !json_is_null(cause)) {
		b->cause_commit = kr_calloc(1, sizeof(*b->cause_commit));
		if (!parse_commit(p, cause, "cause-commit", b->cause_commit))
			return false;
	}
	for (size_t i = 0; i < json_array_size(discussions); i++) {
		json_t *d = json_array_get(discussions, i);
		_cleanup_free_ char *ip = kr_json_path_index("discussions", i);
		if (!json_is_string(d))
			return fail_at(p, ip, ip, "expected a string, got %s", kr_json_type_name(d));
		kr_strv_push(&b->discussions, kr_strdup(json_string_value(d)));
	}
	if (!crashes || json_array_size(crashes) == 0)
		return fail_at(p, "", "crashes", "the bug has no crashes");
	b->crashes = kr_calloc(json_array_size(crashes), sizeof(*b->crashes));
	for (size_t i = 0; i < json_array_size(crashes); i++) {
		_cleanup_free_ char *ip = kr_json_path_index("crashes", i);
		b->n_crashes++;
		if (!parse_crash(p, json_array_get(crashes, i), ip, &b->crashes[i]))
			return false;
	}
	return true;
}

int kr_syzbot_parse(const char *source, const char *text, size_t len, struct kr_syzbot_bug **out,
		    char **err)
{
	*out = NULL;
	*err = NULL;
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		*err = kr_asprintf("%s:%d:%d: not valid JSON: %s", source, jerr.line > 0 ? jerr.line : 1,
				   jerr.column > 0 ? jerr.column : 1, jerr.text);
		return -EINVAL;
	}
	struct parser p = { .source = source, .pos = kr_json_pos_index_new(text, len) };
	struct kr_syzbot_bug *b = kr_calloc(1, sizeof(*b));
	b->discussions = kr_calloc(1, sizeof(char *));
	bool ok = parse_bug(&p, root, b);
	json_decref(root);
	kr_json_pos_index_free(p.pos);
	if (!ok) {
		kr_syzbot_bug_free(b);
		*err = p.err;
		return -EINVAL;
	}
	*out = b;
	return 0;
}

void kr_syzbot_bug_free(struct kr_syzbot_bug *b)
{
	if (!b)
		return;
	free(b->title);
	free(b->id);
	free(b->status_text);
	for (size_t i = 0; i < b->n_fix_commits; i++)
		commit_clear(&b->fix_commits[i]);
	free(b->fix_commits);
	if (b->cause_commit)
		commit_clear(b->cause_commit);
	free(b->cause_commit);
	kr_strv_free(b->discussions);
	for (size_t i = 0; i < b->n_crashes; i++) {
		struct kr_syzbot_crash *c = &b->crashes[i];
		char **strings[] = { &c->title,
				     &c->syz_link,
				     &c->c_link,
				     &c->config_link,
				     &c->report_link,
				     &c->log_link,
				     &c->kernel_source_git,
				     &c->kernel_source_commit,
				     &c->syzkaller_git,
				     &c->syzkaller_commit,
				     &c->compiler,
				     &c->architecture };
		for (size_t k = 0; k < KR_ARRAY_SIZE(strings); k++)
			free(*strings[k]);
		for (size_t k = 0; k < c->n_assets; k++) {
			free(c->assets[k].type);
			free(c->assets[k].title);
			free(c->assets[k].link);
		}
		free(c->assets);
	}
	free(b->crashes);
	free(b);
}

bool kr_syzbot_is_extid(const char *s, size_t len)
{
	if (len != 20)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int kr_syzbot_best_crash(const struct kr_syzbot_bug *b)
{
	for (size_t i = 0; i < b->n_crashes; i++)
		if (b->crashes[i].syz_link || b->crashes[i].c_link)
			return (int)i;
	return -1;
}

const char *kr_bug_status_to_string(enum kr_bug_status s)
{
	switch (s) {
	case KR_BUG_OPEN: return "open";
	case KR_BUG_FIXED: return "fixed";
	case KR_BUG_INVALID: return "invalid";
	case KR_BUG_DUP: return "dup";
	}
	return "open";
}

/* "commit 0123456789ab ("title")", or "commit "title"" before syzbot
 * has seen the commit land. */
static char *commit_words(const struct kr_syzbot_commit *c)
{
	if (c->hash && *c->hash)
		return kr_asprintf("commit %.12s (\"%s\")", c->hash, c->title);
	return kr_asprintf("commit \"%s\"", c->title);
}

char *kr_syzbot_status_line(const struct kr_syzbot_bug *b)
{
	_cleanup_free_ char *first = b->n_fix_commits ? commit_words(&b->fix_commits[0]) : NULL;
	_cleanup_free_ char *more = b->n_fix_commits > 1 ?
					    kr_asprintf(" and %zu more", b->n_fix_commits - 1) :
					    kr_strdup("");
	switch (b->status) {
	case KR_BUG_FIXED:
		if (first)
			return b->status_text ? kr_asprintf("fixed by %s%s -- %s", first, more,
							    b->status_text) :
						kr_asprintf("fixed by %s%s", first, more);
		return kr_asprintf("fixed (%s)", b->status_text);
	case KR_BUG_INVALID:
		return kr_asprintf("invalid (%s)", b->status_text);
	case KR_BUG_DUP:
		return kr_asprintf("duplicate (%s)", b->status_text);
	case KR_BUG_OPEN:
		break;
	}
	_cleanup_free_ char *words = b->status_text ? kr_asprintf(" (%s)", b->status_text) :
						      kr_strdup("");
	if (first)
		return kr_asprintf("open%s; fix pending: %s%s", words, first, more);
	return kr_asprintf("open%s", words);
}
