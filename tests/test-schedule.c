/* SPDX-License-Identifier: MIT */
/* The guest scheduler with fake guests and a fake clock: the budget is
 * never exceeded, guests start in order, oversize guests run alone. */
#include <stdlib.h>
#include <string.h>

#include "kr-test.h"
#include "schedule.h"

START_TEST(parse_cpu_max)
{
	ck_assert_int_eq(kr_budget_parse_cpu_max("max 100000\n"), 0);
	ck_assert_int_eq(kr_budget_parse_cpu_max("100000 100000\n"), 1);
	ck_assert_int_eq(kr_budget_parse_cpu_max("150000 100000\n"), 2);
	ck_assert_int_eq(kr_budget_parse_cpu_max("50000 100000"), 1);
	ck_assert_int_eq(kr_budget_parse_cpu_max("400000 100000"), 4);
	ck_assert_int_eq(kr_budget_parse_cpu_max("200000"), 2);
	ck_assert_int_eq(kr_budget_parse_cpu_max("lots 100000"), -EINVAL);
	ck_assert_int_eq(kr_budget_parse_cpu_max(""), -EINVAL);
}
END_TEST

START_TEST(parse_meminfo)
{
	ck_assert_int_eq(kr_budget_parse_meminfo("MemTotal:       24684084 kB\n"
						 "MemFree:        19529072 kB\n"
						 "MemAvailable:   23619592 kB\n"),
			 23066);
	ck_assert_int_eq(kr_budget_parse_meminfo("MemTotal: 1 kB\n"), -EINVAL);
	ck_assert_int_eq(kr_budget_margin_mb(1000), 512);
	ck_assert_int_eq(kr_budget_margin_mb(20000), 2000);
}
END_TEST

START_TEST(detect_and_override)
{
	unsetenv("KRADAR_CPUS");
	unsetenv("KRADAR_MEM_MB");
	struct kr_budget b;
	kr_budget_detect(&b);
	ck_assert_int_ge(b.cpus, 1);
	ck_assert_int_ge(b.mem_mb, 1);
	ck_assert_ptr_nonnull(b.cpus_from);
	ck_assert_ptr_nonnull(b.mem_from);
	kr_budget_clear(&b);
	setenv("KRADAR_CPUS", "3", 1);
	setenv("KRADAR_MEM_MB", "4096", 1);
	kr_budget_detect(&b);
	ck_assert_int_eq(b.cpus, 3);
	ck_assert_int_eq(b.mem_mb, 4096);
	ck_assert_str_eq(b.cpus_from, "KRADAR_CPUS");
	kr_budget_clear(&b);
	setenv("KRADAR_CPUS", "zero", 1); /* ignored */
	kr_budget_detect(&b);
	ck_assert_str_ne(b.cpus_from, "KRADAR_CPUS");
	kr_budget_clear(&b);
}
END_TEST

/* A fake guest: its needs, how long it runs, and what the simulation saw. */
struct fake {
	int id;
	int cpus;
	long mem;
	double duration;
	double started, ended;
	bool oversize;
};

static unsigned lcg(unsigned *state)
{
	*state = *state * 1103515245u + 12345u;
	return (*state >> 16) & 0x7fff;
}

struct sim {
	struct kr_budget budget;
	int jobs;
	int max_running;   /* most guests seen at once */
	int max_cpus;      /* most vCPUs in use at once */
	long max_mem;
	int started;
	int start_order[512];
};

/* Runs every guest of v[0..n) through the scheduler on a fake clock:
 * start what may start, advance to the earliest end, repeat. Checks the
 * budget at every step. */
