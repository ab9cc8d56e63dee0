/* SPDX-License-Identifier: MIT */
#include "kr-freeze.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kr-test.h"
#include "util.h"

static void nap(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static double since(uint64_t t0)
{
	return (double)(kr_now_ns() - t0) / 1e9;
}

/* The thread of pid named comm, or 0. */
static pid_t find_thread(pid_t pid, const char *comm)
{
	_cleanup_free_ char *dir = kr_asprintf("/proc/%d/task", (int)pid);
	DIR *d = opendir(dir);
	struct dirent *de;
	pid_t found = 0;
	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		_cleanup_free_ char *p = kr_asprintf("%s/%s/comm", dir, de->d_name);
		_cleanup_free_ char *name = NULL;
		if (kr_read_file(p, 4096, &name, NULL) < 0)
			continue;
		name[strcspn(name, "\n")] = '\0';
		if (!strcmp(name, comm))
			found = (pid_t)atoi(de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* The thread named comm of a process whose command line holds needle. */
static pid_t find_qemu_thread(const char *needle, const char *comm)
{
	int pids[16];
	size_t n = kr_test_pids_with(needle, pids, KR_ARRAY_SIZE(pids));
	pid_t found = 0;
	for (size_t i = 0; i < n && i < KR_ARRAY_SIZE(pids) && !found; i++)
		found = find_thread((pid_t)pids[i], comm);
	return found;
}

/* Lets a stopped tracee go, with the signal its stop held back (0 for the
 * stop PTRACE_INTERRUPT asked for); reaps it when it died meanwhile (the
 * guest was stopped: kradar killed QEMU). */
static int thaw(pid_t tid, int sig)
{
	if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig) == 0)
		return 0;
	int e = errno;
	int status;
	if (e == ESRCH && waitpid(tid, &status, __WALL) == tid)
		return 0;
	return -e;
}

/* Stops thread tid once: until plan->until (then hold_s more) or max_s. */
static int freeze_once(const struct kr_freeze_plan *plan, pid_t tid,
		       struct kr_freeze_report *report, char **err)
{
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0) {
		int e = errno;
		*err = kr_asprintf("cannot trace thread %d (%s): %s", (int)tid, plan->thread,
				   strerror(e));
		return -e;
	}
	int status = 0, sig = 0;
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 ||
	    waitpid(tid, &status, __WALL) != tid) {
		int e = errno;
		ptrace(PTRACE_DETACH, tid, NULL, NULL);
		*err = kr_asprintf("cannot stop thread %d: %s", (int)tid, strerror(e));
		return -e;
	}
	if (!WIFSTOPPED(status)) { /* it exited: QEMU is gone */
		*err = kr_asprintf("thread %d ended before it could be stopped", (int)tid);
		return -ESRCH;
	}
	/* A signal-delivery stop holds its signal back: hand it over on
	 * detach (QEMU kicks vCPU threads with signals). */
	if (status >> 16 != PTRACE_EVENT_STOP)
		sig = WSTOPSIG(status);
	uint64_t stopped = kr_now_ns();
	report->attempts++;
	if (kr_test_wait_for_text(plan->console, plan->until, plan->max_s) == 0) {
		report->until_s = since(stopped);
		nap(plan->hold_s); /* a set time, not a wait for something */
	}
	report->stopped_s = since(stopped);
	int r = thaw(tid, sig);
	if (r < 0)
		*err = kr_asprintf("cannot let thread %d go: %s", (int)tid, strerror(-r));
	return r;
}

int kr_freeze_vcpu(const struct kr_freeze_plan *plan, struct kr_freeze_report *report,
		   char **err)
{
	*report = (struct kr_freeze_report){ .until_s = -1 };
	int r = kr_test_wait_for_text(plan->console, plan->ready, plan->timeout_s);
	if (r < 0) {
		*err = kr_asprintf("no \"%s\" in %s within %.0f s: %s", plan->ready, plan->console,
				   plan->timeout_s, strerror(-r));
		return r;
	}
	pid_t tid = find_qemu_thread(plan->qemu_needle, plan->thread);
	if (!tid) {
		*err = kr_asprintf("no QEMU with a thread \"%s\" and \"%s\" in its command line "
				   "(QEMU needs -name NAME,debug-threads=on)",
				   plan->thread, plan->qemu_needle);
		return -ESRCH;
	}
	/* A stop can miss: with the thread stopped between two grace periods
	 * (RCU's kthread pinned there waits to start the next one), no grace
	 * period is in flight and nothing stalls. Another stop, a moment
	 * later, catches one. */
	int attempts = plan->attempts > 0 ? plan->attempts : 1;
	for (int i = 0; i < attempts; i++) {
		if (i)
			nap(2); /* a set time: the guest runs on */
		r = freeze_once(plan, tid, report, err);
		if (r < 0 || report->until_s >= 0)
			return r;
	}
	return 0;
}
