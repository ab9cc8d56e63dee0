/* SPDX-License-Identifier: MIT */
/* Symbolizing a report once the ELF is loaded:
 *   bench-symbolize [-n FRAMES] [-r REPS] [-m MODULE.ko] VMLINUX
 * makes a call trace of FRAMES frames (default 200) of distinct functions
 * of VMLINUX (spread over nm's list, each at half its size) and, with -m,
 * one of the module's functions (each function again once the module has
 * fewer). Each repetition (default 5) opens the file in a new symbolizer
 * by resolving one frame that is not in the report (the load), then
 * symbolizes the report (every frame new) and again (every frame cached).
 * It prints the medians, in ms of CPU time (the wall clock measures the
 * machine's other work too) with the wall clock beside, for the line
 * tables read by the symbolizer and, for comparison, by libdw
 * (kr_symbolizer_set_libdw_lines), and whether both gave the same text.
 *
 * Inputs: a vmlinux with debug info, e.g. Debian's linux-image-*-dbg
 * (/usr/lib/debug/boot/vmlinux-VERSION), or a kernel built by kradar
 * from a config with debug info (~/.cache/kradar/kernels/KEY/vmlinux);
 * a module with debug info, e.g. the test module of
 * ci/prepare-debian-kernel.sh ($KRADAR_TEST_MODULE). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "process.h"
#include "symbolize.h"

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

/* The functions nm lists with a size of 2 bytes or more. */
static struct func *functions(const char *elf, size_t *n)
{
	char *nm[] = { "nm", "-S", "--defined-only", (char *)elf, NULL };
	_cleanup_free_ char *list = NULL;
	int status;
	*n = 0;
	if (kr_process_run_capture(nm, NULL, -1, 1u << 30, 600, &list, &status) < 0 || status) {
		fprintf(stderr, "nm %s failed\n", elf);
		exit(1);
	}
	size_t alloc = 1024;
	struct func *funcs = kr_calloc(alloc, sizeof(*funcs));
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long addr, size;
		char type;
		struct func f;
		if (sscanf(line, "%lx %lx %c %127s", &addr, &size, &type, f.name) != 4 ||
		    (type != 't' && type != 'T') || size < 2)
			continue;
		f.size = size;
		if (*n == alloc)
			funcs = kr_realloc(funcs, (alloc *= 2) * sizeof(*funcs));
		funcs[(*n)++] = f;
	}
	if (*n < 2) {
		fprintf(stderr, "%s has %zu functions, fewer than 2\n", elf, *n);
		exit(1);
	}
	return funcs;
}

