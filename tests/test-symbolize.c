/* SPDX-License-Identifier: MIT */
/* The symbolizer against ELF files compiled here: a "vmlinux" (an
 * executable linked without libc) and a "module" (a relocatable object
 * named .ko, laid out by libdwfl as the kernel's .ko files are), both from
 * a source with a two-level chain of always_inline functions. With
 * --debian (qemu suite): Debian's kernel and the kradar_test module, and a
 * run of its WARNING. */
#include <string.h>
#include <sys/stat.h>

#include "kr-test.h"
#include "symbolize.h"
#include "util.h"

#include "fixture-inline.h"

/* The same names, other code: a file that does not match the log. */
static const char other_src[] =
	"__attribute__((noinline)) void fx_caller(volatile int *p)\n"
	"{\n"
	"\tp[0] = 1; p[1] = 2; p[2] = 3; p[3] = 4; p[4] = 5; p[5] = 6;\n"
	"\tp[6] = 7; p[7] = 8; p[8] = 9; p[9] = 10; p[10] = 11; p[11] = 12;\n"
	"}\n"
	"void fx_entry(void)\n"
	"{\n"
	"\tstatic volatile int v[40];\n"
	"\tfx_caller(v);\n"
	"}\n";

static int line_of(const char *src, const char *marker)
{
	const char *at = strstr(src, marker);
	ck_assert_ptr_nonnull(at);
	int line = 1;
	for (const char *p = src; p < at; p++)
		line += *p == '\n';
	return line;
}

static void run_ok(char *const argv[])
{
	_cleanup_free_ char *err = NULL;
	int status = kr_test_spawn(argv, NULL, 0, NULL, &err, 60);
	ck_assert_msg(status == 0, "%s failed (%d): %s", argv[0], status, err ? err : "");
}

/* cc with debug info and no CET (the first bytes of fx_caller are then the
 * inlined store). The file name in the DWARF is /src/drivers/fx/... as in
 * an out-of-tree kernel build: the symbolizer must find the tree path. */
static char *compile(const char *dir, const char *name, const char *src, bool object)
{
	_cleanup_free_ char *srcdir = kr_path_join(dir, "drivers/fx");
	_cleanup_free_ char *c_name = kr_asprintf("drivers/fx/%s.c", name);
	_cleanup_free_ char *c_path = kr_test_write(dir, c_name, src);
	_cleanup_free_ char *map = kr_asprintf("-fdebug-prefix-map=%s=/src", dir);
	char *out = kr_asprintf("%s/%s", dir, object ? "fx-mod.ko" : name);
	char *obj_argv[] = { "cc", "-O2", "-g", "-fcf-protection=none", map, "-c", c_path, "-o",
			     out, NULL };
	char *exe_argv[] = { "cc", "-O2", "-g", "-fcf-protection=none", map, "-nostdlib", "-static",
			     "-no-pie", "-Wl,-e,fx_entry", c_path, "-o", out, NULL };
	run_ok(object ? obj_argv : exe_argv);
	return out;
}

/* The size nm gives a function (the size the kernel would print for it
 * up to alignment padding). */
static unsigned long size_of(const char *elf, const char *func)
{
	char *argv[] = { "nm", "-S", "--defined-only", (char *)elf, NULL };
	_cleanup_free_ char *out = NULL;
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &out, NULL, 60), 0);
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long addr, size;
		char type, name[128];
		if (sscanf(line, "%lx %lx %c %127s", &addr, &size, &type, name) == 4 &&
		    !strcmp(name, func))
			return size;
	}
	ck_abort_msg("no %s in %s", func, elf);
	return 0;
}

static char *symbolize(struct kr_symbolizer *s, const char *text, char **guilty)
{
	char *out = NULL;
	size_t len = 0;
	kr_symbolizer_text(s, text, strlen(text), NULL, &out, &len, guilty);
	ck_assert_uint_eq(len, strlen(out));
	return out;
}

/* A report in the kernel's words: the RIP line (exact address) and call
 * trace lines (return addresses) with timestamps. */
