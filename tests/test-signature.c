/* SPDX-License-Identifier: MIT */
/* The crash signature engine: titles of the fixture logs, streaming in any
 * chunk size, starvation evidence, title normalisation, and kradar classify
 * on hostile input. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kr-test.h"
#include "crashtitle.h"
#include "signature.h"
#include "util.h"

/* ---- helpers ------------------------------------------------------------- */

static struct kr_scanner *scan_chunked(const char *data, size_t len, size_t chunk)
{
	struct kr_scanner *s = kr_scanner_new();
	for (size_t off = 0; off < len; off += chunk) {
		size_t n = len - off < chunk ? len - off : chunk;
		ck_assert_int_eq(kr_scanner_feed(s, data + off, n), 0);
	}
	ck_assert_int_eq(kr_scanner_finish(s), 0);
	return s;
}

static struct kr_scanner *scan(const char *text)
{
	return scan_chunked(text, strlen(text), strlen(text) ? strlen(text) : 1);
}

static char *read_all(const char *path, size_t *len)
{
	char *data = NULL;
	int r = kr_read_file(path, 64 << 20, &data, len);
	ck_assert_msg(r == 0, "%s: %s", path, strerror(-r));
	return data;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **fixture_names(const char *subdir)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_data(), subdir);
	char **names = kr_calloc(1, sizeof(char *));
	DIR *d = opendir(dir);
	ck_assert_msg(d != NULL, "%s: %s", dir, strerror(errno));
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!kr_str_endswith(e->d_name, ".expect"))
			continue;
		kr_strv_push(&names, kr_strndup(e->d_name, strlen(e->d_name) - 7));
	}
	closedir(d);
	size_t n = kr_strv_len(names);
	qsort(names, n, sizeof(char *), cmp_str);
	return names;
}

/* The words of v sorted, one blank apart (owned by the caller). */
static char *sorted_words(char **v)
{
	size_t n = kr_strv_len(v);
	qsort(v, n, sizeof(char *), cmp_str);
	struct kr_buf b = KR_BUF_INIT(1 << 16);
	for (size_t i = 0; i < n; i++)
		kr_buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	char *text = kr_strdup(b.data ? b.data : "");
	kr_buf_free(&b);
	return text;
}

/* An expectation: the i-th TITLE line is the i-th crash's title; TYPE,
 * FRAME, CORRUPTED (Y/N) and STALL (Y/N) lines apply to the crash of the
 * TITLE above them. No TITLE line: no crash. A STARVATION line (anywhere)
 * lists the kinds of starvation evidence the log holds, "none" or no line
 * for none; its timing kinds (clock-lag, nmi-unanswered: from the run's
 * console.times) and the EVIDENCE line are test-evidence.c's. Lines
 * starting with # are comments. */
struct expected {
	char *title, *type, *frame;
	int corrupted, stall; /* -1: not said */
};

static bool timing_kind(const char *kind)
{
	return !strcmp(kind, "clock-lag") || !strcmp(kind, "nmi-unanswered");
}

/* The scanner's kinds a STARVATION line lists, sorted, one blank apart. */
static char *starvation_expected(const char *path)
{
	size_t len;
	_cleanup_free_ char *text = read_all(path, &len);
	_cleanup_strv_free_ char **kinds = kr_calloc(1, sizeof(char *));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!kr_str_startswith(line, "STARVATION:"))
			continue;
		for (char *w = strtok(line + 11, " \r"); w; w = strtok(NULL, " \r"))
			if (strcmp(w, "none") && !timing_kind(w))
				kr_strv_push(&kinds, kr_strdup(w));
		break;
	}
	return sorted_words(kinds);
}

static size_t parse_expect(const char *path, struct expected *out, size_t max)
{
	size_t len;
	_cleanup_free_ char *text = read_all(path, &len);
	size_t n = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		size_t l = strlen(line);
		while (l && line[l - 1] == '\r')
			line[--l] = '\0';
		if (kr_str_startswith(line, "TITLE: ")) {
			ck_assert_uint_lt(n, max);
			out[n++] = (struct expected){ .title = kr_strdup(line + 7), .corrupted = -1,
						      .stall = -1 };
			continue;
		}
		if (line[0] == '#' || !l || kr_str_startswith(line, "STARVATION:") ||
		    kr_str_startswith(line, "EVIDENCE:"))
			continue;
		ck_assert_msg(n > 0, "%s: \"%s\" before any TITLE line", path, line);
		struct expected *e = &out[n - 1];
		if (kr_str_startswith(line, "TYPE: "))
			e->type = kr_strdup(line + 6);
		else if (kr_str_startswith(line, "FRAME: "))
			e->frame = kr_strdup(line + 7);
		else if (kr_str_startswith(line, "CORRUPTED: "))
			e->corrupted = line[11] == 'Y';
		else if (kr_str_startswith(line, "STALL: "))
			e->stall = line[7] == 'Y';
		else
			ck_abort_msg("%s: unknown line \"%s\"", path, line);
	}
	return n;
}

/* ---- fixtures ------------------------------------------------------------- */

/* Each NAME.log of tests/data/SUBDIR gets the titles of its NAME.expect. */
static void check_fixtures(const char *subdir)
{
	_cleanup_strv_free_ char **names = fixture_names(subdir);
	ck_assert_msg(names[0] != NULL, "no fixtures in tests/data/%s", subdir);
	for (size_t f = 0; names[f]; f++) {
		_cleanup_free_ char *dir = kr_path_join(kr_test_data(), subdir);
		_cleanup_free_ char *log = kr_asprintf("%s/%s.log", dir, names[f]);
		_cleanup_free_ char *exp = kr_asprintf("%s/%s.expect", dir, names[f]);
		struct expected want[16];
		size_t nwant = parse_expect(exp, want, KR_ARRAY_SIZE(want));
		size_t len;
		_cleanup_free_ char *data = read_all(log, &len);
		_cleanup_(kr_scanner_freep) struct kr_scanner *s =
			scan_chunked(data, len, len ? len : 1);
		if (!nwant)
			ck_assert_msg(kr_scanner_n_crashes(s) == 0, "%s: unexpected crash \"%s\"", log,
				      kr_scanner_crash(s, 0)->title);
		ck_assert_msg(kr_scanner_n_crashes(s) >= nwant, "%s: %zu crashes, want %zu", log,
			      kr_scanner_n_crashes(s), nwant);
		for (size_t i = 0; i < nwant; i++) {
			const struct kr_crash *c = kr_scanner_crash(s, i);
			ck_assert_msg(strcmp(c->title, want[i].title) == 0,
				      "%s: crash %zu is \"%s\", want \"%s\"", log, i, c->title,
				      want[i].title);
			if (want[i].type)
				ck_assert_msg(strcmp(c->type, want[i].type) == 0, "%s: type %s, want %s",
					      log, c->type, want[i].type);
			if (want[i].frame)
				ck_assert_msg(c->frame && strcmp(c->frame, want[i].frame) == 0,
					      "%s: frame %s, want %s", log, c->frame, want[i].frame);
			if (want[i].corrupted >= 0)
				ck_assert_msg(c->corrupted == want[i].corrupted, "%s: corrupted %d", log,
					      c->corrupted);
			if (want[i].stall >= 0)
				ck_assert_msg(c->is_stall == want[i].stall, "%s: is_stall %d", log,
					      c->is_stall);
			free(want[i].title);
			free(want[i].type);
			free(want[i].frame);
		}
		_cleanup_free_ char *starv_want = starvation_expected(exp);
		_cleanup_strv_free_ char **found = kr_calloc(1, sizeof(char *));
		for (size_t i = 0; i < kr_scanner_n_starvation(s); i++) {
			const char *kind = kr_scanner_starvation(s, i)->kind;
			bool seen = false;
			for (size_t k = 0; found[k] && !seen; k++)
				seen = !strcmp(found[k], kind);
			if (!seen)
				kr_strv_push(&found, kr_strdup(kind));
		}
		_cleanup_free_ char *starv_got = sorted_words(found);
		ck_assert_msg(!strcmp(starv_got, starv_want), "%s: starvation kinds \"%s\", want \"%s\"",
			      log, starv_got, starv_want);
	}
}

