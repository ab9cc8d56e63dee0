/* SPDX-License-Identifier: MIT */
/* The starvation evidence of a run (docs/results.md, "Starvation
 * evidence"): the crash scanner's starvation lines and the console's timing
 * evidence (guest.h), from the reproducer's start on.
 *
 * The kernel's lines about RCU's grace-period kthread (rcu-kthread-starved,
 * rcu-timer-wakeup-missed, rcu-fqs-starved) say the kthread did not run,
 * not why: a CPU of the guest that spins with interrupts off, where the
 * kthread waits for its timer, starves it as surely as a host that does not
 * run that vCPU. They do not count when the CPU the kthread is on (the
 * "->cpu=N" of the "kthread starved" line) answered an NMI backtrace
 * request within KR_NMI_WAIT_S: that vCPU was running. */
#pragma once

#include <stddef.h>

#include "guest.h"
#include "signature.h"

/* Evidence lines (a NULL-terminated vector, never NULL): the scanner's
 * lines at or after offset from, then kr_guest_timing_evidence()'s. */
char **kr_run_evidence(const struct kr_scanner *sc, const struct kr_line_time *lines, size_t n,
		       size_t from, double end_s);
