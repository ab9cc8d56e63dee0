/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/stat.h>

#include "kr-test.h"
#include "util.h"
#include "xz.h"

/* Compresses DIR/name with the xz tool (xz-utils) into DIR/name.xz. */
static char *xz(const char *dir, const char *name, const char *extra)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	_cleanup_free_ char *cmd = kr_asprintf("xz -k -f %s '%s'", extra, path);
	char *argv[] = { "sh", "-c", cmd, NULL };
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, NULL, NULL, 60), 0);
	return kr_asprintf("%s.xz", path);
}

static char *read_all(const char *path, size_t *len)
{
	char *data = NULL;
	ck_assert_int_eq(kr_read_file(path, 256u << 20, &data, len), 0);
	return data;
}

START_TEST(round_trip_with_digest)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "a.txt", "hello, kernel\n"));
	_cleanup_free_ char *src = xz(dir, "a.txt", "");
	_cleanup_free_ char *dst = kr_path_join(dir, "out.txt");
	char hex[KR_SHA256_HEX_SIZE];
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_xz_decompress_file(src, dst, 1 << 20, hex, &err), 0);
	size_t len;
	_cleanup_free_ char *got = read_all(dst, &len);
	ck_assert_str_eq(got, "hello, kernel\n");
	char want[KR_SHA256_HEX_SIZE];
	kr_sha256_hex("hello, kernel\n", 14, want);
	ck_assert_str_eq(hex, want);

	_cleanup_free_ char *head = NULL;
	ck_assert_int_eq(kr_read_file(src, 1 << 20, &head, &len), 0);
	ck_assert(kr_xz_magic(head, len));
	ck_assert(!kr_xz_magic("hello", 5));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Concatenated streams (xz a; xz b; cat) decompress as one. */
START_TEST(concatenated_streams)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "a", "first\n"));
	free(kr_test_write(dir, "b", "second\n"));
	_cleanup_free_ char *a = xz(dir, "a", "");
	_cleanup_free_ char *b = xz(dir, "b", "");
	_cleanup_free_ char *cat = kr_asprintf("cat '%s' '%s' > '%s/ab.xz'", a, b, dir);
	char *argv[] = { "sh", "-c", cat, NULL };
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, NULL, NULL, 60), 0);
	_cleanup_free_ char *src = kr_path_join(dir, "ab.xz");
	_cleanup_free_ char *dst = kr_path_join(dir, "ab");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_xz_decompress_file(src, dst, 1 << 20, NULL, &err), 0);
	size_t len;
	_cleanup_free_ char *got = read_all(dst, &len);
	ck_assert_str_eq(got, "first\nsecond\n");
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A 64 MiB image of zeros with a marker in the middle comes out with the
 * same content and size, mostly as holes. */
START_TEST(zero_blocks_become_holes)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *img = kr_path_join(dir, "disk.raw");
	FILE *f = fopen(img, "we");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ftruncate(fileno(f), 64 << 20), 0);
	ck_assert_int_eq(fseek(f, 32 << 20, SEEK_SET), 0);
	fputs("MARK", f);
	fclose(f);
	_cleanup_free_ char *src = xz(dir, "disk.raw", "-0");
	_cleanup_free_ char *dst = kr_path_join(dir, "out.raw");
	char hex[KR_SHA256_HEX_SIZE], want[KR_SHA256_HEX_SIZE];
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_xz_decompress_file(src, dst, 1ull << 30, hex, &err), 0);
	ck_assert_int_eq(kr_sha256_file(img, want), 0);
	ck_assert_str_eq(hex, want);
	ck_assert_int_eq(kr_sha256_file(dst, want), 0);
	ck_assert_str_eq(hex, want);
	struct stat st;
	ck_assert_int_eq(stat(dst, &st), 0);
	ck_assert_int_eq(st.st_size, 64 << 20);
	ck_assert_msg(st.st_blocks * 512 < (1 << 20), "allocated %lld bytes",
		      (long long)st.st_blocks * 512);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* Failures leave dst as it was and no temporary file behind. */
static void assert_fails(const char *dir, const char *src, uint64_t max, int want_r,
			 const char *want_msg)
{
	_cleanup_free_ char *dst = kr_test_write(dir, "dst", "previous");
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_xz_decompress_file(src, dst, max, NULL, &err), want_r);
	ck_assert_msg(err && strstr(err, want_msg), "%s", err ? err : "(no message)");
	ck_assert_msg(strncmp(err, src, strlen(src)) == 0, "message names the file: %s", kr_test_tail(err));
	size_t len;
	_cleanup_free_ char *got = read_all(dst, &len);
	ck_assert_str_eq(got, "previous");
	_cleanup_free_ char *ls = kr_asprintf("ls '%s' | grep -c tmp- || true", dir);
	char *argv[] = { "sh", "-c", ls, NULL };
	_cleanup_free_ char *out = NULL;
	kr_test_spawn(argv, NULL, 0, &out, NULL, 30);
	ck_assert_str_eq(out, "0\n");
}

START_TEST(failures)
{
	const char *dir = kr_test_tmpdir();
	struct kr_buf big = KR_BUF_INIT(1 << 20);
	for (int i = 0; i < 10000; i++)
		kr_buf_printf(&big, "line %d of a text that compresses\n", i);
	free(kr_test_write(dir, "big.txt", big.data));
	_cleanup_free_ char *src = xz(dir, "big.txt", "");
	assert_fails(dir, src, 1000, -EFBIG, "decompresses to more than 1000 bytes");

	/* Truncated: the first half of the compressed file. */
	size_t len;
	_cleanup_free_ char *data = read_all(src, &len);
	_cleanup_free_ char *cut = kr_path_join(dir, "cut.xz");
	ck_assert_int_eq(kr_write_file_atomic(cut, data, len / 2, 0644), 0);
	assert_fails(dir, cut, 1 << 30, -EBADMSG, "ends early");

	/* Corrupt: flip bytes in the middle. */
	data[len / 2] ^= 0x55;
	data[len / 2 + 1] ^= 0x55;
	_cleanup_free_ char *bad = kr_path_join(dir, "bad.xz");
	ck_assert_int_eq(kr_write_file_atomic(bad, data, len, 0644), 0);
	assert_fails(dir, bad, 1 << 30, -EBADMSG, "corrupt");

	_cleanup_free_ char *text = kr_test_write(dir, "plain.xz", "not compressed at all\n");
	assert_fails(dir, text, 1 << 30, -EBADMSG, "not an .xz file");

	_cleanup_free_ char *missing = kr_path_join(dir, "missing.xz");
	_cleanup_free_ char *err = NULL;
	_cleanup_free_ char *dst = kr_path_join(dir, "never");
	ck_assert_int_eq(kr_xz_decompress_file(missing, dst, 1, NULL, &err), -ENOENT);
	ck_assert_int_eq(access(dst, F_OK), -1);
	kr_buf_free(&big);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xz");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, round_trip_with_digest);
	tcase_add_test(tc, concatenated_streams);
	tcase_add_test(tc, zero_blocks_become_holes);
	tcase_add_test(tc, failures);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
