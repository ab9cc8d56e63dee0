/* SPDX-License-Identifier: MIT */
/* The kernel builder's private interface: kbuild.c (the steps of a build,
 * children, cancellation), kbuild-tree.c (the source tree and its identity),
 * kbuild-config.c (toolchain, fragment, cache keys), kbuild-make.c
 * (configure and build) and kbuild-cache.c (locks, work dirs, entries).
 *
 * Kernels built from source, cached by what determines them.
 *
 * Cache layout (CACHE = options' cache_dir or ${XDG_CACHE_HOME}/kradar):
 *   kernels/<key>/   bzImage vmlinux config build.log meta.json: a finished
 *                    entry, renamed into place whole, never changed after
 *   inputs/<ikey>    "key <key>" and the fragment check of one set of
 *                    inputs, so that unchanged inputs need no olddefconfig
 *   trees/tar-<sha256>, trees/git-<commit>   unpacked or exported sources
 *   hashes/          stat caches for tarball and directory content hashes
 *   locks/<name>.lock   flock(LOCK_EX) per kernel key and per tree
 *   work/PID-START-NS-XXXXXX/   one build in progress, named after its
 *                    process (stale.h): a later kradar removes those whose
 *                    process is gone
 *   failed/<key>.log    the log of the last failed build of a key
 * <key> is the sha256 of the tree identity, the final .config's hash, the
 * compiler and linker versions and the make variables; <ikey> the sha256 of
 * the inputs as given (tree, base config, fragment, make variables,
 * compiler). */
#pragma once

#include <stdbool.h>

#include "json-writer.h"
#include "kbuild.h"
#include "kconfig.h"
#include "process.h"
#include "sha256.h"

#ifndef KRADAR_VERSION
#define KRADAR_VERSION "unknown"
#endif

#define KEY_VERSION "kradar-kbuild 1"
#define CAPTURE_MAX (1 << 20)
#define CONFIG_MAX (64 << 20)

struct kb {
	const struct kr_scenario *s;
	const struct kr_kbuild_options *o;
	char **err;
	char *cache;
	int jobs;

	/* the tree */
	char *srctree; /* the kernel's top directory */
	char *tree_id;
	char *commit;
	char *tree_name; /* for derived labels */

	/* the toolchain and make */
	char **make_vars;
	char *cc_version;
	char *ld_version;

	/* this build's work directory */
	char *work;
	char *log;
	int log_fd;

	/* make's output is counted for o->make_progress (the compile step) */
	bool count_compiles;
	long compiles_estimated;

	struct kr_kconfig_fragment frag;
	char *config_id; /* "target:NAME" or "file:<sha256>" */
	char *fragment_sha;
};

void kb_progress(struct kb *b, const char *fmt, ...) KR_PRINTF(2, 3);
int kb_fail(struct kb *b, int r, const char *fmt, ...) KR_PRINTF(3, 4);
bool kb_cancelled(const struct kb *b);
int kb_wait_child(struct kb *b, struct kr_process *p, const char *what, int *status);
void kb_log_line(struct kb *b, const char *fmt, ...) KR_PRINTF(2, 3);
struct kr_process *kb_child_new(char *const argv[], const char *cwd);
int kb_missing_tool(struct kb *b, const char *tool, int r);
int kb_run_logged(struct kb *b, char *const argv[], const char *cwd, int *status);
/* Counts the lines of make's output that compile a file ("  CC ...",
 * "  CC [M] ..."), fed in pieces of any size; start it zeroed. */
struct kb_compile_counter {
	long compiled;
	size_t col;  /* in the current line */
	char head[5];
};
void kb_count_compiles(struct kb_compile_counter *cc, const char *data, size_t len);
/* The compiles in the newest build log of the cache: the estimate. */
long kb_estimate_compiles(struct kb *b);
int kb_run_capture(struct kb *b, char *const argv[], const char *cwd, char **out,
		       int *status);
int kb_lock_named(struct kb *b, const char *name, const char *what);
void kb_clean_stale_work(const char *cache);
int kb_work_dir_new(struct kb *b, char **dir);
void kb_work_dir_remove(char **dir);
char *kb_entry_path(struct kb *b, const char *key, const char *file);
bool kb_entry_complete(struct kb *b, const char *key);
int kb_copy_file(const char *from, const char *to);
int kb_fill_from_entry(struct kb *b, struct kr_kernel *k);
void kb_fill_identity(struct kb *b, struct kr_kernel *k);
void kb_finish_label(struct kb *b, struct kr_kernel *k);
int kb_write_meta(struct kb *b, const char *dir, const struct kr_kernel *k, double seconds,
		      int jobs);
bool kb_is_hex(const char *s, size_t n);
int kb_resolve_tree(struct kb *b);
char *kb_log_errors(const char *path);
int kb_configure(struct kb *b, const char *build_dir, struct kr_kernel *k);
int kb_build_and_store(struct kb *b, const char *build_dir, struct kr_kernel *k);
const char *kb_make_var(struct kb *b, const char *name);
int kb_toolchain(struct kb *b);
int kb_load_fragment(struct kb *b);
char *kb_inputs_key(struct kb *b);
char *kb_kernel_key(struct kb *b, const char *config_hash);
int kb_write_inputs(struct kb *b, const char *ikey, const struct kr_kernel *k);
bool kb_read_inputs(struct kb *b, const char *ikey, struct kr_kernel *k);
