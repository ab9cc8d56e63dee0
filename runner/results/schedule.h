/* SPDX-License-Identifier: MIT */
/* The guest scheduler of `kradar run --jobs N`: how many guests run at once
 * without oversubscribing the host, because an oversubscribed host starves
 * its guests and starvation makes the artifact stalls kradar must tell from
 * real hangs.
 *
 * The budget is what kradar may use: CPUs from its affinity mask (and a
 * cgroup v2 cpu.max quota, when one is set), memory from MemAvailable (and
 * a cgroup v2 memory.max, less what the cgroup uses), less a margin. A
 * guest needs its vCPUs (vm.smp) and its memory (vm.mem_mb) plus QEMU's own
 * (KR_SCHED_QEMU_MB). Guests wait in a queue, in order, and the first
 * that fits starts while fewer than `jobs` run: the sum of the running
 * guests' vCPUs and memory never exceeds the budget. A guest that does not
 * fit yet may be passed by smaller ones behind it, but only
 * KR_SCHED_OVERTAKES times: then nothing passes it until it starts, so a
 * large guest is not starved. A guest larger than the whole budget runs
 * alone (the caller warns). Pure bookkeeping: no threads, no clock, so a
 * test can drive it with fake guests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* How many guests may start before a waiting one. */
#define KR_SCHED_OVERTAKES 8

/* QEMU's memory beyond the guest's (TCG's translation cache, devices). */
#define KR_SCHED_QEMU_MB 256

struct kr_budget {
	int cpus;    /* at least 1 */
	long mem_mb; /* at least 1 */
	char *cpus_from; /* where the figures come from, for the user */
	char *mem_from;
};

/* The host's budget: CPUs from sched_getaffinity() and the cgroup's
 * cpu.max (rounded up), memory from /proc/meminfo's MemAvailable and the
 * cgroup's memory.max - memory.current, less max(10%, 512 MiB).
 * KRADAR_CPUS and KRADAR_MEM_MB replace the detected figures. Never fails:
 * what cannot be read is left out. */
void kr_budget_detect(struct kr_budget *b);
void kr_budget_clear(struct kr_budget *b);

/* Parsers for the files above (exposed for tests). */
/* cgroup v2 cpu.max ("max 100000", "150000 100000"): the CPUs the quota
 * allows, rounded up; 0 for "max"; -EINVAL when malformed. */
int kr_budget_parse_cpu_max(const char *text);
/* MemAvailable in MiB from /proc/meminfo's text; -EINVAL without it. */
long kr_budget_parse_meminfo(const char *text);
/* The memory kept back from a budget of avail_mb. */
long kr_budget_margin_mb(long avail_mb);

struct kr_sched;

/* max_jobs: at most this many guests at once (>= 1). */
struct kr_sched *kr_sched_new(const struct kr_budget *b, int max_jobs);
void kr_sched_free(struct kr_sched *s);
KR_DEFINE_CLEANUP(struct kr_sched, kr_sched_free)

/* Queues a guest that needs cpus vCPUs and mem_mb MiB (QEMU's share
 * included); data identifies it (not NULL). The queue is kept by order,
 * ascending; guests of equal order in submission order. */
void kr_sched_submit(struct kr_sched *s, long long order, int cpus, long mem_mb, void *data);

/* The first queued guest (in order) that may start now, accounted as
 * running; NULL when none may (nothing queued, no room, or a guest that
 * has been passed KR_SCHED_OVERTAKES times waits for room). *oversize (may
 * be NULL) is set when the guest exceeds the whole budget and was started
 * because nothing else runs. */
void *kr_sched_next(struct kr_sched *s, bool *oversize);

/* Takes the queued guests with this data out of the queue. */
void kr_sched_cancel(struct kr_sched *s, void *data);

/* A guest from kr_sched_next() has ended; its room is free again. */
void kr_sched_done(struct kr_sched *s, void *data);

/* Forgets the queue (an interrupted run starts nothing more). */
void kr_sched_drop_queue(struct kr_sched *s);

size_t kr_sched_running(const struct kr_sched *s);
size_t kr_sched_queued(const struct kr_sched *s);
/* vCPUs and memory of the running guests. */
void kr_sched_in_use(const struct kr_sched *s, int *cpus, long *mem_mb);
