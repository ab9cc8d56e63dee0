/* SPDX-License-Identifier: MIT */
/* Cells and their runs, several guests at once within the host's budget
 * (schedule.h): a cell is prepared before its first guest (a kernel build
 * never beside guests), each run supervised by a thread of its own, each
 * finished run put into the results with the scenario's verdict, series
 * stopped when they are done, everything stopped on a signal
 * (run-internal.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>

#include "detectors.h"
#include "log.h"
#include "progress.h"
#include "qemu.h"
#include "run-internal.h"
#include "symbolize.h"
#include "verdict.h"

struct job {
	struct ctx *c;
	struct cell *cell;
	struct kr_run_result *run;
	int irq[2];          /* the guest's interrupt pipe: a signalfd_siginfo */
	uint64_t stop_from;
	int sig;
	char *write_error; /* from the guest's thread: a write into --out failed */
	struct kr_progress_guest *ui; /* its lines on the terminal or in the log */
	bool threaded;
	pthread_t thread;
};

struct exec {
	struct ctx *c;
	struct kr_sched *sched;
	struct job **running;
	size_t n_running;
	int sig;
};

#define INTERRUPTED "not run: kradar was interrupted"
#define NOT_WRITTEN "not run: the output could not be written"

/* The runs of a stop_on_hit series that expects `reproduced` go one after
 * the other: the next only when the last did not reproduce. Others may
 * overlap. */
static bool one_at_a_time(const struct kr_scenario *s)
{
	return s->stop_on_hit && s->expect.verdict == KR_EXPECT_REPRODUCED;
}

/* Queues the cell's next run, ordered by cell, then run: one guest at a
 * time runs the cells in order, and a cell's runs before the next cell's. */
static void queue_run(struct exec *x, struct cell *cell)
{
	const struct kr_scenario *s = cell->kc->s;
	if (cell->queued || cell->stopped || cell->launched >= s->runs)
		return;
	kr_sched_submit(x->sched, ((long long)cell->index << 20) + cell->launched, s->vm.smp,
			s->vm.mem_mb + KR_SCHED_QEMU_MB, cell);
	cell->queued = true;
}

/* The cell's verdict (or, with skip, why it was not run), shown. */
static void cell_done(struct exec *x, struct cell *cell, const char *skip)
{
	struct ctx *c = x->c;
	if (cell->finished)
		return;
	cell->finished = true;
	if (!skip)
		skip = cell->p.skip;
	if (skip)
		kr_scenario_result_skip(cell->sr, skip);
	else
		kr_verdict_scenario(cell->sr);
	kr_progress_cell_finished(c->progress, cell->index);
	run_prepared_clear(&cell->p);
}

/* Every guest is told, nothing more starts. */
static void stop_everything(struct exec *x, int sig)
{
	if (!x->sig)
		x->sig = sig;
	run_interrupted(x->c, sig);
	struct signalfd_siginfo si = { .ssi_signo = (uint32_t)sig };
	for (size_t i = 0; i < x->n_running; i++)
		if (x->running[i]->irq[1] >= 0 && write(x->running[i]->irq[1], &si, sizeof(si)) < 0)
			kr_debug("cannot tell a guest to stop: %s", strerror(errno));
	kr_sched_drop_queue(x->sched);
}

static void *guest_thread(void *arg)
{
	struct job *job = arg;
	struct ctx *c = job->c;
	run_in_guest(c, job->cell->kc->s, &job->cell->p, job->run, job->irq[0], job->ui,
		     &job->stop_from, &job->sig, &job->write_error);
	/* The main loop takes it from here; a pointer's write is atomic. */
	ssize_t w;
	do
		w = write(c->done_fd[1], &job, sizeof(job));
	while (w < 0 && errno == EINTR);
	return NULL;
}