static char *report(unsigned long caller_size, unsigned long plain_size, const char *mod)
{
	const char *m = mod ? " [" : "";
	const char *m_end = mod ? "]" : "";
	return kr_asprintf("[    1.000000] WARNING: CPU: 0 PID: 1 at x.c:1 fx_plain+0x0/0x%lx%s%s%s\n"
			   "[    1.000001] RIP: 0010:fx_plain+0x0/0x%lx%s%s%s\n"
			   "[    1.000002] Call Trace:\n"
			   "[    1.000003]  <TASK>\n"
			   "[    1.000004]  fx_caller+0x1/0x%lx%s%s%s\n"
			   "[    1.000005]  ? fx_plain+0x1/0x%lx%s%s%s\n"
			   "[    1.000006]  </TASK>",
			   plain_size, m, mod ? mod : "", m_end, plain_size, m, mod ? mod : "", m_end,
			   caller_size, m, mod ? mod : "", m_end, plain_size, m, mod ? mod : "",
			   m_end);
}

static char *expected(unsigned long caller_size, unsigned long plain_size, const char *mod,
		      const char *file)
{
	const char *m = mod ? " [" : "";
	const char *m_end = mod ? "]" : "";
	const char *md = mod ? mod : "";
	int inner = line_of(fixture_src, "INNER"), middle = line_of(fixture_src, "MIDDLE");
	int caller = line_of(fixture_src, "CALLER"), plain = line_of(fixture_src, "PLAIN");
	return kr_asprintf(
		"[    1.000000] WARNING: CPU: 0 PID: 1 at x.c:1 fx_plain+0x0/0x%lx%s%s%s\n"
		"[    1.000001] RIP: 0010:fx_plain+0x0/0x%lx%s%s%s %s:%d\n"
		"[    1.000002] Call Trace:\n"
		"[    1.000003]  <TASK>\n"
		"[    1.000004]  fx_inner %s:%d [inline]\n"
		"[    1.000004]  fx_middle %s:%d [inline]\n"
		"[    1.000004]  fx_caller+0x1/0x%lx%s%s%s %s:%d\n"
		"[    1.000005]  ? fx_plain+0x1/0x%lx%s%s%s %s:%d\n"
		"[    1.000006]  </TASK>",
		plain_size, m, md, m_end, plain_size, m, md, m_end, file, plain, file, inner, file,
		middle, caller_size, m, md, m_end, file, caller, plain_size, m, md, m_end, file,
		plain);
}

static size_t n_warnings(char **w, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; w && w[i]; i++)
		n += strstr(w[i], needle) != NULL;
	return n;
}

