/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "kr-test.h"
#include "syzbot.h"
#include "util.h"

#define SRC "http://127.0.0.1:1/bug?extid=0123456789abcdef0123&json=1"

static char *fixture(size_t *len)
{
	_cleanup_free_ char *path = kr_path_join(kr_test_data(), "syzbot/bug.json");
	char *text = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &text, len), 0);
	return text;
}

START_TEST(parses_the_answer)
{
	size_t len;
	_cleanup_free_ char *text = fixture(&len);
	struct kr_syzbot_bug *b = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_syzbot_parse(SRC, text, len, &b, &err), 0);
	ck_assert_str_eq(b->title, "INFO: task hung in vhost_worker_killed");
	ck_assert_int_eq(b->status, KR_BUG_FIXED);
	ck_assert_str_eq(b->status_text, "fixed on 2025/01/15 10:20");
	ck_assert_uint_eq(b->n_fix_commits, 1);
	ck_assert_str_eq(b->fix_commits[0].hash, "0123456789abcdef0123456789abcdef01234567");
	ck_assert_ptr_null(b->cause_commit);
	ck_assert_uint_eq(kr_strv_len(b->discussions), 1);
	ck_assert_uint_eq(b->n_crashes, 2);
	ck_assert_ptr_null(b->crashes[0].syz_link);
	ck_assert_str_eq(b->crashes[1].syz_link, "/text?tag=ReproSyz&x=2000000000000000");
	ck_assert_str_eq(b->crashes[1].log_link, "/text?tag=CrashLog&x=5000000000000000");
	ck_assert_str_eq(b->crashes[1].architecture, "amd64");
	ck_assert_uint_eq(b->crashes[1].n_assets, 3);
	ck_assert_str_eq(b->crashes[1].assets[2].type, "kernel_object");
	/* The first crash has no reproducer: the second is the one. */
	ck_assert_int_eq(kr_syzbot_best_crash(b), 1);
	_cleanup_free_ char *line = kr_syzbot_status_line(b);
	ck_assert_str_eq(line, "fixed by commit 0123456789ab (\"vhost: wake up the worker before "
			       "flushing\") -- fixed on 2025/01/15 10:20");
	kr_syzbot_bug_free(b);
}
END_TEST

static struct kr_syzbot_bug *parse_ok(const char *text)
{
	struct kr_syzbot_bug *b = NULL;
	_cleanup_free_ char *err = NULL;
	int r = kr_syzbot_parse(SRC, text, strlen(text), &b, &err);
	ck_assert_msg(r == 0, "%s", err ? err : "");
	return b;
}

START_TEST(statuses)
{
	static const struct {
		const char *json;
		enum kr_bug_status status;
		const char *line;
	} cases[] = {
		{ "{\"version\":1,\"title\":\"t\",\"crashes\":[{\"title\":\"t\"}]}", KR_BUG_OPEN,
		  "open" },
		{ "{\"version\":1,\"title\":\"t\",\"status\":\"upstream: reported on 2025/01/01\","
		  "\"fix-commits\":[{\"title\":\"net: fix\"}],\"crashes\":[{\"title\":\"t\"}]}",
		  KR_BUG_OPEN,
		  "open (upstream: reported on 2025/01/01); fix pending: commit \"net: fix\"" },
		{ "{\"version\":1,\"title\":\"t\",\"status\":\"auto-closed as invalid on 2025/02/01\","
		  "\"crashes\":[{\"title\":\"t\"}]}",
		  KR_BUG_INVALID, "invalid (auto-closed as invalid on 2025/02/01)" },
		{ "{\"version\":1,\"title\":\"t\",\"status\":\"closed as dup on 2025/02/01\","
		  "\"crashes\":[{\"title\":\"t\"}]}",
		  KR_BUG_DUP, "duplicate (closed as dup on 2025/02/01)" },
		{ "{\"version\":1,\"title\":\"t\",\"status\":\"fixed on 2025/02/01\","
		  "\"fix-commits\":[{\"title\":\"a\",\"hash\":\"abcdef0123456789\"},{\"title\":\"b\"}],"
		  "\"crashes\":[{\"title\":\"t\"}]}",
		  KR_BUG_FIXED,
		  "fixed by commit abcdef012345 (\"a\") and 1 more -- fixed on 2025/02/01" },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(cases); i++) {
		struct kr_syzbot_bug *b = parse_ok(cases[i].json);
		ck_assert_int_eq(b->status, cases[i].status);
		_cleanup_free_ char *line = kr_syzbot_status_line(b);
		ck_assert_str_eq(line, cases[i].line);
		ck_assert_int_eq(kr_syzbot_best_crash(b), -1);
		kr_syzbot_bug_free(b);
	}
}
END_TEST

/* Each malformed answer gives one line naming the URL, the position and
 * the field. */
static const struct {
	const char *json;
	const char *msg;
} bad_cases[] = {
	{ "{\"version\": 1, \"title\": ", SRC ":1:24: not valid JSON: " },
	{ "<html>Bug not found</html>", SRC ":1:1: not valid JSON: " },
	{ "", SRC ":1:1: not valid JSON: " }, /* jansson says column 0 */
	{ "[1]", SRC ":1:1: expected an object, got an array" },
	{ "{\"title\": \"t\", \"crashes\": [{\"title\": \"t\"}]}", SRC ":1:1: version: missing" },
	{ "{\"version\": 2, \"title\": \"t\"}", SRC ":1:13: version: 2 is not a version kradar reads (1)" },
	{ "{\"version\": 1, \"crashes\": [{\"title\": \"t\"}]}", SRC ":1:1: title: missing" },
	{ "{\"version\": 1, \"title\": \"t\"}", SRC ":1:1: crashes: the bug has no crashes" },
	{ "{\"version\": 1, \"title\": \"t\",\n \"crashes\": [{\"title\": \"t\", \"syz-reproducer\": 5}]}",
	  SRC ":2:47: crashes[0].syz-reproducer: expected a string, got an integer" },
	{ "{\"version\": 1, \"title\": \"t\", \"crashes\": {\"title\": \"t\"}}",
	  SRC ":1:41: crashes: expected an array, got an object" },
	{ "{\"version\": 1, \"title\": \"t\", \"crashes\": [\"x\"]}",
	  SRC ":1:42: crashes[0]: expected an object, got a string" },
	{ "{\"version\": 1, \"title\": \"t\", \"fix-commits\": [{\"hash\": \"x\"}], \"crashes\": [{\"title\": \"t\"}]}",
	  SRC ":1:46: fix-commits[0].title: missing" },
	{ "{\"version\": 1, \"title\": \"t\", \"crashes\": [{\"title\": \"t\", \"assets\": [{\"type\": \"kernel_image\"}]}]}",
	  SRC ":1:68: crashes[0].assets[0].link: missing" },
	{ "{\"version\": 1, \"title\": \"t\", \"title\": \"u\"}", SRC ":1:" },
};

START_TEST(malformed_answers)
{
	struct kr_syzbot_bug *b = NULL;
	_cleanup_free_ char *err = NULL;
	const char *json = bad_cases[_i].json;
	ck_assert_int_eq(kr_syzbot_parse(SRC, json, strlen(json), &b, &err), -EINVAL);
	ck_assert_ptr_null(b);
	ck_assert_msg(kr_str_startswith(err, bad_cases[_i].msg), "got: %s\nwant: %s", kr_test_tail(err),
		      bad_cases[_i].msg);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("syzbot");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, parses_the_answer);
	tcase_add_test(tc, statuses);
	tcase_add_loop_test(tc, malformed_answers, 0, (int)KR_ARRAY_SIZE(bad_cases));
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
