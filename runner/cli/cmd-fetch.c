/* SPDX-License-Identifier: MIT */
/* kradar fetch EXTID: a syzbot bug's reproducer, config, report, log and
 * assets, and a ready scenario with meta.json. */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "fetch.h"
#include "json-writer.h"
#include "log.h"
#include "scenario.h"
#include "syzbot-html.h"
#include "syzbot.h"

#define DEFAULT_BASE_URL "https://syzkaller.appspot.com"
/* Size limits: a bug's JSON, a text (reproducer, config, report, log), a
 * downloaded asset and a decompressed one. (A bug's HTML page:
 * KR_SYZBOT_PAGE_MAX.) */
#define MAX_ANSWER (8ull << 20)
#define MAX_TEXT (64ull << 20)
#define MAX_ASSET (16ull << 30)
#define MAX_ASSET_DECOMPRESSED (64ull << 30)

enum asset_kind { ASSET_DISK, ASSET_KERNEL, ASSET_VMLINUX, ASSET_KINDS };

/* Where an asset's link came from, in order of precedence. */
enum asset_source { SOURCE_NONE, SOURCE_FLAG, SOURCE_PAGE, SOURCE_JSON };
static const char *const source_names[] = {
	[SOURCE_NONE] = "none", [SOURCE_FLAG] = "flag", [SOURCE_PAGE] = "page",
	[SOURCE_JSON] = "json",
};

static const struct {
	const char *name;     /* --asset TYPE= and meta.json */
	const char *file;     /* in the output directory */
	const char *what;     /* for messages */
	const char *type;     /* syzkaller's asset type */
	const char *prefix;   /* syzbot's file names start with it */
} asset_kinds[ASSET_KINDS] = {
	[ASSET_DISK] = { "disk", "disk.raw", "disk image", "bootable_disk", "disk" },
	[ASSET_KERNEL] = { "kernel", "bzImage", "kernel image", "kernel_image", "bzImage" },
	[ASSET_VMLINUX] = { "vmlinux", "vmlinux", "vmlinux", "kernel_object", "vmlinux" },
};

struct fetch_cmd {
	const struct kr_command *self;
	const char *extid_arg;
	char extid[21];
	char *base_url;
	const char *out_dir;
	const char *name;
	const char *cache_dir;  /* NULL: the default */
	const char *repro_kind; /* auto, syz, c */
	long crash_index;       /* -1: the best */
	bool offline, quiet;
	bool progress_line; /* a progress line is drawn and not yet ended */

	struct kr_fetcher *fetcher;
	char *answer_url;
	struct kr_json *files;  /* meta.json "files" */
	struct kr_json *assets; /* meta.json "assets" */
	struct kr_json *page;   /* meta.json "page" */
	char *asset_urls[ASSET_KINDS]; /* --asset's, then the page's, then the JSON's */
	enum asset_source asset_sources[ASSET_KINDS];
	bool have_asset[ASSET_KINDS];
};

/* ----- output ----- */

static void on_notice(void *userdata, const char *msg)
{
	struct fetch_cmd *c = userdata;
	if (c->progress_line) {
		fputc('\n', stderr);
		c->progress_line = false;
	}
	if (!c->quiet)
		kr_notice("%s", msg);
}

/* A progress line for downloads of 1 MiB and more (the small texts would
 * only flicker), redrawn in place, ended when the transfer ends. */
static void on_progress(void *userdata, const char *name, uint64_t now, uint64_t total, bool done)
{
	struct fetch_cmd *c = userdata;
	const double mib = 1024.0 * 1024.0;
	if (!c->progress_line && (done || (total && total < (1u << 20))))
		return;
	if (total)
		fprintf(stderr, "\r\033[K  %-40.40s %9.1f / %.1f MiB %3d%%", name, (double)now / mib,
			(double)total / mib, (int)(100.0 * (double)now / (double)total));
	else
		fprintf(stderr, "\r\033[K  %-40.40s %9.1f MiB", name, (double)now / mib);
	c->progress_line = !done;
	if (done)
		fputc('\n', stderr);
}

/* ----- helpers ----- */

/* Exit code for a failed download: the server's refusal (4xx), an
 * oversized or inconsistent answer is bad input (2); an unreachable or
 * failing server, or a local problem, is the host's (4). */
static int download_exit(int r, int http_status)
{
	if ((http_status >= 400 && http_status < 500) || r == -EFBIG || r == -EBADMSG ||
	    r == -EINVAL)
		return KR_EXIT_USAGE;
	return KR_EXIT_ENVIRONMENT;
}

