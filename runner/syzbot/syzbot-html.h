/* SPDX-License-Identifier: MIT */
/* A syzbot bug's HTML page (GET /bug?extid=EXTID): the assets of each
 * crash, read from the page's crash table (the only libxml2 HTML user).
 *
 * The dashboard's JSON has no asset links; its page has them. The crash
 * table is the page's first table whose header row has a cell reading
 * "Assets"; each later row with data cells is one crash, in the order of
 * the JSON's "crashes" (both come from the same list on the server). The
 * Assets cell holds one link per asset, "[<a href=URL>disk image</a>]",
 * sometimes followed by a file system check's log link ("clean fs"); the
 * link's text (or its title attribute) names the kind. The header cells
 * "Syz repro", "C repro", "Report" and "Log" name the columns whose links
 * tell the rows apart.
 *
 * Parsing never touches the network (HTML_PARSE_NONET) and is lenient, as
 * browsers are: garbage or a cut-short page gives what can be read of it,
 * and a page without such a table is an error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "syzbot.h"
#include "util.h"

/* A page larger than this is not parsed (-EFBIG). */
#define KR_SYZBOT_PAGE_MAX (8u << 20)

enum kr_page_asset_kind {
	KR_PAGE_ASSET_DISK,        /* "disk image": bootable, partitioned */
	KR_PAGE_ASSET_DISK_NONBOOTABLE, /* "disk image (non-bootable)" */
	KR_PAGE_ASSET_VMLINUX,     /* "vmlinux" ("kernel object" elsewhere) */
	KR_PAGE_ASSET_KERNEL,      /* "kernel image" */
	KR_PAGE_ASSET_MOUNTED,     /* "mounted in repro" (a file system image the repro mounts) */
	KR_PAGE_ASSET_KINDS,
};

struct kr_page_asset {
	enum kr_page_asset_kind kind;
	char *title; /* the link's words, whitespace collapsed */
	char *url;   /* absolute http(s) URL */
};

struct kr_page_crash {
	char *title;       /* the Title column's words, NULL when none */
	char *syz_link;    /* absolute URLs of the row's links, NULL when none */
	char *c_link;
	char *report_link;
	char *log_link;
	struct kr_page_asset *assets; /* in the page's order */
	size_t n_assets;
	/* Links in the Assets cell that are not http(s) URLs (as written):
	 * left out. NULL when none. */
	char **rejected;
};

struct kr_syzbot_page {
	struct kr_page_crash *crashes;
	size_t n_crashes;
};

/* Parses the page at url (links are resolved against it; url names the
 * page in messages). Errors, with one line in *err:
 *   -EFBIG    len is above KR_SYZBOT_PAGE_MAX
 *   -EBADMSG  not HTML that libxml2 can read at all, or no crash table
 *             (a table with an "Assets" column) */
int kr_syzbot_page_parse(const char *url, const char *html, size_t len,
			 struct kr_syzbot_page **out, char **err);
void kr_syzbot_page_free(struct kr_syzbot_page *p);
KR_DEFINE_CLEANUP(struct kr_syzbot_page, kr_syzbot_page_free)
#define _cleanup_syzbot_page_free_ _cleanup_(kr_syzbot_page_freep)

/* The page's row for bug->crashes[index] (the JSON answer read from
 * answer_url): the row with the same report, syz or C reproducer link (in
 * that order of trust), else the row at the same position when the page
 * has as many rows as the JSON has crashes. -1 when no row is known to be
 * that crash. */
long kr_syzbot_page_find_crash(const struct kr_syzbot_page *p, const struct kr_syzbot_bug *bug,
			       size_t index, const char *answer_url);

/* "disk", "disk-nonbootable", "vmlinux", "kernel", "mounted" */
const char *kr_page_asset_kind_to_string(enum kr_page_asset_kind k);
