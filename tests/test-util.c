/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kr-test.h"
#include "util.h"

START_TEST(buf_respects_cap)
{
	struct kr_buf b = KR_BUF_INIT(8);
	ck_assert_int_eq(kr_buf_adds(&b, "12345"), 0);
	ck_assert_int_eq(kr_buf_adds(&b, "6789"), -E2BIG);
	ck_assert_str_eq(b.data, "12345"); /* unchanged by the failed add */
	ck_assert_int_eq(kr_buf_adds(&b, "678"), 0);
	ck_assert_uint_eq(b.len, 8);
	ck_assert_int_eq(kr_buf_addc(&b, 'x'), -E2BIG);
	_cleanup_free_ char *s = kr_buf_steal(&b);
	ck_assert_str_eq(s, "12345678");
	ck_assert_ptr_null(b.data);
}
END_TEST

START_TEST(buf_printf_and_binary)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	ck_assert_int_eq(kr_buf_printf(&b, "%d-%s", 42, "x"), 0);
	ck_assert_int_eq(kr_buf_add(&b, "\0y", 2), 0);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_int_eq(memcmp(b.data, "42-x\0y", 6), 0);
	kr_buf_free(&b);
}
END_TEST

START_TEST(path_absolute_folds_dots)
{
	_cleanup_free_ char *a = kr_path_absolute("/a/b", "../c/./d");
	ck_assert_str_eq(a, "/a/c/d");
	_cleanup_free_ char *b = kr_path_absolute("/a/b", "/x//y/");
	ck_assert_str_eq(b, "/x/y");
	_cleanup_free_ char *c = kr_path_absolute("/", "../..");
	ck_assert_str_eq(c, "/");
	_cleanup_free_ char *d = kr_path_dirname("/a/b/c.json");
	ck_assert_str_eq(d, "/a/b");
	_cleanup_free_ char *e = kr_path_dirname("c.json");
	ck_assert_str_eq(e, ".");
}
END_TEST

START_TEST(atomic_write_replaces_whole_file)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *p = kr_path_join(dir, "out.txt");
	ck_assert_int_eq(kr_write_file_atomic(p, "old", 3, 0644), 0);
	ck_assert_int_eq(kr_write_file_atomic(p, "new content", 11, 0600), 0);
	_cleanup_free_ char *data = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(p, 1024, &data, &len), 0);
	ck_assert_str_eq(data, "new content");
	struct stat st;
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	/* no temporary file is left behind */
	_cleanup_free_ char *out = NULL;
	char *argv[] = { "ls", "-A", (char *)dir, NULL };
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &out, NULL, 10), 0);
	ck_assert_str_eq(out, "out.txt\n");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(atomic_write_fails_in_missing_dir)
{
	ck_assert_int_eq(kr_write_file_atomic("/nonexistent-dir/x", "a", 1, 0644), -ENOENT);
}
END_TEST

START_TEST(read_file_limit)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *p = kr_test_write(dir, "f", "0123456789");
	_cleanup_free_ char *data = NULL;
	ck_assert_int_eq(kr_read_file(p, 5, &data, NULL), -EFBIG);
	ck_assert_int_eq(kr_read_file(p, 10, &data, NULL), 0);
	ck_assert_str_eq(data, "0123456789");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(mkdir_p_and_rm_rf)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *deep = kr_path_join(dir, "a/b/c");
	ck_assert_int_eq(kr_mkdir_p(deep, 0755), 0);
	ck_assert_int_eq(kr_mkdir_p(deep, 0755), 0);
	_cleanup_free_ char *f = kr_test_write(deep, "file", "x");
	_cleanup_free_ char *top = kr_path_join(dir, "a");
	ck_assert_int_eq(kr_rm_rf(top), 0);
	struct stat st;
	ck_assert_int_eq(stat(top, &st), -1);
	ck_assert_int_eq(kr_rm_rf(top), 0);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(strv_ops)
{
	_cleanup_strv_free_ char **v = NULL;
	ck_assert_uint_eq(kr_strv_len(v), 0);
	kr_strv_push(&v, kr_strdup("a"));
	kr_strv_pushf(&v, "%s%d", "b", 2);
	ck_assert_uint_eq(kr_strv_len(v), 2);
	ck_assert_str_eq(v[1], "b2");
	_cleanup_strv_free_ char **c = kr_strv_copy(v);
	ck_assert_str_eq(c[0], "a");
	ck_assert_ptr_null(c[2]);
}
END_TEST

