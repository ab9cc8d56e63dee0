/* SPDX-License-Identifier: MIT */
/* The supervisor's event loop, against a stand-in for QEMU: a shell script
 * that prints what a guest would print. Real guests are in the qemu suite. */
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>

#include "guest.h"
#include "kr-test.h"

#define TOKEN "0123abcd"

struct detector {
	struct kr_buf seen;
};

static int feed(void *ud, const char *data, size_t len)
{
	struct detector *d = ud;
	return kr_buf_add(&d->seen, data, len);
}

/* A crash is "BUG:" anywhere in what was fed. */
static bool hit(void *ud)
{
	struct detector *d = ud;
	return d->seen.data && strstr(d->seen.data, "BUG:");
}

struct run {
	struct kr_guest_result res;
	char *console;
	char *times;
	struct detector det;
};

static void guest(const char *script, struct kr_guest_config *c, struct run *out)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *console = kr_path_join(dir, "console.log");
	_cleanup_free_ char *times = kr_path_join(dir, "console.times");
	_cleanup_free_ char *err = kr_path_join(dir, "qemu.stderr");
	char *argv[] = { "sh", "-c", (char *)script, NULL };
	memset(out, 0, sizeof(*out));
	out->det.seen = KR_BUF_INIT(1 << 20);
	if (!c->argv)
		c->argv = argv;
	c->console_path = console;
	c->times_path = times;
	c->stderr_path = err;
	if (!c->token)
		c->token = TOKEN;
	if (!c->boot_timeout)
		c->boot_timeout = 30;
	if (!c->run_timeout)
		c->run_timeout = 30;
	if (!c->no_output_timeout)
		c->no_output_timeout = 30;
	c->feed = feed;
	c->hit = hit;
	c->userdata = &out->det;
	if (!c->interrupt_fd)
		c->interrupt_fd = -1;
	ck_assert_int_eq(kr_guest_run(c, &out->res), 0);
	kr_read_file(console, 1 << 20, &out->console, NULL);
	kr_read_file(times, 1 << 20, &out->times, NULL);
}

static void run_clear(struct run *r)
{
	kr_guest_result_clear(&r->res);
	free(r->console);
	free(r->times);
	kr_buf_free(&r->det.seen);
	kr_test_tmpdir_cleanup();
}

START_TEST(markers_and_end)
{
	struct kr_guest_config c = { 0 };
	struct run r;
	guest("echo 'Linux version 6.1'; echo 'KRADAR-START " TOKEN "'; "
	      "printf '[    1.500000] hello\\r\\n'; echo 'KRADAR-END " TOKEN " rc=3'; sleep 1000",
	      &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_MARKER);
	ck_assert(r.res.started);
	ck_assert(r.res.any_output);
	ck_assert_int_eq(r.res.repro_status, 3);
	ck_assert(!r.res.hit);
	ck_assert(!r.res.qemu_exited); /* stopped by the supervisor */
	ck_assert_int_eq(r.res.qemu_status, 128 + SIGTERM);
	ck_assert_str_eq(r.console, "Linux version 6.1\nKRADAR-START " TOKEN
				    "\n[    1.500000] hello\r\nKRADAR-END " TOKEN " rc=3\n");
	ck_assert_uint_eq(r.res.start_offset, strlen("Linux version 6.1\nKRADAR-START " TOKEN "\n"));
	ck_assert_uint_eq(r.res.n_lines, 4);
	ck_assert_double_eq_tol(r.res.lines[2].guest_s, 1.5, 1e-9);
	ck_assert(isnan(r.res.lines[0].guest_s));
	ck_assert_uint_eq(r.res.lines[1].offset, 18);
	/* the sidecar: one "OFFSET SECONDS" line per console line */
	size_t off;
	double t;
	ck_assert_int_eq(sscanf(r.times, "%zu %lf", &off, &t), 2);
	ck_assert_uint_eq(off, 0);
	ck_assert(t >= 0 && t < 30);
	ck_assert_ptr_nonnull(strstr(r.times, "\n18 "));
	run_clear(&r);
}
END_TEST

static void record_phase(void *userdata, enum kr_guest_phase phase)
{
	struct kr_buf *b = userdata;
	static const char *const names[] = { "run", "settle", "grace", "stopping" };
	kr_buf_printf(b, "%s ", names[phase]);
}

