/* SPDX-License-Identifier: MIT */
/* The guest's initramfs (initramfs mode: no disk in the scenario): a static
 * busybox, an init script that mounts proc/sys/dev, sets the hang and
 * stall detectors (detectors.h) and the scenario's sysctls, prints a start
 * marker, runs the reproducer, has kmemleak scan when the kernel has it,
 * prints an end marker with the reproducer's exit status and then idles
 * until kradar stops the guest (after the settle period), plus the
 * reproducer itself and repro.files. Written with the cpio module. */
#pragma once

#include <stddef.h>

#include "scenario.h"

/* Console markers: "KRADAR-START <token>" before the reproducer starts and
 * "KRADAR-END <token> rc=<status>" after it ends. The token is random per
 * kradar process, so that a reproducer cannot print a marker by chance. */
#define KR_MARKER_START "KRADAR-START"
#define KR_MARKER_END "KRADAR-END"

/* Where things are in the guest. */
#define KR_GUEST_REPRO_BIN "/kradar/repro"
#define KR_GUEST_REPRO_SH "/kradar/repro.sh"
#define KR_GUEST_REPRO_SYZ "/kradar/repro.syz"
#define KR_GUEST_EXECPROG "/kradar/syz-execprog"
#define KR_GUEST_EXECUTOR "/kradar/syz-executor"
/* kmemleak's file (debugfs): the scripts scan and read it once the
 * reproducer ends, when it is there. */
#define KR_GUEST_KMEMLEAK "/sys/kernel/debug/kmemleak"
/* The second serial port: syz-execprog's output goes there, not to the
 * console, so that its chatter cannot break up a kernel report. */
#define KR_GUEST_AUX_TTY "/dev/ttyS1"

struct kr_initramfs {
	const struct kr_scenario *s; /* sysctl, repro kind and text, repro.files */
	const char *busybox;         /* host path of a static busybox */
	const char *token;           /* marker token */
	const char *repro_binary;    /* c: the compiled reproducer (host path) */
	const char *syz_program;     /* syz: the program text to run */
	size_t syz_program_len;
	char *const *execprog_flags; /* syz: flags after -executor=... */
	const char *execprog_dir;    /* syz: host dir with syz-execprog and syz-executor */
	/* A warm start's init (snapshot.h): token is not used; the script
	 * stops at the ready point, printing KR_MARKER_START
	 * KR_WARM_READY_TOKEN, and reads its run's settings from the channel
	 * (KR_GUEST_CHANNEL_TTY, qemu.h) up to the line KR_WARM_RUN_END, so
	 * that one snapshot serves every run and every kradar process. */
	bool warm;
};

#define KR_WARM_READY_TOKEN "warm-ready"
#define KR_WARM_RUN_END "#kradar-run-end"

/* What the channel brings a restored guest: the run's marker token, a seed
 * for its RNG (hex, written into /dev/urandom) and the time (seconds since
 * the epoch), then KR_WARM_RUN_END. To be freed. */
char *kr_initramfs_warm_run_script(const char *token, const char *seed_hex, long long epoch);

/* The init script (to be freed); also saved with each run. */
char *kr_initramfs_init_script(const struct kr_initramfs *ir);

/* Image mode's script, run over SSH (ssh.h) as `sh kradar/run.sh` from the
 * login directory (so that any user may run it): the same sysctls,
 * markers and reproducer as the init script, with the reproducer's files
 * in the script's own directory (named as in the KR_GUEST_* paths) and
 * every output (syz-execprog's too) on the script's stdout, the SSH
 * session's. busybox, repro_binary and execprog_dir are not used. */
#define KR_GUEST_SSH_DIR "kradar"
#define KR_GUEST_SSH_SCRIPT "kradar/run.sh"
char *kr_initramfs_ssh_script(const struct kr_initramfs *ir);

/* Writes the archive to path. On failure *err says what could not be
 * added. */
int kr_initramfs_write(const struct kr_initramfs *ir, const char *path, char **err);

/* 'text' quoted for a POSIX shell (to be freed). */
char *kr_shell_quote(const char *text);