START_TEST(parse_long_strict)
{
	long v;
	ck_assert_int_eq(kr_parse_long("42", &v), 0);
	ck_assert_int_eq(v, 42);
	ck_assert_int_eq(kr_parse_long("42x", &v), -EINVAL);
	ck_assert_int_eq(kr_parse_long("", &v), -EINVAL);
	ck_assert_int_eq(kr_parse_long("99999999999999999999", &v), -ERANGE);
}
END_TEST

START_TEST(cache_dir_follows_xdg)
{
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	setenv("HOME", "/home/u", 1);
	_cleanup_free_ char *a = kr_cache_dir();
	ck_assert_str_eq(a, "/x/cache/kradar");
	/* A relative XDG_CACHE_HOME is ignored, as the XDG spec says. */
	setenv("XDG_CACHE_HOME", "rel", 1);
	_cleanup_free_ char *b = kr_cache_dir();
	ck_assert_str_eq(b, "/home/u/.cache/kradar");
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	_cleanup_free_ char *c = kr_cache_dir();
	ck_assert_str_eq(c, "/tmp/kradar-cache");
}
END_TEST

START_TEST(names_from_outside)
{
	ck_assert(kr_name_ok("run-1.x_y"));
	ck_assert(kr_name_ok("..."));
	ck_assert(!kr_name_ok("."));
	ck_assert(!kr_name_ok(".."));
	ck_assert(!kr_name_ok("a/b"));
	ck_assert(!kr_name_ok(""));
	ck_assert(!kr_name_ok(NULL));
	ck_assert(kr_relpath_ok("a/run-1"));
	ck_assert(kr_relpath_ok("a/..b"));
	ck_assert(!kr_relpath_ok("/etc"));
	ck_assert(!kr_relpath_ok("a/../../b"));
	ck_assert(!kr_relpath_ok(".."));
	ck_assert(!kr_relpath_ok("a//b"));
	ck_assert(!kr_relpath_ok("a/"));
	ck_assert(!kr_relpath_ok("./a"));
	ck_assert(!kr_relpath_ok(""));

	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *root = kr_path_join(dir, "root");
	free(kr_test_write(root, "a/f", "x"));
	free(kr_test_write(dir, "outside/f", "secret"));
	_cleanup_free_ char *outside = kr_path_join(dir, "outside");
	_cleanup_free_ char *link = kr_path_join(root, "l");
	ck_assert_int_eq(symlink(outside, link), 0);
	_cleanup_free_ char *flink = kr_path_join(root, "a/g");
	ck_assert_int_eq(symlink("f", flink), 0);
	int fd = kr_open_beneath(root, "a/f", O_RDONLY, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fd);
	ck_assert_int_eq(kr_open_beneath(root, "l/f", O_RDONLY, 0), -ELOOP);
	ck_assert_int_eq(kr_open_beneath(root, "a/g", O_RDONLY, 0), -ELOOP);
	ck_assert_int_eq(kr_open_beneath(root, "../outside/f", O_RDONLY, 0), -EINVAL);
	ck_assert_int_eq(kr_open_beneath(root, "/etc/passwd", O_RDONLY, 0), -EINVAL);
	fd = kr_open_beneath(root, "a/new", O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("util");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, buf_respects_cap);
	tcase_add_test(tc, buf_printf_and_binary);
	tcase_add_test(tc, path_absolute_folds_dots);
	tcase_add_test(tc, atomic_write_replaces_whole_file);
	tcase_add_test(tc, atomic_write_fails_in_missing_dir);
	tcase_add_test(tc, read_file_limit);
	tcase_add_test(tc, mkdir_p_and_rm_rf);
	tcase_add_test(tc, strv_ops);
	tcase_add_test(tc, parse_long_strict);
	tcase_add_test(tc, cache_dir_follows_xdg);
	tcase_add_test(tc, names_from_outside);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
