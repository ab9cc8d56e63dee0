/* SPDX-License-Identifier: MIT */
/* Child processes: spawned from an argv array (never through a shell), in
 * their own process group, with PR_SET_PDEATHSIG so that they die with
 * kradar, and with a pidfd to wait on (poll/epoll) instead of polling.
 * Only fds 0, 1 and 2 are passed on: everything kradar opens is O_CLOEXEC.
 * A failed exec (a missing tool) is reported by kr_process_start() as its
 * errno (-ENOENT), not as an exit status. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util.h"

struct kr_process;

/* Creates a process for argv (argv[0] looked up in PATH unless it has a
 * '/'). Nothing runs until kr_process_start(). Standard input, output and
 * error default to /dev/null. */
struct kr_process *kr_process_new(char *const argv[]);

/* Where the child's standard streams go; fd is duplicated at start (the
 * caller keeps and closes its own). -1: /dev/null. */
void kr_process_set_stdin(struct kr_process *p, int fd);
void kr_process_set_stdout(struct kr_process *p, int fd);
void kr_process_set_stderr(struct kr_process *p, int fd);
/* The child's working directory (copied); NULL: kradar's. */
void kr_process_set_cwd(struct kr_process *p, const char *dir);
/* Adds or replaces NAME=value in the child's environment (copied). */
void kr_process_setenv(struct kr_process *p, const char *name, const char *value);

/* Forks and execs. Returns 0, or a negative errno: the exec's own error
 * (-ENOENT: no such program, -EACCES) or the fork's. */
int kr_process_start(struct kr_process *p);

pid_t kr_process_pid(const struct kr_process *p);
/* Readable (POLLIN) once the child has exited; owned by p. */
int kr_process_pidfd(const struct kr_process *p);

/* Waits for the child to exit, at most timeout_s seconds (< 0: forever),
 * and reaps it. *status: the exit code, or 128 + the signal that killed
 * it. Returns 0, -ETIMEDOUT (the child still runs), or another negative
 * errno. Calling it again after a reap returns the same status. */
int kr_process_wait(struct kr_process *p, double timeout_s, int *status);

/* Sends sig to the child's whole process group (while it is not reaped). */
int kr_process_kill(struct kr_process *p, int sig);

/* Stops the child: SIGTERM to its group, up to grace_s seconds for it to
 * exit, then SIGKILL to the group, and reaps it. A no-op once reaped. */
void kr_process_stop(struct kr_process *p, double grace_s);

/* Kills the group (SIGKILL) if the child has not been reaped, reaps it and
 * frees everything. NULL is a no-op. */
void kr_process_free(struct kr_process *p);
KR_DEFINE_CLEANUP(struct kr_process, kr_process_free)
#define _cleanup_process_free_ _cleanup_(kr_process_freep)

/* Runs argv to completion with its standard output captured (at most max
 * bytes; more is -E2BIG) and its standard error sent to err_fd (-1:
 * /dev/null). cwd may be NULL. Kills the group after timeout_s seconds
 * (-ETIMEDOUT). *out is NUL-terminated. Returns 0 with *status set, or a
 * negative errno. */
int kr_process_run_capture(char *const argv[], const char *cwd, int err_fd, size_t max,
			   double timeout_s, char **out, int *status);

/* Runs argv to completion with standard output and error both sent to
 * out_fd (-1: /dev/null). The same returns as kr_process_run_capture(). */
int kr_process_run(char *const argv[], const char *cwd, int out_fd, double timeout_s,
		   int *status);