START_TEST(every_fixture_gets_its_titles)
{
	check_fixtures("crash-logs");
}
END_TEST

/* Reports written from the kernel's own printk formats (tests/data/titles,
 * README.md there): report kinds and the frame each names. */
START_TEST(kernel_format_reports_get_their_titles)
{
	check_fixtures("titles");
}
END_TEST

/* Real reports of a tinyconfig kernel with KASAN, UBSAN, lockdep and the
 * hardening checks, crashed by LKDTM (tests/data/lkdtm, README.md there):
 * kinds that Debian's kernel and kradar_test.ko cannot give. */
START_TEST(lkdtm_crashes_get_their_titles)
{
	check_fixtures("lkdtm");
}
END_TEST

/* A WARNING in allocator helpers of a kernel newer than the families'
 * table (names it does not know), from a driver's probe. */
static const char newer_helpers_warning[] =
	"[   10.100000] ------------[ cut here ]------------\n"
	"[   10.100100] WARNING: CPU: 0 PID: 1 at mm/slub.c:4242 kmfresh_check+0x10/0x20\n"
	"[   10.100200] Modules linked in:\n"
	"[   10.100300] CPU: 0 PID: 1 Comm: sh Not tainted 6.9.0 #1\n"
	"[   10.100400] RIP: 0010:kmfresh_check+0x10/0x20\n"
	"[   10.100500] Call Trace:\n"
	"[   10.100600]  <TASK>\n"
	"[   10.100700]  kmfresh_get+0x20/0x40\n"
	"[   10.100800]  fresh_selftest_case+0x11/0x30\n"
	"[   10.100900]  foo_driver_probe+0x30/0x50\n"
	"[   10.101000]  really_probe+0x1b0/0x4e0\n"
	"[   10.101100]  driver_probe_device+0x4a/0xd0\n"
	"[   10.101200]  </TASK>\n"
	"[   10.101300] ---[ end trace 0000000000000000 ]---\n";

static int file_of_calls;

/* The debug info's answer for the fixture's functions. */
static char *fixture_file_of(void *ctx, const char *func)
{
	ck_assert_str_eq(ctx, "ctx");
	file_of_calls++;
	if (!strcmp(func, "kmfresh_check") || !strcmp(func, "kmfresh_get"))
		return kr_strdup("mm/slub.c");
	if (!strcmp(func, "fresh_selftest_case"))
		return kr_strdup("lib/test_fresh_slab.c"); /* a test: no family */
	if (!strcmp(func, "foo_driver_probe"))
		return kr_strdup("drivers/foo/foo.c");
	return NULL;
}

/* A frame the kernel families' table lacks gets the family of its source
 * file when the debug info gives it (kr_scanner_set_file_of): allocator
 * helpers of a newer kernel are passed over as the table's are; a test
 * file is of no family; each function is asked about once per scanner. */
START_TEST(families_by_source_file)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *plain = scan(newer_helpers_warning);
	ck_assert_uint_eq(kr_scanner_n_crashes(plain), 1);
	ck_assert_str_eq(kr_scanner_crash(plain, 0)->title, "WARNING in kmfresh_check");

	_cleanup_(kr_scanner_freep) struct kr_scanner *s = kr_scanner_new();
	kr_scanner_set_file_of(s, fixture_file_of, "ctx");
	kr_scanner_explain(s);
	file_of_calls = 0;
	for (int i = 0; i < 2; i++) /* the same report twice */
		ck_assert_int_eq(kr_scanner_feed(s, newer_helpers_warning,
						 strlen(newer_helpers_warning)),
				 0);
	ck_assert_int_eq(kr_scanner_finish(s), 0);
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 2);
	ck_assert_str_eq(kr_scanner_crash(s, 1)->title, "WARNING in fresh_selftest_case");
	const struct kr_crash *c = kr_scanner_crash(s, 0);
	ck_assert_str_eq(c->title, "WARNING in fresh_selftest_case");
	KR_ASSERT_HAS(c->explain, "kmfresh_get (line 7): skipped: kernel family alloc "
				  "(its file mm/slub.c)");
	/* at most the trace's four names, each once for both reports */
	ck_assert_int_le(file_of_calls, 4);
}
END_TEST

/* Feeding a log in pieces of any size gives what feeding it whole gives. */
START_TEST(chunk_size_does_not_matter)
{
	_cleanup_strv_free_ char **names = fixture_names("crash-logs");
	static const size_t chunks[] = { 1, 2, 3, 7, 64, 4095, 4097 };
	for (size_t f = 0; names[f]; f++) {
		_cleanup_free_ char *log = kr_asprintf("%s/crash-logs/%s.log", kr_test_data(), names[f]);
		size_t len;
		_cleanup_free_ char *data = read_all(log, &len);
		_cleanup_(kr_scanner_freep) struct kr_scanner *whole = scan_chunked(data, len, len + 1);
		for (size_t k = 0; k < KR_ARRAY_SIZE(chunks); k++) {
			_cleanup_(kr_scanner_freep) struct kr_scanner *s =
				scan_chunked(data, len, chunks[k]);
			ck_assert_uint_eq(kr_scanner_n_crashes(s), kr_scanner_n_crashes(whole));
			ck_assert_uint_eq(kr_scanner_n_starvation(s), kr_scanner_n_starvation(whole));
			for (size_t i = 0; i < kr_scanner_n_crashes(s); i++) {
				const struct kr_crash *a = kr_scanner_crash(s, i);
				const struct kr_crash *b = kr_scanner_crash(whole, i);
				ck_assert_msg(strcmp(a->title, b->title) == 0, "%s in %zu-byte chunks: %s",
					      log, chunks[k], a->title);
				ck_assert_uint_eq(a->start, b->start);
				ck_assert_uint_eq(a->end, b->end);
				ck_assert_uint_eq(a->report_len, b->report_len);
				ck_assert_mem_eq(a->report, b->report, a->report_len);
			}
		}
	}
}
END_TEST

