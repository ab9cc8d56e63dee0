/* SPDX-License-Identifier: MIT */
/* Leftovers of killed processes: temporary and work directories named after
 * their owner, and lock files that name their holder.
 *
 * An owner is a process identified by its PID, its start time (field 22 of
 * /proc/PID/stat, in clock ticks since boot: a PID reused by another process
 * has another start time) and the inode of its PID namespace (a PID from
 * another namespace cannot be checked and counts as alive). A directory made
 * by kr_stale_mkdtemp() is PARENT/PREFIXPID-START-NS-XXXXXX; any later
 * process may remove it with kr_stale_sweep() once its owner is dead. Names
 * that do not parse, other users' directories and live owners' directories
 * are never touched. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct kr_owner {
	pid_t pid;
	uint64_t start; /* clock ticks after boot */
	uint64_t pidns; /* inode of /proc/PID/ns/pid, 0 when unknown */
};

/* This process. -errno when /proc cannot be read. */
int kr_owner_self(struct kr_owner *o);
/* False only when o's process is known to be gone: no such PID in this
 * PID namespace, or one that started at another time. */
bool kr_owner_alive(const struct kr_owner *o);
/* "PID-START-NS" of o, and back (the tag must fill s up to end, or up to
 * the first character after it when end is not NULL). */
char *kr_owner_tag(const struct kr_owner *o);
bool kr_owner_parse_tag(const char *s, struct kr_owner *o, const char **end);

/* mkdtemp() of PARENT/PREFIXTAG-XXXXXX, mode 0700. -errno on failure. */
int kr_stale_mkdtemp(const char *parent, const char *prefix, char **out);
/* Removes PARENT/PREFIX* directories made by kr_stale_mkdtemp() whose owner
 * is dead and which belong to this user. Returns how many were removed. */
int kr_stale_sweep(const char *parent, const char *prefix);

/* A lock file naming its holder: opens path (created 0644, O_NOFOLLOW),
 * takes flock(LOCK_EX | LOCK_NB) and writes "PID START NS\n" into it.
 * Returns the fd (close it to release), -EWOULDBLOCK with *holder filled
 * (pid 0 when it named none) when another process holds it, or -errno. */
int kr_owner_lock(const char *path, struct kr_owner *holder);

/* The name of a temporary file that becomes path once written:
 * "PATH.tmp-TAG-XXXXXX" (TAG this process's, XXXXXX for mkostemp). NULL
 * when /proc cannot tell who this process is. */
char *kr_stale_tmp_template(const char *path);
/* Removes files named by kr_stale_tmp_template() whose owner is dead and
 * which belong to this user, in dir and its subdirectories down to
 * max_depth levels, never following symlinks nor leaving dir's filesystem.
 * Returns how many were removed. */
int kr_stale_sweep_tmp(const char *dir, int max_depth);

/* Partial downloads (fetch.h): DIR/X.part is kept while DIR/X.lock is held
 * (its download is running) and, since the fetcher resumes any part with a
 * Range request, for max_age_s after its last write; a part older than
 * that whose lock nobody holds is removed. Returns how many were removed. */
int kr_stale_sweep_parts(const char *dir, double max_age_s);