START_TEST(vmlinux_inline_chain)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *vmlinux = compile(dir, "fixture", fixture_src, false);
	unsigned long cs = size_of(vmlinux, "fx_caller"), ps = size_of(vmlinux, "fx_plain");
	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	kr_symbolizer_set_vmlinux(s, vmlinux);
	_cleanup_free_ char *in = report(cs, ps, NULL);
	_cleanup_free_ char *guilty = NULL;
	_cleanup_free_ char *out = symbolize(s, in, &guilty);
	_cleanup_free_ char *want = expected(cs, ps, NULL, "drivers/fx/fixture.c");
	ck_assert_str_eq(out, want);
	/* the first resolved frame is the RIP's: its innermost line */
	_cleanup_free_ char *g = kr_asprintf("drivers/fx/fixture.c:%d", line_of(fixture_src, "PLAIN"));
	ck_assert_str_eq(guilty, g);
	_cleanup_strv_free_ char **w = kr_symbolizer_take_warnings(s);
	ck_assert_ptr_null(w);

	/* the guilty file of a named function, and the frame API */
	free(out);
	free(guilty);
	out = NULL;
	size_t len;
	kr_symbolizer_text(s, in, strlen(in), "fx_caller", &out, &len, &guilty);
	_cleanup_free_ char *g2 = kr_asprintf("drivers/fx/fixture.c:%d",
					      line_of(fixture_src, "INNER"));
	ck_assert_str_eq(guilty, g2);
	struct kr_symbol_line *lines;
	size_t n;
	ck_assert_int_eq(kr_symbolizer_frame(s, "fx_caller", 0, cs, NULL, false, &lines, &n), 1);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(lines[0].func, "fx_inner");
	ck_assert(lines[0].is_inline && lines[1].is_inline && !lines[2].is_inline);
	ck_assert_str_eq(lines[2].func, "fx_caller");
	ck_assert_int_eq(lines[2].line, line_of(fixture_src, "CALLER"));
	kr_symbol_lines_free(lines, n);
	/* past the end of the function: not resolved */
	ck_assert_int_eq(kr_symbolizer_frame(s, "fx_caller", cs + 1, cs, NULL, false, &lines, &n),
			 0);
	/* a function's source file, for the title engine's families */
	_cleanup_free_ char *file = kr_symbolizer_function_file(s, "fx_plain", NULL);
	ck_assert_str_eq(file, "drivers/fx/fixture.c");
	ck_assert_ptr_null(kr_symbolizer_function_file(s, "fx_no_such_function", NULL));
	ck_assert_ptr_null(kr_symbolizer_function_file(s, "fx_plain", "no_such_mod"));
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(module_laid_out_offline)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *ko = compile(dir, "fixture", fixture_src, true);
	unsigned long cs = size_of(ko, "fx_caller"), ps = size_of(ko, "fx_plain");
	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	kr_symbolizer_add_module(s, ko);
	_cleanup_free_ char *in = report(cs, ps, "fx_mod");
	_cleanup_free_ char *out = symbolize(s, in, NULL);
	_cleanup_free_ char *want = expected(cs, ps, "fx_mod", "drivers/fx/fixture.c");
	ck_assert_str_eq(out, want);
	/* the module's frames need the module: without [fx_mod] they are
	 * vmlinux frames, and there is no vmlinux */
	_cleanup_free_ char *bare = report(cs, ps, NULL);
	_cleanup_free_ char *out2 = symbolize(s, bare, NULL);
	ck_assert_str_eq(out2, bare);
	/* another module's frames: a warning, once */
	_cleanup_free_ char *other = report(cs, ps, "other_mod");
	_cleanup_free_ char *out3 = symbolize(s, other, NULL);
	ck_assert_str_eq(out3, other);
	_cleanup_strv_free_ char **w = kr_symbolizer_take_warnings(s);
	ck_assert_uint_eq(kr_strv_len(w), 1);
	KR_ASSERT_HAS(w[0], "no .ko for module other_mod");
	/* a function's file: from the module by name, or found in it */
	_cleanup_free_ char *f1 = kr_symbolizer_function_file(s, "fx_caller", "fx_mod");
	_cleanup_free_ char *f2 = kr_symbolizer_function_file(s, "fx_caller", NULL);
	ck_assert_str_eq(f1, "drivers/fx/fixture.c");
	ck_assert_str_eq(f2, "drivers/fx/fixture.c");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(stripped_files_leave_frames_bare)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *vmlinux = compile(dir, "fixture", fixture_src, false);
	_cleanup_free_ char *ko = compile(dir, "fixture", fixture_src, true);
	unsigned long cs = size_of(vmlinux, "fx_caller"), ps = size_of(vmlinux, "fx_plain");
	unsigned long kcs = size_of(ko, "fx_caller"), kps = size_of(ko, "fx_plain");
	char *strip1[] = { "objcopy", "--strip-debug", vmlinux, NULL };
	char *strip2[] = { "objcopy", "--strip-debug", ko, NULL };
	run_ok(strip1);
	run_ok(strip2);
	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	kr_symbolizer_set_vmlinux(s, vmlinux);
	kr_symbolizer_add_module(s, ko);
	_cleanup_free_ char *in = report(cs, ps, NULL);
	_cleanup_free_ char *kin = report(kcs, kps, "fx_mod");
	_cleanup_free_ char *both = kr_asprintf("%s\n%s\n", in, kin);
	_cleanup_free_ char *out = symbolize(s, both, NULL);
	ck_assert_str_eq(out, both);
	_cleanup_strv_free_ char **w = kr_symbolizer_take_warnings(s);
	ck_assert_uint_eq(kr_strv_len(w), 2);
	ck_assert_uint_eq(n_warnings(w, "no debug info"), 2);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(wrong_file_gives_no_lines)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *vmlinux = compile(dir, "fixture", fixture_src, false);
	_cleanup_free_ char *wrong = compile(dir, "other", other_src, false);
	unsigned long cs = size_of(vmlinux, "fx_caller"), ps = size_of(vmlinux, "fx_plain");
	ck_assert_uint_gt(size_of(wrong, "fx_caller"), cs);
	_cleanup_free_ char *in = report(cs, ps, NULL);

	/* fx_caller is there but longer, fx_plain is not there at all */
	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	kr_symbolizer_set_vmlinux(s, wrong);
	_cleanup_free_ char *out = symbolize(s, in, NULL);
	ck_assert_str_eq(out, in);
	_cleanup_strv_free_ char **w = kr_symbolizer_take_warnings(s);
	ck_assert_uint_eq(kr_strv_len(w), 1);
	KR_ASSERT_HAS(w[0], "vmlinux does not match the log");

	/* the right file, a size the kernel could not have printed */
	_cleanup_symbolizer_free_ struct kr_symbolizer *s2 = kr_symbolizer_new();
	kr_symbolizer_set_vmlinux(s2, vmlinux);
	_cleanup_free_ char *bad = report(cs - 1, ps, NULL);
	_cleanup_free_ char *out2 = symbolize(s2, bad, NULL);
	_cleanup_free_ char *bare = kr_asprintf(" fx_caller+0x1/0x%lx\n", cs - 1);
	KR_ASSERT_HAS(out2, bare);
	ck_assert_ptr_null(strstr(out2, "fx_inner"));
	KR_ASSERT_HAS(out2, "fx_plain+0x1/0x"); /* the frames that match keep their lines */
	ck_assert_ptr_nonnull(strstr(strstr(out2, "? fx_plain+0x1/0x"), "fixture.c:"));
	_cleanup_strv_free_ char **w2 = kr_symbolizer_take_warnings(s2);
	ck_assert_uint_eq(kr_strv_len(w2), 1);
	KR_ASSERT_HAS(w2[0], "is not 0x");

	/* a missing file and one that is not ELF */
	_cleanup_free_ char *text = kr_test_write(dir, "not-elf", "hello\n");
	_cleanup_free_ char *missing = kr_path_join(dir, "missing.ko");
	_cleanup_symbolizer_free_ struct kr_symbolizer *s3 = kr_symbolizer_new();
	kr_symbolizer_set_vmlinux(s3, text);
	kr_symbolizer_add_module(s3, missing);
	_cleanup_free_ char *kin = report(cs, ps, "missing");
	_cleanup_free_ char *both = kr_asprintf("%s\n%s", in, kin);
	_cleanup_free_ char *out3 = symbolize(s3, both, NULL);
	ck_assert_str_eq(out3, both);
	_cleanup_strv_free_ char **w3 = kr_symbolizer_take_warnings(s3);
	ck_assert_uint_eq(kr_strv_len(w3), 2);
	ck_assert_uint_eq(n_warnings(w3, "No such file"), 1);
	ck_assert_uint_eq(n_warnings(w3, "not a usable ELF"), 1);
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(command)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *vmlinux = compile(dir, "fixture", fixture_src, false);
	_cleanup_free_ char *ko = compile(dir, "fixture", fixture_src, true);
	unsigned long cs = size_of(vmlinux, "fx_caller"), ps = size_of(vmlinux, "fx_plain");
	_cleanup_free_ char *in = report(cs, ps, NULL);
	_cleanup_free_ char *log = kr_test_write(dir, "log", in);
	char *argv[] = { (char *)kr_test_kradar(), "symbolize", "--vmlinux", vmlinux, "--module",
			 ko, log, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &out, &err, 60), 0);
	_cleanup_free_ char *want = expected(cs, ps, NULL, "drivers/fx/fixture.c");
	ck_assert_str_eq(out, want);
	ck_assert_str_eq(err, "");

	/* standard input, and a warning on stderr for a stripped file */
	char *strip[] = { "objcopy", "--strip-debug", vmlinux, NULL };
	run_ok(strip);
	char *argv2[] = { (char *)kr_test_kradar(), "symbolize", "--vmlinux", vmlinux, "-", NULL };
	free(out);
	free(err);
	out = err = NULL;
	ck_assert_int_eq(kr_test_spawn(argv2, in, strlen(in), &out, &err, 60), 0);
	ck_assert_str_eq(out, in);
	KR_ASSERT_HAS(err, "no debug info");

	/* bad input: exit 2 */
	char *no_files[] = { (char *)kr_test_kradar(), "symbolize", log, NULL };
	ck_assert_int_eq(kr_test_spawn(no_files, NULL, 0, NULL, NULL, 60), 2);
	_cleanup_free_ char *missing = kr_path_join(dir, "nolog");
	char *no_log[] = { (char *)kr_test_kradar(), "symbolize", "--vmlinux", vmlinux, missing,
			   NULL };
	ck_assert_int_eq(kr_test_spawn(no_log, NULL, 0, NULL, NULL, 60), 2);
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The file and line of the WARN_ON in tests/module/kradar_test.c. */
static int warn_line(void)
{
	const char *root = getenv("KRADAR_SOURCE_ROOT");
	ck_assert_ptr_nonnull(root);
	_cleanup_free_ char *path = kr_path_join(root, "tests/module/kradar_test.c");
	_cleanup_free_ char *src = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &src, &len), 0);
	return line_of(src, "WARN_ON(READ_ONCE(kradar_test_warn_cond))");
}

