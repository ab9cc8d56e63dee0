/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kr-test.h"
#include "sha256.h"
#include "util.h"

/* FIPS 180-4 example vectors and a million 'a's. */
START_TEST(known_vectors)
{
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_hex("", 0, hex);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	kr_sha256_hex("abc", 3, hex);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	kr_sha256_hex(two, strlen(two), hex);
	ck_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");

	struct kr_sha256 c;
	kr_sha256_init(&c);
	char a[1000];
	memset(a, 'a', sizeof(a));
	for (int i = 0; i < 1000; i++)
		kr_sha256_update(&c, a, sizeof(a));
	kr_sha256_final_hex(&c, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Feeding the same bytes in pieces of every size gives the same digest,
 * across the 55/56/64-byte padding boundaries. */
START_TEST(split_updates_match)
{
	char data[200];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	for (size_t len = 0; len <= sizeof(data); len++) {
		char whole[KR_SHA256_HEX_SIZE];
		kr_sha256_hex(data, len, whole);
		for (size_t step = 1; step <= 70; step += 3) {
			struct kr_sha256 c;
			kr_sha256_init(&c);
			for (size_t off = 0; off < len; off += step)
				kr_sha256_update(&c, data + off, len - off < step ? len - off : step);
			char parts[KR_SHA256_HEX_SIZE];
			kr_sha256_final_hex(&c, parts);
			ck_assert_msg(strcmp(whole, parts) == 0, "len %zu step %zu", len, step);
		}
	}
}
END_TEST

START_TEST(file_digest)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *p = kr_test_write(dir, "f.txt", "abc");
	char hex[KR_SHA256_HEX_SIZE];
	ck_assert_int_eq(kr_sha256_file(p, hex), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	_cleanup_free_ char *missing = kr_path_join(dir, "missing");
	ck_assert_int_eq(kr_sha256_file(missing, hex), -ENOENT);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A hash abandoned half way is released by clear (or its cleanup attribute);
 * clear on a zeroed struct and after final does nothing, and a cleared
 * struct can be initialised again. */
START_TEST(clear_abandoned)
{
	struct kr_sha256 zero = { 0 };
	kr_sha256_clear(&zero);
	ck_assert_ptr_null(zero.ctx);
	{
		_cleanup_sha256_ struct kr_sha256 c = { 0 };
		kr_sha256_init(&c);
		kr_sha256_update(&c, "abandoned", 9);
	}
	struct kr_sha256 c;
	kr_sha256_init(&c);
	kr_sha256_update(&c, "ab", 2);
	kr_sha256_clear(&c);
	ck_assert_ptr_null(c.ctx);
	kr_sha256_init(&c);
	kr_sha256_update(&c, "abc", 3);
	char hex[KR_SHA256_HEX_SIZE];
	kr_sha256_final_hex(&c, hex);
	ck_assert_ptr_null(c.ctx);
	kr_sha256_clear(&c);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, known_vectors);
	tcase_add_test(tc, split_updates_match);
	tcase_add_test(tc, file_digest);
	tcase_add_test(tc, clear_abandoned);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