/* ---- behaviour ------------------------------------------------------------ */

static const char warning_report[] =
	"[   10.000001] ------------[ cut here ]------------\n"
	"[   10.000002] WARNING: CPU: 0 PID: 1 at net/core/dev.c:123 dev_thing+0x10/0x20\n"
	"[   10.000003] Modules linked in:\n"
	"[   10.000004] RIP: 0010:dev_thing+0x10/0x20\n"
	"[   10.000005] Call Trace:\n"
	"[   10.000006]  <TASK>\n"
	"[   10.000007]  caller_of_thing+0x1/0x2\n"
	"[   10.000008]  do_syscall_64+0x58/0xc0\n"
	"[   10.000009]  </TASK>\n"
	"[   10.000010] ---[ end trace 0000000000000000 ]---\n";

START_TEST(report_offsets_and_text)
{
	const char *prefix = "[    1.000000] booting\r\nnoise without a timestamp\n";
	_cleanup_free_ char *log = kr_asprintf("%s%s", prefix, warning_report);
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(log);
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 1);
	const struct kr_crash *c = kr_scanner_crash(s, 0);
	ck_assert_str_eq(c->title, "WARNING in dev_thing");
	ck_assert_str_eq(c->type, "WARNING");
	ck_assert_str_eq(c->frame, "dev_thing");
	ck_assert(!c->corrupted && !c->suppressed && !c->is_stall);
	ck_assert_ptr_nonnull(c->alt_titles);
	ck_assert_ptr_null(c->alt_titles[0]);
	/* from the header line (the cut-here line is not the report) to the
	 * end of the last line of the report */
	size_t header = strlen(prefix) + strlen("[   10.000001] ------------[ cut here ]------------\n");
	ck_assert_uint_eq(c->start, header);
	ck_assert_uint_eq(c->end, strlen(log));
	ck_assert(kr_str_startswith(c->report, "WARNING: CPU: 0 PID: 1 at net/core/dev.c:123"));
	ck_assert_ptr_nonnull(strstr(c->report, "caller_of_thing"));
	/* prefixes are stripped from the report text */
	ck_assert_ptr_null(strstr(c->report, "10.0000"));
}
END_TEST

START_TEST(hit_comes_with_the_header_and_crashes_when_complete)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = kr_scanner_new();
	const char *before = "[    5.000000] all fine\n";
	kr_scanner_feed(s, before, strlen(before));
	ck_assert(!kr_scanner_hit(s));
	/* the header line, fed up to its newline */
	const char *header = strchr(warning_report, '\n') + 1;
	size_t n = (size_t)(strchr(header, '\n') + 1 - warning_report);
	kr_scanner_feed(s, warning_report, n - 1);
	ck_assert(!kr_scanner_hit(s)); /* the line is not finished yet */
	kr_scanner_feed(s, warning_report + n - 1, 1);
	ck_assert(kr_scanner_hit(s));
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 0);
	kr_scanner_feed(s, warning_report + n, strlen(warning_report) - n);
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 0);
	kr_scanner_finish(s);
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 1);
	ck_assert_int_eq(kr_scanner_feed(s, "x", 1), -EINVAL);
}
END_TEST

START_TEST(several_reports_in_log_order)
{
	_cleanup_free_ char *log = kr_asprintf(
		"%s[   20.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
		"[   20.000001] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
		"[   20.000002] RIP: 0010:second_bug+0x3/0x9\n"
		"[   20.000003] Call Trace:\n"
		"[   20.000004]  <TASK>\n"
		"[   20.000005]  second_caller+0x1/0x2\n"
		"[   20.000006]  </TASK>\n",
		warning_report);
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(log);
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 2);
	ck_assert_str_eq(kr_scanner_crash(s, 0)->title, "WARNING in dev_thing");
	ck_assert_str_eq(kr_scanner_crash(s, 1)->title,
			 "BUG: unable to handle kernel NULL pointer dereference in second_bug");
	ck_assert_uint_eq(kr_scanner_crash(s, 0)->end, kr_scanner_crash(s, 1)->start);
	ck_assert_ptr_null(kr_scanner_crash(s, 2));
}
END_TEST

/* A hard lockup that the watchdog only reports (no nmi_watchdog=panic). */
START_TEST(hard_lockup_is_a_stall)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[  50.000000] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1\n"
		"[  50.000001] Modules linked in:\n"
		"[  50.000002] RIP: 0010:spin_here+0x5/0x10\n"
		"[  50.000003] Call Trace:\n"
		"[  50.000004]  <TASK>\n"
		"[  50.000005]  worker_fn+0x1/0x2\n"
		"[  50.000006]  kthread+0xda/0x100\n"
		"[  50.000007]  ret_from_fork+0x22/0x30\n"
		"[  50.000008]  </TASK>\n");
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 1);
	const struct kr_crash *c = kr_scanner_crash(s, 0);
	ck_assert_str_eq(c->title, "BUG: hard lockup in worker_fn");
	ck_assert_str_eq(c->type, "HANG");
	ck_assert(c->is_stall);
}
END_TEST

/* ---- how reports are titled (synthetic logs) ------------------------------ */

/* The one crash of a log and its title. */
static const struct kr_crash *only_crash(struct kr_scanner *s)
{
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 1);
	return kr_scanner_crash(s, 0);
}

static bool has_alt(const struct kr_crash *c, const char *alt)
{
	for (size_t i = 0; c->alt_titles[i]; i++)
		if (strcmp(c->alt_titles[i], alt) == 0)
			return true;
	return false;
}

/* A stall is named by the entry point the stalled CPU was in (here the
 * file operation __vfs_write called), found after the timer interrupt
 * that caught it. */
START_TEST(stall_named_by_its_entry_point)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[  70.1] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
		"[  70.1] Call Trace:\n"
		"[  70.1]  <IRQ>\n"
		"[  70.1]  dump_stack+0x1/0x2\n"
		"[  70.1]  rcu_sched_clock_irq+0x1/0x2\n"
		"[  70.1]  update_process_times+0x1/0x2\n"
		"[  70.1]  hrtimer_interrupt+0x1/0x2\n"
		"[  70.1]  smp_apic_timer_interrupt+0x1/0x2\n"
		"[  70.1]  apic_timer_interrupt+0x1/0x2\n"
		"[  70.1]  </IRQ>\n"
		"[  70.1] RIP: 0010:_raw_spin_unlock_irqrestore+0x1/0x2\n"
		"[  70.1]  ring_fill_slot+0x1/0x2\n"
		"[  70.1]  ring_dev_write+0x1/0x2\n"
		"[  70.1]  __vfs_write+0x1/0x2\n"
		"[  70.1]  vfs_write+0x1/0x2\n"
		"[  70.1]  __x64_sys_write+0x1/0x2\n"
		"[  70.1]  do_syscall_64+0x1/0x2\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "INFO: rcu detected stall in ring_dev_write");
	ck_assert_str_eq(c->type, "HANG");
	ck_assert(c->is_stall && !c->corrupted);
	ck_assert(has_alt(c, "stall in ring_dev_write"));
}
END_TEST

