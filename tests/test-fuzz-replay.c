/* SPDX-License-Identifier: MIT */
/* Replays a parser fuzz target's seed corpus (tests/fuzz/corpus/NAME, NAME
 * given at build time as FUZZ_CORPUS) through its entry point, so that the
 * targets and their checks run in every unit test run (an entry point
 * aborts on a failed check). Each file is also replayed cut short at every
 * 7th byte, since a truncated file is the commonest bad input. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kr-test.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

START_TEST(corpus_passes_the_fuzz_target)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	_cleanup_free_ char *dir = kr_path_join(root, "tests/fuzz/corpus/" FUZZ_CORPUS);
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		_cleanup_free_ char *path = kr_path_join(dir, e->d_name);
		_cleanup_free_ char *data = NULL;
		size_t len;
		ck_assert_int_eq(kr_read_file(path, 1 << 20, &data, &len), 0);
		ck_assert_int_eq(LLVMFuzzerTestOneInput((const uint8_t *)data, len), 0);
		for (size_t cut = 0; cut < len; cut += 7) {
			/* a copy of exactly cut bytes, so that ASan sees overreads */
			char *piece = kr_malloc(cut ? cut : 1);
			memcpy(piece, data, cut);
			ck_assert_int_eq(LLVMFuzzerTestOneInput((const uint8_t *)piece, cut), 0);
			free(piece);
		}
		n++;
	}
	closedir(d);
	ck_assert_uint_ge(n, 3);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fuzz-" FUZZ_CORPUS);
	TCase *tc = tcase_create("replay");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, corpus_passes_the_fuzz_target);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
