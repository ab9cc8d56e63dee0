/* SPDX-License-Identifier: MIT */
/* Fuzz target for the bug page reader (libFuzzer entry point). The input
 * is a page. Besides memory errors (under the sanitizers), it checks the
 * reader's promises: an error or a page, never both; every asset link an
 * absolute http(s) URL with a kind and words; a crash found for the JSON
 * inside the page's rows. tests/test-syzbot-html.c replays the saved
 * pages through the same function in the unit suite. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syzbot-html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE "https://syzkaller.example/bug?extid=0123456789abcdef0123"

static bool is_http(const char *url)
{
	return url && (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8));
}

static void check_crash(const struct kr_page_crash *c)
{
	const char *links[] = { c->syz_link, c->c_link, c->report_link, c->log_link };
	for (size_t i = 0; i < KR_ARRAY_SIZE(links); i++)
		if (links[i] && !is_http(links[i]))
			abort();
	for (size_t k = 0; k < c->n_assets; k++) {
		const struct kr_page_asset *a = &c->assets[k];
		if (a->kind >= KR_PAGE_ASSET_KINDS || !a->title || !*a->title || !is_http(a->url))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_syzbot_page *p = NULL;
	char *err = NULL;
	int r = kr_syzbot_page_parse(PAGE, (const char *)data, size, &p, &err);
	if (r < 0) {
		if (p || !err || (r != -EBADMSG && r != -EFBIG))
			abort();
		free(err);
		return 0;
	}
	if (r != 0 || !p || err)
		abort();
	for (size_t i = 0; i < p->n_crashes; i++)
		check_crash(&p->crashes[i]);
	/* Two crashes as the JSON would give them. */
	struct kr_syzbot_crash crashes[2] = {
		{ .title = (char *)"a", .report_link = (char *)"/text?tag=CrashReport&x=1" },
		{ .title = (char *)"b", .syz_link = (char *)"/text?tag=ReproSyz&x=2" },
	};
	struct kr_syzbot_bug bug = { .title = (char *)"t", .crashes = crashes, .n_crashes = 2 };
	for (size_t i = 0; i < 3; i++) {
		long row = kr_syzbot_page_find_crash(p, &bug, i, PAGE "&json=1");
		if (row < -1 || (row >= 0 && (size_t)row >= p->n_crashes) || (i == 2 && row != -1))
			abort();
	}
	kr_syzbot_page_free(p);
	return 0;
}