/* Without the interrupt the stalled CPU's stack is not known. */
START_TEST(stall_without_interrupt_is_corrupted)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[  70.1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
		"[  70.1] task:worker state:R running task\n"
		"[  70.1] Call Trace:\n"
		"[  70.1]  __schedule+0x1/0x2\n"
		"[  70.1]  spin_forever+0x1/0x2\n"
		"[  70.1]  kthread+0x1/0x2\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "INFO: rcu detected stall in corrupted");
	ck_assert(c->corrupted);
}
END_TEST

/* A hung task is named by what it waits in, not by the waiting. */
START_TEST(hung_task_named_past_its_waits)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[ 200.0] INFO: task syz-executor.1:4242 blocked for more than 143 seconds.\n"
		"[ 200.0]       Not tainted 6.1.0 #1\n"
		"[ 200.0] Call Trace:\n"
		"[ 200.0]  <TASK>\n"
		"[ 200.0]  __schedule+0x1/0x2\n"
		"[ 200.0]  schedule+0x1/0x2\n"
		"[ 200.0]  schedule_timeout+0x1/0x2\n"
		"[ 200.0]  wait_for_completion+0x1/0x2\n"
		"[ 200.0]  __flush_work+0x1/0x2\n"
		"[ 200.0]  widget_release+0x1/0x2\n"
		"[ 200.0]  __fput+0x1/0x2\n"
		"[ 200.0]  </TASK>\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "INFO: task hung in widget_release");
	ck_assert_str_eq(c->frame, "widget_release");
	ck_assert(has_alt(c, "hang in widget_release"));
	/* the stack's own frames, the waits left out, the title's first */
	ck_assert_uint_eq(kr_strv_len(c->frames), 2);
	ck_assert_str_eq(c->frames[0], "widget_release");
	ck_assert_str_eq(c->frames[1], "__fput");
}
END_TEST

/* KASAN: the access from the line after the header, the culprit past the
 * report machinery and the copy helper the header names. */
START_TEST(kasan_access_and_culprit)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"==================================================================\n"
		"BUG: KASAN: slab-use-after-free in memcpy+0x1/0x2\n"
		"Write of size 8 at addr ffff888012345678 by task a.out/12\n"
		"Call Trace:\n"
		" dump_stack_lvl+0x1/0x2\n"
		" print_report+0x1/0x2\n"
		" kasan_report+0x1/0x2\n"
		" memcpy+0x1/0x2\n"
		" gadget_fill.isra.0+0x1/0x2\n"
		" gadget_ioctl+0x1/0x2\n"
		"Allocated by task 12:\n"
		" kmalloc_trace+0x1/0x2\n"
		" first_alloc_site+0x1/0x2\n"
		"==================================================================\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "KASAN: slab-use-after-free Write in gadget_fill");
	ck_assert_str_eq(c->type, "KASAN-USE-AFTER-FREE-WRITE");
	ck_assert(has_alt(c, "bad-access in gadget_fill"));
	ck_assert(!c->corrupted);
}
END_TEST

/* Syscall wrappers get their plain name; the printed one is an
 * alternative. */
START_TEST(syscall_wrappers_are_renamed)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[   9.0] WARNING: CPU: 0 PID: 7 at lib/refcount.c:25 refcount_warn_saturate+0x1/0x2\n"
		"[   9.0] RIP: 0010:refcount_warn_saturate+0x1/0x2\n"
		"[   9.0] Call Trace:\n"
		"[   9.0]  __x64_sys_frob+0x1/0x2\n"
		"[   9.0]  do_syscall_64+0x1/0x2\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "WARNING: refcount bug in sys_frob");
	ck_assert(has_alt(c, "WARNING: refcount bug in __x64_sys_frob"));
	/* frames in the form titles use */
	ck_assert_uint_eq(kr_strv_len(c->frames), 1);
	ck_assert_str_eq(c->frames[0], "sys_frob");
	ck_assert_str_eq(c->type, "REFCOUNT_WARNING");
}
END_TEST

/* Nested mangled names (C++, Rust's legacy mangling) are named
 * demangled, without Rust's hash. */
START_TEST(mangled_names_are_demangled)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[   9.0] WARNING: CPU: 0 PID: 7 at rust/kernel/sync/arc.rs:12 "
		"_ZN6kernel4sync3arc4drop17h0123456789abcdefE+0x1/0x2\n"
		"[   9.0] RIP: 0010:_ZN6kernel4sync3arc4drop17h0123456789abcdefE+0x1/0x2\n"
		"[   9.0] Call Trace:\n"
		"[   9.0]  _ZN3foo3bar4bazzE+0x1/0x2\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "WARNING in kernel::sync::arc::drop");
	ck_assert_uint_eq(kr_strv_len(c->frames), 2);
	ck_assert_str_eq(c->frames[1], "foo::bar::bazz");
}
END_TEST

/* C++ names without their parameter types and qualifiers: a const
 * method, a free function, a constructor and a destructor. */
START_TEST(cplusplus_names_are_demangled)
{
	static const char *const cases[][2] = {
		{ "_ZNK7android6Parcel8readBoolEv", "android::Parcel::readBool" },
		{ "_Z12binder_ioctlPvjm", "binder_ioctl" },
		{ "_ZN7android7BBinderC2Ev", "android::BBinder::BBinder" },
		{ "_ZN7android7BBinderD0Ev", "android::BBinder::~BBinder" },
		{ "_Zfoo", "_Zfoo" },
	};
	for (size_t i = 0; i < KR_ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *name = kr_crash_frame_name(cases[i][0], strlen(cases[i][0]));
		ck_assert_str_eq(name, cases[i][1]);
	}
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[   9.0] WARNING: CPU: 0 PID: 7 at drivers/android/parcel.cc:12 "
		"_ZNK7android6Parcel8readBoolEv+0x1/0x2\n"
		"[   9.0] RIP: 0010:_ZNK7android6Parcel8readBoolEv+0x1/0x2\n"
		"[   9.0] Call Trace:\n"
		"[   9.0]  _Z12binder_ioctlPvjm+0x1/0x2\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "WARNING in android::Parcel::readBool");
	ck_assert_str_eq(c->frames[1], "binder_ioctl");
}
END_TEST

