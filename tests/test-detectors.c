/* SPDX-License-Identifier: MIT */
/* kradar's values for the guest's late detectors, the scenario's
 * overrides, and the settle period they need. */
#include <string.h>

#include "detectors.h"
#include "kr-test.h"
#include "scenario.h"

static struct kr_scenario *load(const char *more)
{
	const char *dir = kr_test_tmpdir();
	free(kr_test_write(dir, "bzImage", "x"));
	_cleanup_free_ char *json = kr_asprintf("{\"kradar\":1,\"name\":\"t\",\"kernel\":{\"image\":"
						"\"bzImage\"},\"repro\":{\"sh\":\"true\"}%s}",
						more);
	return kr_test_scenario(json);
}

START_TEST(kradar_values)
{
	_cleanup_scenario_free_ struct kr_scenario *s = load("");
	struct kr_detector d[KR_DETECTORS];
	kr_detectors_get(s, d);
	ck_assert_str_eq(d[KR_DETECTOR_HUNG_TIMEOUT].name, "kernel.hung_task_timeout_secs");
	ck_assert_str_eq(d[KR_DETECTOR_HUNG_TIMEOUT].guest_path,
			 "/proc/sys/kernel/hung_task_timeout_secs");
	ck_assert_int_eq(d[KR_DETECTOR_HUNG_TIMEOUT].value, KR_HUNG_TASK_TIMEOUT_S);
	ck_assert_int_eq(d[KR_DETECTOR_HUNG_INTERVAL].value, KR_HUNG_TASK_INTERVAL_S);
	ck_assert_str_eq(d[KR_DETECTOR_RCU_STALL].guest_path,
			 "/sys/module/rcupdate/parameters/rcu_cpu_stall_timeout");
	ck_assert_int_eq(d[KR_DETECTOR_RCU_STALL].value, KR_RCU_STALL_TIMEOUT_S);
	for (size_t i = 0; i < KR_DETECTORS; i++)
		ck_assert(!d[i].from_scenario);
	/* 15 + 5 for a hung task, 21 for an RCU stall: 21 + 3 */
	ck_assert_double_eq(kr_detectors_settle(s), 24);
	_cleanup_strv_free_ char **sum = kr_detectors_summary(s);
	ck_assert_str_eq(sum[0], "kernel.hung_task_timeout_secs=15 (kradar)");
	ck_assert_str_eq(sum[2], "rcupdate.rcu_cpu_stall_timeout=21 (kradar)");
	ck_assert_ptr_null(sum[3]);
	_cleanup_free_ char *text = kr_detectors_describe(s, 24);
	KR_ASSERT_HAS(text, "kernel.hung_task_check_interval_secs = 5 (set by kradar: "
			    "/proc/sys/kernel/hung_task_check_interval_secs)\n");
	KR_ASSERT_HAS(text, "kmemleak: ");
	KR_ASSERT_HAS(text, "settle = 24 s (the default; the detectors need 24 s)\n");
	kr_test_tmpdir_cleanup();
}
END_TEST

START_TEST(scenario_values)
{
	/* a sysctl named with slashes, a string value, the RCU timeout on the
	 * command line (the last one counts, as in the kernel) */
	_cleanup_scenario_free_ struct kr_scenario *s = load(
		",\"sysctl\":{\"kernel/hung_task_timeout_secs\":140,"
		"\"kernel.hung_task_check_interval_secs\":\"0\"},"
		"\"vm\":{\"cmdline\":\"rcupdate.rcu_cpu_stall_timeout=50 "
		"xrcupdate.rcu_cpu_stall_timeout=7 rcupdate.rcu_cpu_stall_timeout=60\"},"
		"\"timeouts\":{\"settle\":10}");
	struct kr_detector d[KR_DETECTORS];
	kr_detectors_get(s, d);
	for (size_t i = 0; i < KR_DETECTORS; i++)
		ck_assert(d[i].from_scenario);
	ck_assert_int_eq(d[KR_DETECTOR_HUNG_TIMEOUT].value, 140);
	ck_assert_int_eq(d[KR_DETECTOR_HUNG_INTERVAL].value, 0);
	ck_assert_int_eq(d[KR_DETECTOR_RCU_STALL].value, 60);
	/* interval 0 means the timeout: 140 + 140 + 3 */
	ck_assert_double_eq(kr_detectors_settle(s), 283);
	_cleanup_free_ char *text = kr_detectors_describe(s, 10);
	KR_ASSERT_HAS(text, "kernel.hung_task_timeout_secs = 140 (set by the scenario)\n");
	KR_ASSERT_HAS(text, "settle = 10 s (timeouts.settle; the detectors need 283 s)\n");
	kr_scenario_free(KR_TAKE_PTR(s));

	/* hung tasks off: the RCU stall timeout decides (clamped as the
	 * kernel clamps it); an interval longer than the timeout is cut */
	s = load(",\"sysctl\":{\"kernel.hung_task_timeout_secs\":0},"
		 "\"vm\":{\"cmdline\":\"rcupdate.rcu_cpu_stall_timeout=1000\"}");
	ck_assert_double_eq(kr_detectors_settle(s), 303);
	kr_scenario_free(KR_TAKE_PTR(s));
	s = load(",\"sysctl\":{\"kernel.hung_task_timeout_secs\":30,"
		 "\"kernel.hung_task_check_interval_secs\":100}");
	ck_assert_double_eq(kr_detectors_settle(s), 63);
	kr_test_tmpdir_cleanup();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("detectors");
	TCase *tc = tcase_create("detectors");
	tcase_add_test(tc, kradar_values);
	tcase_add_test(tc, scenario_values);
	suite_add_tcase(s, tc);
	return kr_test_main(s);
}
