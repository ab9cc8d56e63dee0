/* SPDX-License-Identifier: MIT */
/* The results of `kradar run` in memory: scenarios, their runs, verdicts,
 * counts and reproduction rates, and the artifacts each run left. The
 * runner fills it; the reporters (JUnit, Markdown, CI output) read it; this
 * module writes it as results.json (schema in docs/results.md, version
 * KR_RESULTS_VERSION) and as each run's result.json, and reads results.json
 * back (kradar report, merging shards). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "json-writer.h"
#include "scenario.h"
#include "util.h"

#define KR_RESULTS_VERSION 1

/* Verdicts. The first five are a run's; a scenario's verdict is one of
 * them too, or KR_VERDICT_FIXED. */
enum kr_verdict {
	KR_VERDICT_REPRODUCED,     /* a crash whose title matches expect */
	KR_VERDICT_OTHER_CRASH,    /* a crash with another title */
	KR_VERDICT_ARTIFACT_STALL, /* a stall or silence with starvation evidence */
	KR_VERDICT_CLEAN,          /* the reproducer ran without a crash */
	KR_VERDICT_INFRA_ERROR,    /* the run could not be done (with a reason) */
	KR_VERDICT_FIXED,          /* scenario only: expect fixed, every run clean */
	KR_VERDICT_SKIPPED,        /* scenario only: not run here (another shard,
				    * KVM required but absent); reason says why */
};
#define KR_RUN_VERDICTS 5 /* counts[] has one entry per run verdict */

/* Whether a scenario met its expectation. */
enum kr_outcome {
	KR_OUTCOME_MET,
	KR_OUTCOME_FAILED,       /* exit status 1 */
	KR_OUTCOME_INCONCLUSIVE, /* only infra errors or artifact stalls: exit 3 */
	KR_OUTCOME_SKIPPED,      /* not run: neither met nor failed */
};

/* How a scenario's verdict compares with a baseline (a previous
 * results.json): reproduced against clean/fixed, the rest apart. */
enum kr_change {
	KR_CHANGE_NONE,           /* no baseline was given */
	KR_CHANGE_NEW,            /* the baseline has no scenario of this name */
	KR_CHANGE_UNCHANGED,      /* the same class of verdict as before */
	KR_CHANGE_REGRESSION,     /* was clean or fixed, reproduces now */
	KR_CHANGE_NEW_FIX,        /* reproduced before, clean or fixed now */
	KR_CHANGE_CHANGED,        /* other changes involving other-crash */
	KR_CHANGE_NOT_COMPARABLE, /* inconclusive or skipped before or now */
};

const char *kr_verdict_to_string(enum kr_verdict v);   /* "other-crash", ... */
int kr_verdict_from_string(const char *s);              /* -EINVAL if unknown */
const char *kr_outcome_to_string(enum kr_outcome o);   /* "met", "failed", "inconclusive", "skipped" */
int kr_outcome_from_string(const char *s);              /* -EINVAL if unknown */
const char *kr_change_to_string(enum kr_change c);     /* "regression", "new-fix", ... */
int kr_change_from_string(const char *s);               /* -EINVAL if unknown */

/* How a reproduced run's crash matched the bug the scenario expects
 * (verdict.h). */
enum kr_match_rule {
	KR_MATCH_NONE,  /* not reproduced */
	KR_MATCH_EXACT, /* the title: one of expect.titles, expect.title_regex,
			 * or any title when none is given */
	KR_MATCH_FRAME, /* the kind of an expected title, and its function among
			 * the first frames of the crash's stack */
};
const char *kr_match_rule_to_string(enum kr_match_rule m); /* "exact", "frame"; NULL: none */
int kr_match_rule_from_string(const char *s);              /* -EINVAL if unknown */