/* A possible deadlock is named where the new lock is taken. */
START_TEST(deadlock_named_by_acquire_site)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"======================================================\n"
		"WARNING: possible circular locking dependency detected\n"
		"------------------------------------------------------\n"
		"a.out/99 is trying to acquire lock:\n"
		"ffff8880 (&dev->lock){+.+.}-{3:3}, at: dev_reconfigure+0x1/0x2\n"
		"\n"
		"but task is already holding lock:\n"
		"ffff8881 (&priv->mutex){+.+.}-{3:3}, at: priv_ioctl+0x1/0x2\n"
		"stack backtrace:\n"
		"Call Trace:\n"
		" dump_stack+0x1/0x2\n"
		" __lock_acquire+0x1/0x2\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "possible deadlock in dev_reconfigure");
	ck_assert_str_eq(c->type, "LOCKDEP");
	ck_assert(!c->corrupted);
}
END_TEST

/* A report cut off before its stack names no frame it could trust. */
START_TEST(truncated_report_is_corrupted)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"[  50.5] WARNING: CPU: 2 PID: 26 at ipc/shm.c:162 shm_open+0x74/0x80\n"
		"[  50.5] Modules linked in:\n");
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "WARNING in corrupted");
	ck_assert(c->corrupted);
	ck_assert_ptr_null(c->frame);
}
END_TEST

/* A header printed inside another report's stack makes it interleaved;
 * one printed before the stack (a warning while reporting a stall) is
 * part of it. */
START_TEST(headers_inside_reports)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(
		"WARNING: CPU: 1 PID: 1 at arch/x86/kernel/fpu.c:340 __switch_to+0x1/0x2\n"
		"Call Trace:\n"
		"general protection fault: 0000 [#1] SMP KASAN\n"
		"RIP: 0010:native_write_cr4+0x4/0x10\n"
		"Call Trace:\n"
		" cr4_update+0x1/0x2\n");
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 2);
	ck_assert_str_eq(kr_scanner_crash(s, 0)->title, "WARNING in corrupted");
	ck_assert_str_eq(kr_scanner_crash(s, 1)->title, "general protection fault in native_write_cr4");

	_cleanup_(kr_scanner_freep) struct kr_scanner *t = scan(
		"[ 611.7][ C1] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
		"[ 611.7][ C1] WARNING: CPU: 1 PID: 4737 at kernel/sched/core.c:2698 try_invoke+0x1/0x2\n"
		"[ 611.7][ C1] Kernel panic - not syncing: panic_on_warn set ...\n"
		"[ 611.8][ C1] Call Trace:\n"
		"[ 611.8][ C1]  <IRQ>\n"
		"[ 611.8][ C1]  dump_stack+0x1/0x2\n"
		"[ 611.8][ C1]  sysvec_apic_timer_interrupt+0x1/0x2\n"
		"[ 611.8][ C1]  </IRQ>\n"
		"[ 612.0][ C1] RIP: 0010:smp_call_function_single+0x311/0x450\n"
		"[ 612.1][ C1]  on_each_cpu+0x4d/0x1f0\n");
	const struct kr_crash *c = only_crash(t);
	ck_assert_str_eq(c->title, "INFO: rcu detected stall in smp_call_function");
	ck_assert(has_alt(c, "stall in smp_call_function_single"));
}
END_TEST

/* A panic because init crashed on its own is of a suppressed kind. */
START_TEST(init_crash_is_suppressed)
{
	const char *panic = "[ 30.1] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\n"
			    "[ 30.1] Call Trace:\n"
			    "[ 30.1]  dump_stack+0x1/0x2\n"
			    "[ 30.1]  panic+0x1/0x2\n"
			    "[ 30.1]  do_exit+0x1/0x2\n";
	_cleanup_(kr_scanner_freep) struct kr_scanner *plain = scan(panic);
	ck_assert_str_eq(only_crash(plain)->title, "kernel panic: Attempted to kill init!");
	ck_assert(!only_crash(plain)->suppressed);
	_cleanup_free_ char *log =
		kr_asprintf("INIT: PANIC: segmentation violation! sleeping for 30 seconds.\n%s", panic);
	_cleanup_(kr_scanner_freep) struct kr_scanner *init = scan(log);
	ck_assert(only_crash(init)->suppressed);
}
END_TEST

/* Firmware banners mean a reboot only after the kernel has run. */
START_TEST(reboot_only_after_output)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *boot =
		scan("\x1b[2JSeaBIOS (version 1.16.2)\nBooting from ROM...\nDecompressing Linux... done.\n"
		     "[    0.000000] Linux version 6.1.0\n");
	ck_assert_uint_eq(kr_scanner_n_crashes(boot), 0);
	_cleanup_(kr_scanner_freep) struct kr_scanner *again =
		scan("[    0.000000] Linux version 6.1.0\n[   12.0] still running\n"
		     "SeaBIOS (version 1.16.2)\nDecompressing Linux... done.\n");
	ck_assert_str_eq(only_crash(again)->title, "unexpected kernel reboot");
}
END_TEST

/* "fatal error: " is a Go runtime crash only with the runtime's stack. */
START_TEST(go_runtime_error_needs_its_stack)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *alsa =
		scan("fatal error: cannot create timer (-22)\nnext line\n");
	ck_assert_uint_eq(kr_scanner_n_crashes(alsa), 0);
	_cleanup_(kr_scanner_freep) struct kr_scanner *go =
		scan("fatal error: runtime: out of memory\n\nruntime stack:\nruntime.throw()\n");
	ck_assert_str_eq(only_crash(go)->title, "go runtime error");
}
END_TEST

START_TEST(clean_log_has_no_crash)
{
	struct kr_buf b = KR_BUF_INIT(1 << 24);
	for (int i = 0; i < 20000; i++)
		kr_buf_printf(&b, "[%5d.%06d] systemd[1]: Started unit %d: ok (no warnings, info or bugs)\n",
			      i / 100, i % 100, i);
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan_chunked(b.data, b.len, 65536);
	ck_assert(!kr_scanner_hit(s));
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 0);
	ck_assert_uint_eq(kr_scanner_n_starvation(s), 0);
	kr_buf_free(&b);
}
END_TEST

static const struct {
	const char *line;
	const char *kind;
	double value;
	const char *unit;
} starvation_lines[] = {
	{ "[  1.0] hrtimer: interrupt took 2419658 ns", "hrtimer-interrupt", 2419658, "ns" },
	{ "[  2.0] rcu: rcu_preempt kthread starved for 10502 jiffies! g5 f0x0 RCU_GP_WAIT_FQS(5) "
	  "->state=0x0 ->cpu=1",
	  "rcu-kthread-starved", 10502, "jiffies" },
	{ "[  3.0] rcu_sched kthread starved for 249 jiffies!", "rcu-kthread-starved", 249, "jiffies" },
	{ "[  4.0] rcu: rcu_preempt kthread timer wakeup didn't happen for 9999 jiffies! g7 f0x0",
	  "rcu-timer-wakeup-missed", 9999, "jiffies" },
	{ "[  5.0] clocksource: timekeeping watchdog on CPU1: Marking clocksource 'tsc' as unstable "
	  "because the skew is too large:",
	  "clocksource-unstable", 0, "" },
	{ "[  6.0] tsc: Marking TSC unstable due to clocksource watchdog", "clocksource-unstable", 0,
	  "" },
	{ "[  7.0] sched: RT throttling activated", "rt-throttling", 0, "" },
	{ "[  8.0] INFO: NMI handler (nmi_cpu_backtrace_handler) took too long to run: 2150.317 msecs",
	  "nmi-handler-slow", 2150.317, "ms" },
	{ "[  9.0] perf: interrupt took too long (2504 > 2500), lowering "
	  "kernel.perf_event_max_sample_rate to 79750",
	  "perf-interrupt-slow", 2504, "ns" },
};

