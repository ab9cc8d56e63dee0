/* SPDX-License-Identifier: MIT */
/* The kernel's infrastructure functions by family (locking, rcu, alloc,
 * driver-core, ...), generated from the Linux source by
 * runner/signature/data/gen-kernel-funcs.py into kernel-funcs.c: which
 * source files make a family is the script's table. A function of a family
 * is reporting, runtime or library machinery around a crash, rarely its
 * cause; crashrules.c says which families a kind of report passes over. */
#pragma once

#include <stddef.h>

struct kr_kernel_func {
	const char *name;
	unsigned char family; /* index into kr_kernel_families */
};

extern const char *const kr_kernel_families[];
extern const size_t kr_n_kernel_families;
/* sorted by name (strcmp) */
extern const struct kr_kernel_func kr_kernel_funcs[];
extern const size_t kr_n_kernel_funcs;

/* The families by source file: a path (relative to the kernel tree) that
 * matches path (and a function whose name matches name, when not NULL) is
 * of family; the first entry that matches wins. Files of tests
 * (kr_kernel_family_tests) are of none. PCRE2 patterns. */
struct kr_kernel_family_file {
	const char *path;
	const char *name;
	unsigned char family;
};

extern const struct kr_kernel_family_file kr_kernel_family_files[];
extern const size_t kr_n_kernel_family_files;
extern const char kr_kernel_family_tests[];