/* The phases a progress display is told about, in order. */
START_TEST(phases)
{
	struct kr_buf seen = KR_BUF_INIT(1024);
	struct kr_guest_config c = { .grace = 0.2, .phase = record_phase, .phase_userdata = &seen };
	struct run r;
	guest("echo 'KRADAR-START " TOKEN "'; echo 'BUG: x'; sleep 1000", &c, &r);
	ck_assert(r.res.hit);
	ck_assert_str_eq(seen.data, "run grace stopping ");
	run_clear(&r);
	kr_buf_reset(&seen);
	struct kr_guest_config c2 = { .boot_timeout = 0.3, .phase = record_phase,
				      .phase_userdata = &seen };
	guest("sleep 1000", &c2, &r);
	ck_assert_str_eq(seen.data, "stopping ");
	run_clear(&r);
	kr_buf_free(&seen);
}
END_TEST

/* After the end marker (or the run timeout) the run goes on for the settle
 * period: a crash then still counts, silence does not. */
START_TEST(settle_after_the_reproducer)
{
	struct kr_buf seen = KR_BUF_INIT(1024);
	struct kr_guest_config c = { .settle = 0.5, .phase = record_phase, .phase_userdata = &seen };
	struct run r;
	guest("echo 'KRADAR-START " TOKEN "'; echo 'KRADAR-END " TOKEN " rc=0'; sleep 1000", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_MARKER);
	ck_assert_int_eq(r.res.repro_status, 0);
	ck_assert(r.res.settle_s >= 0.5 && r.res.settle_s < 30);
	ck_assert(!r.res.qemu_exited);
	ck_assert_str_eq(seen.data, "run settle stopping ");
	run_clear(&r);

	/* a bug that fires 0.6 s after the reproducer, the console silent
	 * longer than no_output meanwhile */
	c = (struct kr_guest_config){ .settle = 30, .no_output_timeout = 0.3, .grace = 0.1 };
	guest("echo 'KRADAR-START " TOKEN "'; echo 'KRADAR-END " TOKEN " rc=0'; sleep 0.6; "
	      "echo 'BUG: late'; sleep 1000",
	      &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_HIT);
	ck_assert(r.res.hit);
	ck_assert(r.res.settle_s >= 0.5 && r.res.settle_s < 30);
	ck_assert_int_eq(r.res.repro_status, 0);
	run_clear(&r);

	/* settle 0: the run ends at the end marker, as it always did */
	c = (struct kr_guest_config){ 0 };
	guest("echo 'KRADAR-START " TOKEN "'; echo 'KRADAR-END " TOKEN " rc=0'; sleep 0.3; "
	      "echo 'BUG: late'; sleep 1000",
	      &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_MARKER);
	ck_assert(!r.res.hit);
	ck_assert(r.res.settle_s < 0);
	run_clear(&r);

	/* a looping reproducer: the run timeout, then the settle period */
	c = (struct kr_guest_config){ .run_timeout = 0.3, .settle = 0.4 };
	guest("echo 'KRADAR-START " TOKEN "'; while :; do echo loop; sleep 0.05; done", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_RUN_TIMEOUT);
	ck_assert_ptr_nonnull(strstr(r.res.message, "run timeout"));
	ck_assert(r.res.settle_s >= 0.4 && r.res.settle_s < 30);
	run_clear(&r);

	/* QEMU exits while settling (the guest powered off): the run ends so */
	c = (struct kr_guest_config){ .settle = 30 };
	guest("echo 'KRADAR-START " TOKEN "'; echo 'KRADAR-END " TOKEN " rc=2'; exit 0", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_MARKER);
	ck_assert(r.res.qemu_exited);
	ck_assert_int_eq(r.res.repro_status, 2);
	ck_assert(r.res.settle_s >= 0 && r.res.settle_s < 30);
	run_clear(&r);
	kr_buf_free(&seen);
}
END_TEST

START_TEST(boot_timeouts)
{
	struct kr_guest_config c = { .boot_timeout = 0.3 };
	struct run r;
	guest("sleep 1000", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_BOOT_TIMEOUT);
	ck_assert(!r.res.any_output);
	ck_assert_ptr_nonnull(strstr(r.res.message, "no output from the kernel"));
	ck_assert(r.res.duration_s < 20);
	run_clear(&r);

	c = (struct kr_guest_config){ .boot_timeout = 0.3 };
	guest("echo 'Linux version'; sleep 1000", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_BOOT_TIMEOUT);
	ck_assert(r.res.any_output);
	ck_assert_ptr_nonnull(strstr(r.res.message, "did not start the reproducer"));
	run_clear(&r);
}
END_TEST