START_TEST(starvation_evidence_with_values)
{
	struct kr_buf b = KR_BUF_INIT(1 << 20);
	kr_buf_adds(&b, "[  0.1] tsc: Marking TSC unstable due to TSCs unsynchronized\n");
	/* what an NMI backtrace takes under TCG anyway: no evidence */
	kr_buf_adds(&b, "[  0.2] INFO: NMI handler (nmi_cpu_backtrace_handler) took too long to run: "
			"9.296 msecs\n");
	for (size_t i = 0; i < KR_ARRAY_SIZE(starvation_lines); i++)
		kr_buf_printf(&b, "[  0.5] filler line %zu\n%s\n", i, starvation_lines[i].line);
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan_chunked(b.data, b.len, 13);
	ck_assert_uint_eq(kr_scanner_n_crashes(s), 0);
	ck_assert_uint_eq(kr_scanner_n_starvation(s), KR_ARRAY_SIZE(starvation_lines));
	for (size_t i = 0; i < KR_ARRAY_SIZE(starvation_lines); i++) {
		const struct kr_starvation *st = kr_scanner_starvation(s, i);
		ck_assert_str_eq(st->kind, starvation_lines[i].kind);
		ck_assert_double_eq_tol(st->value, starvation_lines[i].value, 1e-9);
		ck_assert_str_eq(st->unit, starvation_lines[i].unit);
		ck_assert_str_eq(st->line, starvation_lines[i].line);
		const char *at = strstr(b.data, starvation_lines[i].line);
		ck_assert_uint_eq(st->offset, (size_t)(at - b.data));
	}
	kr_buf_free(&b);
}
END_TEST

/* The grace-period kthread's force-quiescent-state passes (fqs= on a CPU
 * line of an RCU stall) and a self-detecting CPU's ticks against the grace
 * period's length (the t= line after it), as Debian's 6.1 kernel printed
 * them. */
START_TEST(starvation_across_two_lines)
{
	static const char log[] =
		"[   16.132685] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
		"[   16.132685] rcu: \t0-...0: (1 GPs behind) idle=f69c/1/0x4000000000000000 "
		"softirq=1635/1641 fqs=2\n"
		"[   16.132685] \t(t=3003 jiffies g=117 q=123 ncpus=2)\n"
		"[   20.365311] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
		"[   20.365311] rcu: \t1-...!: (0 ticks this GP) idle=8b94/1/0x4000000000000000 "
		"softirq=434/434 fqs=0\n"
		"[   20.365311] \t(detected by 0, t=755 jiffies, g=217, q=21365 ncpus=2)\n"
		/* a kthread that ran: no evidence */
		"[   27.539869] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
		"[   27.541128] rcu: \t0-...0: (1 GPs behind) idle=d2e4/1/0x4000000000000000 "
		"softirq=146/147 fqs=513\n"
		"[   27.541438] \t(detected by 1, t=1252 jiffies, g=-895, q=15 ncpus=2)\n"
		/* a t= line without a CPU line before it: nothing to compare */
		"[   30.890598] \t(detected by 0, t=752 jiffies, g=-27, q=17630 ncpus=2)\n"
		/* a CPU that reports its own stall after 2 ticks in 3001 jiffies */
		"[   33.848581] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
		"[   33.848923] rcu: \t0-...!: (2 ticks this GP) idle=170c/1/0x4000000000000000 "
		"softirq=126/126 fqs=0\n"
		"[   33.849224] \t(t=3001 jiffies g=-971 q=71 ncpus=2)\n"
		/* one that ticked: no evidence */
		"[   36.545429] rcu: INFO: rcu_preempt self-detected stall on CPU\n"
		"[   36.545429] rcu: \t1-....: (1212 ticks this GP) idle=4f9c/1/0x4000000000000000 "
		"softirq=114/114 fqs=567\n"
		"[   36.545429] \t(t=1250 jiffies g=-959 q=297 ncpus=2)\n";
	static const size_t chunks[] = { 1, 7, 100, sizeof(log) };
	for (size_t k = 0; k < KR_ARRAY_SIZE(chunks); k++) {
		_cleanup_(kr_scanner_freep) struct kr_scanner *s =
			scan_chunked(log, sizeof(log) - 1, chunks[k]);
		ck_assert_uint_eq(kr_scanner_n_starvation(s), 4);
		const struct kr_starvation *a = kr_scanner_starvation(s, 0);
		ck_assert_str_eq(a->kind, "rcu-fqs-starved");
		ck_assert_double_eq_tol(a->value, 1501.5, 1e-9);
		ck_assert_str_eq(a->unit, "jiffies per pass");
		ck_assert_str_eq(a->line, "[   16.132685] rcu: \t0-...0: (1 GPs behind) "
					  "idle=f69c/1/0x4000000000000000 softirq=1635/1641 fqs=2 / "
					  "[   16.132685] \t(t=3003 jiffies g=117 q=123 ncpus=2)");
		ck_assert_uint_eq(a->offset, (size_t)(strstr(log, "[   16.132685] rcu: \t0-") - log));
		const struct kr_starvation *b = kr_scanner_starvation(s, 1);
		ck_assert_str_eq(b->kind, "rcu-fqs-starved");
		ck_assert_double_eq_tol(b->value, 755, 1e-9);
		const struct kr_starvation *c = kr_scanner_starvation(s, 2);
		ck_assert_str_eq(c->kind, "rcu-fqs-starved");
		ck_assert_double_eq_tol(c->value, 3001, 1e-9);
		const struct kr_starvation *d = kr_scanner_starvation(s, 3);
		ck_assert_str_eq(d->kind, "rcu-ticks-starved");
		ck_assert_double_eq_tol(d->value, 1500.5, 1e-9);
		ck_assert_str_eq(d->unit, "jiffies per tick");
		ck_assert_uint_eq(d->offset, c->offset);
	}
}
END_TEST

