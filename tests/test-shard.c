/* SPDX-License-Identifier: MIT */
/* Shards: K/N parsing, the CI and batch systems' variables, and the split:
 * every cell in exactly one shard, the same split every time, balanced. */
#include <stdlib.h>
#include <string.h>

#include "kr-test.h"
#include "shard.h"

static void parse_ok(const char *text, int k, int n)
{
	struct kr_shard s;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_shard_parse(text, &s, &err) == 0, "%s: %s", kr_test_tail(text), kr_test_tail(err));
	ck_assert_int_eq(s.index, k);
	ck_assert_int_eq(s.total, n);
}

static void parse_bad(const char *text, const char *want)
{
	struct kr_shard s;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_shard_parse(text, &s, &err), -EINVAL);
	ck_assert_msg(err && strstr(err, want), "%s: got \"%s\"", kr_test_tail(text), kr_test_tail(err));
}

START_TEST(parse)
{
	parse_ok("1/1", 1, 1);
	parse_ok("2/4", 2, 4);
	parse_ok("10000/10000", 10000, 10000);
	parse_bad("0/4", "1 <= K <= N");
	parse_bad("5/4", "1 <= K <= N");
	parse_bad("1/0", "1 <= K <= N");
	parse_bad("1/10001", "N <= 10000");
	parse_bad("2", "is not K/N");
	parse_bad("a/b", "is not K/N");
	parse_bad("1/2/3", "is not K/N");
	parse_bad("", "is not K/N");
}
END_TEST

static const char *const all_vars[] = {
	"CI_NODE_INDEX", "CI_NODE_TOTAL", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_MIN",
	"SLURM_ARRAY_TASK_MAX", "SLURM_ARRAY_TASK_STEP", "SLURM_ARRAY_TASK_COUNT",
	"JOB_COMPLETION_INDEX", "KRADAR_SHARD_TOTAL", NULL,
};

/* Sets "NAME=value" pairs after clearing every variable. */
static void env(const char *const *pairs)
{
	for (size_t i = 0; all_vars[i]; i++)
		unsetenv(all_vars[i]);
	for (size_t i = 0; pairs[i]; i++) {
		_cleanup_free_ char *name = kr_strndup(pairs[i], strcspn(pairs[i], "="));
		setenv(name, strchr(pairs[i], '=') + 1, 1);
	}
}

static void env_ok(int total, int k, int n, const char *source)
{
	struct kr_shard s = { 0 };
	const char *src = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_msg(kr_shard_from_env(total, &s, &src, &err) == 0, "%s", kr_test_tail(err));
	ck_assert_int_eq(s.index, k);
	ck_assert_int_eq(s.total, n);
	ck_assert_msg(src && strstr(src, source), "source %s", src);
}

static void env_bad(int total, int want_r, const char *want)
{
	struct kr_shard s = { 0 };
	const char *src = NULL;
	_cleanup_free_ char *err = NULL;
	ck_assert_int_eq(kr_shard_from_env(total, &s, &src, &err), want_r);
	ck_assert_msg(err && strstr(err, want), "got \"%s\", want \"%s\"", kr_test_tail(err), want);
}

START_TEST(from_env)
{
	env((const char *const[]){ NULL });
	env_bad(0, -ENOENT, "no shard in the environment");

	env((const char *const[]){ "CI_NODE_INDEX=3", "CI_NODE_TOTAL=5", NULL });
	env_ok(0, 3, 5, "GitLab");
	env((const char *const[]){ "CI_NODE_INDEX=6", "CI_NODE_TOTAL=5", NULL });
	env_bad(0, -EINVAL, "out of range");
	env((const char *const[]){ "CI_NODE_INDEX=1", NULL });
	env_bad(0, -EINVAL, "CI_NODE_TOTAL");

	/* Kubernetes: 0-based, total from --shard-total or KRADAR_SHARD_TOTAL. */
	env((const char *const[]){ "JOB_COMPLETION_INDEX=0", NULL });
	env_bad(0, -EINVAL, "--shard-total");
	env_ok(4, 1, 4, "Kubernetes");
	env((const char *const[]){ "JOB_COMPLETION_INDEX=3", "KRADAR_SHARD_TOTAL=4", NULL });
	env_ok(0, 4, 4, "Kubernetes");
	env((const char *const[]){ "JOB_COMPLETION_INDEX=4", "KRADAR_SHARD_TOTAL=4", NULL });
	env_bad(0, -EINVAL, "out of range");

	/* Slurm: --array=0-7, 10-40:10, COUNT only, sparse. */
	env((const char *const[]){ "SLURM_ARRAY_TASK_ID=0", "SLURM_ARRAY_TASK_MIN=0",
				   "SLURM_ARRAY_TASK_MAX=7", NULL });
	env_ok(0, 1, 8, "Slurm");
	env((const char *const[]){ "SLURM_ARRAY_TASK_ID=30", "SLURM_ARRAY_TASK_MIN=10",
				   "SLURM_ARRAY_TASK_MAX=40", "SLURM_ARRAY_TASK_STEP=10",
				   "SLURM_ARRAY_TASK_COUNT=4", NULL });
	env_ok(0, 3, 4, "Slurm");
	env((const char *const[]){ "SLURM_ARRAY_TASK_ID=5", "SLURM_ARRAY_TASK_MIN=1",
				   "SLURM_ARRAY_TASK_COUNT=6", NULL });
	env_ok(0, 5, 6, "Slurm");
	env((const char *const[]){ "SLURM_ARRAY_TASK_ID=3", "SLURM_ARRAY_TASK_MIN=1",
				   "SLURM_ARRAY_TASK_MAX=7", "SLURM_ARRAY_TASK_COUNT=3", NULL });
	env_bad(0, -EINVAL, "sparse");
	env((const char *const[]){ "SLURM_ARRAY_TASK_ID=3", NULL });
	env_bad(0, -EINVAL, "SLURM_ARRAY_TASK_MIN");

	/* GitLab wins over the others. */
	env((const char *const[]){ "CI_NODE_INDEX=2", "CI_NODE_TOTAL=2",
				   "JOB_COMPLETION_INDEX=0", "KRADAR_SHARD_TOTAL=9", NULL });
	env_ok(0, 2, 2, "GitLab");
}
END_TEST

