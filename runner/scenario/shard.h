/* SPDX-License-Identifier: MIT */
/* Sharding runs across machines (`--shard K/N`): a deterministic split of
 * a set of named cells into N shards, balanced by each cell's expected
 * cost, so that every machine computes the same split from the same
 * matrix and every cell runs in exactly one shard. K and N come from the
 * command line or from the variables a CI or batch system sets for a job
 * of a parallel set. */
#pragma once

#include <stddef.h>

#include "scenario.h"

#define KR_SHARD_MAX 10000

struct kr_shard {
	int index; /* 1-based */
	int total; /* 0: not sharded */
};

/* "K/N" with 1 <= K <= N <= KR_SHARD_MAX. -EINVAL with *err otherwise. */
int kr_shard_parse(const char *text, struct kr_shard *out, char **err);

/* The shard from the environment, in this order:
 *   GitLab CI (parallel:)    CI_NODE_INDEX (1-based), CI_NODE_TOTAL
 *   Slurm job arrays         SLURM_ARRAY_TASK_ID, with SLURM_ARRAY_TASK_MIN,
 *                            SLURM_ARRAY_TASK_MAX and SLURM_ARRAY_TASK_STEP
 *                            (default 1) or SLURM_ARRAY_TASK_COUNT
 *   Kubernetes indexed Jobs  JOB_COMPLETION_INDEX (0-based), with the total
 *                            from total (--shard-total; 0: none) or
 *                            KRADAR_SHARD_TOTAL
 * *source names the system ("GitLab CI", ...). -ENOENT when none of them
 * is set; -EINVAL with *err when the values are wrong or incomplete (a
 * sparse Slurm array, a Kubernetes index without a total). */
int kr_shard_from_env(int total, struct kr_shard *out, const char **source, char **err);

/* A cell's expected cost, in guest-seconds: runs x ((boot + run timeouts)
 * x tcg_factor (unless vm.kvm is "on") + settle). It depends on the scenario alone,
 * never on the host, so every machine computes the same split. */
double kr_shard_cost(const struct kr_scenario *s);

struct kr_shard_item {
	const char *name; /* unique */
	double cost;
};

/* shard_of[i] (1..total) for each item: items sorted by cost, descending
 * (equal costs by name), each given to the shard with the least cost so
 * far (equal loads: the lowest index). */
void kr_shard_split(const struct kr_shard_item *items, size_t n, int total, int *shard_of);