START_TEST(run_and_silence_timeouts)
{
	struct kr_guest_config c = { .run_timeout = 0.3 };
	struct run r;
	guest("echo 'KRADAR-START " TOKEN "'; while :; do echo tick; sleep 0.05; done", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_RUN_TIMEOUT);
	ck_assert(r.res.started);
	run_clear(&r);

	c = (struct kr_guest_config){ .no_output_timeout = 0.3 };
	guest("echo 'KRADAR-START " TOKEN "'; sleep 1000", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_NO_OUTPUT);
	ck_assert_ptr_nonnull(strstr(r.res.message, "no console output"));
	run_clear(&r);
}
END_TEST

START_TEST(hit_keeps_reading_for_the_grace_period)
{
	struct kr_guest_config c = { .grace = 1.0 };
	struct run r;
	guest("echo 'KRADAR-START " TOKEN "'; echo 'BUG: something'; sleep 0.3; "
	      "echo 'rest of the report'; sleep 1000",
	      &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_HIT);
	ck_assert(r.res.hit);
	ck_assert_ptr_nonnull(strstr(r.console, "rest of the report"));
	ck_assert(r.res.duration_s >= 1.0);
	ck_assert_uint_ge(r.res.hit_offset, r.res.start_offset);
	run_clear(&r);

	/* QEMU ending (a panic with -no-reboot) ends the grace period early */
	c = (struct kr_guest_config){ .grace = 100 };
	guest("echo 'KRADAR-START " TOKEN "'; echo 'BUG: x'; echo 'Kernel panic'", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_HIT);
	ck_assert(r.res.qemu_exited);
	ck_assert_int_eq(r.res.qemu_status, 0);
	ck_assert_ptr_nonnull(strstr(r.console, "Kernel panic"));
	ck_assert(r.res.duration_s < 50);
	run_clear(&r);
}
END_TEST

START_TEST(watch_pattern_is_a_hit)
{
	char *watch[] = { "^refcount_t: .*underflow", NULL };
	struct kr_guest_config c = { .watch = watch };
	struct run r;
	guest("echo 'KRADAR-START " TOKEN "'; echo '[    2.000000] refcount_t: saturated; underflow'; "
	      "sleep 1000",
	      &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_HIT);
	ck_assert_str_eq(r.res.watch_line, "[    2.000000] refcount_t: saturated; underflow");
	run_clear(&r);

	/* a boot line that matches is not the reproducer's doing */
	c = (struct kr_guest_config){ .watch = watch };
	guest("echo 'refcount_t: saturated; underflow'; echo 'KRADAR-START " TOKEN "'; "
	      "echo 'KRADAR-END " TOKEN " rc=0'; sleep 1000",
	      &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_MARKER);
	ck_assert_ptr_null(r.res.watch_line);
	run_clear(&r);

	char *bad[] = { "(", NULL };
	c = (struct kr_guest_config){ .watch = bad };
	struct kr_guest_result res;
	ck_assert_int_eq(kr_guest_run(&c, &res), -EINVAL);
	ck_assert_ptr_nonnull(strstr(res.message, "watch[0]"));
	kr_guest_result_clear(&res);
}
END_TEST

START_TEST(exits_and_errors)
{
	struct kr_guest_config c = { 0 };
	struct run r;
	guest("echo 'KRADAR-START " TOKEN "'; echo half; exit 1", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_EXITED);
	ck_assert(r.res.qemu_exited);
	ck_assert_int_eq(r.res.qemu_status, 1);
	ck_assert_ptr_nonnull(strstr(r.res.message, "QEMU exited (status 1)"));
	run_clear(&r);

	char *missing[] = { "/nonexistent/qemu-system-x86_64", NULL };
	c = (struct kr_guest_config){ .argv = missing };
	guest(NULL, &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_ERROR);
	ck_assert_ptr_nonnull(strstr(r.res.message, "No such file"));
	run_clear(&r);
}
END_TEST

START_TEST(interrupt_stops_a_stubborn_guest)
{
	/* The interrupt comes once the guest runs (a timerfd stands in for
	 * kradar's signalfd: readable, but no siginfo, which means SIGINT). */
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ck_assert_int_ge(tfd, 0);
	struct itimerspec its = { .it_value = { .tv_sec = 1 } };
	ck_assert_int_eq(timerfd_settime(tfd, 0, &its, NULL), 0);
	struct kr_guest_config c = { .interrupt_fd = tfd };
	struct run r;
	/* ignores SIGTERM: the supervisor must escalate to SIGKILL */
	guest("trap '' TERM; echo 'KRADAR-START " TOKEN "'; while :; do sleep 1; done", &c, &r);
	ck_assert_int_eq(r.res.end, KR_GUEST_END_INTERRUPTED);
	ck_assert_int_eq(r.res.signal, SIGINT);
	ck_assert_int_eq(r.res.qemu_status, 128 + SIGKILL);
	close(tfd);
	run_clear(&r);
}
END_TEST

