/* SPDX-License-Identifier: MIT */
/* Developer tool (tests/module/capture-starved.sh): stops one vCPU thread
 * of a running kradar guest (kr-freeze.h), printing what it did.
 *
 *   freeze-vcpu NEEDLE THREAD CONSOLE READY UNTIL HOLD_S MAX_S
 *
 * NEEDLE: a string in QEMU's command line (the run's out directory);
 * THREAD: "CPU 1/TCG"; CONSOLE: the run's console.log.part; READY: stop
 * the thread once the console holds it; UNTIL: let it go HOLD_S seconds
 * after the console holds that, or after MAX_S seconds. Waits up to 300 s
 * for READY. Exit status 0, or 1 with a message. */
#include <stdio.h>
#include <stdlib.h>

#include "kr-freeze.h"
#include "util.h"

int main(int argc, char **argv)
{
	if (argc != 8) {
		fprintf(stderr, "usage: freeze-vcpu NEEDLE THREAD CONSOLE READY UNTIL HOLD_S MAX_S\n");
		return 2;
	}
	struct kr_freeze_plan plan = {
		.qemu_needle = argv[1], .thread = argv[2], .console = argv[3], .ready = argv[4],
		.until = argv[5], .hold_s = atof(argv[6]), .max_s = atof(argv[7]), .timeout_s = 300,
	};
	struct kr_freeze_report rep;
	_cleanup_free_ char *err = NULL;
	if (kr_freeze_vcpu(&plan, &rep, &err) < 0) {
		fprintf(stderr, "freeze-vcpu: %s\n", err);
		return 1;
	}
	printf("stopped %s for %.1f s; \"%s\" ", plan.thread, rep.stopped_s, plan.until);
	if (rep.until_s < 0)
		printf("never came\n");
	else
		printf("came after %.1f s\n", rep.until_s);
	return 0;
}