static size_t count(const char *text, const char *needle)
{
	size_t n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct input {
	const char *what;   /* "vmlinux frames", "module frames" */
	const char *path;
	const char *module; /* NULL: vmlinux */
	struct func *funcs;
	size_t n_funcs;
	struct kr_buf report; /* frames of funcs[1..]; funcs[0] is the load's */
};

static void make_report(struct input *in, int frames)
{
	struct kr_buf empty = KR_BUF_INIT(SIZE_MAX);
	in->report = empty;
	kr_buf_adds(&in->report, "Call Trace:\n <TASK>\n");
	size_t pool = in->n_funcs - 1;
	for (int i = 0; i < frames; i++) {
		size_t k = pool >= (size_t)frames ? (size_t)i * pool / (size_t)frames : (size_t)i % pool;
		const struct func *f = &in->funcs[k + 1];
		kr_buf_printf(&in->report, " %s+0x%lx/0x%lx%s%s%s\n", f->name, f->size / 2, f->size,
			      in->module ? " [" : "", in->module ? in->module : "",
			      in->module ? "]" : "");
	}
	kr_buf_adds(&in->report, " </TASK>\n");
}

struct figures {
	double load, new_cpu, new_wall, cached_cpu;
	char *out;
};

static void run(const struct input *in, bool libdw_lines, int reps, struct figures *fig)
{
	_cleanup_free_ double *times = kr_calloc(4 * (size_t)reps, sizeof(*times));
	double *load = times, *new_cpu = times + reps, *new_wall = times + 2 * reps,
	       *cached_cpu = times + 3 * reps;
	fig->out = NULL;
	for (int r = 0; r < reps; r++) {
		_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
		kr_symbolizer_set_libdw_lines(s, libdw_lines);
		if (in->module)
			kr_symbolizer_add_module(s, in->path);
		else
			kr_symbolizer_set_vmlinux(s, in->path);
		struct kr_symbol_line *lines;
		size_t n_lines;
		double c0 = cpu_s();
		if (kr_symbolizer_frame(s, in->funcs[0].name, in->funcs[0].size / 2,
					in->funcs[0].size, in->module, true, &lines, &n_lines) > 0)
			kr_symbol_lines_free(lines, n_lines);
		load[r] = cpu_s() - c0;
		for (int pass = 0; pass < 2; pass++) {
			char *out;
			size_t len;
			double t0 = kr_now_s();
			c0 = cpu_s();
			kr_symbolizer_text(s, in->report.data, in->report.len, NULL, &out, &len, NULL);
			double cpu = cpu_s() - c0;
			if (pass) {
				cached_cpu[r] = cpu;
				free(out);
				continue;
			}
			new_cpu[r] = cpu;
			new_wall[r] = kr_now_s() - t0;
			if (!fig->out)
				fig->out = out;
			else
				free(out);
		}
		_cleanup_strv_free_ char **warnings = kr_symbolizer_take_warnings(s);
		for (size_t i = 0; r == 0 && warnings && warnings[i]; i++)
			fprintf(stderr, "warning: %s\n", warnings[i]);
	}
	fig->load = median(load, reps) * 1e3;
	fig->new_cpu = median(new_cpu, reps) * 1e3;
	fig->new_wall = median(new_wall, reps) * 1e3;
	fig->cached_cpu = median(cached_cpu, reps) * 1e3;
}

static size_t with_line(const char *out)
{
	size_t n = 0;
	for (const char *line = out; line && *line;) {
		size_t len = strcspn(line, "\n");
		const char *frame = memmem(line, len, "/0x", 3);
		const char *colon = memrchr(line, ':', len);
		n += frame && colon && colon > frame;
		line = line[len] ? line + len + 1 : NULL;
	}
	return n;
}

static int bench(struct input *in, int frames, int reps)
{
	in->funcs = functions(in->path, &in->n_funcs);
	make_report(in, frames);
	struct figures own, libdw;
	run(in, false, reps, &own);
	run(in, true, reps, &libdw);
	bool same = !strcmp(own.out, libdw.out);
	printf("%s: %s, %zu functions\n", in->what, in->path, in->n_funcs);
	printf("  %d-frame report, median of %d; ms of CPU (wall)\n", frames, reps);
	printf("  line tables read by       load    new frames           cached\n");
	printf("  the symbolizer         %7.1f  %7.1f (%7.1f)  %7.2f\n", own.load, own.new_cpu,
	       own.new_wall, own.cached_cpu);
	printf("  libdw (before)         %7.1f  %7.1f (%7.1f)  %7.2f\n", libdw.load,
	       libdw.new_cpu, libdw.new_wall, libdw.cached_cpu);
	printf("  frames with a line: %zu of %d, [inline] lines: %zu; same text both ways: %s\n",
	       with_line(own.out), frames, count(own.out, " [inline]\n"), same ? "yes" : "NO");
	free(own.out);
	free(libdw.out);
	kr_buf_free(&in->report);
	free(in->funcs);
	return same ? 0 : 1;
}

int main(int argc, char **argv)
{
	int frames = 200, reps = 5, opt;
	const char *module = NULL;
	while ((opt = getopt(argc, argv, "n:r:m:")) != -1) {
		if (opt == 'n')
			frames = atoi(optarg);
		else if (opt == 'r')
			reps = atoi(optarg);
		else if (opt == 'm')
			module = optarg;
		else
			optind = argc + 1;
	}
	if (optind != argc - 1 || frames < 1 || reps < 1) {
		fprintf(stderr, "usage: bench-symbolize [-n FRAMES] [-r REPS] [-m MODULE.ko] VMLINUX\n");
		return 2;
	}
	int rc = 0;
	struct input vmlinux = { .what = "vmlinux frames", .path = argv[optind] };
	rc |= bench(&vmlinux, frames, reps);
	if (module) {
		const char *slash = strrchr(module, '/');
		_cleanup_free_ char *name = kr_strdup(slash ? slash + 1 : module);
		char *dot = strstr(name, ".ko");
		if (dot)
			*dot = '\0';
		for (char *p = name; *p; p++)
			if (*p == '-')
				*p = '_';
		struct input mod = { .what = "module frames", .path = module, .module = name };
		rc |= bench(&mod, frames, reps);
	}
	return rc;
}