/* A line of synthetic timing: offset, host and printk seconds, flags. */
#define LT(off, host, guest, flags) \
	(struct kr_line_time) { (off), (host), (guest), (flags), -1 }
#define NMI_FROM(off, host, guest, cpu) \
	(struct kr_line_time) { (off), (host), (guest), KR_LINE_NMI_BACKTRACE, (cpu) }

START_TEST(timing_evidence)
{
	ck_assert_double_eq_tol(kr_guest_printk_time("[   12.345678] x", 16), 12.345678, 1e-9);
	ck_assert(isnan(kr_guest_printk_time("[ T12] x", 8)));
	ck_assert(isnan(kr_guest_printk_time("12.5] x", 7)));
	const char *req = "[   10.5] Sending NMI from CPU 0 to CPUs 1:";
	struct kr_line_time t = kr_guest_line_time(req, strlen(req), 7, 3.0);
	ck_assert_uint_eq(t.offset, 7);
	ck_assert_uint_eq(t.flags, KR_LINE_NMI_REQUEST);
	ck_assert_double_eq_tol(t.guest_s, 10.5, 1e-9);
	ck_assert_int_eq(t.cpu, -1);
	t = kr_guest_line_time("[   10.5] NMI backtrace for cpu 13", 34, 0, 0);
	ck_assert_uint_eq(t.flags, KR_LINE_NMI_BACKTRACE);
	ck_assert_int_eq(t.cpu, 13);
	t = kr_guest_line_time("NMI backtrace for cpu 1 skipped: idling", 39, 0, 0);
	ck_assert_uint_eq(t.flags, KR_LINE_NMI_BACKTRACE);
	ck_assert_int_eq(t.cpu, 1);
	ck_assert_uint_eq(kr_guest_line_time("[ 1.0] rcu: Sending NMI", 23, 0, 0).flags, 0);

	/* A long silence the guest's clock saw too is no evidence, nor are
	 * lines without a printk time. */
	struct kr_line_time quiet[] = {
		LT(0, 1.0, 1.0, 0), LT(10, 31.0, 31.0, 0), LT(20, 32.0, NAN, 0),
		LT(30, 40.0, 40.02, 0),
	};
	char **ev = kr_guest_timing_evidence(quiet, 4, 5, 40.0);
	ck_assert_uint_eq(kr_strv_len(ev), 0);
	kr_strv_free(ev);

	/* A CPU whose clock stood still for 12 s (the whole VM was stopped):
	 * told once for its burst of stale lines; the same before the run
	 * (offset 10) is boot, not evidence. */
	struct kr_line_time stopped[] = {
		LT(0, 3.0, 1.0, 0),    LT(10, 20.0, 2.0, 0),  LT(20, 21.0, 19.0, 0), /* start: 20 */
		LT(30, 26.0, 24.0, 0), LT(40, 38.5, 24.4, 0), LT(50, 38.5, 24.4, 0),
		LT(60, 38.6, 36.6, 0), LT(70, 38.7, 24.41, 0),
	};
	ev = kr_guest_timing_evidence(stopped, 8, 20, 40.0);
	ck_assert_uint_eq(kr_strv_len(ev), 1);
	KR_ASSERT_HAS(ev[0], "guest clock lagged the host by 12.1 s");
	KR_ASSERT_HAS(ev[0], "[24.400000] (console offset 40)");
	kr_strv_free(ev);
	ev = kr_guest_timing_evidence(stopped, 8, 80, 40.0); /* all before the run */
	ck_assert_uint_eq(kr_strv_len(ev), 0);
	kr_strv_free(ev);

	/* A CPU with interrupts off answers an NMI at once, with the printk time
	 * of its last tick (5 s old): no evidence. */
	struct kr_line_time irqoff[] = {
		LT(0, 5.0, 2.0, 0),
		LT(10, 10.0, 7.0, 0),
		LT(20, 10.01, 7.01, KR_LINE_NMI_REQUEST),
		NMI_FROM(30, 10.02, 2.03, 1),
		LT(40, 10.03, 2.03, 0),
		LT(50, 10.04, 2.03, 0),
		LT(60, 15.0, 12.0, 0),
	};
	ev = kr_guest_timing_evidence(irqoff, 7, 0, 20.0);
	ck_assert_uint_eq(kr_strv_len(ev), 0);
	kr_strv_free(ev);
	ck_assert_double_eq_tol(kr_guest_nmi_answer_s(irqoff, 7, 0, 1), 0.01, 1e-9);
	ck_assert_double_eq(kr_guest_nmi_answer_s(irqoff, 7, 0, 0), -1);
	ck_assert_double_eq(kr_guest_nmi_answer_s(irqoff, 7, 40, 1), -1); /* before the run */

	/* NMI requests: answered late, never answered before the next request,
	 * never answered before the end; one before the run does not count. */
	struct kr_line_time nmi[] = {
		LT(0, 1.0, 1.0, KR_LINE_NMI_REQUEST),     LT(5, 4.0, 4.0, 0),
		LT(10, 5.0, 5.0, KR_LINE_NMI_REQUEST),    LT(20, 5.1, 5.1, 0), /* start: 10 */
		NMI_FROM(30, 8.2, 8.2, 1),                LT(40, 9.0, 9.0, KR_LINE_NMI_REQUEST),
		NMI_FROM(50, 9.1, 9.1, 1),                LT(60, 10.0, 10.0, KR_LINE_NMI_REQUEST),
		LT(70, 10.1, 10.1, 0),                    LT(80, 13.0, 13.0, KR_LINE_NMI_REQUEST),
		LT(90, 14.0, 14.0, 0),
	};
	ev = kr_guest_timing_evidence(nmi, 11, 10, 16.5);
	ck_assert_uint_eq(kr_test_count_prefixed(ev, "NMI backtrace request unanswered"), 3);
	ck_assert_uint_eq(kr_strv_len(ev), 3);
	KR_ASSERT_HAS(ev[0], "unanswered for 3.2 s (console offset 10):");
	KR_ASSERT_HAS(ev[1], "unanswered for 3.0 s (console offset 60), never answered:");
	KR_ASSERT_HAS(ev[2], "unanswered for 3.5 s (console offset 80), never answered before the "
			     "end");
	kr_strv_free(ev);
	/* CPU 1 answered after 3.2 s and after 0.1 s: the longest wait */
	ck_assert_double_eq_tol(kr_guest_nmi_answer_s(nmi, 11, 10, 1), 3.2, 1e-9);
}
END_TEST

