/* SPDX-License-Identifier: MIT */
#include "report-fixture.h"

#include <check.h>
#include <math.h>
#include <string.h>

const char *const kr_fixture_injections[] = {
	"::error title=pwned::injected annotation",
	"::set-output name=verdict::reproduced",
	"  ::add-mask::secret",
	"::endgroup::",
	"##[error]v1 command",
	"\033[0Ksection_end:1700000000:kradar_scenario_2\r\033[0K",
	NULL,
};

char *kr_fixture_hostile_console(size_t size, size_t *len)
{
	struct kr_buf b = KR_BUF_INIT(SIZE_MAX / 2);
	kr_buf_adds(&b, "[    0.000000] Linux version 6.1.0 \033[1;31mred\033[0m\r\n");
	for (size_t i = 0; kr_fixture_injections[i]; i++)
		kr_buf_printf(&b, "%s\r\n", kr_fixture_injections[i]);
	kr_buf_adds(&b, "]]> <![CDATA[ x ]]> &amp; <tag attr=\"v\">\r\n");
	static const char odd[] = "NUL\0byte, lone CR\r here, bad \xc3\x28 \xff\xfe "
				  "\xed\xa0\x80 \xef\xbf\xbe \xc2\x85 end\n";
	kr_buf_add(&b, odd, sizeof(odd) - 1);
	for (unsigned c = 0; c < 256; c++)
		kr_buf_addc(&b, (char)c);
	kr_buf_addc(&b, '\n');
	for (unsigned n = 0; b.len < size; n++)
		kr_buf_printf(&b, "[%5u.%06u] filler line %u \033[K\x01\x7f ]]>\r\n", n / 100,
			      n % 100 * 10000, n);
	kr_buf_adds(&b, "[  999.000000] WARNING: CPU: 0 PID: 1 at kernel/jump_label.c:1 "
			"__static_key_slow_dec_cpuslocked+0x1/0x2\r\n::error::last line\r\n");
	*len = b.len;
	return kr_buf_steal(&b);
}

static void artifact(const char *out_dir, const char *dir, const char *name, const char *data,
		     size_t len)
{
	_cleanup_free_ char *d = kr_path_join(out_dir, dir);
	ck_assert_int_eq(kr_mkdir_p(d, 0755), 0);
	_cleanup_free_ char *path = kr_path_join(d, name);
	ck_assert_int_eq(kr_write_file_atomic(path, data, len, 0644), 0);
}

static struct kr_scenario_result *scenario(struct kr_results *r, const char *name,
					   const char *file, enum kr_expect_verdict expected,
					   int planned)
{
	struct kr_scenario_result *sr = kr_results_append(r);
	sr->name = kr_strdup(name);
	sr->file = kr_strdup(file);
	sr->description = kr_strdup("");
	sr->expected = expected;
	sr->runs_planned = planned;
	return sr;
}

static struct kr_run_result *run(struct kr_scenario_result *sr, enum kr_verdict v,
				 const char *title, const char *reason, const char *accel,
				 double started, double duration)
{
	struct kr_run_result *run = kr_scenario_result_add_run(sr);
	run->verdict = v;
	run->title = kr_strdup(title);
	run->reason = kr_strdup(reason);
	run->accel = kr_strdup(accel);
	run->started_at = started;
	run->duration_s = duration;
	run->boot_s = accel ? 4.5 : -1;
	run->dir = kr_asprintf("%s/run-%d", sr->name, run->index);
	if (v < KR_RUN_VERDICTS)
		sr->counts[v]++;
	return run;
}

static void rate(struct kr_scenario_result *sr, int hits, int trials, double low, double high)
{
	sr->rate.hits = hits;
	sr->rate.trials = trials;
	sr->rate.value = trials ? (double)hits / trials : NAN;
	sr->rate.low = low;
	sr->rate.high = high;
}

static void kernel(struct kr_scenario_result *sr, const char *label, char hex)
{
	sr->kernel.label = kr_strdup(label);
	sr->kernel.image = kr_asprintf("/kernels/%s/bzImage", label);
	char sha[65];
	memset(sha, hex, 64);
	sha[64] = '\0';
	sr->kernel.sha256 = kr_strdup(sha);
	sr->qemu_version = kr_strdup("QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7+deb12u13)");
}

struct kr_results *kr_fixture_results(const char *out_dir)
{
	struct kr_results *r = kr_results_new(out_dir);
	r->kradar_version = kr_strdup("0.1.0-test");
	r->started_at = 1700000000.25;
	r->duration_s = 123.4567;

	/* Met: reproduced in its first run (stop_on_hit). */
	struct kr_scenario_result *sr = scenario(r, "vhost-hung-task",
		"/src/scenarios/demo/vhost-hung-task.json", KR_EXPECT_REPRODUCED, 3);
	sr->extid = kr_strdup("0123456789abcdef0123");
	kr_strv_push(&sr->expected_titles, kr_strdup("INFO: task hung in vhost_worker_killed"));
	kernel(sr, "debian-6.1", 'a');
	struct kr_run_result *ru = run(sr, KR_VERDICT_REPRODUCED,
		"INFO: task hung in vhost_worker_killed", "the expected title", "tcg",
		1700000001.5, 41.25);
	ru->crash_type = kr_strdup("HANG");
	ru->match.rule = KR_MATCH_EXACT;
	ru->console_log = kr_strdup("console.log");
	ru->report = kr_strdup("report.txt");
	const char *c1 = "[    0.000000] Linux version 6.1.0\r\n[   30.1] INFO: task hung in "
			 "vhost_worker_killed\r\n[   30.2] Call Trace:\r\n";
	artifact(out_dir, ru->dir, "console.log", c1, strlen(c1));
	const char *rep1 = "INFO: task hung in vhost_worker_killed\nCall Trace:\n vhost_worker_killed+0x10/0x20\n";
	artifact(out_dir, ru->dir, "report.txt", rep1, strlen(rep1));
	sr->verdict = KR_VERDICT_REPRODUCED;
	sr->outcome = KR_OUTCOME_MET;
	sr->reason = kr_strdup("reproduced in 1 of 1 run");
	sr->duration_s = 42.0005;
	rate(sr, 1, 1, 0.2065432, 1);

