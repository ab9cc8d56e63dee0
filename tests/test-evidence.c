/* SPDX-License-Identifier: MIT */
/* A run's starvation evidence (evidence.h): the scanner's lines and the
 * console timing together, on made-up timings and on real runs
 * (tests/data/crash-logs/run-*.log with the console.times kradar wrote). */
#include <dirent.h>
#include <math.h>
#include <string.h>

#include "evidence.h"
#include "kr-test.h"

/* The console's lines with their timing: line i of text arrived at
 * host[i]. */
static struct kr_line_time *timed(const char *text, const double *host, size_t *n)
{
	struct kr_line_time *lines = kr_calloc(64, sizeof(*lines));
	*n = 0;
	for (const char *l = text; *l; (*n)++) {
		const char *nl = strchr(l, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_uint_lt(*n, 64);
		lines[*n] = kr_guest_line_time(l, (size_t)(nl - l), (size_t)(l - text), host[*n]);
		l = nl + 1;
	}
	return lines;
}

static struct kr_scanner *scan(const char *text)
{
	struct kr_scanner *s = kr_scanner_new();
	ck_assert_int_eq(kr_scanner_feed(s, text, strlen(text)), 0);
	ck_assert_int_eq(kr_scanner_finish(s), 0);
	return s;
}

/* Real lines of Debian 6.1: RCU's kthread waits for its timer on CPU 1,
 * which the stall report asks for a backtrace. */
static const char stall[] =
	"KRADAR-START x\n"
	"[    5.728314] rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:\n"
	"[    5.728728] rcu: \t1-...!: (0 ticks this GP) idle=ee0c/1/0x4000000000000000 "
	"softirq=136/136 fqs=0\n"
	"[    5.728997] \t(detected by 0, t=763 jiffies, g=-911, q=14 ncpus=2)\n"
	"[    5.729254] Sending NMI from CPU 0 to CPUs 1:\n"
	"[    5.588338] NMI backtrace for cpu 1\n"
	"[    5.732204] rcu: rcu_preempt kthread timer wakeup didn't happen for 762 jiffies! "
	"g-911 f0x0 RCU_GP_WAIT_FQS(5) ->state=0x402\n"
	"[    5.732204] rcu: rcu_preempt kthread starved for 763 jiffies! g-911 f0x0 "
	"RCU_GP_WAIT_FQS(5) ->state=0x402 ->cpu=1\n"
	"[    5.732204] hrtimer: interrupt took 4108213 ns\n";

START_TEST(a_running_kthread_cpu_is_no_evidence)
{
	_cleanup_(kr_scanner_freep) struct kr_scanner *s = scan(stall);
	ck_assert_uint_eq(kr_scanner_n_starvation(s), 4);
	size_t from = strlen("KRADAR-START x\n"), n;

	/* CPU 1 answered the NMI in 12 ms: it was running, with interrupts
	 * off; the kernel's RCU kthread lines are about the guest. */
	const double prompt[] = { 9.1, 9.143, 9.143, 9.143, 9.143, 9.155, 9.163, 9.163, 9.163 };
	_cleanup_free_ struct kr_line_time *a = timed(stall, prompt, &n);
	char **ev = kr_run_evidence(s, a, n, from, 9.5);
	ck_assert_uint_eq(kr_strv_len(ev), 1);
	KR_ASSERT_HAS(ev[0], "hrtimer: interrupt took");
	kr_strv_free(ev);

	/* CPU 1 answered after 4 s: its vCPU was not running. */
	const double late[] = { 9.1, 9.143, 9.143, 9.143, 9.143, 13.2, 13.2, 13.2, 13.2 };
	_cleanup_free_ struct kr_line_time *b = timed(stall, late, &n);
	ev = kr_run_evidence(s, b, n, from, 13.5);
	ck_assert_uint_eq(kr_strv_len(ev), 6);
	KR_ASSERT_HAS(ev[0], "fqs=0 / ");
	KR_ASSERT_HAS(ev[1], "timer wakeup didn't happen");
	KR_ASSERT_HAS(ev[2], "kthread starved for 763 jiffies");
	KR_ASSERT_HAS(ev[3], "hrtimer: interrupt took");
	KR_ASSERT_HAS(ev[4], "guest clock lagged the host by 4.1 s");
	KR_ASSERT_HAS(ev[5], "NMI backtrace request unanswered for 4.1 s");
	kr_strv_free(ev);

	/* A late answer then a prompt one (the vCPU ran again by the second
	 * request): it was not running for the first. */
	static const char twice[] =
		"KRADAR-START x\n"
		"[    5.729254] Sending NMI from CPU 0 to CPUs 1:\n"
		"[    5.588338] NMI backtrace for cpu 1\n"
		"[    5.732204] rcu: rcu_preempt kthread starved for 763 jiffies! g-911 f0x0 "
		"RCU_GP_WAIT_FQS(5) ->state=0x402 ->cpu=1\n"
		"[    5.732204] Sending NMI from CPU 0 to CPUs 1:\n"
		"[    9.741000] NMI backtrace for cpu 1\n";
	_cleanup_(kr_scanner_freep) struct kr_scanner *s2 = scan(twice);
	const double waits[] = { 9.1, 9.143, 12.0, 12.0, 12.0, 12.01 };
	_cleanup_free_ struct kr_line_time *c = timed(twice, waits, &n);
	ev = kr_run_evidence(s2, c, n, from, 12.1);
	ck_assert_uint_eq(kr_strv_len(ev), 3);
	KR_ASSERT_HAS(ev[0], "kthread starved for 763 jiffies");
	KR_ASSERT_HAS(ev[1], "guest clock lagged the host by 2.9 s"); /* CPU 0 waited too */
	KR_ASSERT_HAS(ev[2], "NMI backtrace request unanswered for 2.9 s");
	kr_strv_free(ev);

	/* Nothing before the start counts. */
	ev = kr_run_evidence(s, b, n, strlen(stall), 13.5);
	ck_assert_uint_eq(kr_strv_len(ev), 0);
	kr_strv_free(ev);
}
END_TEST

/* The words after "KEY:" in the expect file, or NULL without that line. */
static char **expect_words(const char *path, const char *key)
{
	_cleanup_free_ char *text = NULL;
	ck_assert_int_eq(kr_read_file(path, 1 << 20, &text, NULL), 0);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (!kr_str_startswith(line, key))
			continue;
		char **words = kr_calloc(1, sizeof(char *));
		char *save;
		for (char *w = strtok_r(line + strlen(key), " \r", &save); w;
		     w = strtok_r(NULL, " \r", &save))
			kr_strv_push(&words, kr_strdup(w));
		return words;
	}
	return NULL;
}

