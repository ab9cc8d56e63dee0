/* SPDX-License-Identifier: MIT */
/* The run engine's private interface, shared by its files: run.c (the
 * engine's lifetime, --out and its locks, results.json and the reports,
 * signals), run-prepare.c (what a scenario's runs share: kernel, disk,
 * reproducer, initramfs), run-guest.c (one run in a guest and its
 * classification) and run-cells.c (cells and their runs, several guests
 * at once, the scenario verdicts). */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm.h"
#include "matrix.h"
#include "results.h"
#include "run.h"
#include "schedule.h"

struct kr_fetcher;
struct kr_progress;
struct kr_snapshot;
struct kr_symbolizer;
struct kr_syzprog;

/* One kr_engine_run(): set up by run.c; the guests' threads only read it
 * (write_error, results and the rest are the main thread's). */
struct ctx {
	const char *out;      /* absolute */
	char *tmp;            /* private temp dir, removed at exit */
	int sfd;              /* signalfd: SIGINT, SIGTERM */
	const char *busybox;
	char token[33];
	struct kr_results *results;
	bool quiet;
	const char *cache; /* kernel cache (--cache), NULL: the default */
	int jobs;          /* make -j for kernel.source (--jobs), 0: the CPUs */
	struct kr_progress *progress; /* the terminal or CI log (reporters/progress.h) */
	size_t total;      /* scenarios to run */
	struct kr_fetcher *fetcher; /* kernel and disk URLs; made when first needed */
	struct kr_budget budget;
	int guest_jobs;    /* guests at once at most */
	int done_fd[2];    /* a guest's thread writes its finished job here */
	char **hashed;     /* path, sha256, path, sha256...: see file_sha256(),
			    * run-prepare.c */
	char *write_error; /* the first write into --out that failed: no run starts after it */
	bool warm_start;   /* --warm-start: every scenario as with vm.warm_start */
};

/* What a scenario's runs share: the kernel, the initramfs, the accelerator. */
struct prepared {
	char *infra;          /* non-NULL: every run would fail this way */
	char *skip;           /* non-NULL: the scenario cannot run on this host */
	enum kr_accel accel;
	char *kernel;
	char *initrd;
	char *init_script;
	struct kr_syzprog *syz;
	char *repro_binary;
	/* image mode */
	char *disk;  /* the disk image (a download resolved) */
	char *stage; /* the files for the guest's /kradar: run.sh, the
		      * reproducer, syz-execprog and syz-executor */
	char **staged; /* their paths */
	char *ssh_key; /* a private copy of disk.ssh_key, mode 0600 */
	/* Reports' frames to source lines: the files are opened at the first
	 * crash and kept for every run; guests' threads take sym_lock. NULL
	 * when there is no vmlinux and no .ko. */
	struct kr_symbolizer *symbolizer;
	pthread_mutex_t *sym_lock;
	/* warm start (issue 15, run-prepare.c's warm_prepare()): the runs
	 * restore the snapshot (run-guest.c's warm_run()); snapshot NULL:
	 * they boot */
	bool warm;
	char *warm_initrd;
	struct kr_snapshot *snapshot;
};

/* A cell of the run: its scenario, result and preparation (run-cells.c). */
struct cell {
	const struct kr_cell *kc;
	struct kr_scenario_result *sr;
	size_t index;        /* in the results */
	char *scen_dir;
	struct prepared p;
	bool here;           /* run here (not by another shard) */
	bool prepared;
	bool queued;         /* a run waits in the scheduler */
	bool stopped;        /* no more runs: series done, preparation failed, interrupted */
	bool finished;       /* verdict given and shown */
	bool warned;         /* said that it is larger than the budget */
	int launched;        /* runs started */
	int in_flight;
	double t0;
};

/* run.c */
int run_pending_signal(struct ctx *c);
void run_interrupted(struct ctx *c, int sig);
int run_write_text(const char *dir, const char *name, const char *text);
bool run_write_artifact(const char *dir, const char *name, const void *data, size_t len,
			char **write_error);
void run_write_failed(struct ctx *c, char *message);
int run_write_results(struct ctx *c, bool final);

/* run-prepare.c */
void run_prepared_clear(struct prepared *p);
void run_kernel_identity(struct ctx *c, const struct kr_scenario *s,
			 struct kr_scenario_result *sr);
void run_prepare(struct ctx *c, const struct kr_scenario *s, const char *scen_dir,
		 struct kr_scenario_result *sr, struct prepared *p, int *sig);

/* run-guest.c */
void run_in_guest(struct ctx *c, const struct kr_scenario *s, const struct prepared *p,
		  struct kr_run_result *run, int interrupt_fd, struct kr_progress_guest *progress,
		  uint64_t *stop_from, int *sig, char **write_error);

/* run-cells.c: runs the cells that are here; *sig: the signal that
 * stopped them, 0 if none. */
void run_cells(struct ctx *c, struct cell *cells, size_t n, int *sig);
