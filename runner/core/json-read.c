/* SPDX-License-Identifier: MIT */
#include "json-read.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

const char *kr_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	size_t row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

void kr_json_check_keys(json_t *obj, const char *const *allowed,
			void (*unknown)(void *userdata, const char *key, const char *closest),
			void *userdata)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		if (kr_str_startswith(key, "x-"))
			continue;
		bool known = false;
		const char *closest = NULL;
		size_t best = SIZE_MAX;
		for (const char *const *a = allowed; *a && !known; a++) {
			known = !strcmp(key, *a);
			size_t d = edit_distance(key, *a);
			if (d < best) {
				best = d;
				closest = *a;
			}
		}
		if (!known)
			unknown(userdata, key, best <= 2 ? closest : NULL);
	}
}

json_t *kr_json_reader_parse(struct kr_json_reader *rd, const char *file, const char *dir,
			     const char *text, size_t len, struct kr_diags *diags)
{
	*rd = (struct kr_json_reader){ .file = file, .dir = dir, .diags = diags };
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		kr_diags_add(diags, file, jerr.line > 0 ? jerr.line : 1,
			     jerr.column > 0 ? jerr.column : 1, "", "invalid JSON: %s", jerr.text);
		rd->errors++;
		return NULL;
	}
	rd->pos = kr_json_pos_index_new(text, len);
	return root;
}

void kr_json_reader_clear(struct kr_json_reader *rd)
{
	kr_json_pos_index_free(rd->pos);
	rd->pos = NULL;
}

static void vreport(struct kr_json_reader *rd, struct kr_json_pos at, const char *path,
		    const char *fmt, va_list ap) KR_PRINTF(4, 0);
static void vreport(struct kr_json_reader *rd, struct kr_json_pos at, const char *path,
		    const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = kr_vasprintf(fmt, ap);
	kr_diags_add(rd->diags, rd->file, at.line, at.column, path, "%s", msg);
	rd->errors++;
}

void kr_json_report(struct kr_json_reader *rd, struct kr_json_pos at, const char *path,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport(rd, at, path, fmt, ap);
	va_end(ap);
}

void kr_json_report_field(struct kr_json_reader *rd, const char *path, bool at_key,
			  const char *fmt, ...)
{
	struct kr_json_pos at = at_key ? kr_json_pos_key(rd->pos, path) :
					 kr_json_pos_value(rd->pos, path);
	va_list ap;
	va_start(ap, fmt);
	vreport(rd, at, path, fmt, ap);
	va_end(ap);
}

struct unknown_ctx {
	struct kr_json_reader *rd;
	const char *path;
};

static void unknown_key(void *userdata, const char *key, const char *closest)
{
	struct unknown_ctx *u = userdata;
	_cleanup_free_ char *p = kr_json_path_key(u->path, key);
	if (closest)
		kr_json_report_field(u->rd, p, true, "unknown field (did you mean \"%s\"?)", closest);
	else
		kr_json_report_field(u->rd, p, true, "unknown field");
}

void kr_json_reader_check_keys(struct kr_json_reader *rd, json_t *obj, const char *path,
			       const char *const *allowed)
{
	struct unknown_ctx u = { rd, path };
	kr_json_check_keys(obj, allowed, unknown_key, &u);
}

int kr_json_reader_expand(struct kr_json_reader *rd, const char *path, const char *in,
			  char **out)
{
	_cleanup_free_ char *missing = NULL;
	int r = kr_expand_env(in, out, &missing);
	if (r == -ENOENT) {
		kr_json_report_field(rd, path, false, "environment variable %s is not set", missing);
		return -1;
	}
	if (r < 0) {
		kr_json_report_field(rd, path, false, "unterminated ${ in \"%s\"", in);
		return -1;
	}
	return 1;
}

int kr_json_reader_string(struct kr_json_reader *rd, const char *path, json_t *v, char **out)
{
	if (!json_is_string(v)) {
		kr_json_report_field(rd, path, false, "expected a string, got %s",
				     kr_json_type_name(v));
		return -1;
	}
	return kr_json_reader_expand(rd, path, json_string_value(v), out);
}

int kr_json_reader_path(struct kr_json_reader *rd, const char *path, const char *value,
			enum kr_json_path_kind kind, bool allow_url, char **out)
{
	if (allow_url && kr_path_is_url(value)) {
		*out = kr_strdup(value);
		return 1;
	}
	if (!*value) {
		kr_json_report_field(rd, path, false, "empty path");
		return -1;
	}
	_cleanup_free_ char *abs = kr_path_absolute(rd->dir, value);
	struct stat st;
	if (stat(abs, &st) < 0) {
		kr_json_report_field(rd, path, false, "%s: %s", abs, strerror(errno));
		return -1;
	}
	if (kind == KR_JSON_PATH_FILE && S_ISDIR(st.st_mode)) {
		kr_json_report_field(rd, path, false, "%s: is a directory, expected a file", abs);
		return -1;
	}
	if (kind == KR_JSON_PATH_DIR && !S_ISDIR(st.st_mode)) {
		kr_json_report_field(rd, path, false, "%s: not a directory", abs);
		return -1;
	}
	*out = KR_TAKE_PTR(abs);
	return 1;
}
