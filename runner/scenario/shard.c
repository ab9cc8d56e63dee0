/* SPDX-License-Identifier: MIT */
#include "shard.h"

#include <string.h>

#include "detectors.h"

int kr_shard_parse(const char *text, struct kr_shard *out, char **err)
{
	const char *slash = strchr(text, '/');
	long k, n;
	_cleanup_free_ char *left = slash ? kr_strndup(text, (size_t)(slash - text)) : NULL;
	if (!slash || kr_parse_long(left, &k) < 0 || kr_parse_long(slash + 1, &n) < 0) {
		*err = kr_asprintf("\"%s\" is not K/N (this shard's number, 1-based, and the "
				   "number of shards: 2/4)", text);
		return -EINVAL;
	}
	if (n < 1 || n > KR_SHARD_MAX || k < 1 || k > n) {
		*err = kr_asprintf("\"%s\": K/N needs 1 <= K <= N <= %d", text, KR_SHARD_MAX);
		return -EINVAL;
	}
	*out = (struct kr_shard){ .index = (int)k, .total = (int)n };
	return 0;
}

/* An integer variable: 1 read, 0 unset or empty, -1 not an integer. */
static int env_int(const char *name, long *v)
{
	const char *s = getenv(name);
	if (!s || !*s)
		return 0;
	return kr_parse_long(s, v) < 0 ? -1 : 1;
}

static int bad(char **err, const char *fmt, ...) KR_PRINTF(2, 3);
static int bad(char **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	*err = kr_vasprintf(fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int checked(long k, long n, struct kr_shard *out, const char *what, char **err)
{
	if (n < 1 || n > KR_SHARD_MAX || k < 1 || k > n)
		return bad(err, "%s: shard %ld of %ld is out of range (1..N, N <= %d)", what, k, n,
			   KR_SHARD_MAX);
	*out = (struct kr_shard){ .index = (int)k, .total = (int)n };
	return 0;
}

static int from_gitlab(struct kr_shard *out, char **err)
{
	long k, n;
	int hk = env_int("CI_NODE_INDEX", &k), hn = env_int("CI_NODE_TOTAL", &n);
	if (hk < 0 || hn < 0 || !hn)
		return bad(err, "CI_NODE_INDEX and CI_NODE_TOTAL must be integers (GitLab's "
			   "parallel: sets both)");
	return checked(k, n, out, "CI_NODE_INDEX/CI_NODE_TOTAL", err);
}

static int from_slurm(struct kr_shard *out, char **err)
{
	long id, min, max, step = 1, count;
	int hmin = env_int("SLURM_ARRAY_TASK_MIN", &min);
	int hmax = env_int("SLURM_ARRAY_TASK_MAX", &max);
	int hstep = env_int("SLURM_ARRAY_TASK_STEP", &step);
	int hcount = env_int("SLURM_ARRAY_TASK_COUNT", &count);
	if (env_int("SLURM_ARRAY_TASK_ID", &id) < 0 || hmin <= 0 || hmax < 0 || hstep < 0 ||
	    hcount < 0 || (!hmax && !hcount))
		return bad(err, "SLURM_ARRAY_TASK_ID needs SLURM_ARRAY_TASK_MIN and "
			   "SLURM_ARRAY_TASK_MAX or SLURM_ARRAY_TASK_COUNT (integers)");
	if (step < 1)
		step = 1;
	long span = hmax ? (max - min) / step + 1 : count;
	if (hcount > 0 && hmax > 0 && count != span)
		return bad(err, "the Slurm array %ld-%ld:%ld has %ld tasks, not a range of %ld: "
			   "give --shard K/N for a sparse array", min, max, step, count, span);
	if ((id - min) % step)
		return bad(err, "SLURM_ARRAY_TASK_ID %ld is not in the array %ld-%ld:%ld", id, min,
			   hmax ? max : min + (count - 1) * step, step);
	return checked((id - min) / step + 1, span, out, "the Slurm array task", err);
}

static int from_kubernetes(int total, struct kr_shard *out, char **err)
{
	long idx, n = total;
	if (env_int("JOB_COMPLETION_INDEX", &idx) < 0)
		return bad(err, "JOB_COMPLETION_INDEX is not an integer");
	if (!n) {
		int hn = env_int("KRADAR_SHARD_TOTAL", &n);
		if (hn <= 0)
			return bad(err, "JOB_COMPLETION_INDEX (Kubernetes) is %ld, but the number of "
				   "shards is unknown: give --shard-total N (the Job's completions) "
				   "or set KRADAR_SHARD_TOTAL", idx);
	}
	return checked(idx + 1, n, out, "JOB_COMPLETION_INDEX", err);
}

int kr_shard_from_env(int total, struct kr_shard *out, const char **source, char **err)
{
	long dummy;
	if (env_int("CI_NODE_INDEX", &dummy)) {
		*source = "GitLab CI (CI_NODE_INDEX/CI_NODE_TOTAL)";
		return from_gitlab(out, err);
	}
	if (env_int("SLURM_ARRAY_TASK_ID", &dummy)) {
		*source = "Slurm (SLURM_ARRAY_TASK_*)";
		return from_slurm(out, err);
	}
	if (env_int("JOB_COMPLETION_INDEX", &dummy)) {
		*source = "Kubernetes (JOB_COMPLETION_INDEX)";
		return from_kubernetes(total, out, err);
	}
	*source = NULL;
	*err = kr_strdup("no shard in the environment: none of CI_NODE_INDEX (GitLab), "
			 "SLURM_ARRAY_TASK_ID (Slurm), JOB_COMPLETION_INDEX (Kubernetes) is set");
	return -ENOENT;
}

double kr_shard_cost(const struct kr_scenario *s)
{
	double factor = s->vm.kvm == KR_KVM_ON ? 1 : s->timeouts.tcg_factor;
	double settle = s->timeouts.settle >= 0 ? s->timeouts.settle : kr_detectors_settle(s);
	return (double)s->runs * ((s->timeouts.boot + s->timeouts.run) * factor + settle);
}

static int by_cost(const void *a, const void *b)
{
	const struct kr_shard_item *x = *(const struct kr_shard_item *const *)a;
	const struct kr_shard_item *y = *(const struct kr_shard_item *const *)b;
	if (x->cost != y->cost)
		return x->cost > y->cost ? -1 : 1;
	return strcmp(x->name, y->name);
}

void kr_shard_split(const struct kr_shard_item *items, size_t n, int total, int *shard_of)
{
	if (total < 1)
		total = 1;
	_cleanup_free_ const struct kr_shard_item **order = kr_calloc(n + 1, sizeof(*order));
	for (size_t i = 0; i < n; i++)
		order[i] = &items[i];
	qsort(order, n, sizeof(*order), by_cost);
	_cleanup_free_ double *load = kr_calloc((size_t)total, sizeof(double));
	for (size_t i = 0; i < n; i++) {
		int best = 0;
		for (int k = 1; k < total; k++)
			if (load[k] < load[best])
				best = k;
		load[best] += order[i]->cost;
		shard_of[order[i] - items] = best + 1;
	}
}
