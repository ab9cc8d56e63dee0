/* SPDX-License-Identifier: MIT */
/* Starving one vCPU of a running QEMU guest on purpose, the way an
 * overloaded host deschedules a vCPU thread, for the qemu suite and for
 * capturing real logs (tests/module/capture-starved.sh).
 *
 * QEMU under TCG runs each vCPU in a thread of its own, named "CPU N/TCG"
 * when QEMU runs with "-name NAME,debug-threads=on". ptrace stops one
 * thread alone (PTRACE_SEIZE, then PTRACE_INTERRUPT: a signal would stop
 * the whole process) and lets it go again (PTRACE_DETACH); the other vCPUs
 * and QEMU's I/O thread run on, and the guest's clock keeps up with the
 * host's. The caller must be allowed to trace QEMU: root, or its ancestor
 * under Yama's ptrace_scope 1 (a test that spawned kradar is one). */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct kr_freeze_plan {
	const char *qemu_needle; /* a string in QEMU's command line (the run's out dir) */
	const char *thread;      /* the thread to stop: "CPU 1/TCG" */
	const char *console;     /* the console file kradar writes ("...console.log.part";
				  * the name without ".part" is read once it is renamed) */
	const char *ready;       /* stop the thread once the console holds this */
	const char *until;       /* let it go hold_s after the console holds this */
	double hold_s;
	double max_s;            /* let it go after this long stopped anyway */
	double timeout_s;        /* give up waiting for ready */
	int attempts;            /* stops of max_s, 2 s apart, until the until
				  * text comes (0: one) */
};

struct kr_freeze_report {
	double stopped_s;  /* how long the thread was stopped (the last time) */
	double until_s;    /* from stopping to the until text; -1: it never came */
	int attempts;      /* how many times it was stopped */
};

/* Waits for plan->ready, stops the thread, waits for plan->until (or
 * max_s), waits hold_s more and lets the thread go; without the until text,
 * again 2 s later, up to plan->attempts times. Returns 0, or -errno
 * with *err saying what failed (owned by the caller). */
int kr_freeze_vcpu(const struct kr_freeze_plan *plan, struct kr_freeze_report *report,
		   char **err);

