/* SPDX-License-Identifier: MIT */
/* Supervises one guest: starts QEMU from an argv, and runs one event loop
 * (epoll) over the serial console pipe, a timerfd, QEMU's pidfd and an
 * optional interrupt fd (kradar's signalfd). It keeps the console (raw
 * bytes) and the host arrival time of each line, finds the start and end
 * markers, enforces the boot, run and no-output timeouts, keeps watching
 * for a settle period after the reproducer ends (or runs out of time) so
 * that the kernel's late detectors can report, hands every byte to a crash
 * detector and, on a hit, keeps reading for a grace period before it stops
 * QEMU (SIGTERM, then SIGKILL to its process group) and reaps it.
 *
 * The crash detector is a pair of callbacks, so this module does not depend
 * on how crashes are recognised, nor on how the guest is booted (initramfs
 * now, a disk image with SSH later): the caller builds the argv. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum kr_guest_end {
	KR_GUEST_END_MARKER,       /* the end marker: the reproducer finished (and
				    * the settle period passed) */
	KR_GUEST_END_RUN_TIMEOUT,  /* ran for the run timeout (and the settle period) */
	KR_GUEST_END_HIT,          /* a crash or watch hit (after its grace) */
	KR_GUEST_END_BOOT_TIMEOUT, /* no start marker within the boot timeout */
	KR_GUEST_END_NO_OUTPUT,    /* silent for no_output after the start marker */
	KR_GUEST_END_EXITED,       /* QEMU exited by itself, no hit, no end marker */
	KR_GUEST_END_INTERRUPTED,  /* the interrupt fd fired (kradar got a signal) */
	KR_GUEST_END_ERROR,        /* QEMU could not be started, or I/O failed */
	KR_GUEST_END_LOST,         /* the session lost its guest (image mode: the SSH
				    * connection dropped) and the console showed no crash */
};

/* Where a run is, for progress displays. */
enum kr_guest_phase {
	KR_GUEST_PHASE_RUN,      /* the start marker: the reproducer runs */
	KR_GUEST_PHASE_SETTLE,   /* it ended (or ran out of time): watching the
				  * console for late reports */
	KR_GUEST_PHASE_GRACE,    /* a hit: reading the rest of the report */
	KR_GUEST_PHASE_STOPPING, /* stopping QEMU */
};

/* A second channel to the guest next to the console (image mode's SSH
 * session, ssh.h), run in the same event loop. With a session the run
 * starts and ends when the session says so (not by console markers), and
 * the session's progress also resets the no-output timer. The session
 * calls the kr_guest_ctl_*() functions below from its callbacks. */
struct kr_guest_ctl;

struct kr_guest_session {
	/* QEMU has started. */
	void (*begin)(void *userdata, struct kr_guest_ctl *ctl);
	/* fd (added with kr_guest_ctl_watch()) is readable or hung up. */
	void (*ready)(void *userdata, struct kr_guest_ctl *ctl, int fd);
	/* The time set with kr_guest_ctl_alarm() has come. */
	void (*alarm)(void *userdata, struct kr_guest_ctl *ctl);
	/* The run is over, however it ended: stop what the session runs.
	 * Called once, before QEMU is stopped, when begin() was called. */
	void (*end)(void *userdata);
	/* Appended to the no-output message: what the session saw last
	 * (to be freed; NULL: nothing to add). May be NULL. */
	char *(*describe)(void *userdata);
	void *userdata;
};

/* Adds fd to the loop (EPOLLIN); 0 or a negative errno. */
int kr_guest_ctl_watch(struct kr_guest_ctl *ctl, int fd);
void kr_guest_ctl_unwatch(struct kr_guest_ctl *ctl, int fd);
/* Calls alarm() seconds from now (one alarm; a new call replaces it;
 * seconds < 0 cancels). */
void kr_guest_ctl_alarm(struct kr_guest_ctl *ctl, double seconds);
/* Seconds since QEMU started. */
double kr_guest_ctl_elapsed(const struct kr_guest_ctl *ctl);
/* The reproducer starts now: ends the boot phase (the console offset now
 * is the start offset) and starts the run and no-output timers. */
void kr_guest_ctl_started(struct kr_guest_ctl *ctl);
/* The reproducer made progress: resets the no-output timer. */
void kr_guest_ctl_progress(struct kr_guest_ctl *ctl);
/* The reproducer ended with status (what the end marker says). */
void kr_guest_ctl_ended(struct kr_guest_ctl *ctl, int status);
/* The session lost the guest: ends the run with KR_GUEST_END_LOST, unless
 * a crash was seen (its grace period goes on) or QEMU exited. Takes
 * message. */
void kr_guest_ctl_lost(struct kr_guest_ctl *ctl, char *message);
/* The session cannot go on (a copy failed): KR_GUEST_END_ERROR, unless a
 * crash was seen. Takes message. */
void kr_guest_ctl_fail(struct kr_guest_ctl *ctl, char *message);