static void simulate(struct sim *m, struct fake *v, int n)
{
	_cleanup_(kr_sched_freep) struct kr_sched *s = kr_sched_new(&m->budget, m->jobs);
	for (int i = 0; i < n; i++)
		kr_sched_submit(s, i, v[i].cpus, v[i].mem, &v[i]);
	ck_assert_uint_eq(kr_sched_queued(s), (size_t)n);
	double now = 0;
	struct fake *running[512];
	int n_running = 0;
	int ended = 0;
	for (int step = 0; ended < n; step++) {
		ck_assert_int_lt(step, 10 * n + 10); /* no livelock */
		bool oversize;
		struct fake *f;
		while ((f = kr_sched_next(s, &oversize))) {
			f->started = now;
			f->oversize = oversize;
			running[n_running++] = f;
			m->start_order[m->started++] = f->id;
		}
		int cpus;
		long mem;
		kr_sched_in_use(s, &cpus, &mem);
		ck_assert_uint_eq(kr_sched_running(s), (size_t)n_running);
		ck_assert_int_gt(n_running, 0); /* something always runs */
		ck_assert_int_le(n_running, m->jobs);
		bool alone = n_running == 1 && running[0]->oversize;
		if (!alone) {
			ck_assert_msg(cpus <= m->budget.cpus, "%d vCPUs in use, budget %d", cpus,
				      m->budget.cpus);
			ck_assert_msg(mem <= m->budget.mem_mb, "%ld MiB in use, budget %ld", mem,
				      m->budget.mem_mb);
		}
		int sum = 0;
		for (int i = 0; i < n_running; i++)
			sum += running[i]->cpus;
		ck_assert_int_eq(sum, cpus);
		if (n_running > m->max_running)
			m->max_running = n_running;
		if (!alone && cpus > m->max_cpus)
			m->max_cpus = cpus;
		if (!alone && mem > m->max_mem)
			m->max_mem = mem;
		/* The earliest end. */
		int k = 0;
		for (int i = 1; i < n_running; i++)
			if (running[i]->started + running[i]->duration <
			    running[k]->started + running[k]->duration)
				k = i;
		now = running[k]->started + running[k]->duration;
		running[k]->ended = now;
		kr_sched_done(s, running[k]);
		running[k] = running[--n_running];
		ended++;
	}
	ck_assert_uint_eq(kr_sched_running(s), 0);
	ck_assert_uint_eq(kr_sched_queued(s), 0);
	ck_assert_int_eq(m->started, n);
	/* One at a time: in order. Else no guest is passed by more than
	 * KR_SCHED_OVERTAKES guests submitted after it. */
	for (int i = 0; i < n; i++) {
		if (m->jobs == 1)
			ck_assert_int_eq(m->start_order[i], i);
		int passed = 0;
		for (int k = 0; k < i; k++)
			passed += m->start_order[k] > m->start_order[i];
		ck_assert_msg(passed <= KR_SCHED_OVERTAKES, "guest %d passed by %d",
			      m->start_order[i], passed);
	}
}

START_TEST(budget_never_exceeded)
{
	unsigned seed = 42;
	for (int round = 0; round < 200; round++) {
		struct fake v[64];
		int n = 1 + (int)(lcg(&seed) % 64);
		struct sim m = { .budget = { .cpus = 1 + (int)(lcg(&seed) % 8),
					     .mem_mb = 1024 + (long)(lcg(&seed) % 8) * 1024 },
				 .jobs = 1 + (int)(lcg(&seed) % 6) };
		for (int i = 0; i < n; i++) {
			v[i] = (struct fake){ .id = i, .cpus = 1 + (int)(lcg(&seed) % 4),
					      .mem = 256 + (long)(lcg(&seed) % 4) * 512,
					      .duration = 1 + lcg(&seed) % 100 };
		}
		simulate(&m, v, n);
		ck_assert_int_le(m.max_cpus, m.budget.cpus);
		ck_assert_int_le(m.max_mem, m.budget.mem_mb);
	}
}
END_TEST

/* The budget is used: small guests do run side by side. */
START_TEST(fills_the_budget)
{
	struct fake v[8];
	for (int i = 0; i < 8; i++)
		v[i] = (struct fake){ .id = i, .cpus = 1, .mem = 768, .duration = 10 };
	struct sim m = { .budget = { .cpus = 4, .mem_mb = 100000 }, .jobs = 16 };
	simulate(&m, v, 8);
	ck_assert_int_eq(m.max_running, 4);
	ck_assert_int_eq(m.max_cpus, 4);
	/* Two waves of four. */
	for (int i = 0; i < 4; i++)
		ck_assert(v[i].started == 0 && v[i + 4].started == 10);

	/* Memory binds before CPUs do. */
	struct sim mm = { .budget = { .cpus = 4, .mem_mb = 2000 }, .jobs = 16 };
	simulate(&mm, v, 8);
	ck_assert_int_eq(mm.max_running, 2);
	ck_assert_int_le(mm.max_mem, 2000);

	/* And --jobs before either. */
	struct sim mj = { .budget = { .cpus = 4, .mem_mb = 100000 }, .jobs = 3 };
	simulate(&mj, v, 8);
	ck_assert_int_eq(mj.max_running, 3);
}
END_TEST

