/* SPDX-License-Identifier: MIT */
/* Fuzz target for the results.json reader (results.h), as report, merge and
 * baselines use it: what it reads must survive being written back to JSON
 * and read again. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"
#include "results.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_results *res = NULL;
	char *err = NULL;
	int r = kr_results_load_text("/nonexistent/kradar-fuzz/results.json", (const char *)data,
				     size, &res, &err);
	if ((r == 0) != (res != NULL) || (r < 0 && !err))
		abort();
	if (res) {
		kr_results_exit_code(res);
		struct kr_json *j = kr_results_to_json(res);
		char *text = kr_json_dump(j, false);
		struct kr_results *again = NULL;
		char *err2 = NULL;
		if (kr_results_load_text("/nonexistent/kradar-fuzz/again.json", text, strlen(text),
					 &again, &err2) < 0)
			abort();
		kr_results_free(again);
		free(err2);
		free(text);
		kr_json_free(j);
	}
	kr_results_free(res);
	free(err);
	return 0;
}