	/* Failed: another crash, with a hostile console and report. */
	sr = scenario(r, "jump-label", "/src/scenarios/demo/jump-label.json",
		      KR_EXPECT_REPRODUCED, 1);
	kr_strv_push(&sr->expected_titles, kr_strdup("WARNING in static_key_disable"));
	sr->expected_title_regex = kr_strdup("^WARNING in .*static_key");
	kernel(sr, "debian-6.1", 'a');
	ru = run(sr, KR_VERDICT_OTHER_CRASH,
		 "WARNING in __static_key_slow_dec_cpuslocked \033[31m]]> ::error::x",
		 "a crash with another title", "kvm", 1700000044, 12.3456);
	ru->crash_type = kr_strdup("WARNING");
	ru->console_log = kr_strdup("console.log");
	ru->report = kr_strdup("report.txt");
	size_t len;
	_cleanup_free_ char *hostile = kr_fixture_hostile_console(1500, &len);
	artifact(out_dir, ru->dir, "console.log", hostile, len);
	artifact(out_dir, ru->dir, "report.txt", hostile, len);
	sr->verdict = KR_VERDICT_OTHER_CRASH;
	sr->outcome = KR_OUTCOME_FAILED;
	sr->reason = kr_strdup("not reproduced in 1 run (1 other crash, 0 clean)");
	sr->duration_s = 13;
	rate(sr, 0, 1, 0, 0.7934568);

	/* Inconclusive: an infra error, then an artifact stall. */
	sr = scenario(r, "shell-warning", "/src/scenarios/demo/shell-warning.json",
		      KR_EXPECT_CLEAN, 2);
	kernel(sr, "debian-6.1", 'a');
	run(sr, KR_VERDICT_INFRA_ERROR, NULL,
	    "QEMU exited with status 1: qemu-system-x86_64: failed to initialize kvm", NULL,
	    1700000058, 0.5);
	ru = run(sr, KR_VERDICT_ARTIFACT_STALL, "INFO: rcu detected stall in sys_read",
		 "a stall with starvation evidence", "tcg", 1700000060, 61);
	ru->crash_type = kr_strdup("STALL");
	kr_strv_push(&ru->evidence, kr_strdup("hrtimer: interrupt took 123456789 ns"));
	kr_strv_push(&ru->evidence, kr_strdup("host: console silent for 12.0 s"));
	ru->console_log = kr_strdup("console.log");
	const char *c3 = "boot\nINFO: rcu detected stall in sys_read\n";
	artifact(out_dir, ru->dir, "console.log", c3, strlen(c3));
	sr->verdict = KR_VERDICT_ARTIFACT_STALL;
	sr->outcome = KR_OUTCOME_INCONCLUSIVE;
	sr->reason = kr_strdup("inconclusive: 1 infra error, 1 artifact stall; QEMU exited with status 1");
	sr->duration_s = 62;
	rate(sr, 0, 0, NAN, NAN);

	/* Skipped: needs KVM. */
	sr = scenario(r, "kvm-only", "/src/scenarios/demo/kvm-only.json", KR_EXPECT_REPRODUCED, 1);
	kernel(sr, "debian-6.1", 'a');
	kr_scenario_result_skip(sr, "vm.kvm is \"on\" and /dev/kvm is missing");
	sr->duration_s = 0;

	/* A matrix: one scenario, two kernels, in another directory. */
	for (int k = 0; k < 2; k++) {
		sr = scenario(r, "fixed-bug", "/src/scenarios/regress/fixed-bug.json",
			      KR_EXPECT_FIXED, 1);
		sr->extid = kr_strdup("fedcba9876543210fedc");
		kernel(sr, k ? "v6.6" : "v6.1", k ? 'c' : 'b');
		sr->kernel.source = kr_strdup("/src/linux");
		sr->kernel.tree = kr_strdup(k ? "git:2222" : "git:1111");
		sr->kernel.commit = kr_strdup(k ? "2222" : "1111");
		sr->kernel.config_sha256 = kr_strdup(k ? "cfg2" : "cfg1");
		sr->kernel.cache_key = kr_strdup(k ? "key2" : "key1");
		if (k)
			kr_strv_push(&sr->kernel.fragment_dropped,
				     kr_strdup("CONFIG_KCOV=y: not set (depends on ARCH_HAS_KCOV)"));
		ru = run(sr, KR_VERDICT_CLEAN, NULL, "the reproducer ran to its end", "tcg",
			 1700000100 + k, 2.0004);
		ru->console_log = kr_strdup("console.log");
		free(ru->dir);
		ru->dir = kr_asprintf("fixed-bug-%d/run-1", k);
		artifact(out_dir, ru->dir, "console.log", "clean\n", 6);
		sr->verdict = KR_VERDICT_FIXED;
		sr->outcome = KR_OUTCOME_MET;
		sr->reason = kr_strdup("all 1 run clean");
		sr->duration_s = 2.5;
		rate(sr, 0, 1, 0, 0.7934568);
	}
	return r;
}
