/* SPDX-License-Identifier: MIT */
/* A v0 symbol: "_R" [version] path [instantiating crate] [vendor suffix].
 * Paths: C crate, N namespace path name, M (inherent impl) impl-path type,
 * X (trait impl) impl-path type trait, Y type trait, I path args E, and B
 * backrefs to an earlier position. Written from the RFC's grammar. */
#include "rust-demangle.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 64

struct dm {
	const char *s;
	size_t len, pos, base; /* base: where backrefs count from */
	struct kr_buf out;
	int quiet;             /* > 0: parse without printing */
	int depth;
	bool err;
};

static char peek(const struct dm *d)
{
	return d->pos < d->len ? d->s[d->pos] : '\0';
}

static char next(struct dm *d)
{
	if (d->pos >= d->len) {
		d->err = true;
		return '\0';
	}
	return d->s[d->pos++];
}

static bool eat(struct dm *d, char c)
{
	if (peek(d) != c || !c)
		return false;
	d->pos++;
	return true;
}

static void put(struct dm *d, const char *s, size_t n)
{
	if (!d->quiet && !d->err)
		kr_buf_add(&d->out, s, n);
}

static void puts_(struct dm *d, const char *s)
{
	put(d, s, strlen(s));
}

/* "_" is 0; otherwise base-62 digits, plus one, ended by "_". */
static uint64_t base62(struct dm *d)
{
	if (eat(d, '_'))
		return 0;
	uint64_t v = 0;
	for (;;) {
		char c = next(d);
		unsigned digit;
		if (c == '_')
			break;
		if (c >= '0' && c <= '9')
			digit = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'z')
			digit = 10 + (unsigned)(c - 'a');
		else if (c >= 'A' && c <= 'Z')
			digit = 36 + (unsigned)(c - 'A');
		else {
			d->err = true;
			return 0;
		}
		if (v > (UINT64_MAX - digit) / 62) {
			d->err = true;
			return 0;
		}
		v = v * 62 + digit;
	}
	return v + 1;
}

static uint64_t opt_disambiguator(struct dm *d)
{
	return eat(d, 's') ? base62(d) + 1 : 0;
}

static size_t decimal(struct dm *d)
{
	if (peek(d) < '0' || peek(d) > '9') {
		d->err = true;
		return 0;
	}
	if (eat(d, '0'))
		return 0;
	size_t v = 0;
	while (peek(d) >= '0' && peek(d) <= '9') {
		v = v * 10 + (size_t)(next(d) - '0');
		if (v > d->len) {
			d->err = true;
			return 0;
		}
	}
	return v;
}

struct ident {
	const char *name;
	size_t len;
	uint64_t dis;
	bool punycode;
};

static struct ident identifier(struct dm *d)
{
	struct ident id = { 0 };
	id.dis = opt_disambiguator(d);
	id.punycode = eat(d, 'u');
	size_t n = decimal(d);
	eat(d, '_');
	if (d->err || n > d->len - d->pos) {
		d->err = true;
		return id;
	}
	id.name = d->s + d->pos;
	id.len = n;
	d->pos += n;
	return id;
}

static void path(struct dm *d, bool in_value);
static void type(struct dm *d);

/* Runs f at the position a backref points to, then comes back. */
static bool backref(struct dm *d, void (*f)(struct dm *, bool), bool arg)
{
	size_t at = d->pos - 1;
	uint64_t target = base62(d);
	if (d->err || target >= at - d->base) {
		d->err = true;
		return false;
	}
	size_t saved = d->pos;
	d->pos = d->base + (size_t)target;
	f(d, arg);
	d->pos = saved;
	return !d->err;
}

static void type_thunk(struct dm *d, bool unused)
{
	(void)unused;
	type(d);
}

static void lifetime(struct dm *d)
{
	uint64_t n = base62(d);
	puts_(d, n ? "'_" : "'static");
}

static void generic_arg(struct dm *d);

