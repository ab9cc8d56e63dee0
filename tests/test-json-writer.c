/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "json-writer.h"
#include "kr-test.h"

START_TEST(builds_in_order)
{
	_cleanup_json_free_ struct kr_json *o = kr_json_object();
	kr_json_set(o, "z", kr_json_int(1));
	kr_json_set(o, "a", kr_json_bool(true));
	struct kr_json *arr = kr_json_array();
	kr_json_append(arr, kr_json_string("x"));
	kr_json_append(arr, kr_json_null());
	kr_json_append(arr, kr_json_real(1.5));
	kr_json_set(o, "list", arr);
	char *strv[] = { "p", "q", NULL };
	kr_json_set(o, "v", kr_json_strv(strv));
	kr_json_set(o, "nan", kr_json_real(NAN));
	kr_json_set(o, "missing", kr_json_string(NULL));
	_cleanup_free_ char *s = kr_json_dump(o, false);
	ck_assert_str_eq(s, "{\"z\":1,\"a\":true,\"list\":[\"x\",null,1.5],\"v\":[\"p\",\"q\"],"
			    "\"nan\":null,\"missing\":null}\n");
}
END_TEST

START_TEST(console_bytes_stay_valid_json)
{
	const char raw[] = "a\0b\x1b[31m\xff\xfe\xc3\xa9\xe2\x82\r\n]]>";
	_cleanup_json_free_ struct kr_json *v = kr_json_string_len(raw, sizeof(raw) - 1);
	_cleanup_free_ char *s = kr_json_dump(v, false);
	ck_assert_str_eq(s, "\"a\\u0000b\\u001B[31m\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9"
			    "\xef\xbf\xbd\xef\xbf\xbd\\r\\n]]>\"\n");
}
END_TEST

START_TEST(overlong_and_surrogates_rejected)
{
	/* C0 80 is an overlong NUL; ED A0 80 a UTF-16 surrogate. */
	const char raw[] = "\xc0\x80|\xed\xa0\x80|\xf4\x90\x80\x80";
	_cleanup_json_free_ struct kr_json *v = kr_json_string_len(raw, sizeof(raw) - 1);
	_cleanup_free_ char *s = kr_json_dump(v, false);
	ck_assert_ptr_null(strstr(s, "\xc0"));
	ck_assert_ptr_null(strstr(s, "\xed\xa0"));
	ck_assert_ptr_null(strstr(s, "\xf4\x90"));
}
END_TEST

START_TEST(write_file_atomically)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *p = kr_path_join(dir, "r.json");
	_cleanup_json_free_ struct kr_json *o = kr_json_object();
	kr_json_set(o, "version", kr_json_int(1));
	ck_assert_int_eq(kr_json_write_file(o, p), 0);
	_cleanup_free_ char *data = NULL;
	ck_assert_int_eq(kr_read_file(p, 1024, &data, NULL), 0);
	ck_assert_str_eq(data, "{\n  \"version\": 1\n}\n");
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json-writer");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, builds_in_order);
	tcase_add_test(tc, console_bytes_stay_valid_json);
	tcase_add_test(tc, overlong_and_surrogates_rejected);
	tcase_add_test(tc, write_file_atomically);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
