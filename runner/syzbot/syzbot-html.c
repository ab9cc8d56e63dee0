/* SPDX-License-Identifier: MIT */
#include "syzbot-html.h"

#include <errno.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <string.h>
#include <strings.h>

#include "fetch.h"

#define X(s) ((const xmlChar *)(s))

static void free_doc(xmlDocPtr *d)
{
	if (*d)
		xmlFreeDoc(*d);
}

static bool is_element(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcasecmp((const char *)n->name, name);
}

/* The node after n in document order, within root; into n's children only
 * when descend. A loop, not recursion: a garbage page may nest deeply. */
static xmlNodePtr walk_next(xmlNodePtr n, xmlNodePtr root, bool descend)
{
	if (descend && n->children)
		return n->children;
	while (n && n != root) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* Text with runs of white space (and no-break spaces) made one space,
 * trimmed. */
static char *collapse(const char *s)
{
	struct kr_buf b = KR_BUF_INIT(s ? strlen(s) : 0); /* never longer */
	bool space = false;
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		bool ws = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f';
		if (p[0] == 0xc2 && p[1] == 0xa0) { /* U+00A0, &nbsp; */
			ws = true;
			p++;
		}
		if (ws) {
			space = b.len > 0;
			continue;
		}
		if (space)
			kr_buf_addc(&b, ' ');
		space = false;
		kr_buf_addc(&b, (char)*p);
	}
	return kr_buf_steal(&b);
}

static char *text_of(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s = collapse((const char *)t);
	xmlFree(t);
	return s;
}

static char *attr_of(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, X(name));
	if (!v)
		return NULL;
	char *s = kr_strdup((const char *)v);
	xmlFree(v);
	return s;
}

/* ----- asset kinds ----- */

static const struct {
	const char *words; /* the link's words, case aside */
	bool prefix;       /* "mounted in repro #2" */
	enum kr_page_asset_kind kind;
} kind_words[] = {
	{ "disk image", false, KR_PAGE_ASSET_DISK },
	{ "disk image (non-bootable)", false, KR_PAGE_ASSET_DISK_NONBOOTABLE },
	{ "non-bootable disk", false, KR_PAGE_ASSET_DISK_NONBOOTABLE },
	{ "vmlinux", false, KR_PAGE_ASSET_VMLINUX },
	{ "vmlinux file", false, KR_PAGE_ASSET_VMLINUX },
	{ "kernel object", false, KR_PAGE_ASSET_VMLINUX },
	{ "kernel image", false, KR_PAGE_ASSET_KERNEL },
	{ "mounted in repro", true, KR_PAGE_ASSET_MOUNTED },
	{ "mounted image", true, KR_PAGE_ASSET_MOUNTED },
};

/* The kind the words name; -1 for other links (a file system check's
 * log, a coverage report). */
static int kind_of(const char *words)
{
	if (!words)
		return -1;
	for (size_t i = 0; i < KR_ARRAY_SIZE(kind_words); i++) {
		size_t n = strlen(kind_words[i].words);
		if (kind_words[i].prefix ? !strncasecmp(words, kind_words[i].words, n) :
					   !strcasecmp(words, kind_words[i].words))
			return (int)kind_words[i].kind;
	}
	return -1;
}

const char *kr_page_asset_kind_to_string(enum kr_page_asset_kind k)
{
	switch (k) {
	case KR_PAGE_ASSET_DISK: return "disk";
	case KR_PAGE_ASSET_DISK_NONBOOTABLE: return "disk-nonbootable";
	case KR_PAGE_ASSET_VMLINUX: return "vmlinux";
	case KR_PAGE_ASSET_KERNEL: return "kernel";
	case KR_PAGE_ASSET_MOUNTED: return "mounted";
	case KR_PAGE_ASSET_KINDS: break;
	}
	return "other";
}

/* ----- the crash table ----- */

enum column { COL_ASSETS, COL_SYZ, COL_C, COL_REPORT, COL_LOG, COL_TITLE, COLUMNS };

/* Header words (lower case) that start each column's header cell. */
static const char *const column_words[COLUMNS] = {
	[COL_ASSETS] = "assets", [COL_SYZ] = "syz repro", [COL_C] = "c repro",
	[COL_REPORT] = "report", [COL_LOG] = "log",      [COL_TITLE] = "title",
};

struct table {
	xmlNodePtr node;
	long col[COLUMNS]; /* -1: no such column */
};

/* A cell's width (colspan, 1 unless a sane number). */
static long span_of(xmlNodePtr cell)
{
	_cleanup_free_ char *v = attr_of(cell, "colspan");
	long n;
	if (!v || kr_parse_long(v, &n) < 0 || n < 1 || n > 1000)
		return 1;
	return n;
}

