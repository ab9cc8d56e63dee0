/* SPDX-License-Identifier: MIT */
#include "json-read.h"

#include <stdint.h>
#include <string.h>

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
