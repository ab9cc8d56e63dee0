/* SPDX-License-Identifier: MIT */
/* Fuzz target for the crash scanner (libFuzzer entry point). The input is
 * a console log; its first byte picks the size of the pieces it is fed in.
 * Besides memory errors (under the sanitizers), it checks that feeding in
 * pieces finds what feeding whole finds, and that results stay inside the
 * input and within their bounds. tests/test-fuzz-scanner.c replays seeds
 * through the same function in the unit suite. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct kr_scanner *scan(const char *log, size_t len, size_t piece)
{
	struct kr_scanner *s = kr_scanner_new();
	for (size_t off = 0; off < len; off += piece)
		if (kr_scanner_feed(s, log + off, len - off < piece ? len - off : piece) < 0)
			abort();
	kr_scanner_finish(s);
	return s;
}

static void check(const struct kr_scanner *s, size_t len)
{
	for (size_t i = 0; i < kr_scanner_n_crashes(s); i++) {
		const struct kr_crash *c = kr_scanner_crash(s, i);
		if (!c || !c->title || !c->alt_titles || !c->type || !c->report)
			abort();
		if (strlen(c->title) > 120 || c->start > c->end || c->end > len)
			abort();
		if (i && c->start < kr_scanner_crash(s, i - 1)->start)
			abort();
		for (size_t k = 0; c->alt_titles[k]; k++)
			if (strlen(c->alt_titles[k]) > 120)
				abort();
	}
	for (size_t i = 0; i < kr_scanner_n_starvation(s); i++) {
		const struct kr_starvation *st = kr_scanner_starvation(s, i);
		if (!st->kind || !st->unit || !st->line || st->offset >= len || st->value < 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	static const size_t pieces[] = { 1, 2, 3, 5, 16, 100, 4096, 65536 };
	size_t piece = pieces[data[0] % (sizeof(pieces) / sizeof(pieces[0]))];
	const char *log = (const char *)data + 1;
	size_t len = size - 1;
	struct kr_scanner *whole = scan(log, len, len ? len : 1);
	struct kr_scanner *parts = scan(log, len, piece);
	check(whole, len);
	check(parts, len);
	if (kr_scanner_n_crashes(whole) != kr_scanner_n_crashes(parts) ||
	    kr_scanner_n_starvation(whole) != kr_scanner_n_starvation(parts) ||
	    kr_scanner_hit(whole) != kr_scanner_hit(parts))
		abort();
	for (size_t i = 0; i < kr_scanner_n_crashes(whole); i++) {
		const struct kr_crash *a = kr_scanner_crash(whole, i), *b = kr_scanner_crash(parts, i);
		if (strcmp(a->title, b->title) || a->start != b->start || a->end != b->end ||
		    a->corrupted != b->corrupted || a->report_len != b->report_len)
			abort();
	}
	kr_scanner_free(whole);
	kr_scanner_free(parts);
	return 0;
}
