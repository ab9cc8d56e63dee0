/* SPDX-License-Identifier: MIT */
#include "json-query.h"

#include <jansson.h>
#include <string.h>

struct kr_json_msg {
	json_t *root;
};

int kr_json_msg_parse(const char *text, size_t len, struct kr_json_msg **out, char **err)
{
	*out = NULL;
	json_error_t e;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &e);
	if (!root) {
		if (err)
			*err = kr_asprintf("invalid JSON at column %d: %s", e.column, e.text);
		return -EINVAL;
	}
	*out = kr_malloc(sizeof(**out));
	(*out)->root = root;
	return 0;
}

/* The value at a dotted path of object keys; NULL when there is none. */
static json_t *lookup(const struct kr_json_msg *m, const char *path)
{
	json_t *v = m->root;
	const char *p = path;
	while (v && *p) {
		size_t n = strcspn(p, ".");
		if (!json_is_object(v))
			return NULL;
		_cleanup_free_ char *key = kr_strndup(p, n);
		v = json_object_get(v, key);
		p += n;
		if (*p == '.')
			p++;
	}
	return v;
}

bool kr_json_msg_has(const struct kr_json_msg *m, const char *path)
{
	return lookup(m, path) != NULL;
}

const char *kr_json_msg_string(const struct kr_json_msg *m, const char *path)
{
	json_t *v = lookup(m, path);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void kr_json_msg_free(struct kr_json_msg *m)
{
	if (!m)
		return;
	json_decref(m->root);
	free(m);
}
