/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "json-query.h"
#include "kr-test.h"

START_TEST(fields_at_dotted_paths)
{
	const char *text = "{\"timestamp\":{\"seconds\":1},\"event\":\"MIGRATION\","
			   "\"data\":{\"status\":\"completed\",\"n\":3,\"z\":null}}\r\n";
	_cleanup_json_msg_free_ struct kr_json_msg *m = NULL;
	ck_assert_int_eq(kr_json_msg_parse(text, strlen(text), &m, NULL), 0);
	ck_assert_str_eq(kr_json_msg_string(m, "event"), "MIGRATION");
	ck_assert_str_eq(kr_json_msg_string(m, "data.status"), "completed");
	ck_assert(kr_json_msg_has(m, "data.z"));
	ck_assert(kr_json_msg_has(m, "data.n"));
	ck_assert_ptr_null(kr_json_msg_string(m, "data.n")); /* not a string */
	ck_assert(!kr_json_msg_has(m, "data.status.x"));    /* through a string */
	ck_assert(!kr_json_msg_has(m, "return"));
	ck_assert(kr_json_msg_has(m, ""));
}
END_TEST

START_TEST(bad_json_says_where)
{
	const char *bad[] = { "{\"event\":", "{\"a\":1,\"a\":2}", "", "{\"x\":1} trailing" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(bad); i++) {
		_cleanup_json_msg_free_ struct kr_json_msg *m = NULL;
		_cleanup_free_ char *err = NULL;
		ck_assert_int_eq(kr_json_msg_parse(bad[i], strlen(bad[i]), &m, &err), -EINVAL);
		ck_assert_ptr_null(m);
		KR_ASSERT_HAS(err, "invalid JSON at column");
	}
	kr_json_msg_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json-query");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, fields_at_dotted_paths);
	tcase_add_test(tc, bad_json_says_where);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
