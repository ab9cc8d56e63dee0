/* SPDX-License-Identifier: MIT */
/* Symbolizing a report once the ELF is loaded: bench-symbolize VMLINUX [N]
 * makes a call trace of N frames (default 200) of distinct functions of
 * VMLINUX (spread over nm's list, each at half its size), opens the file by
 * resolving one other frame (timed: the load), then symbolizes the report
 * (every frame new to the symbolizer) and again (every frame cached), and
 * prints the times in ms, the frames that got a line and the [inline]
 * lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "process.h"
#include "symbolize.h"

/* CPU time too: on a loaded machine the wall clock measures the others. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct func {
	char name[128];
	unsigned long size;
};

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench-symbolize VMLINUX [N]\n");
		return 2;
	}
	int n = argc > 2 ? atoi(argv[2]) : 200;
	if (n < 1)
		n = 1;
	char *nm[] = { "nm", "-S", "--defined-only", argv[1], NULL };
	_cleanup_free_ char *list = NULL;
	int status;
	if (kr_process_run_capture(nm, NULL, -1, 1u << 30, 600, &list, &status) < 0 || status) {
		fprintf(stderr, "nm %s failed\n", argv[1]);
		return 1;
	}
	size_t n_funcs = 0, alloc = 1024;
	struct func *funcs = kr_calloc(alloc, sizeof(*funcs));
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long addr, size;
		char type;
		struct func f;
		if (sscanf(line, "%lx %lx %c %127s", &addr, &size, &type, f.name) != 4 ||
		    (type != 't' && type != 'T') || size < 2)
			continue;
		f.size = size;
		if (n_funcs == alloc)
			funcs = kr_realloc(funcs, (alloc *= 2) * sizeof(*funcs));
		funcs[n_funcs++] = f;
	}
	if (n_funcs < (size_t)n + 1) {
		fprintf(stderr, "%s has %zu functions, fewer than %d\n", argv[1], n_funcs, n + 1);
		return 1;
	}
	struct kr_buf report = KR_BUF_INIT(SIZE_MAX);
	kr_buf_adds(&report, "Call Trace:\n <TASK>\n");
	for (int i = 0; i < n; i++) {
		const struct func *f = &funcs[(size_t)i * (n_funcs - 1) / (size_t)n + 1];
		kr_buf_printf(&report, " %s+0x%lx/0x%lx\n", f->name, f->size / 2, f->size);
	}
	kr_buf_adds(&report, " </TASK>\n");

	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	kr_symbolizer_set_vmlinux(s, argv[1]);
	struct kr_symbol_line *lines;
	size_t n_lines;
	double t0 = kr_now_s();
	if (kr_symbolizer_frame(s, funcs[0].name, funcs[0].size / 2, funcs[0].size, NULL, true,
				&lines, &n_lines) > 0)
		kr_symbol_lines_free(lines, n_lines);
	double load = kr_now_s() - t0;

	double times[2], cpu[2];
	_cleanup_free_ char *out = NULL;
	for (int pass = 0; pass < 2; pass++) {
		free(out);
		size_t len;
		t0 = kr_now_s();
		double c0 = cpu_s();
		kr_symbolizer_text(s, report.data, report.len, NULL, &out, &len, NULL);
		times[pass] = kr_now_s() - t0;
		cpu[pass] = cpu_s() - c0;
	}
	_cleanup_strv_free_ char **warnings = kr_symbolizer_take_warnings(s);
	for (size_t i = 0; warnings && warnings[i]; i++)
		fprintf(stderr, "warning: %s\n", warnings[i]);
	size_t inl = count(out, " [inline]\n");
	size_t resolved = 0;
	for (const char *line = out; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		const char *frame = memmem(line, len, "/0x", 3);
		const char *colon = memrchr(line, ':', len);
		resolved += frame && colon && colon > frame;
	}
	printf("load (open, symbols, first frame): %.1f ms\n", load * 1e3);
	printf("%d frames, new:    %.2f ms (CPU %.2f ms)\n", n, times[0] * 1e3, cpu[0] * 1e3);
	printf("%d frames, cached: %.2f ms (CPU %.2f ms)\n", n, times[1] * 1e3, cpu[1] * 1e3);
	printf("frames with a line: %zu, [inline] lines: %zu\n", resolved, inl);
	kr_buf_free(&report);
	free(funcs);
	return 0;
}