static unsigned lcg(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

/* Every cell in exactly one shard, for many sets and N; the same split
 * whatever order the cells come in; no shard loaded more than the
 * lightest plus the largest cell (the greedy bound). */
START_TEST(split)
{
	unsigned seed = 7;
	for (int round = 0; round < 300; round++) {
		size_t n = lcg(&seed) % 40;
		int total = 1 + (int)(lcg(&seed) % 12);
		struct kr_shard_item items[40], shuffled[40];
		char names[40][16];
		double max_cost = 0;
		for (size_t i = 0; i < n; i++) {
			snprintf(names[i], sizeof(names[i]), "cell-%02zu", i);
			/* Equal costs are common: a matrix repeats the same scenario. */
			items[i] = (struct kr_shard_item){ .name = names[i],
							   .cost = 100.0 * (1 + lcg(&seed) % 5) };
			if (items[i].cost > max_cost)
				max_cost = items[i].cost;
		}
		int of[40], of2[40];
		kr_shard_split(items, n, total, of);
		/* A permutation of the input gives the same shard per name. */
		size_t perm[40];
		for (size_t i = 0; i < n; i++)
			perm[i] = i;
		for (size_t i = n; i > 1; i--) {
			size_t j = lcg(&seed) % i, t = perm[i - 1];
			perm[i - 1] = perm[j];
			perm[j] = t;
		}
		for (size_t i = 0; i < n; i++)
			shuffled[i] = items[perm[i]];
		kr_shard_split(shuffled, n, total, of2);
		double load[12] = { 0 };
		for (size_t i = 0; i < n; i++) {
			ck_assert_int_ge(of[i], 1);
			ck_assert_int_le(of[i], total);
			ck_assert_int_eq(of2[i], of[perm[i]]);
			load[of[i] - 1] += items[i].cost;
		}
		/* Exactly one shard: counted per K, the memberships add up to n. */
		size_t members = 0;
		for (int k = 1; k <= total; k++)
			for (size_t i = 0; i < n; i++)
				members += of[i] == k;
		ck_assert_uint_eq(members, n);
		double lo = load[0], hi = load[0];
		for (int k = 1; k < total; k++) {
			lo = load[k] < lo ? load[k] : lo;
			hi = load[k] > hi ? load[k] : hi;
		}
		ck_assert_msg(hi - lo <= max_cost, "loads %g..%g, largest cell %g", lo, hi, max_cost);
	}
}
END_TEST

/* Costs decide: a cell of 10 runs gets a shard to itself. */
START_TEST(split_balanced_by_cost)
{
	struct kr_shard_item items[] = {
		{ "a", 1000 }, { "b", 100 }, { "c", 100 }, { "d", 100 }, { "e", 100 },
	};
	int of[5];
	kr_shard_split(items, 5, 2, of);
	ck_assert_int_eq(of[0], 1);
	for (int i = 1; i < 5; i++)
		ck_assert_int_eq(of[i], 2);
	/* More shards than cells: the rest are empty. */
	int of3[2];
	kr_shard_split(items, 2, 5, of3);
	ck_assert_int_eq(of3[0], 1);
	ck_assert_int_eq(of3[1], 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shard");
	TCase *tc = tcase_create("shard");
	tcase_add_test(tc, parse);
	tcase_add_test(tc, from_env);
	tcase_add_test(tc, split);
	tcase_add_test(tc, split_balanced_by_cost);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
