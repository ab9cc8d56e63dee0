/* SPDX-License-Identifier: MIT */
#include "schedule.h"

#include <limits.h>
#include <sched.h>
#include <string.h>

/* ----- the budget ----- */

int kr_budget_parse_cpu_max(const char *text)
{
	char quota[32];
	long long period = 0;
	if (sscanf(text, "%31s %lld", quota, &period) < 1)
		return -EINVAL;
	if (!strcmp(quota, "max"))
		return 0;
	long q;
	if (kr_parse_long(quota, &q) < 0 || q <= 0)
		return -EINVAL;
	if (period <= 0)
		period = 100000; /* the kernel's default period */
	long long cpus = (q + period - 1) / period;
	return cpus > INT_MAX ? INT_MAX : (int)cpus;
}

long kr_budget_parse_meminfo(const char *text)
{
	const char *p = strstr(text, "MemAvailable:");
	long long kb;
	if (!p || sscanf(p + strlen("MemAvailable:"), "%lld", &kb) != 1 || kb < 0)
		return -EINVAL;
	return (long)(kb / 1024);
}

long kr_budget_margin_mb(long avail_mb)
{
	long tenth = avail_mb / 10;
	return tenth > 512 ? tenth : 512;
}

static char *read_small(const char *path)
{
	char *text = NULL;
	if (kr_read_file(path, 64 << 10, &text, NULL) < 0)
		return NULL;
	return text;
}

/* A number from a cgroup file; -1 for "max" or when unreadable. */
static long long cgroup_number(const char *dir, const char *name)
{
	_cleanup_free_ char *path = kr_path_join(dir, name);
	_cleanup_free_ char *text = read_small(path);
	long long v;
	if (!text || sscanf(text, "%lld", &v) != 1)
		return -1;
	return v;
}

/* The cgroup v2 directory of this process, NULL without one. */
static char *own_cgroup(void)
{
	_cleanup_free_ char *text = read_small("/proc/self/cgroup");
	if (!text)
		return NULL;
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (kr_str_startswith(line, "0::"))
			return kr_asprintf("/sys/fs/cgroup%s", line + 3);
		line = next;
	}
	return NULL;
}

/* The tightest limits of the cgroup and its ancestors: CPUs (0: none) and
 * memory left in MiB (-1: none). */
static void cgroup_limits(int *cpus, long *mem_mb)
{
	*cpus = 0;
	*mem_mb = -1;
	_cleanup_free_ char *dir = own_cgroup();
	while (dir && kr_str_startswith(dir, "/sys/fs/cgroup")) {
		_cleanup_free_ char *cpu_max_path = kr_path_join(dir, "cpu.max");
		_cleanup_free_ char *cpu_max = read_small(cpu_max_path);
		int c = cpu_max ? kr_budget_parse_cpu_max(cpu_max) : 0;
		if (c > 0 && (*cpus == 0 || c < *cpus))
			*cpus = c;
		long long max = cgroup_number(dir, "memory.max");
		long long cur = cgroup_number(dir, "memory.current");
		if (max > 0) {
			long left = (long)((max - (cur > 0 ? cur : 0)) / (1024 * 1024));
			if (left < 0)
				left = 0;
			if (*mem_mb < 0 || left < *mem_mb)
				*mem_mb = left;
		}
		if (!strcmp(dir, "/sys/fs/cgroup"))
			break;
		char *slash = strrchr(dir, '/');
		*slash = '\0';
	}
}

static long env_long(const char *name)
{
	const char *v = getenv(name);
	long n;
	if (!v || !*v || kr_parse_long(v, &n) < 0 || n < 1)
		return 0;
	return n;
}

void kr_budget_detect(struct kr_budget *b)
{
	*b = (struct kr_budget){ 0 };
	cpu_set_t set;
	int affinity = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 0;
	if (affinity < 1)
		affinity = 1;
	int cg_cpus;
	long cg_mem;
	cgroup_limits(&cg_cpus, &cg_mem);
	b->cpus = affinity;
	b->cpus_from = kr_asprintf("affinity %d", affinity);
	if (cg_cpus > 0 && cg_cpus < affinity) {
		b->cpus = cg_cpus;
		free(b->cpus_from);
		b->cpus_from = kr_asprintf("cgroup cpu.max %d", cg_cpus);
	}

	_cleanup_free_ char *meminfo = read_small("/proc/meminfo");
	long avail = meminfo ? kr_budget_parse_meminfo(meminfo) : -1;
	const char *from = "MemAvailable";
	if (cg_mem >= 0 && (avail < 0 || cg_mem < avail)) {
		avail = cg_mem;
		from = "cgroup memory.max";
	}
	if (avail < 0) {
		avail = 1024;
		from = "unknown, assumed";
	}
	long margin = kr_budget_margin_mb(avail);
	b->mem_mb = avail > margin ? avail - margin : 1;
	b->mem_from = kr_asprintf("%s %ld MiB less %ld", from, avail, margin);

	long cpus = env_long("KRADAR_CPUS");
	if (cpus) {
		b->cpus = cpus > INT_MAX ? INT_MAX : (int)cpus;
		free(b->cpus_from);
		b->cpus_from = kr_strdup("KRADAR_CPUS");
	}
	long mem = env_long("KRADAR_MEM_MB");
	if (mem) {
		b->mem_mb = mem;
		free(b->mem_from);
		b->mem_from = kr_strdup("KRADAR_MEM_MB");
	}
}