static const struct {
	const char *in, *out;
} titles[] = {
	{ "WARNING in foo+0x1c/0x40", "WARNING in foo" },
	{ "INFO: task syz-executor.3:12345 blocked", "INFO: task syz-executor blocked" },
	{ "KASAN: slab-out-of-bounds Read at addr ffff888012345678", "KASAN: slab-out-of-bounds Read at addr ADDR" },
	{ "BUG: at net/core/dev.c:123:45 x", "BUG: at net/core/dev.c:LINE x" },
	{ "kernel panic: VFS: Unable to mount root fs on unknown-block(0,0)",
	  "kernel panic: VFS: Unable to mount root fs on unknown-block(NUM,NUM)" },
	{ "route to 10.1.2.3 lost on CPU#1", "route to IP lost on CPU" },
	{ "nl80211_thing in cfg80211 from 12345 id x9876543210", "nl80211_thing in cfg80211 from NUM id xNUM" },
	{ "  tabs\tand   spaces  ", "tabs and spaces" },
	{ "ctrl\x01\x7f" "bytes\xff", "ctrlbytes" },
};

START_TEST(titles_are_normalised)
{
	_cleanup_free_ char *t = kr_crash_normalize_title(titles[_i].in);
	ck_assert_str_eq(t, titles[_i].out);
}
END_TEST

START_TEST(titles_are_capped)
{
	char in[400];
	memset(in, 'a', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	_cleanup_free_ char *t = kr_crash_normalize_title(in);
	ck_assert_uint_eq(strlen(t), 120);
}
END_TEST

/* ---- kradar classify --------------------------------------------------- */

static int classify(const char *const *args, const char *in, size_t in_len, char **out, char **err)
{
	char *argv[8] = { (char *)kr_test_kradar(), (char *)"classify" };
	size_t n = 2;
	for (; args[n - 2]; n++)
		argv[n] = (char *)args[n - 2];
	argv[n] = NULL;
	return kr_test_spawn(argv, in, in_len, out, err, 120);
}

START_TEST(classify_summary_and_json)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *path = kr_test_write(dir, "log", warning_report);
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(classify((const char *[]){ path, NULL }, NULL, 0, &out, &err), 0);
	ck_assert(kr_str_startswith(out, "crash: WARNING in dev_thing\n  type WARNING, frame dev_thing"));
	free(out);
	free(err);
	out = err = NULL;
	ck_assert_int_eq(classify((const char *[]){ "--json", "-", NULL }, warning_report,
				  strlen(warning_report), &out, &err),
			 0);
	ck_assert(kr_str_startswith(out, "{\"crashed\":true,\"title\":\"WARNING in dev_thing\","
					 "\"alt_titles\":[],\"type\":\"WARNING\",\"frame\":\"dev_thing\","
					 "\"corrupted\":false,\"suppressed\":false,\"is_stall\":false,"
					 "\"reports\":[{"));
	ck_assert(kr_str_endswith(out, "\"starvation\":[]}\n"));
	kr_test_tmpdir_cleanup();
}
END_TEST

/* A starved vCPU's stalls: the summary's "also:" and "starvation:" lines,
 * and the JSON's starvation entries. */
START_TEST(classify_shows_alt_titles_and_starvation)
{
	_cleanup_free_ char *log = kr_asprintf("%s/crash-logs/run-starved-vcpu.log", kr_test_data());
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(classify((const char *[]){ log, NULL }, NULL, 0, &out, &err), 0);
	ck_assert_msg(strstr(out, "\n  also: stall in corrupted\n"), "%s", out);
	ck_assert_msg(strstr(out, "\nstarvation: rcu-fqs-starved 752 jiffies per pass at byte 23185\n"),
		      "%s", out);
	ck_assert_msg(kr_str_endswith(out, "\nstarvation: rcu-kthread-starved 755 jiffies at byte 26566\n"),
		      "%s", out);
	free(out);
	out = NULL;
	ck_assert_int_eq(classify((const char *[]){ "--json", log, NULL }, NULL, 0, &out, NULL), 0);
	ck_assert_msg(strstr(out, "{\"kind\":\"rcu-kthread-starved\",\"value\":755.0,\"unit\":\"jiffies\","
				  "\"line\":\"[    7.901481] rcu: rcu_preempt kthread starved for 755 jiffies! "
				  "g-967 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402 ->cpu=1\",\"offset\":26566}"),
		      "%s", out);
}
END_TEST

/* A memory leak passes over the per-CPU allocator and fsnotify, found by the
 * kernel families generated from the Linux source; --explain says so for
 * each frame, and which one it took. */
static const char leak_report[] =
	"[  30.0] BUG: memory leak\n"
	"[  30.0] unreferenced object 0xffff888012345678 (size 64):\n"
	"[  30.0]   backtrace:\n"
	"[  30.0]     [<ffffffff81234567>] kmalloc_trace+0x1/0x2\n"
	"[  30.0]     [<ffffffff81234567>] pcpu_alloc+0x1/0x2\n"
	"[  30.0]     [<ffffffff81234567>] fsnotify_alloc_group+0x1/0x2\n"
	"[  30.0]     [<ffffffff81234567>] widget_new+0x1/0x2\n"
	"[  30.0]     [<ffffffff81234567>] widget_ioctl+0x1/0x2\n";

START_TEST(classify_explains_frame_choice)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(leak_report);
	const struct kr_crash *c = only_crash(s);
	ck_assert_str_eq(c->title, "memory leak in widget_new");
	ck_assert_ptr_null(c->explain);
	ck_assert_uint_eq(kr_strv_len(c->frames), 2);
	ck_assert_str_eq(c->frames[1], "widget_ioctl");

	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(classify((const char *[]){ "--explain", "-", NULL }, leak_report,
				  strlen(leak_report), &out, &err),
			 0);
	ck_assert_msg(strstr(out, "  explain: frame kmalloc_trace (line 4): skipped: skip list\n"
				  "  explain: frame pcpu_alloc (line 5): skipped: kernel family alloc\n"
				  "  explain: frame fsnotify_alloc_group (line 6): skipped: kernel family fsnotify\n"
				  "  explain: frame widget_new (line 7): taken\n"),
		      "%s", out);
	free(out);
	free(err);
	out = err = NULL;
	/* without --explain, no explanation */
	ck_assert_int_eq(classify((const char *[]){ "-", NULL }, leak_report, strlen(leak_report),
				  &out, &err),
			 0);
	ck_assert(!strstr(out, "explain:"));
	free(out);
	free(err);
	out = err = NULL;
	ck_assert_int_eq(classify((const char *[]){ "--json", "--explain", "-", NULL }, leak_report,
				  strlen(leak_report), &out, &err),
			 0);
	ck_assert(strstr(out, "\"explain\":\"rule: "));
	ck_assert(strstr(out, "\"frames\":[\"widget_new\",\"widget_ioctl\"]"));
}
END_TEST

/* A lockdep report cut before "stack backtrace:" names no frame (not the
 * held lock's "at:" frame above it), and --explain says why. */
/* classify --explain on a title fixture: its crash line and the line that
 * says why no frame was named, and never the frame the old code named. */
