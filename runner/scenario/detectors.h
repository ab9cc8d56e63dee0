/* SPDX-License-Identifier: MIT */
/* The guest kernel's detectors that report late, after the reproducer is
 * done: the hung task detector (a task blocked for hung_task_timeout_secs,
 * checked every hung_task_check_interval_secs) and the RCU stall detector
 * (a grace period stuck for rcu_cpu_stall_timeout). kradar sets them to
 * short CI values where the scenario does not set them itself (its `sysctl`
 * map, `rcupdate.rcu_cpu_stall_timeout=` in vm.cmdline), and the default
 * settle period (timeouts.settle) is what the slowest of them needs to
 * report a bug that fired as the reproducer ended. kmemleak needs no
 * settling: the guest's script scans right after the reproducer, before
 * the end marker (initramfs.h). */
#pragma once

#include <stdbool.h>

#include "scenario.h"

/* kradar's values, in seconds. The kernel's own defaults are 120 s for hung
 * tasks (checked as often) and CONFIG_RCU_CPU_STALL_TIMEOUT (21 s upstream
 * and in Debian) for RCU stalls; syzbot uses 140 s for hung tasks. A
 * shorter RCU stall timeout than the kernel's would report emulation
 * starvation under TCG as stalls, so kradar keeps 21 s. */
#define KR_HUNG_TASK_TIMEOUT_S 15
#define KR_HUNG_TASK_INTERVAL_S 5
#define KR_RCU_STALL_TIMEOUT_S 21
/* Added to the slowest detector: the detector's thread must run and print. */
#define KR_SETTLE_MARGIN_S 3

enum {
	KR_DETECTOR_HUNG_TIMEOUT,
	KR_DETECTOR_HUNG_INTERVAL,
	KR_DETECTOR_RCU_STALL,
	KR_DETECTORS
};

struct kr_detector {
	const char *name;       /* "kernel.hung_task_timeout_secs",
				 * "rcupdate.rcu_cpu_stall_timeout" */
	const char *guest_path; /* the file kradar writes in the guest */
	long value;             /* seconds, as the guest gets it */
	bool from_scenario;     /* the scenario sets it: kradar writes nothing */
};

/* The detectors as scenario s leaves them. A scenario value that is not an
 * integer is written as given; value is kradar's then (for the settle). */
void kr_detectors_get(const struct kr_scenario *s, struct kr_detector d[KR_DETECTORS]);

/* The settle period the detectors need: the longest of hung task timeout
 * plus its check interval (an interval of 0 means the timeout, as in the
 * kernel; a timeout of 0 turns the detector off) and the RCU stall timeout
 * (3..300, as the kernel clamps it), plus KR_SETTLE_MARGIN_S. */
double kr_detectors_settle(const struct kr_scenario *s);

/* One line per detector for results.json: "NAME=VALUE (kradar|scenario)";
 * NULL-terminated. */
char **kr_detectors_summary(const struct kr_scenario *s);

/* A run's detectors.txt: the detectors, who set them, kmemleak, and the
 * settle period (settle: the one used, in seconds). */
char *kr_detectors_describe(const struct kr_scenario *s, double settle);
