/* SPDX-License-Identifier: MIT */
/* The bug page's crash table: assets per crash, links resolved, kinds
 * told from the links' words, and pages that are not what they should be
 * (the .html files of tests/data/syzbot). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kr-test.h"
#include "syzbot-html.h"
#include "syzbot.h"
#include "util.h"

#define PAGE "https://syzkaller.example/bug?extid=0123456789abcdef0123"
#define ANSWER PAGE "&json=1"
#define GCS "https://storage.googleapis.com/syzbot-assets/"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *fixture(const char *name, size_t *len)
{
	_cleanup_free_ char *rel = kr_path_join("syzbot", name);
	_cleanup_free_ char *path = kr_path_join(kr_test_data(), rel);
	char *text = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &text, len), 0);
	return text;
}

static struct kr_syzbot_page *parse_fixture(const char *name, const char *url)
{
	size_t len;
	_cleanup_free_ char *html = fixture(name, &len);
	struct kr_syzbot_page *p = NULL;
	_cleanup_free_ char *err = NULL;
	int r = kr_syzbot_page_parse(url, html, len, &p, &err);
	ck_assert_msg(r == 0, "%s: %s", name, err ? err : strerror(-r));
	ck_assert_ptr_null(err);
	return p;
}

static struct kr_syzbot_bug *parse_json(const char *text, size_t len)
{
	struct kr_syzbot_bug *b = NULL;
	_cleanup_free_ char *err = NULL;
	int r = kr_syzbot_parse(ANSWER, text, len, &b, &err);
	ck_assert_msg(r == 0, "%s", err ? err : "");
	return b;
}

static void check_asset(const struct kr_page_crash *c, size_t i, enum kr_page_asset_kind kind,
			const char *title, const char *url)
{
	ck_assert_uint_lt(i, c->n_assets);
	ck_assert_str_eq(kr_page_asset_kind_to_string(c->assets[i].kind),
			 kr_page_asset_kind_to_string(kind));
	ck_assert_str_eq(c->assets[i].title, title);
	ck_assert_str_eq(c->assets[i].url, url);
}

START_TEST(bug_page)
{
	_cleanup_syzbot_page_free_ struct kr_syzbot_page *p = parse_fixture("bug.html", PAGE);
	/* The similar-bugs and discussions tables come first: not crashes. */
	ck_assert_uint_eq(p->n_crashes, 2);
	const struct kr_page_crash *c0 = &p->crashes[0], *c1 = &p->crashes[1];
	ck_assert_uint_eq(c0->n_assets, 3);
	check_asset(c0, 0, KR_PAGE_ASSET_DISK, "disk image", GCS "aaaaaaaaaaaa/disk-22222222.raw.xz");
	check_asset(c0, 1, KR_PAGE_ASSET_VMLINUX, "vmlinux", GCS "bbbbbbbbbbbb/vmlinux-22222222.xz");
	check_asset(c0, 2, KR_PAGE_ASSET_KERNEL, "kernel image",
		    GCS "cccccccccccc/bzImage-22222222.xz");
	ck_assert_ptr_null(c0->syz_link);
	ck_assert_ptr_null(c0->c_link);
	ck_assert_str_eq(c0->report_link,
			 "https://syzkaller.example/text?tag=CrashReport&x=1000000000000000");

	/* A relative link, resolved against the page; the file system
	 * check's log is not an asset. */
	ck_assert_uint_eq(c1->n_assets, 4);
	check_asset(c1, 0, KR_PAGE_ASSET_DISK, "disk image", GCS "dddddddddddd/disk-44444444.raw.xz");
	check_asset(c1, 1, KR_PAGE_ASSET_VMLINUX, "vmlinux", GCS "eeeeeeeeeeee/vmlinux-44444444.xz");
	check_asset(c1, 2, KR_PAGE_ASSET_KERNEL, "kernel image",
		    "https://syzkaller.example/syzbot-assets/ffffffffffff/bzImage-44444444.xz");
	check_asset(c1, 3, KR_PAGE_ASSET_MOUNTED, "mounted in repro", GCS "999999999999/mount_0.gz");
	ck_assert_ptr_null(c1->rejected);
	ck_assert_str_eq(c1->title, "INFO: task hung in vhost_dev_flush");
	/* The syz cell's first link is the program (the second its log). */
	ck_assert_str_eq(c1->syz_link, "https://syzkaller.example/text?tag=ReproSyz&x=2000000000000000");
	ck_assert_str_eq(c1->c_link, "https://syzkaller.example/text?tag=ReproC&x=3000000000000000");
	ck_assert_str_eq(c1->log_link, "https://syzkaller.example/text?tag=CrashLog&x=5000000000000000");

	/* The JSON's crashes are the page's rows. */
	size_t len;
	_cleanup_free_ char *json = fixture("bug.json", &len);
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *bug = parse_json(json, len);
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, bug, 0, ANSWER), 0);
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, bug, 1, ANSWER), 1);
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, bug, 2, ANSWER), -1);
}
END_TEST

