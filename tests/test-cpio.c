/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/stat.h>

#include "cpio.h"
#include "kr-test.h"

/* Archives are checked with GNU cpio, an independent reader. */
static char *cpio_run(const char *dir, const char *archive, const char *mode)
{
	_cleanup_free_ char *script = kr_asprintf("cd '%s' && cpio %s --quiet < '%s'", dir, mode, archive);
	char *argv[] = { "sh", "-c", script, NULL };
	char *out = NULL, *err = NULL;
	int rc = kr_test_spawn(argv, NULL, 0, &out, &err, 60);
	ck_assert_msg(rc == 0, "cpio %s: %s", mode, kr_test_tail(err));
	free(err);
	return out;
}

START_TEST(archive_unpacks_with_gnu_cpio)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *archive = kr_path_join(tmp, "a.cpio");
	struct kr_cpio *c = NULL;
	ck_assert_int_eq(kr_cpio_open(archive, &c), 0);
	ck_assert_int_eq(kr_cpio_add_dir(c, "/proc", 0555), 0);
	ck_assert_int_eq(kr_cpio_add_file(c, "/bin/hello", 0755, "#!/bin/sh\necho hi\n", 18), 0);
	ck_assert_int_eq(kr_cpio_add_file(c, "empty", 0600, NULL, 0), 0);
	ck_assert_int_eq(kr_cpio_add_symlink(c, "/bin/sh", "busybox"), 0);
	ck_assert_int_eq(kr_cpio_add_node(c, "/dev/console", S_IFCHR, 0600, 5, 1), 0);
	ck_assert_int_eq(kr_cpio_add_node(c, "/dev/bad", S_IFREG, 0600, 5, 1), -EINVAL);
	ck_assert_int_eq(kr_cpio_add_file(c, "/", 0600, "x", 1), -EINVAL);
	/* a host tree: a file with odd length, a nested dir and a symlink */
	_cleanup_free_ char *host = kr_path_join(tmp, "host");
	free(kr_test_write(host, "data/x.bin", "12345"));
	free(kr_test_write(host, "data/sub/y", "abc"));
	_cleanup_free_ char *link = kr_path_join(host, "data/link");
	ck_assert_int_eq(symlink("x.bin", link), 0);
	_cleanup_free_ char *data = kr_path_join(host, "data");
	ck_assert_int_eq(kr_cpio_add_host(c, "/opt/data", data), 0);
	ck_assert_int_eq(kr_cpio_add_host(c, "/opt/none", "/nonexistent/x"), -ENOENT);
	ck_assert_int_eq(kr_cpio_finish(c), 0);

	struct stat st;
	ck_assert_int_eq(stat(archive, &st), 0);
	ck_assert_int_eq(st.st_size % 4, 0);

	_cleanup_free_ char *list = cpio_run(tmp, archive, "-itv");
	ck_assert_msg(strstr(list, "crw-------") && strstr(list, "5,") && strstr(list, "dev/console"),
		      "%s", list);
	ck_assert_msg(strstr(list, "dr-xr-xr-x") && strstr(list, "proc"), "%s", list);
	ck_assert_msg(strstr(list, "bin/sh -> busybox"), "%s", list);
	/* parents were added once each */
	const char *first = strstr(list, " bin\n");
	ck_assert_ptr_nonnull(first);
	ck_assert_ptr_null(strstr(first + 1, " bin\n"));

	_cleanup_free_ char *out = kr_path_join(tmp, "out");
	ck_assert_int_eq(kr_mkdir_p(out, 0755), 0);
	_cleanup_free_ char *unused = cpio_run(out, archive,
					       "-id --no-absolute-filenames --nonmatching dev/*");
	_cleanup_free_ char *hello = NULL, *x = NULL, *y = NULL;
	size_t len;
	_cleanup_free_ char *p1 = kr_path_join(out, "bin/hello");
	ck_assert_int_eq(kr_read_file(p1, 1024, &hello, &len), 0);
	ck_assert_str_eq(hello, "#!/bin/sh\necho hi\n");
	ck_assert_int_eq(stat(p1, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0755);
	_cleanup_free_ char *p2 = kr_path_join(out, "opt/data/x.bin");
	ck_assert_int_eq(kr_read_file(p2, 1024, &x, &len), 0);
	ck_assert_str_eq(x, "12345");
	_cleanup_free_ char *p3 = kr_path_join(out, "opt/data/sub/y");
	ck_assert_int_eq(kr_read_file(p3, 1024, &y, &len), 0);
	ck_assert_str_eq(y, "abc");
	_cleanup_free_ char *p4 = kr_path_join(out, "opt/data/link");
	char target[64] = { 0 };
	ck_assert_int_eq(readlink(p4, target, sizeof(target) - 1), 5);
	ck_assert_str_eq(target, "x.bin");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(header_is_newc)
{
	const char *tmp = kr_test_tmpdir();
	_cleanup_free_ char *archive = kr_path_join(tmp, "b.cpio");
	struct kr_cpio *c = NULL;
	ck_assert_int_eq(kr_cpio_open(archive, &c), 0);
	ck_assert_int_eq(kr_cpio_add_file(c, "ab", 0644, "xyz", 3), 0);
	ck_assert_int_eq(kr_cpio_finish(c), 0);
	_cleanup_free_ char *data = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(archive, 4096, &data, &len), 0);
	/* magic, ino 1, mode 0100644, ..., filesize 3, ..., namesize 3 */
	ck_assert_int_eq(memcmp(data, "07070100000001000081A4", 22), 0);
	ck_assert_int_eq(memcmp(data + 6 + 6 * 8, "00000003", 8), 0);
	ck_assert_int_eq(memcmp(data + 6 + 11 * 8, "00000003", 8), 0);
	/* 110 + "ab\0" = 113, padded to 116; data 3 padded to 4 */
	ck_assert_int_eq(memcmp(data + 110, "ab\0\0\0\0", 6), 0);
	ck_assert_int_eq(memcmp(data + 116, "xyz\0", 4), 0);
	ck_assert_int_eq(memcmp(data + 120, "070701", 6), 0);
	ck_assert_ptr_nonnull(memmem(data, len, "TRAILER!!!", 10));
	kr_cpio_free(NULL);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cpio");
	TCase *tc = tcase_create("cpio");
	tcase_add_test(tc, archive_unpacks_with_gnu_cpio);
	tcase_add_test(tc, header_is_newc);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