static void const_value(struct dm *d, bool unused)
{
	(void)unused;
	if (eat(d, 'p')) {
		puts_(d, "_");
		return;
	}
	if (eat(d, 'B')) {
		backref(d, const_value, false);
		return;
	}
	char t = next(d);
	bool neg = eat(d, 'n');
	uint64_t v = 0;
	for (char c; (c = next(d)) != '_' && !d->err;) {
		unsigned digit = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
				 c >= 'a' && c <= 'f' ? 10 + (unsigned)(c - 'a') :
							256;
		if (digit > 15 || v >> 60) {
			d->err = true;
			return;
		}
		v = v * 16 + digit;
	}
	char num[32];
	if (t == 'b')
		snprintf(num, sizeof(num), "%s", v ? "true" : "false");
	else
		snprintf(num, sizeof(num), "%s%llu", neg ? "-" : "", (unsigned long long)v);
	puts_(d, num);
}

static void generic_args(struct dm *d)
{
	puts_(d, "<");
	for (int i = 0; !eat(d, 'E') && !d->err; i++) {
		if (i)
			puts_(d, ", ");
		generic_arg(d);
	}
	puts_(d, ">");
}

static void generic_arg(struct dm *d)
{
	if (eat(d, 'L'))
		lifetime(d);
	else if (eat(d, 'K'))
		const_value(d, false);
	else
		type(d);
}

static void binder(struct dm *d)
{
	if (eat(d, 'G'))
		base62(d);
}

static void dyn_bounds(struct dm *d)
{
	binder(d);
	puts_(d, "dyn ");
	for (int i = 0; !eat(d, 'E') && !d->err; i++) {
		if (i)
			puts_(d, " + ");
		path(d, false);
		/* associated type bindings: p name type */
		bool open = false;
		while (eat(d, 'p') && !d->err) {
			puts_(d, open ? ", " : "<");
			open = true;
			struct ident id = identifier(d);
			put(d, id.name, id.len);
			puts_(d, " = ");
			type(d);
		}
		if (open)
			puts_(d, ">");
	}
	if (eat(d, 'L'))
		base62(d);
	else
		d->err = true;
}

static void fn_sig(struct dm *d)
{
	binder(d);
	if (eat(d, 'U'))
		puts_(d, "unsafe ");
	if (eat(d, 'K')) {
		if (eat(d, 'C')) {
			puts_(d, "extern \"C\" ");
		} else {
			struct ident id = identifier(d);
			puts_(d, "extern \"");
			put(d, id.name, id.len);
			puts_(d, "\" ");
		}
	}
	puts_(d, "fn(");
	for (int i = 0; !eat(d, 'E') && !d->err; i++) {
		if (i)
			puts_(d, ", ");
		type(d);
	}
	puts_(d, ")");
	if (eat(d, 'u'))
		return;
	puts_(d, " -> ");
	type(d);
}

static const char *basic_type(char c)
{
	switch (c) {
	case 'a': return "i8";
	case 'b': return "bool";
	case 'c': return "char";
	case 'd': return "f64";
	case 'e': return "str";
	case 'f': return "f32";
	case 'h': return "u8";
	case 'i': return "isize";
	case 'j': return "usize";
	case 'l': return "i32";
	case 'm': return "u32";
	case 'n': return "i128";
	case 'o': return "u128";
	case 's': return "i16";
	case 't': return "u16";
	case 'u': return "()";
	case 'v': return "...";
	case 'x': return "i64";
	case 'y': return "u64";
	case 'z': return "!";
	case 'p': return "_";
	default: return NULL;
	}
}