void kr_budget_clear(struct kr_budget *b)
{
	free(b->cpus_from);
	free(b->mem_from);
	b->cpus_from = b->mem_from = NULL;
}

/* ----- the scheduler ----- */

struct guest {
	long long order;
	int overtaken; /* guests started before it while it waited */
	int cpus;
	long mem_mb;
	void *data;
};

struct kr_sched {
	int budget_cpus;
	long budget_mem_mb;
	int max_jobs;
	struct guest *queue; /* sorted by order */
	size_t n_queue, alloc_queue;
	struct guest *running;
	size_t n_running, alloc_running;
	int used_cpus;
	long used_mem_mb;
};

struct kr_sched *kr_sched_new(const struct kr_budget *b, int max_jobs)
{
	struct kr_sched *s = kr_calloc(1, sizeof(*s));
	s->budget_cpus = b->cpus > 0 ? b->cpus : 1;
	s->budget_mem_mb = b->mem_mb > 0 ? b->mem_mb : 1;
	s->max_jobs = max_jobs > 0 ? max_jobs : 1;
	return s;
}

void kr_sched_free(struct kr_sched *s)
{
	if (!s)
		return;
	free(s->queue);
	free(s->running);
	free(s);
}

void kr_sched_submit(struct kr_sched *s, long long order, int cpus, long mem_mb, void *data)
{
	if (s->n_queue == s->alloc_queue) {
		s->alloc_queue = s->alloc_queue ? s->alloc_queue * 2 : 16;
		s->queue = kr_realloc(s->queue, s->alloc_queue * sizeof(*s->queue));
	}
	size_t i = s->n_queue;
	for (; i > 0 && s->queue[i - 1].order > order; i--)
		s->queue[i] = s->queue[i - 1];
	s->queue[i] = (struct guest){ .order = order, .cpus = cpus > 0 ? cpus : 1,
				      .mem_mb = mem_mb > 0 ? mem_mb : 0, .data = data };
	s->n_queue++;
}

void kr_sched_cancel(struct kr_sched *s, void *data)
{
	size_t k = 0;
	for (size_t i = 0; i < s->n_queue; i++)
		if (s->queue[i].data != data)
			s->queue[k++] = s->queue[i];
	s->n_queue = k;
}

static bool exceeds_budget(const struct kr_sched *s, const struct guest *g)
{
	return g->cpus > s->budget_cpus || g->mem_mb > s->budget_mem_mb;
}

static bool fits(const struct kr_sched *s, const struct guest *g)
{
	if (exceeds_budget(s, g))
		return s->n_running == 0; /* alone */
	return s->used_cpus + g->cpus <= s->budget_cpus &&
	       s->used_mem_mb + g->mem_mb <= s->budget_mem_mb;
}

void *kr_sched_next(struct kr_sched *s, bool *oversize)
{
	if (oversize)
		*oversize = false;
	if (s->n_running >= (size_t)s->max_jobs)
		return NULL;
	/* The first guest in order that fits; one that waited while
	 * KR_SCHED_OVERTAKES others went first lets no more pass. */
	size_t i = 0;
	for (; i < s->n_queue && !fits(s, &s->queue[i]); i++)
		if (s->queue[i].overtaken >= KR_SCHED_OVERTAKES)
			return NULL;
	if (i == s->n_queue)
		return NULL;
	for (size_t k = 0; k < i; k++)
		s->queue[k].overtaken++;
	struct guest g = s->queue[i];
	memmove(s->queue + i, s->queue + i + 1, (--s->n_queue - i) * sizeof(*s->queue));
	if (s->n_running == s->alloc_running) {
		s->alloc_running = s->alloc_running ? s->alloc_running * 2 : 8;
		s->running = kr_realloc(s->running, s->alloc_running * sizeof(*s->running));
	}
	s->running[s->n_running++] = g;
	s->used_cpus += g.cpus;
	s->used_mem_mb += g.mem_mb;
	if (oversize)
		*oversize = exceeds_budget(s, &g);
	return g.data;
}

void kr_sched_done(struct kr_sched *s, void *data)
{
	for (size_t i = 0; i < s->n_running; i++) {
		if (s->running[i].data != data)
			continue;
		s->used_cpus -= s->running[i].cpus;
		s->used_mem_mb -= s->running[i].mem_mb;
		s->running[i] = s->running[--s->n_running];
		return;
	}
}

void kr_sched_drop_queue(struct kr_sched *s)
{
	s->n_queue = 0;
}

size_t kr_sched_running(const struct kr_sched *s)
{
	return s->n_running;
}

size_t kr_sched_queued(const struct kr_sched *s)
{
	return s->n_queue;
}

void kr_sched_in_use(const struct kr_sched *s, int *cpus, long *mem_mb)
{
	*cpus = s->used_cpus;
	*mem_mb = s->used_mem_mb;
}
