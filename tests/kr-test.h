/* SPDX-License-Identifier: MIT */
/* Shared helpers for kradar's check-based tests. Every test binary prints
 * TAP on stdout so that meson counts each test case. */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stddef.h>

/* Runs the suite (each test forked) and returns the exit status for main. */
int kr_test_main(Suite *s);

/* A fresh directory under $TMPDIR, removed by kr_test_tmpdir_cleanup(). */
const char *kr_test_tmpdir(void);
void kr_test_tmpdir_cleanup(void);

/* Writes text to DIR/name (creating parent directories); returns the full
 * path (owned by the caller). */
char *kr_test_write(const char *dir, const char *name, const char *text);

/* Runs argv (argv[0] looked up in PATH unless it has a '/'), feeding
 * stdin_text when not NULL, and captures its output. Returns the exit
 * status, or 128+signal. Output pointers may be NULL. Kills the child
 * after timeout_s seconds. */
int kr_test_spawn(char *const argv[], const char *stdin_text, size_t stdin_len, char **out,
		  char **err, double timeout_s);
/* Runs argv on a new pseudo-terminal of cols x rows (its standard input,
 * output and error), TERM=xterm and no CI variables; returns its exit
 * status and, in *out, all it wrote there (\n as the terminal turns it:
 * \r\n). */
int kr_test_spawn_pty(char *const argv[], unsigned short cols, unsigned short rows, char **out);

/* A fake QEMU in DIR/name (an executable script) for a scenario with
 * repro.sh: it answers --version, reads the start marker's token from the
 * initramfs kradar made, prints "Linux version", the file `before` (NULL:
 * nothing), the start marker, the file `after`, then waits to be stopped.
 * Returns its path. */
char *kr_test_fake_qemu(const char *dir, const char *name, const char *before,
			const char *after);

/* Loads a scenario from json as if it were kr_test_tmpdir()/s.json (so
 * that relative paths name files there), failing the test with the first
 * diagnostic when it does not load. */
struct kr_scenario;
struct kr_scenario *kr_test_scenario(const char *json);

/* For the qemu suite: runs ci/prepare-debian-kernel.sh (Debian's kernel
 * and the kradar_test modules, cached after the first time) and puts the
 * KEY=value lines of the env file it writes into this process's
 * environment (KRADAR_DEBIAN_KERNEL, KRADAR_TEST_MODULE,
 * KRADAR_TEST_MODULE_FIXED, ...). Call it from an unchecked fixture, so
 * that every forked test and every kradar it spawns inherits them. */
void kr_test_prepare_debian_kernel(void);

/* The directory of real syzkaller binaries (syz-execprog and
 * syz-executor, linux/amd64): $KRADAR_SYZKALLER_BIN, else
 * $KRADAR_SOURCE_ROOT/../shared/syzkaller/linux_amd64 (CI's checkout has
 * ../shared beside it). NULL when neither holds both, with *why saying
 * what is missing (for a SKIP line; the caller frees both). */
char *kr_test_syzkaller_bin(char **why);

/* A fake kernel tree in dir for the kernel builder: its Makefile answers
 * tinyconfig, olddefconfig (dropping what its Kconfig does not allow:
 * CONFIG_GATED, CONFIG_NOSUCH*) and bzImage in O= the way the kernel's
 * does, in milliseconds; the "bzImage" is the file VERSION (version), the
 * "vmlinux" the .config. Each build appends a line to $KR_FAKE_COUNT
 * (which must be set); with $KR_FAKE_FIFO set it writes its pid there and
 * sleeps 20 s; CONFIG_BREAK=y fails it with a compiler error, CONFIG_SLOW=y
 * makes it take a second. */
void kr_test_fake_kernel_tree(const char *dir, const char *version);

/* The config lines of scenarios/fragments/bootable-tiny.config,
 * bootable-disk.config and debug-info.config, in order: the one kernel that
 * the build and image suites both use (one cache entry, so a cold CI builds
 * it once), with the debug info that symbolizes its reports. */
char **kr_test_bootable_fragment(void);

/* Path of the built kradar binary (from the KRADAR_BIN environment
 * variable that meson sets). */
const char *kr_test_kradar(void);
/* Path of tests/data in the source tree. */
const char *kr_test_data(void);

/* Compares actual with the golden file tests/data/golden/NAME byte for
 * byte, failing with the first differing line. With KRADAR_UPDATE_GOLDEN=1
 * in the environment, writes actual there instead (then review the diff):
 *   KRADAR_UPDATE_GOLDEN=1 meson test -C build --suite unit */
void kr_test_golden(const char *name, const char *actual, size_t len);

/* The object of scenario name in a results.json text (from its "name" to
 * the next scenario's), for substring checks (owned by the caller). */
char *kr_test_results_scenario(const char *json, const char *name);

/* The processes whose command line (its arguments joined by blanks) holds
 * needle: their number, and the first max of their pids in pids (which
 * may be NULL when max is 0). */
size_t kr_test_pids_with(const char *needle, int *pids, size_t max);

/* Whether the file holds text now; for "X.part" (a file kradar renames
 * when it is complete) X counts too. */
bool kr_test_file_has(const char *path, const char *text);

/* Waits until kr_test_file_has(path, text), at most timeout_s seconds:
 * woken by inotify when path or a missing parent directory of it appears
 * or changes, not by polling. 0, or -ETIMEDOUT (or another -errno). */
int kr_test_wait_for_text(const char *path, const char *text, double timeout_s);

/* How many strings of the NULL-terminated v start with prefix. */
size_t kr_test_count_prefixed(char *const *v, const char *prefix);

#define KR_ASSERT_HAS(hay, needle) \
	ck_assert_msg(strstr(hay, needle), "no '%s' in:\n%s", needle, kr_test_tail(hay))

/* The largest failure message, and the part of a long output one shows:
 * its end, where a build or a guest says what went wrong. */
#define KR_TEST_MAX_MSG (64u << 10)
#define KR_TEST_TAIL (12u << 10)
const char *kr_test_tail(const char *s);