static void type(struct dm *d)
{
	if (++d->depth > MAX_DEPTH) {
		d->err = true;
		return;
	}
	char c = peek(d);
	const char *basic = basic_type(c);
	if (basic) {
		d->pos++;
		puts_(d, basic);
	} else if (eat(d, 'A')) {
		puts_(d, "[");
		type(d);
		puts_(d, "; ");
		const_value(d, false);
		puts_(d, "]");
	} else if (eat(d, 'S')) {
		puts_(d, "[");
		type(d);
		puts_(d, "]");
	} else if (eat(d, 'T')) {
		puts_(d, "(");
		int i = 0;
		for (; !eat(d, 'E') && !d->err; i++) {
			if (i)
				puts_(d, ", ");
			type(d);
		}
		puts_(d, i == 1 ? ",)" : ")");
	} else if (eat(d, 'R') || eat(d, 'Q')) {
		bool mut = d->s[d->pos - 1] == 'Q';
		puts_(d, "&");
		if (eat(d, 'L')) {
			lifetime(d);
			puts_(d, " ");
		}
		if (mut)
			puts_(d, "mut ");
		type(d);
	} else if (eat(d, 'P')) {
		puts_(d, "*const ");
		type(d);
	} else if (eat(d, 'O')) {
		puts_(d, "*mut ");
		type(d);
	} else if (eat(d, 'F')) {
		fn_sig(d);
	} else if (eat(d, 'D')) {
		dyn_bounds(d);
	} else if (eat(d, 'B')) {
		backref(d, type_thunk, false);
	} else {
		path(d, false);
	}
	d->depth--;
}

static void path(struct dm *d, bool in_value)
{
	if (++d->depth > MAX_DEPTH) {
		d->err = true;
		return;
	}
	char c = next(d);
	switch (c) {
	case 'C': {
		struct ident id = identifier(d);
		put(d, id.name, id.len);
		break;
	}
	case 'M':
	case 'X':
		opt_disambiguator(d);
		d->quiet++;
		path(d, false); /* the impl's own path is not printed */
		d->quiet--;
		puts_(d, "<");
		type(d);
		if (c == 'X') {
			puts_(d, " as ");
			path(d, false);
		}
		puts_(d, ">");
		break;
	case 'Y':
		puts_(d, "<");
		type(d);
		puts_(d, " as ");
		path(d, false);
		puts_(d, ">");
		break;
	case 'N': {
		char ns = next(d);
		if (!((ns >= 'a' && ns <= 'z') || (ns >= 'A' && ns <= 'Z'))) {
			d->err = true;
			break;
		}
		path(d, in_value);
		struct ident id = identifier(d);
		if (ns >= 'A' && ns <= 'Z') {
			/* closures, shims: {closure#0}, {shim:vtable#0} */
			char dis[32];
			puts_(d, "::{");
			puts_(d, ns == 'C' ? "closure" : ns == 'S' ? "shim" : (char[]){ ns, '\0' });
			if (id.len) {
				puts_(d, ":");
				put(d, id.name, id.len);
			}
			snprintf(dis, sizeof(dis), "#%llu}", (unsigned long long)id.dis);
			puts_(d, dis);
		} else if (id.len) {
			puts_(d, "::");
			put(d, id.name, id.len);
		}
		break;
	}
	case 'I':
		path(d, in_value);
		if (in_value)
			puts_(d, "::");
		generic_args(d);
		break;
	case 'B':
		backref(d, path, in_value);
		break;
	default:
		d->err = true;
	}
	d->depth--;
}

char *kr_rust_demangle(const char *sym, size_t len)
{
	if (len < 3 || sym[0] != '_' || sym[1] != 'R')
		return NULL;
	struct dm d = { .s = sym, .len = len, .pos = 2 };
	d.out = KR_BUF_INIT(4096);
	/* an optional encoding version */
	if (peek(&d) >= '0' && peek(&d) <= '9')
		decimal(&d);
	d.base = d.pos;
	path(&d, true);
	/* an instantiating crate may follow; a vendor suffix starts with . or $ */
	if (!d.err && d.pos < len && peek(&d) != '.' && peek(&d) != '$') {
		d.quiet++;
		path(&d, false);
	}
	if (d.err || (d.pos < len && sym[d.pos] != '.' && sym[d.pos] != '$')) {
		kr_buf_free(&d.out);
		return NULL;
	}
	return kr_buf_steal(&d.out);
}
