/* SPDX-License-Identifier: MIT */
/* Matrix files (docs/matrix.md): scenarios x kernels x VM variants, each
 * combination a cell that runs as a scenario of its own, named
 * "SCENARIO@KERNEL[@VM]", with the kernel and the VM settings replaced.
 * This module reads the file (jansson, FILE:LINE:COL diagnostics like the
 * scenario loader's), expands it into cells, and applies a kernel entry
 * to a scenario (also for `kradar verify-fix --bad/--fixed`). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "scenario.h"

#define KR_MATRIX_VERSION 1

/* A kernels[] entry. With image: that bzImage. With source: a tree built
 * with the entry's commit, config, fragment, make (a scenario's defaults
 * for the rest). With neither: the scenario's own kernel.source, the
 * entry's commit, config, fragment and make replacing the scenario's
 * where given. */
struct kr_matrix_kernel {
	char *label;       /* [A-Za-z0-9._-]+ */
	char *image;       /* absolute path or URL; NULL */
	char *vmlinux;
	char *source;      /* absolute; NULL */
	char *commit;      /* NULL: not given */
	char *config_file; /* at most one of the two; both NULL: not given */
	char *config_target;
	char *fragment_file;
	char **fragment;   /* NULL: not given */
	int strict_fragment; /* -1: not given */
	char **make_vars;  /* NULL: not given */
	int line, column;  /* of the entry, for errors about applying it */
};

/* A vm[] entry: 0 (or -1 for kvm) keeps the scenario's value. */
struct kr_matrix_vm {
	char *label;
	int smp;
	int mem_mb;
	int kvm; /* enum kr_kvm_mode, -1: not given */
};

struct kr_matrix {
	char *file;              /* absolute */
	char *dir;
	char **scenario_files;   /* every scenario file, in order (never NULL) */
	struct kr_matrix_kernel *kernels; /* none: each scenario's own kernel */
	size_t n_kernels;
	struct kr_matrix_vm *vms;         /* none: each scenario's own VM */
	size_t n_vms;
	char *baseline;          /* absolute path, NULL: none */
};

/* One thing to run: a scenario, or a matrix cell. */
struct kr_cell {
	struct kr_scenario *s; /* named as the cell; kernel and VM replaced */
	char *scenario;        /* the scenario's own name; NULL: not a cell */
	char *kernel;          /* the kernel entry's label; NULL: none */
	char *vm;              /* the VM entry's label; NULL: none */
};

/* True when path is a JSON document whose top level has "kradar_matrix"
 * (what tells a matrix from a scenario on the command line). */
bool kr_matrix_file_is_matrix(const char *path);

/* Loads and checks a matrix file. Every problem goes to diags as
 * "FILE:LINE:COL: field.path: message"; -EINVAL then (-errno when the file
 * cannot be read). Scenario patterns are expanded here (a pattern that
 * matches nothing is an error), the scenarios are not loaded yet. */
int kr_matrix_load(const char *path, struct kr_matrix **out, struct kr_diags *diags);
int kr_matrix_load_text(const char *file, const char *text, size_t len,
			struct kr_matrix **out, struct kr_diags *diags);
void kr_matrix_free(struct kr_matrix *m);
KR_DEFINE_CLEANUP(struct kr_matrix, kr_matrix_free)

/* Loads every scenario of m and makes its cells (scenario by scenario,
 * then kernel, then VM). Problems (a scenario that does not load, a kernel
 * entry without image or source for a scenario without kernel.source,
 * duplicate names) go to diags: -EINVAL. */
int kr_matrix_cells(const struct kr_matrix *m, struct kr_cell **cells, size_t *n,
		    struct kr_diags *diags);

/* The cells of a command line: a single matrix file's (*matrix gets it),
 * or those of scenario files and directories (*matrix NULL). Problems go
 * to diags: -EINVAL. */
int kr_cells_load(char *const *args, struct kr_cell **cells, size_t *n,
		  struct kr_matrix **matrix, struct kr_diags *diags);

/* Cells for plain scenarios (each its own cell, not a matrix cell). Takes
 * the scenarios (the NULL-terminated vector is freed). */
void kr_cells_from_scenarios(struct kr_scenario **v, struct kr_cell **cells, size_t *n);
void kr_cells_free(struct kr_cell *cells, size_t n);
/* kradar run --filter: keeps the cells whose name or scenario name matches
 * one of the shell patterns (fnmatch), in order, and frees the others.
 * -ENOENT with *err naming it when a pattern matches no cell (cells are
 * then unchanged). */
int kr_cells_filter(struct kr_cell *cells, size_t *n, char *const *patterns, char **err);
/* kradar run --runs N: every cell runs N times, all of them (no stop at the
 * first reproduction). */
void kr_cells_set_runs(struct kr_cell *cells, size_t n, int runs);
/* shard_of[i] (1..total; 1 when total < 1) for each cell: kr_shard_split()
 * on the cells' names and kr_shard_cost(). */
void kr_cells_shard(const struct kr_cell *cells, size_t n, int total, int *shard_of);

/* Replaces s's kernel with entry k (and its label). -EINVAL with *err
 * when k names neither image nor source and s has no kernel.source. */
int kr_matrix_kernel_apply(const struct kr_matrix_kernel *k, struct kr_scenario *s, char **err);
void kr_matrix_kernel_clear(struct kr_matrix_kernel *k);

/* Replaces s's VM settings with those entry v gives. */
void kr_matrix_vm_apply(const struct kr_matrix_vm *v, struct kr_scenario *s);

/* "SCENARIO@KERNEL@VM" (each part only when not NULL). */
char *kr_cell_name(const char *scenario, const char *kernel, const char *vm);
