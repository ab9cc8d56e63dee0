/* SPDX-License-Identifier: MIT */
/* Fuzz target for kernel config text (kconfig.h): the input is a fragment,
 * a line "%%", the final config olddefconfig wrote, and optionally another
 * "%%" line and a Kconfig file (written to a temporary kernel tree) that
 * explains the mismatches. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *tree;

static char *next_part(char **s)
{
	if (!*s)
		return NULL;
	char *part = *s;
	char *sep = strstr(part, "\n%%\n");
	if (sep) {
		*sep = '\0';
		*s = sep + 4;
	} else {
		*s = NULL;
	}
	return part;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = kr_strndup((const char *)data, size);
	char *rest = text;
	char *fragment = next_part(&rest);
	char *final = next_part(&rest);
	char *kconfig = next_part(&rest);
	struct kr_kconfig_fragment frag = { 0 };
	char *err = NULL;
	if (kr_kconfig_fragment_parse(fragment, "frag.config", &frag, &err) < 0) {
		if (!err)
			abort();
		free(err);
		kr_kconfig_fragment_clear(&frag);
		free(text);
		return 0;
	}
	free(kr_kconfig_fragment_text(&frag));
	if (final) {
		free(kr_kconfig_merge(final, &frag));
		const char *srctree = NULL;
		if (kconfig) {
			if (!tree) {
				char tmpl[] = "/tmp/kradar-fuzz-kconfig-XXXXXX";
				if (!mkdtemp(tmpl))
					abort();
				tree = kr_strdup(tmpl);
			}
			char *path = kr_path_join(tree, "Kconfig");
			if (kr_write_file_atomic(path, kconfig, strlen(kconfig), 0644) < 0)
				abort();
			free(path);
			srctree = tree;
		}
		struct kr_kbuild_mismatch *m = NULL;
		size_t n = kr_kconfig_check(final, &frag, srctree, "x86", "x86", &m);
		if ((n == 0) != (m == NULL))
			abort();
		kr_kbuild_mismatches_free(m, n);
	}
	kr_kconfig_fragment_clear(&frag);
	free(text);
	return 0;
}
