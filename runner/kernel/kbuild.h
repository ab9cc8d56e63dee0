/* SPDX-License-Identifier: MIT */
/* Kernels built from source (scenario kernel.source): the tree at a commit
 * (or a tarball, or a directory as it is), a base config (file or make
 * target), a fragment merged into it, olddefconfig, a check that every
 * fragment line survived, and an out-of-tree build with -j. Results are
 * cached under CACHE/kernels/<key>, keyed by what determines them (tree
 * identity, final .config, compiler version, make variables): a kernel is
 * never built twice, a cache hit takes well under a second, concurrent
 * kradar processes wait for each other (flock per key) and a failed or
 * interrupted build never enters the cache. The user's tree is never
 * written to: git sources are exported with `git archive`, tarballs are
 * unpacked into the cache, and the build is out of tree (O=). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"
#include "util.h"

struct kr_kbuild_options {
	/* Cache root; NULL: ${XDG_CACHE_HOME:-$HOME/.cache}/kradar. */
	const char *cache_dir;
	/* make -j; 0: the CPUs this process may run on. */
	int jobs;
	/* When not NULL, the build log is copied to this path: the log of
	 * this build, of the cached build on a hit, and also of a failed
	 * build (the run's artifacts keep it). */
	const char *log_copy;
	/* Stop after configuring (merge, olddefconfig, fragment check):
	 * nothing is compiled or cached; kernel->bzimage, ->vmlinux and
	 * ->key are NULL, kernel->config is a temporary file removed by
	 * kr_kernel_free(). */
	bool config_only;
	/* When > 0 and readable (a signal handler wrote to a pipe, say): the
	 * running child's process group is stopped (SIGTERM, then SIGKILL)
	 * and kr_kbuild_get() returns -ECANCELED; nothing enters the cache.
	 * A wait for another process's build lock ends when a signal
	 * interrupts it (EINTR) and this fd is readable. */
	int cancel_fd;
	/* Called at each phase ("exporting ...", "building ...") so that a
	 * command can tell the user why it waits; NULL: silent. */
	void (*progress)(void *userdata, const char *message);
	/* Called as make compiles the kernel: files compiled so far (make's
	 * "  CC" lines) and how many the build should compile (those of the
	 * newest cached build, 0 when there is none); NULL: not counted. */
	void (*make_progress)(void *userdata, long compiled, long estimated);
	void *userdata;
};

/* A fragment line that olddefconfig dropped or changed. */
struct kr_kbuild_mismatch {
	char *option;    /* "CONFIG_JUMP_LABEL" */
	char *requested; /* "y", "m", "n", a value ("\"str\"", "0x10", "42") */
	char *actual;    /* the same forms; "n" when unset or absent */
	char *reason;    /* why, from Kconfig, where it can be told; NULL otherwise */
	char *message;   /* one line for the user naming all of the above */
};

struct kr_kernel {
	char *bzimage;     /* absolute path in the cache */
	char *vmlinux;     /* absolute path in the cache */
	char *config;      /* the final .config */
	char *build_log;   /* the build log kept with the cache entry */
	char *key;         /* cache key, 64 hex digits */
	char *tree;        /* tree identity: "git:<commit>", "tar:<sha256>" or "dir:<sha256>" */
	char *commit;      /* full commit id for a git source, NULL otherwise */
	char *config_hash; /* sha256 of the final .config, 64 hex digits */
	char *compiler;    /* the compiler's version line */
	char *label;       /* kernel.label, or derived from commit/tree and config hash */
	bool cache_hit;    /* true: nothing was built */
	double seconds;    /* wall time spent in kr_kbuild_get() */
	struct kr_kbuild_mismatch *mismatches; /* fragment lines dropped or changed */
	size_t n_mismatches;
	bool config_is_temp; /* config_only: config is removed by kr_kernel_free() */
};

/* Error classes returned by kr_kbuild_get(), each with a message in *err:
 *   -EINVAL   bad input: the source is neither a directory nor a tarball,
 *             commit is given for a tree that is not a git checkout or
 *             names no commit, the config target is unknown to the tree,
 *             or (with kernel.strict_fragment) a fragment line was dropped
 *             or changed; the message names the field.
 *   -ENOEXEC  the kernel did not build: make failed; the message holds the
 *             first error lines of the build log (a run's infra-error).
 *   -ENOENT   a tool is missing (make, git, tar, the compiler).
 *   -ECANCELED  options' cancel_fd became readable.
 *   other     the host failed (disk full, permissions, a child killed).
 */
int kr_kbuild_get(const struct kr_scenario *s, const struct kr_kbuild_options *opts,
		  struct kr_kernel **out, char **err);

void kr_kernel_free(struct kr_kernel *k);
KR_DEFINE_CLEANUP(struct kr_kernel, kr_kernel_free)
#define _cleanup_kernel_free_ _cleanup_(kr_kernel_freep)

