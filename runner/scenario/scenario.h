/* SPDX-License-Identifier: MIT */
/* Scenario files (format v1): loading, validation and the in-memory model.
 * The field-by-field reference is scenarios/README.md; this module is the
 * only reader of scenario JSON. Every path in a loaded scenario is absolute
 * (or a URL), every ${VAR} is expanded and every default is filled in. */
#pragma once

#include <stdbool.h>

#include "diag.h"

enum kr_kernel_kind {
	KR_KERNEL_IMAGE,
	KR_KERNEL_SOURCE,
};

enum kr_kvm_mode {
	KR_KVM_AUTO,
	KR_KVM_ON,
	KR_KVM_OFF,
};

enum kr_repro_kind {
	KR_REPRO_SYZ,
	KR_REPRO_C,
	KR_REPRO_SH,
};

enum kr_expect_verdict {
	KR_EXPECT_REPRODUCED,
	KR_EXPECT_CLEAN,
	KR_EXPECT_FIXED,
};

/* expect.match: which rules make a crash the expected bug (verdict.h). */
enum kr_expect_match {
	KR_EXPECT_MATCH_FRAME, /* the title, or the kind and a near frame (default) */
	KR_EXPECT_MATCH_EXACT, /* the title only */
};

enum kr_value_type {
	KR_VALUE_BOOL,
	KR_VALUE_INT,
	KR_VALUE_STRING,
};

/* A flat scalar setting: execprog.options entries and sysctl values. */
struct kr_setting {
	char *key;
	enum kr_value_type type;
	bool b;
	long long i;
	char *s; /* for KR_VALUE_STRING; also the value's text for every type */
};

struct kr_file_copy {
	char *host;  /* absolute */
	char *guest; /* absolute guest path */
};

struct kr_scenario {
	char *file; /* absolute path of the scenario file */
	char *dir;  /* its directory: base of relative paths */
	int version;

	char *name;
	int name_line, name_column; /* where name is, for duplicate-name errors */
	char *extid;       /* NULL when not given */
	char *description; /* "" when not given */

	struct {
		enum kr_kernel_kind kind;
		/* image mode */
		char *image;   /* absolute path or URL */
		char *vmlinux; /* NULL when not given */
		/* source mode */
		char *source;        /* tree directory or tarball */
		char *commit;        /* NULL: the tree as it is */
		char *config_file;   /* base config file, or NULL ... */
		char *config_target; /* ... a make target such as tinyconfig */
		char *fragment_file; /* NULL, or a file of fragment lines */
		char **fragment;     /* inline fragment lines (never NULL) */
		bool strict_fragment;
		char **make_vars; /* "VAR=value" passed to make (never NULL) */
		char *label;      /* short kernel name for reports; NULL: derived */
		char **modules;   /* .ko files for symbolizing reports (never NULL) */
	} kernel;

	struct {
		char *image;    /* NULL: initramfs mode */
		char *root;     /* root= for the kernel command line */
		char *ssh_user; /* user to log in as */
		char *ssh_key;  /* private key file, NULL: none */
	} disk;

	struct {
		enum kr_repro_kind kind;
		char *file; /* syz and c: absolute path */
		char *sh;   /* sh: the commands, lines joined with '\n' */
		struct kr_file_copy *files;
		size_t n_files;
	} repro;

	struct {
		int procs;    /* -1: from repro.syz's options line, else 1 */
		int threaded; /* -1: from the options line; else 0 or 1 */
		long repeat;  /* -1: from the options line; 0 = forever */
		char *sandbox;  /* NULL: from the options line */
		char **enable;  /* never NULL */
		char **disable; /* never NULL */
		char *bin;      /* directory with syz-execprog and syz-executor */
		struct kr_setting *options;
		size_t n_options;
	} execprog;

	struct {
		enum kr_kvm_mode kvm;
		int smp;
		int mem_mb;
		char *cmdline; /* extra kernel arguments, "" when none */
		char *qemu;    /* QEMU binary */
		char **args;   /* extra QEMU arguments (never NULL) */
		bool warm_start; /* runs restore a snapshot of the booted guest
				  * (guest/snapshot.h); initramfs mode only */
	} vm;

	struct kr_setting *sysctl; /* written into /proc/sys in the guest */
	size_t n_sysctl;

	struct {
		double boot;
		double run;
		double no_output;
		double grace;      /* after a hit, for the rest of the report (not scaled) */
		double settle;     /* after the reproducer, for late reports (not
				    * scaled); -1: the detectors' need
				    * (kr_detectors_settle()) */
		double tcg_factor; /* all timeouts are multiplied by it under TCG */
	} timeouts;

	struct {
		enum kr_expect_verdict verdict;
		char **titles; /* title and titles, in order (never NULL) */
		char *title_regex; /* NULL when not given */
		enum kr_expect_match match;
	} expect;

	char **watch; /* extra regexes that count as a hit (never NULL) */
	int runs;
	bool stop_on_hit;
};

/* Loads and validates a scenario file. On success *out is set and 0 is
 * returned. Otherwise every problem found is appended to diags and
 * -EINVAL is returned (-errno when the file cannot be read, also with a
 * diagnostic). */
int kr_scenario_load(const char *path, struct kr_scenario **out, struct kr_diags *diags);

/* The same for a document in memory; file names it in diagnostics and its
 * directory is the base of relative paths. */
int kr_scenario_load_text(const char *file, const char *text, size_t len,
			  struct kr_scenario **out, struct kr_diags *diags);

void kr_scenario_free(struct kr_scenario *s);
KR_DEFINE_CLEANUP(struct kr_scenario, kr_scenario_free)
#define _cleanup_scenario_free_ _cleanup_(kr_scenario_freep)

/* Expands arguments (files, or directories searched recursively for
 * *.json, sorted, hidden files and meta.json left out) into a list of
 * scenario files. The search stays on each directory's filesystem and
 * does not follow symlinked directories (a symlinked file counts).
 * Problems go to diags: a missing argument (returns -ENOENT), a directory
 * with more than max_entries entries below it (-E2BIG). */
#define KR_SCENARIO_FIND_MAX 100000
int kr_scenario_find_capped(char *const *args, size_t max_entries, char ***files,
			    struct kr_diags *diags);
static inline int kr_scenario_find(char *const *args, char ***files, struct kr_diags *diags)
{
	return kr_scenario_find_capped(args, KR_SCENARIO_FIND_MAX, files, diags);
}

/* kr_scenario_find() and kr_scenario_load() for each file, plus the check
 * that names are unique across all of them (they become directory and test
 * names). Every problem goes to diags. *out gets the scenarios that loaded
 * (NULL-terminated, free with kr_scenarios_free); returns -EINVAL when
 * there was any problem (or no scenario file at all), else 0. */
int kr_scenario_load_all(char *const *args, struct kr_scenario ***out, struct kr_diags *diags);
void kr_scenarios_free(struct kr_scenario **v);

const char *kr_kvm_mode_to_string(enum kr_kvm_mode m);
const char *kr_expect_verdict_to_string(enum kr_expect_verdict v);

/* Whether a kernel.config value is a make target (lowercase letters,
 * digits and _, ending in "config": defconfig, tinyconfig) rather than a
 * file. */
bool kr_config_is_make_target(const char *value);

/* Whether v is a make variable as kernel.make takes it: VAR=value, VAR of
 * letters, digits and _. */
bool kr_make_var_valid(const char *v);
