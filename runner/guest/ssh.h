/* SPDX-License-Identifier: MIT */
/* Image mode's channel to the guest: SSH (Debian's OpenSSH client, ssh and
 * scp, spawned from argv arrays) through QEMU's user networking, which
 * forwards a loopback port of the host to the guest's port 22.
 *
 * The session is a kr_guest_session (guest.h): the supervisor runs it in
 * the event loop that watches the console. It waits for SSH (a connection
 * attempt, then another retry_s after each failure, until one works; the
 * boot timeout bounds them), creates the guest's directories, copies the
 * files, runs the reproducer's command and streams its output into a file,
 * taking the start and end markers and syz-execprog's "executed programs:
 * N" progress lines from it. A connection that drops before the end marker
 * is reported after lost_wait seconds, so that a kernel crash on the
 * console, which is what usually drops it, decides the run instead. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "guest.h"
#include "util.h"

struct kr_ssh_target {
	int port;               /* on 127.0.0.1 */
	const char *user;
	const char *key;        /* private key file; NULL: none (an empty password) */
	double connect_timeout; /* seconds for the TCP connection and the handshake */
	double keepalive_s;     /* ServerAliveInterval; 0: none */
	int keepalive_max;      /* ServerAliveCountMax */
};

/* ssh's options for t, shared by ssh and scp: no config files, host keys
 * neither checked nor stored, no prompts, only the given key. */
char **kr_ssh_options(const struct kr_ssh_target *t);
/* The ssh argv that runs command (a shell command line) in the guest. */
char **kr_ssh_argv(const struct kr_ssh_target *t, const char *command);
/* The scp argv (the original SCP protocol, -O: it needs only scp in the
 * guest, no SFTP server) that copies sources to dest in the guest;
 * recursive: directories too. */
char **kr_scp_argv(const struct kr_ssh_target *t, char *const *sources, const char *dest,
		   bool recursive);

/* A free TCP port on 127.0.0.1: a socket is bound to port 0, the port read
 * back and the socket closed. Another process may take the port before
 * QEMU binds it; QEMU then fails at once and the caller tries again with
 * another port. 0 or a negative errno. */
int kr_ssh_free_port(int *port);

/* One copy step: sources (host files or directories) to dest, a guest
 * directory (ending in '/') or path. */
struct kr_ssh_copy {
	char *const *sources;
	const char *dest;
	bool recursive;
};

struct kr_ssh_session_config {
	struct kr_ssh_target target;
	char *const *dirs;          /* guest directories to create first (NULL: none) */
	const struct kr_ssh_copy *copies;
	size_t n_copies;
	const char *command;        /* prints "KRADAR-START TOKEN", runs the reproducer,
				     * prints "KRADAR-END TOKEN rc=STATUS" */
	const char *token;
	bool execprog;              /* progress: a larger "executed programs: N";
				     * otherwise any output */
	const char *output_path;    /* the command's output (execprog.log) */
	const char *log_path;       /* each step, and ssh's and scp's stderr */
	double retry_s;             /* between connection attempts */
	double step_timeout;        /* an attempt or a copy at most */
	double lost_wait;           /* after a dropped connection */
};

struct kr_ssh_stats {
	unsigned attempts;  /* connection attempts */
	double ready_s;     /* QEMU's start to SSH working; < 0: never */
	double copied_s;    /* ... to the files copied; < 0: never */
	long programs;      /* the last "executed programs: N"; -1: none */
	double progress_s;  /* when the count last grew (any output without
			     * execprog); < 0: never */
	int status;         /* ssh's exit status for the command; -1: unknown */
};

struct kr_ssh_session;

/* Copies c (everything it points to) and opens the output and log files.
 * -errno with *err on failure. */
int kr_ssh_session_new(const struct kr_ssh_session_config *c, struct kr_ssh_session **out,
		       char **err);
/* The hooks for kr_guest_config.session (valid while s lives). */
const struct kr_guest_session *kr_ssh_session_hooks(struct kr_ssh_session *s);
void kr_ssh_session_stats(const struct kr_ssh_session *s, struct kr_ssh_stats *st);
/* Stops what still runs (SIGTERM, then SIGKILL to its group) and frees. */
void kr_ssh_session_free(struct kr_ssh_session *s);
KR_DEFINE_CLEANUP(struct kr_ssh_session, kr_ssh_session_free)
#define _cleanup_ssh_session_free_ _cleanup_(kr_ssh_session_freep)

/* The count in a syz-execprog progress line ("2024/01/02 10:00:00
 * executed programs: 42"), or -1 when line is not one. */
long kr_ssh_execprog_progress(const char *line, size_t len);
