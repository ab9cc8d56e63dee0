/* SPDX-License-Identifier: MIT */
/* Fuzz target for the scenario loader (scenario.h): the input is a scenario
 * file. Every problem must be a diagnostic with a position inside the input,
 * never a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_diags d = { 0 };
	struct kr_scenario *s = NULL;
	int r = kr_scenario_load_text("/nonexistent/kradar-fuzz/s.json", (const char *)data, size,
				      &s, &d);
	if ((r == 0) != (s != NULL) || (r < 0 && d.n == 0))
		abort();
	for (size_t i = 0; i < d.n; i++)
		if (d.items[i].line < 1 || d.items[i].column < 1 || !d.items[i].message)
			abort();
	kr_scenario_free(s);
	kr_diags_clear(&d);
	return 0;
}
