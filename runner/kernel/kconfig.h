/* SPDX-License-Identifier: MIT */
/* Kernel config text: merging a fragment (scenario/fragment.h) into a base
 * config the way the kernel's scripts/kconfig/merge_config.sh does, and checking that every
 * fragment line survived olddefconfig, with Kconfig's reason when it can be
 * told (an unknown symbol, an unmet "depends on", a hidden prompt, a select
 * that forces a symbol on). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "fragment.h"
#include "kbuild.h"
#include "util.h"

/* base with every line about a fragment symbol removed and the fragment
 * appended (merge_config.sh). */
char *kr_kconfig_merge(const char *base, const struct kr_kconfig_fragment *frag);

/* Compares every fragment symbol with the final config. Mismatches are
 * explained from the Kconfig files of srctree (arch: the kernel's SRCARCH,
 * "x86"; env_arch: $(ARCH) in Kconfig, "x86" unless make is given ARCH=); srctree NULL: no
 * reasons. Returns the number of mismatches (*out NULL when none). */
size_t kr_kconfig_check(const char *final_config, const struct kr_kconfig_fragment *frag,
			const char *srctree, const char *arch, const char *env_arch,
			struct kr_kbuild_mismatch **out);

void kr_kbuild_mismatches_free(struct kr_kbuild_mismatch *m, size_t n);