/* A run has ended (main thread): into the results, verdict, next run. */
static void job_finished(struct exec *x, struct job *job)
{
	struct ctx *c = x->c;
	struct cell *cell = job->cell;
	const struct kr_scenario *s = cell->kc->s;
	struct kr_run_result *run = job->run;
	if (job->threaded)
		pthread_join(job->thread, NULL);
	for (int i = 0; i < 2; i++)
		if (job->irq[i] >= 0)
			close(job->irq[i]);
	kr_sched_done(x->sched, cell);
	cell->in_flight--;
	if (run->verdict == KR_VERDICT_INFRA_ERROR && !run->reason)
		run->reason = kr_strdup("unknown error");
	if (cell->p.symbolizer) {
		pthread_mutex_lock(cell->p.sym_lock);
		_cleanup_strv_free_ char **warnings = kr_symbolizer_take_warnings(cell->p.symbolizer);
		pthread_mutex_unlock(cell->p.sym_lock);
		for (size_t i = 0; warnings && warnings[i]; i++)
			kr_warning("%s: symbolizing reports: %s", s->name, warnings[i]);
	}
	kr_scenario_result_insert_run(cell->sr, run);
	if (job->write_error)
		run_write_failed(c, KR_TAKE_PTR(job->write_error));
	_cleanup_free_ char *rj = kr_asprintf("%s/%s/result.json", c->out, run->dir);
	int r = kr_run_result_write(cell->sr, run, rj);
	if (r < 0)
		run_write_failed(c, kr_asprintf("cannot write %s: %s", rj, strerror(-r)));
	if (job->stop_from && run->title)
		kr_debug("timing: %s run %d: %.1f ms from the end of the grace period to the "
			 "guest gone and result.json written",
			 s->name, run->index, (double)(kr_now_ns() - job->stop_from) / 1e6);
	kr_progress_guest_finished(c->progress, KR_TAKE_PTR(job->ui), run);
	cell->sr->duration_s = kr_wall_s() - cell->t0;
	kr_verdict_scenario(cell->sr);
	if (job->sig && !x->sig)
		stop_everything(x, job->sig);
	run_write_results(c, false);
	if (c->write_error)
		kr_sched_drop_queue(x->sched);
	/* A preparation failure would only repeat: one run records it. */
	if (cell->p.infra || x->sig || c->write_error || kr_verdict_series_done(s, cell->sr))
		cell->stopped = true;
	else if (one_at_a_time(s))
		queue_run(x, cell);
	if (cell->stopped && cell->queued) {
		kr_sched_cancel(x->sched, cell);
		cell->queued = false;
	}
	if (!cell->in_flight && !cell->queued)
		cell_done(x, cell, NULL);
	free(job);
}

static void launch(struct exec *x, struct cell *cell)
{
	struct ctx *c = x->c;
	const struct kr_scenario *s = cell->kc->s;
	struct job *job = kr_calloc(1, sizeof(*job));
	*job = (struct job){ .c = c, .cell = cell, .irq = { -1, -1 } };
	if (!cell->launched)
		cell->t0 = kr_wall_s(); /* the cell's time: its runs', not its wait */
	job->run = kr_run_result_new(++cell->launched);
	cell->in_flight++;
	if (!one_at_a_time(s) && !cell->p.infra)
		queue_run(x, cell);
	job->ui = kr_progress_guest_started(c->progress, cell->index, job->run);
	if (!cell->p.infra && pipe2(job->irq, O_CLOEXEC | O_NONBLOCK) == 0 &&
	    pthread_create(&job->thread, NULL, guest_thread, job) == 0) {
		job->threaded = true;
		x->running = kr_realloc(x->running, (x->n_running + 1) * sizeof(*x->running));
		x->running[x->n_running++] = job;
		return;
	}
	/* No guest (the preparation failed: the run records why), or no
	 * thread for one: the run is made here. */
	run_in_guest(c, s, &cell->p, job->run, c->sfd, job->ui, &job->stop_from, &job->sig,
		     &job->write_error);
	job_finished(x, job);
}

/* Prepares a cell about to run its first guest; false when it will not
 * run (skipped on this host, or interrupted). */