static void assert_explains_no_frame(const char *fixture, const char *crash_line,
				     const char *explain_line, const char *wrong_frame)
{
	_cleanup_free_ char *path = kr_asprintf("%s/titles/%s", kr_test_data(), fixture);
	size_t len;
	_cleanup_free_ char *data = read_all(path, &len);
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(classify((const char *[]){ "--explain", "-", NULL }, data, len, &out, &err),
			 0);
	KR_ASSERT_HAS(out, crash_line);
	KR_ASSERT_HAS(out, explain_line);
	ck_assert(!strstr(out, wrong_frame));
}

START_TEST(classify_explains_a_cut_report)
{
	assert_explains_no_frame("lockdep-rcu-suspicious-cut.log",
				 "crash: INFO: suspicious RCU usage in corrupted\n",
				 "  explain: no frame: the report ends before /^stack backtrace:/, the "
				 "line its stack follows: corrupted\n",
				 "rtnl_lock");
}
END_TEST

START_TEST(classify_explains_a_report_with_another_dumps_trace)
{
	assert_explains_no_frame("lockdep-interleaved-fault-injection.log",
				 "crash: WARNING: suspicious RCU usage in corrupted\n",
				 "  explain: no frame: another dump's \"Call Trace:\" came before "
				 "/^stack backtrace:/, the line the report's stack follows, and their "
				 "frames mix: corrupted\n",
				 "nfnetlink_rcv_batch");
}
END_TEST

START_TEST(classify_bad_input_is_one_line_and_exit_2)
{
	_cleanup_free_ char *out = NULL, *err = NULL;
	ck_assert_int_eq(classify((const char *[]){ "/nonexistent/console.log", NULL }, NULL, 0, &out,
				  &err),
			 2);
	ck_assert_str_eq(err, "kradar: error: /nonexistent/console.log: No such file or directory\n");
	ck_assert_str_eq(out, "");
	free(err);
	err = NULL;
	ck_assert_int_eq(classify((const char *[]){ "/", NULL }, NULL, 0, NULL, &err), 2);
	ck_assert_str_eq(err, "kradar: error: /: Is a directory\n");
	free(err);
	err = NULL;
	ck_assert_int_eq(classify((const char *[]){ NULL }, NULL, 0, NULL, &err), 2);
	ck_assert(kr_str_startswith(err, "kradar classify: no log given"));
}
END_TEST

START_TEST(classify_survives_empty_binary_crlf_and_huge_lines)
{
	_cleanup_free_ char *out = NULL;
	/* empty */
	ck_assert_int_eq(classify((const char *[]){ "-", NULL }, "", 0, &out, NULL), 0);
	ck_assert_str_eq(out, "no crash\n");
	free(out);
	out = NULL;

	/* binary junk with NULs, then a report with NULs and CRLF line ends */
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	unsigned x = 12345;
	for (int i = 0; i < 300000; i++) {
		x = x * 1103515245 + 12345;
		kr_buf_addc(&b, (char)(x >> 16));
	}
	kr_buf_adds(&b, "\n");
	for (const char *p = warning_report; *p; p++) {
		if (*p == '\n')
			kr_buf_addc(&b, '\r');
		kr_buf_addc(&b, *p);
		if (p[0] == ':' && p[1] == '\n')
			kr_buf_add(&b, "\0\0", 2);
	}
	ck_assert_int_eq(classify((const char *[]){ "--json", "-", NULL }, b.data, b.len, &out, NULL), 0);
	ck_assert_ptr_nonnull(strstr(out, "\"title\":\"WARNING in dev_thing\""));
	ck_assert_ptr_nonnull(strstr(out, "\\u0000"));
	free(out);
	out = NULL;

	/* a 10 MB line (no newline for 10 MB) before and inside the report */
	kr_buf_reset(&b);
	for (int i = 0; i < 10 << 20; i++)
		kr_buf_addc(&b, "WARNING: BUG: INFO: "[i % 20]);
	kr_buf_addc(&b, '\n');
	kr_buf_adds(&b, warning_report);
	for (int i = 0; i < 10 << 20; i++)
		kr_buf_addc(&b, 'x');
	ck_assert_int_eq(classify((const char *[]){ "--json", "-", NULL }, b.data, b.len, &out, NULL), 0);
	/* the long line is a (corrupted) report of its own; then ours */
	ck_assert_ptr_nonnull(strstr(out, "\"title\":\"WARNING in dev_thing\""));
	ck_assert_uint_lt(strlen(out), 2 << 20);
	kr_buf_free(&b);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signature");
	TCase *tc = tcase_create("signature");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, every_fixture_gets_its_titles);
	tcase_add_test(tc, kernel_format_reports_get_their_titles);
	tcase_add_test(tc, lkdtm_crashes_get_their_titles);
	tcase_add_test(tc, families_by_source_file);
	tcase_add_test(tc, chunk_size_does_not_matter);
	tcase_add_test(tc, report_offsets_and_text);
	tcase_add_test(tc, hit_comes_with_the_header_and_crashes_when_complete);
	tcase_add_test(tc, several_reports_in_log_order);
	tcase_add_test(tc, hard_lockup_is_a_stall);
	tcase_add_test(tc, stall_named_by_its_entry_point);
	tcase_add_test(tc, stall_without_interrupt_is_corrupted);
	tcase_add_test(tc, hung_task_named_past_its_waits);
	tcase_add_test(tc, kasan_access_and_culprit);
	tcase_add_test(tc, syscall_wrappers_are_renamed);
	tcase_add_test(tc, mangled_names_are_demangled);
	tcase_add_test(tc, cplusplus_names_are_demangled);
	tcase_add_test(tc, deadlock_named_by_acquire_site);
	tcase_add_test(tc, truncated_report_is_corrupted);
	tcase_add_test(tc, headers_inside_reports);
	tcase_add_test(tc, init_crash_is_suppressed);
	tcase_add_test(tc, reboot_only_after_output);
	tcase_add_test(tc, go_runtime_error_needs_its_stack);
	tcase_add_test(tc, clean_log_has_no_crash);
	tcase_add_test(tc, starvation_evidence_with_values);
	tcase_add_test(tc, starvation_across_two_lines);
	tcase_add_loop_test(tc, titles_are_normalised, 0, (int)KR_ARRAY_SIZE(titles));
	tcase_add_test(tc, titles_are_capped);
	tcase_add_test(tc, classify_summary_and_json);
	tcase_add_test(tc, classify_shows_alt_titles_and_starvation);
	tcase_add_test(tc, classify_explains_frame_choice);
	tcase_add_test(tc, classify_explains_a_cut_report);
	tcase_add_test(tc, classify_explains_a_report_with_another_dumps_trace);
	tcase_add_test(tc, classify_bad_input_is_one_line_and_exit_2);
	tcase_add_test(tc, classify_survives_empty_binary_crlf_and_huge_lines);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