/* The row's cell at column col, NULL when the row is shorter. */
static xmlNodePtr cell_at(xmlNodePtr row, long col)
{
	long at = 0;
	for (xmlNodePtr c = row->children; c && col >= 0; c = c->next) {
		if (!is_element(c, "td") && !is_element(c, "th"))
			continue;
		long span = span_of(c);
		if (col < at + span)
			return c;
		at += span;
	}
	return NULL;
}

static bool has_cell(xmlNodePtr row, const char *name)
{
	for (xmlNodePtr c = row->children; c; c = c->next)
		if (is_element(c, name))
			return true;
	return false;
}

/* The rows of table, in order, without those of tables inside it. */
static xmlNodePtr next_row(xmlNodePtr table, xmlNodePtr from)
{
	xmlNodePtr n = from ? walk_next(from, table, false) : walk_next(table, table, true);
	while (n) {
		if (is_element(n, "tr"))
			return n;
		n = walk_next(n, table, !is_element(n, "table"));
	}
	return NULL;
}

/* Reads the header row (the first row with header cells) of a table:
 * true when it has an Assets column. *header is that row. */
static bool read_header(struct table *t, xmlNodePtr *header)
{
	for (int i = 0; i < COLUMNS; i++)
		t->col[i] = -1;
	xmlNodePtr row = next_row(t->node, NULL);
	while (row && !has_cell(row, "th"))
		row = next_row(t->node, row);
	if (!row)
		return false;
	*header = row;
	long at = 0;
	for (xmlNodePtr c = row->children; c; c = c->next) {
		if (!is_element(c, "td") && !is_element(c, "th"))
			continue;
		_cleanup_free_ char *words = text_of(c);
		for (int i = 0; i < COLUMNS; i++) {
			size_t n = strlen(column_words[i]);
			if (t->col[i] < 0 && !strncasecmp(words, column_words[i], n) &&
			    (words[n] == '\0' || words[n] == ' '))
				t->col[i] = at;
		}
		at += span_of(c);
	}
	return t->col[COL_ASSETS] >= 0;
}

/* The first link's target in node, resolved; NULL when none or not an
 * http(s) URL. */
static char *first_link(xmlNodePtr node, const char *page_url)
{
	if (!node)
		return NULL;
	for (xmlNodePtr n = walk_next(node, node, true); n; n = walk_next(n, node, true)) {
		if (!is_element(n, "a"))
			continue;
		_cleanup_free_ char *href = attr_of(n, "href");
		if (href)
			return kr_url_resolve(page_url, href);
	}
	return NULL;
}

static void read_assets(struct kr_page_crash *c, xmlNodePtr cell, const char *page_url)
{
	if (!cell)
		return;
	for (xmlNodePtr n = walk_next(cell, cell, true); n; n = walk_next(n, cell, true)) {
		if (!is_element(n, "a"))
			continue;
		_cleanup_free_ char *href = attr_of(n, "href");
		_cleanup_free_ char *words = text_of(n);
		_cleanup_free_ char *title = attr_of(n, "title");
		_cleanup_free_ char *title_words = title ? collapse(title) : NULL;
		int kind = kind_of(words);
		if (kind < 0 && (kind = kind_of(title_words)) >= 0) {
			free(words);
			words = KR_TAKE_PTR(title_words);
		}
		if (kind < 0 || !href)
			continue;
		char *url = kr_url_resolve(page_url, href);
		if (!url) {
			kr_strv_push(&c->rejected, KR_TAKE_PTR(href));
			continue;
		}
		c->assets = kr_realloc(c->assets, (c->n_assets + 1) * sizeof(*c->assets));
		c->assets[c->n_assets++] = (struct kr_page_asset){
			.kind = (enum kr_page_asset_kind)kind,
			.title = KR_TAKE_PTR(words),
			.url = url,
		};
	}
}

static void read_rows(struct kr_syzbot_page *p, const struct table *t, xmlNodePtr header,
		      const char *page_url)
{
	for (xmlNodePtr row = next_row(t->node, header); row; row = next_row(t->node, row)) {
		if (!has_cell(row, "td"))
			continue;
		p->crashes = kr_realloc(p->crashes, (p->n_crashes + 1) * sizeof(*p->crashes));
		struct kr_page_crash *c = &p->crashes[p->n_crashes++];
		memset(c, 0, sizeof(*c));
		c->syz_link = first_link(cell_at(row, t->col[COL_SYZ]), page_url);
		c->c_link = first_link(cell_at(row, t->col[COL_C]), page_url);
		c->report_link = first_link(cell_at(row, t->col[COL_REPORT]), page_url);
		c->log_link = first_link(cell_at(row, t->col[COL_LOG]), page_url);
		xmlNodePtr title = cell_at(row, t->col[COL_TITLE]);
		c->title = title ? text_of(title) : NULL;
		read_assets(c, cell_at(row, t->col[COL_ASSETS]), page_url);
	}
}

