/* SPDX-License-Identifier: MIT */
/* Merging the results of shards (`kradar run --shard K/N` on several
 * machines) into one: every shard lists every cell, the cells of the
 * other shards as skipped; the merge takes each cell from the shard that
 * ran it and copies that run's artifacts along. */
#pragma once

#include <stddef.h>

#include "results.h"

/* Merges parts (read with kr_results_load) into new results for out_dir.
 * Scenarios keep the order in which they first appear. A scenario that
 * every part skipped stays skipped; one that two parts ran is an error
 * (-EINVAL, *err names both directories): results of two runs of the
 * matrix must not be mixed. *warnings (NULL-terminated, never NULL) says
 * what is odd but merged: shards missing from a sharded set, cells no
 * shard ran. */
int kr_results_merge(struct kr_results *const *parts, size_t n, const char *out_dir,
		     struct kr_results **out, char ***warnings, char **err);

/* Copies the run directories of every scenario of merged from the part
 * that ran it (found by name in parts) into merged->out_dir: hard links
 * where the file system allows, copies otherwise. A directory that is
 * already the destination is left alone. -errno with *err on failure. */
int kr_results_merge_artifacts(const struct kr_results *merged, struct kr_results *const *parts,
			       size_t n, char **err);
