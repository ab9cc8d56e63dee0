/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "json-pos.h"
#include "kr-test.h"
#include "util.h"

static struct kr_json_pos_index *index_of(const char *text)
{
	return kr_json_pos_index_new(text, strlen(text));
}

#define ck_pos(p, l, c)                                                        \
	do {                                                                   \
		struct kr_json_pos _p = (p);                                   \
		ck_assert_int_eq(_p.line, (l));                                \
		ck_assert_int_eq(_p.column, (c));                              \
	} while (0)

START_TEST(nested_positions)
{
	const char *text = "{\n"
			   "  \"a\": 1,\n"
			   "  \"b\": { \"c\": [10, {\"d\": true}] },\n"
			   "  \"e f\": \"x\"\n"
			   "}\n";
	struct kr_json_pos_index *idx = index_of(text);
	ck_pos(kr_json_pos_value(idx, ""), 1, 1);
	ck_pos(kr_json_pos_key(idx, "a"), 2, 3);
	ck_pos(kr_json_pos_value(idx, "a"), 2, 8);
	ck_pos(kr_json_pos_value(idx, "b"), 3, 8);
	ck_pos(kr_json_pos_value(idx, "b.c"), 3, 15);
	ck_pos(kr_json_pos_value(idx, "b.c[0]"), 3, 16);
	ck_pos(kr_json_pos_value(idx, "b.c[1].d"), 3, 26);
	ck_pos(kr_json_pos_key(idx, "[\"e f\"]"), 4, 3);
	ck_pos(kr_json_pos_value(idx, "nope"), 1, 1);
	kr_json_pos_index_free(idx);
}
END_TEST

START_TEST(columns_count_characters)
{
	/* "é" is two bytes but one column, as in jansson's messages. */
	const char *text = "{\"é\": \"ü\", \"k\": 1}";
	struct kr_json_pos_index *idx = index_of(text);
	ck_pos(kr_json_pos_value(idx, "[\"é\"]"), 1, 7);
	ck_pos(kr_json_pos_key(idx, "k"), 1, 12);
	kr_json_pos_index_free(idx);
}
END_TEST

START_TEST(escaped_keys_are_decoded)
{
	const char *text = "{\"a\\u0062\": 1, \"q\\\"\": 2}";
	struct kr_json_pos_index *idx = index_of(text);
	ck_pos(kr_json_pos_value(idx, "ab"), 1, 13);
	ck_pos(kr_json_pos_value(idx, "[\"q\\\"\"]"), 1, 23);
	kr_json_pos_index_free(idx);
}
END_TEST

/* Keys are decoded as jansson decodes them: UTF-8 of 2, 3 and 4 bytes
 * (a surrogate pair), and the one-letter escapes. */
START_TEST(every_escape_is_decoded)
{
	const char *text = "{\"\\u00e9\": 1, \"\\u20ac\": 2, \"\\ud83d\\ude00\": 3, "
			   "\"a\\nb\\tc\\\\d\\/e\": 4}";
	struct kr_json_pos_index *idx = index_of(text);
	ck_pos(kr_json_pos_value(idx, "[\"\xc3\xa9\"]"), 1, 12);
	ck_pos(kr_json_pos_value(idx, "[\"\xe2\x82\xac\"]"), 1, 25);
	ck_pos(kr_json_pos_key(idx, "[\"\xf0\x9f\x98\x80\"]"), 1, 28);
	ck_pos(kr_json_pos_value(idx, "[\"\xf0\x9f\x98\x80\"]"), 1, 44);
	_cleanup_free_ char *odd = kr_json_path_key("", "a\nb\tc\\d/e");
	ck_pos(kr_json_pos_key(idx, odd), 1, 47);
	ck_pos(kr_json_pos_value(idx, odd), 1, 64);
	kr_json_pos_index_free(idx);
}
END_TEST

START_TEST(paths)
{
	_cleanup_free_ char *a = kr_json_path_key("", "kernel");
	ck_assert_str_eq(a, "kernel");
	_cleanup_free_ char *b = kr_json_path_key(a, "image");
	ck_assert_str_eq(b, "kernel.image");
	_cleanup_free_ char *c = kr_json_path_key("repro.files", "dir/a b");
	ck_assert_str_eq(c, "repro.files[\"dir/a b\"]");
	_cleanup_free_ char *d = kr_json_path_index("vm.args", 3);
	ck_assert_str_eq(d, "vm.args[3]");
}
END_TEST

START_TEST(truncated_input_does_not_crash)
{
	const char *texts[] = { "", "{", "{\"a\":", "[1,", "{\"a\": \"\\u12", "\"x" };
	for (size_t i = 0; i < KR_ARRAY_SIZE(texts); i++)
		kr_json_pos_index_free(index_of(texts[i]));
	kr_json_pos_index_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json-pos");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, nested_positions);
	tcase_add_test(tc, columns_count_characters);
	tcase_add_test(tc, escaped_keys_are_decoded);
	tcase_add_test(tc, every_escape_is_decoded);
	tcase_add_test(tc, paths);
	tcase_add_test(tc, truncated_input_does_not_crash);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
