/* SPDX-License-Identifier: MIT */
/* Title normalisation as syzbot does it (kr_crash_normalize_title(),
 * crashtitle.h). */
#include <ctype.h>
#include <string.h>

#include "crashtitle.h"

#define TITLE_MAX 120

static bool is_word(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t digits(const char *p)
{
	size_t n = 0;
	while (isdigit((unsigned char)p[n]))
		n++;
	return n;
}

static bool strpbrk_n(const char *p, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(set, p[i]))
			return true;
	return false;
}

static size_t hexdigits(const char *p)
{
	size_t n = 0;
	while (isxdigit((unsigned char)p[n]))
		n++;
	return n;
}

/* "10.1.2.3" at p: its length, or 0 */
static size_t ipv4(const char *p)
{
	size_t len = 0;
	for (int part = 0; part < 4; part++) {
		size_t d = digits(p + len);
		if (d == 0 || d > 3)
			return 0;
		len += d;
		if (part < 3) {
			if (p[len] != '.')
				return 0;
			len++;
		}
	}
	return isdigit((unsigned char)p[len]) || p[len] == '.' ? 0 : len;
}

char *kr_crash_normalize_title(const char *in)
{
	/* printable ASCII only, whitespace folded */
	struct kr_buf clean = KR_BUF_INIT(1 << 20);
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		if (*p == '\t' || *p == '\n' || *p == '\r' || *p == ' ')
			kr_buf_addc(&clean, ' ');
		else if (*p >= 0x20 && *p < 0x7f)
			kr_buf_addc(&clean, (char)*p);
	}
	_cleanup_free_ char *s = kr_buf_steal(&clean);

	struct kr_buf b = KR_BUF_INIT(1 << 20);
	for (const char *p = s; *p;) {
		char prev = b.len ? b.data[b.len - 1] : ' ';
		size_t n;
		/* +0x12/0x34 */
		if (p[0] == '+' && p[1] == '0' && p[2] == 'x' && (n = hexdigits(p + 3)) > 0) {
			const char *q = p + 3 + n;
			if (q[0] == '/' && q[1] == '0' && q[2] == 'x' && hexdigits(q + 3))
				q += 3 + hexdigits(q + 3);
			p = q;
			continue;
		}
		/* syz-executor.3:1234, syz-executor123 */
		if (strncmp(p, "syz-executor", 12) == 0) {
			kr_buf_adds(&b, "syz-executor");
			p += 12;
			while (*p && (isdigit((unsigned char)*p) || *p == '.' || *p == ':'))
				p++;
			continue;
		}
		/* source positions: file.c:123[:45] */
		if (*p == ':' && b.len >= 2 && isdigit((unsigned char)p[1]) &&
		    (prev == 'c' || prev == 'h' || prev == 'S' || prev == 's') &&
		    b.data[b.len - 2] == '.') {
			kr_buf_adds(&b, ":LINE");
			p += 1 + digits(p + 1);
			if (*p == ':' && isdigit((unsigned char)p[1]))
				p += 1 + digits(p + 1);
			continue;
		}
		if (!is_word(prev) && (n = ipv4(p)) > 0) {
			kr_buf_adds(&b, "IP");
			p += n;
			continue;
		}
		/* CPU#1 */
		if (strncmp(p, "CPU#", 4) == 0 && isdigit((unsigned char)p[4])) {
			kr_buf_adds(&b, "CPU");
			p += 4 + digits(p + 4);
			continue;
		}
		/* addresses: 0xffff..., ffff888012345678 */
		if (!is_word(prev) && p[0] == '0' && p[1] == 'x' && (n = hexdigits(p + 2)) > 0 &&
		    !is_word(p[2 + n])) {
			kr_buf_adds(&b, "ADDR");
			p += 2 + n;
			continue;
		}
		if (!is_word(prev) && (n = hexdigits(p)) >= 8 && !is_word(p[n]) && digits(p) != n &&
		    strpbrk_n(p, n, "0123456789")) {
			kr_buf_adds(&b, "ADDR");
			p += n;
			continue;
		}
		/* numbers, standing alone or long */
		if (isdigit((unsigned char)*p) && (n = digits(p)) > 0 &&
		    (!is_word(prev) || n >= 8)) {
			kr_buf_adds(&b, "NUM");
			p += n;
			continue;
		}
		if (*p == ' ' && (prev == ' ' || !b.len)) {
			p++;
			continue;
		}
		kr_buf_addc(&b, *p++);
	}
	if (b.len > TITLE_MAX)
		b.len = TITLE_MAX;
	while (b.len && b.data[b.len - 1] == ' ')
		b.len--;
	if (b.data)
		b.data[b.len] = '\0';
	return kr_buf_steal(&b);
}
