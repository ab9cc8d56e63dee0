/* SPDX-License-Identifier: MIT */
#include "evidence.h"

#include <string.h>

#include "util.h"

static bool about_rcu_kthread(const char *kind)
{
	return !strcmp(kind, "rcu-kthread-starved") || !strcmp(kind, "rcu-timer-wakeup-missed") ||
	       !strcmp(kind, "rcu-fqs-starved");
}

/* Whether a "kthread starved ... ->cpu=N" line names a CPU that answered
 * NMI backtrace requests, every one promptly, so that it was running. */
static bool rcu_kthread_cpu_ran(const struct kr_scanner *sc, const struct kr_line_time *lines,
				size_t n, size_t from)
{
	for (size_t i = 0; i < kr_scanner_n_starvation(sc); i++) {
		const struct kr_starvation *st = kr_scanner_starvation(sc, i);
		const char *at;
		if (st->offset < from || strcmp(st->kind, "rcu-kthread-starved") ||
		    !(at = strstr(st->line, "->cpu=")))
			continue;
		int cpu = atoi(at + strlen("->cpu="));
		double wait = kr_guest_nmi_answer_s(lines, n, from, cpu);
		if (wait >= 0 && wait <= KR_NMI_WAIT_S)
			return true;
	}
	return false;
}

char **kr_run_evidence(const struct kr_scanner *sc, const struct kr_line_time *lines, size_t n,
		       size_t from, double end_s)
{
	char **ev = kr_calloc(1, sizeof(char *));
	bool kthread_ran = rcu_kthread_cpu_ran(sc, lines, n, from);
	for (size_t i = 0; i < kr_scanner_n_starvation(sc); i++) {
		const struct kr_starvation *st = kr_scanner_starvation(sc, i);
		if (st->offset >= from && !(kthread_ran && about_rcu_kthread(st->kind)))
			kr_strv_push(&ev, kr_strdup(st->line));
	}
	char **timing = kr_guest_timing_evidence(lines, n, from, end_s);
	for (size_t i = 0; timing[i]; i++)
		kr_strv_push(&ev, kr_strdup(timing[i]));
	kr_strv_free(timing);
	return ev;
}
