/* SPDX-License-Identifier: MIT */
#include "json-writer.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#define J(v) ((json_t *)(v))
#define K(v) ((struct kr_json *)(v))

static struct kr_json *checked(json_t *v)
{
	if (!v) {
		fputs("kradar: out of memory\n", stderr);
		abort();
	}
	return K(v);
}

struct kr_json *kr_json_object(void)
{
	return checked(json_object());
}

struct kr_json *kr_json_array(void)
{
	return checked(json_array());
}

struct kr_json *kr_json_string_len(const char *s, size_t len)
{
	if (!s)
		return kr_json_null();
	/* Fast path: already valid. */
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		size_t n = kr_utf8_seq(u + i, len - i, NULL);
		if (!n)
			break;
		i += n;
	}
	if (i == len)
		return checked(json_stringn(s, len));
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	kr_buf_add(&b, s, i);
	while (i < len) {
		size_t n = kr_utf8_seq(u + i, len - i, NULL);
		if (n) {
			kr_buf_add(&b, s + i, n);
			i += n;
		} else {
			kr_buf_adds(&b, "\xEF\xBF\xBD");
			i++;
		}
	}
	struct kr_json *v = checked(json_stringn(b.data, b.len));
	kr_buf_free(&b);
	return v;
}

struct kr_json *kr_json_string(const char *s)
{
	return s ? kr_json_string_len(s, strlen(s)) : kr_json_null();
}

struct kr_json *kr_json_int(long long v)
{
	return checked(json_integer(v));
}

struct kr_json *kr_json_real(double v)
{
	if (!isfinite(v))
		return kr_json_null();
	return checked(json_real(v));
}

struct kr_json *kr_json_bool(bool v)
{
	return checked(json_boolean(v));
}

struct kr_json *kr_json_null(void)
{
	return checked(json_null());
}

struct kr_json *kr_json_strv(char *const *v)
{
	struct kr_json *a = kr_json_array();
	for (size_t i = 0; v && v[i]; i++)
		kr_json_append(a, kr_json_string(v[i]));
	return a;
}

void kr_json_set(struct kr_json *object, const char *key, struct kr_json *value)
{
	/* Keys come from kradar's own code: always valid UTF-8. */
	if (json_object_set_new(J(object), key, J(value)) < 0)
		abort();
}

void kr_json_append(struct kr_json *array, struct kr_json *value)
{
	if (json_array_append_new(J(array), J(value)) < 0)
		abort();
}

char *kr_json_dump(const struct kr_json *v, bool pretty)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15); /* epoch seconds to the ms */
	flags |= pretty ? JSON_INDENT(2) : JSON_COMPACT;
	char *s = json_dumps(J(v), flags);
	if (!s)
		abort();
	char *out = kr_asprintf("%s\n", s);
	free(s);
	return out;
}

int kr_json_write_file(const struct kr_json *v, const char *path)
{
	_cleanup_free_ char *s = kr_json_dump(v, true);
	return kr_write_file_atomic(path, s, strlen(s), 0644);
}

void kr_json_free(struct kr_json *v)
{
	if (v)
		json_decref(J(v));
}