/* libxml2 reports some problems (input that its encoding cannot convert)
 * through its generic error handler whatever the parser's options say;
 * a module never prints. */
static void ignore_error(void *ctx, const char *msg, ...)
{
}

static void ignore_structured_error(void *ctx, xmlErrorPtr error)
{
}

static xmlDocPtr read_html(const char *url, const char *html, size_t len)
{
	void *generic_ctx = xmlGenericErrorContext;
	xmlGenericErrorFunc generic = xmlGenericError;
	void *structured_ctx = xmlStructuredErrorContext;
	xmlStructuredErrorFunc structured = xmlStructuredError;
	xmlSetGenericErrorFunc(NULL, ignore_error);
	xmlSetStructuredErrorFunc(NULL, ignore_structured_error);
	/* No network (no DTDs or entities fetched), no messages. */
	xmlDocPtr doc = htmlReadMemory(html, (int)len, url, NULL,
				       HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	xmlSetGenericErrorFunc(generic_ctx, generic);
	xmlSetStructuredErrorFunc(structured_ctx, structured);
	return doc;
}

int kr_syzbot_page_parse(const char *url, const char *html, size_t len,
			 struct kr_syzbot_page **out, char **err)
{
	*out = NULL;
	*err = NULL;
	if (len > KR_SYZBOT_PAGE_MAX) {
		*err = kr_asprintf("%s: the page is larger than the limit of %u bytes", url,
				   KR_SYZBOT_PAGE_MAX);
		return -EFBIG;
	}
	__attribute__((cleanup(free_doc))) xmlDocPtr doc = read_html(url, html, len);
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!root) {
		*err = kr_asprintf("%s: not an HTML page", url);
		return -EBADMSG;
	}
	for (xmlNodePtr n = root; n; n = walk_next(n, root, true)) {
		if (!is_element(n, "table"))
			continue;
		struct table t = { .node = n };
		xmlNodePtr header = NULL;
		if (!read_header(&t, &header))
			continue;
		struct kr_syzbot_page *p = kr_calloc(1, sizeof(*p));
		read_rows(p, &t, header, url);
		*out = p;
		return 0;
	}
	*err = kr_asprintf("%s: no crash table (a table with an \"Assets\" column) on the page",
			   url);
	return -EBADMSG;
}

void kr_syzbot_page_free(struct kr_syzbot_page *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n_crashes; i++) {
		struct kr_page_crash *c = &p->crashes[i];
		free(c->title);
		free(c->syz_link);
		free(c->c_link);
		free(c->report_link);
		free(c->log_link);
		for (size_t k = 0; k < c->n_assets; k++) {
			free(c->assets[k].title);
			free(c->assets[k].url);
		}
		free(c->assets);
		kr_strv_free(c->rejected);
	}
	free(p->crashes);
	free(p);
}

/* ----- which row is the JSON's crash ----- */

static long find_link(const struct kr_syzbot_page *p, size_t offset, const char *link,
		      const char *answer_url)
{
	if (!link)
		return -1;
	_cleanup_free_ char *want = kr_url_resolve(answer_url, link);
	if (!want)
		return -1;
	for (size_t i = 0; i < p->n_crashes; i++) {
		const char *got = *(char *const *)((const char *)&p->crashes[i] + offset);
		if (got && !strcmp(got, want))
			return (long)i;
	}
	return -1;
}

long kr_syzbot_page_find_crash(const struct kr_syzbot_page *p, const struct kr_syzbot_bug *bug,
			       size_t index, const char *answer_url)
{
	if (index >= bug->n_crashes)
		return -1;
	const struct kr_syzbot_crash *c = &bug->crashes[index];
	/* A report is one crash's; a reproducer could in principle be
	 * shared. */
	const struct {
		const char *link;
		size_t offset;
	} keys[] = {
		{ c->report_link, offsetof(struct kr_page_crash, report_link) },
		{ c->syz_link, offsetof(struct kr_page_crash, syz_link) },
		{ c->c_link, offsetof(struct kr_page_crash, c_link) },
	};
	for (size_t k = 0; k < KR_ARRAY_SIZE(keys); k++) {
		long row = find_link(p, keys[k].offset, keys[k].link, answer_url);
		if (row >= 0)
			return row;
	}
	return p->n_crashes == bug->n_crashes ? (long)index : -1;
}