struct kr_title_match {
	enum kr_match_rule rule;
	/* KR_MATCH_FRAME only (NULL and 0 otherwise): */
	char *expected; /* the expected title whose kind and function matched */
	char *frame;    /* the crash's frame that is its function, as printed */
	int depth;      /* that frame's depth: frames below the crash's title
			 * frame, 0 the title frame, < 0 above it; "? " frames
			 * not counted */
};
void kr_title_match_clear(struct kr_title_match *m);

struct kr_run_result {
	int index;               /* 1-based */
	enum kr_verdict verdict;
	struct kr_title_match match; /* reproduced: which rule matched */
	char *title;             /* the crash (or watch hit) title; NULL: none */
	char *crash_type;        /* the scanner's class ("WARNING", "HANG"); NULL */
	char *guilty_file;       /* "file:line" of the title's frame, from debug info; NULL */
	char *reason;            /* one line: why this verdict */
	char *accel;             /* "kvm" or "tcg"; NULL when no guest started */
	double started_at;       /* wall clock, seconds since the epoch */
	double duration_s;       /* QEMU start to the guest gone */
	double boot_s;           /* QEMU start to the start marker; < 0: never */
	char *start;             /* "booted" or "restored" (warm start); NULL: no guest */
	double restore_s;        /* restored: QEMU start to the guest running again;
				  * < 0: not restored */
	double settle_s;         /* spent settling (to the end, a hit or QEMU's
				  * exit); < 0: the run never settled */
	double settle_planned_s; /* the settle period it had; < 0: no guest */
	char **evidence;         /* starvation evidence lines (never NULL) */
	char *dir;               /* artifacts, relative to the results directory */
	/* Artifact file names inside dir (NULL: not written). */
	char *console_log;
	char *console_times;
	char *report;            /* report.txt */
	char *qemu_cmdline;
	char *repro;             /* the reproducer as run */
	char *execprog_log;
	char *repro_log;         /* image mode: a C or shell reproducer's output */
	char *ssh_log;           /* image mode: the SSH session's steps and errors */
	char *detectors;         /* detectors.txt */
};

struct kr_kernel_identity {
	char *label;     /* kernel.label or derived; NULL when unknown */
	char *image;     /* bzImage path (never copied) */
	char *sha256;    /* of image */
	char *source;    /* kernel.source, for built kernels */
	char *tree;      /* "git:<commit>", "tar:<sha256>", "dir:<sha256>" */
	char *commit;
	char *config_sha256;
	char *cache_key;         /* kradar's kernel cache key (kernels/<key>) */
	char **fragment_dropped; /* fragment lines the kernel dropped or changed (NULL: none) */
};

struct kr_rate {
	int hits;     /* reproduced runs */
	int trials;   /* conclusive runs: reproduced + other-crash + clean */
	double value; /* hits / trials; NaN when trials is 0 */
	double low;   /* Wilson score interval, 95% */
	double high;
};

struct kr_scenario_result {
	char *name;
	char *file;            /* the scenario file */
	char *extid;           /* NULL when not given */
	char *description;
	enum kr_expect_verdict expected;
	char **expected_titles; /* never NULL */
	char *expected_title_regex;
	int runs_planned;
	enum kr_verdict verdict;
	enum kr_outcome outcome;
	char *reason;          /* one line for the verdict */
	int counts[KR_RUN_VERDICTS];
	struct kr_rate rate;
	struct kr_kernel_identity kernel;
	char *disk;            /* disk image path, NULL in initramfs mode */
	char *disk_sha256;
	double duration_s;
	char *qemu_version;    /* first line of `QEMU --version`; NULL: unknown */
	char **detectors;      /* "NAME=VALUE (kradar|scenario)" (detectors.h);
				* NULL: not run */
	/* A matrix cell (name "SCENARIO@KERNEL[@VM]"); NULL fields when the
	 * scenario ran by itself. */
	struct {
		char *scenario; /* the scenario's own name */
		char *kernel;   /* the matrix's kernel label; NULL: the scenario's own kernel */
		char *vm;       /* the matrix's VM variant label; NULL: none */
	} cell;
	/* The comparison with the baseline (change KR_CHANGE_NONE: none). */
	struct {
		enum kr_change change;
		enum kr_verdict verdict; /* the baseline's verdict (not for NEW) */
		enum kr_outcome outcome;
	} baseline;
	struct kr_run_result **runs;
	size_t n_runs;
};