/* A console log that cannot be written (/dev/full: ENOSPC) ends the run as
 * an error naming the file, and so does a times file that cannot. */
START_TEST(full_disk_ends_the_run)
{
	const char *dir = kr_test_tmpdir();
	_cleanup_free_ char *times = kr_path_join(dir, "console.times");
	char *argv[] = { "sh", "-c", "echo 'KRADAR-START " TOKEN "'; echo more; sleep 300", NULL };
	struct kr_guest_config c = {
		.argv = argv, .console_path = "/dev/full", .times_path = times, .token = TOKEN,
		.boot_timeout = 600, .run_timeout = 600, .no_output_timeout = 600, .interrupt_fd = -1,
	};
	struct kr_guest_result res;
	/* (a guest not stopped at the failed write would outlive the test's timeout) */
	ck_assert_int_eq(kr_guest_run(&c, &res), 0);
	ck_assert_int_eq(res.end, KR_GUEST_END_ERROR);
	ck_assert_ptr_nonnull(res.write_error);
	KR_ASSERT_HAS(res.write_error, "cannot write /dev/full: No space left on device");
	KR_ASSERT_HAS(res.message, "/dev/full");
	kr_guest_result_clear(&res);

	_cleanup_free_ char *console = kr_path_join(dir, "console.log");
	c.console_path = console;
	c.times_path = "/dev/full";
	argv[2] = "echo 'KRADAR-START " TOKEN "'; echo more";
	ck_assert_int_eq(kr_guest_run(&c, &res), 0);
	ck_assert_int_eq(res.end, KR_GUEST_END_ERROR);
	ck_assert_ptr_nonnull(res.write_error);
	KR_ASSERT_HAS(res.write_error, "cannot write /dev/full:");
	kr_guest_result_clear(&res);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guest");
	TCase *tc = tcase_create("guest");
	tcase_add_test(tc, markers_and_end);
	tcase_add_test(tc, phases);
	tcase_add_test(tc, settle_after_the_reproducer);
	tcase_add_test(tc, boot_timeouts);
	tcase_add_test(tc, run_and_silence_timeouts);
	tcase_add_test(tc, hit_keeps_reading_for_the_grace_period);
	tcase_add_test(tc, watch_pattern_is_a_hit);
	tcase_add_test(tc, exits_and_errors);
	tcase_add_test(tc, interrupt_stops_a_stubborn_guest);
	tcase_add_test(tc, timing_evidence);
	tcase_add_test(tc, full_disk_ends_the_run);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