/* A guest larger than the budget runs, alone; nothing starts beside it,
 * and it is not started beside others. */
START_TEST(oversize_runs_alone)
{
	struct fake v[4] = {
		{ .id = 0, .cpus = 1, .mem = 512, .duration = 5 },
		{ .id = 1, .cpus = 8, .mem = 512, .duration = 10 },
		{ .id = 2, .cpus = 1, .mem = 512, .duration = 5 },
		{ .id = 3, .cpus = 1, .mem = 512, .duration = 5 },
	};
	struct sim m = { .budget = { .cpus = 2, .mem_mb = 100000 }, .jobs = 4 };
	simulate(&m, v, 4);
	ck_assert(v[1].oversize);
	ck_assert(!v[0].oversize && !v[2].oversize && !v[3].oversize);
	/* Nothing ran beside it. */
	for (int i = 0; i < 4; i++)
		if (i != 1)
			ck_assert(v[i].ended <= v[1].started || v[i].started >= v[1].ended);
	ck_assert(v[0].started == v[2].started); /* the small ones side by side */
}
END_TEST

/* Smaller guests pass one that waits for room, KR_SCHED_OVERTAKES at most;
 * then it starts as soon as it fits. */
START_TEST(overtakes)
{
	struct kr_budget b = { .cpus = 2, .mem_mb = 100000 };
	_cleanup_(kr_sched_freep) struct kr_sched *s = kr_sched_new(&b, 8);
	int first, big, small[20], early;
	kr_sched_submit(s, 0, 1, 100, &first);
	ck_assert_ptr_eq(kr_sched_next(s, NULL), &first);
	kr_sched_submit(s, 1, 2, 100, &big);
	for (int i = 0; i < 20; i++)
		kr_sched_submit(s, 2 + i, 1, 100, &small[i]);
	void *running = &first;
	int passed = 0;
	/* One CPU stays taken, so big never fits until the queue stops. */
	for (;;) {
		void *g = kr_sched_next(s, NULL);
		if (!g)
			break;
		ck_assert_ptr_eq(g, &small[passed]);
		passed++;
		kr_sched_done(s, running);
		running = g;
	}
	ck_assert_int_eq(passed, KR_SCHED_OVERTAKES);
	ck_assert_uint_eq(kr_sched_running(s), 1);
	kr_sched_done(s, running);
	ck_assert_ptr_eq(kr_sched_next(s, NULL), &big);
	ck_assert_ptr_null(kr_sched_next(s, NULL)); /* big fills the budget */
	kr_sched_done(s, &big);
	/* A lower order goes first, even submitted later. */
	kr_sched_submit(s, 1, 1, 100, &early);
	ck_assert_ptr_eq(kr_sched_next(s, NULL), &early);
	ck_assert_ptr_eq(kr_sched_next(s, NULL), &small[passed]);
	kr_sched_cancel(s, &small[passed + 1]);
	ck_assert_uint_eq(kr_sched_queued(s), (size_t)(20 - passed - 2));
	kr_sched_drop_queue(s);
	ck_assert_uint_eq(kr_sched_queued(s), 0);
	kr_sched_done(s, &early);
	ck_assert_ptr_null(kr_sched_next(s, NULL));
	ck_assert_uint_eq(kr_sched_running(s), 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("schedule");
	tcase_add_test(tc, parse_cpu_max);
	tcase_add_test(tc, parse_meminfo);
	tcase_add_test(tc, detect_and_override);
	tcase_add_test(tc, budget_never_exceeded);
	tcase_add_test(tc, fills_the_budget);
	tcase_add_test(tc, oversize_runs_alone);
	tcase_add_test(tc, overtakes);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