static void prepare(void)
{
	kr_test_prepare_debian_kernel();
}

/* tests/data/crash-logs/warn.log, a WARNING of kradar_test on Debian's
 * kernel, against the module built from this tree's source: the RIP is
 * the WARN_ON's line and the caller the line of act->run(). */
START_TEST(debian_module_warning)
{
	const char *ko = getenv("KRADAR_TEST_MODULE");
	ck_assert_ptr_nonnull(ko);
	_cleanup_free_ char *path = kr_path_join(kr_test_data(), "crash-logs/warn.log");
	_cleanup_free_ char *log = NULL;
	size_t len;
	ck_assert_int_eq(kr_read_file(path, 16 << 20, &log, &len), 0);
	_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
	kr_symbolizer_add_module(s, ko);
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ char *guilty = NULL;
	kr_symbolizer_text(s, log, len, "kradar_test_warn", &out, &len, &guilty);
	/* console logs end their lines with \r\n: the line's end is kept */
	_cleanup_free_ char *rip = kr_asprintf(
		"RIP: 0010:kradar_test_warn+0x16/0x20 [kradar_test] kradar_test.c:%d\r\n", warn_line());
	ck_assert_msg(strstr(out, rip), "no '%s' in the symbolized log", rip);
	_cleanup_free_ char *g = kr_asprintf("kradar_test.c:%d", warn_line());
	ck_assert_str_eq(guilty, g);
	ck_assert(strstr(out, "kradar_test_write.cold+0x1c/0x3e [kradar_test] kradar_test.c:"));
	/* vmlinux frames: no vmlinux given, left as they were */
	ck_assert(strstr(out, " proc_reg_write+0x56/0xa0\r\n"));
	_cleanup_strv_free_ char **w = kr_symbolizer_take_warnings(s);
	ck_assert_ptr_null(w);
}
END_TEST

