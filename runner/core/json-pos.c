/* SPDX-License-Identifier: MIT */
#include "json-pos.h"

#include <string.h>

#include "util.h"

struct entry {
	char *path;
	struct kr_json_pos key;
	struct kr_json_pos value;
};

struct kr_json_pos_index {
	struct entry *entries;
	size_t n, alloc;
};

struct lexer {
	const char *s;
	size_t len, i;
	int line, col;
	int depth;
	struct kr_json_pos_index *idx;
};

#define MAX_DEPTH 512

static void advance(struct lexer *lx)
{
	unsigned char c = (unsigned char)lx->s[lx->i++];
	if (c == '\n') {
		lx->line++;
		lx->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		/* UTF-8 continuation bytes do not start a new column. */
		lx->col++;
	}
}

static int peek(const struct lexer *lx)
{
	return lx->i < lx->len ? (unsigned char)lx->s[lx->i] : -1;
}

static void skip_ws(struct lexer *lx)
{
	for (int c; (c = peek(lx)) == ' ' || c == '\t' || c == '\n' || c == '\r';)
		advance(lx);
}

static struct kr_json_pos here(const struct lexer *lx)
{
	return (struct kr_json_pos){ lx->line, lx->col };
}

static void add(struct kr_json_pos_index *idx, char *path, struct kr_json_pos key,
		struct kr_json_pos value)
{
	if (idx->n == idx->alloc) {
		idx->alloc = idx->alloc ? idx->alloc * 2 : 32;
		idx->entries = kr_realloc(idx->entries, idx->alloc * sizeof(*idx->entries));
	}
	idx->entries[idx->n++] = (struct entry){ path, key, value };
}

static void put_utf8(struct kr_buf *b, unsigned cp)
{
	char out[4];
	size_t n;
	if (cp < 0x80) {
		out[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		out[0] = (char)(0xF0 | (cp >> 18));
		out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	kr_buf_add(b, out, n);
}

static unsigned hex4(struct lexer *lx)
{
	unsigned v = 0;
	for (int k = 0; k < 4; k++) {
		int c = peek(lx);
		if (c < 0)
			return v;
		advance(lx);
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
	}
	return v;
}

/* Reads a string starting at its opening quote; decodes it into out when
 * out is not NULL. */
static void lex_string(struct lexer *lx, struct kr_buf *out)
{
	advance(lx); /* " */
	for (int c; (c = peek(lx)) >= 0;) {
		advance(lx);
		if (c == '"')
			return;
		if (c != '\\') {
			if (out)
				kr_buf_addc(out, (char)c);
			continue;
		}
		int e = peek(lx);
		if (e < 0)
			return;
		advance(lx);
		if (!out)
			continue;
		switch (e) {
		case 'b': kr_buf_addc(out, '\b'); break;
		case 'f': kr_buf_addc(out, '\f'); break;
		case 'n': kr_buf_addc(out, '\n'); break;
		case 'r': kr_buf_addc(out, '\r'); break;
		case 't': kr_buf_addc(out, '\t'); break;
		case 'u': {
			unsigned cp = hex4(lx);
			if (cp >= 0xD800 && cp < 0xDC00 && peek(lx) == '\\') {
				advance(lx);
				if (peek(lx) == 'u') {
					advance(lx);
					unsigned lo = hex4(lx);
					cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				}
			}
			put_utf8(out, cp);
			break;
		}
		default: kr_buf_addc(out, (char)e); break;
		}
	}
}

static void lex_value(struct lexer *lx, const char *path, struct kr_json_pos key);

static void lex_object(struct lexer *lx, const char *path)
{
	advance(lx); /* { */
	for (;;) {
		skip_ws(lx);
		int c = peek(lx);
		if (c == '}') {
			advance(lx);
			return;
		}
		if (c == ',') {
			advance(lx);
			continue;
		}
		if (c != '"')
			return;
		struct kr_json_pos key_pos = here(lx);
		struct kr_buf key = KR_BUF_INIT(1 << 20);
		lex_string(lx, &key);
		skip_ws(lx);
		if (peek(lx) != ':') {
			kr_buf_free(&key);
			return;
		}
		advance(lx);
		_cleanup_free_ char *child = kr_json_path_key(path, key.data ? key.data : "");
		kr_buf_free(&key);
		lex_value(lx, child, key_pos);
	}
}

static void lex_array(struct lexer *lx, const char *path)
{
	advance(lx); /* [ */
	for (size_t n = 0;; n++) {
		skip_ws(lx);
		int c = peek(lx);
		if (c == ']') {
			advance(lx);
			return;
		}
		if (c < 0)
			return;
		_cleanup_free_ char *child = kr_json_path_index(path, n);
		size_t start = lx->i;
		skip_ws(lx);
		lex_value(lx, child, here(lx));
		skip_ws(lx);
		if (peek(lx) == ',')
			advance(lx);
		else if (lx->i == start)
			return; /* "[}" or a NUL byte: nothing here is a value (found by fuzzing) */
	}
}

static void lex_value(struct lexer *lx, const char *path, struct kr_json_pos key)
{
	skip_ws(lx);
	add(lx->idx, kr_strdup(path), key, here(lx));
	int c = peek(lx);
	if (c < 0 || lx->depth >= MAX_DEPTH)
		return;
	lx->depth++;
	if (c == '{') {
		lex_object(lx, path);
	} else if (c == '[') {
		lex_array(lx, path);
	} else if (c == '"') {
		lex_string(lx, NULL);
	} else {
		/* number, true, false, null */
		while ((c = peek(lx)) > 0 && !strchr(",]} \t\r\n", c))
			advance(lx);
	}
	lx->depth--;
}

struct kr_json_pos_index *kr_json_pos_index_new(const char *text, size_t len)
{
	struct kr_json_pos_index *idx = kr_calloc(1, sizeof(*idx));
	struct lexer lx = { .s = text, .len = len, .line = 1, .col = 1, .idx = idx };
	skip_ws(&lx);
	lex_value(&lx, "", here(&lx));
	return idx;
}

void kr_json_pos_index_free(struct kr_json_pos_index *idx)
{
	if (!idx)
		return;
	for (size_t i = 0; i < idx->n; i++)
		free(idx->entries[i].path);
	free(idx->entries);
	free(idx);
}

static const struct entry *lookup(const struct kr_json_pos_index *idx, const char *path)
{
	for (size_t i = 0; idx && i < idx->n; i++)
		if (strcmp(idx->entries[i].path, path) == 0)
			return &idx->entries[i];
	return NULL;
}

struct kr_json_pos kr_json_pos_value(const struct kr_json_pos_index *idx, const char *path)
{
	const struct entry *e = lookup(idx, path);
	return e ? e->value : (struct kr_json_pos){ 1, 1 };
}

struct kr_json_pos kr_json_pos_key(const struct kr_json_pos_index *idx, const char *path)
{
	const struct entry *e = lookup(idx, path);
	return e ? e->key : (struct kr_json_pos){ 1, 1 };
}

char *kr_json_path_key(const char *parent, const char *key)
{
	if (kr_str_in_charset(key, "_-"))
		return kr_asprintf("%s%s%s", parent, *parent ? "." : "", key);
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	kr_buf_printf(&b, "%s[\"", parent);
	for (const char *p = key; *p; p++) {
		if (*p == '"' || *p == '\\')
			kr_buf_addc(&b, '\\');
		kr_buf_addc(&b, *p);
	}
	kr_buf_adds(&b, "\"]");
	return kr_buf_steal(&b);
}

char *kr_json_path_index(const char *parent, size_t index)
{
	return kr_asprintf("%s[%zu]", parent, index);
}