START_TEST(several_crashes)
{
	_cleanup_syzbot_page_free_ struct kr_syzbot_page *p = parse_fixture("bug-crashes.html", PAGE);
	ck_assert_uint_eq(p->n_crashes, 3);
	const struct kr_page_crash *c = p->crashes;
	ck_assert_uint_eq(c[0].n_assets, 5);
	check_asset(&c[0], 3, KR_PAGE_ASSET_MOUNTED, "mounted in repro #1", GCS "a4a4a4a4a4a4/mount_0.gz");
	check_asset(&c[0], 4, KR_PAGE_ASSET_MOUNTED, "mounted in repro #2", GCS "a5a5a5a5a5a5/mount_3.gz");
	/* The second crash has no assets. */
	ck_assert_uint_eq(c[1].n_assets, 0);
	ck_assert_ptr_null(c[1].c_link);
	ck_assert_str_eq(c[1].syz_link, "https://syzkaller.example/text?tag=ReproSyz&x=2200000000000000");
	/* The third: a non-bootable disk, a kind named by the title attribute
	 * only, words over two lines; the coverage report is left out. */
	ck_assert_uint_eq(c[2].n_assets, 3);
	check_asset(&c[2], 0, KR_PAGE_ASSET_DISK_NONBOOTABLE, "disk image (non-bootable)",
		    GCS "c1c1c1c1c1c1/non_bootable_disk-cccccccc.raw.xz");
	check_asset(&c[2], 1, KR_PAGE_ASSET_VMLINUX, "vmlinux", GCS "c2c2c2c2c2c2/vmlinux-cccccccc.xz");
	check_asset(&c[2], 2, KR_PAGE_ASSET_KERNEL, "kernel image",
		    GCS "c3c3c3c3c3c3/bzImage-cccccccc.xz");
	ck_assert_str_eq(c[2].title, "KASAN: slab-use-after-free Read in hfsplus_bnode_put");

	size_t len;
	_cleanup_free_ char *json = fixture("bug-crashes.json", &len);
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *bug = parse_json(json, len);
	for (size_t i = 0; i < 3; i++)
		ck_assert_int_eq(kr_syzbot_page_find_crash(p, bug, i, ANSWER), (long)i);
}
END_TEST

/* Rows are matched by their links first, by position only when the
 * counts agree and no link says otherwise. */
START_TEST(matching_rows)
{
	_cleanup_syzbot_page_free_ struct kr_syzbot_page *p = parse_fixture("bug-crashes.html", PAGE);
	/* Out of order: by the report link, then by the reproducers'. */
	const char *shuffled =
		"{\"version\": 1, \"title\": \"t\", \"crashes\": ["
		"{\"title\": \"a\", \"crash-report-link\": \"/text?tag=CrashReport&x=4300000000000000\"},"
		"{\"title\": \"b\", \"syz-reproducer\": \"/text?tag=ReproSyz&x=2100000000000000\"},"
		"{\"title\": \"c\", \"c-reproducer\": \"" "https://syzkaller.example/text?tag=ReproC&x=3300000000000000\"}]}";
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *b1 = parse_json(shuffled, strlen(shuffled));
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, b1, 0, ANSWER), 2);
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, b1, 1, ANSWER), 0);
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, b1, 2, ANSWER), 2);
	/* No links: the same position when the counts agree ... */
	const char *bare3 = "{\"version\": 1, \"title\": \"t\", \"crashes\": ["
			    "{\"title\": \"a\"}, {\"title\": \"b\"}, {\"title\": \"c\"}]}";
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *b2 = parse_json(bare3, strlen(bare3));
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, b2, 1, ANSWER), 1);
	/* ... and none when they do not. */
	const char *bare2 = "{\"version\": 1, \"title\": \"t\", \"crashes\": ["
			    "{\"title\": \"a\"}, {\"title\": \"b\"}]}";
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *b3 = parse_json(bare2, strlen(bare2));
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, b3, 1, ANSWER), -1);
	/* A link the page does not have, counts that differ: none. */
	const char *other = "{\"version\": 1, \"title\": \"t\", \"crashes\": ["
			    "{\"title\": \"a\", \"syz-reproducer\": \"/text?tag=ReproSyz&x=1\"}]}";
	_cleanup_syzbot_bug_free_ struct kr_syzbot_bug *b4 = parse_json(other, strlen(other));
	ck_assert_int_eq(kr_syzbot_page_find_crash(p, b4, 0, ANSWER), -1);
}
END_TEST

