/* SPDX-License-Identifier: MIT */
/* Cache-hit latency of the kernel builder: bench-kbuild SCENARIO [CACHE [N]]
 * builds (or finds) the scenario's kernel once, then asks N more times
 * (default 20) and prints the first call's time and the hits' min, median
 * and max. The scenario must use kernel.source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbuild.h"
#include "scenario.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-kbuild SCENARIO [CACHE [N]]\n");
		return 2;
	}
	struct kr_diags diags = { 0 };
	struct kr_scenario *s = NULL;
	if (kr_scenario_load(argv[1], &s, &diags) < 0) {
		kr_diags_print(&diags, stderr);
		return 2;
	}
	struct kr_kbuild_options o = { .cache_dir = argc > 2 && *argv[2] ? argv[2] : NULL };
	int n = argc > 3 ? atoi(argv[3]) : 20;
	if (n < 1)
		n = 1;
	double *hits = calloc((size_t)n, sizeof(double));
	double first = 0;
	for (int i = 0; i <= n; i++) {
		struct kr_kernel *k = NULL;
		char *err = NULL;
		double t0 = kr_now_s();
		if (kr_kbuild_get(s, &o, &k, &err) < 0) {
			fprintf(stderr, "bench-kbuild: %s\n", err ? err : "failed");
			return 1;
		}
		double t = kr_now_s() - t0;
		if (i == 0) {
			first = t;
			printf("kernel %s key %.12s: first call %.3f s (%s)\n", k->label, k->key, t,
			       k->cache_hit ? "cache hit" : "built");
		} else if (!k->cache_hit) {
			fprintf(stderr, "bench-kbuild: call %d was not a cache hit\n", i);
			return 1;
		} else {
			hits[i - 1] = t;
		}
		kr_kernel_free(k);
		free(err);
	}
	qsort(hits, (size_t)n, sizeof(double), cmp_double);
	printf("cache hits: %d, min %.2f ms, median %.2f ms, max %.2f ms (first call %.3f s)\n", n,
	       hits[0] * 1e3, hits[n / 2] * 1e3, hits[n - 1] * 1e3, first);
	free(hits);
	kr_scenario_free(s);
	return 0;
}
