/* SPDX-License-Identifier: MIT */
/* Building and writing JSON documents (results.json, classify --json, ...).
 * A thin layer over jansson so that no other module needs it: strings may
 * hold any bytes (console text): invalid UTF-8 becomes U+FFFD and NUL is
 * kept as \u0000, so the output is always valid JSON. Constructors never
 * fail (out of memory aborts); set/append take ownership of value. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct kr_json;

struct kr_json *kr_json_object(void);
struct kr_json *kr_json_array(void);
struct kr_json *kr_json_string(const char *s); /* NULL gives null */
struct kr_json *kr_json_string_len(const char *s, size_t len);
struct kr_json *kr_json_int(long long v);
struct kr_json *kr_json_real(double v); /* NaN and infinities give null */
struct kr_json *kr_json_bool(bool v);
struct kr_json *kr_json_null(void);
/* An array of strings from a NULL-terminated vector (NULL gives []). */
struct kr_json *kr_json_strv(char *const *v);

/* Keys keep their insertion order in the output. */
void kr_json_set(struct kr_json *object, const char *key, struct kr_json *value);
void kr_json_append(struct kr_json *array, struct kr_json *value);

/* Serialises v (indented when pretty, one line otherwise), ending with a
 * newline. */
char *kr_json_dump(const struct kr_json *v, bool pretty);
/* Writes the pretty form to path atomically. */
int kr_json_write_file(const struct kr_json *v, const char *path);

void kr_json_free(struct kr_json *v);
KR_DEFINE_CLEANUP(struct kr_json, kr_json_free)
#define _cleanup_json_free_ _cleanup_(kr_json_freep)
