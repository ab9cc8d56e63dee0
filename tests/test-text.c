/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include "kr-test.h"
#include "text.h"

static void visible_is(const char *in, size_t len, unsigned flags, const char *want)
{
	_cleanup_free_ char *got = kr_text_visible(in, len, flags);
	ck_assert_str_eq(got, want);
}

START_TEST(visible)
{
	visible_is("plain text", 10, 0, "plain text");
	visible_is("a\tb\nc", 5, 0, "a\tb\nc");
	visible_is("a\tb\nc", 5, KR_TEXT_ONE_LINE, "a b c");
	visible_is("crlf\r\nend\r\n", 11, 0, "crlf\nend\n");
	visible_is("crlf\r\nend", 9, KR_TEXT_ONE_LINE, "crlf end");
	visible_is("lone\rcr", 7, 0, "lone\\x0dcr");
	visible_is("nul\0x", 5, 0, "nul\\x00x");
	visible_is("\033[31mred\033[0m", 12, 0, "\\x1b[31mred\\x1b[0m");
	visible_is("del\x7f", 4, 0, "del\\x7f");
	/* Valid UTF-8 stays; C1 controls and U+FFFE/U+FFFF do not. */
	visible_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7", 14, 0, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7");
	visible_is("\xc2\x85|\xef\xbf\xbe|\xef\xbf\xbf", 10, 0, "\\xc2\\x85|\\xef\\xbf\\xbe|\\xef\\xbf\\xbf");
	/* Invalid: a lone continuation, a truncated sequence, an overlong
	 * form, a surrogate, beyond U+10FFFF. */
	visible_is("\x80", 1, 0, "\\x80");
	visible_is("\xe2\x82", 2, 0, "\\xe2\\x82");
	visible_is("\xc0\xaf", 2, 0, "\\xc0\\xaf");
	visible_is("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80");
	visible_is("\xf4\x90\x80\x80", 4, 0, "\\xf4\\x90\\x80\\x80");
	/* "]]>" and backslashes are not this module's business. */
	visible_is("]]> \\x41", 8, 0, "]]> \\x41");
}
END_TEST

START_TEST(visible_cap)
{
	struct kr_buf b = KR_BUF_INIT(10);
	ck_assert_int_eq(kr_text_visible_append(&b, "0123456789abc", 13, 0), -E2BIG);
	ck_assert_uint_le(b.len, 10);
	kr_buf_free(&b);
}
END_TEST

START_TEST(excerpt)
{
	_cleanup_free_ char *all = kr_text_excerpt("short\n", 6, 4, 4);
	ck_assert_str_eq(all, "short\n");
	/* Cut at line ends: the head keeps whole lines, the tail starts at
	 * a line start, and the marker counts every byte left out. */
	const char *text = "line1\nline2\nline3\nline4\nline5\n";
	size_t len = strlen(text);
	_cleanup_free_ char *ex = kr_text_excerpt(text, len, 8, 8);
	ck_assert_str_eq(ex, "line1\n[... kradar: 18 bytes omitted ...]\nline5\n");
	/* No line end at all: cut at character boundaries. */
	const char *word = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
	_cleanup_free_ char *w = kr_text_excerpt(word, 10, 3, 3);
	ck_assert_str_eq(w, "\xc3\xa9\n[... kradar: 6 bytes omitted ...]\n\xc3\xa9");
}
END_TEST

START_TEST(file_excerpt)
{
	const char *dir = kr_test_tmpdir();
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	for (int i = 0; i < 10000; i++)
		kr_buf_printf(&b, "line %d \033\n", i);
	_cleanup_free_ char *path = kr_path_join(dir, "console.log");
	ck_assert_int_eq(kr_write_file_atomic(path, b.data, b.len, 0644), 0);
	_cleanup_free_ char *ex = NULL;
	ck_assert_int_eq(kr_text_file_excerpt(path, 100, 100, &ex), 0);
	_cleanup_free_ char *mem = kr_text_excerpt(b.data, b.len, 100, 100);
	ck_assert_str_eq(ex, mem);
	ck_assert(kr_str_startswith(ex, "line 0 \\x1b\nline 1 \\x1b\n"));
	ck_assert_ptr_nonnull(strstr(ex, "line 9999 \\x1b\n"));
	ck_assert_ptr_nonnull(strstr(ex, " bytes omitted ...]\n"));
	ck_assert_uint_lt(strlen(ex), 400);
	_cleanup_free_ char *missing = kr_path_join(dir, "nope");
	char *out = NULL;
	ck_assert_int_eq(kr_text_file_excerpt(missing, 10, 10, &out), -ENOENT);
	/* an artifact that is a symlink (a results.json from elsewhere) is not read */
	_cleanup_free_ char *link = kr_path_join(dir, "linked-console.log");
	ck_assert_int_eq(symlink(path, link), 0);
	ck_assert_int_eq(kr_text_file_excerpt(link, 10, 10, &out), -ELOOP);
	kr_buf_free(&b);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(truncation)
{
	_cleanup_free_ char *a = kr_text_truncate("short", 10);
	ck_assert_str_eq(a, "short");
	_cleanup_free_ char *b = kr_text_truncate("0123456789abcdef", 10);
	ck_assert_str_eq(b, "0123456...");
	/* Never in the middle of a character. */
	_cleanup_free_ char *c = kr_text_truncate("aaaaa\xc3\xa9\xc3\xa9\xc3\xa9", 9);
	ck_assert_str_eq(c, "aaaaa...");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text");
	tcase_add_test(tc, visible);
	tcase_add_test(tc, visible_cap);
	tcase_add_test(tc, excerpt);
	tcase_add_test(tc, file_excerpt);
	tcase_add_test(tc, truncation);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