START_TEST(no_assets)
{
	_cleanup_syzbot_page_free_ struct kr_syzbot_page *p =
		parse_fixture("bug-no-assets.html", PAGE);
	ck_assert_uint_eq(p->n_crashes, 2);
	for (size_t i = 0; i < 2; i++) {
		ck_assert_uint_eq(p->crashes[i].n_assets, 0);
		ck_assert_ptr_null(p->crashes[i].rejected);
	}
	ck_assert_str_eq(p->crashes[0].c_link, "https://syzkaller.example/text?tag=ReproC&x=5");
	ck_assert_str_eq(p->crashes[1].title, "WARNING in foo");
}
END_TEST

START_TEST(link_schemes)
{
	_cleanup_syzbot_page_free_ struct kr_syzbot_page *p =
		parse_fixture("bug-schemes.html", "https://dash.example/bug?extid=0123456789abcdef0123");
	ck_assert_uint_eq(p->n_crashes, 1);
	const struct kr_page_crash *c = &p->crashes[0];
	ck_assert_uint_eq(c->n_assets, 3);
	check_asset(c, 0, KR_PAGE_ASSET_DISK, "disk image",
		    "https://dash.example/assets/disk-12345678.raw.xz");
	check_asset(c, 1, KR_PAGE_ASSET_VMLINUX, "vmlinux",
		    "https://mirror.example.org/syzbot-assets/0000/vmlinux-12345678.xz");
	check_asset(c, 2, KR_PAGE_ASSET_KERNEL, "kernel image",
		    "https://dash.example/x/bzImage-12345678.xz?a=1&b=2");
	ck_assert_uint_eq(kr_strv_len(c->rejected), 4);
	ck_assert_str_eq(c->rejected[0], "ftp://files.example.org/disk-12345678.raw.xz");
	ck_assert_str_eq(c->rejected[1], "javascript:alert(1)");
	ck_assert_str_eq(c->rejected[2], "file:///etc/passwd");
	ck_assert_str_eq(c->rejected[3], "data:text/plain,x");
}
END_TEST

/* Cut short in a link: what can be read, and never a half link. */
START_TEST(truncated_page)
{
	size_t len;
	_cleanup_free_ char *html = fixture("bug-truncated.html", &len);
	struct kr_syzbot_page *p = NULL;
	_cleanup_free_ char *err = NULL;
	int r = kr_syzbot_page_parse(PAGE, html, len, &p, &err);
	if (r < 0) {
		ck_assert_int_eq(r, -EBADMSG);
		ck_assert_ptr_nonnull(strstr(err, PAGE));
		return;
	}
	ck_assert_uint_eq(p->n_crashes, 1);
	ck_assert_uint_le(p->crashes[0].n_assets, 1);
	if (p->crashes[0].n_assets)
		check_asset(&p->crashes[0], 0, KR_PAGE_ASSET_DISK, "disk image",
			    GCS "1234/disk-abcdef01.raw.xz");
	kr_syzbot_page_free(p);
}
END_TEST

static int parse_text(const char *html, size_t len, struct kr_syzbot_page **p, char **err)
{
	return kr_syzbot_page_parse(PAGE, html, len, p, err);
}

START_TEST(garbage)
{
	struct kr_syzbot_page *p = NULL;
	/* Nothing, text, a JSON answer by mistake, bytes. */
	const char *texts[] = { "", "not a page at all\n", "{\"version\": 1, \"crashes\": []}",
				"<html><body><table><tr><td>no header</td></tr></table></body></html>",
				"<table class=\"list_table\"><thead><tr><th>Time</th><th>Title</th>"
				"</tr></thead><tr><td>1</td><td>x</td></tr></table>" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(texts); i++) {
		_cleanup_free_ char *err = NULL;
		ck_assert_int_eq(parse_text(texts[i], strlen(texts[i]), &p, &err), -EBADMSG);
		ck_assert_ptr_null(p);
		ck_assert_msg(err && kr_str_startswith(err, PAGE ": "), "%s", err ? err : "(null)");
	}
	/* Random bytes with NULs and markup characters (a fixed seed). */
	size_t n = 1 << 16;
	_cleanup_free_ char *bytes = kr_malloc(n);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		const char pick[] = "<>/=\"' atdrhble\0\xff\xc2";
		bytes[i] = (x >> 16) & 1 ? pick[(x >> 17) % (sizeof(pick) - 1)] : (char)(x >> 20);
	}
	_cleanup_free_ char *err = NULL;
	int r = parse_text(bytes, n, &p, &err);
	ck_assert(r == 0 || r == -EBADMSG);
	kr_syzbot_page_free(p);
	p = NULL;

	/* Deep nesting before a good table: read without recursion. */
	struct kr_buf deep = KR_BUF_INIT(SIZE_MAX);
	for (int i = 0; i < 100000; i++)
		kr_buf_adds(&deep, "<div><span>");
	kr_buf_adds(&deep, "<table><tr><th>Assets</th></tr><tr><td><a href=\"/d.raw.xz\">disk "
			   "image</a></td></tr></table>");
	_cleanup_free_ char *err2 = NULL;
	r = parse_text(deep.data, deep.len, &p, &err2);
	ck_assert(r == 0 || r == -EBADMSG);
	kr_syzbot_page_free(p);
	kr_buf_free(&deep);
}
END_TEST