static void record(struct kr_json *list, const char *name, const char *url,
		   const struct kr_fetch_result *res)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "name", kr_json_string(name));
	kr_json_set(o, "url", kr_json_string(url));
	kr_json_set(o, "sha256", kr_json_string(res->sha256));
	kr_json_set(o, "size", kr_json_int((long long)res->size));
	kr_json_set(o, "cached", kr_json_bool(res->from_cache));
	kr_json_append(list, o);
}

/* A text file: downloaded into the cache, copied into the output directory
 * (a copy, so that editing it, as users do with repro.syz, leaves the cache
 * alone). */
static int fetch_text(struct fetch_cmd *c, const char *link, const char *file, bool optional)
{
	_cleanup_free_ char *url = kr_url_resolve(c->answer_url, link);
	if (!url) {
		kr_error("%s: \"%s\" is not a link kradar can follow", c->answer_url, link);
		return KR_EXIT_USAGE;
	}
	_cleanup_(kr_fetch_result_clear) struct kr_fetch_result res = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = kr_fetch(c->fetcher, url, MAX_TEXT, 0, &res, &err);
	if (r < 0) {
		int code = download_exit(r, res.http_status);
		if (optional && code == KR_EXIT_USAGE) {
			kr_warning("%s (%s left out)", err, file);
			return 0;
		}
		kr_error("%s", err);
		return code;
	}
	_cleanup_free_ char *data = NULL;
	size_t len;
	_cleanup_free_ char *dst = kr_path_join(c->out_dir, file);
	if ((r = kr_read_file(res.path, MAX_TEXT, &data, &len)) < 0 ||
	    (r = kr_write_file_atomic(dst, data, len, 0644)) < 0) {
		kr_error("%s: %s", dst, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	record(c->files, file, url, &res);
	return 0;
}

/* Puts the cache file src at dst: a hard link (no copy of a disk image),
 * or a symlink to it when the output is on another file system. */
static int place(const char *src, const char *dst)
{
	_cleanup_free_ char *tmp = kr_asprintf("%s.tmp-link", dst);
	unlink(tmp);
	if (link(src, tmp) < 0 && symlink(src, tmp) < 0)
		return -errno;
	if (rename(tmp, dst) < 0) {
		int r = -errno;
		unlink(tmp);
		return r;
	}
	return 0;
}

static int fetch_asset(struct fetch_cmd *c, enum asset_kind kind, const char *url)
{
	_cleanup_(kr_fetch_result_clear) struct kr_fetch_result res = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = kr_fetch(c->fetcher, url, MAX_ASSET, 0, &res, &err);
	if (r < 0) {
		kr_error("%s", err);
		return download_exit(r, res.http_status);
	}
	struct kr_json *a = kr_json_object();
	kr_json_set(a, "type", kr_json_string(asset_kinds[kind].name));
	kr_json_set(a, "file", kr_json_string(asset_kinds[kind].file));
	kr_json_set(a, "url", kr_json_string(url));
	kr_json_set(a, "source", kr_json_string(source_names[c->asset_sources[kind]]));
	kr_json_set(a, "sha256", kr_json_string(res.sha256));
	kr_json_set(a, "size", kr_json_int((long long)res.size));
	kr_json_set(a, "cached", kr_json_bool(res.from_cache));

	/* .xz by content: decompressed once, next to the download in the
	 * cache. */
	struct kr_fetch_plain plain;
	r = kr_fetch_plain(c->fetcher, &res, MAX_ASSET_DECOMPRESSED, &plain, &err);
	if (r < 0) {
		kr_error("%s (from %s)", err, url);
		kr_json_free(a);
		return r == -EBADMSG || r == -EFBIG ? KR_EXIT_USAGE : KR_EXIT_ENVIRONMENT;
	}
	if (plain.decompressed) {
		kr_json_set(a, "decompressed_sha256", kr_json_string(plain.sha256));
		kr_json_set(a, "decompressed_size", kr_json_int((long long)plain.size));
	}
	_cleanup_free_ char *src = KR_TAKE_PTR(plain.path);
	kr_json_set(a, "cache_path", kr_json_string(src));
	_cleanup_free_ char *dst = kr_path_join(c->out_dir, asset_kinds[kind].file);
	r = place(src, dst);
	if (r < 0) {
		kr_error("%s: %s", dst, strerror(-r));
		kr_json_free(a);
		return KR_EXIT_ENVIRONMENT;
	}
	kr_json_append(c->assets, a);
	c->have_asset[kind] = true;
	return 0;
}

/* The kind of an asset: given as TYPE=, by syzkaller's asset type, or by
 * syzbot's file naming (disk-*.raw.xz, bzImage-*.xz, vmlinux-*.xz). */
static int asset_kind_of(const char *type, const char *url)
{
	for (int k = 0; k < ASSET_KINDS; k++)
		if (type && (!strcmp(type, asset_kinds[k].name) || !strcmp(type, asset_kinds[k].type)))
			return k;
	if (type)
		return -1;
	_cleanup_free_ char *base = kr_url_basename(url);
	for (int k = 0; base && k < ASSET_KINDS; k++)
		if (kr_str_startswith(base, asset_kinds[k].prefix))
			return k;
	return -1;
}

/* The assets the JSON lists for the crash (a mirror's "assets"), for
 * every kind that neither --asset nor the bug page gave. */
static int collect_assets(struct fetch_cmd *c, const struct kr_syzbot_crash *crash)
{
	char *listed[ASSET_KINDS] = { 0 };
	int code = 0;
	for (size_t i = 0; i < crash->n_assets && !code; i++) {
		const struct kr_syzbot_asset *a = &crash->assets[i];
		int k = asset_kind_of(a->type, a->link);
		if (k < 0)
			continue; /* coverage reports and the like */
		char *url = kr_url_resolve(c->answer_url, a->link);
		if (!url) {
			kr_error("%s: asset link \"%s\" is not a link kradar can follow", c->answer_url,
				 a->link);
			code = KR_EXIT_USAGE;
		}
		free(listed[k]);
		listed[k] = url;
	}
	for (int k = 0; k < ASSET_KINDS; k++) {
		if (!code && !c->asset_urls[k] && listed[k]) {
			c->asset_urls[k] = KR_TAKE_PTR(listed[k]);
			c->asset_sources[k] = SOURCE_JSON;
		}
		free(listed[k]);
	}
	return code;
}

/* --asset [TYPE=]URL, each resolved against the dashboard and of a kind
 * kradar can tell; the last one of a kind wins. */
static int parse_asset_args(struct fetch_cmd *c, char *const *args)
{
	for (size_t i = 0; args && args[i]; i++) {
		const char *arg = args[i];
		_cleanup_free_ char *type = NULL;
		const char *eq = strchr(arg, '=');
		const char *colon = strstr(arg, "://");
		if (eq && (!colon || eq < colon)) {
			type = kr_strndup(arg, (size_t)(eq - arg));
			arg = eq + 1;
		}
		_cleanup_free_ char *url = kr_url_resolve(c->answer_url, arg);
		if (!url)
			return kr_cli_usage_error(c->self, "--asset: \"%s\" is not an http(s) URL", arg);
		int k = asset_kind_of(type, url);
		if (k < 0)
			return kr_cli_usage_error(
				c->self,
				"--asset: cannot tell what \"%s\" is; write disk=URL, kernel=URL or "
				"vmlinux=URL",
				args[i]);
		free(c->asset_urls[k]);
		c->asset_urls[k] = KR_TAKE_PTR(url);
		c->asset_sources[k] = SOURCE_FLAG;
	}
	return 0;
}

/* ----- the bug's HTML page ----- */

/* The kradar asset for a kind of the page; -1 for kinds kradar does not
 * use (a non-bootable disk, images the reproducer mounts itself). */
static int asset_kind_of_page(enum kr_page_asset_kind k)
{
	switch (k) {
	case KR_PAGE_ASSET_DISK: return ASSET_DISK;
	case KR_PAGE_ASSET_KERNEL: return ASSET_KERNEL;
	case KR_PAGE_ASSET_VMLINUX: return ASSET_VMLINUX;
	default: return -1;
	}
}

static void page_warning(struct fetch_cmd *c, const char *msg)
{
	kr_warning("%s; the bug page's assets are not used", msg);
	kr_json_set(c->page, "error", kr_json_string(msg));
}

/* The bug's page (/bug?extid=EXTID): the assets of the chosen crash, for
 * every kind --asset did not name. A page that cannot be had or read is
 * only a warning: --asset and the JSON's assets still serve. */
static void read_page(struct fetch_cmd *c, const struct kr_syzbot_bug *bug, int ci)
{
	_cleanup_free_ char *url = kr_asprintf("%s/bug?extid=%s", c->base_url, c->extid);
	c->page = kr_json_object();
	kr_json_set(c->page, "url", kr_json_string(url));
	kr_json_set(c->page, "row", kr_json_null());
	kr_json_set(c->page, "error", kr_json_null());
	kr_json_set(c->page, "assets", kr_json_array());
	_cleanup_(kr_fetch_result_clear) struct kr_fetch_result res = { 0 };
	_cleanup_free_ char *err = NULL;
	int r = kr_fetch(c->fetcher, url, KR_SYZBOT_PAGE_MAX, KR_FETCH_REFRESH, &res, &err);
	if (r < 0) {
		page_warning(c, err);
		return;
	}
	kr_json_set(c->page, "sha256", kr_json_string(res.sha256));
	kr_json_set(c->page, "cached", kr_json_bool(res.from_cache));
	_cleanup_free_ char *html = NULL;
	size_t len;
	if ((r = kr_read_file(res.path, KR_SYZBOT_PAGE_MAX, &html, &len)) < 0) {
		_cleanup_free_ char *msg = kr_asprintf("%s: %s", res.path, strerror(-r));
		page_warning(c, msg);
		return;
	}
	_cleanup_syzbot_page_free_ struct kr_syzbot_page *page = NULL;
	if (kr_syzbot_page_parse(url, html, len, &page, &err) < 0) {
		page_warning(c, err);
		return;
	}
	long row = kr_syzbot_page_find_crash(page, bug, (size_t)ci, c->answer_url);
	if (row < 0) {
		_cleanup_free_ char *msg = kr_asprintf(
			"%s: no row of the crash table is crash #%d (the page has %zu rows, the JSON "
			"%zu crashes)",
			url, ci, page->n_crashes, bug->n_crashes);
		page_warning(c, msg);
		return;
	}
	kr_json_set(c->page, "row", kr_json_int(row));
	const struct kr_page_crash *pc = &page->crashes[row];
	for (size_t i = 0; pc->rejected && pc->rejected[i]; i++)
		kr_warning("%s: asset link \"%s\" is not an http(s) URL; left out", url,
			   pc->rejected[i]);
	struct kr_json *list = kr_json_array();
	for (size_t i = 0; i < pc->n_assets; i++) {
		const struct kr_page_asset *a = &pc->assets[i];
		struct kr_json *o = kr_json_object();
		kr_json_set(o, "kind", kr_json_string(kr_page_asset_kind_to_string(a->kind)));
		kr_json_set(o, "title", kr_json_string(a->title));
		kr_json_set(o, "url", kr_json_string(a->url));
		kr_json_append(list, o);
		int k = asset_kind_of_page(a->kind);
		if (k < 0 || c->asset_urls[k])
			continue; /* not used, named by --asset, or a second of its kind */
		c->asset_urls[k] = kr_strdup(a->url);
		c->asset_sources[k] = SOURCE_PAGE;
	}
	kr_json_set(c->page, "assets", list);
}

/* "assets:  disk image (bug page), kernel image (--asset)" */
static void print_assets(const struct fetch_cmd *c)
{
	static const char *const from[] = {
		[SOURCE_NONE] = "", [SOURCE_FLAG] = "--asset", [SOURCE_PAGE] = "bug page",
		[SOURCE_JSON] = "JSON",
	};
	printf("assets: ");
	bool any = false;
	for (int k = 0; k < ASSET_KINDS; k++) {
		if (!c->asset_urls[k])
			continue;
		printf("%s %s (%s)", any ? "," : "", asset_kinds[k].what, from[c->asset_sources[k]]);
		any = true;
	}
	printf("%s\n", any ? "" : " none");
	fflush(stdout);
}

/* ----- the scenario and meta.json ----- */

static struct kr_json *commit_json(const struct kr_syzbot_commit *cm)
{
	struct kr_json *o = kr_json_object();
	kr_json_set(o, "title", kr_json_string(cm->title));
	kr_json_set(o, "hash", kr_json_string(cm->hash));
	kr_json_set(o, "link", kr_json_string(cm->link));
	kr_json_set(o, "repo", kr_json_string(cm->repo));
	kr_json_set(o, "branch", kr_json_string(cm->branch));
	return o;
}

static int write_scenario(struct fetch_cmd *c, const struct kr_syzbot_bug *b,
			  const struct kr_syzbot_crash *crash, const char *name, bool syz,
			  const char *status_line, char **path)
{
	_cleanup_json_free_ struct kr_json *s = kr_json_object();
	kr_json_set(s, "kradar", kr_json_int(1));
	kr_json_set(s, "name", kr_json_string(name));
	kr_json_set(s, "extid", kr_json_string(c->extid));
	_cleanup_free_ char *desc = kr_asprintf("syzbot: %s", b->title);
	kr_json_set(s, "description", kr_json_string(desc));
	struct kr_json *x = kr_json_object();
	_cleanup_free_ char *page = kr_asprintf("%s/bug?extid=%s", c->base_url, c->extid);
	kr_json_set(x, "bug", kr_json_string(page));
	kr_json_set(x, "status", kr_json_string(status_line));
	kr_json_set(s, "x-syzbot", x);

	struct kr_json *kernel = kr_json_object();
	if (c->have_asset[ASSET_KERNEL]) {
		kr_json_set(kernel, "image", kr_json_string(asset_kinds[ASSET_KERNEL].file));
		if (c->have_asset[ASSET_VMLINUX])
			kr_json_set(kernel, "vmlinux", kr_json_string(asset_kinds[ASSET_VMLINUX].file));
	} else {
		/* No prebuilt kernel: build the crash's commit with its config
		 * from a tree the user points at. */
		kr_json_set(kernel, "source", kr_json_string("${KRADAR_KERNEL_TREE}"));
		if (crash->kernel_source_commit)
			kr_json_set(kernel, "commit", kr_json_string(crash->kernel_source_commit));
		if (crash->config_link)
			kr_json_set(kernel, "config", kr_json_string("kernel.config"));
	}
	kr_json_set(s, "kernel", kernel);
	if (c->have_asset[ASSET_DISK]) {
		struct kr_json *disk = kr_json_object();
		kr_json_set(disk, "image", kr_json_string(asset_kinds[ASSET_DISK].file));
		kr_json_set(s, "disk", disk);
	}
	struct kr_json *repro = kr_json_object();
	kr_json_set(repro, syz ? "syz" : "c", kr_json_string(syz ? "repro.syz" : "repro.c"));
	kr_json_set(s, "repro", repro);
	struct kr_json *expect = kr_json_object();
	kr_json_set(expect, "verdict", kr_json_string("reproduced"));
	kr_json_set(expect, "title", kr_json_string(b->title));
	if (strcmp(crash->title, b->title) != 0) {
		struct kr_json *titles = kr_json_array();
		kr_json_append(titles, kr_json_string(crash->title));
		kr_json_set(expect, "titles", titles);
	}
	kr_json_set(s, "expect", expect);

	*path = kr_path_join(c->out_dir, "scenario.json");
	int r = kr_json_write_file(s, *path);
	if (r < 0) {
		kr_error("%s: %s", *path, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	return 0;
}

static int write_meta(struct fetch_cmd *c, const struct kr_syzbot_bug *b, int crash_index,
		      bool syz, const char *status_line, const struct kr_fetch_result *answer)
{
	const struct kr_syzbot_crash *crash = &b->crashes[crash_index];
	_cleanup_json_free_ struct kr_json *m = kr_json_object();
	kr_json_set(m, "kradar_fetch", kr_json_int(1));
	kr_json_set(m, "extid", kr_json_string(c->extid));
	time_t now = time(NULL);
	char when[32];
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	kr_json_set(m, "fetched_at", kr_json_string(when));
	kr_json_set(m, "offline", kr_json_bool(c->offline));
	struct kr_json *ans = kr_json_object();
	kr_json_set(ans, "url", kr_json_string(c->answer_url));
	kr_json_set(ans, "sha256", kr_json_string(answer->sha256));
	kr_json_set(ans, "cached", kr_json_bool(answer->from_cache));
	kr_json_set(m, "answer", ans);

	struct kr_json *bug = kr_json_object();
	kr_json_set(bug, "title", kr_json_string(b->title));
	kr_json_set(bug, "id", kr_json_string(b->id));
	kr_json_set(bug, "status", kr_json_string(kr_bug_status_to_string(b->status)));
	kr_json_set(bug, "status_text", kr_json_string(b->status_text));
	kr_json_set(bug, "status_line", kr_json_string(status_line));
	struct kr_json *fixes = kr_json_array();
	for (size_t i = 0; i < b->n_fix_commits; i++)
		kr_json_append(fixes, commit_json(&b->fix_commits[i]));
	kr_json_set(bug, "fix_commits", fixes);
	kr_json_set(bug, "cause_commit", b->cause_commit ? commit_json(b->cause_commit) :
							     kr_json_null());
	kr_json_set(bug, "discussions", kr_json_strv(b->discussions));
	kr_json_set(m, "bug", bug);

	struct kr_json *cr = kr_json_object();
	kr_json_set(cr, "index", kr_json_int(crash_index));
	kr_json_set(cr, "title", kr_json_string(crash->title));
	kr_json_set(cr, "repro", kr_json_string(syz ? "syz" : "c"));
	kr_json_set(cr, "kernel_source_git", kr_json_string(crash->kernel_source_git));
	kr_json_set(cr, "kernel_source_commit", kr_json_string(crash->kernel_source_commit));
	kr_json_set(cr, "syzkaller_git", kr_json_string(crash->syzkaller_git));
	kr_json_set(cr, "syzkaller_commit", kr_json_string(crash->syzkaller_commit));
	kr_json_set(cr, "compiler", kr_json_string(crash->compiler));
	kr_json_set(cr, "architecture", kr_json_string(crash->architecture));
	kr_json_set(m, "crash", cr);
	kr_json_set(m, "files", KR_TAKE_PTR(c->files));
	kr_json_set(m, "assets", KR_TAKE_PTR(c->assets));
	kr_json_set(m, "page", c->page ? KR_TAKE_PTR(c->page) : kr_json_null());

	_cleanup_free_ char *path = kr_path_join(c->out_dir, "meta.json");
	int r = kr_json_write_file(m, path);
	if (r < 0) {
		kr_error("%s: %s", path, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	return 0;
}

/* ----- the command ----- */

static int parse_args(struct fetch_cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'N' },
		{ "repro", required_argument, NULL, 'R' },
		{ "crash", required_argument, NULL, 'C' },
		{ "asset", required_argument, NULL, 'a' },
		{ "base-url", required_argument, NULL, 'B' },
		{ "cache", required_argument, NULL, 'D' },
		{ "offline", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ 0 },
	};
	const char *base = NULL;
	_cleanup_strv_free_ char **asset_args = NULL;
	int o;
	while ((o = kr_cli_getopt(c->self, argc, argv, "o:q", opts)) != -1) {
		switch (o) {
		case 'o': c->out_dir = optarg; break;
		case 'N': c->name = optarg; break;
		case 'R': c->repro_kind = optarg; break;
		case 'C':
			if (kr_parse_long(optarg, &c->crash_index) < 0 || c->crash_index < 0)
				return kr_cli_usage_error(c->self, "--crash: \"%s\" is not a crash number",
							  optarg);
			break;
		case 'a': kr_strv_push(&asset_args, kr_strdup(optarg)); break;
		case 'B': base = optarg; break;
		case 'D': c->cache_dir = optarg; break;
		case 'F': c->offline = true; break;
		case 'q': c->quiet = true; break;
		}
	}
	if (optind >= argc)
		return kr_cli_usage_error(c->self, "no bug given (EXTID or a dashboard URL)");
	if (optind + 1 < argc)
		return kr_cli_usage_error(c->self, "unexpected argument '%s'", argv[optind + 1]);
	c->extid_arg = argv[optind];
	if (strcmp(c->repro_kind, "auto") && strcmp(c->repro_kind, "syz") &&
	    strcmp(c->repro_kind, "c"))
		return kr_cli_usage_error(c->self, "--repro: \"%s\" is not one of auto, syz, c",
					  c->repro_kind);

	/* EXTID, or a dashboard URL with extid= (whose server is then the
	 * dashboard, unless --base-url says otherwise). */
	const char *arg = c->extid_arg;
	const char *e = strstr(arg, "extid=");
	if (e) {
		e += strlen("extid=");
		size_t n = strcspn(e, "&#");
		if (!kr_syzbot_is_extid(e, n))
			return kr_cli_usage_error(c->self, "\"%.*s\" is not a syzbot extid", (int)n, e);
		memcpy(c->extid, e, 20);
		if (!base && strstr(arg, "://")) {
			_cleanup_free_ char *root = kr_url_resolve(arg, "/");
			if (!root)
				return kr_cli_usage_error(c->self, "\"%s\" is not an http(s) URL", arg);
			root[strlen(root) - 1] = '\0';
			c->base_url = KR_TAKE_PTR(root);
		}
	} else if (kr_syzbot_is_extid(arg, strlen(arg))) {
		memcpy(c->extid, arg, 20);
	} else {
		return kr_cli_usage_error(c->self,
					  "\"%s\" is not a syzbot extid (20 lowercase hex digits)", arg);
	}
	if (!c->base_url) {
		c->base_url = kr_strdup(base ? base : DEFAULT_BASE_URL);
		size_t n = strlen(c->base_url);
		while (n > 0 && c->base_url[n - 1] == '/')
			c->base_url[--n] = '\0';
	}
	c->answer_url = kr_asprintf("%s/bug?extid=%s&json=1", c->base_url, c->extid);
	_cleanup_free_ char *check = kr_url_host(c->answer_url);
	if (!check)
		return kr_cli_usage_error(c->self, "--base-url: \"%s\" is not an http(s) URL",
					  c->base_url);
	if (c->name && !kr_name_ok(c->name))
		return kr_cli_usage_error(c->self, "--name: \"%s\" is not [A-Za-z0-9._-]+ (nor . or ..)",
					  c->name);
	return parse_asset_args(c, asset_args);
}

static double env_seconds(const char *name, double def)
{
	const char *v = getenv(name);
	if (!v || !*v)
		return def;
	char *end;
	double d = strtod(v, &end);
	return *end == '\0' && d >= 0 ? d : def;
}

static int run(struct fetch_cmd *c)
{
	_cleanup_free_ char *host = kr_url_host(c->answer_url);
	struct kr_fetch_config cfg = {
		.cache_dir = c->cache_dir,
		.offline = c->offline,
		.rate_host = host,
		/* The dashboard asks for at most one request a second. */
		.rate_interval_s = env_seconds("KRADAR_FETCH_INTERVAL", 1),
		.backoff_initial_s = env_seconds("KRADAR_FETCH_BACKOFF", 1),
		.notice = on_notice,
		.progress = !c->quiet && isatty(STDERR_FILENO) ? on_progress : NULL,
		.userdata = c,
	};
	_cleanup_free_ char *err = NULL;
	int r = kr_fetcher_new(&cfg, &c->fetcher, &err);
	if (r < 0) {
		kr_error("%s", err);
		return KR_EXIT_ENVIRONMENT;
	}

	/* The bug: always asked again (its status changes), unless offline. */
	_cleanup_(kr_fetch_result_clear) struct kr_fetch_result answer = { 0 };
	_cleanup_free_ char *ferr = NULL;
	r = kr_fetch(c->fetcher, c->answer_url, MAX_ANSWER, KR_FETCH_REFRESH, &answer, &ferr);
	if (r < 0) {
		if (answer.http_status == 404)
			kr_error("%s: no bug with extid %s on %s", ferr, c->extid, c->base_url);
		else
			kr_error("%s", ferr);
		return download_exit(r, answer.http_status);
	}
	_cleanup_free_ char *text = NULL;
	size_t len;
	r = kr_read_file(answer.path, MAX_ANSWER, &text, &len);
	if (r < 0) {
		kr_error("%s: %s", answer.path, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *bug = NULL;
	_cleanup_free_ char *perr = NULL;
	if (kr_syzbot_parse(c->answer_url, text, len, &bug, &perr) < 0) {
		kr_error("%s", perr);
		return KR_EXIT_USAGE;
	}

	_cleanup_free_ char *status = kr_syzbot_status_line(bug);
	printf("bug:     %s\n", bug->title);
	printf("status:  %s\n", status);
	if (bug->status == KR_BUG_FIXED)
		printf("note:    this bug is already fixed; on a kernel with the fix, expect \"fixed\"\n");
	else if (bug->status != KR_BUG_OPEN)
		printf("note:    syzbot closed this bug as %s\n", kr_bug_status_to_string(bug->status));
	fflush(stdout);

	int ci = c->crash_index >= 0 ? (int)c->crash_index : kr_syzbot_best_crash(bug);
	if (c->crash_index >= (long)bug->n_crashes) {
		kr_error("%s: the bug has %zu crashes; there is no crash %ld", c->answer_url,
			 bug->n_crashes, c->crash_index);
		return KR_EXIT_USAGE;
	}
	if (ci < 0) {
		kr_error("%s: no crash of this bug has a reproducer", c->answer_url);
		return KR_EXIT_USAGE;
	}
	const struct kr_syzbot_crash *crash = &bug->crashes[ci];
	bool syz = !strcmp(c->repro_kind, "syz") ||
		   (!strcmp(c->repro_kind, "auto") && !crash->c_link);
	if (!(syz ? crash->syz_link : crash->c_link)) {
		kr_error("%s: crash %d has no %s reproducer", c->answer_url, ci, syz ? "syz" : "C");
		return KR_EXIT_USAGE;
	}
	printf("crash:   #%d \"%s\" (%s%s%s reproducer), kernel %.12s\n", ci, crash->title,
	       crash->syz_link ? "syz" : "", crash->syz_link && crash->c_link ? " and " : "",
	       crash->c_link ? "C" : "",
	       crash->kernel_source_commit ? crash->kernel_source_commit : "unknown");
	fflush(stdout);

	_cleanup_free_ char *name = c->name ? kr_strdup(c->name) : kr_asprintf("syzbot-%s", c->extid);
	_cleanup_free_ char *default_out = NULL;
	if (!c->out_dir)
		c->out_dir = default_out = kr_strdup(name);
	r = kr_mkdir_p(c->out_dir, 0755);
	if (r < 0) {
		kr_error("%s: %s", c->out_dir, strerror(-r));
		return KR_EXIT_ENVIRONMENT;
	}

	c->files = kr_json_array();
	c->assets = kr_json_array();
	const struct {
		const char *link;
		const char *file;
		bool optional;
	} texts[] = {
		{ crash->syz_link, "repro.syz", !syz },
		{ crash->c_link, "repro.c", syz },
		{ crash->config_link, "kernel.config", true },
		{ crash->report_link, "report.txt", true },
		{ crash->log_link, "log.txt", true },
	};
	int code;
	for (size_t i = 0; i < KR_ARRAY_SIZE(texts); i++)
		if (texts[i].link &&
		    (code = fetch_text(c, texts[i].link, texts[i].file, texts[i].optional)))
			return code;
	read_page(c, bug, ci);
	if ((code = collect_assets(c, crash)))
		return code;
	print_assets(c);
	for (int k = 0; k < ASSET_KINDS; k++)
		if (c->asset_urls[k] && (code = fetch_asset(c, (enum asset_kind)k, c->asset_urls[k])))
			return code;

	_cleanup_free_ char *scenario = NULL;
	if ((code = write_scenario(c, bug, crash, name, syz, status, &scenario)) ||
	    (code = write_meta(c, bug, ci, syz, status, &answer)))
		return code;

	printf("wrote:   %s (%s reproducer, %s%s)\n", scenario, syz ? "syz" : "C",
	       c->have_asset[ASSET_KERNEL] ? "kernel image" : "kernel built from source",
	       c->have_asset[ASSET_DISK] ? ", disk image" : "");
	if (!c->have_asset[ASSET_KERNEL])
		printf("         no kernel image: set KRADAR_KERNEL_TREE to a kernel git tree; kradar "
		       "builds commit %.12s with kernel.config (or pass --asset kernel=URL)\n",
		       crash->kernel_source_commit ? crash->kernel_source_commit : "(unknown)");

	/* The scenario must load; say what is missing when it does not. */
	struct kr_diags diags = { 0 };
	struct kr_scenario *s = NULL;
	if (kr_scenario_load(scenario, &s, &diags) < 0) {
		for (size_t i = 0; i < diags.n; i++) {
			_cleanup_free_ char *line = kr_diag_format(&diags.items[i]);
			kr_warning("%s", line);
		}
	} else {
		printf("next:    kradar validate %s && kradar run %s\n", c->out_dir, scenario);
	}
	kr_scenario_free(s);
	kr_diags_clear(&diags);
	return KR_EXIT_OK;
}

int kr_cmd_fetch(int argc, char **argv)
{
	struct fetch_cmd c = { .self = kr_cli_find("fetch"), .repro_kind = "auto", .crash_index = -1 };
	_cleanup_free_ char *err = NULL;
	if (kr_fetch_library_load(&err) < 0) {
		kr_error("%s", err);
		return KR_EXIT_ENVIRONMENT;
	}
	int code = parse_args(&c, argc, argv);
	if (!code)
		code = run(&c);
	kr_fetcher_free(c.fetcher);
	kr_json_free(c.files);
	kr_json_free(c.assets);
	kr_json_free(c.page);
	for (int k = 0; k < ASSET_KINDS; k++)
		free(c.asset_urls[k]);
	free(c.base_url);
	free(c.answer_url);
	return code;
}