/* A fresh run of the module's WARNING on Debian's kernel (TCG): the .ko
 * in repro.files symbolizes report.txt, whose first line is the title,
 * and results.json has the WARN_ON's line as the guilty file. */
START_TEST(debian_run_report)
{
	const char *kernel = getenv("KRADAR_DEBIAN_KERNEL");
	const char *ko = getenv("KRADAR_TEST_MODULE");
	ck_assert_ptr_nonnull(kernel);
	ck_assert_ptr_nonnull(ko);
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *json = kr_asprintf(
		"{\"kradar\":1,\"name\":\"warn\",\"kernel\":{\"image\":\"%s\"},"
		"\"vm\":{\"kvm\":\"off\",\"smp\":1,\"mem_mb\":512},"
		"\"repro\":{\"sh\":[\"insmod /kradar_test.ko\",\"echo warn > /proc/kradar_test\"],"
		"\"files\":{\"%s\":\"/kradar_test.ko\"}},"
		"\"timeouts\":{\"boot\":300,\"run\":300,\"no_output\":300,\"grace\":2,"
		"\"tcg_factor\":1},\"expect\":{\"title\":\"WARNING in kradar_test_warn\"}}",
		kernel, ko);
	_cleanup_free_ char *scenario = kr_test_write(dir, "warn.json", json);
	_cleanup_free_ char *out_dir = kr_path_join(dir, "out");
	char *argv[] = { (char *)kr_test_kradar(), "run", "-q", "--out", out_dir, scenario, NULL };
	_cleanup_free_ char *out = NULL, *err = NULL;
	int st = kr_test_spawn(argv, NULL, 0, &out, &err, 1500);
	ck_assert_msg(st == 0, "kradar run exited with %d:\n%s\n%s", st, kr_test_tail(out), kr_test_tail(err));
	_cleanup_free_ char *rp = kr_path_join(out_dir, "warn/run-1/report.txt");
	_cleanup_free_ char *report = NULL;
	ck_assert_int_eq(kr_read_file(rp, 1 << 22, &report, NULL), 0);
	ck_assert_msg(kr_str_startswith(report, "WARNING in kradar_test_warn\n\n"), "%s", kr_test_tail(report));
	_cleanup_free_ char *rip = kr_asprintf("[kradar_test] kradar_test.c:%d", warn_line());
	ck_assert_msg(strstr(report, rip), "no '%s' in:\n%s", rip, kr_test_tail(report));
	_cleanup_free_ char *results = NULL;
	_cleanup_free_ char *res_path = kr_path_join(out_dir, "results.json");
	ck_assert_int_eq(kr_read_file(res_path, 1 << 22, &results, NULL), 0);
	_cleanup_free_ char *guilty = kr_asprintf("\"guilty_file\": \"kradar_test.c:%d\"", warn_line());
	ck_assert_msg(strstr(results, guilty), "no %s in:\n%s", guilty, kr_test_tail(results));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* The symbolizer reads line tables and walks DIEs itself (libdw is slow
 * at both on a kernel's thousands of units); it must give what libdw
 * alone gives, frame for frame: on the fixtures, and on every function of
 * this test program (its units are kradar's: DWARF 5, inlines). */
static char *both_ways(const char *elf, const char *module, const char *text, size_t *with_line)
{
	char *out[2];
	for (int libdw_only = 0; libdw_only < 2; libdw_only++) {
		_cleanup_symbolizer_free_ struct kr_symbolizer *s = kr_symbolizer_new();
		kr_symbolizer_set_libdw_lines(s, libdw_only);
		if (module)
			kr_symbolizer_add_module(s, elf);
		else
			kr_symbolizer_set_vmlinux(s, elf);
		out[libdw_only] = symbolize(s, text, NULL);
		_cleanup_strv_free_ char **w = kr_symbolizer_take_warnings(s);
		(void)w;
	}
	/* the first line that differs, not the whole texts */
	const char *x = out[0], *y = out[1];
	while (*x && *x == *y)
		x++, y++;
	bool same = !*x && !*y;
	while (!same && x > out[0] && x[-1] != '\n')
		x--, y--;
	ck_assert_msg(same, "%s, own reader: %.*s\nlibdw: %.*s", elf, (int)strcspn(x, "\n"),
		      x, (int)strcspn(y, "\n"), y);
	*with_line = 0;
	for (const char *p = out[0]; (p = strstr(p, "/0x")); p++) {
		const char *eol = strchrnul(p, '\n');
		const char *colon = memrchr(p, ':', (size_t)(eol - p));
		*with_line += colon && colon[1] >= '0' && colon[1] <= '9';
	}
	free(out[1]);
	return out[0];
}

START_TEST(own_reader_matches_libdw)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *vmlinux = compile(dir, "fixture", fixture_src, false);
	_cleanup_free_ char *ko = compile(dir, "fixture", fixture_src, true);
	size_t n;
	unsigned long cs = size_of(vmlinux, "fx_caller"), ps = size_of(vmlinux, "fx_plain");
	_cleanup_free_ char *in = report(cs, ps, NULL);
	_cleanup_free_ char *out = both_ways(vmlinux, NULL, in, &n);
	_cleanup_free_ char *want = expected(cs, ps, NULL, "drivers/fx/fixture.c");
	ck_assert_str_eq(out, want);
	cs = size_of(ko, "fx_caller");
	ps = size_of(ko, "fx_plain");
	_cleanup_free_ char *kin = report(cs, ps, "fx_mod");
	_cleanup_free_ char *kout = both_ways(ko, "fx_mod", kin, &n);
	_cleanup_free_ char *kwant = expected(cs, ps, "fx_mod", "drivers/fx/fixture.c");
	ck_assert_str_eq(kout, kwant);

	/* every function of this program, at four offsets each */
	_cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
	ck_assert_ptr_nonnull(self);
	char *argv[] = { "nm", "-S", "--defined-only", self, NULL };
	_cleanup_free_ char *list = NULL;
	ck_assert_int_eq(kr_test_spawn(argv, NULL, 0, &list, NULL, 60), 0);
	struct kr_buf text = KR_BUF_INIT(SIZE_MAX);
	size_t frames = 0;
	kr_buf_adds(&text, "Call Trace:\n");
	for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long addr, size;
		char type, name[128];
		if (sscanf(line, "%lx %lx %c %127s", &addr, &size, &type, name) != 4 ||
		    (type != 't' && type != 'T') || size < 4)
			continue;
		unsigned long offs[] = { 1, size / 3, size / 2, size - 1 };
		for (size_t i = 0; i < KR_ARRAY_SIZE(offs); i++, frames++)
			kr_buf_printf(&text, " %s+0x%lx/0x%lx\n", name, offs[i], size);
		/* and the exact address of a RIP line */
		kr_buf_printf(&text, "RIP: 0010:%s+0x%lx/0x%lx\n", name, size / 2, size);
		frames++;
	}
	ck_assert_uint_gt(frames, 1000);
	_cleanup_free_ char *sout = both_ways(self, NULL, text.data, &n);
	ck_assert_msg(n > frames / 2, "%zu of %zu frames with a line", n, frames);
	ck_assert_ptr_nonnull(strstr(sout, " [inline]\n"));
	kr_buf_free(&text);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(int argc, char **argv)
{
	bool debian = argc > 1 && !strcmp(argv[1], "--debian");
	Suite *s = suite_create("symbolize");
	TCase *tc = tcase_create("core");
	if (debian) {
		tcase_add_unchecked_fixture(tc, prepare, NULL);
		tcase_set_timeout(tc, 1800);
		tcase_add_test(tc, debian_module_warning);
		tcase_add_test(tc, debian_run_report);
	} else {
		tcase_add_test(tc, vmlinux_inline_chain);
		tcase_add_test(tc, module_laid_out_offline);
		tcase_add_test(tc, stripped_files_leave_frames_bare);
		tcase_add_test(tc, wrong_file_gives_no_lines);
		tcase_add_test(tc, command);
		tcase_add_test(tc, own_reader_matches_libdw);
	}
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
