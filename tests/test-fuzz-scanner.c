/* SPDX-License-Identifier: MIT */
/* Replays the fuzz target's seeds (tests/fuzz/seeds) and the crash-log
 * fixtures through the fuzz entry point, so that the target and its
 * checks run in every unit test run (the entry point aborts on a failed
 * check). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kr-test.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t replay_dir(const char *dir, const char *suffix, bool all_pieces)
{
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !kr_str_endswith(e->d_name, suffix))
			continue;
		_cleanup_free_ char *path = kr_path_join(dir, e->d_name);
		char *data = NULL;
		size_t len;
		ck_assert_int_eq(kr_read_file(path, 16 << 20, &data, &len), 0);
		if (all_pieces) {
			/* logs: prepend every piece-size selector */
			char *in = kr_malloc(len + 1);
			memcpy(in + 1, data, len);
			for (int sel = 0; sel < 8; sel++) {
				in[0] = (char)sel;
				ck_assert_int_eq(LLVMFuzzerTestOneInput((const uint8_t *)in, len + 1), 0);
			}
			free(in);
		} else {
			ck_assert_int_eq(LLVMFuzzerTestOneInput((const uint8_t *)data, len), 0);
		}
		free(data);
		n++;
	}
	closedir(d);
	return n;
}

START_TEST(seeds_pass_the_fuzz_target)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	_cleanup_free_ char *seeds = kr_path_join(root, "tests/fuzz/seeds");
	ck_assert_uint_ge(replay_dir(seeds, "", false), 5);
}
END_TEST

START_TEST(fixture_logs_pass_the_fuzz_target)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_data(), "crash-logs");
	ck_assert_uint_ge(replay_dir(dir, ".log", true), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz-scanner");
	TCase *tc = tcase_create("fuzz-scanner");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, seeds_pass_the_fuzz_target);
	tcase_add_test(tc, fixture_logs_pass_the_fuzz_target);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
