/* SPDX-License-Identifier: MIT */
/* Fuzz target for the matrix loader (matrix.h): the input is a matrix file
 * (its scenario patterns match nothing: the directory does not exist). */
#include <stdint.h>
#include <stdlib.h>

#include "diag.h"
#include "matrix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kr_diags d = { 0 };
	struct kr_matrix *m = NULL;
	int r = kr_matrix_load_text("/nonexistent/kradar-fuzz/m.json", (const char *)data, size,
				    &m, &d);
	if ((r == 0) != (m != NULL) || (r < 0 && d.n == 0))
		abort();
	for (size_t i = 0; i < d.n; i++)
		if (d.items[i].line < 1 || d.items[i].column < 1 || !d.items[i].message)
			abort();
	kr_matrix_free(m);
	kr_diags_clear(&d);
	return 0;
}