struct kr_results {
	char *out_dir;       /* absolute */
	char *kradar_version; /* of the kradar that made them; NULL: this one */
	double started_at;   /* wall clock */
	double duration_s;
	bool interrupted;    /* kradar was stopped by a signal */
	int signal;          /* that signal, 0 if none */
	int shard_index;     /* --shard K/N: K (1-based) and N; 0/0 when not sharded */
	int shard_total;
	char *baseline_file; /* the baseline results.json compared with; NULL: none */
	/* The guest scheduler's limits (schedule.h); 0 when unknown. */
	int jobs;
	int budget_cpus;
	long budget_mem_mb;
	struct kr_scenario_result **scenarios;
	size_t n_scenarios;
};

struct kr_results *kr_results_new(const char *out_dir);
void kr_results_free(struct kr_results *r);
KR_DEFINE_CLEANUP(struct kr_results, kr_results_free)
#define _cleanup_results_free_ _cleanup_(kr_results_freep)

/* Appends a scenario filled from s (name, file, expectation, runs). */
struct kr_scenario_result *kr_results_add_scenario(struct kr_results *r,
						   const struct kr_scenario *s);
/* Appends an empty scenario (verdict infra-error, outcome inconclusive,
 * rate NaN, every string NULL but expected_titles): for loaders and tests. */
struct kr_scenario_result *kr_results_append(struct kr_results *r);
/* Appends a run (index = n_runs + 1, verdict infra-error until set). */
struct kr_run_result *kr_scenario_result_add_run(struct kr_scenario_result *sr);
/* A run not yet in any scenario (the same initial state), for a guest
 * that runs while the results are written; and its insertion, in index
 * order, once it is done. */
struct kr_run_result *kr_run_result_new(int index);
void kr_scenario_result_insert_run(struct kr_scenario_result *sr, struct kr_run_result *run);
/* Marks a scenario as not run here: verdict and outcome skipped, with
 * reason. Its runs (normally none) stay. */
void kr_scenario_result_skip(struct kr_scenario_result *sr, const char *reason);

/* JSON forms (the caller frees them). */
struct kr_json *kr_run_result_to_json(const struct kr_run_result *run);
/* {"reproduced", "conclusive", "value", "low", "high", "confidence"}, as in
 * results.json. */
struct kr_json *kr_rate_to_json(const struct kr_rate *rate);
struct kr_json *kr_scenario_result_to_json(const struct kr_scenario_result *sr);
struct kr_json *kr_results_to_json(const struct kr_results *r);

/* Writes OUT/results.json atomically. */
int kr_results_write(const struct kr_results *r);

/* Reads a results.json back (any version-1 file: keys it does not know
 * are ignored, keys it lacks get their empty value). out_dir becomes the
 * file's directory, so that run artifacts are found where the file is.
 * Bad input gives -EINVAL (-errno when the file cannot be read) and *err,
 * one line: "FILE:LINE:COL: field.path: message". */
int kr_results_load(const char *path, struct kr_results **out, char **err);
int kr_results_load_text(const char *file, const char *text, size_t len,
			 struct kr_results **out, char **err);
/* Writes a run's result.json (the run and its scenario's name and
 * expectation) to path, atomically. */
int kr_run_result_write(const struct kr_scenario_result *sr, const struct kr_run_result *run,
			const char *path);

/* The exit status for the whole run: 0 every scenario met its
 * expectation, 1 some failed, 3 some were inconclusive and none failed;
 * 128 + the signal when kradar was interrupted (130 for SIGINT). */
int kr_results_exit_code(const struct kr_results *r);