/* Input that its declared encoding cannot convert: libxml2 complains
 * through its error handlers, which must stay silent. */
START_TEST(never_prints)
{
	const char *html = "<html><head><meta charset=\"shift_jis\"></head><body>\x82\xa0\xff\xff"
			   "<table><tr><th>Assets<tr><td><a href=\"/d.raw.xz\">disk image</a>"
			   "</table>";
	_cleanup_free_ char *path = kr_path_join(kr_test_tmpdir(), "stderr");
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ck_assert_int_ge(fd, 0);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	ck_assert_int_ge(saved, 0);
	ck_assert_int_eq(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	struct kr_syzbot_page *p = NULL;
	_cleanup_free_ char *err = NULL;
	int r = parse_text(html, strlen(html), &p, &err);
	fflush(stderr);
	ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	close(fd);
	_cleanup_free_ char *printed = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &printed, &len), 0);
	ck_assert_msg(len == 0, "printed: %s", printed);
	ck_assert(r == 0 || r == -EBADMSG);
	kr_syzbot_page_free(p);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(size_cap)
{
	size_t n = (size_t)KR_SYZBOT_PAGE_MAX + 1;
	_cleanup_free_ char *big = kr_malloc(n);
	memset(big, ' ', n);
	struct kr_syzbot_page *p = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(parse_text(big, n, &p, &err), -EFBIG);
	ck_assert_ptr_null(p);
	ck_assert_msg(strstr(err, "larger than the limit of 8388608 bytes"), "%s", kr_test_tail(err));
	/* At the cap: parsed (and, all blanks, no table). */
	_cleanup_free_ char *err2 = NULL;
	ck_assert_int_eq(parse_text(big, n - 1, &p, &err2), -EBADMSG);
}
END_TEST

/* The fuzz target's checks (tests/fuzz/fuzz-syzbot-html.c; it aborts on
 * a failed one) over the saved pages, whole and cut at every 97th byte. */
START_TEST(fuzz_target_on_saved_pages)
{
	const char *names[] = { "bug.html", "bug-crashes.html", "bug-no-assets.html",
				"bug-schemes.html", "bug-truncated.html", "bug.json" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(names); i++) {
		size_t len;
		_cleanup_free_ char *html = fixture(names[i], &len);
		for (size_t cut = len; cut > 0; cut = cut > 97 ? cut - 97 : 0)
			ck_assert_int_eq(LLVMFuzzerTestOneInput((const uint8_t *)html, cut), 0);
	}
	ck_assert_int_eq(LLVMFuzzerTestOneInput((const uint8_t *)"", 0), 0);
}
END_TEST

START_TEST(kind_names)
{
	ck_assert_str_eq(kr_page_asset_kind_to_string(KR_PAGE_ASSET_DISK), "disk");
	ck_assert_str_eq(kr_page_asset_kind_to_string(KR_PAGE_ASSET_DISK_NONBOOTABLE),
			 "disk-nonbootable");
	ck_assert_str_eq(kr_page_asset_kind_to_string(KR_PAGE_ASSET_VMLINUX), "vmlinux");
	ck_assert_str_eq(kr_page_asset_kind_to_string(KR_PAGE_ASSET_KERNEL), "kernel");
	ck_assert_str_eq(kr_page_asset_kind_to_string(KR_PAGE_ASSET_MOUNTED), "mounted");
	kr_syzbot_page_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("syzbot-html");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, bug_page);
	tcase_add_test(tc, several_crashes);
	tcase_add_test(tc, matching_rows);
	tcase_add_test(tc, no_assets);
	tcase_add_test(tc, link_schemes);
	tcase_add_test(tc, truncated_page);
	tcase_add_test(tc, garbage);
	tcase_add_test(tc, never_prints);
	tcase_add_test(tc, size_cap);
	tcase_add_test(tc, fuzz_target_on_saved_pages);
	tcase_add_test(tc, kind_names);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
