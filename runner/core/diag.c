/* SPDX-License-Identifier: MIT */
#include "diag.h"

#include <string.h>

void kr_diags_add(struct kr_diags *d, const char *file, int line, int column,
		  const char *path, const char *fmt, ...)
{
	if (d->n == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 8;
		d->items = kr_realloc(d->items, d->alloc * sizeof(*d->items));
	}
	va_list ap;
	va_start(ap, fmt);
	d->items[d->n++] = (struct kr_diag){
		.file = kr_strdup(file ? file : "-"),
		.line = line,
		.column = column,
		.path = kr_strdup(path ? path : ""),
		.message = kr_vasprintf(fmt, ap),
	};
	va_end(ap);
}

char *kr_diag_format(const struct kr_diag *diag)
{
	return kr_asprintf("%s:%d:%d: %s%s%s", diag->file, diag->line, diag->column, diag->path,
			   *diag->path ? ": " : "", diag->message);
}

void kr_diags_print(const struct kr_diags *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++) {
		_cleanup_free_ char *line = kr_diag_format(&d->items[i]);
		fprintf(f, "%s\n", line);
	}
}

void kr_diags_clear(struct kr_diags *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].path);
		free(d->items[i].message);
	}
	free(d->items);
	*d = (struct kr_diags){ 0 };
}

int kr_diags_read_input(struct kr_diags *d, const char *path, char **text, size_t *len)
{
	int r = kr_read_file(path, KR_INPUT_MAX_BYTES, text, len);
	if (r < 0)
		kr_diags_add(d, path, 1, 1, "", "cannot read: %s",
			     r == -EFBIG ? "larger than 4 MiB" : strerror(-r));
	return r;
}