static bool has_word(char **words, const char *w)
{
	for (size_t i = 0; words && words[i]; i++)
		if (!strcmp(words[i], w))
			return true;
	return false;
}

/* Real runs: tests/data/crash-logs/NAME.log with NAME.times. The timing
 * kinds (clock-lag, nmi-unanswered) its STARVATION line lists are the ones
 * the timing shows, and no others; EVIDENCE (Y or N) says whether kradar
 * has any evidence for the run, which makes an unexpected stall in it an
 * artifact-stall. The console's end is taken as its last line's arrival. */
START_TEST(real_runs)
{
	_cleanup_free_ char *dir = kr_path_join(kr_test_data(), "crash-logs");
	DIR *d = opendir(dir);
	ck_assert_ptr_nonnull(d);
	struct dirent *de;
	size_t runs = 0;
	while ((de = readdir(d))) {
		if (!kr_str_endswith(de->d_name, ".times"))
			continue;
		_cleanup_free_ char *name = kr_strndup(de->d_name, strlen(de->d_name) - 6);
		_cleanup_free_ char *log_path = kr_asprintf("%s/%s.log", dir, name);
		_cleanup_free_ char *times_path = kr_asprintf("%s/%s.times", dir, name);
		_cleanup_free_ char *expect_path = kr_asprintf("%s/%s.expect", dir, name);
		_cleanup_free_ char *log = NULL, *times = NULL;
		size_t len = 0;
		ck_assert_int_eq(kr_read_file(log_path, 64u << 20, &log, &len), 0);
		ck_assert_int_eq(kr_read_file(times_path, 64u << 20, &times, NULL), 0);
		const char *marker = memmem(log, len, "KRADAR-START ", 13);
		ck_assert_msg(marker, "%s: no start marker", log_path);
		const char *marker_end = memchr(marker, '\n', len - (size_t)(marker - log));
		ck_assert_ptr_nonnull(marker_end);
		size_t from = (size_t)(marker_end - log) + 1;
		size_t n = 0, cap = 1024;
		struct kr_line_time *lines = kr_calloc(cap, sizeof(*lines));
		for (char *l = strtok(times, "\n"); l; l = strtok(NULL, "\n")) {
			char *end;
			size_t off = strtoull(l, &end, 10);
			double host = strtod(end, NULL);
			ck_assert_uint_lt(off, len);
			const char *nl = memchr(log + off, '\n', len - off);
			size_t ll = nl ? (size_t)(nl - log) - off : len - off;
			while (ll && log[off + ll - 1] == '\r')
				ll--;
			if (n == cap)
				lines = kr_realloc(lines, (cap *= 2) * sizeof(*lines));
			lines[n++] = kr_guest_line_time(log + off, ll, off, host);
		}
		ck_assert_uint_gt(n, 0);
		double end_s = lines[n - 1].host_s;

		_cleanup_strv_free_ char **starv = expect_words(expect_path, "STARVATION:");
		_cleanup_strv_free_ char **evid = expect_words(expect_path, "EVIDENCE:");
		ck_assert_msg(evid && evid[0], "%s: no EVIDENCE line", expect_path);
		char **timing = kr_guest_timing_evidence(lines, n, from, end_s);
		size_t lag = kr_test_count_prefixed(timing, "guest clock lagged");
		size_t nmi = kr_test_count_prefixed(timing, "NMI backtrace request unanswered");
		struct kr_buf all = KR_BUF_INIT(1 << 20);
		for (size_t i = 0; timing[i]; i++)
			kr_buf_printf(&all, "%s\n", timing[i]);
		ck_assert_msg((lag > 0) == has_word(starv, "clock-lag") &&
				      (nmi > 0) == has_word(starv, "nmi-unanswered") &&
				      lag + nmi == kr_strv_len(timing),
			      "%s: timing evidence:\n%s", name, all.data ? all.data : "none");
		kr_buf_free(&all);
		kr_strv_free(timing);

		_cleanup_(kr_scanner_freep) struct kr_scanner *s = kr_scanner_new();
		ck_assert_int_eq(kr_scanner_feed(s, log, len), 0);
		ck_assert_int_eq(kr_scanner_finish(s), 0);
		char **ev = kr_run_evidence(s, lines, n, from, end_s);
		ck_assert_msg((kr_strv_len(ev) > 0) == !strcmp(evid[0], "Y"),
			      "%s: %zu lines of evidence, EVIDENCE: %s", name, kr_strv_len(ev),
			      evid[0]);
		kr_strv_free(ev);
		free(lines);
		runs++;
	}
	closedir(d);
	ck_assert_uint_ge(runs, 1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("evidence");
	TCase *tc = tcase_create("evidence");
	tcase_add_test(tc, a_running_kthread_cpu_is_no_evidence);
	tcase_add_test(tc, real_runs);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