static bool prepare_cell(struct exec *x, struct cell *cell)
{
	struct ctx *c = x->c;
	const struct kr_scenario *s = cell->kc->s;
	cell->prepared = true;
	cell->sr->qemu_version = kr_qemu_version(s->vm.qemu);
	cell->sr->detectors = kr_detectors_summary(s);
	kr_progress_cell_started(c->progress, cell->index);
	kr_mkdir_p(cell->scen_dir, 0755);
	int sig = 0;
	run_prepare(c, s, cell->scen_dir, cell->sr, &cell->p, &sig);
	if (sig)
		stop_everything(x, sig);
	if (!cell->p.skip && !x->sig)
		return true;
	kr_sched_cancel(x->sched, cell);
	cell->queued = false;
	cell->stopped = true;
	cell_done(x, cell, cell->p.skip ? NULL : INTERRUPTED);
	return false;
}

/* Starts the runs that may start: in order, as they fit (schedule.h). */
static void start_ready(struct exec *x)
{
	bool oversize;
	struct cell *cell;
	while (!x->sig && !x->c->write_error && (cell = kr_sched_next(x->sched, &oversize))) {
		cell->queued = false;
		if (!cell->prepared) {
			/* A kernel build takes every CPU: never beside guests.
			 * Back in the queue, in its place, until they are done. */
			if (cell->kc->s->kernel.kind == KR_KERNEL_SOURCE &&
			    kr_sched_running(x->sched) > 1) {
				kr_sched_done(x->sched, cell);
				queue_run(x, cell);
				return;
			}
			if (!prepare_cell(x, cell)) {
				kr_sched_done(x->sched, cell);
				continue;
			}
		}
		if (oversize && !cell->warned) {
			kr_warning("%s: a guest of %d vCPUs and %d MiB is larger than the budget "
				   "(%d CPUs, %ld MiB): it runs alone", cell->kc->s->name,
				   cell->kc->s->vm.smp, cell->kc->s->vm.mem_mb, x->c->budget.cpus,
				   x->c->budget.mem_mb);
			cell->warned = true;
		}
		launch(x, cell);
	}
}

static void take_finished(struct exec *x)
{
	struct job *job;
	while (read(x->c->done_fd[0], &job, sizeof(job)) == (ssize_t)sizeof(job)) {
		for (size_t i = 0; i < x->n_running; i++) {
			if (x->running[i] == job) {
				x->running[i] = x->running[--x->n_running];
				break;
			}
		}
		job_finished(x, job);
	}
}

void run_cells(struct ctx *c, struct cell *cells, size_t n, int *sig)
{
	struct exec x = { .c = c, .sched = kr_sched_new(&c->budget, c->guest_jobs) };
	size_t cells_here = 0;
	int runs_here = 0;
	for (size_t i = 0; i < n; i++) {
		if (cells[i].here) {
			queue_run(&x, &cells[i]);
			cells_here++;
			runs_here += cells[i].kc->s->runs;
		}
	}
	kr_progress_plan(c->progress, c->results, c->total, cells_here, runs_here, c->guest_jobs);
	for (;;) {
		start_ready(&x);
		if (!x.n_running)
			break;
		struct pollfd pfd[2] = { { c->done_fd[0], POLLIN, 0 }, { c->sfd, POLLIN, 0 } };
		if (poll(pfd, 2, -1) < 0 && errno != EINTR) {
			kr_error("poll: %s", strerror(errno));
			stop_everything(&x, SIGTERM);
		}
		int s = run_pending_signal(c);
		if (s)
			stop_everything(&x, s);
		take_finished(&x);
	}
	for (size_t i = 0; i < n; i++) {
		if (!cells[i].here || cells[i].finished)
			continue;
		const char *why = c->write_error && !x.sig ? NOT_WRITTEN : INTERRUPTED;
		if (!cells[i].prepared)
			kr_scenario_result_skip(cells[i].sr, why);
		else
			cell_done(&x, &cells[i], cells[i].launched ? NULL : why);
	}
	free(x.running);
	kr_sched_free(x.sched);
	*sig = x.sig;
}