struct kr_guest_config {
	char *const *argv;       /* QEMU */
	const char *console_path; /* the console, raw bytes */
	const char *times_path;   /* "OFFSET SECONDS" per console line */
	const char *stderr_path;  /* QEMU's stderr */
	const char *token;        /* marker token (see initramfs.h); NULL: no markers,
				   * the run starts at once (with a session: when
				   * the session says) */
	/* Seconds (the caller applies the TCG factor). */
	double boot_timeout;
	double run_timeout;
	double no_output_timeout;
	double grace;
	/* After the end marker (or the run timeout) the run goes on for this
	 * long, the console watched as before, so that detectors that report
	 * late (hung tasks, RCU stalls) are seen; 0: the run ends there. The
	 * no-output timeout does not apply while settling. */
	double settle;
	char *const *watch;       /* PCRE2 patterns: a line after the start that
				   * matches one (without its printk timestamp) is
				   * a hit */
	/* The crash detector: fed every console byte in order; hit() is asked
	 * after each feed. */
	int (*feed)(void *userdata, const char *data, size_t len);
	bool (*hit)(void *userdata);
	void *userdata;
	int interrupt_fd;         /* a signalfd for SIGINT/SIGTERM, or -1 */
	/* Told when the run enters a phase (NULL: nobody); booting is the
	 * phase from the start. */
	void (*phase)(void *phase_userdata, enum kr_guest_phase phase);
	void *phase_userdata;
	const struct kr_guest_session *session; /* NULL: none (initramfs mode) */
};

/* What a console line is, as far as its timing is concerned. */
enum {
	KR_LINE_NMI_REQUEST = 1 << 0,   /* "Sending NMI from CPU 0 to CPUs 1:" */
	KR_LINE_NMI_BACKTRACE = 1 << 1, /* "NMI backtrace for cpu 1" (an answer) */
};

/* One console line's timing. */
struct kr_line_time {
	size_t offset;   /* of the line in the console */
	double host_s;   /* arrival of its first byte, seconds since QEMU started */
	double guest_s;  /* its printk timestamp, NaN when it has none */
	unsigned flags;  /* KR_LINE_* */
	int cpu;         /* the CPU of an NMI backtrace line; -1 for others */
};

struct kr_guest_result {
	enum kr_guest_end end;
	char *message;        /* what happened, one line (errors, timeouts, exits) */
	bool any_output;      /* QEMU printed anything on the console */
	bool started;         /* the start marker was seen */
	double boot_s;        /* QEMU start to the start marker; -1: never */
	double duration_s;    /* QEMU start to QEMU reaped */
	size_t start_offset;  /* console offset just past the start marker line */
	int repro_status;     /* from the end marker; -1 when unknown */
	double settle_s;      /* seconds spent settling; -1: the run never settled */
	bool hit;             /* a crash or watch hit was seen */
	double hit_s;         /* when (seconds since QEMU started) */
	size_t hit_offset;    /* console offset of the line that made the hit */
	char *watch_line;     /* the console line a watch pattern matched */
	int qemu_status;      /* exit code or 128+signal; -1 while unknown */
	bool qemu_exited;     /* QEMU ended by itself (not stopped by kradar) */
	int signal;           /* for KR_GUEST_END_INTERRUPTED */
	/* "cannot write FILE: REASON" when the console log or its times could
	 * not be written (a full disk): the run ended then, as an error */
	char *write_error;
	struct kr_line_time *lines;
	size_t n_lines;
	uint64_t stop_from_ns; /* end of the grace (or the hit without one),
				* from when stopping QEMU counts (kr_now_ns()
				* clock); 0 when QEMU ended by itself */
};

/* Runs the guest to its end. Returns 0 with *res filled (the outcome is
 * res->end, including errors: KR_GUEST_END_ERROR with res->message), or
 * -EINVAL for a watch pattern that does not compile. */
int kr_guest_run(const struct kr_guest_config *c, struct kr_guest_result *res);
void kr_guest_result_clear(struct kr_guest_result *res);

/* The timing of a console line (without its line end) at offset that
 * arrived at host_s. */
struct kr_line_time kr_guest_line_time(const char *line, size_t len, size_t offset, double host_s);

/* Starvation evidence from line timing (docs/results.md, "Starvation
 * evidence", has the measurements behind the thresholds):
 *
 * - A printk clock lagging the host's: a line whose printk time is more than
 *   KR_CLOCK_LAG_S behind its arrival, measured against the most up-to-date
 *   line so far (the smallest host-minus-printk offset, starting from the
 *   last timestamped line before offset from). Under TCG with several vCPUs
 *   the guest's sched_clock only moves on a CPU's own timer ticks, so such
 *   a line comes from a CPU that took no tick for that long: its vCPU did
 *   not run. A CPU with interrupts off is the exception, and it only prints
 *   when asked by NMI: the lines of an NMI backtrace (those sharing the
 *   printk time of its "NMI backtrace for cpu N" line) do not count. One
 *   line per stale printk time.
 * - An NMI backtrace request ("Sending NMI from CPU 0 to CPUs 1:") that no
 *   "NMI backtrace for cpu" line answered within KR_NMI_WAIT_S (a CPU
 *   answers an NMI even with interrupts off; one that does not was not
 *   running). With no answer at all the wait runs to the next request or
 *   to end_s, when the console ended.
 *
 * Lines before offset from (the start marker: boot is not the run) are not
 * evidence. Returns a NULL-terminated vector of lines, each starting with
 * "guest clock lagged" or "NMI backtrace request" (never NULL; at most 5). */
#define KR_CLOCK_LAG_S 2.0
#define KR_NMI_WAIT_S 2.0
char **kr_guest_timing_evidence(const struct kr_line_time *lines, size_t n, size_t from,
				double end_s);

/* The longest wait, in seconds of host time, from an NMI backtrace
 * request to the answer of CPU cpu ("NMI backtrace for cpu N") after
 * offset from; -1 when it never answered one. */
double kr_guest_nmi_answer_s(const struct kr_line_time *lines, size_t n, size_t from, int cpu);

/* The printk timestamp at the start of line ("[   12.345678] ..."), or NaN. */
double kr_guest_printk_time(const char *line, size_t len);
/* The length of that timestamp and the blanks after it; 0 without one. */
size_t kr_guest_printk_prefix(const char *line, size_t len);
