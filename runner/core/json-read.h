/* SPDX-License-Identifier: MIT */
/* Small helpers shared by the modules that read JSON with jansson (the
 * scenario and matrix loaders, results.json, the repro.syz options line,
 * the syzbot dashboard's answers), so that their messages read alike. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "diag.h"
#include "json-pos.h"

/* "a string", "an integer", "a boolean", ... for "expected X, got Y". */
const char *kr_json_type_name(const json_t *v);

/* Calls unknown(userdata, key, closest) for every key of obj that is not
 * in allowed (NULL-terminated) and does not start with "x-" (keys for the
 * user's own notes); closest is the allowed key within edit distance 2
 * ("did you mean"), or NULL. */
void kr_json_check_keys(json_t *obj, const char *const *allowed,
			void (*unknown)(void *userdata, const char *key, const char *closest),
			void *userdata);

/* ----- reading a user's input file field by field ----- */

/* A user's JSON input file (a scenario, a matrix) being read: each
 * problem goes to diags as "FILE:LINE:COL: field.path: message", at the
 * position of the value (or key) it is about, so that all of them are
 * reported at once. */
struct kr_json_reader {
	const char *file; /* as the user named it */
	const char *dir;  /* base of relative paths */
	struct kr_json_pos_index *pos;
	struct kr_diags *diags;
	size_t errors; /* problems reported so far */
};

/* Parses text, file's content (duplicate keys are an error), and makes rd
 * ready for the calls below until kr_json_reader_clear(). A syntax error
 * is reported ("invalid JSON: ...", at its position) and gives NULL. */
json_t *kr_json_reader_parse(struct kr_json_reader *rd, const char *file, const char *dir,
			     const char *text, size_t len, struct kr_diags *diags);
void kr_json_reader_clear(struct kr_json_reader *rd);

/* A problem with the field path, reported at at. */
void kr_json_report(struct kr_json_reader *rd, struct kr_json_pos at, const char *path,
		    const char *fmt, ...) KR_PRINTF(4, 5);
/* The same at the field's value, or at its key when at_key. */
void kr_json_report_field(struct kr_json_reader *rd, const char *path, bool at_key,
			  const char *fmt, ...) KR_PRINTF(4, 5);

/* Reports every key of obj (at path) that kr_json_check_keys() finds
 * unknown: "unknown field", with "(did you mean ...?)" when one is close. */
void kr_json_reader_check_keys(struct kr_json_reader *rd, json_t *obj, const char *path,
			       const char *const *allowed);

/* in with ${VAR} expanded (kr_expand_env) into *out: 1, or -1 when a
 * variable is not set or a ${ is not closed (reported at path's value). */
int kr_json_reader_expand(struct kr_json_reader *rd, const char *path, const char *in,
			  char **out);
/* The same for v, which must be a string ("expected a string, got ..."). */
int kr_json_reader_string(struct kr_json_reader *rd, const char *path, json_t *v, char **out);

enum kr_json_path_kind {
	KR_JSON_PATH_ANY,
	KR_JSON_PATH_FILE,
	KR_JSON_PATH_DIR,
};
/* value, the text of the path field path, made absolute against rd->dir
 * into *out: 1 when it exists (and is of kind), else -1 (reported). A URL
 * is taken as it is when allow_url. */
int kr_json_reader_path(struct kr_json_reader *rd, const char *path, const char *value,
			enum kr_json_path_kind kind, bool allow_url, char **out);
