/* SPDX-License-Identifier: MIT */
/* Fuzz target for repro.syz programs (syzprog.h): the input is a program
 * whose "#{...}" options line syz-execprog flags are made from. Every flag
 * made must be one "-name=value" argument. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syzprog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_syzprog *p = NULL;
	char *err = NULL;
	int r = kr_syzprog_prepare_text("/nonexistent/kradar-fuzz/repro.syz", (const char *)data,
					size, NULL, &p, &err);
	if ((r == 0) != (p != NULL) || (r < 0 && !err))
		abort();
	if (p)
		for (char **f = p->flags; f && *f; f++)
			if ((*f)[0] != '-' || !strchr(*f, '=') || strchr(*f, '\n'))
				abort();
	kr_syzprog_free(p);
	free(err);
	return 0;
}
